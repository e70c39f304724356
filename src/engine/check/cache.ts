/**
 * The check's memory between runs: per file, its stat (size, mtime, inode), its
 * findings and the facts cross-file checks need. One SQLite file per backup path
 * (realpath), level and rule version, always OUTSIDE the backup path. Where no SQLite
 * driver loads (the packaged VSIX in a Node 20 extension host), the rows are kept in this
 * process's memory instead, for the last backup path checked: the language server lives
 * as long as the window, so its second check is a warm one too (issue 14 §7).
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { defaultCacheDir, isInside } from '../cacheDir';
import type { Finding } from '../findings';
import { openSqlite, sqliteDriver, type SqlDb } from '../sqlite';
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

/** Where the rows live: a SQLite file, or this process's memory. */
interface RowStore {
  readonly file: string;
  row(rel: string): CachedRow | undefined;
  /** Rows whose rel starts with `folder/`. */
  under(folder: string): Iterable<[string, CachedRow]>;
  write(rows: readonly CacheRecord[]): void;
  close(): void;
}

class SqliteRowStore implements RowStore {
  private readonly db: SqlDb;

  constructor(
    readonly file: string,
    rootLine: string,
  ) {
    this.db = openSqlite(file);
    this.db.exec('PRAGMA busy_timeout = 5000');
    this.db.exec('PRAGMA journal_mode = WAL');
    this.db.exec('PRAGMA synchronous = NORMAL');
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS files (rel TEXT PRIMARY KEY, size INTEGER, mtime REAL, ino INTEGER, findings TEXT, facts TEXT) WITHOUT ROWID',
    );
    this.db.exec('CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT)');
    this.db.run('INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)', ['root', rootLine]);
  }

  row(rel: string): CachedRow | undefined {
    return this.db.get<CachedRow>('SELECT size, mtime, ino, findings, facts FROM files WHERE rel = ?', [rel]);
  }

  *under(folder: string): Iterable<[string, CachedRow]> {
    // '/' + 1 = '0': the range holds exactly the rels that start with `folder/`.
    for (const { rel, ...row } of this.db.iterate<CachedRow & { rel: string }>(
      'SELECT rel, size, mtime, ino, findings, facts FROM files WHERE rel > ? AND rel < ?',
      [`${folder}/`, `${folder}0`],
    ))
      yield [rel, row];
  }

  write(rows: readonly CacheRecord[]): void {
    this.db.transaction(() => {
      for (const r of rows)
        this.db.run(
          'INSERT OR REPLACE INTO files (rel, size, mtime, ino, findings, facts) VALUES (?, ?, ?, ?, ?, ?)',
          r,
        );
    });
  }

  close(): void {
    this.db.close();
  }
}

/**
 * The rows of one cache key in memory, kept for the process's life; only the last key is
 * kept (a window checks one backup path), so memory stays that of one backup's results.
 */
class MemoryRowStore implements RowStore {
  private static last: { key: string; byFolder: Map<string, Map<string, CachedRow>> } | undefined;
  /** Rows by the folder they lie in, so `under` reads only its folders. */
  private readonly byFolder: Map<string, Map<string, CachedRow>>;

  constructor(
    readonly file: string,
    key: string,
  ) {
    if (MemoryRowStore.last?.key !== key) MemoryRowStore.last = { key, byFolder: new Map() };
    this.byFolder = MemoryRowStore.last.byFolder;
  }

  row(rel: string): CachedRow | undefined {
    return this.byFolder.get(path.posix.dirname(rel))?.get(rel);
  }

  *under(folder: string): Iterable<[string, CachedRow]> {
    const prefix = `${folder}/`;
    for (const [dir, rows] of this.byFolder) if (dir === folder || dir.startsWith(prefix)) yield* rows;
  }

  write(rows: readonly CacheRecord[]): void {
    for (const [rel, size, mtime, ino, findings, facts] of rows) {
      const dir = path.posix.dirname(rel);
      let inDir = this.byFolder.get(dir);
      if (!inDir) this.byFolder.set(dir, (inDir = new Map()));
      inDir.set(rel, { size, mtime, ino, findings, facts });
    }
  }

  close(): void {
    /* kept for the next check in this process */
  }
}

export class CheckCache {
  private readonly store: RowStore;
  private pending: CacheRecord[] = [];
  /** The SQLite file, or `memory:<key>` where no SQLite driver loads. */
  readonly file: string;

  /** `variant` holds what changes results besides the file (level, options). */
  constructor(dir: string, realRoot: string, variant: string) {
    if (isInside(dir, realRoot)) throw new Error(`the cache folder ${dir} is inside the backup path`);
    const key = createHash('sha256')
      .update(`${realRoot}\0${variant}\0v${CHECK_RULES_VERSION}`)
      .digest('hex')
      .slice(0, 32);
    if ('reason' in sqliteDriver()) {
      this.file = `memory:check-${key}`;
      this.store = new MemoryRowStore(this.file, key);
      return;
    }
    mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, `check-${key}.sqlite`);
    this.store = new SqliteRowStore(this.file, `${realRoot} ${variant}`);
  }

  /** One file's row, decoded only once the worker says the file is unchanged. */
  row(rel: string): CachedRow | undefined {
    return this.store.row(rel);
  }

  /** Every row of the files under these folders, by rel: one range query per folder. */
  folders(folderRels: readonly string[]): Map<string, CachedRow> {
    const out = new Map<string, CachedRow>();
    for (const folder of folderRels) for (const [rel, row] of this.store.under(folder)) out.set(rel, row);
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
    this.store.write(rows);
  }

  close(): void {
    this.flush();
    this.store.close();
  }
}
