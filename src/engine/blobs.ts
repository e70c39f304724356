/**
 * The deduplicated BLOB store under items/ (docs/backup-format.md §4): locate by
 * digest, decompress, verify. A string that is not a valid digest never becomes a path.
 */
import { constants as fsc, promises as fs } from 'node:fs';
import { crc32, createGunzip, createInflateRaw, gunzipSync, inflateRawSync } from 'node:zlib';
import { pipeline, type Readable, type Transform } from 'node:stream';
import {
  IN_MEMORY_INFLATE_BYTES,
  SHOW_BLOB_MAX_BYTES,
  STREAM_BLOB_BYTES,
  inflateLimit,
  isOutputLimit,
} from './blobLimits';
import { computeDigest, digestHasher, type DigestAlgorithm } from './digest';
import { digestNameAlgorithm } from './digestName';
import { blobRelPath, BLOBS_DIR } from './layout';
import { absOf, describeIoError } from './fsx';

export type BlobStatus =
  | 'ok'
  | 'missing'
  | 'bad-name'
  | 'unreadable'
  /** A symbolic link where the BLOB should be: never followed (io.symlink, as the check says). */
  | 'symlink'
  | 'empty'
  | 'not-gzip'
  | 'truncated'
  | 'trailing-garbage'
  | 'double-gzip'
  | 'corrupted'
  /** It inflates beyond inflateLimit(): not verified further (a gzip bomb, or a huge run of one byte). */
  | 'inflate-limit';

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

/** The verdict on a BLOB that inflates beyond its bound. */
function overLimit(compressedSize: number): BlobVerification {
  return {
    status: 'inflate-limit',
    compressedSize,
    detail: `it inflates to more than ${inflateLimit(compressedSize)} bytes, the bound for ${compressedSize} bytes on disk`,
  };
}

/**
 * Verifies compressed BLOB bytes against the digest in their name. Pure: no I/O.
 * The gunzip stops at IN_MEMORY_INFLATE_BYTES: 'stream' means a BLOB that inflates
 * further and may still be within its bound, to verify with verifyBlobStream.
 */
export function verifyBlobBytes(compressed: Uint8Array, expectedDigest: string): BlobVerification | 'stream' {
  // Once per BLOB: the fast name test, not the decoding one.
  const algorithm = digestNameAlgorithm(expectedDigest);
  if (!algorithm) return { status: 'bad-name', compressedSize: compressed.length };
  const base = { compressedSize: compressed.length };
  if (compressed.length === 0) return { ...base, status: 'empty', detail: 'the file is empty' };
  if (!isGzip(compressed)) return { ...base, status: 'not-gzip', detail: 'no gzip header (1f 8b)' };
  const limit = inflateLimit(compressed.length);
  const cap = { maxOutputLength: Math.min(limit, IN_MEMORY_INFLATE_BYTES) };
  const overCap = (): BlobVerification | 'stream' =>
    cap.maxOutputLength < limit ? 'stream' : overLimit(compressed.length);
  let plain: Buffer;
  let trailing = false;
  try {
    plain = gunzipSync(compressed, cap);
  } catch (err) {
    if (isOutputLimit(err)) return overCap();
    const msg = (err as Error).message;
    // zlib read a whole first member, then found bytes that are not another (complete) member.
    let first: Buffer | undefined;
    try {
      first = firstMember(compressed, cap.maxOutputLength);
    } catch (inner) {
      if (isOutputLimit(inner)) return overCap();
      throw inner;
    }
    if (!first) {
      const truncated = /unexpected end/i.test(msg);
      return { ...base, status: truncated ? 'truncated' : 'corrupted', detail: `gunzip failed: ${msg}` };
    }
    plain = first;
    trailing = true;
  }
  if (isGzip(plain)) {
    try {
      const inner = gunzipSync(plain, cap);
      const innerDigest = computeDigest(inner, algorithm);
      if (innerDigest === expectedDigest)
        return { ...base, status: 'double-gzip', size: inner.length, actualDigest: innerDigest };
    } catch (err) {
      if (isOutputLimit(err)) return overCap();
      // Not a second gzip layer after all: judge the first layer's content below.
    }
  }
  const actual = computeDigest(plain, algorithm);
  if (actual !== expectedDigest)
    return {
      ...base,
      status: 'corrupted',
      size: plain.length,
      actualDigest: actual,
      detail: `content digest is ${actual}`,
    };
  if (trailing)
    return {
      ...base,
      status: 'trailing-garbage',
      size: plain.length,
      actualDigest: actual,
      detail: 'bytes after the gzip stream',
    };
  return { ...base, status: 'ok', size: plain.length, actualDigest: actual };
}

