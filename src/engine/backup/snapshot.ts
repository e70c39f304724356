/**
 * An account at a point in time: the folder tree with the names it had then, the
 * items in each folder, and the items deleted by then.
 */
import type { DateSpec } from '../dates';
import type { ItemHistory, Transaction } from '../item/types';
import {
  firstTransaction,
  folderOfTransaction,
  folderPathAt,
  isFolderTransaction,
  itemAt,
  treeParent,
  type FolderLookup,
} from '../pointInTime';
import { FOLDER_LIKE_TYPES, SYSTEM_FOLDERS, itemTypeName } from '../zimbra';

export interface ItemAtTime {
  id: number;
  type?: number;
  typeName: string;
  folderId?: number;
  /** Subject for messages, name for folders, documents and contacts. */
  title: string;
  status: 'live' | 'deleted';
  transaction: Transaction;
  path: string;
}

export interface FolderAtTime {
  id: number;
  name: string;
  /** Slash-separated path from the mailbox root, e.g. "/Inbox/Projects". */
  path: string;
  parentId?: number;
  type: number;
  deleted: boolean;
  children: FolderAtTime[];
  items: ItemAtTime[];
}

export interface AccountSnapshot {
  /** The instant evaluated (for `last`: undefined, meaning "the latest state"). */
  at?: number;
  roots: FolderAtTime[];
  folders: Map<number, FolderAtTime>;
  /** Items deleted at that time (not in any folder's list). */
  deleted: ItemAtTime[];
  /** Live items whose folder does not exist at that time. */
  unplaced: ItemAtTime[];
  itemCount: number;
}

/** Resolves `first` to the account's earliest transaction; `last` stays symbolic. */
export function resolveAccountInstant(
  items: readonly ItemHistory[],
  when: Exclude<DateSpec, { kind: 'all' }>,
): Exclude<DateSpec, { kind: 'all' }> {
  if (when.kind !== 'first') return when;
  let min: number | undefined;
  for (const h of items) {
    const f = firstTransaction(h)?.start;
    if (f !== undefined && (min === undefined || f < min)) min = f;
  }
  return min === undefined ? { kind: 'last' } : { kind: 'instant', at: min };
}

export function itemTitle(tx: Transaction): string {
  if (tx.subject) return tx.subject;
  if (tx.name) return tx.name;
  const id = tx.itemId;
  if (id !== undefined && tx.type !== undefined && FOLDER_LIKE_TYPES.has(tx.type)) return SYSTEM_FOLDERS[id] ?? '';
  return '';
}

export function buildSnapshot(
  items: readonly ItemHistory[],
  whenIn: Exclude<DateSpec, { kind: 'all' }>,
): AccountSnapshot {
  const when = resolveAccountInstant(items, whenIn);
  const folders = new Map<number, FolderAtTime>();
  const others: ItemAtTime[] = [];
  const deleted: ItemAtTime[] = [];
  for (const h of items) {
    const state = itemAt(h, when);
    if (!state) continue;
    const { id, transaction: tx } = state;
    const at: ItemAtTime = {
      id,
      typeName: tx.type !== undefined ? (itemTypeName(tx.type) ?? `type ${tx.type}`) : 'unknown',
      title: itemTitle(tx),
      status: state.status,
      transaction: tx,
      path: h.path,
    };
    if (tx.type !== undefined) at.type = tx.type;
    if (tx.folderId !== undefined) at.folderId = tx.folderId;
    if (state.status === 'deleted') {
      deleted.push(at);
      continue;
    }
    if (isFolderTransaction(tx)) {
      const f = folderOfTransaction(tx, id);
      const node: FolderAtTime = {
        id,
        name: f.name,
        path: '',
        type: tx.type!,
        deleted: false,
        children: [],
        items: [],
      };
      if (f.parentId !== undefined) node.parentId = f.parentId;
      folders.set(id, node);
    } else others.push(at);
  }
  // The tree holds the folders recorded at that time; names, parents and paths by the evaluator's rule.
  const lookup: FolderLookup = (id) => folders.get(id);
  const roots: FolderAtTime[] = [];
  for (const f of folders.values()) {
    f.path = folderPathAt(lookup, f.id)!;
    const parent = treeParent(lookup, f.id);
    if (parent !== undefined) folders.get(parent)!.children.push(f);
    else roots.push(f);
  }
  for (const f of folders.values()) f.children.sort(compareFolders);
  roots.sort(compareFolders);
  const unplaced: ItemAtTime[] = [];
  for (const it of others) {
    const f = it.folderId !== undefined ? folders.get(it.folderId) : undefined;
    if (f) f.items.push(it);
    else unplaced.push(it);
  }
  for (const f of folders.values()) f.items.sort((a, b) => a.id - b.id);
  const snap: AccountSnapshot = {
    roots,
    folders,
    deleted: deleted.sort((a, b) => a.id - b.id),
    unplaced,
    itemCount: others.length,
  };
  if (when.kind === 'instant') snap.at = when.at;
  return snap;
}

function compareFolders(a: FolderAtTime, b: FolderAtTime): number {
  const sys = (f: FolderAtTime) => (f.id < 256 ? 0 : 1);
  return sys(a) - sys(b) || (sys(a) === 0 ? a.id - b.id : a.name.localeCompare(b.name));
}

/** Folder path of a folder id at that time, for hovers ("/Inbox/Projects"). */
export function folderPath(snapshot: AccountSnapshot, folderId: number): string | undefined {
  return snapshot.folders.get(folderId)?.path;
}
