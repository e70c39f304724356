/**
 * Entry point. Activates on a workspace holding a backup path (package.json
 * activationEvents) or on one of its commands. Activation failures are shown to the
 * user with "Show Logs": VS Code itself only logs them.
 */
import * as vscode from 'vscode';
import { BackupTreeProvider } from './backupTree';
import { registerBlobDocuments } from './blobDocument';
import { registerCommands } from './commands';
import { Ctx } from './ctx';
import { FindingsTreeProvider } from './findingsTree';
import { HistoryPanel } from './historyPanel';
import { LostBodyDecorations } from './lostBodyDecorations';
import { OperationsTreeProvider } from './operationsTree';
import { PointInTimeStatus } from './pointInTime';
import { protectBackupPath, registerReadonlyBackup } from './readonlyBackup';
import { stopRealtimeScan } from './scanCommands';

let ctx: Ctx | undefined;

/** What activate() returns: the view providers, for the integration tests in the real VS Code (docs/extension.md). */
export interface ExtensionApi {
  backupTree?: vscode.TreeDataProvider<unknown>;
  findingsTree?: vscode.TreeDataProvider<unknown>;
  operationsTree?: vscode.TreeDataProvider<unknown>;
  /** The items marked as having lost their message body. */
  lostBodies?: vscode.FileDecorationProvider;
}

export async function activate(context: vscode.ExtensionContext): Promise<ExtensionApi> {
  const c = new Ctx(context);
  ctx = c;
  context.subscriptions.push(c);
  const api: ExtensionApi = {};
  try {
    const backup = new BackupTreeProvider(c);
    const findings = new FindingsTreeProvider(c);
    const operations = new OperationsTreeProvider(c);
    const lostBodies = new LostBodyDecorations(c);
    Object.assign(api, { backupTree: backup, findingsTree: findings, operationsTree: operations, lostBodies });
    c.push(
      backup,
      findings,
      operations,
      new PointInTimeStatus(c),
      lostBodies,
      registerBlobDocuments(c),
      HistoryPanel.registerSerializer(c),
    );
    c.push(...registerCommands(c, { backup, findings }));
    const found = await c.detectBackup();
    // Before anything opens a file of it: the backup is read-only in every editor.
    if (found) await protectBackupPath(found.root, c.log);
    // Findings of the check an earlier window ran (a reload emptied them), marked with when it ran.
    if (found) await c.restoreLastCheck();
    c.push(registerReadonlyBackup(c));
    if (!vscode.workspace.isTrusted) c.log.info('untrusted workspace: browsing only; checks run only when asked');
    // The server is started for a backup path only; elsewhere the commands explain what to open.
    if (found) await c.client();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    c.log.error(`activation failed: ${err instanceof Error && err.stack ? err.stack : message}`);
    void vscode.window.showErrorMessage(`Zextras Backup failed to start: ${message}`, 'Show Logs').then((choice) => {
      if (choice === 'Show Logs') c.log.show(true);
    });
  }
  return api;
}

export function deactivate(): Thenable<void> | undefined {
  const c = ctx;
  ctx = undefined;
  // A running Real Time Scan stops at its safe point (the backup lock released) before the server.
  return stopRealtimeScan().then(() => c?.stopClient());
}