/**
 * The content of the first gzip member alone (RFC 1952 header skipped by hand), or
 * undefined unless that member is complete, trailer included, with bytes after it.
 * Throws zlib's output-limit error past `maxOutputLength`.
 */
function firstMember(bytes: Uint8Array, maxOutputLength: number): Buffer | undefined {
  const at = gzipHeaderLength(bytes);
  if (at === undefined) return undefined;
  let content: Buffer;
  try {
    content = inflateRawSync(bytes.subarray(at), { maxOutputLength });
  } catch (err) {
    if (isOutputLimit(err)) throw err;
    return undefined;
  }
  // inflateRaw stops at the end of the deflate data without saying where: find the
  // member's trailer (CRC-32, size) to know it is whole and that something follows it.
  const end = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(
    gzipTrailer(crc32(content), content.length),
    at,
  );
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

const openNoFollow = (abs: string): Promise<fs.FileHandle> => fs.open(abs, fsc.O_RDONLY | (fsc.O_NOFOLLOW ?? 0));

/** Thrown by the streamed verification when the content passes inflateLimit(). */
class InflateLimitReached extends Error {}

/**
 * Feeds the file from `start` through `stages`, chunk by chunk, to `each`, and stops past
 * `limit` bytes (InflateLimitReached). Every stream is destroyed at the end, the file closed.
 */
async function drain(
  abs: string,
  start: number,
  stages: Transform[],
  limit: number,
  each: (chunk: Buffer) => void,
): Promise<number> {
  const source = (await openNoFollow(abs)).createReadStream({ start }); // closes its handle when destroyed
  // pipeline, not pipe: a read error reaches the loop below instead of leaving it waiting.
  pipeline([source, ...stages], () => undefined);
  const stream: Readable = stages[stages.length - 1] ?? source;
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw new InflateLimitReached();
      each(chunk);
    }
  } finally {
    source.destroy();
    for (const s of stages) s.destroy();
  }
  return size;
}

/**
 * Streaming verification for big BLOBs: gunzip and hash chunk by chunk (one gzip layer,
 * then a second if present), in bounded memory, and no further than inflateLimit().
 */
export async function verifyBlobStream(abs: string, expected: string): Promise<BlobVerification> {
  const algorithm = digestNameAlgorithm(expected);
  if (!algorithm) return { status: 'bad-name' };
  const head = Buffer.alloc(2);
  const fh = await openNoFollow(abs);
  let compressedSize: number;
  try {
    compressedSize = (await fh.stat()).size;
    await fh.read(head, 0, 2, 0);
  } finally {
    await fh.close();
  }
  if (compressedSize === 0) return { status: 'empty', compressedSize };
  if (!isGzip(head)) return { status: 'not-gzip', compressedSize };
  const limit = inflateLimit(compressedSize);
  const hashOf = async (layers: number): Promise<{ digest: string; size: number; innerGzip: boolean }> => {
    const hasher = digestHasher(algorithm);
    let first: Buffer | undefined;
    const gunzips = Array.from({ length: layers }, () => createGunzip());
    const size = await drain(abs, 0, gunzips, limit, (chunk) => {
      first ??= chunk;
      hasher.update(chunk);
    });
    return { digest: hasher.digest(), size, innerGzip: first !== undefined && isGzip(first) };
  };
  try {
    const one = await hashOf(1);
    if (one.digest === expected) return { status: 'ok', compressedSize, size: one.size, actualDigest: one.digest };
    if (one.innerGzip) {
      try {
        const two = await hashOf(2);
        if (two.digest === expected)
          return { status: 'double-gzip', compressedSize, size: two.size, actualDigest: two.digest };
      } catch (err) {
        if (err instanceof InflateLimitReached) throw err;
        // not a second gzip layer after all
      }
    }
    return {
      status: 'corrupted',
      compressedSize,
      size: one.size,
      actualDigest: one.digest,
      detail: `content digest is ${one.digest}`,
    };
  } catch (err) {
    if (err instanceof InflateLimitReached) return overLimit(compressedSize);
    const msg = (err as Error).message;
    // As verifyBlobBytes: a whole first member followed by bytes that are not another member.
    let first: { digest: string; size: number } | undefined;
    try {
      first = await firstMemberStream(abs, algorithm, compressedSize, limit);
    } catch (inner) {
      if (inner instanceof InflateLimitReached) return overLimit(compressedSize);
      throw inner;
    }
    if (!first)
      return {
        status: /unexpected end/i.test(msg) ? 'truncated' : 'corrupted',
        compressedSize,
        detail: `gunzip failed: ${msg}`,
      };
    if (first.digest !== expected)
      return {
        status: 'corrupted',
        compressedSize,
        size: first.size,
        actualDigest: first.digest,
        detail: `content digest is ${first.digest}`,
      };
    return {
      status: 'trailing-garbage',
      compressedSize,
      size: first.size,
      actualDigest: first.digest,
      detail: 'bytes after the gzip stream',
    };
  }
}

