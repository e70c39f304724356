/**
 * The purge journal (docs/backup-format.md §11, §12.3): `.zxb-state/purge/<stamp>-<pid>.jsonl`,
 * one JSON object a line. It is written crash-safely with the whole plan before anything
 * is removed; then one line per removal, flushed; then an end line. A journal without an
 * end line belongs to an interrupted purge, which the next purge finishes first. Journals
 * are kept: they are the record of what a purge took out of the backup.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { fsyncDirSync, writeFileAtomicSync } from '../format/atomic';
import { JsonLinesWriter, readJsonLines } from '../format/jsonLines';
import { STATE_DIR } from '../layout';
import type { PurgeEntry } from './purgePlan';

export const PURGE_JOURNAL_DIR = `${STATE_DIR}/purge`;
export const JOURNAL_FORMAT = 'zxb-purge-journal';

export interface JournalHeader {
  type: 'plan';
  format: typeof JOURNAL_FORMAT;
  version: 1;
  created: string;
  backupPath: string;
  now: number;
  purgeDays: number;
  entries: number;
}

export type JournalLine =
  | JournalHeader
  | ({ type: 'entry'; n: number } & PurgeEntry)
  /** removed: unlinked by this purge; gone: already missing when its turn came (or on resume); skipped: changed since planned. */
  | { type: 'removed' | 'gone' | 'skipped'; n: number; at: string; note?: string }
  | { type: 'end'; status: 'done' | 'superseded'; at: string; by?: string };

export interface JournalRead {
  /** Relative to the backup path. */
  rel: string;
  header?: JournalHeader;
  entries: (PurgeEntry & { n: number })[];
  /** Entry numbers with a removed / gone / skipped line. */
  settled: Set<number>;
  ended: boolean;
}

export function readJournal(root: string, rel: string): JournalRead {
  const out: JournalRead = { rel, entries: [], settled: new Set(), ended: false };
  // A line cut by a power loss is skipped: the removal it recorded is checked again on resume.
  for (const v of readJsonLines<JournalLine>(path.join(root, rel))) {
    if (v.type === 'plan') out.header = v;
    else if (v.type === 'entry') out.entries.push(v);
    else if (v.type === 'end') out.ended = true;
    else out.settled.add(v.n);
  }
  return out;
}

/** Every journal of an interrupted purge, oldest first. */
export function unfinishedJournals(root: string): JournalRead[] {
  let names: string[];
  try {
    names = readdirSync(path.join(root, PURGE_JOURNAL_DIR));
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith('.jsonl') && !n.startsWith('.'))
    .sort()
    .map((n) => readJournal(root, `${PURGE_JOURNAL_DIR}/${n}`))
    .filter((j) => !j.ended && j.header?.format === JOURNAL_FORMAT);
}

export class JournalWriter {
  private readonly writer: JsonLinesWriter<JournalLine>;

  private constructor(
    readonly root: string,
    readonly rel: string,
  ) {
    this.writer = new JsonLinesWriter(path.join(root, rel));
  }

  /** Writes the plan crash-safely: after this returns, a crash leaves the whole plan on disk. */
  static create(
    root: string,
    header: Omit<JournalHeader, 'type' | 'format' | 'version' | 'created' | 'entries'>,
    entries: readonly PurgeEntry[],
    now = new Date(),
  ): JournalWriter {
    const stamp = now
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const rel = `${PURGE_JOURNAL_DIR}/${stamp}-${process.pid}.jsonl`;
    const dir = path.join(root, PURGE_JOURNAL_DIR);
    ensureDir(root, dir);
    const head: JournalHeader = {
      type: 'plan',
      format: JOURNAL_FORMAT,
      version: 1,
      created: now.toISOString(),
      ...header,
      entries: entries.length,
    };
    const lines = [JSON.stringify(head), ...entries.map((e, n) => JSON.stringify({ type: 'entry', n, ...e }))];
    writeFileAtomicSync(path.join(root, rel), lines.join('\n') + '\n');
    return new JournalWriter(root, rel);
  }

  static append(root: string, rel: string): JournalWriter {
    return new JournalWriter(root, rel);
  }

  /** One line, flushed to disk before the next removal. */
  write(line: JournalLine): void {
    this.writer.append(line);
    this.writer.sync();
  }

  close(): void {
    this.writer.close();
  }
}

/** mkdir -p with every new folder flushed into its parent. */
function ensureDir(root: string, dir: string): void {
  const rel = path.relative(root, dir).split(path.sep);
  let cur = root;
  for (const part of rel) {
    const next = path.join(cur, part);
    try {
      readdirSync(next);
    } catch {
      try {
        mkdirSync(next);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      fsyncDirSync(cur);
    }
    cur = next;
  }
}
