/**
 * "Compare Points in Time…": what changed in an account between two moments, from the
 * catalogue when it can be used, else from the account's item files by the evaluator
 * (the same answer: src/engine/catalogue/diff.ts). No vscode here: commands.ts shows
 * the rows and opens each item's history.
 */
import { catalogueDiff, historiesDiff, type AccountDiff, type DiffEntry, type DiffSide } from '../engine';
import type { AccountCache } from './accountCache';
import { pointInTimeSpec, type PointInTime } from './pointInTime';

export interface CompareRow {
  label: string;
  description: string;
  detail: string;
  /** The item file: its history is what the user opens next. */
  path: string;
  kind: 'folder' | 'item';
}

export async function compareAccount(
  cache: AccountCache,
  zimbraId: string,
  from: PointInTime,
  to: PointInTime,
  opts: { signal?: AbortSignal } = {},
): Promise<{ diff: AccountDiff; source: 'catalogue' | 'files' }> {
  const access = cache.catalogue;
  const cat = await access.open();
  if (cat && access.failedReason(zimbraId) === undefined) {
    try {
      if (!access.isFresh(zimbraId)) await access.index(zimbraId, opts);
      return { diff: catalogueDiff(cat, zimbraId, pointInTimeSpec(from), pointInTimeSpec(to)), source: 'catalogue' };
    } catch (err) {
      if (err instanceof Error && err.name === 'AbortError') throw err;
      // Indexing failed: the files give the same answer.
    }
  }
  const { items } = await cache.load(zimbraId, opts);
  return { diff: historiesDiff(items, pointInTimeSpec(from), pointInTimeSpec(to)), source: 'files' };
}

const where = (s: DiffSide | undefined): string =>
  s ? (s.folderPath ?? (s.folderId !== undefined ? `folder ${s.folderId}` : '—')) : '—';

export function compareRow(e: DiffEntry): CompareRow {
  const name = (e.after ?? e.before)!.name || '(no subject)';
  const renamed = e.before && e.after && e.before.name !== e.after.name ? `${e.before.name} → ` : '';
  const moved = e.changes.includes('moved') || e.changes.includes('added') || e.changes.includes('deleted');
  return {
    label: `${renamed}${name}`,
    description: `${e.changes.join(', ')}${moved ? ` · ${where(e.before)} → ${where(e.after)}` : ` · ${where(e.after ?? e.before)}`}`,
    detail: `#${e.id} · ${e.typeName}${e.changes.includes('reflagged') ? ` · flags ${e.before?.flags ?? '—'} → ${e.after?.flags ?? '—'}` : ''}`,
    path: e.path,
    kind: e.kind,
  };
}

/** Folders first, then items; each by id. */
export function compareRows(diff: AccountDiff): CompareRow[] {
  return [...diff.folders.map(compareRow), ...diff.items.map(compareRow)];
}
