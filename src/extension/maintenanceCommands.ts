/**
 * "Export Accounts…" and "Purge…": wizards over the engine's doExport and doPurge, with a
 * preview and a confirmation before anything is written, progress and cancel in the
 * Operations view, and the report as a document. They run in the extension host (the
 * engine reads and writes files; no language server request is needed).
 */
import * as vscode from 'vscode';
import { exportBackup, isCancelled, runPurge, type ProgressEvent, type PurgeResult, type TimeWindow } from './engine';
import { UserError, type Ctx } from './ctx';
import {
  DEFAULT_PURGE_DAYS,
  exportConfirmation,
  exportReportMarkdown,
  exportSummary,
  purgeConfirmation,
  purgeDaysProblem,
  purgeMarkdown,
  purgeSummary,
  readWindowEnd,
} from './model/maintenance';

/**
 * Runs `work` with a cancellable notification and an Operations entry; both cancel buttons
 * abort it, and so does `abort` when the caller keeps it (the Real Time Scan's Stop).
 */
export async function asOperation<T>(
  ctx: Ctx,
  title: string,
  work: (signal: AbortSignal, progress: (e: ProgressEvent) => void) => Promise<T>,
  outcome: (result: T) => { summary: string; report: string; interrupted?: boolean },
  abort = new AbortController(),
): Promise<T | undefined> {
  const op = ctx.operations.start(title, () => abort.abort());
  ctx.log.info(`${title}: started`);
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, token) => {
        const sub = token.onCancellationRequested(() => abort.abort());
        try {
          const result = await work(abort.signal, (e) => {
            const pct = e.total ? Math.round((100 * e.done) / e.total) : undefined;
            const message = `${e.phase} ${e.done}${e.total !== undefined ? `/${e.total}` : ''}`;
            progress.report({ message });
            ctx.operations.progress(op.id, { ...(pct !== undefined ? { percentage: pct } : {}), message });
          });
          const o = outcome(result);
          ctx.operations.finish(op.id, {
            state: o.interrupted ? 'cancelled' : 'done',
            summary: o.summary,
            report: o.report,
          });
          ctx.log.info(`${title}: ${o.summary}`);
          return result;
        } finally {
          sub.dispose();
        }
      },
    );
  } catch (err) {
    if (isCancelled(err)) {
      ctx.operations.finish(op.id, { state: 'cancelled', summary: 'cancelled' });
      return undefined;
    }
    ctx.operations.finish(op.id, { state: 'failed', summary: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}

async function askWindowEnd(ctx: Ctx, which: 'from' | 'to'): Promise<{ at?: number } | undefined> {
  const zone = ctx.config.timeZone;
  const text = await vscode.window.showInputBox({
    title: `Export Accounts: ${which === 'from' ? 'first' : 'last'} instant of the window (empty: no bound)`,
    prompt: `dd/MM/yyyy HH:mm:ss or ISO 8601, read in ${zone}`,
    ignoreFocusOut: true,
    validateInput: (v) => {
      const r = readWindowEnd(v, zone);
      return r.ok ? undefined : r.error;
    },
  });
  if (text === undefined) return undefined;
  const r = readWindowEnd(text, zone);
  return r.ok ? (r.at === undefined ? {} : { at: r.at }) : undefined;
}

export async function exportAccounts(ctx: Ctx): Promise<void> {
  const backup = ctx.requireBackup();
  const zone = ctx.config.timeZone;
  const accounts = await backup.accounts();
  const picked = await vscode.window.showQuickPick(
    accounts.map((a) => ({ label: a.name, description: a.zimbraId, id: a.zimbraId })),
    { title: 'Export Accounts: which accounts', canPickMany: true, ignoreFocusOut: true },
  );
  if (!picked || picked.length === 0) return;
  const from = await askWindowEnd(ctx, 'from');
  if (!from) return;
  const to = await askWindowEnd(ctx, 'to');
  if (!to) return;
  if (from.at !== undefined && to.at !== undefined && from.at > to.at)
    throw new UserError('The first instant of the window is after the last one. Nothing was written.');
  const window: TimeWindow | undefined =
    from.at === undefined && to.at === undefined
      ? undefined
      : { ...(from.at !== undefined ? { from: from.at } : {}), ...(to.at !== undefined ? { to: to.at } : {}) };
  const dest = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    openLabel: 'Export Here',
    title: 'Export Accounts: an empty folder for the new backup path',
  });
  const folder = dest?.[0];
  if (!folder) return;
  const ok = await vscode.window.showWarningMessage(
    exportConfirmation(
      picked.map((p) => p.label),
      window,
      folder.fsPath,
      zone,
    ),
    { modal: true },
    'Export',
  );
  if (ok !== 'Export') return;
  const title = `Export of ${picked.length} account(s)`;
  const report = await asOperation(
    ctx,
    title,
    (signal, progress) =>
      exportBackup(
        backup.root,
        folder.fsPath,
        { accounts: picked.map((p) => p.id), ...(window ? { window } : {}) },
        { signal, progress },
      ),
    (r) => ({ summary: exportSummary(r), report: exportReportMarkdown(r, zone) }),
  );
  if (!report) {
    void vscode.window.showInformationMessage(`Export cancelled: ${folder.fsPath} holds a partial export; remove it.`);
    return;
  }
  await ctx.documents.show(`reports/export-${Date.now()}.md`, exportReportMarkdown(report, zone), {
    language: 'markdown',
  });
}

