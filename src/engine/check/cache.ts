/**
 * The check's memory between runs: per file, its stat (size, mtime, inode), its
 * findings and the facts cross-file checks need. One SQLite file per backup path
 * (realpath), level and rule version, always OUTSIDE the backup path.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { defaultCacheDir, isInside } from '../cacheDir';
import type { Finding } from '../findings';
import { openSqlite, type SqlDb } from '../sqlite';
import type { CacheRecord, FileFacts, FileStat } from './types';

/** Bump when a rule changes what a file yields: old caches are then ignored. */
export const CHECK_RULES_VERSION = 4;

export interface CachedFile {
  stat: FileStat;
  findings: Finding[];
  facts: FileFacts;
}

/** A row as stored: findings and facts stay JSON text until the file turns out unchanged. */
export interface CachedRow {
  size: number;
  mtime: number;
  ino: number;
  findings: string;
  facts: string;
}

export { defaultCacheDir };

export class CheckCache {
  private readonly db: SqlDb;
  private pending: CacheRecord[] = [];
  readonly file: string;

  /** `variant` holds what changes results besides the file (level, options). */
  constructor(dir: string, realRoot: string, variant: string) {
    if (isInside(dir, realRoot)) throw new Error(`the cache folder ${dir} is inside the backup path`);
    mkdirSync(dir, { recursive: true });
    const key = createHash('sha256')
      .update(`${realRoot}\0${variant}\0v${CHECK_RULES_VERSION}`)
      .digest('hex')
      .slice(0, 32);
    this.file = path.join(dir, `check-${key}.sqlite`);
    // The SQLite port loads its driver only now: a runtime without one still runs the check (io.cache-unavailable).
    this.db = openSqlite(this.file);
    this.db.exec('PRAGMA busy_timeout = 5000');
    this.db.exec('PRAGMA journal_mode = WAL');
    this.db.exec('PRAGMA synchronous = NORMAL');
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS files (rel TEXT PRIMARY KEY, size INTEGER, mtime REAL, ino INTEGER, findings TEXT, facts TEXT) WITHOUT ROWID',
    );
    this.db.exec('CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT)');
    this.db.run('INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)', ['root', `${realRoot} ${variant}`]);
  }

  /** One file's row, decoded only once the worker says the file is unchanged. */
  row(rel: string): CachedRow | undefined {
    return this.db.get<CachedRow>('SELECT size, mtime, ino, findings, facts FROM files WHERE rel = ?', [rel]);
  }

  /** Every row of the files under these folders, by rel: one range query per folder. */
  folders(folderRels: readonly string[]): Map<string, CachedRow> {
    const out = new Map<string, CachedRow>();
    // '/' + 1 = '0': the range holds exactly the rels that start with `folder/`.
    for (const folder of folderRels)
      for (const row of this.db.iterate<CachedRow & { rel: string }>(
        'SELECT rel, size, mtime, ino, findings, facts FROM files WHERE rel > ? AND rel < ?',
        [`${folder}/`, `${folder}0`],
      ))
        out.set(row.rel, row);
    return out;
  }

  decode(row: CachedRow): CachedFile {
    return {
      stat: { size: row.size, mtimeMs: row.mtime, ino: row.ino },
      findings: JSON.parse(row.findings) as Finding[],
      facts: JSON.parse(row.facts) as FileFacts,
    };
  }

  put(rel: string, stat: FileStat, findings: readonly Finding[], facts: FileFacts): void {
    this.pending.push([rel, stat.size, stat.mtimeMs, stat.ino, JSON.stringify(findings), JSON.stringify(facts)]);
    if (this.pending.length >= 2000) this.flush();
  }

  /** Results serialised where they were made (a worker): stored as they are. */
  putRecords(records: readonly CacheRecord[]): void {
    for (const r of records) this.pending.push(r);
    if (this.pending.length >= 2000) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    this.db.transaction(() => {
      for (const r of rows)
        this.db.run(
          'INSERT OR REPLACE INTO files (rel, size, mtime, ino, findings, facts) VALUES (?, ?, ?, ?, ?, ?)',
          r,
        );
    });
  }

  close(): void {
    this.flush();
    this.db.close();
  }
}
