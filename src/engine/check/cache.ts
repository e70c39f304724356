/**
 * The check's memory between runs: per file, its stat (size, mtime, inode), its
 * findings and the facts cross-file checks need. One SQLite file per backup path
 * (realpath), level and rule version, always OUTSIDE the backup path.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
// Types only: the native module is required when a cache opens, so a runtime that cannot load it still runs the check.
import type Database from 'better-sqlite3';
import { defaultCacheDir, isInside } from '../cacheDir';
import type { Finding } from '../findings';
import type { FileFacts, FileStat } from './types';

/** Bump when a rule changes what a file yields: old caches are then ignored. */
export const CHECK_RULES_VERSION = 1;

export interface CachedFile {
  stat: FileStat;
  findings: Finding[];
  facts: FileFacts;
}

export { defaultCacheDir };

export class CheckCache {
  private readonly db: Database.Database;
  private readonly getStmt: Database.Statement<[string], { size: number; mtime: number; ino: number; findings: string; facts: string }>;
  private readonly putStmt: Database.Statement<[string, number, number, number, string, string]>;
  private readonly delStmt: Database.Statement<[string]>;
  private pending: [string, number, number, number, string, string][] = [];
  readonly file: string;

  /** `variant` holds what changes results besides the file (level, options). */
  constructor(dir: string, realRoot: string, variant: string) {
    if (isInside(dir, realRoot)) throw new Error(`the cache folder ${dir} is inside the backup path`);
    mkdirSync(dir, { recursive: true });
    const key = createHash('sha256').update(`${realRoot}\0${variant}\0v${CHECK_RULES_VERSION}`).digest('hex').slice(0, 32);
    this.file = path.join(dir, `check-${key}.sqlite`);
    const Sqlite = require('better-sqlite3') as typeof Database;
    this.db = new Sqlite(this.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec('CREATE TABLE IF NOT EXISTS files (rel TEXT PRIMARY KEY, size INTEGER, mtime REAL, ino INTEGER, findings TEXT, facts TEXT) WITHOUT ROWID');
    this.db.exec('CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT)');
    this.db.prepare('INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)').run('root', `${realRoot} ${variant}`);
    this.getStmt = this.db.prepare('SELECT size, mtime, ino, findings, facts FROM files WHERE rel = ?');
    this.putStmt = this.db.prepare('INSERT OR REPLACE INTO files (rel, size, mtime, ino, findings, facts) VALUES (?, ?, ?, ?, ?, ?)');
    this.delStmt = this.db.prepare('DELETE FROM files WHERE rel = ?');
  }

  get(rel: string): CachedFile | undefined {
    const row = this.getStmt.get(rel);
    if (!row) return undefined;
    return { stat: { size: row.size, mtimeMs: row.mtime, ino: row.ino }, findings: JSON.parse(row.findings) as Finding[], facts: JSON.parse(row.facts) as FileFacts };
  }

  /** The stat only, to ask a worker "still the same?" without decoding the rest. */
  stat(rel: string): FileStat | undefined {
    const row = this.getStmt.get(rel);
    return row ? { size: row.size, mtimeMs: row.mtime, ino: row.ino } : undefined;
  }

  put(rel: string, stat: FileStat, findings: readonly Finding[], facts: FileFacts): void {
    this.pending.push([rel, stat.size, stat.mtimeMs, stat.ino, JSON.stringify(findings), JSON.stringify(facts)]);
    if (this.pending.length >= 2000) this.flush();
  }

  forget(rel: string): void {
    this.flush();
    this.delStmt.run(rel);
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    this.db.transaction(() => {
      for (const r of rows) this.putStmt.run(...r);
    })();
  }

  close(): void {
    this.flush();
    this.db.close();
  }
}