export async function purge(ctx: Ctx): Promise<void> {
  const backup = ctx.requireBackup();
  const zone = ctx.config.timeZone;
  if (!vscode.workspace.isTrusted)
    throw new UserError('Purge writes into the backup path: trust this workspace first. Nothing was changed.');
  const days = await vscode.window.showInputBox({
    title: 'Purge: retention in days',
    value: DEFAULT_PURGE_DAYS,
    prompt:
      'Items deleted longer ago than this are removed, with the BLOBs only they referenced. 0 = infinite retention.',
    ignoreFocusOut: true,
    validateInput: purgeDaysProblem,
  });
  if (days === undefined) return;
  const purgeDays = Number(days.trim());
  if (purgeDays === 0) {
    void vscode.window.showInformationMessage('Retention 0 is infinite retention: nothing is ever purged.');
    return;
  }
  // One instant for the preview and the removal: what is shown is exactly what goes.
  const now = Date.now();
  const describe = (r: PurgeResult) => ({
    summary: purgeSummary(r),
    report: purgeMarkdown(r, zone),
    interrupted: r.interrupted,
  });
  const preview = await asOperation(
    ctx,
    'Purge preview',
    (signal, progress) => runPurge(backup.root, { purgeDays, now, zone, apply: false, signal, progress }),
    describe,
  );
  if (!preview || preview.interrupted) return;
  if (preview.plan.entries.length === 0 && preview.resumed.length === 0) {
    void vscode.window.showInformationMessage(`Nothing is past the ${purgeDays}-day retention.`);
    return;
  }
  await ctx.documents.show(`reports/purge-preview-${now}.md`, purgeMarkdown(preview, zone), { language: 'markdown' });
  const ok = await vscode.window.showWarningMessage(purgeConfirmation(preview), { modal: true }, 'Purge');
  if (ok !== 'Purge') return;
  const title = `Purge (${purgeDays} days)`;
  const result = await asOperation(
    ctx,
    title,
    (signal, progress) => runPurge(backup.root, { purgeDays, now, zone, apply: true, signal, progress }),
    describe,
  );
  if (!result) return;
  ctx.accounts?.forget();
  await ctx.documents.show(`reports/purge-${now}.md`, purgeMarkdown(result, zone), { language: 'markdown' });
}
