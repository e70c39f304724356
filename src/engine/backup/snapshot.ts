/**
 * An account at a point in time: the folder tree with the names it had then, the
 * items in each folder, and the items deleted by then.
 */
import type { DateSpec } from '../dates';
import { stateAt, firstTransaction } from '../item/history';
import type { ItemHistory, Transaction } from '../item/types';
import { FOLDER_LIKE_TYPES, ROOT_ID, SYSTEM_FOLDERS, USER_ROOT_ID, itemTypeName } from '../zimbra';

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
export function resolveAccountInstant(items: readonly ItemHistory[], when: Exclude<DateSpec, { kind: 'all' }>): Exclude<DateSpec, { kind: 'all' }> {
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

export function buildSnapshot(items: readonly ItemHistory[], whenIn: Exclude<DateSpec, { kind: 'all' }>): AccountSnapshot {
  const when = resolveAccountInstant(items, whenIn);
  const folders = new Map<number, FolderAtTime>();
  const others: ItemAtTime[] = [];
  const deleted: ItemAtTime[] = [];
  for (const h of items) {
    const state = stateAt(h, when);
    const tx = state.transaction;
    if (!tx || (state.status !== 'live' && state.status !== 'deleted')) continue;
    const id = tx.itemId ?? h.fileItemId;
    if (id === undefined) continue;
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
    if (tx.type !== undefined && FOLDER_LIKE_TYPES.has(tx.type)) {
      const f: FolderAtTime = { id, name: tx.name ?? SYSTEM_FOLDERS[id] ?? `folder ${id}`, path: '', type: tx.type, deleted: false, children: [], items: [] };
      if (tx.folderId !== undefined && tx.folderId !== id) f.parentId = tx.folderId;
      folders.set(id, f);
    } else others.push(at);
  }
  // Link folders to parents; a folder whose parent is missing becomes a root.
  const roots: FolderAtTime[] = [];
  for (const f of folders.values()) {
    const parent = f.parentId !== undefined ? folders.get(f.parentId) : undefined;
    if (parent && !createsCycle(folders, f)) parent.children.push(f);
    else roots.push(f);
  }
  const setPaths = (f: FolderAtTime, prefix: string, depth: number): void => {
    const hidden = f.id === USER_ROOT_ID || f.id === ROOT_ID;
    f.path = hidden ? prefix || '/' : `${prefix === '/' ? '' : prefix}/${f.name}`;
    f.children.sort(compareFolders);
    if (depth < 256) for (const c of f.children) setPaths(c, hidden ? '' : f.path, depth + 1);
  };
  roots.sort(compareFolders);
  for (const r of roots) setPaths(r, '', 0);
  const unplaced: ItemAtTime[] = [];
  for (const it of others) {
    const f = it.folderId !== undefined ? folders.get(it.folderId) : undefined;
    if (f) f.items.push(it);
    else unplaced.push(it);
  }
  for (const f of folders.values()) f.items.sort((a, b) => a.id - b.id);
  const snap: AccountSnapshot = { roots, folders, deleted: deleted.sort((a, b) => a.id - b.id), unplaced, itemCount: others.length };
  if (when.kind === 'instant') snap.at = when.at;
  return snap;
}

function createsCycle(folders: Map<number, FolderAtTime>, f: FolderAtTime): boolean {
  const seen = new Set<number>([f.id]);
  let p = f.parentId;
  while (p !== undefined) {
    if (p === f.id) return true;
    // A cycle further up that does not pass through f: f hangs below a folder that becomes a root.
    if (seen.has(p)) return false;
    seen.add(p);
    p = folders.get(p)?.parentId;
  }
  return false;
}

function compareFolders(a: FolderAtTime, b: FolderAtTime): number {
  const sys = (f: FolderAtTime) => (f.id < 256 ? 0 : 1);
  return sys(a) - sys(b) || (sys(a) === 0 ? a.id - b.id : a.name.localeCompare(b.name));
}

/** Folder path of a folder id at that time, for hovers ("/Inbox/Projects"). */
export function folderPath(snapshot: AccountSnapshot, folderId: number): string | undefined {
  return snapshot.folders.get(folderId)?.path;
}
