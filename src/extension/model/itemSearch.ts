/**
 * Search Items as the user types: each keystroke (debounced by the caller) is one
 * catalogue query (FTS5 on subject, name, sender, recipients) at the point in time, for
 * live and deleted items alike. No vscode here: commands.ts turns the rows into picks.
 */
import type { Catalogue, ItemAtTime } from '../engine';
import type { CatalogueAccess } from './accountCache';
import { pointInTimeSpec, type PointInTime } from './pointInTime';

export interface SearchPickRow {
  label: string;
  description: string;
  detail?: string;
  itemId: number;
  path: string;
}

/** Rows shown at once: a QuickPick is for choosing, not for listing a million items. */
export const SEARCH_PICK_LIMIT = 200;

export function pickRow(it: ItemAtTime, where: string | undefined): SearchPickRow {
  const row: SearchPickRow = {
    label: it.title || (it.status === 'deleted' ? '(deleted item)' : '(no subject)'),
    description: `#${it.id} · ${it.typeName} · ${it.status === 'deleted' ? 'deleted' : (where ?? 'folder missing')}`,
    itemId: it.id,
    path: it.path,
  };
  const sender = it.transaction.sender;
  if (sender) row.detail = sender;
  return row;
}

/** The rows for `text` at `at` (empty: the first items by id). `more` says that the limit cut the list. */
export function searchPickRows(
  access: CatalogueAccess,
  cat: Catalogue,
  zimbraId: string,
  text: string,
  at: PointInTime,
  limit = SEARCH_PICK_LIMIT,
): { rows: SearchPickRow[]; more: boolean } {
  const when = pointInTimeSpec(at);
  const folders = access.folders(cat, zimbraId, at).folders;
  const trimmed = text.trim();
  const items = cat
    .searchItems(zimbraId, { filter: 'all', when, limit: limit + 1, ...(trimmed ? { text: trimmed } : {}) })
    .map((h) => h.item);
  const rows = items
    .slice(0, limit)
    .map((it) => pickRow(it, it.folderId !== undefined ? folders.get(it.folderId)?.path : undefined));
  return { rows, more: items.length > limit };
}
