/**
 * Item histories of the few accounts the user is looking at, and their snapshot at
 * the chosen time. Reading an account is the one slow step (one file per item), so it
 * is shared by the Backup view, Search Items and Item History, deduplicated while in
 * flight, and bounded: only the most recently used accounts stay in memory.
 */
import {
  buildSnapshot,
  openCatalogue,
  type AccountSnapshot,
  type BackupPath,
  type Catalogue,
  type CatalogueFolders,
  type CatalogueOptions,
  type Finding,
  type IndexResult,
  type ItemHistory,
  type ProgressSink,
} from '../engine';
import { pointInTimeSpec, type PointInTime } from './pointInTime';

export interface LoadedAccount {
  zimbraId: string;
  items: ItemHistory[];
  findings: Finding[];
  byId: Map<number, ItemHistory>;
}

export interface AccountCacheLimits {
  /** Never more accounts than this in memory. */
  maxAccounts: number;
  /** Nor more items in total (the most recent account always stays, however big). */
  maxItems: number;
}

export class AccountCache {
  private readonly loaded = new Map<string, Promise<LoadedAccount>>();
  private readonly itemCounts = new Map<string, number>();
  private readonly snapshots = new Map<string, { at: PointInTime; snapshot: AccountSnapshot }>();
  private readonly limits: AccountCacheLimits;

  /** The persistent item catalogue of the same backup path (opened on first use). */
  readonly catalogue: CatalogueAccess;

  constructor(
    private readonly backup: BackupPath,
    limits: Partial<AccountCacheLimits> = {},
    catalogueOptions: CatalogueOptions = {},
  ) {
    this.limits = { maxAccounts: 16, maxItems: 300_000, ...limits };
    this.catalogue = new CatalogueAccess(backup, catalogueOptions);
  }

  isLoaded(zimbraId: string): boolean {
    return this.loaded.has(zimbraId);
  }

  loadedIds(): string[] {
    return [...this.loaded.keys()];
  }

  /** Reads every item file of the account once; later calls share the result. A cancelled read is not cached. */
  load(zimbraId: string, opts: { signal?: AbortSignal; progress?: ProgressSink } = {}): Promise<LoadedAccount> {
    const hit = this.loaded.get(zimbraId);
    if (hit) {
      // Most recently used goes last.
      this.loaded.delete(zimbraId);
      this.loaded.set(zimbraId, hit);
      return hit;
    }
    const p = this.backup.readAllItems(zimbraId, opts).then(({ items, findings }) => {
      const byId = new Map<number, ItemHistory>();
      for (const h of items) if (h.fileItemId !== undefined) byId.set(h.fileItemId, h);
      if (this.loaded.get(zimbraId) === p) this.itemCounts.set(zimbraId, items.length);
      this.evict();
      return { zimbraId, items, findings, byId };
    });
    this.loaded.set(zimbraId, p);
    p.catch(() => {
      if (this.loaded.get(zimbraId) === p) this.forget(zimbraId);
    });
    this.evict();
    return p;
  }

  /** Drops least recently used accounts beyond the limits; small accounts cost little, so many fit. */
  private evict(): void {
    let total = [...this.itemCounts.values()].reduce((a, b) => a + b, 0);
    for (const oldest of [...this.loaded.keys()]) {
      if (this.loaded.size <= 1 || (this.loaded.size <= this.limits.maxAccounts && total <= this.limits.maxItems))
        break;
      total -= this.itemCounts.get(oldest) ?? 0;
      this.forget(oldest);
    }
  }

  /** The account at a point in time; rebuilt only when the time changed. */
  async snapshot(
    zimbraId: string,
    at: PointInTime,
    opts: { signal?: AbortSignal; progress?: ProgressSink } = {},
  ): Promise<AccountSnapshot> {
    const account = await this.load(zimbraId, opts);
    const cached = this.snapshots.get(zimbraId);
    if (cached && cached.at === at) return cached.snapshot;
    const snapshot = buildSnapshot(account.items, pointInTimeSpec(at));
    this.snapshots.set(zimbraId, { at, snapshot });
    return snapshot;
  }

  /** Synchronous peek for getParent/reveal: the snapshot if it is already built for that time. */
  peekSnapshot(zimbraId: string, at: PointInTime): AccountSnapshot | undefined {
    const c = this.snapshots.get(zimbraId);
    return c && c.at === at ? c.snapshot : undefined;
  }

