/**
 * Marks, in the Backup view (and the Explorer), the items whose message body the last
 * check found lost: a missing BLOB, or one that is corrupted, truncated, empty or not
 * gzip. A file decoration follows the item's resource URI wherever it is shown.
 */
import * as vscode from 'vscode';
import type { Ctx, LastCheck } from './ctx';
import { lostBodyFindings } from './model/findingsModel';

export class LostBodyDecorations implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri[] | undefined>();
  readonly onDidChangeFileDecorations = this.changed.event;
  private lost = new Map<string, string>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: Ctx) {
    this.disposables.push(
      this.changed,
      vscode.window.registerFileDecorationProvider(this),
      ctx.onDidChangeLastCheck((c) => this.setCheck(c)),
    );
    this.setCheck(ctx.lastCheck);
  }

  private setCheck(check: LastCheck | undefined): void {
    const before = [...this.lost.keys()];
    this.lost = new Map();
    if (check) {
      const root = check.root.replace(/[\\/]+$/, '');
      for (const f of lostBodyFindings(check.result.findings))
        this.lost.set(vscode.Uri.file(`${root}/${f.path}`).toString(), f.message);
    }
    const uris = [...new Set([...before, ...this.lost.keys()])].map((u) => vscode.Uri.parse(u));
    this.changed.fire(uris.length > 0 ? uris : undefined);
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    const why = this.lost.get(uri.toString());
    if (why === undefined) return undefined;
    const d = new vscode.FileDecoration('✗', why, new vscode.ThemeColor('list.errorForeground'));
    d.propagate = false;
    return d;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
