/**
 * The one SQLite port of the engine: the catalogue and the check's cache code against
 * `SqlDb`, never against a driver. Two drivers, tried in this order:
 * - `node:sqlite`, built into Node ≥ 22.13 (every VS Code ≥ 1.101, current code-server):
 *   always matches its runtime, has FTS5;
 * - `better-sqlite3` 12, a native module, where it loads (the CLI on Node 20; it cannot
 *   load in a runtime whose ABI differs from the one it was built for).
 * Where neither loads, `openSqlite` throws an EngineError (io.cache-unavailable) naming
 * why each failed; callers then read item files, which gives the same answers, slower.
 * `ZXB_SQLITE=node:sqlite|better-sqlite3|none` forces a choice (tests, support).
 */
import { EngineError, finding } from './findings';

export type SqliteDriverName = 'node:sqlite' | 'better-sqlite3';
export type SqlValue = number | string | bigint | null | Uint8Array;
/** Named (`@name` in the SQL, keys without the `@`) or positional (`?`) parameters. */
export type SqlParams = Readonly<Record<string, SqlValue>> | readonly SqlValue[];

export interface SqlDb {
  readonly driver: SqliteDriverName;
  readonly file: string;
  readonly isOpen: boolean;
  exec(sql: string): void;
  run(sql: string, params?: SqlParams): { changes: number; lastInsertRowid: number };
  get<T>(sql: string, params?: SqlParams): T | undefined;
  all<T>(sql: string, params?: SqlParams): T[];
  iterate<T>(sql: string, params?: SqlParams): IterableIterator<T>;
  /** The first column of the first row. */
  value<T>(sql: string, params?: SqlParams): T | undefined;
  /** The first column of every row. */
  column<T>(sql: string, params?: SqlParams): T[];
  /** `fn` inside BEGIN IMMEDIATE … COMMIT (ROLLBACK when it throws); nested calls join the outer one. */
  transaction<T>(fn: () => T): T;
  close(): void;
}

export interface OpenSqliteOptions {
  readonly?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** What a driver must offer: prepare a statement, run SQL text, close. */
interface RawStatement {
  run(...p: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...p: unknown[]): unknown;
  all(...p: unknown[]): unknown[];
  iterate(...p: unknown[]): IterableIterator<unknown>;
}
interface RawDb {
  prepare(sql: string): RawStatement;
  exec(sql: string): void;
  close(): void;
  /** Missing before Node 22.15's node:sqlite: then the port's own flag decides. */
  readonly isOpen?: boolean;
}
type Driver = { name: SqliteDriverName; open(file: string, readonly: boolean): RawDb };

const drivers: Record<SqliteDriverName, () => Driver> = {
  'node:sqlite': () => {
    const mod = requireQuietly(() => require('node:sqlite')) as {
      DatabaseSync: new (file: string, opts?: { readOnly?: boolean }) => RawDb;
    };
    return { name: 'node:sqlite', open: (file, readonly) => new mod.DatabaseSync(file, { readOnly: readonly }) };
  },
  'better-sqlite3': () => {
    const Database = require('better-sqlite3') as new (
      file: string,
      opts?: { readonly?: boolean },
    ) => RawDb & { open: boolean };
    // Probe once: a module built for another ABI throws here, not at require time.
    new Database(':memory:').close();
    return {
      name: 'better-sqlite3',
      open: (file, readonly) => {
        const db = new Database(file, { readonly });
        return Object.defineProperty(db, 'isOpen', { get: () => db.open }) as RawDb;
      },
    };
  },
};

const ORDER: readonly SqliteDriverName[] = ['node:sqlite', 'better-sqlite3'];
const loaded = new Map<SqliteDriverName, Driver | string>();

function load(name: SqliteDriverName): Driver | string {
  let d = loaded.get(name);
  if (d === undefined) {
    try {
      d = drivers[name]();
    } catch (err) {
      d = why(name, err);
    }
    loaded.set(name, d);
  }
  return d;
}

function why(name: SqliteDriverName, err: unknown): string {
  const msg = err instanceof Error ? err.message.split('\n')[0]! : String(err);
  if (name === 'node:sqlite' && /No such built-in module|Cannot find module/.test(msg))
    return `node:sqlite needs Node ≥ 22.13 (this is ${process.version})`;
  return `${name} cannot be loaded here (${msg})`;
}

/** The driver this process uses, or why there is none (io.cache-unavailable's message). */
export function sqliteDriver(env: NodeJS.ProcessEnv = process.env): { driver: SqliteDriverName } | { reason: string } {
  const forced = env['ZXB_SQLITE'] ?? process.env['ZXB_SQLITE'];
  if (forced === 'none') return { reason: 'SQLite is turned off (ZXB_SQLITE=none)' };
  const names: readonly SqliteDriverName[] = forced === 'node:sqlite' || forced === 'better-sqlite3' ? [forced] : ORDER;
  const reasons: string[] = [];
  for (const n of names) {
    const d = load(n);
    if (typeof d !== 'string') return { driver: d.name };
    reasons.push(d);
  }
  return { reason: `no SQLite driver: ${reasons.join('; ')}` };
}

/** Opens (creating unless read-only) a database file with the first driver that loads. */
export function openSqlite(file: string, opts: OpenSqliteOptions = {}): SqlDb {
  const pick = sqliteDriver(opts.env);
  if ('reason' in pick) throw new EngineError(finding('io.cache-unavailable', '', pick.reason));
  const d = load(pick.driver) as Driver;
  return new PortDb(d.name, file, d.open(file, opts.readonly ?? false));
}

/** `node:sqlite` prints an ExperimentalWarning on load (Node 22/24): noise in a CLI's stderr. */
function requireQuietly(load: () => unknown): unknown {
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (/SQLite/i.test(text)) return;
    (emit as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return load();
  } finally {
    process.emitWarning = emit;
  }
}

interface Prepared {
  stmt: RawStatement;
  /** Named parameters the SQL uses: only these are bound (node:sqlite refuses unknown ones). */
  names: string[];
}

class PortDb implements SqlDb {
  private readonly cache = new Map<string, Prepared>();
  private depth = 0;
  private closed = false;

