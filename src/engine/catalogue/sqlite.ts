/**
 * better-sqlite3, loaded only when a catalogue opens: it is a native module, and a
 * runtime whose ABI differs (VS Code's Electron running a Node-built module) cannot
 * load it. Callers then get an EngineError and fall back to reading item files.
 */
import type Database from 'better-sqlite3';
import { EngineError, finding } from '../findings';

export type SqliteDatabase = Database.Database;
export type SqliteStatement<P extends unknown[] = unknown[], R = unknown> = Database.Statement<P, R>;

let loaded: typeof Database | undefined;

export function loadSqlite(): typeof Database {
  if (loaded) return loaded;
  try {
    loaded = require('better-sqlite3') as typeof Database;
    return loaded;
  } catch (err) {
    throw new EngineError(
      finding(
        'io.cache-unavailable',
        '',
        `the item catalogue needs better-sqlite3, which cannot be loaded here (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`,
      ),
    );
  }
}
