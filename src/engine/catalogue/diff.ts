/**
 * What happened to a mailbox between two moments: items and folders added, deleted,
 * restored, moved, renamed and re-flagged. Both states come from the catalogue (one
 * query each) or, without one, from the point-in-time evaluator over the item files;
 * the comparison below is the same for both (test/unit/catalogueDiff.test.ts holds the
 * two equal). An item is its file: two files with the same id stay two entries.
 */
import { buildSnapshot, itemTitle, resolveAccountInstant, type ItemAtTime } from '../backup/snapshot';
import type { ItemHistory } from '../item/types';
import { folderOfTransaction, isFolderTransaction, itemAt } from '../pointInTime';
import { itemTypeName } from '../zimbra';
import type { Catalogue, CatalogueWhen } from './index';
import type { CataloguePoint } from './pointSql';

export type DiffChange = 'added' | 'deleted' | 'restored' | 'moved' | 'renamed' | 'reflagged';
export const DIFF_CHANGES: readonly DiffChange[] = ['added', 'deleted', 'restored', 'moved', 'renamed', 'reflagged'];

export interface DiffSide {
  status: 'live' | 'deleted';
  /** An item's folder, a folder's parent. */
  folderId?: number;
  /** That folder's path at this moment, when it exists then; for a folder, its own path. */
  folderPath?: string;
  /** Subject or name (a folder: its name by the evaluator's rule). */
  name: string;
  flags?: number;
}

export interface DiffEntry {
  id: number;
  /** The item file, relative to the backup path: its whole history is there. */
  path: string;
  kind: 'folder' | 'item';
  type?: number;
  typeName: string;
  changes: DiffChange[];
  before?: DiffSide;
  after?: DiffSide;
}

export interface AccountDiff {
  from: CataloguePoint;
  to: CataloguePoint;
  folders: DiffEntry[];
  items: DiffEntry[];
}

interface Moment {
  items: readonly ItemAtTime[];
  /** Folder paths at that moment, by id. */
  paths: ReadonlyMap<number, string>;
}

function side(it: ItemAtTime, m: Moment): DiffSide {
  const tx = it.transaction;
  const folder = isFolderTransaction(tx);
  const s: DiffSide = { status: it.status, name: folder ? folderOfTransaction(tx, it.id).name : it.title };
  const where = folder ? folderOfTransaction(tx, it.id).parentId : tx.folderId;
  if (where !== undefined) s.folderId = where;
  const p = m.paths.get(folder ? it.id : (tx.folderId ?? -1));
  if (p !== undefined && (!folder || it.status === 'live')) s.folderPath = p;
  if (tx.flags !== undefined) s.flags = tx.flags;
  return s;
}

function changesOf(b: DiffSide | undefined, a: DiffSide | undefined): DiffChange[] {
  if (!b) return a?.status === 'live' ? ['added'] : a ? ['added', 'deleted'] : [];
  if (!a) return b.status === 'live' ? ['deleted'] : [];
  if (b.status === 'live' && a.status === 'deleted') return ['deleted'];
  if (b.status === 'deleted' && a.status === 'deleted') return [];
  const out: DiffChange[] = b.status === 'deleted' ? ['restored'] : [];
  if (b.folderId !== a.folderId) out.push('moved');
  if (b.name !== a.name) out.push('renamed');
  if (b.flags !== a.flags) out.push('reflagged');
  return out;
}

/** The comparison of two moments: one entry per file whose state differs in a way the user cares about. */
export function diffMoments(from: CataloguePoint, to: CataloguePoint, before: Moment, after: Moment): AccountDiff {
  const byPath = new Map<string, { b?: ItemAtTime; a?: ItemAtTime }>();
  for (const it of before.items) byPath.set(it.path, { b: it });
  for (const it of after.items) {
    const e = byPath.get(it.path);
    if (e) e.a = it;
    else byPath.set(it.path, { a: it });
  }
  const folders: DiffEntry[] = [];
  const items: DiffEntry[] = [];
  for (const [path, { b, a }] of byPath) {
    const sb = b && side(b, before);
    const sa = a && side(a, after);
    const changes = changesOf(sb, sa);
    if (changes.length === 0) continue;
    const last = (a ?? b)!;
    const kind = isFolderTransaction(last.transaction) ? 'folder' : 'item';
    const e: DiffEntry = { id: last.id, path, kind, typeName: last.typeName, changes };
    if (last.type !== undefined) e.type = last.type;
    if (sb) e.before = sb;
    if (sa) e.after = sa;
    (kind === 'folder' ? folders : items).push(e);
  }
  const order = (x: DiffEntry, y: DiffEntry): number => x.id - y.id || (x.path < y.path ? -1 : x.path > y.path ? 1 : 0);
  return { from, to, folders: folders.sort(order), items: items.sort(order) };
}

/** From the catalogue (the account must be indexed: the caller refreshes it first). */
export function catalogueDiff(cat: Catalogue, accountId: string, from: CatalogueWhen, to: CatalogueWhen): AccountDiff {
  const moment = (p: CataloguePoint): Moment => {
    const paths = new Map<number, string>();
    for (const f of cat.foldersAt(accountId, p).folders.values()) paths.set(f.id, f.path);
    return { items: cat.allAt(accountId, p), paths };
  };
  const f = cat.resolve(accountId, from);
  const t = cat.resolve(accountId, to);
  return diffMoments(f, t, moment(f), moment(t));
}

/** From item histories, by the point-in-time evaluator (no catalogue here, and the reference in tests). */
export function historiesDiff(histories: readonly ItemHistory[], from: CatalogueWhen, to: CatalogueWhen): AccountDiff {
  const moment = (p: CataloguePoint): Moment => {
    const paths = new Map<number, string>();
    for (const f of buildSnapshot(histories, p).folders.values()) paths.set(f.id, f.path);
    const items: ItemAtTime[] = [];
    for (const h of histories) {
      const state = itemAt(h, p);
      if (!state) continue;
      const tx = state.transaction;
      const it: ItemAtTime = {
        id: state.id,
        typeName: tx.type !== undefined ? (itemTypeName(tx.type) ?? `type ${tx.type}`) : 'unknown',
        title: itemTitle(tx),
        status: state.status,
        transaction: tx,
        path: h.path,
      };
      if (tx.type !== undefined) it.type = tx.type;
      if (tx.folderId !== undefined) it.folderId = tx.folderId;
      items.push(it);
    }
    return { items, paths };
  };
  // `first` becomes the account's earliest start, as in the catalogue.
  const f = resolveAccountInstant(histories, from) as CataloguePoint;
  const t = resolveAccountInstant(histories, to) as CataloguePoint;
  return diffMoments(f, t, moment(f), moment(t));
}
