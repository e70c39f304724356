/**
 * "The transaction a file shows at T" as SQL over the alias `t`, mirroring
 * item/history.ts stateAt: at an instant, the last in file order whose [start, end)
 * holds T; at `last`, the latest-starting one, and only if it is still open.
 */
import type { DateSpec } from '../dates';

/** A point the catalogue can evaluate: `first` is resolved per account before. */
export type CataloguePoint = Exclude<DateSpec, { kind: 'all' | 'first' }>;

export function chosenTx(when: CataloguePoint): { sql: string; params: { at?: number } } {
  if (when.kind === 'last') return { sql: 't.is_last = 1 AND t.end IS NULL', params: {} };
  const holds = (a: string): string => `${a}.start <= @at AND (${a}.end IS NULL OR ${a}.end > @at)`;
  return {
    sql: `${holds('t')} AND (t.shadowed = 0 OR NOT EXISTS (SELECT 1 FROM tx u WHERE u.file_id = t.file_id AND u.idx > t.idx AND ${holds('u')}))`,
    params: { at: when.at },
  };
}
