/**
 * The Findings view: the last coherency check grouped by code and by account. A click
 * opens the file at the finding's range. Long groups are bucketed and paged like the
 * Backup view.
 */
import * as vscode from 'vscode';
import { classifyRelPath, formatZxsuite, isValidDigest, type Finding } from './engine';
import { showBlob } from './blobDocument';
import type { Ctx, LastCheck } from './ctx';
import { cappedNote } from './model/checkReport';
import {
  findingLocation,
  groupFindings,
  groupLostBodies,
  severityIcon,
  type FindingGroup,
  type FindingsGroups,
} from './model/findingsModel';
import { DEFAULT_LIMITS, PagingState, sliceChildren } from './model/treeModel';

export const FINDINGS_VIEW_ID = 'zxbackup.findings';

export type FindingsNode =
  | { kind: 'grouping'; id: string; label: string; groups: FindingGroup[] }
  | { kind: 'group'; id: string; group: FindingGroup; parent: FindingsNode }
  | { kind: 'range'; id: string; group: FindingGroup; from: number; to: number; parent: FindingsNode }
  | { kind: 'more'; id: string; group: FindingGroup; from: number; remaining: number; parent: FindingsNode }
  | { kind: 'finding'; id: string; finding: Finding; parent: FindingsNode };

export class FindingsTreeProvider implements vscode.TreeDataProvider<FindingsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<FindingsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private groups: FindingsGroups | undefined;
  private check: LastCheck | undefined;
  private roots: FindingsNode[] = [];
  private readonly nodes = new Map<string, FindingsNode>();
  private paging = new PagingState(DEFAULT_LIMITS);
  private readonly view: vscode.TreeView<FindingsNode>;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: Ctx) {
    this.view = vscode.window.createTreeView(FINDINGS_VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.view,
      this.changed,
      ctx.onDidChangeLastCheck((c) => this.setCheck(c)),
    );
    this.setCheck(ctx.lastCheck);
  }

  private setCheck(check: LastCheck | undefined): void {
    this.check = check;
    this.nodes.clear();
    this.paging = new PagingState(DEFAULT_LIMITS);
    if (!check) {
      this.groups = undefined;
      this.roots = [];
      // The welcome content in package.json (viewsWelcome) explains it and offers the command.
      this.view.message = '';
      this.view.description = '';
    } else {
      void this.accountNames().then((names) => {
        if (this.check !== check) return;
        const s = check.result.summary;
        this.groups = groupFindings(check.result.findings, names);
        // True counts next to what is listed: a code past the cap is counted in full (as the CLI prints it).
        for (const g of this.groups.byCode) {
          const capped = cappedNote(check.result, g.label);
          if (capped) g.description = `${capped} · ${g.description}`;
        }
        const lost = groupLostBodies(check.result.findings, names);
        for (const g of lost) {
          const id = g.key.slice('lost/'.length);
          const total = s.lostBodies?.byAccount[id];
          if (total !== undefined && total > g.findings.length)
            g.description = `${total} items lost their body (${g.findings.length} listed)`;
        }
        this.roots = [
          ...(lost.length > 0
            ? [{ kind: 'grouping', id: 'lost-bodies', label: 'Lost message bodies', groups: lost } as const]
            : []),
          { kind: 'grouping', id: 'by-code', label: 'By code', groups: this.groups.byCode },
          { kind: 'grouping', id: 'by-account', label: 'By account', groups: this.groups.byAccount },
        ];
        const total = s.bySeverity.error + s.bySeverity.warning + s.bySeverity.info;
        const partial = s.interrupted ? 'PARTIAL (cancelled) · ' : '';
        this.view.message = s.interrupted
          ? `Partial results: ${check.title} was cancelled; only what it checked before the stop is listed.`
          : total === 0
            ? `${check.title}: no findings.`
            : '';
        const ran = check.restored
          ? ` · ran ${formatZxsuite(check.finishedAt, this.ctx.config.timeZone)} (earlier window)`
          : '';
        this.view.description = `${partial}${total.toLocaleString('en-US')} · ${check.title}${ran}`;
        this.changed.fire(undefined);
        this.shown = { check, at: Date.now() };
      });
      return;
    }
    this.changed.fire(undefined);
  }

  /** The check the view lists and when its groups were built (the end of a UI check, for the integration tests). */
  shown: { check: LastCheck; at: number } | undefined;

  /** The view's description ("PARTIAL (cancelled) · 1,234 · Coherency check…"), for the integration tests. */
  get description(): string {
    return this.view.description ?? '';
  }

  private async accountNames(): Promise<Map<string, string>> {
    const backup = this.ctx.backup;
    if (!backup) return new Map();
    try {
      return new Map((await backup.accounts()).map((a) => [a.zimbraId, a.name]));
    } catch {
      return new Map();
    }
  }

  getTreeItem(node: FindingsNode): vscode.TreeItem {
    const None = vscode.TreeItemCollapsibleState.None;
    const Collapsed = vscode.TreeItemCollapsibleState.Collapsed;
    let item: vscode.TreeItem;
    switch (node.kind) {
      case 'grouping':
        item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
        item.description =
          node.id === 'lost-bodies'
            ? `${this.check?.result.summary.lostBodies?.items ?? 0} items · ${node.groups.length} account${node.groups.length === 1 ? '' : 's'}`
            : `${node.groups.length} group${node.groups.length === 1 ? '' : 's'}`;
        if (node.id === 'lost-bodies') item.iconPath = new vscode.ThemeIcon('error');
        break;
      case 'group':
        item = new vscode.TreeItem(node.group.label, Collapsed);
        item.description = node.group.description;
        item.iconPath = new vscode.ThemeIcon(severityIcon(node.group.severity));
        break;
      case 'range': {
        const a = node.group.findings[node.from]!;
        const b = node.group.findings[node.to - 1]!;
        item = new vscode.TreeItem(`${a.path} – ${b.path}`, Collapsed);
        item.description = `${node.to - node.from} findings`;
        break;
      }
      case 'more':
        item = new vscode.TreeItem('Load more…', None);
        item.description = `${node.remaining} remaining`;
        item.command = { command: 'zxbackup.findings.loadMore', title: 'Load more', arguments: [node] };
        break;
      case 'finding': {
        const f = node.finding;
        item = new vscode.TreeItem(f.message, None);
        item.description = `${f.code} · ${findingLocation(f)}`;
        item.tooltip = new vscode.MarkdownString()
          .appendMarkdown(`**${f.severity}** \`${f.code}\`\n\n`)
          .appendText(`${f.message}\n\n${f.remedy}\n\n${findingLocation(f)}`);
        item.iconPath = new vscode.ThemeIcon(severityIcon(f.severity));
        item.contextValue = 'zxbackup.finding';
        const root = this.check?.root;
        if (root && f.path) item.command = { command: 'zxbackup.openFinding', title: 'Open', arguments: [root, f] };
        break;
      }
    }
    item.id = node.id;
    return item;
  }

  getParent(node: FindingsNode): FindingsNode | undefined {
    return node.kind === 'grouping' ? undefined : node.parent;
  }

  getChildren(node?: FindingsNode): FindingsNode[] {
    if (!node) return this.roots;
    if (node.kind === 'grouping')
      return node.groups.map((group) =>
        this.keep({ kind: 'group', id: `${node.id}/${group.key}`, group, parent: node }),
      );
    if (node.kind === 'group') return this.slice(node, node.group, 0, node.group.findings.length);
    if (node.kind === 'range') return this.slice(node, node.group, node.from, node.to);
    return [];
  }

  private slice(parent: FindingsNode, group: FindingGroup, from: number, to: number): FindingsNode[] {
    const shown = this.paging.shownFor(parent.id, 'items', from);
    return sliceChildren(group.findings, { from, to }, shown).map((s, i) => {
      if (s.type === 'entry')
        return this.keep({ kind: 'finding', id: `${parent.id}/${from + i}`, finding: s.value, parent });
      if (s.type === 'range')
        return this.keep({
          kind: 'range',
          id: `${parent.id}[${s.from},${s.to})`,
          group,
          from: s.from,
          to: s.to,
          parent,
        });
      return this.keep({
        kind: 'more',
        id: `${parent.id}@${s.from}+more`,
        group,
        from: s.from,
        remaining: s.remaining,
        parent,
      });
    });
  }

  private keep<N extends FindingsNode>(n: N): N {
    this.nodes.set(n.id, n);
    return n;
  }

  loadMore(node: FindingsNode): void {
    if (node.kind !== 'more') return;
    this.paging.loadMore(node.parent.id, 'items', node.from);
    this.changed.fire(node.parent);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** Opens a finding's file at its range (ranges are zero-based, like VS Code's); a BLOB as its readable document, an archive in the explorer. */
