/**
 * The point in time the views show, as the "Set Point in Time…" box reads it and the
 * status bar prints it. Parsing is the engine's parseDateSpec; this adds only what
 * the UI needs: `first` is refused (it differs per account, the server needs one
 * instant), and the text shown back is in the chosen zone.
 */
import { formatZxsuite, isValidTimeZone, parseDateSpec, type DateSpec } from '../engine';

/** null = "last": the latest state. */
export type PointInTime = number | null;

export type PointInTimeInput = { ok: true; at: PointInTime } | { ok: false; error: string };

export function parsePointInTime(input: string, zone: string): PointInTimeInput {
  if (input.trim() === '') return { ok: false, error: 'Type a date (dd/MM/yyyy HH:mm:ss or ISO 8601) or "last".' };
  const parsed = parseDateSpec(input, zone);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  if (parsed.value.kind === 'last') return { ok: true, at: null };
  if (parsed.value.kind === 'instant') return { ok: true, at: parsed.value.at };
  return { ok: false, error: '"first" differs per account; type a date or "last".' };
}

/** For showInputBox's validateInput: undefined when valid, else the message shown under the box. */
export function validatePointInTime(input: string, zone: string): string | undefined {
  const r = parsePointInTime(input, zone);
  return r.ok ? undefined : r.error;
}

export function pointInTimeSpec(at: PointInTime): Exclude<DateSpec, { kind: 'all' | 'first' }> {
  return at === null ? { kind: 'last' } : { kind: 'instant', at };
}

/** The zone to use: the setting if valid, else UTC (the caller warns once). */
export function effectiveZone(setting: string | undefined): { zone: string; invalid?: string } {
  const z = (setting ?? '').trim();
  if (z === '' || z === 'UTC') return { zone: 'UTC' };
  return isValidTimeZone(z) ? { zone: z } : { zone: 'UTC', invalid: z };
}

export function formatPointInTime(at: PointInTime, zone: string): string {
  return at === null ? 'last' : `${formatZxsuite(at, zone)} ${zone}`;
}

/** Status bar text (with a codicon) and tooltip. */
export function statusBarText(at: PointInTime, zone: string): { text: string; tooltip: string } {
  return at === null
    ? { text: '$(history) last', tooltip: 'Zextras Backup: showing the latest state. Click to choose a point in time.' }
    : {
        text: `$(history) ${formatZxsuite(at, zone)}`,
        tooltip: `Zextras Backup: showing the state at ${formatPointInTime(at, zone)}. Click to change.`,
      };
}

/** The text the input box starts with: the current choice, editable. */
export function initialInput(at: PointInTime, zone: string): string {
  return at === null ? 'last' : formatZxsuite(at, zone);
}
