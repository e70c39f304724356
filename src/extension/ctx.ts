/**
 * The extension's state: the opened backup path, the language client, the point in
 * time and the last check. Owns every disposable so deactivate() tears all down.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { BackupPath } from './engine';
import { PointInTimeNotification, type RunCheckRequest } from '../shared/protocol';
import { createClient } from './client';
import { Config } from './config';
import { AccountCache } from './model/accountCache';
import { OperationsStore } from './model/operations';
import type { PointInTime } from './model/pointInTime';
import { ReadonlyDocuments } from './readonlyDocuments';
import { LAST_CHECK_FILE, decodeLastCheck, encodeLastCheck } from './model/lastCheckStore';

export const CONTEXT_KEY = 'zxbackup.isBackupPath';
const POINT_IN_TIME_KEY = 'zxbackup.pointInTime';

export interface LastCheck {
  root: string;
  title: string;
  result: RunCheckRequest.Result;
  finishedAt: number;
  /** Read back from workspace storage at activation (a check of an earlier window). */
  restored?: boolean;
  /** From sending zxbackup/runCheck to its response, in ms (the server's share of a UI check; issue 14 §7). */
  requestMs?: number;
}

export class Ctx implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  readonly config: Config;
  readonly operations = new OperationsStore();
  readonly documents: ReadonlyDocuments;
  private readonly subscriptions: vscode.Disposable[] = [];
  private languageClient: LanguageClient | undefined;
  private backupPath: BackupPath | undefined;
  private cache: AccountCache | undefined;
  private at: PointInTime;
  private check: LastCheck | undefined;

  private readonly pointInTimeChanged = new vscode.EventEmitter<PointInTime>();
  readonly onDidChangePointInTime = this.pointInTimeChanged.event;
  private readonly backupChanged = new vscode.EventEmitter<BackupPath | undefined>();
  readonly onDidChangeBackup = this.backupChanged.event;
  private readonly checkChanged = new vscode.EventEmitter<LastCheck | undefined>();
  readonly onDidChangeLastCheck = this.checkChanged.event;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('Zextras Backup', { log: true });
    this.config = new Config(this.log);
    this.documents = new ReadonlyDocuments();
    const saved = extension.workspaceState.get<number | null>(POINT_IN_TIME_KEY, null);
    this.at = typeof saved === 'number' && Number.isFinite(saved) ? saved : null;
    this.push(this.log, this.documents, this.pointInTimeChanged, this.backupChanged, this.checkChanged);
    this.push(
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.detectBackup()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (Config.affectsUs(e)) this.log.info('zxbackup settings changed');
      }),
    );
  }

  push(...d: vscode.Disposable[]): void {
    this.subscriptions.push(...d);
  }

  get backup(): BackupPath | undefined {
    return this.backupPath;
  }

  get accounts(): AccountCache | undefined {
    return this.cache;
  }

  /** The opened backup, or a clear message (commands explain why nothing happens instead of failing silently). */
  requireBackup(): BackupPath {
    if (!this.backupPath) throw new UserError('No backup path is open. Run "Zextras Backup: Open Backup Path…" first.');
    return this.backupPath;
  }

  get pointInTime(): PointInTime {
    return this.at;
  }

  async setPointInTime(at: PointInTime): Promise<void> {
    if (at === this.at) return;
    this.at = at;
    await this.extension.workspaceState.update(POINT_IN_TIME_KEY, at);
    this.pointInTimeChanged.fire(at);
    this.notifyPointInTime();
  }

  get lastCheck(): LastCheck | undefined {
    return this.check;
  }

  setLastCheck(check: LastCheck | undefined): void {
    this.check = check;
    this.checkChanged.fire(check);
    if (check && !check.restored) void this.saveLastCheck(check);
  }

  private lastCheckUri(): vscode.Uri | undefined {
    const dir = this.extension.storageUri;
    return dir ? vscode.Uri.joinPath(dir, LAST_CHECK_FILE) : undefined;
  }

  /** Kept for the next window (a reload emptied Findings): in workspace storage, never the backup path. */
  private async saveLastCheck(check: LastCheck): Promise<void> {
    const uri = this.lastCheckUri();
    if (!uri) return;
    try {
      await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(uri, '..'));
      const { root, title, result, finishedAt } = check;
      await vscode.workspace.fs.writeFile(uri, encodeLastCheck({ root, title, result, finishedAt }));
    } catch (err) {
      this.log.warn(`keeping the last check for the next window: ${String(err)}`);
    }
  }

  /** At activation: the last check of this backup path, if an earlier window ran one. */
  async restoreLastCheck(): Promise<void> {
    const uri = this.lastCheckUri();
    const root = this.backupPath?.root;
    if (!uri || !root || this.check) return;
    let bytes: Uint8Array;
    try {
      bytes = await vscode.workspace.fs.readFile(uri);
    } catch {
      return; // none yet
    }
    const stored = decodeLastCheck(bytes, root);
    if (!stored || this.check) return;
    this.log.info(`restored the last check (${stored.title}, finished ${new Date(stored.finishedAt).toISOString()})`);
    this.setLastCheck({ ...stored, restored: true });
  }

  /** The first workspace folder that is a backup path becomes "the" backup. */
  async detectBackup(): Promise<BackupPath | undefined> {
    let found: BackupPath | undefined;
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme !== 'file') continue;
      try {
        found = await BackupPath.open(folder.uri.fsPath);
        break;
      } catch {
        // Not a backup path: look at the next folder.
      }
    }
    if (found?.root !== this.backupPath?.root) {
      this.backupPath = found;
      this.cache = found ? new AccountCache(found) : undefined;
      this.log.info(found ? `backup path: ${found.root}` : 'no backup path in the workspace');
      this.backupChanged.fire(found);
    }
    await vscode.commands.executeCommand('setContext', CONTEXT_KEY, found !== undefined);
    return found;
  }

  /** Starts the server once; later calls return the running client. */
  async client(): Promise<LanguageClient> {
    if (this.languageClient?.isRunning()) return this.languageClient;
    if (!this.languageClient) {
      this.languageClient = createClient(this.extension, this.log);
    }
    if (!this.languageClient.isRunning()) {
      await this.languageClient.start();
      this.notifyPointInTime();
    }
    return this.languageClient;
  }

  async restartServer(): Promise<void> {
    const old = this.languageClient;
    this.languageClient = undefined;
    if (old) {
      try {
        await old.stop(5000);
      } catch (err) {
        this.log.warn(`stopping the server: ${String(err)}`);
      }
      await old.dispose().catch(() => undefined);
    }
    await this.client();
    this.log.info('language server restarted');
  }

  private notifyPointInTime(): void {
    const c = this.languageClient;
    if (!c?.isRunning()) return;
    const params: PointInTimeNotification.Params = { at: this.at };
    c.sendNotification(PointInTimeNotification.type, params).catch((err: unknown) =>
      this.log.warn(`pointInTime notification: ${String(err)}`),
    );
  }

  /** For deactivate(): stopping the client is what VS Code waits for. */
  async stopClient(): Promise<void> {
    const c = this.languageClient;
    this.languageClient = undefined;
    if (c) await c.stop();
  }

  dispose(): void {
    for (const d of this.subscriptions.splice(0).reverse()) {
      try {
        d.dispose();
      } catch (err) {
        this.log.error(`dispose: ${String(err)}`);
      }
    }
  }
}

/** A failure the user can act on: shown as is, without a stack. */
export class UserError extends Error {
  override readonly name = 'UserError';
}