  constructor(
    readonly driver: SqliteDriverName,
    readonly file: string,
    private readonly raw: RawDb,
  ) {}

  get isOpen(): boolean {
    return !this.closed && this.raw.isOpen !== false;
  }

  exec(sql: string): void {
    this.raw.exec(sql);
  }

  run(sql: string, params?: SqlParams): { changes: number; lastInsertRowid: number } {
    const r = this.call(sql, params, (s, p) => s.run(...p));
    return { changes: Number(r.changes), lastInsertRowid: Number(r.lastInsertRowid) };
  }

  get<T>(sql: string, params?: SqlParams): T | undefined {
    return this.call(sql, params, (s, p) => s.get(...p)) as T | undefined;
  }

  all<T>(sql: string, params?: SqlParams): T[] {
    return this.call(sql, params, (s, p) => s.all(...p)) as T[];
  }

  iterate<T>(sql: string, params?: SqlParams): IterableIterator<T> {
    return this.call(sql, params, (s, p) => s.iterate(...p)) as IterableIterator<T>;
  }

  value<T>(sql: string, params?: SqlParams): T | undefined {
    const row = this.get<Record<string, unknown>>(sql, params);
    return row === undefined ? undefined : (firstValue(row) as T);
  }

  column<T>(sql: string, params?: SqlParams): T[] {
    return this.all<Record<string, unknown>>(sql, params).map((r) => firstValue(r) as T);
  }

  transaction<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    // IMMEDIATE: take the write lock at the start, so a second process waits (busy_timeout)
    // instead of failing when a read transaction would have to be upgraded.
    this.raw.exec('BEGIN IMMEDIATE');
    this.depth++;
    try {
      const out = fn();
      this.raw.exec('COMMIT');
      return out;
    } catch (err) {
      if (this.isOpen) this.raw.exec('ROLLBACK');
      throw err;
    } finally {
      this.depth--;
    }
  }

  close(): void {
    this.cache.clear();
    if (this.isOpen) this.raw.close();
    this.closed = true;
  }

  private call<R>(sql: string, params: SqlParams | undefined, fn: (s: RawStatement, p: unknown[]) => R): R {
    let p = this.cache.get(sql);
    if (!p) {
      p = { stmt: this.raw.prepare(sql), names: [...new Set([...sql.matchAll(/@([A-Za-z_]\w*)/g)].map((m) => m[1]!))] };
      this.cache.set(sql, p);
    }
    if (params === undefined || (p.names.length === 0 && !Array.isArray(params))) return fn(p.stmt, []);
    if (Array.isArray(params)) return fn(p.stmt, params as unknown[]);
    const named = params as Readonly<Record<string, SqlValue>>;
    const bound: Record<string, SqlValue> = {};
    for (const n of p.names) {
      const v = named[n];
      if (v === undefined) throw new Error(`missing SQL parameter @${n}`);
      bound[n] = v;
    }
    return fn(p.stmt, [bound]);
  }
}

function firstValue(row: Record<string, unknown>): unknown {
  for (const k in row) return row[k];
  return undefined;
}
