/**
 * Append-only JSON Lines journals, the one mechanism behind the purge journal, the restore
 * journal and the scan state journal: one JSON value per line, appended with one write each;
 * read back skipping a torn line (a crash mid-write cuts the last line only, and what it
 * recorded is judged again by its reader). When to flush is each journal's own policy
 * (every line, every second, per batch), so the writer only offers `sync`.
 */
import { closeSync, fdatasyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The values of a journal, in order; a line that is not JSON (torn by a crash) is skipped.
 * A missing file is an empty journal; any other read error is thrown.
 */
export function readJsonLines<T>(file: string): T[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // a torn last line
    }
  }
  return out;
}

/** Appends values to a journal file, opened (its folder made) on the first append after creation or `close`. */
export class JsonLinesWriter<T> {
  private fd: number | undefined;

  constructor(
    readonly file: string,
    private readonly mode = 0o644,
  ) {}

  /** One line, one write(2): after a kill -9 the kernel has it; `sync` makes it survive a power cut. */
  append(value: T): void {
    if (this.fd === undefined) {
      mkdirSync(path.dirname(this.file), { recursive: true });
      this.fd = openSync(this.file, 'a', this.mode);
    }
    writeSync(this.fd, JSON.stringify(value) + '\n');
  }

  /** Flushes what was appended (fdatasync: the data and the size, which is all a journal needs). */
  sync(): void {
    if (this.fd !== undefined) fdatasyncSync(this.fd);
  }

  /** Closes (idempotent; `sync` first for what must survive a power cut). */
  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}
