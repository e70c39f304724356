/** A BLOB's status as getItem shows it, and the finding its status amounts to. */
import { finding, type BackupPath, type BlobVerification, type Finding } from '../engine';
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

/** undefined for a sound BLOB, and for an invalid digest (the item rules already report it as item.bad-digest). */
export function blobFinding(backup: BackupPath, digest: string, v: BlobVerification, referencedBy: string): Finding | undefined {
  const rel = backup.blobs.relPath(digest);
  if (rel === undefined) return undefined;
  const detail = v.detail ? `: ${v.detail}` : '';
  switch (v.status) {
    case 'ok':
    case 'bad-name':
      return undefined;
    case 'missing':
      return finding('blob.missing', rel, `the BLOB ${digest} referenced by ${referencedBy} is not in the BLOB store`);
    case 'unreadable':
      return finding('io.unreadable', rel, `cannot read the BLOB${detail}`);
    case 'empty':
      return finding('blob.empty', rel, 'the BLOB file is empty');
    case 'not-gzip':
      return finding('blob.not-gzip', rel, `the BLOB is not gzip-compressed${detail}`);
    case 'truncated':
      return finding('blob.truncated', rel, `the BLOB's gzip stream ends too early${detail}`);
    case 'trailing-garbage':
      return finding('blob.trailing-garbage', rel, 'bytes follow the end of the BLOB\'s gzip stream');
    case 'double-gzip':
      return finding('blob.double-gzip', rel, 'the BLOB is gzip-compressed twice');
    case 'corrupted':
      return finding('blob.corrupted', rel, `the BLOB's content does not match its digest${detail}`);
    case 'inflate-limit':
      return finding('blob.inflate-limit', rel, `the BLOB is not verified further${detail}`);
  }
}

/** The item declares one size, the BLOB decompresses to another (only judged on a BLOB that could be read). */
export function sizeMismatch(backup: BackupPath, digest: string, v: BlobVerification, declared: number | undefined, referencedBy: string): Finding | undefined {
  const rel = backup.blobs.relPath(digest);
  if (rel === undefined || declared === undefined || v.size === undefined || v.size === declared) return undefined;
  if (v.status !== 'ok' && v.status !== 'double-gzip' && v.status !== 'trailing-garbage') return undefined;
  return finding('blob.size-mismatch', rel, `${referencedBy} declares size ${declared} but the BLOB holds ${v.size} bytes`);
}
