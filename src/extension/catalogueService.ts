/**
 * Runs catalogue indexing for the Backup view in the background, with VS Code's
 * progress UI: the first indexing of an account as a cancellable notification (it
 * reads every item file once), the catch-up of an already indexed account (stats
 * every file, reads only the changed ones) in the status bar. When rows changed, the
 * view is told which account to refresh.
 */
import * as vscode from 'vscode';
import type { Ctx } from './ctx';
import type { CatalogueAccess } from './model/accountCache';

export class CatalogueService implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly cancels = new Set<vscode.CancellationTokenSource>();
  /** The catalogue of the backup path shown last, closed when another one opens. */
  private lastAccess: CatalogueAccess | undefined;

  constructor(
    private readonly ctx: Ctx,
    private readonly onAccountChanged: (zimbraId: string) => void,
  ) {
    this.disposables.push(ctx.onDidChangeBackup(() => this.closePrevious()));
  }

  /** The catalogue access of the open backup path, or undefined when none is open. */
  get access(): CatalogueAccess | undefined {
    const a = this.ctx.accounts?.catalogue;
    if (a !== this.lastAccess) {
      this.closePrevious();
      this.lastAccess = a;
    }
    return a;
  }

  /**
   * Starts indexing `zimbraId` unless it is running or was done in this session.
   * `firstTime`: nothing to show until it ends, so the user sees (and may cancel) it.
   */
  ensureIndexed(zimbraId: string, label: string, firstTime: boolean): void {
    const access = this.access;
    if (
      !access ||
      access.isIndexing(zimbraId) ||
      access.isFresh(zimbraId) ||
      access.failedReason(zimbraId) !== undefined
    )
      return;
    const location = firstTime ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window;
    const title = firstTime
      ? `Indexing ${label} (first time; later opens are instant)`
      : `Catching up the index of ${label}`;
    void vscode.window.withProgress({ location, title, cancellable: firstTime }, async (progress, token) => {
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      const source = new vscode.CancellationTokenSource();
      source.token.onCancellationRequested(() => abort.abort());
      this.cancels.add(source);
      try {
        const r = await access.index(zimbraId, {
          signal: abort.signal,
          progress: (e) => progress.report({ message: `${e.done.toLocaleString('en-US')} item files` }),
        });
        this.ctx.log.info(
          `catalogue ${label}: ${r.files} files, ${r.updated} read, ${r.removed} removed, ${r.skipped} unreadable, ${Math.round(r.durationMs)} ms`,
        );
        if (firstTime || r.updated > 0 || r.removed > 0) this.onAccountChanged(zimbraId);
      } catch (err) {
        const cancelled = err instanceof Error && err.name === 'AbortError';
        this.ctx.log.warn(
          `catalogue ${label}: ${cancelled ? 'indexing cancelled' : `indexing failed, reading item files instead: ${err instanceof Error ? err.message : String(err)}`}`,
        );
        // Cancelled or failed: the view falls back to reading item files for this session.
        if (cancelled) access.decline(zimbraId, 'indexing cancelled');
        this.onAccountChanged(zimbraId);
      } finally {
        sub.dispose();
        this.cancels.delete(source);
        source.dispose();
      }
    });
  }

  private closePrevious(): void {
    for (const c of this.cancels) c.cancel();
    this.lastAccess?.close();
    this.lastAccess = undefined;
  }

  dispose(): void {
    this.closePrevious();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
