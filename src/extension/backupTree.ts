/**
 * The Backup view: servers and map files, domains → accounts → folders (names at the
 * chosen time) → items, "Deleted items" per account, and the BLOB store. Children are
 * read on expand, long lists are bucketed and paged (model/treeModel.ts), refreshes
 * name the node that changed, and nothing is recomputed while the view is hidden.
 */
import * as vscode from 'vscode';
import { BLOBS_DIR, blobRelPath, formatZxsuite, isValidDigest, listServerArchives, type AccountSummary, type BackupPath, type FolderAtTime, type ItemAtTime } from './engine';
import { listDir } from './engine';
import type { Ctx } from './ctx';
import {
  DEFAULT_LIMITS,
  PagingState,
  accountTopLevel,
  accountView,
  folderView,
  groupAccountsByDomain,
  itemKeyLabel,
  itemView,
  moreView,
  nodeId,
  rangeView,
  sliceChildren,
  type ListName,
  type NodeRef,
  type NodeView,
} from './model/treeModel';

export interface BackupNode {
  ref: NodeRef;
  view: NodeView;
  parent: BackupNode | undefined;
}

/** A registered sibling list: what range and "Load more…" nodes slice. */
interface OwnedList {
  all: readonly unknown[];
  entry: (value: unknown, parent: BackupNode) => BackupNode;
  keyLabel: (value: unknown) => string;
}

export const BACKUP_VIEW_ID = 'zxbackup.backup';

