/**
 * The commands of the "Zextras Backup" category. Each resolves its target from what
 * it is given (a tree node, a code-lens argument, a file URI) or from the active
 * editor, and says plainly when there is nothing to act on.
 */
import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import {
  WorkDoneProgress,
  type WorkDoneProgressBegin,
  type WorkDoneProgressReport,
  type WorkDoneProgressEnd,
} from 'vscode-languageclient/node';
import {
  BackupPath,
  classifyRelPath,
  exportBlobAsEml,
  isValidDigest,
  lastTransaction,
  listArchiveContents,
  listServerArchives,
  toRelPath,
  formatZxsuite,
  type Catalogue,
  type Finding,
} from './engine';
import {
  BLOB_SCHEME,
  Commands,
  parseBlobUri,
  RunCheckRequest,
  type CheckLevel,
  type TransactionCommandArgs,
} from '../shared/protocol';
import { showBlob } from './blobDocument';
import type { BackupNode, BackupTreeProvider } from './backupTree';
import { UserError, type Ctx } from './ctx';
import { openFinding, type FindingsNode, type FindingsTreeProvider } from './findingsTree';
import { HistoryPanel, showItemState } from './historyPanel';
import {
  CHECK_LEVELS,
  checkReportMarkdown,
  checkRequestParams,
  checkSummary,
  checkTitle,
  type CheckScope,
} from './model/checkReport';
import type { CatalogueAccess } from './model/accountCache';
import { ARCHIVE_LISTING_MAX, archiveListing } from './model/treeModel';
import { compareAccount, compareRows } from './model/compare';
import { searchPickRows } from './model/itemSearch';
import { formatPointInTime, parsePointInTime, type PointInTime } from './model/pointInTime';
import type { Operation } from './model/operations';
import { askPointInTime, loadRuns, SET_POINT_IN_TIME, validationMessage } from './pointInTime';
import { exportAccounts, purge } from './maintenanceCommands';
import { restoreAccount, restoreItem, undelete } from './restoreCommands';
import { forgetScanSource, runSmartOrAccountScan, toggleRealtimeScan } from './scanCommands';

export interface Views {
  backup: BackupTreeProvider;
  findings: FindingsTreeProvider;
}

