/**
 * The deduplicated BLOB store under items/ (docs/backup-format.md §4): locate by
 * digest, decompress, verify. A string that is not a valid digest never becomes a path.
 */
import { createReadStream, promises as fs } from 'node:fs';
import { crc32, createGunzip, gunzipSync, inflateRawSync } from 'node:zlib';
import type { Readable } from 'node:stream';
import { computeDigest } from './digest';
import { digestNameAlgorithm } from './digestName';
import { blobRelPath } from './layout';
import { absOf, describeIoError } from './fsx';

export type BlobStatus =
  | 'ok'
  | 'missing'
  | 'bad-name'
  | 'unreadable'
  | 'empty'
  | 'not-gzip'
  | 'truncated'
  | 'trailing-garbage'
  | 'double-gzip'
  | 'corrupted';

export interface BlobVerification {
  status: BlobStatus;
  /** Bytes on disk. */
  compressedSize?: number;
  /** Bytes after decompression (fully, for a double gzip). */
  size?: number;
  /** Digest of the decompressed content, when it could be computed. */
  actualDigest?: string;
  detail?: string;
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC_0 && bytes[1] === GZIP_MAGIC_1;
}

/** Verifies compressed BLOB bytes against the digest in their name. Pure: no I/O. */
export function verifyBlobBytes(compressed: Uint8Array, expectedDigest: string): BlobVerification {
  // Once per BLOB: the fast name test, not the decoding one.
  const algorithm = digestNameAlgorithm(expectedDigest);
  if (!algorithm) return { status: 'bad-name', compressedSize: compressed.length };
  const base = { compressedSize: compressed.length };
  if (compressed.length === 0) return { ...base, status: 'empty', detail: 'the file is empty' };
  if (!isGzip(compressed)) return { ...base, status: 'not-gzip', detail: 'no gzip header (1f 8b)' };
  let plain: Buffer;
  let trailing = false;
  try {
    plain = gunzipSync(compressed);
  } catch (err) {
    const msg = (err as Error).message;
    // zlib read a whole first member, then found bytes that are not another (complete) member.
    const first = firstMember(compressed);
    if (!first) {
      const truncated = /unexpected end/i.test(msg);
      return { ...base, status: truncated ? 'truncated' : 'corrupted', detail: `gunzip failed: ${msg}` };
    }
    plain = first;
    trailing = true;
  }
  if (isGzip(plain)) {
    try {
      const inner = gunzipSync(plain);
      const innerDigest = computeDigest(inner, algorithm);
      if (innerDigest === expectedDigest) return { ...base, status: 'double-gzip', size: inner.length, actualDigest: innerDigest };
    } catch {
      // Not a second gzip layer after all: judge the first layer's content below.
    }
  }
  const actual = computeDigest(plain, algorithm);
  if (actual !== expectedDigest) return { ...base, status: 'corrupted', size: plain.length, actualDigest: actual, detail: `content digest is ${actual}` };
  if (trailing) return { ...base, status: 'trailing-garbage', size: plain.length, actualDigest: actual, detail: 'bytes after the gzip stream' };
  return { ...base, status: 'ok', size: plain.length, actualDigest: actual };
}

/**
 * The content of the first gzip member alone (RFC 1952 header skipped by hand), or
 * undefined unless that member is complete, trailer included, with bytes after it.
 */
function firstMember(bytes: Uint8Array): Buffer | undefined {
  const at = gzipHeaderLength(bytes);
  if (at === undefined) return undefined;
  let content: Buffer;
  try {
    content = inflateRawSync(bytes.subarray(at));
  } catch {
    return undefined;
  }
  // inflateRaw stops at the end of the deflate data without saying where: find the
  // member's trailer (CRC-32, size) to know it is whole and that something follows it.
  const end = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(gzipTrailer(crc32(content), content.length), at);
  return end >= 0 && end + 8 < bytes.length ? content : undefined;
}

/** Where a gzip member's deflate data starts (RFC 1952 header with its optional fields), or undefined if it is not a deflate gzip header. */
export function gzipHeaderLength(bytes: Uint8Array): number | undefined {
  if (!isGzip(bytes) || bytes[2] !== 8) return undefined;
  const flags = bytes[3] ?? 0;
  let at = 10;
  if (flags & 4) at += 2 + ((bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8));
  if (flags & 8) while (at < bytes.length && bytes[at++] !== 0);
  if (flags & 16) while (at < bytes.length && bytes[at++] !== 0);
  if (flags & 2) at += 2;
  return at <= bytes.length ? at : undefined;
}

/** A member's 8-byte trailer: CRC-32 and size mod 2^32 of its content, little-endian. */
export function gzipTrailer(crc: number, size: number): Buffer {
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size % 2 ** 32, 4);
  return trailer;
}

export class BlobStore {
  constructor(readonly root: string) {}

  /** Relative path of a digest's BLOB, or undefined for an invalid digest. */
  relPath(digest: string): string | undefined {
    return blobRelPath(digest);
  }

  absPath(digest: string): string | undefined {
    const rel = blobRelPath(digest);
    return rel === undefined ? undefined : absOf(this.root, rel);
  }

  async exists(digest: string): Promise<boolean> {
    const abs = this.absPath(digest);
    if (!abs) return false;
    try {
      return (await fs.lstat(abs)).isFile();
    } catch {
      return false;
    }
  }

  async stat(digest: string): Promise<{ compressedSize: number; mtimeMs: number } | undefined> {
    const abs = this.absPath(digest);
    if (!abs) return undefined;
    try {
      const st = await fs.lstat(abs);
      return st.isFile() ? { compressedSize: st.size, mtimeMs: st.mtimeMs } : undefined;
    } catch {
      return undefined;
    }
  }

  async verify(digest: string): Promise<BlobVerification> {
    const abs = this.absPath(digest);
    if (!abs) return { status: 'bad-name' };
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return code === 'ENOENT' ? { status: 'missing' } : { status: 'unreadable', detail: describeIoError(err) };
    }
    return verifyBlobBytes(bytes, digest);
  }

  /** The decompressed content as a stream (one gzip layer; a double gzip yields the inner gzip). */
  open(digest: string): Readable | undefined {
    const abs = this.absPath(digest);
    if (!abs) return undefined;
    return createReadStream(abs).pipe(createGunzip());
  }

  /** The fully decompressed content (both layers of a double gzip), at most `maxBytes`. */
  async read(digest: string, maxBytes = 64 * 1024 * 1024): Promise<{ ok: true; content: Buffer; verification: BlobVerification } | { ok: false; verification: BlobVerification }> {
    const abs = this.absPath(digest);
    if (!abs) return { ok: false, verification: { status: 'bad-name' } };
    let bytes: Buffer;
    try {
      const st = await fs.lstat(abs);
      if (st.size > maxBytes) return { ok: false, verification: { status: 'unreadable', compressedSize: st.size, detail: `over ${maxBytes} bytes` } };
      bytes = await fs.readFile(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return { ok: false, verification: code === 'ENOENT' ? { status: 'missing' } : { status: 'unreadable', detail: describeIoError(err) } };
    }
    const verification = verifyBlobBytes(bytes, digest);
    if (!isGzip(bytes)) return { ok: false, verification };
    try {
      let content = gunzipSync(bytes, { maxOutputLength: maxBytes });
      if (verification.status === 'double-gzip') content = gunzipSync(content, { maxOutputLength: maxBytes });
      return { ok: true, content, verification };
    } catch {
      return { ok: false, verification };
    }
  }
}
