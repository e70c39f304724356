/**
 * What every command gets from the command line: the time zone, the cancellation
 * signal, progress, and helpers to open a backup path and read date arguments.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  BackupPath,
  DEFAULT_TIME_ZONE,
  EngineError,
  isValidTimeZone,
  parseDateSpec,
  type DateSpec,
  type Finding,
  type ProgressSink,
} from '../engine';
import { usageError } from './errors';

/** Options of the program itself, valid before or after the command name. */
export interface GlobalOptions {
  tz?: string;
  schemaDir?: string;
  color?: boolean;
  debug?: boolean;
  /** `auto`, `lines`, `json` or `none` (main.ts attaches the value, see progressView.ts). */
  progress?: string;
}

export interface CliContext {
  zone: string;
  json: boolean;
  /** Passed through for schema validation (done elsewhere); checked to exist. */
  schemaDir?: string;
  signal: AbortSignal;
  progress: ProgressSink;
  stdoutIsTty: boolean;
}

/** What a command hands back to main.ts, which prints it and picks the exit code. */
export interface CommandResult {
  findings: Finding[];
  /** The `--json` document. */
  json: unknown;
  /** The human-readable output. */
  text: string;
  /** Raw bytes for stdout instead of `text` (getItem --dump-blob without --json). */
  raw?: Buffer;
  /**
   * What was asked about is damaged or could not be read (exit code 1): the check's error
   * findings, an unreadable item or map file. Findings met on the way in other files do not count.
   */
  failed?: boolean;
  /** Stopped early by Ctrl-C with partial results in the output (exit code 3); only the check has them. */
  interrupted?: boolean;
  /**
   * Findings are listed at the end of stdout, not on stderr: the read-only info commands, whose
   * job is not to judge the files they read on the way (`zxb … && …` must not break on them).
   */
  findingsInOutput?: boolean;
}

export function resolveZone(tz: string | undefined): string {
  const zone = tz ?? DEFAULT_TIME_ZONE;
  if (!isValidTimeZone(zone))
    usageError(`--tz: unknown time zone "${zone}"; use an IANA name such as Europe/Rome or UTC`);
  return zone;
}

export async function checkSchemaDir(dir: string | undefined): Promise<string | undefined> {
  if (dir === undefined) return undefined;
  const abs = path.resolve(dir);
  try {
    if ((await fs.stat(abs)).isDirectory()) return abs;
  } catch {
    usageError(`--schema-dir: ${abs} does not exist`, 'io.not-found', abs);
  }
  usageError(`--schema-dir: ${abs} is not a folder`, 'usage.bad-argument', abs);
}

/** Opens a backup path; every failure is an EngineError (exit code 2), never a bare exception. */
export async function openBackup(root: string): Promise<BackupPath> {
  try {
    return await BackupPath.open(root);
  } catch (err) {
    if (err instanceof EngineError) throw err;
    usageError(`cannot open ${path.resolve(root)}: ${(err as Error).message}`, 'io.unreadable', path.resolve(root));
  }
}

export type PointSpec = Exclude<DateSpec, { kind: 'all' }>;

/** A date option (dd/MM/yyyy HH:mm:ss, ISO 8601, first, last) read in the zone; a bad one stops with exit code 2. */
export function readDate(
  option: string,
  text: string | undefined,
  zone: string,
  fallback: DateSpec = { kind: 'last' },
): DateSpec {
  if (text === undefined) return fallback;
  const parsed = parseDateSpec(text, zone, { allowAll: true });
  if (!parsed.ok) usageError(`${option}: ${parsed.error}`, 'usage.bad-date');
  return parsed.value;
}

export function readPointDate(
  option: string,
  text: string | undefined,
  zone: string,
  fallback: PointSpec = { kind: 'last' },
): PointSpec {
  const spec = readDate(option, text, zone, fallback);
  if (spec.kind === 'all')
    usageError(`${option}: "all" is not accepted here; give a date, first or last`, 'usage.bad-date');
  return spec;
}

/** An instant-only option such as --before: first/last/all make no sense there. */
export function readInstant(option: string, text: string | undefined, zone: string): number | undefined {
  if (text === undefined) return undefined;
  const spec = readDate(option, text, zone);
  if (spec.kind !== 'instant')
    usageError(`${option}: give a date (dd/MM/yyyy HH:mm:ss or ISO 8601), not "${text}"`, 'usage.bad-date');
  return spec.at;
}

export function readItemId(text: string): number {
  if (!/^\d{1,10}$/.test(text.trim()))
    usageError(`"${text}" is not an item id (a decimal number)`, 'usage.bad-argument');
  return Number(text.trim());
}