export function registerCommands(ctx: Ctx, views: Views): vscode.Disposable[] {
  const cmd = (id: string, run: (...args: unknown[]) => unknown): vscode.Disposable =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        // The result goes back to the caller (the integration tests read what Set Point in Time… did).
        return await run(...args);
      } catch (err) {
        reportError(ctx, id, err);
        return undefined;
      }
    });
  return [
    cmd('zxbackup.openBackupPath', () => openBackupPath(ctx)),
    cmd('zxbackup.runCheck', (arg, level) => runCheck(ctx, arg, level)),
    cmd(Commands.showHistory, async (arg) => HistoryPanel.show(ctx, await itemRelPath(ctx, arg))),
    cmd(Commands.showBlob, (arg) => showBlobCommand(ctx, arg)),
    cmd(Commands.exportBlobEml, (arg, target) => exportBlobEmlCommand(ctx, arg, target)),
    cmd(Commands.showState, (arg) => showStateCommand(ctx, arg)),
    cmd(Commands.restoreState, (arg) => restoreStateCommand(ctx, arg)),
    cmd('zxbackup.searchItems', (arg) => searchItems(ctx, views.backup, arg)),
    cmd('zxbackup.exportAccounts', () => exportAccounts(ctx)),
    cmd('zxbackup.purge', () => purge(ctx)),
    cmd('zxbackup.restoreAccount', (arg) => restoreAccount(ctx, arg)),
    cmd('zxbackup.undelete', (arg) => undelete(ctx, arg)),
    cmd('zxbackup.restoreItem', (arg) => restoreItem(ctx, arg)),
    cmd('zxbackup.runSmartScan', () => runSmartOrAccountScan(ctx, 'smart')),
    cmd('zxbackup.runAccountScan', () => runSmartOrAccountScan(ctx, 'account')),
    cmd('zxbackup.toggleRealtimeScan', () => toggleRealtimeScan(ctx)),
    cmd('zxbackup.forgetScanSource', () => forgetScanSource(ctx)),
    cmd('zxbackup.comparePointsInTime', (arg) => comparePointsInTime(ctx, arg)),
    cmd('zxbackup.copyItemPath', async (arg) => {
      const rel = await itemRelPath(ctx, arg);
      await vscode.env.clipboard.writeText(ctx.requireBackup().abs(rel));
      vscode.window.setStatusBarMessage(`Copied ${rel}`, 3000);
    }),
    cmd(SET_POINT_IN_TIME, (arg) => askPointInTime(ctx, arg)),
    cmd('zxbackup.showLogs', () => ctx.log.show(true)),
    cmd('zxbackup.restartServer', () =>
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: 'Restarting the Zextras Backup server' },
        () => ctx.restartServer(),
      ),
    ),
    cmd('zxbackup.refresh', async () => {
      ctx.accounts?.forget();
      await ctx.detectBackup();
      views.backup.refreshAll();
    }),
    cmd('zxbackup.tree.loadMore', (node) => views.backup.loadMore(node as BackupNode)),
    cmd('zxbackup.tree.showArchive', (node) => showArchive(ctx, node)),
    cmd('zxbackup.findings.loadMore', (node) => views.findings.loadMore(node as FindingsNode)),
    cmd('zxbackup.openFinding', (root, f) => openFinding(String(root), f as Finding)),
    cmd('zxbackup.operations.cancel', (op) => ctx.operations.cancel((op as Operation).id)),
    cmd('zxbackup.operations.showReport', (op) => {
      const o = op as Operation;
      if (o.report === undefined) throw new UserError('This operation has no report.');
      return ctx.documents.show(`reports/${o.id}.md`, o.report, { language: 'markdown', rendered: true });
    }),
  ];
}

/** A server archive from the Backup view: its entries (at most ARCHIVE_LISTING_MAX) in a read-only document. */
async function showArchive(ctx: Ctx, arg: unknown): Promise<void> {
  const backup = ctx.requireBackup();
  const ref = (arg as Partial<BackupNode> | undefined)?.ref;
  if (ref?.kind !== 'archive') throw new UserError('Click a server archive in the Backup view.');
  const zone = ctx.config.timeZone;
  const archive = (await listServerArchives(backup.root, zone)).archives.find((a) => a.path === ref.path);
  if (!archive) throw new UserError(`${ref.path} is no longer in the backup path: refresh the Backup view.`);
  const listing = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: `Reading ${archive.name}` },
    () => listArchiveContents(backup.root, archive.path, { maxEntries: ARCHIVE_LISTING_MAX }),
  );
  if (!listing.ok) throw new UserError(listing.finding.message);
  await ctx.documents.show(`${archive.path}.contents.txt`, archiveListing(archive, listing, zone), {
    language: 'plaintext',
  });
}

function reportError(ctx: Ctx, id: string, err: unknown): void {
  if (err instanceof vscode.CancellationError) return;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof UserError) {
    void vscode.window.showInformationMessage(message);
    return;
  }
  ctx.log.error(`${id}: ${err instanceof Error && err.stack ? err.stack : message}`);
  void vscode.window.showErrorMessage(`Zextras Backup: ${message}`, 'Show Logs').then((a) => a && ctx.log.show(true));
}

