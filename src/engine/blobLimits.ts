/**
 * How far zxb decompresses a BLOB, in one place (docs/backup-format.md §4.1).
 * A few KB of gzip can inflate to gigabytes (a gzip bomb): every gunzip in zxb is
 * bounded by these numbers, in memory by zlib's maxOutputLength, as a stream by counting.
 */

const MiB = 1024 * 1024;

/** BLOB files above this many bytes on disk are verified as a stream, never read whole. */
export const STREAM_BLOB_BYTES = 32 * MiB;

/** An in-memory gunzip stops here; a BLOB that inflates further is verified again as a stream. */
export const IN_MEMORY_INFLATE_BYTES = 64 * MiB;

/** Every BLOB may inflate this far, whatever its size on disk. */
export const INFLATE_FLOOR_BYTES = 64 * MiB;

/**
 * Beyond the floor, a BLOB may inflate to this many times its size on disk. Mail and
 * documents compress 2–20 times; deflate's own maximum is about 1032 (long runs of one byte).
 */
export const INFLATE_RATIO = 256;

/** The most a BLOB of `compressedSize` bytes on disk may inflate to: past it, finding blob.inflate-limit. */
export function inflateLimit(compressedSize: number): number {
  return Math.max(INFLATE_FLOOR_BYTES, INFLATE_RATIO * compressedSize);
}

/** The Show BLOB document holds the content in memory up to this (decompressed). */
export const SHOW_BLOB_MAX_BYTES = 64 * MiB;

/** getItem --dump-blob holds the content in memory up to this (decompressed). */
export const DUMP_BLOB_MAX_BYTES = 256 * MiB;

/** zlib's error when maxOutputLength is reached. */
export function isOutputLimit(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ERR_BUFFER_TOO_LARGE';
}
