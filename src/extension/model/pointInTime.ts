/**
 * The point in time the views show, as the "Set Point in Time…" box reads it and the
 * status bar prints it. Parsing is the engine's parseDateSpec (`first`, `last`, `now`,
 * zxsuite's format, ISO 8601); this adds only what the UI needs: the views need one
 * instant, so `first` is the backup's first run (backupstat); a date outside the runs
 * is accepted with a warning naming the first or last run; the text shown back is in
 * the chosen zone.
 */
import {
  formatZxsuite,
  isValidTimeZone,
  parseDateSpec,
  type AccountSummary,
  type BackupStat,
  type DateSpec,
} from '../engine';

/** null = "last": the latest state. */
export type PointInTime = number | null;

export type PointInTimeInput = { ok: true; at: PointInTime; warning?: string } | { ok: false; error: string };

/** One instant a backup run is recorded at, and what records it ("last run of the backup", "first run of a@x"). */
export interface RunDate {
  at: number;
  what: string;
}

/** The backup's run dates as backupstat and account_stat record them (a backup keeps no per-run log). */
export interface BackupRuns {
  first?: number;
  last?: number;
  /** Latest first, one entry per instant. */
  dates: RunDate[];
}

/** At most this many accounts are named on one run date; the rest are counted. */
const NAMED_PER_DATE = 2;

/**
 * The run dates: the root backupstat's first and last run, each account's backupstat
 * first and last run and account_stat last scan. Accounts entered the backup at
 * different runs, so their first runs are the dates a support engineer can compare at.
 */
export function backupRuns(
  root: BackupStat | undefined,
  accounts: readonly Pick<AccountSummary, 'name' | 'backupStat' | 'stat'>[],
): BackupRuns {
  const byAt = new Map<number, { backup: string[]; accounts: Map<string, string[]> }>();
  const add = (at: number | undefined, what: string, account?: string): void => {
    if (at === undefined || !Number.isFinite(at)) return;
    let e = byAt.get(at);
    if (!e) byAt.set(at, (e = { backup: [], accounts: new Map() }));
    if (account === undefined) {
      if (!e.backup.includes(what)) e.backup.push(what);
    } else {
      const names = e.accounts.get(what) ?? [];
      if (!names.includes(account)) names.push(account);
      e.accounts.set(what, names);
    }
  };
  add(root?.firstRunDate, 'first run of the backup');
  add(root?.lastRunDate, 'last run of the backup');
  for (const a of accounts) {
    add(a.backupStat?.firstRunDate, 'first run', a.name);
    add(a.backupStat?.lastRunDate, 'last run', a.name);
    add(a.stat?.lastScanDate, 'last scan', a.name);
  }
  const dates: RunDate[] = [...byAt.entries()]
    .sort(([a], [b]) => b - a)
    .map(([at, e]) => {
      const parts = [...e.backup];
      for (const [what, names] of e.accounts) {
        const shown = names.slice(0, NAMED_PER_DATE).join(', ');
        const more = names.length > NAMED_PER_DATE ? ` and ${names.length - NAMED_PER_DATE} more` : '';
        parts.push(`${what} of ${shown}${more}`);
      }
      return { at, what: parts.join('; ') };
    });
  const runs: BackupRuns = { dates };
  if (dates.length > 0) {
    runs.last = dates[0]!.at;
    runs.first = dates[dates.length - 1]!.at;
  }
  return runs;
}

const FORMS = 'dd/MM/yyyy HH:mm:ss, ISO 8601, first, last or now';

/**
 * Reads the box. `runs` says what `first` is and when a date lies outside the backup;
 * without them (no backupstat anywhere) `first` is refused with the reason.
 */
export function parsePointInTime(input: string, zone: string, runs?: BackupRuns): PointInTimeInput {
  if (input.trim() === '') return { ok: false, error: `Type a date (${FORMS}).` };
  const parsed = parseDateSpec(input, zone);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  const v = parsed.value;
  if (v.kind === 'last') return { ok: true, at: null };
  if (v.kind === 'first') {
    if (runs?.first === undefined)
      return { ok: false, error: '"first" is the first backup run, and no backupstat records one: type a date.' };
    return { ok: true, at: runs.first };
  }
  if (v.kind !== 'instant') return { ok: false, error: '"all" is not a point in time: type a date.' };
  const warning = outsideRuns(v.at, zone, runs);
  return warning ? { ok: true, at: v.at, warning } : { ok: true, at: v.at };
}