async function openBackupPath(ctx: Ctx): Promise<void> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    openLabel: 'Open Backup Path',
    title: 'Zextras Backup: choose the backup path (the folder holding accounts/ and items/)',
  });
  const folder = picked?.[0];
  if (!folder) return;
  try {
    await BackupPath.open(folder.fsPath);
  } catch (err) {
    throw new UserError(`${folder.fsPath} is not a backup path: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (vscode.workspace.workspaceFolders?.some((f) => f.uri.fsPath === folder.fsPath)) {
    await ctx.detectBackup();
    return;
  }
  // Opening the folder reloads the window; the extension activates there on the backup path's marker files.
  await vscode.commands.executeCommand('vscode.openFolder', folder, { forceNewWindow: false });
}

/** A relative path inside the backup for a tree node, a URI, a code-lens argument or the active editor. */
async function itemRelPath(ctx: Ctx, arg: unknown): Promise<string> {
  const backup = ctx.requireBackup();
  const node = arg as Partial<BackupNode> | undefined;
  if (node?.ref && node.view?.path !== undefined) return node.view.path;
  const uri =
    arg instanceof vscode.Uri
      ? arg
      : typeof (arg as { uri?: unknown })?.uri === 'string'
        ? vscode.Uri.parse((arg as { uri: string }).uri)
        : vscode.window.activeTextEditor?.document.uri;
  if (!uri || uri.scheme !== 'file')
    throw new UserError('Select an item in the Backup view or open an item file first.');
  const rel = relativeInside(backup.root, uri.fsPath);
  if (rel === undefined) throw new UserError(`${uri.fsPath} is not inside the backup path ${backup.root}.`);
  return rel;
}

function relativeInside(root: string, abs: string): string | undefined {
  const r = root.replace(/[\\/]+$/, '');
  if (abs !== r && !abs.startsWith(r + '/') && !abs.startsWith(r + '\\')) return undefined;
  return toRelPath(r, abs);
}

async function showStateCommand(ctx: Ctx, arg: unknown): Promise<void> {
  const a = arg as Partial<TransactionCommandArgs> | undefined;
  if (typeof a?.uri !== 'string' || typeof a.transactionIndex !== 'number')
    throw new UserError('Show state is run from the "Show state" lens above a transaction.');
  await showItemState(ctx, await itemRelPath(ctx, { uri: a.uri }), a.transactionIndex);
}

/** The "Restore this state…" lens: Restore Item… for that item, as it was from that transaction's start. */
async function restoreStateCommand(ctx: Ctx, arg: unknown): Promise<void> {
  const a = arg as Partial<TransactionCommandArgs> | undefined;
  if (typeof a?.uri !== 'string' || typeof a.transactionIndex !== 'number')
    throw new UserError('Restore this state is run from the lens above a transaction.');
  const rel = await itemRelPath(ctx, { uri: a.uri });
  const kind = classifyRelPath(rel);
  if (kind.kind !== 'item') throw new UserError(`${rel} is not a mail item file: only mail items are restored.`);
  const history = await ctx.requireBackup().readItemAt(rel);
  const at = history?.transactions[a.transactionIndex]?.start;
  if (at === undefined) throw new UserError(`Transaction ${a.transactionIndex + 1} of ${rel} has no valid start-date.`);
  await restoreItem(ctx, { ref: { kind: 'item', zimbraId: kind.accountId, itemId: kind.itemId, path: rel }, at });
}

/** The digest a BLOB command acts on: a BLOB or item node, a digest, a BLOB document, an item file or the active editor's. */
async function blobDigestOf(ctx: Ctx, arg: unknown, title: string): Promise<string | undefined> {
  const backup = ctx.requireBackup();
  const node = arg as Partial<BackupNode> | undefined;
  let digest: string | undefined;
  const blobDoc =
    arg instanceof vscode.Uri && arg.scheme === BLOB_SCHEME
      ? arg
      : arg === undefined && vscode.window.activeTextEditor?.document.uri.scheme === BLOB_SCHEME
        ? vscode.window.activeTextEditor.document.uri
        : undefined;
  if (blobDoc) digest = parseBlobUri(blobDoc.toString(true))?.digest;
  else if (node?.ref?.kind === 'blob') digest = node.ref.digest;
  else if (typeof arg === 'string') digest = arg;
  else if (typeof (arg as { digest?: unknown })?.digest === 'string') digest = (arg as { digest: string }).digest;
  else if (node?.ref?.kind === 'item' || arg instanceof vscode.Uri || arg === undefined) {
    // The digest of the item's current transaction (at the chosen point in time, else the latest).
    const rel = await itemRelPath(ctx, arg).catch(() => undefined);
    if (rel !== undefined && classifyRelPath(rel).kind === 'item') {
      const h = await backup.readItemAt(rel);
      const tx = h ? lastTransaction(h) : undefined;
      if (typeof tx?.digest === 'string') digest = tx.digest;
    }
  }
  digest ??= await vscode.window.showInputBox({
    title,
    prompt: 'The BLOB digest (44 characters for SHA-256)',
    validateInput: (v) => (isValidDigest(v.trim()) ? undefined : 'Not a valid Zimbra digest'),
  });
  return digest?.trim();
}

async function showBlobCommand(ctx: Ctx, arg: unknown): Promise<void> {
  const digest = await blobDigestOf(ctx, arg, 'Zextras Backup: Show BLOB');
  if (digest !== undefined) await showBlob(ctx.requireBackup().root, digest);
}

/**
 * Export to .eml: the BLOB's decompressed message into a file the user picks (never inside
 * the backup path). `target` (a Uri) skips the save dialog, for tests and other extensions.
 * Returns the file written, or undefined.
 */
async function exportBlobEmlCommand(ctx: Ctx, arg: unknown, target: unknown): Promise<string | undefined> {
  const backup = ctx.requireBackup();
  const digest = await blobDigestOf(ctx, arg, 'Zextras Backup: Export to .eml');
  if (digest === undefined) return undefined;
  const home = vscode.Uri.file(process.env['HOME'] ?? '/');
  const to =
    target instanceof vscode.Uri
      ? target
      : await vscode.window.showSaveDialog({
          title: 'Export the message to .eml (outside the backup path)',
          defaultUri: vscode.Uri.joinPath(home, `${digest.replace(/[^A-Za-z0-9_-]/g, '_')}.eml`),
          filters: { 'E-mail message': ['eml'] },
        });
  if (!to) return undefined;
  const out = await exportBlobAsEml(backup.root, digest, to.fsPath);
  if (!out.ok) throw new UserError(out.message);
  void vscode.window.showInformationMessage(`Exported ${out.bytes.toLocaleString('en-US')} bytes to ${out.target}.`);
  return out.target;
}

async function pickScope(ctx: Ctx, arg: unknown): Promise<CheckScope | undefined> {
  const backup = ctx.requireBackup();
  const node = arg as Partial<BackupNode> | undefined;
  if (node?.ref?.kind === 'account') {
    const a = await backup.findAccount(node.ref.zimbraId);
    return { kind: 'account', zimbraId: node.ref.zimbraId, name: a?.name ?? node.ref.zimbraId };
  }
  if (arg instanceof vscode.Uri) {
    const rel = relativeInside(backup.root, arg.fsPath);
    if (rel !== undefined) return { kind: 'file', relPath: rel };
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  const activeRel = active?.scheme === 'file' ? relativeInside(backup.root, active.fsPath) : undefined;
  type ScopeItem = vscode.QuickPickItem & { scope: 'backup' | 'account' | 'file' };
  const items: ScopeItem[] = [
    { label: '$(database) Whole backup', description: backup.root, scope: 'backup' },
    { label: '$(account) One account…', scope: 'account' },
  ];
  if (activeRel) items.push({ label: '$(file) Current file', description: activeRel, scope: 'file' });
  const choice = await vscode.window.showQuickPick(items, {
    title: 'Run Coherency Check: scope',
    ignoreFocusOut: true,
  });
  if (!choice) return undefined;
  if (choice.scope === 'backup') return { kind: 'backup' };
  if (choice.scope === 'file' && activeRel) return { kind: 'file', relPath: activeRel };
  const accounts = await backup.accounts();
  const a = await vscode.window.showQuickPick(
    accounts.map((x) => ({ label: x.name, description: x.zimbraId, zimbraId: x.zimbraId })),
    { title: 'Run Coherency Check: account', matchOnDescription: true, ignoreFocusOut: true },
  );
  return a ? { kind: 'account', zimbraId: a.zimbraId, name: a.label } : undefined;
}

/**
 * Arguments, all optional (keybindings and tests pass them; menus pass the node): a tree
 * node, a file Uri or 'backup' for the scope, then a level; what is missing is asked for.
 */
async function runCheck(ctx: Ctx, arg: unknown, levelArg?: unknown): Promise<void> {
  const backup = ctx.requireBackup();
  const scope: CheckScope | undefined = arg === 'backup' ? { kind: 'backup' } : await pickScope(ctx, arg);
  if (!scope) return;
  const given = CHECK_LEVELS.find((l) => l.level === levelArg);
  const level =
    given ??
    (await vscode.window.showQuickPick(
      CHECK_LEVELS.map((l) => ({ label: l.label, detail: l.detail, level: l.level })),
      { title: 'Run Coherency Check: level', ignoreFocusOut: true },
    ));
  if (!level) return;
  const client = await ctx.client();
  const title = checkTitle(scope, level.level as CheckLevel);
  const workDoneToken = randomUUID();
  const params = { ...checkRequestParams(backup.root, scope, level.level), workDoneToken };
  // One source for both cancel buttons: the notification's and the Operations view's.
  const cancel = new vscode.CancellationTokenSource();
  const op = ctx.operations.start(title, () => cancel.cancel());
  ctx.log.info(`${title}: started`);
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, token) => {
        const link = token.onCancellationRequested(() => cancel.cancel());
        let last = 0;
        const sub = client.onProgress(
          WorkDoneProgress.type,
          workDoneToken,
          (p: WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd) => {
            if (p.kind === 'end') return;
            const pct = p.percentage;
            const increment = pct !== undefined ? Math.max(0, pct - last) : undefined;
            if (pct !== undefined) last = pct;
            progress.report({
              ...(p.message !== undefined ? { message: p.message } : {}),
              ...(increment !== undefined ? { increment } : {}),
            });
            ctx.operations.progress(op.id, {
              ...(pct !== undefined ? { percentage: pct } : {}),
              ...(p.message !== undefined ? { message: p.message } : {}),
            });
          },
        );
        try {
          // The token makes the client send $/cancelRequest when either cancel button is pressed.
          const sent = performance.now();
          const result = await client.sendRequest(RunCheckRequest.type, params, cancel.token);
          const requestMs = Math.round(performance.now() - sent);
          const summary = checkSummary(result);
          ctx.setLastCheck({ root: backup.root, title, result, finishedAt: Date.now(), requestMs });
          ctx.operations.finish(op.id, {
            state: result.summary.interrupted ? 'cancelled' : 'done',
            summary,
            report: checkReportMarkdown(title, result),
          });
          ctx.log.info(
            `${title}: ${summary} (request ${requestMs} ms, of which the engine ${result.summary.durationMs} ms)`,
          );
          void vscode.commands.executeCommand('zxbackup.findings.focus');
        } finally {
          sub.dispose();
          link.dispose();
        }
      },
    );
  } catch (err) {
    const cancelled = cancel.token.isCancellationRequested;
    ctx.operations.finish(op.id, {
      state: cancelled ? 'cancelled' : 'failed',
      summary: cancelled ? 'cancelled' : err instanceof Error ? err.message : String(err),
    });
    if (!cancelled) throw err;
    ctx.log.info(`${title}: cancelled`);
  } finally {
    cancel.dispose();
  }
}

async function searchItems(ctx: Ctx, tree: BackupTreeProvider, arg: unknown): Promise<void> {
  const zimbraId = await currentAccount(ctx, arg);
  if (!zimbraId) return;
  const access = ctx.accounts!.catalogue;
  const cat = await access.open();
  if (cat && access.failedReason(zimbraId) === undefined) {
    const ready =
      access.isFresh(zimbraId) ||
      (await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Indexing the account for search', cancellable: true },
        async (progress, token) => {
          const abort = new AbortController();
          const sub = token.onCancellationRequested(() => abort.abort());
          try {
            await access.index(zimbraId, {
              signal: abort.signal,
              progress: (e) => progress.report({ message: `${e.done.toLocaleString('en-US')} item files` }),
            });
            return true;
          } catch (err) {
            ctx.log.warn(`search: the catalogue could not be used, reading item files: ${String(err)}`);
            return false;
          } finally {
            sub.dispose();
          }
        },
      ));
    if (ready) return searchItemsLive(ctx, tree, access, cat, zimbraId);
  } else if (!cat)
    ctx.log.info(`search: no item catalogue here (${access.unavailableReason ?? 'unknown'}), reading item files`);
  return searchItemsFromFiles(ctx, tree, zimbraId);
}

/** From the catalogue: each keystroke is a full-text query, so the list is what matches, not what was loaded. */
function searchItemsLive(
  ctx: Ctx,
  tree: BackupTreeProvider,
  access: CatalogueAccess,
  cat: Catalogue,
  zimbraId: string,
): Promise<void> {
  const backup = ctx.requireBackup();
  type ItemPick = vscode.QuickPickItem & { itemId: number; path: string };
  const qp = vscode.window.createQuickPick<ItemPick>();
  qp.title = 'Search Items';
  qp.placeholder = 'Subject, name, sender or recipient (any state, at the point in time)';
  // The catalogue has already chosen: VS Code's own filter would hide matches on recipients.
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  let timer: NodeJS.Timeout | undefined;
  const update = (): void => {
    try {
      const { rows, more } = searchPickRows(access, cat, zimbraId, qp.value, ctx.pointInTime);
      qp.items = rows.map((r) => ({ ...r, alwaysShow: true }));
      qp.title = `Search Items (${rows.length}${more ? '+' : ''})`;
    } catch (err) {
      ctx.log.warn(`search: ${String(err)}`);
    } finally {
      qp.busy = false;
    }
  };
  qp.onDidChangeValue(() => {
    qp.busy = true;
    if (timer) clearTimeout(timer);
    timer = setTimeout(update, 120);
  });
  return new Promise((resolve) => {
    qp.onDidAccept(() => {
      const choice = qp.selectedItems[0];
      qp.hide();
      if (!choice) return;
      void vscode.window.showTextDocument(vscode.Uri.file(backup.abs(choice.path)), { preview: true });
      void tree.revealItem(zimbraId, choice.itemId).catch((err: unknown) => ctx.log.warn(`reveal: ${String(err)}`));
    });
    qp.onDidHide(() => {
      if (timer) clearTimeout(timer);
      qp.dispose();
      resolve();
    });
    update();
    qp.show();
  });
}

/** Without a catalogue: the account's items read once, filtered by VS Code as the user types. */
async function searchItemsFromFiles(ctx: Ctx, tree: BackupTreeProvider, zimbraId: string): Promise<void> {
  const backup = ctx.requireBackup();
  const cache = ctx.accounts!;
  const snapshot = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: "Reading the account's items", cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      try {
        return await cache.snapshot(zimbraId, ctx.pointInTime, {
          signal: abort.signal,
          progress: (e) => progress.report({ message: `${e.done} files` }),
        });
      } finally {
        sub.dispose();
      }
    },
  );
  type ItemPick = vscode.QuickPickItem & { itemId: number; path: string };
  const picks: ItemPick[] = [];
  for (const f of snapshot.folders.values())
    for (const it of f.items)
      picks.push({
        label: it.title || '(no subject)',
        description: `#${it.id} · ${it.typeName} · ${f.path}`,
        ...(it.transaction.sender ? { detail: it.transaction.sender } : {}),
        itemId: it.id,
        path: it.path,
      });
  for (const it of snapshot.unplaced)
    picks.push({
      label: it.title || '(no subject)',
      description: `#${it.id} · ${it.typeName} · folder missing`,
      itemId: it.id,
      path: it.path,
    });
  for (const it of snapshot.deleted)
    picks.push({
      label: it.title || '(deleted item)',
      description: `#${it.id} · ${it.typeName} · deleted`,
      itemId: it.id,
      path: it.path,
    });
  const choice = await vscode.window.showQuickPick(picks, {
    title: `Search Items (${picks.length})`,
    matchOnDescription: true,
    matchOnDetail: true,
    placeHolder: 'Subject, name, #id, type or folder',
  });
  if (!choice) return;
  await vscode.window.showTextDocument(vscode.Uri.file(backup.abs(choice.path)), { preview: true });
  void tree.revealItem(zimbraId, choice.itemId).catch((err: unknown) => ctx.log.warn(`reveal: ${String(err)}`));
}

