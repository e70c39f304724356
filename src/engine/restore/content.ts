/**
 * A message's bytes from its BLOB, verified against the digest: one read, one gunzip and
 * one hash on the common path; anything unusual goes to the BlobStore's full verification,
 * which names the damage.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { BlobStore } from '../blobs';
import { DUMP_BLOB_MAX_BYTES, inflateLimit } from '../blobLimits';
import { computeDigest } from '../digest';
import { digestNameAlgorithm } from '../digestName';

export type ContentResult =
  { ok: true; bytes: Buffer } | { ok: false; reason: 'missing-blob' | 'damaged-blob' | 'broken-item'; detail: string };

/** The largest message restored (decompressed in memory). */
export const RESTORE_MAX_BYTES = DUMP_BLOB_MAX_BYTES;

export async function readMessageContent(blobs: BlobStore, digest: unknown): Promise<ContentResult> {
  if (typeof digest !== 'string') return { ok: false, reason: 'broken-item', detail: 'the state has no digest' };
  const algorithm = digestNameAlgorithm(digest);
  const abs = blobs.absPath(digest);
  if (!algorithm || !abs) return { ok: false, reason: 'broken-item', detail: `"${digest}" is not a valid digest` };
  try {
    // Synchronous: one small file, read at once; the promise API's thread-pool hop costs more than the read.
    const compressed = readFileSync(abs);
    const plain = gunzipSync(compressed, {
      maxOutputLength: Math.min(inflateLimit(compressed.length), RESTORE_MAX_BYTES),
    });
    if (computeDigest(plain, algorithm) === digest) return { ok: true, bytes: plain };
  } catch {
    // judged below
  }
  const read = await blobs.read(digest, RESTORE_MAX_BYTES);
  // read() hands out whatever decompresses; only content that matches its digest is restored.
  const v = read.verification;
  if (read.ok && (v.status === 'ok' || v.status === 'double-gzip')) return { ok: true, bytes: read.content };
  if (v.status === 'missing') return { ok: false, reason: 'missing-blob', detail: `BLOB ${digest} is missing` };
  const why =
    !read.ok && read.over !== undefined ? `over ${read.over} bytes` : `${v.status}${v.detail ? `: ${v.detail}` : ''}`;
  return { ok: false, reason: 'damaged-blob', detail: `BLOB ${digest} is ${why}` };
}
