/**
 * Opening a catalogue file without trusting it. It is a cache: whatever is wrong with it
 * (not a SQLite file, truncated, a failed open, another layout version, rows of another
 * backup that was at the same path) costs a rebuild, never a wrong answer. Two processes
 * (the CLI and the language server) may open it at once: WAL lets readers run beside a
 * writer, the busy timeout makes a second writer wait, and the checks and any reset run
 * inside one IMMEDIATE transaction so that only one process does them.
 * Half-written work needs no marker of its own: rows are written in committed batches,
 * and an account counts as indexed only once its `accounts` row (written last) exists.
 */
import { closeSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { EngineError, finding } from '../findings';
import { openSqlite, sqliteDriver, type SqlDb } from '../sqlite';
import { CATALOGUE_TABLES, CATALOGUE_VERSION, createSchema } from './schema';

export interface CatalogueOpenNote {
  /** Why the file found was not used: it was replaced by an empty catalogue. */
  reason: string;
}

const MAGIC = 'SQLite format 3\0';

/** What is wrong with the file's header, if anything (a missing or empty file is fine: it is new). */
export function headerProblem(file: string): string | undefined {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return undefined;
  }
  if (size === 0) return undefined;
  if (size < 100) return `it is ${size} bytes long, shorter than a SQLite header`;
  const head = Buffer.alloc(100);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  if (head.toString('latin1', 0, 16) !== MAGIC) return 'it is not a SQLite file';
  const raw = head.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  const pages = head.readUInt32BE(28);
  // The in-header size is valid when its change counter matches (SQLite ≥ 3.7.0 keeps it so).
  const valid = head.readUInt32BE(24) === head.readUInt32BE(92);
  // With a write-ahead log present a checkpoint may be under way (page 1 written before the file grows):
  // SQLite's own errors judge that case.
  if (valid && pages > 0 && size < pages * pageSize && !hasWal(file))
    return `it is truncated (${size} bytes, its header says ${pages * pageSize})`;
  return undefined;
}

function hasWal(file: string): boolean {
  try {
    return statSync(`${file}-wal`).size > 0;
  } catch {
    return false;
  }
}

/** SQLite's "corrupt" and "not a database" errors, under both drivers. */
export function isCorruption(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as Error & { code?: unknown; errcode?: unknown };
  if (e.errcode === 11 || e.errcode === 26) return true;
  return /SQLITE_CORRUPT|SQLITE_NOTADB/.test(String(e.code)) || /malformed|not a database/i.test(e.message);
}

function removeFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(file + suffix, { force: true });
}

function connect(file: string, env: NodeJS.ProcessEnv | undefined): SqlDb {
  const db = openSqlite(file, env ? { env } : {});
  try {
    // Before anything that takes a lock: switching to WAL does.
    db.exec('PRAGMA busy_timeout = 10000');
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Checks the layout version, the backup identity and that every table is there; resets
 * the rows in place (another process may hold the file open) when one does not match.
 */
function settle(db: SqlDb, identity: string): string | undefined {
  return db.transaction(() => {
    const tables = new Set(db.column<string>("SELECT name FROM sqlite_master WHERE type IN ('table')"));
    if (tables.size === 0) {
      createSchema(db);
      writeMeta(db, identity);
      return undefined;
    }
    let reason: string | undefined;
    if (!tables.has('meta')) reason = 'it has no meta table';
    else {
      const version = db.value<string>("SELECT v FROM meta WHERE k = 'version'");
      const root = db.value<string>("SELECT v FROM meta WHERE k = 'identity'");
      const missing = CATALOGUE_TABLES.filter((t) => !tables.has(t));
      if (version !== String(CATALOGUE_VERSION))
        reason = `it has layout version ${version ?? 'none'}, this is ${CATALOGUE_VERSION}`;
      else if (root !== identity) reason = 'it was made for another backup at this path';
      else if (missing.length > 0) reason = `it lacks the table(s) ${missing.join(', ')}`;
      else {
        // Touch every table once: a damaged page under them throws here rather than in a query.
        for (const t of CATALOGUE_TABLES) db.value(`SELECT 1 FROM ${t} LIMIT 1`);
      }
    }
    if (reason === undefined) return undefined;
    for (const t of CATALOGUE_TABLES) db.exec(`DROP TABLE IF EXISTS ${t}`);
    createSchema(db);
    writeMeta(db, identity);
    return reason;
  });
}

function writeMeta(db: SqlDb, identity: string): void {
  db.run("INSERT OR REPLACE INTO meta (k, v) VALUES ('version', ?), ('identity', ?), ('created', ?)", [
    String(CATALOGUE_VERSION),
    identity,
    new Date().toISOString(),
  ]);
}

/** Opens the file, rebuilding it when it cannot be trusted; throws io.cache-unavailable without a driver. */
export function openCatalogueDb(
  file: string,
  identity: string,
  env?: NodeJS.ProcessEnv,
): { db: SqlDb; rebuilt: CatalogueOpenNote | undefined } {
  const pick = sqliteDriver(env);
  if ('reason' in pick) throw new EngineError(finding('io.cache-unavailable', '', pick.reason));
  let reason = headerProblem(file);
  if (reason !== undefined) removeFiles(file);
  for (let attempt = 0; ; attempt++) {
    let db: SqlDb | undefined;
    try {
      db = connect(file, env);
      const reset = settle(db, identity);
      reason ??= reset;
      return { db, rebuilt: reason === undefined ? undefined : { reason } };
    } catch (err) {
      db?.close();
      if (attempt > 0 || !isCorruption(err)) throw err;
      reason = `SQLite reports it damaged (${err instanceof Error ? err.message : String(err)})`;
      removeFiles(file);
    }
  }
}

/** SQLite's own page-by-page check (reads the whole file: for `zxb catalogue --status`). */
export function quickCheck(db: SqlDb): string {
  const rows = db.column<string>('PRAGMA quick_check');
  return rows.join('; ');
}
