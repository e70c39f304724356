/**
 * Item histories of the few accounts the user is looking at, and their snapshot at
 * the chosen time. Reading an account is the one slow step (one file per item), so it
 * is shared by the Backup view, Search Items and Item History, deduplicated while in
 * flight, and bounded: only the most recently used accounts stay in memory.
 */
import { buildSnapshot, type AccountSnapshot, type BackupPath, type Finding, type ItemHistory, type ProgressSink } from '../engine';
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

  constructor(private readonly backup: BackupPath, limits: Partial<AccountCacheLimits> = {}) {
    this.limits = { maxAccounts: 16, maxItems: 300_000, ...limits };
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
      if (this.loaded.size <= 1 || (this.loaded.size <= this.limits.maxAccounts && total <= this.limits.maxItems)) break;
      total -= this.itemCounts.get(oldest) ?? 0;
      this.forget(oldest);
    }
  }

  /** The account at a point in time; rebuilt only when the time changed. */
  async snapshot(zimbraId: string, at: PointInTime, opts: { signal?: AbortSignal; progress?: ProgressSink } = {}): Promise<AccountSnapshot> {
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
