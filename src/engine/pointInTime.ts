/**
 * The one point-in-time evaluator (docs/backup-format.md §2.1): an item's state at T,
 * a folder's existence, name, parent and path at T, and the items of a folder at T.
 * The tree (backup/snapshot.ts), the CLI, the language server and the coherency check
 * call it; the catalogue's SQL (catalogue/pointSql.ts) is the one other statement of
 * the rule, held equal to this one by test/unit/pointInTime.test.ts.
 */
import type { DateSpec } from './dates';
import type { ItemHistory, Transaction } from './item/types';
import { FOLDER_LIKE_TYPES, ROOT_ID, SYSTEM_FOLDERS, USER_ROOT_ID } from './zimbra';

/** A point the evaluator answers for; `all` is not a point. */
export type PointSpec = Exclude<DateSpec, { kind: 'all' }>;

/** The boundary rule: a transaction holds T when start ≤ T < end; an open end (null) is still valid. */
export function holds(start: number, end: number | null, t: number): boolean {
  return start <= t && (end === null || t < end);
}

/** The transaction whose [start-date, end-date) holds `t`, or undefined. */
export function transactionAt(history: ItemHistory, t: number): Transaction | undefined {
  // Transactions are in file order; a binary search would assume a valid file, so scan
  // from the end: the latest matching snapshot wins on overlaps.
  const txs = history.transactions;
  for (let i = txs.length - 1; i >= 0; i--) {
    const tx = txs[i]!;
    if (tx.start !== undefined && holds(tx.start, tx.end, t)) return tx;
  }
  return undefined;
}

export function firstTransaction(history: ItemHistory): Transaction | undefined {
  let best: Transaction | undefined;
  for (const tx of history.transactions)
    if (tx.start !== undefined && (best === undefined || tx.start < best.start!)) best = tx;
  return best;
}

export function lastTransaction(history: ItemHistory): Transaction | undefined {
  let best: Transaction | undefined;
  for (const tx of history.transactions)
    if (tx.start !== undefined && (best === undefined || tx.start >= best.start!)) best = tx;
  return best;
}

export type ItemStatus =
  /** T is before the first transaction: the item did not exist yet. */
  | 'not-yet'
  /** A transaction holds T and the item is live. */
  | 'live'
  /** A transaction holds T and records a deletion. */
  | 'deleted'
  /** T falls between two transactions, or after a closed last one. */
  | 'no-state';

export interface ItemStateAt {
  status: ItemStatus;
  transaction?: Transaction;
}

/** The item's state at a point in time. `last` is the latest-starting transaction, if still open. */
export function stateAt(history: ItemHistory, when: PointSpec): ItemStateAt {
  let tx: Transaction | undefined;
  if (when.kind === 'first') tx = firstTransaction(history);
  else if (when.kind === 'last') tx = lastTransaction(history);
  else {
    tx = transactionAt(history, when.at);
    if (!tx) {
      const first = firstTransaction(history);
      return { status: first === undefined || when.at < first.start! ? 'not-yet' : 'no-state' };
    }
  }
  if (!tx) return { status: 'not-yet' };
  if (when.kind === 'last' && tx.end !== null) return { status: 'no-state', transaction: tx };
  return { status: tx.deleted ? 'deleted' : 'live', transaction: tx };
}

export function isFolderTransaction(tx: Transaction): boolean {
  return tx.type !== undefined && FOLDER_LIKE_TYPES.has(tx.type);
}

export function isSystemFolder(id: number): boolean {
  return SYSTEM_FOLDERS[id] !== undefined;
}

/** A folder at T. `implicit`: a system folder with no recorded state then (it exists all the same). */
export interface FolderAt {
  id: number;
  name: string;
  parentId?: number;
  type?: number;
  transaction?: Transaction;
  implicit: boolean;
}

/** The folder a transaction records (the caller has chosen it as the state at T). */
export function folderOfTransaction(tx: Transaction, id: number): FolderAt {
  const f: FolderAt = { id, name: tx.name ?? SYSTEM_FOLDERS[id] ?? `folder ${id}`, transaction: tx, implicit: false };
  if (tx.type !== undefined) f.type = tx.type;
  // A root folder is its own parent.
  if (tx.folderId !== undefined && tx.folderId !== id) f.parentId = tx.folderId;
  return f;
}

