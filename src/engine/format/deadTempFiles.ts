/**
 * After a writer was killed (its stale lock was taken over), its temp files are left in the
 * folders it wrote to: the root, the BLOB store, the accounts and their item buckets. They
 * are ours, never customer data (atomic.ts names them), so the next writer — whoever takes
 * over the stale lock (holdBackupLock) — removes those whose writer is no longer running;
 * the check would otherwise report them as layout.interrupted-write.
 */
import { readdirSync, unlinkSync } from 'node:fs';
import * as path from 'node:path';
import { tempFileWriterPid } from './atomic';
import { ACCOUNTS_DIR, BLOBS_DIR } from '../layout';

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Removes dead writers' temp files under root (every account); returns how many. */
export function removeDeadTempFiles(root: string): number {
  let removed = 0;
  const sweep = (dir: string): void => {
    for (const name of list(dir)) {
      const pid = tempFileWriterPid(name);
      if (pid === undefined || pid === process.pid || running(pid)) continue;
      try {
        unlinkSync(path.join(dir, name));
        removed++;
      } catch {
        /* gone already */
      }
    }
  };
  sweep(root);
  const blobs = path.join(root, BLOBS_DIR);
  for (const d of list(blobs)) sweep(path.join(blobs, d));
  const accounts = path.join(root, ACCOUNTS_DIR);
  sweep(accounts);
  for (const id of list(accounts)) {
    const acc = path.join(accounts, id);
    sweep(acc);
    const items = path.join(acc, 'items');
    for (const b of list(items)) sweep(path.join(items, b));
  }
  return removed;
}
