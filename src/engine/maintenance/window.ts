/**
 * Which transactions of an item a dated export keeps (docs/backup-format.md §12.2). The
 * window is [from, to], both ends included; a transaction is in it when its validity
 * [start-date, end-date) meets the window. Kept transactions are copied unchanged (never
 * clipped: their start-date is when the change happened), so every item's state at every
 * instant of the window equals the source's. A few transactions outside the window come
 * along so the export opens as cleanly as the source:
 * - the kept ones form one contiguous run of the file (no gap the source does not have);
 * - the state of a folder at the start of every kept transaction filed in it (else the
 *   item would point to a folder that does not exist then);
 * - a deletion at the end of the run is followed up to the undelete the source records
 *   (else the export would show as deleted, and due for purge, an item the source brought back).
 * The last kept transaction is left open (end-date null) when the source has more after
 * it: the export then reads as the backup was at `to`, with no history that just stops.
 */
import { transactionAt } from '../pointInTime';
import { isFolderReference } from '../rules/crossFileRules';
import type { ItemHistory } from '../item/types';
import { SYSTEM_FOLDERS } from '../zimbra';

export interface TimeWindow {
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, inclusive. */
  to?: number;
}

/** Whether the validity [start, end) meets the window [from, to]. */
export function meetsWindow(start: number, end: number | null, w: TimeWindow): boolean {
  if (w.to !== undefined && start > w.to) return false;
  if (w.from !== undefined && end !== null && end <= w.from) return false;
  return true;
}

/** Transactions lo..hi (file order, inclusive) are kept; `whole`: the file is copied as it is. */
export interface Span {
  lo: number;
  hi: number;
}

export interface WindowedItem {
  history: ItemHistory;
  /** The numeric id a folder reference can name (items/ files only). */
  itemId?: number;
}

/** A history the window logic can judge: parsed, every transaction dated. Others are copied whole. */
export function isWindowable(h: ItemHistory): boolean {
  return h.parsed && h.transactions.length > 0 && h.transactions.every((t) => t.start !== undefined);
}

/**
 * The kept span of every item of one account (undefined: the item is left out). Items
 * that cannot be judged (see isWindowable) are kept whole.
 */
export function windowSpans(items: readonly WindowedItem[], w: TimeWindow): (Span | undefined)[] {
  const spans: (Span | undefined)[] = items.map((it) => initialSpan(it.history, w));
  const byId = new Map<number, number>();
  items.forEach((it, i) => {
    if (it.itemId !== undefined && !byId.has(it.itemId)) byId.set(it.itemId, i);
  });
  // Extending one span can make it refer to further folders: repeat until nothing moves.
  const queue = spans.flatMap((s, i) => (s ? [i] : []));
  const queued = new Set(queue);
  while (queue.length > 0) {
    const i = queue.shift()!;
    queued.delete(i);
    const h = items[i]!.history;
    const span = spans[i]!;
    for (let k = span.lo; k <= span.hi; k++) {
      const tx = h.transactions[k]!;
      if (!isFolderReference(tx, h.fileItemId) || SYSTEM_FOLDERS[tx.folderId!] !== undefined) continue;
      const j = byId.get(tx.folderId!);
      if (j === undefined || !isWindowable(items[j]!.history)) continue;
      const fh = items[j]!.history;
      const at = transactionAt(fh, tx.start!);
      if (!at) continue;
      const before = spans[j];
      const next = extend(fh, before, at.index);
      if (before && next.lo === before.lo && next.hi === before.hi) continue;
      spans[j] = next;
      if (!queued.has(j)) {
        queued.add(j);
        queue.push(j);
      }
    }
  }
  return spans;
}

function initialSpan(h: ItemHistory, w: TimeWindow): Span | undefined {
  if (!isWindowable(h)) return { lo: 0, hi: h.transactions.length - 1 };
  let lo = -1;
  let hi = -1;
  h.transactions.forEach((t, k) => {
    if (!meetsWindow(t.start!, t.end, w)) return;
    if (lo < 0) lo = k;
    hi = k;
  });
  return lo < 0 ? undefined : followUndelete(h, { lo, hi });
}

function extend(h: ItemHistory, span: Span | undefined, k: number): Span {
  const s = span ? { lo: Math.min(span.lo, k), hi: Math.max(span.hi, k) } : { lo: k, hi: k };
  return followUndelete(h, s);
}

/** A run that ends on a deletion the source later undid goes on to the undelete. */
function followUndelete(h: ItemHistory, s: Span): Span {
  const txs = h.transactions;
  let hi = s.hi;
  while (hi < txs.length - 1 && txs[hi]!.deleted) hi++;
  return { lo: s.lo, hi };
}
