/** A BLOB's status as getItem shows it, and the finding its status amounts to (by the engine's rules). */
import {
  blobStatusFinding,
  hasRealSize,
  sizeMismatchFinding,
  type BackupPath,
  type BlobVerification,
  type Finding,
} from '../engine';
import type { BlobJson } from './shapes';

export function blobJson(backup: BackupPath, digest: string, v: BlobVerification): BlobJson {
  return {
    digest,
    path: backup.blobs.relPath(digest) ?? null,
    status: v.status,
    compressedSize: v.compressedSize ?? null,
    size: v.size ?? null,
    detail: v.detail ?? null,
  };
}

/**
 * The finding on the BLOB's path; undefined for a sound BLOB, for an invalid digest (the
 * item rules report it as item.bad-digest) and for a missing one (reported on the item,
 * at its digest: see getItem).
 */
export function blobFinding(backup: BackupPath, digest: string, v: BlobVerification): Finding | undefined {
  const rel = backup.blobs.relPath(digest);
  return rel === undefined ? undefined : blobStatusFinding(rel, v);
}

/** The item declares one size, the BLOB decompresses to another (only judged on a BLOB that could be read). */
export function sizeMismatch(
  backup: BackupPath,
  digest: string,
  v: BlobVerification,
  declared: number | undefined,
): Finding | undefined {
  const rel = backup.blobs.relPath(digest);
  if (rel === undefined || !hasRealSize(v)) return undefined;
  return sizeMismatchFinding(rel, declared, v.size);
}
