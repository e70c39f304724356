/** One item's history over time; the point-in-time rule itself lives in ../pointInTime.ts. */
import { firstTransaction, lastTransaction } from '../pointInTime';
import type { ItemHistory } from './types';

export {
  firstTransaction,
  lastTransaction,
  stateAt,
  transactionAt,
  type ItemStateAt,
  type ItemStatus,
} from '../pointInTime';

/** Start and end of the item's recorded life: first start-date, and the deletion time if it ends deleted. */
export function lifeSpan(history: ItemHistory): { created?: number; deletedAt?: number } {
  const first = firstTransaction(history);
  const last = lastTransaction(history);
  const out: { created?: number; deletedAt?: number } = {};
  if (first?.start !== undefined) out.created = first.start;
  if (last?.deleted && last.start !== undefined) out.deletedAt = last.start;
  return out;
}
