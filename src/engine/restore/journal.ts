/**
 * A restore's journal: one JSON line per step, appended before and after each write, in
 * the cache folder (never in the target, never in the backup path). A rerun of the same
 * restore reads it and skips what is done; a write that began but was never recorded as
 * done is looked for in the target before anything is written again (exactly one copy).
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { defaultCacheDir, isInside } from '../cacheDir';
import { JsonLinesWriter, readJsonLines } from '../format/jsonLines';

export type RestoreJournalLine =
  | { t: 'start'; identity: Record<string, unknown>; at: number }
  | { t: 'begin'; key: string; info: Record<string, unknown> }
  | { t: 'done'; key: string; ref: string }
  | { t: 'finish'; at: number };

/** At most this long between two fdatasyncs: a kill -9 loses nothing (the kernel has the bytes); a power cut at most the last second. */
const SYNC_INTERVAL_MS = 1000;

export class RestoreJournal {
  readonly done = new Map<string, string>();
  readonly begun = new Map<string, Record<string, unknown>>();
  private writer: JsonLinesWriter<RestoreJournalLine> | undefined;
  private lastSync = Date.now();

  private constructor(
    readonly file: string,
    readonly identity: Record<string, unknown>,
  ) {}

  /** The journal of the restore named by `identity` (backup, account, what, when, where). */
  static open(
    identity: Record<string, unknown>,
    opts: { cacheDir?: string; forbidden?: readonly string[]; readOnly?: boolean } = {},
  ): RestoreJournal {
    const dir = path.join(opts.cacheDir ?? defaultCacheDir(), 'restores');
    for (const f of opts.forbidden ?? [])
      if (isInside(dir, f)) throw new Error(`the cache folder ${dir} lies inside ${f}: set $ZXB_CACHE_DIR elsewhere`);
    const id = createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 32);
    const j = new RestoreJournal(path.join(dir, `${id}.jsonl`), identity);
    j.load();
    if (!opts.readOnly) {
      j.writer = new JsonLinesWriter(j.file, 0o600);
      if (j.done.size === 0 && j.begun.size === 0) j.append({ t: 'start', identity, at: Date.now() });
    }
    return j;
  }

  private load(): void {
    // A line cut by a crash is the last one and incomplete: skipped.
    for (const l of readJsonLines<RestoreJournalLine>(this.file)) {
      if (l.t === 'begin') this.begun.set(l.key, l.info);
      else if (l.t === 'done') {
        this.done.set(l.key, l.ref);
        this.begun.delete(l.key);
      }
    }
  }

  private append(l: RestoreJournalLine): void {
    if (this.writer === undefined) return;
    this.writer.append(l);
    if (Date.now() - this.lastSync >= SYNC_INTERVAL_MS) this.sync();
  }

  begin(key: string, info: Record<string, unknown>): void {
    this.begun.set(key, info);
    this.append({ t: 'begin', key, info });
  }

  markDone(key: string, ref: string): void {
    this.done.set(key, ref);
    this.begun.delete(key);
    this.append({ t: 'done', key, ref });
  }

  sync(): void {
    if (this.writer === undefined) return;
    this.writer.sync();
    this.lastSync = Date.now();
  }

  close(finished: boolean): void {
    if (this.writer === undefined) return;
    if (finished) this.append({ t: 'finish', at: Date.now() });
    this.sync();
    this.writer.close();
    this.writer = undefined;
  }
}