export class BackupTreeProvider implements vscode.TreeDataProvider<BackupNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<BackupNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly nodes = new Map<string, BackupNode>();
  private readonly lists = new Map<string, OwnedList>();
  private readonly paging = new PagingState(DEFAULT_LIMITS);
  private readonly blobNames = new Map<string, string[]>();
  private visible = false;
  /** Refreshes asked for while hidden; fired when the view shows again. */
  private pending = new Set<BackupNode | undefined>();
  private readonly view: vscode.TreeView<BackupNode>;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: Ctx) {
    this.view = vscode.window.createTreeView(BACKUP_VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    this.visible = this.view.visible;
    this.disposables.push(
      this.view,
      this.changed,
      this.view.onDidChangeVisibility((e) => {
        this.visible = e.visible;
        if (e.visible) this.flush();
      }),
      ctx.onDidChangePointInTime(() => this.pointInTimeChanged()),
      ctx.onDidChangeBackup(() => this.reset()),
      // Dates in descriptions (deleted accounts, archives) follow the zone.
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('zxbackup.timeZone')) return;
        this.updateDescription();
        this.refresh(undefined);
      }),
    );
    this.updateDescription();
  }

  get treeView(): vscode.TreeView<BackupNode> {
    return this.view;
  }

  private refresh(node: BackupNode | undefined): void {
    if (this.visible) this.changed.fire(node);
    else if (node === undefined) this.pending = new Set([undefined]);
    else if (!this.pending.has(undefined)) this.pending.add(node);
  }

  private flush(): void {
    const p = [...this.pending];
    this.pending.clear();
    if (p.includes(undefined)) this.changed.fire(undefined);
    else for (const n of p) this.changed.fire(n);
  }

  /** "Refresh": everything is read again from disk. */
  refreshAll(): void {
    this.reset();
  }

  private reset(): void {
    this.nodes.clear();
    this.lists.clear();
    this.blobNames.clear();
    this.paging.reset('');
    this.refresh(undefined);
  }

  private updateDescription(): void {
    const at = this.ctx.pointInTime;
    this.view.description = at === null ? 'latest state' : `at ${formatZxsuite(at, this.ctx.config.timeZone)}`;
  }

  /** Folder names and item placement change with the time: refresh loaded accounts only. */
  private pointInTimeChanged(): void {
    this.updateDescription();
    for (const zimbraId of this.ctx.accounts?.loadedIds() ?? []) {
      const accountNode = this.nodes.get(nodeId({ kind: 'account', zimbraId }));
      this.paging.reset(`folder/${zimbraId}/`);
      if (accountNode) this.refresh(accountNode);
    }
  }

  /** Reuses the node object for an id: VS Code matches refreshes and reveals by object. */
  private node(ref: NodeRef, view: NodeView, parent: BackupNode | undefined): BackupNode {
    const existing = this.nodes.get(view.id);
    if (existing) {
      existing.ref = ref;
      existing.view = view;
      existing.parent = parent;
      return existing;
    }
    const n: BackupNode = { ref, view, parent };
    this.nodes.set(view.id, n);
    return n;
  }

  getTreeItem(node: BackupNode): vscode.TreeItem {
    const v = node.view;
    const item = new vscode.TreeItem(v.label, v.collapsible ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = v.id;
    if (v.description !== undefined) item.description = v.description;
    if (v.tooltip !== undefined) item.tooltip = v.tooltip;
    item.contextValue = v.contextValue;
    if (v.icon) item.iconPath = new vscode.ThemeIcon(v.icon);
    const backup = this.ctx.backup;
    if (node.ref.kind === 'more') {
      item.command = { command: 'zxbackup.tree.loadMore', title: 'Load more', arguments: [node] };
    } else if (node.ref.kind === 'blob' && backup) {
      item.command = { command: 'zxbackup.showBlob', title: 'Show BLOB', arguments: [node] };
    } else if (v.path !== undefined && backup) {
      const uri = vscode.Uri.file(backup.abs(v.path));
      item.resourceUri = uri;
      item.command = { command: 'vscode.open', title: 'Open', arguments: [uri, { preview: true }] };
    }
    return item;
  }

  getParent(node: BackupNode): BackupNode | undefined {
    return node.parent;
  }

  async getChildren(node?: BackupNode): Promise<BackupNode[]> {
    const backup = this.ctx.backup;
    if (!backup) return [];
    try {
      return await this.children(backup, node);
    } catch (err) {
      this.ctx.log.error(`Backup view: ${err instanceof Error ? err.message : String(err)}`);
      const owner = node?.view.id ?? 'root';
      return [this.node({ kind: 'message', owner, text: String(err) }, { id: `${owner}#message`, label: `Cannot read: ${err instanceof Error ? err.message : String(err)}`, collapsible: false, contextValue: 'zxbackup.message', icon: 'warning' }, node)];
    }
  }

  private async children(backup: BackupPath, node: BackupNode | undefined): Promise<BackupNode[]> {
    if (!node) return this.rootChildren(backup);
    const ref = node.ref;
    switch (ref.kind) {
      case 'servers':
        return this.serverChildren(backup, node);
      case 'domain': {
        const accounts = groupAccountsByDomain(await backup.accounts()).get(ref.domain) ?? [];
        return this.sliced(node, 'accounts', accounts, (a, p) => this.accountNode(a, p), (a) => a.name);
      }
      case 'account':
        return this.accountChildren(ref.zimbraId, node);
      case 'folder':
        return this.folderChildren(ref.zimbraId, ref.folderId, node);
      case 'deleted':
      case 'unplaced': {
        const snap = await this.snapshot(ref.zimbraId);
        return this.sliced(node, 'items', ref.kind === 'deleted' ? snap.deleted : snap.unplaced, (it, p) => this.itemNode(ref.zimbraId, it, p), itemKeyLabel);
      }
      case 'range': {
        const list = this.lists.get(`${ref.owner}#${ref.list}`);
        if (!list) return [];
        return this.slice(node, ref.owner, ref.list, list, { from: ref.from, to: ref.to });
      }
      case 'blobStore':
        return this.blobPrefixes(backup, node);
      case 'blobPrefix':
        return this.blobs(backup, ref.prefix, node);
      default:
        return [];
    }
  }

  private async rootChildren(backup: BackupPath): Promise<BackupNode[]> {
    const out: BackupNode[] = [];
    const [maps, accounts] = await Promise.all([backup.mapFiles(), this.withViewProgress(() => backup.accounts())]);
    out.push(this.node({ kind: 'servers' }, { id: 'servers', label: 'Servers and map files', description: `${maps.length} map file${maps.length === 1 ? '' : 's'}`, collapsible: true, contextValue: 'zxbackup.servers', icon: 'server' }, undefined));
    for (const [domain, list] of groupAccountsByDomain(accounts)) {
      out.push(
        this.node(
          { kind: 'domain', domain },
          { id: nodeId({ kind: 'domain', domain }), label: domain || '(no domain)', description: `${list.length} account${list.length === 1 ? '' : 's'}`, collapsible: true, contextValue: 'zxbackup.domain', icon: 'globe' },
          undefined,
        ),
      );
    }
    out.push(this.node({ kind: 'blobStore' }, { id: 'blobs', label: 'BLOB store', description: `${BLOBS_DIR}/`, collapsible: true, contextValue: 'zxbackup.blobStore', icon: 'database' }, undefined));
    return out;
  }

  private async serverChildren(backup: BackupPath, parent: BackupNode): Promise<BackupNode[]> {
    const zone = this.ctx.config.timeZone;
    const [maps, archives] = await Promise.all([backup.mapFiles(), listServerArchives(backup.root, zone)]);
    const out: BackupNode[] = [];
    for (const m of maps) {
      const desc = [m.map?.sourceServerId ? `from ${m.map.sourceServerId}` : '', `${m.map?.accounts.length ?? 0} accounts`, m.findings.length ? `${m.findings.length} finding(s)` : ''].filter((s) => s).join(' · ');
      out.push(this.node({ kind: 'map', serverId: m.serverId, path: m.path }, { id: nodeId({ kind: 'map', serverId: m.serverId, path: m.path }), label: m.path, description: desc, collapsible: false, contextValue: 'zxbackup.map', icon: 'references', path: m.path }, parent));
    }
    for (const a of archives.archives) {
      const desc = [a.date !== undefined ? formatZxsuite(a.date, zone) : a.kind, `${a.size.toLocaleString('en-US')} bytes`].join(' · ');
      out.push(this.node({ kind: 'archive', path: a.path }, { id: nodeId({ kind: 'archive', path: a.path }), label: a.path, description: desc, collapsible: false, contextValue: 'zxbackup.archive', icon: 'archive' }, parent));
    }
    return out;
  }

  private accountNode(a: AccountSummary, parent: BackupNode): BackupNode {
    return this.node({ kind: 'account', zimbraId: a.zimbraId }, accountView(a, this.ctx.config.timeZone), parent);
  }

  private itemNode(zimbraId: string, it: ItemAtTime, parent: BackupNode): BackupNode {
    const view = itemView(zimbraId, it);
    return this.node({ kind: 'item', zimbraId, itemId: it.id, path: it.path }, view, parent);
  }

  private folderNode(zimbraId: string, f: FolderAtTime, parent: BackupNode): BackupNode {
    return this.node({ kind: 'folder', zimbraId, folderId: f.id }, folderView(zimbraId, f), parent);
  }

  private snapshot(zimbraId: string) {
    const cache = this.ctx.accounts;
    if (!cache) throw new Error('no backup path is open');
    return this.withViewProgress(() => cache.snapshot(zimbraId, this.ctx.pointInTime));
  }

  private async accountChildren(zimbraId: string, node: BackupNode): Promise<BackupNode[]> {
    const snap = await this.snapshot(zimbraId);
    const top = accountTopLevel(snap);
    const out = [
      ...this.sliced(node, 'folders', top.folders, (f, p) => this.folderNode(zimbraId, f, p), (f) => f.name),
      ...this.sliced(node, 'items', top.items, (it, p) => this.itemNode(zimbraId, it, p), itemKeyLabel),
    ];
    if (snap.unplaced.length > 0) {
      out.push(this.node({ kind: 'unplaced', zimbraId }, { id: nodeId({ kind: 'unplaced', zimbraId }), label: 'Items without a folder', description: `${snap.unplaced.length} (folder missing at that time)`, collapsible: true, contextValue: 'zxbackup.unplaced', icon: 'question' }, node));
    }
    out.push(this.node({ kind: 'deleted', zimbraId }, { id: nodeId({ kind: 'deleted', zimbraId }), label: 'Deleted items', description: `${snap.deleted.length}`, collapsible: snap.deleted.length > 0, contextValue: 'zxbackup.deleted', icon: 'trash' }, node));
    return out;
  }

  private async folderChildren(zimbraId: string, folderId: number, node: BackupNode): Promise<BackupNode[]> {
    const snap = await this.snapshot(zimbraId);
    const f = snap.folders.get(folderId);
    if (!f) return [];
    return [
      ...this.sliced(node, 'folders', f.children, (c, p) => this.folderNode(zimbraId, c, p), (c) => c.name),
      ...this.sliced(node, 'items', f.items, (it, p) => this.itemNode(zimbraId, it, p), itemKeyLabel),
    ];
  }

  private async blobPrefixes(backup: BackupPath, node: BackupNode): Promise<BackupNode[]> {
    const listing = await listDir(backup.abs(BLOBS_DIR), BLOBS_DIR);
    if (!listing.ok) return listing.missing ? [] : Promise.reject(new Error(listing.finding.message));
    const prefixes = listing.entries.filter((e) => e.isDirectory()).map((e) => e.name);
    return this.sliced(node, 'prefixes', prefixes, (prefix, p) => this.node({ kind: 'blobPrefix', prefix }, { id: nodeId({ kind: 'blobPrefix', prefix }), label: prefix, collapsible: true, contextValue: 'zxbackup.blobPrefix', icon: 'folder' }, p), (s) => s);
  }

  private async blobs(backup: BackupPath, prefix: string, node: BackupNode): Promise<BackupNode[]> {
    let names = this.blobNames.get(prefix);
    if (!names) {
      const rel = `${BLOBS_DIR}/${prefix}`;
      const listing = await listDir(backup.abs(rel), rel);
      if (!listing.ok) throw new Error(listing.finding.message);
      names = listing.entries.filter((e) => e.isFile()).map((e) => e.name);
      this.blobNames.set(prefix, names);
    }
    return this.sliced(node, 'blobs', names, (digest, p) => {
      const valid = isValidDigest(digest);
      const path = blobRelPath(digest) ?? `${BLOBS_DIR}/${prefix}/${digest}`;
      return this.node({ kind: 'blob', digest, path }, { id: nodeId({ kind: 'blob', digest, path }), label: digest, collapsible: false, contextValue: valid ? 'zxbackup.blob' : 'zxbackup.blob.badName', icon: valid ? 'file-binary' : 'warning', ...(valid ? {} : { description: 'not a valid digest' }) }, p);
    }, (s) => s.slice(0, 6));
  }

  /** Registers the list under its owner and returns the first slice (ranges or a page). */
  private sliced<T>(owner: BackupNode, list: ListName, all: readonly T[], entry: (value: T, parent: BackupNode) => BackupNode, keyLabel: (value: T) => string): BackupNode[] {
    const owned: OwnedList = { all, entry: entry as OwnedList['entry'], keyLabel: keyLabel as OwnedList['keyLabel'] };
    this.lists.set(`${owner.view.id}#${list}`, owned);
    return this.slice(owner, owner.view.id, list, owned, { from: 0, to: all.length });
  }

  private slice(parent: BackupNode, ownerId: string, list: ListName, owned: OwnedList, span: { from: number; to: number }): BackupNode[] {
    const shown = this.paging.shownFor(ownerId, list, span.from);
    return sliceChildren(owned.all, span, shown, DEFAULT_LIMITS).map((s) => {
      if (s.type === 'entry') return owned.entry(s.value, parent);
      if (s.type === 'range') return this.node({ kind: 'range', owner: ownerId, list, from: s.from, to: s.to }, rangeView(ownerId, list, s, owned.keyLabel), parent);
      return this.node({ kind: 'more', owner: ownerId, list, from: s.from, shown: s.shown, remaining: s.remaining }, moreView(ownerId, list, s, DEFAULT_LIMITS.pageSize), parent);
    });
  }

  /** "Load more…": one more page in the list that node ends, and a refresh of that list's parent only. */
  loadMore(node: BackupNode): void {
    if (node.ref.kind !== 'more') return;
    this.paging.loadMore(node.ref.owner, node.ref.list, node.ref.from);
    this.nodes.delete(node.view.id);
    this.refresh(node.parent);
  }

  /** A long read (an account's item files) shows the view's progress bar. */
  private withViewProgress<T>(task: () => Promise<T>): Promise<T> {
    return Promise.resolve(vscode.window.withProgress({ location: { viewId: BACKUP_VIEW_ID } }, () => task()));
  }

  /**
   * Reveals an item (Search Items): walks from its domain down the folder chain it has
   * at the chosen time, into the range holding it, widening paging where needed.
   */
  async revealItem(zimbraId: string, itemId: number): Promise<boolean> {
    const backup = this.ctx.backup;
    if (!backup) return false;
    const account = (await backup.accounts()).find((a) => a.zimbraId === zimbraId);
    const snap = await this.snapshot(zimbraId);
    const roots = await this.getChildren();
    const domainNode = roots.find((n) => n.ref.kind === 'domain' && n.ref.domain === (account?.domain ?? ''));
    if (!domainNode) return false;
    // The folder ids from the account down to the item's folder, or the special node holding it.
    const holder = [...snap.folders.values()].find((f) => f.items.some((it) => it.id === itemId));
    const chain: string[] = [];
    for (let f = holder; f; f = f.parentId !== undefined ? snap.folders.get(f.parentId) : undefined) {
      chain.unshift(nodeId({ kind: 'folder', zimbraId, folderId: f.id }));
      if (chain.length > 256) break;
    }
    if (!holder) chain.push(snap.deleted.some((it) => it.id === itemId) ? nodeId({ kind: 'deleted', zimbraId }) : nodeId({ kind: 'unplaced', zimbraId }));
    const wanted = new Set([nodeId({ kind: 'account', zimbraId }), ...chain]);
    const target = nodeId({ kind: 'item', zimbraId, itemId, path: '' });
    let current = domainNode;
    for (let guard = 0; guard < 300; guard++) {
      const children = await this.getChildren(current);
      const hit = children.find((c) => c.view.id === target);
      if (hit) {
        await this.view.reveal(hit, { select: true, focus: true, expand: false });
        return true;
      }
      const next = children.find((c) => wanted.has(c.view.id) && c.view.id !== current.view.id) ?? children.find((c) => this.rangeHolds(c, itemId));
      if (next) {
        wanted.delete(next.view.id);
        current = next;
        continue;
      }
      const more = children.find((c) => c.ref.kind === 'more');
      if (!more || more.ref.kind !== 'more') return false;
      this.paging.loadMore(more.ref.owner, more.ref.list, more.ref.from);
      this.refresh(current);
    }
    return false;
  }

  /** Whether a range node of items spans `itemId` (item lists are sorted by id). */
  private rangeHolds(node: BackupNode, itemId: number): boolean {
    const ref = node.ref;
    if (ref.kind !== 'range' || ref.list !== 'items') return false;
    const list = this.lists.get(`${ref.owner}#items`);
    const first = list?.all[ref.from] as ItemAtTime | undefined;
    const last = list?.all[ref.to - 1] as ItemAtTime | undefined;
    return first !== undefined && last !== undefined && first.id <= itemId && itemId <= last.id;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
