/**
 * The Item History webview: one row per transaction, changed fields highlighted.
 * The page is built with @vscode-elements/elements (bundled to dist/webview/history.js),
 * runs under a strict CSP with a nonce, and talks through the typed, validated
 * messages of src/shared/webviewProtocol.ts. A serializer brings panels back after a
 * window reload; the page's own state (selection, filter) survives via setState.
 */
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { analyzeItemBytes, classifyRelPath, FolderChain, type ItemHistory } from './engine';
import { readFileCapped } from './engine';
import {
  HISTORY_VIEW_TYPE,
  parseViewState,
  parseWebviewMessage,
  type HostToWebview,
  type WebviewToHost,
} from '../shared/webviewProtocol';
import { showBlob } from './blobDocument';
import type { Ctx } from './ctx';
import {
  historyPayload,
  transactionFolderPaths,
  transactionStateText,
  type TransactionFolderPaths,
} from './model/historyRows';

const panels = new Map<string, HistoryPanel>();

/** Reads an item file once: the analysed history and its text (for line numbers). */
export async function readItem(abs: string, relPath: string): Promise<{ history: ItemHistory; text?: string }> {
  const read = await readFileCapped(abs, relPath);
  const kind = classifyRelPath(relPath);
  const opts = kind.kind === 'item' ? { fileItemId: kind.itemId } : {};
  if (!read.ok)
    return { history: { path: relPath, transactions: [], findings: [read.finding], parsed: false, ...opts } };
  return { history: analyzeItemBytes(read.bytes, relPath, opts), text: read.bytes.toString('utf8') };
}