/** Bytes read at a time when a big BLOB is searched for its first member's trailer. */
const SEARCH_CHUNK = 1024 * 1024;

/**
 * The streamed twin of firstMember: the first member's content (digest, size) when
 * that member is whole, its trailer found, and bytes follow it; else undefined.
 */
async function firstMemberStream(
  abs: string,
  algorithm: DigestAlgorithm,
  compressedSize: number,
  limit: number,
): Promise<{ digest: string; size: number } | undefined> {
  const fh = await openNoFollow(abs);
  try {
    // The optional header fields (extra, name, comment) fit in 64 KB in every real file.
    const head = Buffer.alloc(Math.min(compressedSize, 64 * 1024 + 16));
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const at = gzipHeaderLength(head.subarray(0, bytesRead));
    if (at === undefined) return undefined;
    const hasher = digestHasher(algorithm);
    let crc = 0;
    let size: number;
    try {
      // Raw inflate stops at the end of the deflate data and ignores what follows.
      size = await drain(abs, at, [createInflateRaw()], limit, (chunk) => {
        hasher.update(chunk);
        crc = crc32(chunk, crc);
      });
    } catch (err) {
      if (err instanceof InflateLimitReached) throw err;
      return undefined;
    }
    const end = await indexInFile(fh, gzipTrailer(crc, size), at, compressedSize);
    return end >= 0 && end + 8 < compressedSize ? { digest: hasher.digest(), size } : undefined;
  } finally {
    await fh.close();
  }
}

