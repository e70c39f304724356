/**
 * Helpers for the integration tests that run inside VS Code's extension host (code-server).
 * Command and view ids are read from the extension's own package.json by their titles, so the tests follow the
 * real manifest: a command id renamed in package.json only is a contributed command nobody registers, and fails.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as vscode from 'vscode';
import { analyzeItemText, type ItemHistory } from '../../../src/engine';

export const EXTENSION_NAME = 'zxbackup-inspector';
export const CATEGORY = 'Zextras Backup';

export function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.all.find((e) => e.packageJSON?.name === EXTENSION_NAME);
  if (!ext) throw new Error(`extension ${EXTENSION_NAME} is not installed in this VS Code`);
  return ext;
}

interface ContributedCommand {
  command: string;
  title: string;
  category?: string;
}

export function contributedCommands(): ContributedCommand[] {
  return (extension().packageJSON?.contributes?.commands ?? []) as ContributedCommand[];
}

/** The id of the contributed command whose title matches (e.g. /Run Coherency Check/); fails when there is none. */
export function commandId(title: RegExp): string {
  const found = contributedCommands().find((c) => title.test(c.title));
  if (!found)
    throw new Error(
      `package.json contributes no command titled ${title}; has: ${contributedCommands()
        .map((c) => c.title)
        .join(', ')}`,
    );
  return found.command;
}

/** The id of the contributed view whose name matches (e.g. /^Backup$/). */
export function viewId(name: RegExp): string {
  const views = (extension().packageJSON?.contributes?.views ?? {}) as Record<string, { id: string; name: string }[]>;
  const found = Object.values(views)
    .flat()
    .find((v) => name.test(v.name));
  if (!found) throw new Error(`package.json contributes no view named ${name}`);
  return found.id;
}

/** Polls until `probe` returns a truthy value; throws with `what` after the deadline. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function backupRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder is open');
  return folder.uri.fsPath;
}

export interface SampleItem {
  abs: string;
  rel: string;
  text: string;
  history: ItemHistory;
}

/** Every item metadata file of the sample, analysed by the engine (the same rules the extension uses). */
export function sampleItems(root = backupRoot(), limit = 5000): SampleItem[] {
  const out: SampleItem[] = [];
  const accounts = join(root, 'accounts');
  for (const account of readdirSync(accounts)) {
    const items = join(accounts, account, 'items');
    let buckets: string[];
    try {
      buckets = readdirSync(items);
    } catch {
      continue;
    }
    for (const bucket of buckets) {
      for (const name of readdirSync(join(items, bucket))) {
        const abs = join(items, bucket, name);
        if (!statSync(abs).isFile()) continue;
        const rel = relative(root, abs).split('\\').join('/');
        const text = readFileSync(abs, 'utf8');
        out.push({ abs, rel, text, history: analyzeItemText(text, rel) });
        if (out.length >= limit) return out;
      }
    }
  }
  return out;
}

/** The extension's test API: what activate() returns (see docs/e2e.md). */
export interface TestApi {
  backupTree?: vscode.TreeDataProvider<unknown>;
  findingsTree?: vscode.TreeDataProvider<unknown>;
  operationsTree?: vscode.TreeDataProvider<unknown>;
  lostBodies?: vscode.FileDecorationProvider;
}

export async function activeApi(): Promise<TestApi> {
  const ext = extension();
  await waitFor('the extension to activate on the backup path', () => ext.isActive, 60_000);
  return (ext.exports ?? {}) as TestApi;
}

export function provider(
  api: TestApi,
  key: 'backupTree' | 'findingsTree' | 'operationsTree',
): vscode.TreeDataProvider<unknown> {
  const p = api[key];
  if (!p || typeof p.getChildren !== 'function') {
    throw new Error(
      `activate() must return { ${key}: TreeDataProvider } for the tests (docs/e2e.md); it returned keys: ${Object.keys(api).join(', ') || 'none'}`,
    );
  }
  return p;
}

export interface NodeInfo {
  element: unknown;
  label: string;
  description: string;
  id: string;
  contextValue: string;
  collapsible: boolean;
}

export async function children(p: vscode.TreeDataProvider<unknown>, element?: unknown): Promise<NodeInfo[]> {
  const kids = (await p.getChildren(element)) ?? [];
  const out: NodeInfo[] = [];
  for (const k of kids) {
    const item = await p.getTreeItem(k);
    const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
    const description = typeof item.description === 'string' ? item.description : '';
    out.push({
      element: k,
      label,
      description,
      id: item.id ?? '',
      contextValue: item.contextValue ?? '',
      collapsible: (item.collapsibleState ?? 0) !== vscode.TreeItemCollapsibleState.None,
    });
  }
  return out;
}

/**
 * Walks the tree breadth-first down to `maxDepth`, expanding at most `perLevel` nodes of each list, and returns
 * every node with the labels of its ancestors ("Load more…" nodes are not expanded).
 */
export async function walk(
  p: vscode.TreeDataProvider<unknown>,
  maxDepth = 6,
  perLevel = 40,
): Promise<Array<NodeInfo & { path: string[] }>> {
  const out: Array<NodeInfo & { path: string[] }> = [];
  let level: Array<{ element: unknown; path: string[] }> = [{ element: undefined, path: [] }];
  for (let depth = 0; depth < maxDepth && level.length > 0; depth++) {
    const next: typeof level = [];
    for (const parent of level) {
      const kids = await children(p, parent.element);
      for (const k of kids.slice(0, perLevel)) {
        const path = [...parent.path, k.label];
        out.push({ ...k, path });
        if (k.collapsible) next.push({ element: k.element, path });
      }
    }
    level = next;
  }
  return out;
}
