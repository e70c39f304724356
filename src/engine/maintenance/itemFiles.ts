/**
 * The metadata files of one account that hold transactions: items/NN/<id> and
 * drive_items/xx/<uuid>, read and parsed once for export and purge.
 */
import { promises as fs } from 'node:fs';
import type { BackupPath } from '../backup/backupPath';
import { isValidDigest } from '../digest';
import type { Finding } from '../findings';
import { listDir, readFileCapped } from '../fsx';
import { analyzeItemBytes } from '../item/analyze';
import type { ItemHistory } from '../item/types';
import { accountRelPath } from '../layout';
import { throwIfCancelled } from '../progress';

export interface AccountItemFile {
  /** Relative to the backup path. */
  rel: string;
  /** The numeric id of items/ files; undefined for drive_items/. */
  itemId?: number;
  drive: boolean;
}

export interface ReadItemFile extends AccountItemFile {
  bytes: Buffer;
  history: ItemHistory;
}

/** items/ then drive_items/ of an account, in name order; unreadable folders become findings. */
export async function* accountItemFiles(
  bp: BackupPath,
  accountId: string,
  signal?: AbortSignal,
  findings?: Finding[],
): AsyncGenerator<AccountItemFile> {
  for await (const ref of bp.itemFiles(accountId, signal, findings))
    yield { rel: ref.path, itemId: ref.itemId, drive: false };
  const driveRel = `${accountRelPath(accountId)}/drive_items`;
  const buckets = await listDir(bp.abs(driveRel), driveRel);
  if (!buckets.ok) {
    if (!buckets.missing) findings?.push(buckets.finding);
    return;
  }
  for (const b of buckets.entries) {
    throwIfCancelled(signal);
    if (!b.isDirectory()) continue;
    const bucketRel = `${driveRel}/${b.name}`;
    const files = await listDir(bp.abs(bucketRel), bucketRel);
    if (!files.ok) {
      findings?.push(files.finding);
      continue;
    }
    for (const f of files.entries) if (f.isFile()) yield { rel: `${bucketRel}/${f.name}`, drive: true };
  }
}

/** Reads and parses one item file; undefined when it vanished or cannot be read (the finding is pushed). */
export async function readItemFile(
  bp: BackupPath,
  ref: AccountItemFile,
  findings: Finding[],
): Promise<ReadItemFile | undefined> {
  const read = await readFileCapped(bp.abs(ref.rel), ref.rel);
  if (!read.ok) {
    if (!read.missing) findings.push(read.finding);
    return undefined;
  }
  const history = analyzeItemBytes(read.bytes, ref.rel, ref.itemId !== undefined ? { fileItemId: ref.itemId } : {});
  return { ...ref, bytes: read.bytes, history };
}

/** Whether `abs` is a regular file (not a link, not a folder), and its size. */
export async function regularFileSize(abs: string): Promise<number | undefined> {
  try {
    const st = await fs.lstat(abs);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined;
  }
}

/** The valid digests an item file's transactions name (only those can be a BLOB path). */
export function digestsOf(history: ItemHistory, from = 0, to = history.transactions.length - 1): string[] {
  const out: string[] = [];
  for (let i = from; i <= to; i++) {
    const d = history.transactions[i]?.digest;
    if (typeof d === 'string' && isValidDigest(d) && !out.includes(d)) out.push(d);
  }
  return out;
}