/** Asks for one moment: a date, first (the first backup run), last or now. */
async function askMoment(ctx: Ctx, title: string, value: string): Promise<PointInTime | undefined> {
  const zone = ctx.config.timeZone;
  const runs = await loadRuns(ctx.backup);
  const input = await vscode.window.showInputBox({
    title,
    prompt: `dd/MM/yyyy HH:mm:ss or ISO 8601 (read in ${zone} without an offset), first, last or now`,
    value,
    validateInput: (v) => validationMessage(v, zone, runs),
    ignoreFocusOut: true,
  });
  if (input === undefined) return undefined;
  const parsed = parsePointInTime(input, zone, runs);
  return parsed.ok ? parsed.at : undefined;
}

/** Compare Points in Time…: the changes between two moments; choosing one opens that item's history. */
async function comparePointsInTime(ctx: Ctx, arg: unknown): Promise<void> {
  const zimbraId = await currentAccount(ctx, arg);
  if (!zimbraId) return;
  const zone = ctx.config.timeZone;
  const start = ctx.pointInTime === null ? '' : formatZxsuite(ctx.pointInTime, zone);
  const from = await askMoment(ctx, 'Compare Points in Time: from', start);
  if (from === undefined) return;
  const to = await askMoment(ctx, 'Compare Points in Time: to', 'last');
  if (to === undefined) return;
  const { diff, source } = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Comparing two points in time', cancellable: true },
    async (_progress, token) => {
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      try {
        return await compareAccount(ctx.accounts!, zimbraId, from, to, { signal: abort.signal });
      } finally {
        sub.dispose();
      }
    },
  );
  ctx.log.info(
    `compare ${zimbraId}: ${diff.folders.length} folders, ${diff.items.length} items changed (from the ${source})`,
  );
  type ComparePick = vscode.QuickPickItem & { path?: string };
  const picks: ComparePick[] = [];
  const rows = compareRows(diff);
  for (const kind of ['folder', 'item'] as const) {
    const some = rows.filter((r) => r.kind === kind);
    if (some.length === 0) continue;
    picks.push({ label: kind === 'folder' ? 'Folders' : 'Items', kind: vscode.QuickPickItemKind.Separator });
    for (const r of some) picks.push({ label: r.label, description: r.description, detail: r.detail, path: r.path });
  }
  const span = `${formatPointInTime(from, zone)} → ${formatPointInTime(to, zone)}`;
  if (rows.length === 0) {
    void vscode.window.showInformationMessage(`Zextras Backup: nothing changed in this account, ${span}.`);
    return;
  }
  const choice = await vscode.window.showQuickPick(picks, {
    title: `Changes ${span} (${rows.length}): choose one to see its history`,
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (choice?.path) HistoryPanel.show(ctx, choice.path);
}

/** The account of the selected node or the active file, else the user picks one. */
async function currentAccount(ctx: Ctx, arg: unknown): Promise<string | undefined> {
  const backup = ctx.requireBackup();
  const node = arg as Partial<BackupNode> | undefined;
  const ref = node?.ref;
  if (ref && 'zimbraId' in ref) return ref.zimbraId;
  const uri = vscode.window.activeTextEditor?.document.uri;
  const rel = uri?.scheme === 'file' ? relativeInside(backup.root, uri.fsPath) : undefined;
  const k = rel !== undefined ? classifyRelPath(rel) : undefined;
  if (k && 'accountId' in k) return k.accountId;
  const accounts = await backup.accounts();
  const a = await vscode.window.showQuickPick(
    accounts.map((x) => ({ label: x.name, description: x.zimbraId, zimbraId: x.zimbraId })),
    { title: 'Search Items: account', matchOnDescription: true },
  );
  return a?.zimbraId;
}