/** The first offset ≥ `from` where `needle` occurs in the file, read chunk by chunk; -1 if none. */
async function indexInFile(fh: fs.FileHandle, needle: Buffer, from: number, fileSize: number): Promise<number> {
  const buf = Buffer.alloc(SEARCH_CHUNK + needle.length);
  let keep = 0; // bytes carried over at the start of buf: the needle may straddle two reads
  let pos = from; // the file offset of buf[keep]
  while (pos < fileSize) {
    const { bytesRead } = await fh.read(buf, keep, SEARCH_CHUNK, pos);
    if (bytesRead === 0) break;
    const filled = keep + bytesRead;
    const i = buf.subarray(0, filled).indexOf(needle);
    if (i >= 0) return pos - keep + i;
    pos += bytesRead;
    const tail = Math.min(needle.length - 1, filled);
    buf.copy(buf, 0, filled - tail, filled);
    keep = tail;
  }
  return -1;
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

  /**
   * Where a BLOB missing from its home folder lies in another prefix folder (the check's
   * blob.wrong-folder: its body is not lost, it is misplaced), or undefined. The prefix folders
   * are listed once per store; only called for digests not found at home, which are rare.
   */
  async misplacedRelPath(digest: string): Promise<string | undefined> {
    if (blobRelPath(digest) === undefined) return undefined;
    this.prefixes ??= fs
      .readdir(absOf(this.root, BLOBS_DIR), { withFileTypes: true })
      .then((es) => es.filter((e) => e.isDirectory()).map((e) => e.name))
      .catch(() => []);
    for (const prefix of await this.prefixes) {
      const rel = `${BLOBS_DIR}/${prefix}/${digest}`;
      try {
        if ((await fs.lstat(absOf(this.root, rel))).isFile()) return rel;
      } catch {
        /* not there */
      }
    }
    return undefined;
  }

  /** Present at home, or misplaced in another prefix folder: what the check counts as "not missing". */
  async existsAnywhere(digest: string): Promise<boolean> {
    return (await this.exists(digest)) || (await this.misplacedRelPath(digest)) !== undefined;
  }

  private prefixes: Promise<string[]> | undefined;

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

  /** Verified in memory when small, as a stream when big or when it inflates past IN_MEMORY_INFLATE_BYTES. */
  async verify(digest: string): Promise<BlobVerification> {
    const abs = this.absPath(digest);
    if (!abs) return { status: 'bad-name' };
    try {
      const st = await fs.lstat(abs);
      if (st.isSymbolicLink()) return { status: 'symlink' };
      const v =
        st.isFile() && st.size <= STREAM_BLOB_BYTES ? verifyBlobBytes(await fs.readFile(abs), digest) : 'stream';
      return v === 'stream' ? await verifyBlobStream(abs, digest) : v;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return code === 'ENOENT' ? { status: 'missing' } : { status: 'unreadable', detail: describeIoError(err) };
    }
  }

  /**
   * The fully decompressed content (both layers of a double gzip), verified first, and
   * only when it holds at most `maxBytes`: else `over` says the content is bigger.
   */
  async read(
    digest: string,
    maxBytes = SHOW_BLOB_MAX_BYTES,
  ): Promise<
    | { ok: true; content: Buffer; verification: BlobVerification }
    | { ok: false; verification: BlobVerification; over?: number }
  > {
    const verification = await this.verify(digest);
    const abs = this.absPath(digest);
    // The verification knows the size of any content that can be decompressed at all.
    if (!abs || verification.size === undefined) return { ok: false, verification };
    if (verification.size > maxBytes) return { ok: false, verification, over: maxBytes };
    try {
      const cap = { maxOutputLength: maxBytes };
      let content = gunzipSync(await fs.readFile(abs), cap);
      if (verification.status === 'double-gzip') content = gunzipSync(content, cap);
      return { ok: true, content, verification };
    } catch {
      // Changed since the verification, or bytes after the gzip stream (gunzip refuses them).
      return { ok: false, verification };
    }
  }

  /**
   * What can still be decompressed of a BLOB read() refuses (truncated, corrupted, bytes
   * after the stream): the output of its gzip stream up to the point where it breaks, at
   * most `maxBytes`. A file that is not gzip at all is returned as it is (a message stored
   * uncompressed). Undefined when there is nothing to read.
   */
  async readDecodable(digest: string, maxBytes = SHOW_BLOB_MAX_BYTES): Promise<Buffer | undefined> {
    const abs = this.absPath(digest);
    if (!abs) return undefined;
    let raw: Buffer;
    try {
      const st = await fs.lstat(abs);
      // A damaged BLOB is read whole; past the bound (a bomb, or a huge file) it is not read at all.
      if (!st.isFile() || st.size === 0 || st.size > STREAM_BLOB_BYTES) return undefined;
      raw = await fs.readFile(abs);
    } catch {
      return undefined;
    }
    if (!isGzip(raw)) return raw.subarray(0, maxBytes);
    const out = await gunzipPrefix(raw, maxBytes);
    return out.byteLength > 0 ? out : undefined;
  }
}

/** The bytes a gzip stream yields before it ends or breaks (a gunzip stream emits what it inflated, then the error). */
function gunzipPrefix(gz: Buffer, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let n = 0;
    const z = createGunzip();
    const done = (): void => resolve(Buffer.concat(chunks).subarray(0, maxBytes));
    z.on('data', (c: Buffer) => {
      chunks.push(c);
      n += c.byteLength;
      if (n >= maxBytes) {
        z.destroy();
        done();
      }
    });
    z.on('error', done);
    z.on('end', done);
    z.end(gz);
  });
}
