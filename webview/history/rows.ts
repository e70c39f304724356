/** Pure helpers of the history page (no DOM), unit-tested with the protocol. */
import type { HistoryField, HistoryRow } from '../../src/shared/webviewProtocol';

/** The fields a row shows: all of the first row; with "only changed", just what changed on later rows. */
export function visibleFields(row: HistoryRow, position: number, onlyChanged: boolean): HistoryField[] {
  const present = row.fields.filter((f) => f.value !== '' || f.changed);
  if (!onlyChanged || position === 0) return present;
  return present.filter((f) => f.changed);
}

/** A one-line summary of what changed, for the row's tooltip and screen readers. */
export function changeSummary(row: HistoryRow, position: number): string {
  if (position === 0) return 'first state';
  const changed = row.fields.filter((f) => f.changed).map((f) => f.key);
  return changed.length ? `changed: ${changed.join(', ')}` : 'no field changed';
}
