/**
 * The Backup view: servers and map files, domains → accounts → folders (names at the
 * chosen time) → items, "Deleted items" per account, and the BLOB store. Children are
 * read on expand, long lists are bucketed and paged (model/treeModel.ts), refreshes
 * name the node that changed, and nothing is recomputed while the view is hidden.
 */
import * as vscode from 'vscode';
import {
  BLOBS_DIR,
  blobRelPath,
  formatZxsuite,
  isValidDigest,
  listServerArchives,
  type AccountSummary,
  type BackupPath,
  type FolderAtTime,
  type ItemAtTime,
} from './engine';
import { FOLDER_LIKE_TYPES, listDir, type Catalogue, type CatalogueSkippedFile } from './engine';
import { CatalogueService } from './catalogueService';
import { RefreshQueue } from './model/refreshQueue';
import type { Ctx } from './ctx';
import { pointInTimeSpec } from './model/pointInTime';
import {
  DEFAULT_LIMITS,
  PagingState,
  accountTopLevel,
  accountView,
  folderView,
  entryPage,
  groupAccountsByDomain,
  idKeyLabel,
  itemKeyLabel,
  itemView,
  moreView,
  nodeId,
  rangeView,
  sliceChildren,
  type ListName,
  type NodeRef,
  type NodeView,
  type Slot,
  unreadableFileView,
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
  /** Catalogue lists hold ids: their entries' items are fetched per page, before `entry` runs. */
  prefetch?: (slots: readonly Slot<unknown>[]) => void;
}

export const BACKUP_VIEW_ID = 'zxbackup.backup';
/** How long expanding a not-yet-indexed account waits for its first indexing before showing a placeholder. */
const FIRST_INDEX_WAIT_MS = 1500;