/** The folder as its own file records it at T: its state then is a live folder transaction; else undefined. */
export function recordedFolderAt(history: ItemHistory, when: PointSpec): FolderAt | undefined {
  const state = stateAt(history, when);
  const tx = state.transaction;
  if (state.status !== 'live' || !tx || !isFolderTransaction(tx)) return undefined;
  const id = tx.itemId ?? history.fileItemId;
  return id === undefined ? undefined : folderOfTransaction(tx, id);
}

/**
 * Whether folder `id` exists at T, for a reference to it (an item's folder-id): system
 * folders always exist; a user folder while its state is a live folder transaction.
 */
export function folderAt(history: ItemHistory | undefined, id: number, when: PointSpec): FolderAt | undefined {
  const recorded = history ? recordedFolderAt(history, when) : undefined;
  if (recorded) return recorded;
  const system = SYSTEM_FOLDERS[id];
  return system === undefined ? undefined : { id, name: system, implicit: true };
}

/** Why folder `id` does not exist at T (folderAt gave undefined), for a message. */
export function folderAbsence(history: ItemHistory | undefined, when: PointSpec): string {
  if (!history) return 'it has no item file';
  const state = stateAt(history, when);
  return state.status === 'not-yet'
    ? 'it did not exist yet'
    : state.status === 'deleted'
      ? 'it was deleted'
      : state.status === 'no-state'
        ? 'it has no recorded state then'
        : 'it is not a folder';
}

/** A compact folder lifetime `[id, start, end]` of one live folder transaction (the check's shape). */
export type FolderLifetime = readonly [number, number, number | null];

/**
 * When a folder's own file records it (recordedFolderAt is defined), as disjoint
 * lifetimes: each live folder transaction's interval, less what a later transaction in
 * the file covers (the latest matching snapshot wins on overlaps, as transactionAt
 * says). A valid file's transactions do not overlap and are their own lifetimes.
 */
export function folderLifetimes(history: ItemHistory): FolderLifetime[] {
  const txs = history.transactions.filter((tx) => tx.start !== undefined);
  const out: [number, number, number | null][] = [];
  let ordered = true;
  for (let i = 1; i < txs.length && ordered; i++) {
    const prev = txs[i - 1]!;
    ordered = prev.end !== null && prev.end <= txs[i]!.start!;
  }
  for (let i = 0; i < txs.length; i++) {
    const tx = txs[i]!;
    const id = tx.itemId ?? history.fileItemId;
    if (tx.deleted || !isFolderTransaction(tx) || id === undefined) continue;
    let pieces: [number, number | null][] = [[tx.start!, tx.end]];
    if (!ordered) for (let j = i + 1; j < txs.length; j++) pieces = subtract(pieces, txs[j]!.start!, txs[j]!.end);
    for (const [s, e] of pieces) out.push([id, s, e]);
  }
  return out;
}

/** The parts of `pieces` outside [start, end) (end null: open). */
function subtract(pieces: [number, number | null][], start: number, end: number | null): [number, number | null][] {
  const out: [number, number | null][] = [];
  for (const [s, e] of pieces) {
    if (s < start) out.push([s, e === null ? start : Math.min(e, start)]);
    if (end !== null && (e === null || e > end)) out.push([Math.max(s, end), e]);
  }
  return out.filter(([s, e]) => e === null || s < e);
}

/**
 * folderAt's rule over compact lifetimes (folderLifetimes), for the coherency check's
 * millions of look-ups: system folders always exist; a user folder while one of its
 * lifetimes holds T.
 */
export function folderExistsIn(
  lifetimes: ReadonlyMap<number, readonly FolderLifetime[]>,
  id: number,
  at: number,
): boolean {
  if (SYSTEM_FOLDERS[id] !== undefined) return true;
  const list = lifetimes.get(id);
  if (!list) return false;
  for (const [, s, e] of list) if (holds(s, e, at)) return true;
  return false;
}

