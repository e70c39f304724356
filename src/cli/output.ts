/**
 * What zxb prints: aligned tables and key/value blocks for people, JSON for scripts,
 * findings on stderr. Dates go through the engine's date module, always in the
 * zone the user chose.
 */
import { compareFindings, formatIso, formatZxsuite, type Finding, type Severity } from '../engine';
import { JSON_FORMAT_VERSION, type Envelope, type FindingJson } from './shapes';

export interface Streams {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const processStreams: Streams = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

// --- dates

/** zxsuite's `dd/MM/yyyy HH:mm:ss` in the zone, or "-" when unknown. */
export function showDate(at: number | undefined | null, zone: string): string {
  return at === undefined || at === null ? '-' : formatZxsuite(at, zone);
}

/** ISO 8601 in the zone for JSON, or null. */
export function jsonDate(at: number | undefined | null, zone: string): string | null {
  return at === undefined || at === null ? null : formatIso(at, zone);
}

/** mail_item dates are epoch seconds. */
export function jsonSecondsDate(seconds: number | undefined, zone: string): string | null {
  return seconds === undefined ? null : formatIso(seconds * 1000, zone);
}

// --- values

export function orNull<T>(v: T | undefined): T | null {
  return v === undefined ? null : v;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

// --- tables

export type Cell = string | number | boolean | null | undefined;
export interface Column {
  header: string;
  /** Numbers align right by default. */
  align?: 'left' | 'right';
}

function cellText(c: Cell): string {
  if (c === null || c === undefined || c === '') return '-';
  if (typeof c === 'boolean') return c ? 'yes' : 'no';
  return String(c).replace(/[\r\n\t]+/g, ' ');
}

/** A table with one space-padded column per header; no trailing blanks. */
export function renderTable(columns: readonly (string | Column)[], rows: readonly Cell[][]): string {
  const cols: Column[] = columns.map((c) => (typeof c === 'string' ? { header: c } : c));
  const texts = rows.map((r) => cols.map((_, i) => cellText(r[i])));
  const rightAligned = cols.map(
    (c, i) =>
      c.align === 'right' ||
      (c.align === undefined &&
        rows.length > 0 &&
        rows.every((r) => typeof r[i] === 'number' || r[i] === null || r[i] === undefined)),
  );
  const widths = cols.map((c, i) => Math.max(c.header.length, ...texts.map((t) => t[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((t, i) => (rightAligned[i] ? t.padStart(widths[i]!) : i === cells.length - 1 ? t : t.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(cols.map((c) => c.header)), ...texts.map(line)].join('\n') + '\n';
}

/** `key  value` lines with the keys padded to one width, like zxsuite's output. */
export function renderKeyValues(pairs: readonly [string, Cell][], indent = ''): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${indent}${k.padEnd(width)}  ${cellText(v)}`.trimEnd()).join('\n') + '\n';
}

export function heading(title: string): string {
  return `\n${title}\n`;
}

// --- JSON

export function toFindingJson(f: Finding): FindingJson {
  return {
    code: f.code,
    severity: f.severity,
    path: f.path,
    range: f.range ?? null,
    message: f.message,
    remedy: f.remedy,
    ...(f.related && f.related.length > 0
      ? { related: f.related.map((r) => ({ path: r.path, message: r.message })) }
      : {}),
  };
}

export function envelope<C extends string>(command: C, zone: string, findings: readonly Finding[]): Envelope<C> {
  return {
    formatVersion: JSON_FORMAT_VERSION,
    command,
    timeZone: zone,
    findings: [...findings].sort(compareFindings).map(toFindingJson),
  };
}

export function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

// --- findings on stderr

export interface Paint {
  severity(s: Severity, text: string): string;
}

export function paint(enabled: boolean): Paint {
  const codes: Record<Severity, string> = { error: '31', warning: '33', info: '36' };
  return { severity: (s, text) => (enabled ? `\x1b[${codes[s]}m${text}\x1b[0m` : text) };
}

/** Errors and warnings one per line (at most `max`); information findings only counted, to keep the output readable. */
export function renderFindings(findings: readonly Finding[], p: Paint, max = Infinity): string {
  const shown = findings.filter((f) => f.severity !== 'info').sort(compareFindings);
  const infos = findings.length - shown.length;
  let text = '';
  for (const f of shown.slice(0, max)) {
    const at = f.range ? `:${f.range.start.line + 1}:${f.range.start.character + 1}` : '';
    // Most engine messages already start with the path; name it once.
    const where = !f.path || (!at && f.message.includes(f.path)) ? '' : `${f.path}${at}: `;
    text += `${p.severity(f.severity, f.severity)} [${f.code}] ${where}${f.message}\n`;
    // A damaged or misplaced BLOB names the items that reference it.
    for (const r of (f.related ?? []).slice(0, 5)) text += `    referenced by ${r.path}\n`;
    if ((f.related?.length ?? 0) > 5)
      text += `    … and ${f.related!.length - 5} more items (--json or --sarif lists them)\n`;
  }
  if (shown.length > max) text += `… and ${shown.length - max} more (use --json to see them all)\n`;
  if (infos > 0) text += `${infos} informational finding${infos === 1 ? '' : 's'} not shown (use --json to see them)\n`;
  return text;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The findings met on the way by a read-only info command, as the last section of its stdout. */
export function renderFindingsSection(findings: readonly Finding[], max = 20): string {
  if (findings.length === 0) return '';
  const count = (s: Severity): number => findings.filter((f) => f.severity === s).length;
  const title = `Findings in the files read: ${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${count('info')} info (zxb doCoherencyCheck checks the whole backup path)`;
  return heading(title) + renderFindings(findings, paint(false), max);
}