  /** After files changed on disk. */
  forget(zimbraId?: string): void {
    this.catalogue.forget(zimbraId);
    if (zimbraId === undefined) {
      this.loaded.clear();
      this.itemCounts.clear();
      this.snapshots.clear();
    } else {
      this.loaded.delete(zimbraId);
      this.itemCounts.delete(zimbraId);
      this.snapshots.delete(zimbraId);
    }
  }
}

/**
 * The catalogue as the views use it: opened once, and if it cannot open (no SQLite driver
 * in this host, an unwritable cache folder) remembered as unavailable so
 * every caller falls back to reading item files. Indexing is deduplicated per account;
 * the folder tree at a time is kept until the time or the rows change.
 */
export class CatalogueAccess {
  private opening: Promise<Catalogue | undefined> | undefined;
  private opened: Catalogue | undefined;
  private failure: string | undefined;
  private readonly indexing = new Map<string, Promise<IndexResult>>();
  /** Accounts indexed (or caught up) during this session: the rows match the files as of then. */
  private readonly fresh = new Set<string>();
  private readonly failed = new Map<string, string>();
  private readonly folderTrees = new Map<string, { at: PointInTime; folders: CatalogueFolders }>();

  constructor(
    private readonly backup: BackupPath,
    private readonly options: CatalogueOptions = {},
  ) {}

  /** The catalogue, or undefined when it cannot be used here (see unavailableReason). */
  open(): Promise<Catalogue | undefined> {
    this.opening ??= openCatalogue(this.backup, this.options).then(
      (c) => (this.opened = c),
      (err: unknown) => {
        this.failure = err instanceof Error ? err.message : String(err);
        return undefined;
      },
    );
    return this.opening;
  }

  /** Synchronous: the catalogue if it is already open. */
  get current(): Catalogue | undefined {
    return this.opened;
  }

  get unavailableReason(): string | undefined {
    return this.failure;
  }

  /** Why indexing this account failed last time (the views then read item files). */
  failedReason(zimbraId: string): string | undefined {
    return this.failed.get(zimbraId);
  }

  isFresh(zimbraId: string): boolean {
    return this.fresh.has(zimbraId);
  }

  isIndexing(zimbraId: string): boolean {
    return this.indexing.has(zimbraId);
  }

  /** Indexes (incrementally) once per session; concurrent callers share the run. A cancelled run is not remembered. */
  index(zimbraId: string, opts: { signal?: AbortSignal; progress?: ProgressSink } = {}): Promise<IndexResult> {
    const running = this.indexing.get(zimbraId);
    if (running) return running;
    const p = (async () => {
      const cat = await this.open();
      if (!cat) throw new Error(this.failure ?? 'the item catalogue is unavailable');
      const r = await cat.indexAccount(zimbraId, opts);
      this.fresh.add(zimbraId);
      this.failed.delete(zimbraId);
      if (r.updated > 0 || r.removed > 0) this.folderTrees.delete(zimbraId);
      return r;
    })();
    this.indexing.set(zimbraId, p);
    p.catch((err: unknown) => {
      if (!(err instanceof Error && err.name === 'AbortError'))
        this.failed.set(zimbraId, err instanceof Error ? err.message : String(err));
    }).finally(() => this.indexing.delete(zimbraId));
    return p;
  }

  /** The folder tree with counts at a time; rebuilt when the time or the rows changed. */
  folders(cat: Catalogue, zimbraId: string, at: PointInTime): CatalogueFolders {
    const hit = this.folderTrees.get(zimbraId);
    if (hit && hit.at === at) return hit.folders;
    const folders = cat.foldersAt(zimbraId, pointInTimeSpec(at));
    this.folderTrees.set(zimbraId, { at, folders });
    return folders;
  }

  /** The user cancelled the first indexing: this session reads that account's files instead. */
  decline(zimbraId: string, reason: string): void {
    this.failed.set(zimbraId, reason);
  }

  /** Files changed on disk: the next look re-indexes (incrementally). */
  forget(zimbraId?: string): void {
    if (zimbraId === undefined) {
      this.fresh.clear();
      this.failed.clear();
      this.folderTrees.clear();
    } else {
      this.fresh.delete(zimbraId);
      this.failed.delete(zimbraId);
      this.folderTrees.delete(zimbraId);
    }
  }

  close(): void {
    this.opened?.close();
  }
}
