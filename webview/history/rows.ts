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

/** A value as the page writes it: "(none)" for an absent key. */
const shownValue = (v: string): string => (v === '' ? '(none)' : v);

/**
 * The text of a field: its value; with "only changed", a changed field as "old → new",
 * so hiding the unchanged fields does not hide what the value was before.
 */
export function fieldText(field: HistoryField, position: number, onlyChanged: boolean): string {
  if (onlyChanged && position > 0 && field.changed && field.previous !== undefined)
    return `${shownValue(field.previous)} → ${field.value === '' ? '(removed)' : field.value}`;
  return field.value === '' ? '(removed)' : field.value;
}

/** The tooltip of a field: its secondary text, and what it was when it changed. */
export function fieldTooltip(field: HistoryField): string {
  const parts: string[] = [];
  if (field.detail) parts.push(field.detail);
  if (field.changed)
    parts.push(
      field.previous !== undefined
        ? `changed from the previous transaction (was ${shownValue(field.previous)})`
        : 'changed from the previous transaction',
    );
  return parts.join(' · ');
}