export class HistoryPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private history: ItemHistory | undefined;
  private lastText: string | undefined;
  private folderPaths: TransactionFolderPaths | undefined;

  static show(ctx: Ctx, relPath: string): void {
    const existing = panels.get(relPath);
    if (existing) return existing.panel.reveal();
    const panel = vscode.window.createWebviewPanel(
      HISTORY_VIEW_TYPE,
      title(relPath),
      vscode.ViewColumn.Beside,
      HistoryPanel.options(ctx),
    );
    new HistoryPanel(ctx, panel, relPath);
  }

  /** Every open panel reads its item file again (a scan wrote into the backup path). */
  static rereadAll(): void {
    for (const p of panels.values()) void p.render(true);
  }

  static options(ctx: Ctx): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      // Only the bundled page script may be loaded; no other extension or workspace file.
      localResourceRoots: [vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'webview')],
      enableFindWidget: true,
    };
  }

  static registerSerializer(ctx: Ctx): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(HISTORY_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
        const s = parseViewState(state);
        if (!s.itemPath || !ctx.backup) {
          panel.webview.html =
            '<!DOCTYPE html><p>This item history cannot be restored: open the backup path and run "Show Item History" again.</p>';
          return;
        }
        panel.webview.options = HistoryPanel.options(ctx);
        new HistoryPanel(ctx, panel, s.itemPath);
      },
    });
  }

  private constructor(
    private readonly ctx: Ctx,
    readonly panel: vscode.WebviewPanel,
    private readonly relPath: string,
  ) {
    panels.set(relPath, this);
    panel.webview.html = this.html();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(parseWebviewMessage(m))),
      ctx.onDidChangePointInTime(() => void this.render(false)),
      vscode.workspace.onDidChangeConfiguration(
        (e) => e.affectsConfiguration('zxbackup.timeZone') && void this.render(false),
      ),
    );
  }

  private post(message: HostToWebview): void {
    void this.panel.webview.postMessage(message);
  }

  private async render(reread: boolean): Promise<void> {
    const backup = this.ctx.backup;
    if (!backup) return this.post({ type: 'error', message: 'No backup path is open.' });
    try {
      let text: string | undefined;
      if (reread || !this.history) {
        const read = await readItem(backup.abs(this.relPath), this.relPath);
        this.history = read.history;
        text = read.text;
        this.lastText = text;
        this.folderPaths = await this.readFolderPaths(read.history);
      } else text = this.lastText;
      const payload = historyPayload(this.history, {
        zone: this.ctx.config.timeZone,
        at: this.ctx.pointInTime,
        ...(text !== undefined ? { text } : {}),
        ...(this.folderPaths ? { folderPaths: this.folderPaths } : {}),
      });
      this.panel.title = title(this.relPath, payload.title);
      this.post({ type: 'history', payload });
    } catch (err) {
      this.post({
        type: 'error',
        message: `Cannot read ${this.relPath}: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  }

  /** Each transaction's folder as a path at its start; on failure the ids stay (logged). */
  private async readFolderPaths(history: ItemHistory): Promise<TransactionFolderPaths | undefined> {
    const backup = this.ctx.backup;
    const kind = classifyRelPath(this.relPath);
    if (!backup || kind.kind !== 'item') return undefined;
    try {
      return await transactionFolderPaths(history, new FolderChain(backup, kind.accountId));
    } catch (err) {
      this.ctx.log.warn(`folder paths for ${this.relPath}: ${String(err)}`);
      return undefined;
    }
  }

  private async onMessage(m: WebviewToHost | undefined): Promise<void> {
    if (!m) return;
    const backup = this.ctx.backup;
    switch (m.type) {
      case 'ready':
        return this.render(true);
      case 'showState':
        return showItemState(this.ctx, this.relPath, m.index);
      case 'showBlob':
        if (backup) await showBlob(backup.root, m.digest);
        return;
      case 'openAt':
        if (!backup) return;
        await vscode.window.showTextDocument(vscode.Uri.file(backup.abs(this.relPath)), {
          selection: new vscode.Range(m.line, 0, m.line, 0),
          viewColumn: vscode.ViewColumn.One,
        });
        return;
    }
  }

  private html(): string {
    const webview = this.panel.webview;
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(
      vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'dist', 'webview', 'history.js'),
    );
    // Lit adopts constructable stylesheets (not subject to style-src); the page's own <style> carries the nonce.
    const csp = [
      `default-src 'none'`,
      `img-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
      `style-src ${webview.cspSource} 'nonce-${nonce}'`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${nonce}">
  body { padding: 0 12px; }
  /* Outer rules beat the cells' :host rules: fields wrap instead of being cut off. */
  vscode-table-cell { white-space: normal; overflow: visible; height: auto; vertical-align: top; padding: 4px 6px; }
  .changed { background: var(--vscode-diffEditor-insertedTextBackground, rgba(155, 185, 85, 0.2)); font-weight: 600; }
  .current { outline: 1px solid var(--vscode-focusBorder); }
  .deleted { color: var(--vscode-errorForeground); }
  .muted { color: var(--vscode-descriptionForeground); }
  .toolbar { display: flex; gap: 12px; align-items: center; margin: 8px 0; }
  .field { display: inline-block; margin: 0 10px 2px 0; font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); white-space: pre-wrap; word-break: break-all; }
  .key { color: var(--vscode-symbolIcon-propertyForeground, inherit); }
  .action { display: block; color: var(--vscode-textLink-foreground); text-decoration: none; }
  .action:hover, .action:focus { color: var(--vscode-textLink-activeForeground); text-decoration: underline; }
  .finding-error { color: var(--vscode-errorForeground); }
  .finding-warning { color: var(--vscode-editorWarning-foreground); }
</style>
<title>Item History</title>
</head>
<body>
<div id="app"><p class="muted">Loading…</p></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }

  dispose(): void {
    if (panels.get(this.relPath) === this) panels.delete(this.relPath);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

function title(relPath: string, itemTitle?: string): string {
  const name = itemTitle ?? relPath.split('/').pop() ?? relPath;
  return `History: ${name.length > 40 ? `${name.slice(0, 39)}…` : name}`;
}

/** `zxbackup.showItemState`: a transaction's state as a read-only JSON document. */
export async function showItemState(ctx: Ctx, relPath: string, index: number): Promise<void> {
  const backup = ctx.requireBackup();
  const { history } = await readItem(backup.abs(relPath), relPath);
  const text = transactionStateText(history, index, ctx.config.timeZone);
  if (text === undefined) {
    void vscode.window.showWarningMessage(`${relPath} has no transaction ${index + 1}.`);
    return;
  }
  await ctx.documents.show(`${relPath}.transaction-${index + 1}.json`, text, { language: 'jsonc' });
}