export class BackupTreeProvider implements vscode.TreeDataProvider<BackupNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<BackupNode | BackupNode[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** Every refresh goes through here: merged, and never while children are still being fetched. */
  private readonly queue = new RefreshQueue<BackupNode>((nodes) => this.changed.fire(nodes));
  private readonly nodes = new Map<string, BackupNode>();
  private readonly lists = new Map<string, OwnedList>();
  private readonly paging = new PagingState(DEFAULT_LIMITS);
  private readonly blobNames = new Map<string, string[]>();
  /** Per account, the item files the catalogue could not read (listed under "Unreadable item files"). */
  private readonly unreadable = new Map<string, CatalogueSkippedFile[]>();
  private visible = false;
  /** Refreshes asked for while hidden; fired when the view shows again. */
  private pending = new Set<BackupNode | undefined>();
  private readonly view: vscode.TreeView<BackupNode>;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly catalogue: CatalogueService;
  /** Accounts whose nodes came from the catalogue (refreshed on a point-in-time change like loaded ones). */
  private readonly fromCatalogue = new Set<string>();

  constructor(private readonly ctx: Ctx) {
    this.catalogue = new CatalogueService(ctx, (zimbraId) => this.accountChanged(zimbraId));
    this.view = vscode.window.createTreeView(BACKUP_VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    this.visible = this.view.visible;
    this.disposables.push(
      this.catalogue,
      this.view,
      this.queue,
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
    if (this.visible) this.queue.request(node);
    else if (node === undefined) this.pending = new Set([undefined]);
    else if (!this.pending.has(undefined)) this.pending.add(node);
  }

  private flush(): void {
    const p = [...this.pending];
    this.pending.clear();
    if (p.includes(undefined)) this.queue.request(undefined);
    else for (const n of p) this.queue.request(n);
  }

  /** "Refresh": everything is read again from disk. */
  refreshAll(): void {
    this.reset();
  }

  private reset(): void {
    this.fromCatalogue.clear();
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
    for (const zimbraId of new Set([...(this.ctx.accounts?.loadedIds() ?? []), ...this.fromCatalogue])) {
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
    const item = new vscode.TreeItem(
      v.label,
      v.collapsible ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
    );
    item.id = v.id;
    if (v.description !== undefined) item.description = v.description;
    if (v.tooltip !== undefined) item.tooltip = v.tooltip;
    item.contextValue = v.contextValue;
    if (v.icon)
      item.iconPath = new vscode.ThemeIcon(v.icon, v.iconColor ? new vscode.ThemeColor(v.iconColor) : undefined);
    const backup = this.ctx.backup;
    if (node.ref.kind === 'more') {
      item.command = { command: 'zxbackup.tree.loadMore', title: 'Load more', arguments: [node] };
    } else if (node.ref.kind === 'archive' && backup) {
      item.command = { command: 'zxbackup.tree.showArchive', title: 'Show Archive Contents', arguments: [node] };
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
    const end = this.queue.begin();
    try {
      return await this.children(backup, node);
    } catch (err) {
      this.ctx.log.error(`Backup view: ${err instanceof Error ? err.message : String(err)}`);
      const owner = node?.view.id ?? 'root';
      return [
        this.node(
          { kind: 'message', owner, text: String(err) },
          {
            id: `${owner}#message`,
            label: `Cannot read: ${err instanceof Error ? err.message : String(err)}`,
            collapsible: false,
            contextValue: 'zxbackup.message',
            icon: 'warning',
          },
          node,
        ),
      ];
    } finally {
      end();
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
        return this.sliced(
          node,
          'accounts',
          accounts,
          (a, p) => this.accountNode(a, p),
          (a) => a.name,
        );
      }
      case 'account':
        return this.accountChildren(ref.zimbraId, node);
      case 'folder':
        return this.folderChildren(ref.zimbraId, ref.folderId, node);
      case 'deleted':
      case 'unplaced': {
        const cat = await this.readyCatalogue(ref.zimbraId);
        if (cat) {
          const when = pointInTimeSpec(this.ctx.pointInTime);
          const list = ref.kind === 'deleted' ? cat.deletedAt(ref.zimbraId, when) : cat.unplacedAt(ref.zimbraId, when);
          return this.sliced(node, 'items', list, (it, p) => this.itemNode(ref.zimbraId, it, p), itemKeyLabel);
        }
        const snap = await this.snapshot(ref.zimbraId);
        return this.sliced(
          node,
          'items',
          ref.kind === 'deleted' ? snap.deleted : snap.unplaced,
          (it, p) => this.itemNode(ref.zimbraId, it, p),
          itemKeyLabel,
        );
      }
      case 'range': {
        const list = this.lists.get(`${ref.owner}#${ref.list}`);
        if (!list) return [];
        return this.slice(node, ref.owner, ref.list, list, { from: ref.from, to: ref.to });
      }
      case 'unreadable': {
        const files = this.unreadable.get(ref.zimbraId) ?? [];
        const owner = node.view.id;
        return this.sliced(
          node,
          'items',
          files,
          (f, p) => this.node({ kind: 'message', owner, text: f.path }, unreadableFileView(owner, f), p),
          (f) => f.path.slice(f.path.lastIndexOf('/') + 1),
        );
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
    out.push(
      this.node(
        { kind: 'servers' },
        {
          id: 'servers',
          label: 'Servers and map files',
          description: `${maps.length} map file${maps.length === 1 ? '' : 's'}`,
          collapsible: true,
          contextValue: 'zxbackup.servers',
          icon: 'server',
        },
        undefined,
      ),
    );
    for (const [domain, list] of groupAccountsByDomain(accounts)) {
      out.push(
        this.node(
          { kind: 'domain', domain },
          {
            id: nodeId({ kind: 'domain', domain }),
            label: domain || '(no domain)',
            description: `${list.length} account${list.length === 1 ? '' : 's'}`,
            collapsible: true,
            contextValue: 'zxbackup.domain',
            icon: 'globe',
          },
          undefined,
        ),
      );
    }
    out.push(
      this.node(
        { kind: 'blobStore' },
        {
          id: 'blobs',
          label: 'BLOB store',
          description: `${BLOBS_DIR}/`,
          collapsible: true,
          contextValue: 'zxbackup.blobStore',
          icon: 'database',
        },
        undefined,
      ),
    );
    return out;
  }

  private async serverChildren(backup: BackupPath, parent: BackupNode): Promise<BackupNode[]> {
    const zone = this.ctx.config.timeZone;
    const [maps, archives] = await Promise.all([backup.mapFiles(), listServerArchives(backup.root, zone)]);
    const out: BackupNode[] = [];
    for (const m of maps) {
      const desc = [
        m.map?.sourceServerId ? `from ${m.map.sourceServerId}` : '',
        `${m.map?.accounts.length ?? 0} accounts`,
        m.findings.length ? `${m.findings.length} finding(s)` : '',
      ]
        .filter((s) => s)
        .join(' · ');
      out.push(
        this.node(
          { kind: 'map', serverId: m.serverId, path: m.path },
          {
            id: nodeId({ kind: 'map', serverId: m.serverId, path: m.path }),
            label: m.path,
            description: desc,
            collapsible: false,
            contextValue: 'zxbackup.map',
            icon: 'references',
            path: m.path,
          },
          parent,
        ),
      );
    }
    for (const a of archives.archives) {
      const desc = [
        a.date !== undefined ? formatZxsuite(a.date, zone) : a.kind,
        `${a.size.toLocaleString('en-US')} bytes`,
      ].join(' · ');
      out.push(
        this.node(
          { kind: 'archive', path: a.path },
          {
            id: nodeId({ kind: 'archive', path: a.path }),
            label: a.path,
            description: desc,
            collapsible: false,
            contextValue: 'zxbackup.archive',
            icon: 'archive',
          },
          parent,
        ),
      );
    }
    return out;
  }

  private accountNode(a: AccountSummary, parent: BackupNode): BackupNode {
    return this.node({ kind: 'account', zimbraId: a.zimbraId }, accountView(a, this.ctx.config.timeZone), parent);
  }

  private itemNode(zimbraId: string, it: ItemAtTime, parent: BackupNode): BackupNode {
    const view = itemView(zimbraId, it, this.ctx.config.timeZone);
    return this.node({ kind: 'item', zimbraId, itemId: it.id, path: it.path }, view, parent);
  }

  private folderNode(zimbraId: string, f: FolderAtTime, parent: BackupNode, itemCount?: number): BackupNode {
    return this.node({ kind: 'folder', zimbraId, folderId: f.id }, folderView(zimbraId, f, itemCount), parent);
  }

  /**
   * The catalogue if it can answer for this account now. If the account is not indexed
   * yet, indexing starts in the background and `indexing` says so; an indexed account is
   * caught up in the background once per session. Undefined: read item files as before
   * (catalogue unavailable, indexing failed or cancelled, or the account is in memory already).
   */
  private async catalogueState(zimbraId: string): Promise<{ cat: Catalogue } | { indexing: true } | undefined> {
    const access = this.catalogue.access;
    if (!access || this.ctx.accounts?.isLoaded(zimbraId) || access.failedReason(zimbraId) !== undefined)
      return undefined;
    const cat = await access.open();
    if (!cat) {
      this.logUnavailableOnce(access.unavailableReason);
      return undefined;
    }
    const label = (await this.ctx.backup?.accounts())?.find((a) => a.zimbraId === zimbraId)?.name ?? zimbraId;
    if (cat.isIndexed(zimbraId)) {
      this.catalogue.ensureIndexed(zimbraId, label, false);
      this.fromCatalogue.add(zimbraId);
      return { cat };
    }
    this.catalogue.ensureIndexed(zimbraId, label, true);
    if (!access.isIndexing(zimbraId)) return undefined;
    // A small account indexes in well under a second: wait that long rather than flash a placeholder.
    const done = await Promise.race([
      access.index(zimbraId).then(
        () => true,
        () => false,
      ),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), FIRST_INDEX_WAIT_MS)),
    ]);
    if (done && cat.isIndexed(zimbraId)) {
      this.fromCatalogue.add(zimbraId);
      return { cat };
    }
    return access.isIndexing(zimbraId) ? { indexing: true } : undefined;
  }

  private async readyCatalogue(zimbraId: string): Promise<Catalogue | undefined> {
    const s = await this.catalogueState(zimbraId);
    return s && 'cat' in s ? s.cat : undefined;
  }

  private unavailableLogged = false;
  private logUnavailableOnce(reason: string | undefined): void {
    if (this.unavailableLogged) return;
    this.unavailableLogged = true;
    this.ctx.log.info(`item catalogue unavailable, reading item files instead: ${reason ?? 'unknown reason'}`);
  }

  /** Indexing of an account ended (or rows changed): its subtree is read again. */
  private accountChanged(zimbraId: string): void {
    this.paging.reset(`folder/${zimbraId}/`);
    const node = this.nodes.get(nodeId({ kind: 'account', zimbraId }));
    if (node) this.refresh(node);
  }

  private async catalogueAccountChildren(cat: Catalogue, zimbraId: string, node: BackupNode): Promise<BackupNode[]> {
    const access = this.catalogue.access!;
    const when = pointInTimeSpec(this.ctx.pointInTime);
    const tree = access.folders(cat, zimbraId, this.ctx.pointInTime);
    const top = accountTopLevel(tree);
    const items = top.hiddenIds.flatMap((id) => cat.itemsInFolderAt(zimbraId, id, when)).sort((a, b) => a.id - b.id);
    const unplaced = cat.unplacedAt(zimbraId, when).length;
    const deleted = cat.countDeletedAt(zimbraId, when);
    const unreadable = cat.skippedFiles(zimbraId);
    const out = [
      ...this.sliced(
        node,
        'folders',
        top.folders,
        (f, p) => this.folderNode(zimbraId, f, p, tree.counts.get(f.id) ?? 0),
        (f) => f.name,
      ),
      ...this.sliced(node, 'items', items, (it, p) => this.itemNode(zimbraId, it, p), itemKeyLabel),
    ];
    if (unplaced > 0) {
      out.push(
        this.node(
          { kind: 'unplaced', zimbraId },
          {
            id: nodeId({ kind: 'unplaced', zimbraId }),
            label: 'Items without a folder',
            description: `${unplaced} (folder missing at that time)`,
            collapsible: true,
            contextValue: 'zxbackup.unplaced',
            icon: 'question',
          },
          node,
        ),
      );
    }
    out.push(
      this.node(
        { kind: 'deleted', zimbraId },
        {
          id: nodeId({ kind: 'deleted', zimbraId }),
          label: 'Deleted items',
          description: `${deleted}`,
          collapsible: deleted > 0,
          contextValue: 'zxbackup.deleted',
          icon: 'trash',
        },
        node,
      ),
    );
    if (unreadable.length > 0) {
      const ref = { kind: 'unreadable', zimbraId } as const;
      this.unreadable.set(zimbraId, unreadable);
      out.push(
        this.node(
          ref,
          {
            id: nodeId(ref),
            label: 'Unreadable item files',
            description: `${unreadable.length} (not shown in any folder)`,
            tooltip:
              'Item files that cannot be read as items: invalid JSON, not UTF-8, unreadable. Open one to see why.',
            collapsible: true,
            contextValue: 'zxbackup.unreadable',
            icon: 'error',
          },
          node,
        ),
      );
    }
    return out;
  }

  private catalogueFolderChildren(cat: Catalogue, zimbraId: string, folderId: number, node: BackupNode): BackupNode[] {
    const when = pointInTimeSpec(this.ctx.pointInTime);
    const tree = this.catalogue.access!.folders(cat, zimbraId, this.ctx.pointInTime);
    const f = tree.folders.get(folderId);
    if (!f) return [];
    // Only the ids: ranges need nothing more, and a page's items come in one keyset query.
    const ids = cat.idsInFolderAt(zimbraId, folderId, when);
    const fetched = new Map<number, ItemAtTime>();
    const owned: OwnedList = {
      all: ids,
      entry: (id, p) => {
        const it = fetched.get(id as number);
        return it
          ? this.itemNode(zimbraId, it, p)
          : this.node(
              { kind: 'message', owner: `${p.view.id}/${String(id)}`, text: 'gone' },
              {
                id: `${p.view.id}/${String(id)}#message`,
                label: `#${String(id)} (changed on disk: refresh)`,
                collapsible: false,
                contextValue: 'zxbackup.message',
                icon: 'warning',
              },
              p,
            );
      },
      keyLabel: (id) => idKeyLabel(id as number),
      prefetch: (slots) => {
        for (const it of entryPage(slots, ids, (after, limit) =>
          cat.itemsInFolderAt(zimbraId, folderId, when, after === undefined ? { limit } : { after, limit }),
        ))
          fetched.set(it.id, it);
      },
    };
    this.lists.set(`${node.view.id}#items`, owned);
    return [
      ...this.sliced(
        node,
        'folders',
        f.children,
        (c, p) => this.folderNode(zimbraId, c, p, tree.counts.get(c.id) ?? 0),
        (c) => c.name,
      ),
      ...this.slice(node, node.view.id, 'items', owned, { from: 0, to: ids.length }),
    ];
  }

  private snapshot(zimbraId: string) {
    const cache = this.ctx.accounts;
    if (!cache) throw new Error('no backup path is open');
    return this.withViewProgress(() => cache.snapshot(zimbraId, this.ctx.pointInTime));
  }

  private async accountChildren(zimbraId: string, node: BackupNode): Promise<BackupNode[]> {
    const state = await this.catalogueState(zimbraId);
    if (state && 'cat' in state) return this.catalogueAccountChildren(state.cat, zimbraId, node);
    if (state) {
      const owner = node.view.id;
      return [
        this.node(
          { kind: 'message', owner, text: 'indexing' },
          {
            id: `${owner}#message`,
            label: 'Indexing the item files for the first time…',
            description: 'the folders appear when it ends',
            collapsible: false,
            contextValue: 'zxbackup.message',
            icon: 'loading~spin',
          },
          node,
        ),
      ];
    }
    const snap = await this.snapshot(zimbraId);
    const top = accountTopLevel(snap);
    const out = [
      ...this.sliced(
        node,
        'folders',
        top.folders,
        (f, p) => this.folderNode(zimbraId, f, p),
        (f) => f.name,
      ),
      ...this.sliced(node, 'items', top.items, (it, p) => this.itemNode(zimbraId, it, p), itemKeyLabel),
    ];
    if (snap.unplaced.length > 0) {
      out.push(
        this.node(
          { kind: 'unplaced', zimbraId },
          {
            id: nodeId({ kind: 'unplaced', zimbraId }),
            label: 'Items without a folder',
            description: `${snap.unplaced.length} (folder missing at that time)`,
            collapsible: true,
            contextValue: 'zxbackup.unplaced',
            icon: 'question',
          },
          node,
        ),
      );
    }
    out.push(
      this.node(
        { kind: 'deleted', zimbraId },
        {
          id: nodeId({ kind: 'deleted', zimbraId }),
          label: 'Deleted items',
          description: `${snap.deleted.length}`,
          collapsible: snap.deleted.length > 0,
          contextValue: 'zxbackup.deleted',
          icon: 'trash',
        },
        node,
      ),
    );
    return out;
  }

  private async folderChildren(zimbraId: string, folderId: number, node: BackupNode): Promise<BackupNode[]> {
    const cat = await this.readyCatalogue(zimbraId);
    if (cat) return this.catalogueFolderChildren(cat, zimbraId, folderId, node);
    const snap = await this.snapshot(zimbraId);
    const f = snap.folders.get(folderId);
    if (!f) return [];
    return [
      ...this.sliced(
        node,
        'folders',
        f.children,
        (c, p) => this.folderNode(zimbraId, c, p),
        (c) => c.name,
      ),
      ...this.sliced(node, 'items', f.items, (it, p) => this.itemNode(zimbraId, it, p), itemKeyLabel),
    ];
  }

  private async blobPrefixes(backup: BackupPath, node: BackupNode): Promise<BackupNode[]> {
    const listing = await listDir(backup.abs(BLOBS_DIR), BLOBS_DIR);
    if (!listing.ok) return listing.missing ? [] : Promise.reject(new Error(listing.finding.message));
    const prefixes = listing.entries.filter((e) => e.isDirectory()).map((e) => e.name);
    return this.sliced(
      node,
      'prefixes',
      prefixes,
      (prefix, p) =>
        this.node(
          { kind: 'blobPrefix', prefix },
          {
            id: nodeId({ kind: 'blobPrefix', prefix }),
            label: prefix,
            collapsible: true,
            contextValue: 'zxbackup.blobPrefix',
            icon: 'folder',
          },
          p,
        ),
      (s) => s,
    );
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
    return this.sliced(
      node,
      'blobs',
      names,
      (digest, p) => {
        const valid = isValidDigest(digest);
        const path = blobRelPath(digest) ?? `${BLOBS_DIR}/${prefix}/${digest}`;
        return this.node(
          { kind: 'blob', digest, path },
          {
            id: nodeId({ kind: 'blob', digest, path }),
            label: digest,
            collapsible: false,
            contextValue: valid ? 'zxbackup.blob' : 'zxbackup.blob.badName',
            icon: valid ? 'file-binary' : 'warning',
            ...(valid ? {} : { description: 'not a valid digest' }),
          },
          p,
        );
      },
      (s) => s.slice(0, 6),
    );
  }

  /** Registers the list under its owner and returns the first slice (ranges or a page). */
  private sliced<T>(
    owner: BackupNode,
    list: ListName,
    all: readonly T[],
    entry: (value: T, parent: BackupNode) => BackupNode,
    keyLabel: (value: T) => string,
  ): BackupNode[] {
    const owned: OwnedList = { all, entry: entry as OwnedList['entry'], keyLabel: keyLabel as OwnedList['keyLabel'] };
    this.lists.set(`${owner.view.id}#${list}`, owned);
    return this.slice(owner, owner.view.id, list, owned, { from: 0, to: all.length });
  }

  private slice(
    parent: BackupNode,
    ownerId: string,
    list: ListName,
    owned: OwnedList,
    span: { from: number; to: number },
  ): BackupNode[] {
    const shown = this.paging.shownFor(ownerId, list, span.from);
    const slots = sliceChildren(owned.all, span, shown, DEFAULT_LIMITS);
    owned.prefetch?.(slots);
    return slots.map((s) => {
      if (s.type === 'entry') return owned.entry(s.value, parent);
      if (s.type === 'range')
        return this.node(
          { kind: 'range', owner: ownerId, list, from: s.from, to: s.to },
          rangeView(ownerId, list, s, owned.keyLabel),
          parent,
        );
      return this.node(
        { kind: 'more', owner: ownerId, list, from: s.from, shown: s.shown, remaining: s.remaining },
        moreView(ownerId, list, s, DEFAULT_LIMITS.pageSize),
        parent,
      );
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
  /**
   * Where an item is shown at the point in time: the folder holding it (a live item of an
   * existing folder), else Deleted or Unplaced. One catalogue query when the account's rows
   * are there, else the account's snapshot.
   */
  private async placeOf(
    zimbraId: string,
    itemId: number,
  ): Promise<{ holder?: FolderAtTime; folders: ReadonlyMap<number, FolderAtTime>; deleted: boolean }> {
    const cat = await this.readyCatalogue(zimbraId);
    if (cat) {
      const folders = this.catalogue.access!.folders(cat, zimbraId, this.ctx.pointInTime).folders;
      const it = cat.itemById(zimbraId, itemId, pointInTimeSpec(this.ctx.pointInTime));
      const holder =
        it && it.status === 'live' && !FOLDER_LIKE_TYPES.has(it.type ?? -1) && it.folderId !== undefined
          ? folders.get(it.folderId)
          : undefined;
      return { ...(holder ? { holder } : {}), folders, deleted: it?.status === 'deleted' };
    }
    const snap = await this.snapshot(zimbraId);
    const holder = [...snap.folders.values()].find((f) => f.items.some((it) => it.id === itemId));
    return {
      ...(holder ? { holder } : {}),
      folders: snap.folders,
      deleted: snap.deleted.some((it) => it.id === itemId),
    };
  }

  async revealItem(zimbraId: string, itemId: number): Promise<boolean> {
    const backup = this.ctx.backup;
    if (!backup) return false;
    const account = (await backup.accounts()).find((a) => a.zimbraId === zimbraId);
    const place = await this.placeOf(zimbraId, itemId);
    const roots = await this.getChildren();
    const domainNode = roots.find((n) => n.ref.kind === 'domain' && n.ref.domain === (account?.domain ?? ''));
    if (!domainNode) return false;
    // The folder ids from the account down to the item's folder, or the special node holding it.
    const chain: string[] = [];
    for (let f = place.holder; f; f = f.parentId !== undefined ? place.folders.get(f.parentId) : undefined) {
      chain.unshift(nodeId({ kind: 'folder', zimbraId, folderId: f.id }));
      if (chain.length > 256) break;
    }
    if (!place.holder)
      chain.push(place.deleted ? nodeId({ kind: 'deleted', zimbraId }) : nodeId({ kind: 'unplaced', zimbraId }));
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
      const next =
        children.find((c) => wanted.has(c.view.id) && c.view.id !== current.view.id) ??
        children.find((c) => this.rangeHolds(c, itemId));
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
    // Catalogue lists hold ids, in-memory lists hold items.
    const idAt = (i: number): number | undefined => {
      const v = list?.all[i] as ItemAtTime | number | undefined;
      return typeof v === 'number' ? v : v?.id;
    };
    const first = idAt(ref.from);
    const last = idAt(ref.to - 1);
    return first !== undefined && last !== undefined && first <= itemId && itemId <= last;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
