/**
 * Every file under an opened backup path opens read-only: the backup is customer data,
 * and with autosave one stray key press would write into it. VS Code's own
 * `files.readonlyInclude` (absolute globs allowed) does it for every editor, however the
 * file was opened (tree, Quick Open, Explorer, a Problems entry). It is written to the
 * user settings, never to the workspace's: a folder workspace keeps its settings in
 * `.vscode/` inside the backup path itself.
 */
import * as vscode from 'vscode';
import type { Ctx } from './ctx';

const SECTION = 'files';
const KEY = 'readonlyInclude';

/** The glob that covers everything under `root` (glob metacharacters in the path escaped as classes). */
export function readonlyGlob(root: string): string {
  const clean = root.replace(/[\\/]+$/, '').replace(/\\/g, '/');
  return `${clean.replace(/[[\]{}*?]/g, (c) => `[${c}]`)}/**`;
}

/** Adds the backup path's glob to the user's `files.readonlyInclude` (kept: the backup stays read-only next time). */
export async function protectBackupPath(root: string, log: vscode.LogOutputChannel): Promise<void> {
  const glob = readonlyGlob(root);
  const files = vscode.workspace.getConfiguration(SECTION);
  const global = files.inspect<Record<string, boolean>>(KEY)?.globalValue ?? {};
  if (global[glob] === true) return;
  try {
    await files.update(KEY, { ...global, [glob]: true }, vscode.ConfigurationTarget.Global);
    log.info(`backup path read-only in the editor: files.readonlyInclude "${glob}" (user settings)`);
  } catch (err) {
    log.warn(`could not mark the backup path read-only (files.readonlyInclude): ${String(err)}`);
  }
}

/** Marks each backup path opened later (a workspace folder added) read-only, as soon as it is detected. */
export function registerReadonlyBackup(ctx: Ctx): vscode.Disposable {
  return ctx.onDidChangeBackup((b) => {
    if (b) void protectBackupPath(b.root, ctx.log);
  });
}
