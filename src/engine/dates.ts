/**
 * The one date module. Instants are epoch milliseconds (numbers) everywhere in the
 * engine; this module turns user input into instants and instants into text, always
 * in an explicit IANA time zone (UTC unless the user chose another).
 */
import { DateTime, IANAZone } from 'luxon';

export const ZXSUITE_FORMAT = 'dd/MM/yyyy HH:mm:ss';
export const DEFAULT_TIME_ZONE = 'UTC';

/** What a date argument may mean. `all` is only accepted where the caller allows it. */
export type DateSpec = { kind: 'instant'; at: number } | { kind: 'first' } | { kind: 'last' } | { kind: 'all' };

export type DateParseResult = { ok: true; value: DateSpec } | { ok: false; error: string };

/** Zone names already judged: luxon builds an Intl.DateTimeFormat per call (~80 µs), and every formatted date asks. */
const zoneValidity = new Map<string, boolean>();

export function isValidTimeZone(zone: string): boolean {
  // The default zone needs no check: asking Intl loads ICU's zone data (~60 ms at start-up).
  if (zone === 'UTC') return true;
  let ok = zoneValidity.get(zone);
  if (ok === undefined) {
    ok = IANAZone.isValidZone(zone);
    if (zoneValidity.size < 1000) zoneValidity.set(zone, ok);
  }
  return ok;
}

function zoneOrThrow(zone: string): string {
  if (!isValidTimeZone(zone)) throw new RangeError(`unknown time zone "${zone}"`);
  return zone;
}

/**
 * Parses zxsuite's `dd/MM/yyyy HH:mm:ss` (seconds optional), ISO 8601 and the
 * keywords first / last / all. A date without an offset is read in `zone`.
 */
export function parseDateSpec(
  input: string,
  zone: string = DEFAULT_TIME_ZONE,
  opts: { allowAll?: boolean } = {},
): DateParseResult {
  const text = input.trim();
  const lower = text.toLowerCase();
  if (lower === 'first' || lower === 'least_recent') return { ok: true, value: { kind: 'first' } };
  if (lower === 'last' || lower === 'most_recent' || lower === 'now') return { ok: true, value: { kind: 'last' } };
  if (lower === 'all') {
    return opts.allowAll ? { ok: true, value: { kind: 'all' } } : { ok: false, error: '"all" is not accepted here' };
  }
  if (!isValidTimeZone(zone)) return { ok: false, error: `unknown time zone "${zone}"` };
  const at = parseInstant(text, zone);
  if (at === undefined) {
    return { ok: false, error: `cannot read "${input}" as a date: use dd/MM/yyyy HH:mm:ss, ISO 8601 or first / last` };
  }
  return { ok: true, value: { kind: 'instant', at } };
}

/** An absolute instant from zxsuite or ISO text; undefined if the text is neither. */
export function parseInstant(text: string, zone: string = DEFAULT_TIME_ZONE): number | undefined {
  const t = text.trim();
  if (/^\d{1,2}\/\d{1,2}\/\d{4}/.test(t)) {
    for (const fmt of ['d/M/yyyy H:m:s', 'd/M/yyyy H:m', 'd/M/yyyy']) {
      const dt = DateTime.fromFormat(t, fmt, { zone });
      if (dt.isValid) return dt.toMillis();
    }
    return undefined;
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(t)) {
    const dt = DateTime.fromISO(t, { zone, setZone: true });
    return dt.isValid ? dt.toMillis() : undefined;
  }
  return undefined;
}

/** `dd/MM/yyyy HH:mm:ss` in the zone, as zxsuite prints dates. */
export function formatZxsuite(at: number, zone: string = DEFAULT_TIME_ZONE): string {
  return DateTime.fromMillis(at, { zone: zoneOrThrow(zone) }).toFormat(ZXSUITE_FORMAT);
}

/** ISO 8601 with the zone's offset (Z for UTC), for JSON output. */
export function formatIso(at: number, zone: string = DEFAULT_TIME_ZONE): string {
  const dt = DateTime.fromMillis(at, { zone: zoneOrThrow(zone) });
  return zone === 'UTC' ? dt.toUTC().toISO({ suppressMilliseconds: true })! : dt.toISO({ suppressMilliseconds: true })!;
}

/** An instant in a finding's message: ISO 8601 in UTC to the second (messages carry no zone setting). */
export function formatMessageDate(at: number): string {
  // What formatIso(at, 'UTC') prints, without luxon: the check's workers build many messages.
  return new Date(at).toISOString().replace('.000Z', 'Z');
}

/** An exact span in a finding's message: "1 h", "2 min 5 s", "250 ms" (every non-zero unit). */
export function formatSpan(ms: number): string {
  if (!Number.isFinite(ms)) return 'open-ended';
  let rest = Math.abs(Math.round(ms));
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['min', 60_000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n} ${unit}`);
  }
  return (ms < 0 ? '-' : '') + (parts.join(' ') || '0 ms');
}

/** A human duration such as "3 d 4 h" or "12 min", for "how long a state lasted". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'open-ended';
  const s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts: string[] = [];
  if (d) parts.push(`${d} d`);
  if (h) parts.push(`${h} h`);
  if (m && d === 0) parts.push(`${m} min`);
  if (parts.length === 0) parts.push(`${s % 60} s`);
  return (ms < 0 && s > 0 ? '-' : '') + parts.join(' ');
}

/** Date in a customizations archive name: `dd_MM_yy#HH_mm_ss`. */
export function parseArchiveStamp(stamp: string, zone: string = DEFAULT_TIME_ZONE): number | undefined {
  const dt = DateTime.fromFormat(stamp, 'dd_MM_yy#HH_mm_ss', { zone });
  return dt.isValid ? dt.toMillis() : undefined;
}

export function formatArchiveStamp(at: number, zone: string = DEFAULT_TIME_ZONE): string {
  return DateTime.fromMillis(at, { zone: zoneOrThrow(zone) }).toFormat('dd_MM_yy#HH_mm_ss');
}

/** Epoch values below this are taken as seconds, not milliseconds (10^11 ms is March 1973). */
export const SECONDS_THRESHOLD = 1e11;
/** Year 10000: anything at or past it is a "never ends" sentinel (e.g. Java Long.MAX_VALUE). */
export const FAR_FUTURE = 253402300800000;