/** Why an instant is outside the recorded runs, or undefined when it is within them (or nothing is known). */
export function outsideRuns(at: number, zone: string, runs: BackupRuns | undefined): string | undefined {
  if (runs?.last !== undefined && at > runs.last)
    return `After the last backup run (${formatZxsuite(runs.last, zone)} ${zone}): nothing later is in the backup, so this shows the state as of that run.`;
  if (runs?.first !== undefined && at < runs.first)
    return `Before the first backup run (${formatZxsuite(runs.first, zone)} ${zone}): the backup recorded nothing before it, so the views show little or nothing.`;
  return undefined;
}

/** For the input box's validateInput: undefined when valid, else the message and whether it blocks Enter. */
export function validatePointInTime(
  input: string,
  zone: string,
  runs?: BackupRuns,
): { message: string; severity: 'error' | 'warning' } | undefined {
  const r = parsePointInTime(input, zone, runs);
  if (!r.ok) return { message: r.error, severity: 'error' };
  return r.warning ? { message: r.warning, severity: 'warning' } : undefined;
}

/** A row of the Set Point in Time… pick. `input` undefined: "Type a date…" (an input box follows). */
export interface PointInTimeChoice {
  label: string;
  description: string;
  input?: string;
}

export const TYPE_A_DATE = 'Type a date…';

/** At most this many run dates are listed (a backup of thousands of accounts has as many first runs). */
const MAX_RUN_ROWS = 200;

/** The pick: last, first, every run date (latest first), then "Type a date…". */
export function pointInTimeChoices(at: PointInTime, zone: string, runs: BackupRuns): PointInTimeChoice[] {
  const current = (x: PointInTime): string => (x === at ? ' (current)' : '');
  const rows: PointInTimeChoice[] = [
    {
      label: 'last',
      description: `the latest state${runs.last !== undefined ? ` · last run ${formatZxsuite(runs.last, zone)}` : ''}${current(null)}`,
      input: 'last',
    },
  ];
  if (runs.first !== undefined)
    rows.push({
      label: 'first',
      description: `the first backup run · ${formatZxsuite(runs.first, zone)}${current(runs.first)}`,
      input: 'first',
    });
  for (const r of runs.dates.slice(0, MAX_RUN_ROWS)) {
    const label = formatZxsuite(r.at, zone);
    rows.push({ label, description: `${r.what}${current(r.at)}`, input: label });
  }
  rows.push({ label: TYPE_A_DATE, description: `${FORMS}, read in ${zone}` });
  return rows;
}

/** The row for what is typed in the pick's filter: where it lands, or why not. */
export function typedChoice(value: string, zone: string, runs: BackupRuns): PointInTimeChoice & { ok: boolean } {
  const r = parsePointInTime(value, zone, runs);
  if (!r.ok) return { label: value, description: r.error, ok: false };
  const where = r.at === null ? 'the latest state' : formatPointInTime(r.at, zone);
  return { label: value, description: r.warning ? `${where} · ⚠ ${r.warning}` : where, input: value, ok: true };
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

/** Status bar text (with a codicon) and tooltip; a point outside the runs gets a warning sign and says why. */
export function statusBarText(at: PointInTime, zone: string, runs?: BackupRuns): { text: string; tooltip: string } {
  if (at === null)
    return {
      text: '$(history) last',
      tooltip: 'Zextras Backup: showing the latest state. Click to choose a point in time.',
    };
  const warning = outsideRuns(at, zone, runs);
  const first = runs?.first === at ? ' (the first backup run)' : '';
  return {
    text: `$(history) ${formatZxsuite(at, zone)}${warning ? ' $(warning)' : ''}`,
    tooltip: `Zextras Backup: showing the state at ${formatPointInTime(at, zone)}${first}.${warning ? ` ${warning}` : ''} Click to change.`,
  };
}

/** The text the input box starts with: the current choice, editable. */
export function initialInput(at: PointInTime, zone: string): string {
  return at === null ? 'last' : formatZxsuite(at, zone);
}
