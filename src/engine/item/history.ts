/** Point-in-time evaluation of one item's history (docs/backup-format.md §2.1). */
import type { DateSpec } from '../dates';
import type { ItemHistory, Transaction } from './types';

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

/** The transaction whose [start-date, end-date) holds `t`, or undefined. */
export function transactionAt(history: ItemHistory, t: number): Transaction | undefined {
  // Transactions are in file order; a binary search would assume a valid file, so scan
  // from the end: the latest matching snapshot wins on overlaps.
  const txs = history.transactions;
  for (let i = txs.length - 1; i >= 0; i--) {
    const tx = txs[i]!;
    if (tx.start !== undefined && tx.start <= t && (tx.end === null || t < tx.end)) return tx;
  }
  return undefined;
}

export function firstTransaction(history: ItemHistory): Transaction | undefined {
  let best: Transaction | undefined;
  for (const tx of history.transactions) if (tx.start !== undefined && (best === undefined || tx.start < best.start!)) best = tx;
  return best;
}

export function lastTransaction(history: ItemHistory): Transaction | undefined {
  let best: Transaction | undefined;
  for (const tx of history.transactions) if (tx.start !== undefined && (best === undefined || tx.start >= best.start!)) best = tx;
  return best;
}

/** The item's state at a point in time. `all` is not a point: use `history.transactions`. */
export function stateAt(history: ItemHistory, when: Exclude<DateSpec, { kind: 'all' }>): ItemStateAt {
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

/** Start and end of the item's recorded life: first start-date, and the deletion time if it ends deleted. */
export function lifeSpan(history: ItemHistory): { created?: number; deletedAt?: number } {
  const first = firstTransaction(history);
  const last = lastTransaction(history);
  const out: { created?: number; deletedAt?: number } = {};
  if (first?.start !== undefined) out.created = first.start;
  if (last?.deleted && last.start !== undefined) out.deletedAt = last.start;
  return out;
}
