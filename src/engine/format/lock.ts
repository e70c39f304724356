/**
 * The backup lock: one writer at a time in a backup path (scan, purge, fix, export into it).
 * A file `.zxb-lock` at the root, created with O_EXCL, naming its holder (command, pid,
 * host, start time). A lock whose holder is gone — same host, and that pid is not running
 * or is another process that reused the pid — is stale and taken over; a lock from another
 * host is never judged stale (we cannot see its processes): the message says how to remove it.
 * docs/backup-format.md "Files of ours".
 */
import {
  closeSync,
  constants as fsc,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LOCK_FILE } from '../layout';
import { failWith } from '../findings';
import { fsyncDirSync } from './atomic';
import { removeDeadTempFiles } from './deadTempFiles';

export interface LockHolder {
  command: string;
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  since: string;
  /** The holder's process start time (Linux: /proc/<pid>/stat field 22), to tell a reused pid. */
  processStart?: string | undefined;
}

export interface BackupLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** Removes the lock (idempotent). Call in `finally`. */
  release(): void;
}

export type LockResult =
  | { ok: true; lock: BackupLock; tookOverStale?: LockHolder | undefined }
  | { ok: false; code: 'lock.held'; holder: LockHolder | undefined; message: string; remedy: string };

function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A holder on this host whose process is gone (or whose pid now belongs to another process). */
export function isStale(h: LockHolder): boolean {
  if (h.host !== os.hostname()) return false;
  if (!isRunning(h.pid)) return true;
  const now = processStart(h.pid);
  return h.processStart !== undefined && now !== undefined && now !== h.processStart;
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    if (typeof v.command === 'string' && typeof v.pid === 'number' && typeof v.host === 'string') {
      return {
        command: v.command,
        pid: v.pid,
        host: v.host,
        since: String(v.since ?? ''),
        processStart: v.processStart,
      };
    }
  } catch {
    /* an empty or half-written lock: its writer died between create and write */
  }
  return undefined;
}

export function describeHolder(h: LockHolder): string {
  return `${h.command} (pid ${h.pid} on ${h.host}, since ${h.since})`;
}

/** Reads the current lock, if any (for `status` displays). */
export function readLock(root: string): LockHolder | undefined {
  try {
    return parseHolder(readFileSync(path.join(root, LOCK_FILE), 'utf8'));
  } catch {
    return undefined;
  }
}

function tryCreate(abs: string, holder: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(abs, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, JSON.stringify(holder) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  fsyncDirSync(path.dirname(abs));
  return true;
}

/**
 * Takes the lock of the backup path at `root` for `command`, or says who holds it.
 * Throws only for an I/O error other than "exists" (e.g. a read-only backup path).
 */
export function acquireBackupLock(root: string, command: string): LockResult {
  const abs = path.join(root, LOCK_FILE);
  const holder: LockHolder = {
    command,
    pid: process.pid,
    host: os.hostname(),
    since: new Date().toISOString(),
    processStart: processStart(process.pid),
  };
  let tookOverStale: LockHolder | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(abs, holder)) {
      let released = false;
      const lock: BackupLock = {
        path: abs,
        holder,
        release: () => {
          if (released) return;
          released = true;
          // Only our own lock is removed: a stale-lock takeover by someone else must survive.
          const current = readLock(root);
          if (current && current.pid === holder.pid && current.since === holder.since) {
            try {
              unlinkSync(abs);
            } catch {
              /* already gone */
            }
          }
        },
      };
      return { ok: true, lock, tookOverStale };
    }
    let text: string;
    try {
      text = readFileSync(abs, 'utf8');
    } catch {
      continue; // released between our create and our read: try again
    }
    const current = parseHolder(text);
    const stale = current ? isStale(current) : isOldUnreadable(abs);
    if (!stale) {
      return {
        ok: false,
        code: 'lock.held',
        holder: current,
        message: current
          ? `the backup path is in use by ${describeHolder(current)}`
          : `the backup path is locked (${abs} exists but names no holder)`,
        remedy: current
          ? current.host === os.hostname()
            ? 'wait for it to finish, or stop it'
            : `if no process on ${current.host} uses this backup path any more, remove ${abs}`
          : `if no scan, purge or fix is running, remove ${abs}`,
      };
    }
    // Move the stale lock aside atomically, then make sure what we moved is what we judged stale
    // (another process may have taken over in between: then put theirs back and look again).
    const aside = `${abs}.stale-${process.pid}-${Date.now()}`;
    try {
      renameSync(abs, aside);
    } catch {
      continue;
    }
    let movedText = '';
    try {
      movedText = readFileSync(aside, 'utf8');
    } catch {
      /* gone */
    }
    if (movedText !== text) {
      try {
        renameSync(aside, abs);
      } catch {
        /* ours to retry */
      }
      continue;
    }
    unlinkSync(aside);
    tookOverStale = current;
  }
  const current = readLock(root);
  return {
    ok: false,
    code: 'lock.held',
    holder: current,
    message: current ? `the backup path is in use by ${describeHolder(current)}` : 'the backup path lock is contended',
    remedy: 'try again in a moment',
  };
}

/** A lock file that names no holder: its writer died between create and write, if it is older than a minute. */
function isOldUnreadable(abs: string): boolean {
  try {
    return Date.now() - statSync(abs).mtimeMs > 60_000;
  } catch {
    return false;
  }
}

/**
 * Takes the lock for a command that writes, or stops it with `lock.held` naming the holder;
 * `consequence` says what was not done ("the fix is not applied"). The one way writers lock.
 */
export function holdBackupLock(
  root: string,
  command: string,
  o: { consequence?: string; path?: string } = {},
): { lock: BackupLock; tookOverStale: LockHolder | undefined; sweptTempFiles: number } {
  const got = acquireBackupLock(root, command);
  if (!got.ok)
    failWith('lock.held', o.path ?? '', `${got.message}${o.consequence ? `: ${o.consequence}` : ''} (${got.remedy})`);
  // The holder died: its half-written temp files go before this writer writes.
  const sweptTempFiles = got.tookOverStale ? removeDeadTempFiles(root) : 0;
  return { lock: got.lock, tookOverStale: got.tookOverStale, sweptTempFiles };
}