export async function openFinding(root: string, f: Finding): Promise<void> {
  const uri = vscode.Uri.file(`${root.replace(/[\\/]+$/, '')}/${f.path}`);
  const kind = classifyRelPath(f.path);
  if (kind.kind === 'blob' && isValidDigest(kind.digest)) return showBlob(root, kind.digest);
  if (kind.kind === 'server-archive') return void (await vscode.commands.executeCommand('revealInExplorer', uri));
  if (!(await isFile(uri))) {
    // Opening a file that is not there offers "Create File" inside the customer's backup: show where it belongs instead.
    let parent = vscode.Uri.joinPath(uri, '..');
    while (parent.path.length > root.length && !(await exists(parent))) parent = vscode.Uri.joinPath(parent, '..');
    await vscode.commands.executeCommand('revealInExplorer', parent);
    void vscode.window.showInformationMessage(`${f.path} does not exist: ${f.message}`);
    return;
  }
  const r = f.range;
  const selection = r ? new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character) : undefined;
  await vscode.window.showTextDocument(uri, selection ? { selection, preview: true } : { preview: true });
}

async function isFile(uri: vscode.Uri): Promise<boolean> {
  try {
    return ((await vscode.workspace.fs.stat(uri)).type & vscode.FileType.File) !== 0;
  } catch {
    return false;
  }
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