/** The folders at one instant, by id (what a path and the tree need of each). */
export type FolderLookup = (id: number) => { name: string; parentId?: number } | undefined;

/** Whether following parents from `id` comes back to `id` (a folder in a cycle is shown as a root). */
export function inFolderCycle(lookup: FolderLookup, id: number): boolean {
  const seen = new Set<number>([id]);
  let p = lookup(id)?.parentId;
  while (p !== undefined) {
    if (p === id) return true;
    // A cycle further up that does not pass through `id`: it hangs below a folder that is a root.
    if (seen.has(p)) return false;
    seen.add(p);
    p = lookup(p)?.parentId;
  }
  return false;
}

/** The parent the tree shows `id` under at T, or undefined when it is a root (no parent, parent absent, or a cycle). */
export function treeParent(lookup: FolderLookup, id: number): number | undefined {
  const p = lookup(id)?.parentId;
  if (p === undefined || lookup(p) === undefined || inFolderCycle(lookup, id)) return undefined;
  return p;
}

const MAX_DEPTH = 256;

/**
 * "/Inbox/Projects" at T; undefined if the folder does not exist then. The mailbox roots
 * (USER_ROOT, ROOT) are "/" and hidden in their children's paths; a folder whose parent is
 * absent, or that sits in a cycle, starts its path.
 */
export function folderPathAt(lookup: FolderLookup, id: number): string | undefined {
  const f = lookup(id);
  if (!f) return undefined;
  const names: string[] = [];
  let current: number | undefined = id;
  for (let depth = 0; current !== undefined && depth < MAX_DEPTH; depth++) {
    if (current === USER_ROOT_ID || current === ROOT_ID) break;
    names.push(lookup(current)!.name);
    current = treeParent(lookup, current);
  }
  return `/${names.reverse().join('/')}`;
}

/** An item's state at T where it has one: live or deleted, with its id (the file's when the transaction has none). */
export interface ItemAt {
  id: number;
  status: 'live' | 'deleted';
  transaction: Transaction;
}

export function itemAt(history: ItemHistory, when: PointSpec): ItemAt | undefined {
  const state = stateAt(history, when);
  const tx = state.transaction;
  if (!tx || (state.status !== 'live' && state.status !== 'deleted')) return undefined;
  const id = tx.itemId ?? history.fileItemId;
  return id === undefined ? undefined : { id, status: state.status, transaction: tx };
}

/** Whether the item at T is filed in folder `folderId`: live, not a folder, and its folder-id says so. */
export function isInFolder(item: ItemAt, folderId: number): boolean {
  return item.status === 'live' && !isFolderTransaction(item.transaction) && item.transaction.folderId === folderId;
}

/** Live non-folder items of folder `folderId` at T, by id. */
export function itemsOfFolderAt(histories: readonly ItemHistory[], folderId: number, when: PointSpec): ItemAt[] {
  const out: ItemAt[] = [];
  for (const h of histories) {
    const it = itemAt(h, when);
    if (it && isInFolder(it, folderId)) out.push(it);
  }
  return out.sort((a, b) => a.id - b.id);
}

/**
 * An account's standing at T from its account_info, which holds only today's status:
 * before createdDate it did not exist yet; from deletedDate on it is deleted; in
 * between it existed, and its status then is unknown unless it was never deleted
 * (then the recorded status is the last known one).
 */
export function accountStatusAt(
  account: { status?: string; createdDate?: number; deletedDate?: number },
  at: number | undefined,
): string {
  const now = account.status ?? 'unknown';
  if (at === undefined) return account.deletedDate !== undefined ? `deleted (was ${now})` : now;
  if (account.createdDate !== undefined && at < account.createdDate) return 'not created yet at that date';
  if (account.deletedDate !== undefined)
    return at >= account.deletedDate
      ? `deleted (was ${now})`
      : `existed, not yet deleted (status then unknown; last recorded: ${now})`;
  return `${now} (the status recorded in account_info; earlier changes are not in the backup)`;
}
