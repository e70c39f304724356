/**
 * Read-only virtual documents the extension generates (a transaction's state, a check
 * report). A TextDocumentContentProvider makes them read-only by construction: nothing
 * the user types can end up in a file, let alone in the backup path.
 */
import * as vscode from 'vscode';

export const VIEW_SCHEME = 'zxbackup-view';
const MAX_DOCUMENTS = 50;

export class ReadonlyDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration: vscode.Disposable;

  constructor() {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(VIEW_SCHEME, this);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.path) ?? '(this document is no longer available: run the command again)';
  }

  /**
   * Opens (or refreshes) `name` with the content; `name` ends with the extension that picks the language.
   * `rendered`: a Markdown document opens in VS Code's Markdown preview instead of as text (the
   * text stays one "Open Preview to the Side → Show Source" away).
   */
  async show(
    name: string,
    content: string,
    opts: { language?: string; preview?: boolean; rendered?: boolean } = {},
  ): Promise<vscode.TextEditor | undefined> {
    const path = `/${name.replace(/^\/+/, '')}`;
    this.contents.delete(path);
    this.contents.set(path, content);
    while (this.contents.size > MAX_DOCUMENTS) this.contents.delete(this.contents.keys().next().value as string);
    const uri = vscode.Uri.from({ scheme: VIEW_SCHEME, path });
    this.changed.fire(uri);
    let doc = await vscode.workspace.openTextDocument(uri);
    if (opts.language && doc.languageId !== opts.language)
      doc = await vscode.languages.setTextDocumentLanguage(doc, opts.language);
    if (opts.rendered) {
      try {
        await vscode.commands.executeCommand('markdown.showPreview', uri);
        return undefined;
      } catch {
        // No Markdown preview in this VS Code (the built-in extension disabled): show the text.
      }
    }
    return vscode.window.showTextDocument(doc, { preview: opts.preview ?? true });
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
