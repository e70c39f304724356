/** The Operations view: running and finished checks with progress, cancel and "Show report". */
import * as vscode from 'vscode';
import type { Ctx } from './ctx';
import { operationDescription, operationIcon, type Operation } from './model/operations';

export const OPERATIONS_VIEW_ID = 'zxbackup.operations';

export class OperationsTreeProvider implements vscode.TreeDataProvider<Operation>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Operation | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<Operation>;
  private readonly disposables: vscode.Disposable[] = [];
  private ticker: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: Ctx) {
    this.view = vscode.window.createTreeView(OPERATIONS_VIEW_ID, { treeDataProvider: this });
    this.disposables.push(
      this.view,
      this.changed,
      ctx.operations.onChange((op) => this.onChange(op)),
    );
    this.view.message = 'No operation yet.';
  }

  private onChange(op: Operation | undefined): void {
    this.view.message = this.ctx.operations.list().length ? '' : 'No operation yet.';
    // Same object, same id: a progress update repaints one row only.
    this.changed.fire(op);
    this.tick();
  }

  /** Elapsed time of running operations is refreshed once a second, only while one runs and the view is visible. */
  private tick(): void {
    const running = this.ctx.operations.list().some((o) => o.state === 'running');
    if (running && !this.ticker) {
      this.ticker = setInterval(() => {
        if (!this.ctx.operations.list().some((o) => o.state === 'running')) {
          clearInterval(this.ticker);
          this.ticker = undefined;
        } else if (this.view.visible)
          for (const o of this.ctx.operations.list()) if (o.state === 'running') this.changed.fire(o);
      }, 1000);
    }
  }

  getTreeItem(op: Operation): vscode.TreeItem {
    const item = new vscode.TreeItem(op.title, vscode.TreeItemCollapsibleState.None);
    item.id = op.id;
    item.description = operationDescription(op);
    item.iconPath = new vscode.ThemeIcon(operationIcon(op));
    item.contextValue =
      op.state === 'running'
        ? 'zxbackup.operation.running'
        : op.report !== undefined
          ? 'zxbackup.operation.withReport'
          : 'zxbackup.operation';
    item.tooltip = [op.title, op.summary, op.message].filter((s) => s).join('\n');
    if (op.report !== undefined)
      item.command = { command: 'zxbackup.operations.showReport', title: 'Show report', arguments: [op] };
    return item;
  }

  getChildren(op?: Operation): Operation[] {
    return op ? [] : this.ctx.operations.list();
  }

  getParent(): undefined {
    return undefined;
  }

  dispose(): void {
    if (this.ticker) clearInterval(this.ticker);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
