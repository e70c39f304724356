/**
 * Zimbra BLOB digests: SHA-256 (or SHA-384) of the uncompressed bytes, in Zimbra's
 * FS-safe base64 (standard base64 with '/' replaced by ','), as ByteUtil.encodeFSSafeBase64.
 */
import { createHash, type Hash } from 'node:crypto';

export type DigestAlgorithm = 'sha256' | 'sha384';

const SHAPE = /^[A-Za-z0-9+,]+={0,2}$/;

export function encodeFsSafeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64').replace(/\//g, ',');
}

export function decodeFsSafeBase64(text: string): Buffer {
  return Buffer.from(text.replace(/,/g, '/'), 'base64');
}

/** The algorithm a digest string was made with, or undefined if it is not a valid digest. */
export function digestAlgorithm(digest: string): DigestAlgorithm | undefined {
  if (digest.length !== 44 && digest.length !== 64) return undefined;
  if (!SHAPE.test(digest)) return undefined;
  const bytes = decodeFsSafeBase64(digest);
  // Zimbra's isValidDigest: decoding then encoding must give the same string.
  if (encodeFsSafeBase64(bytes) !== digest) return undefined;
  if (bytes.length === 32) return 'sha256';
  if (bytes.length === 48) return 'sha384';
  return undefined;
}

export function isValidDigest(digest: unknown): digest is string {
  return typeof digest === 'string' && digestAlgorithm(digest) !== undefined;
}

export function computeDigest(data: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): string {
  return createHash(algorithm).update(data).digest('base64').replace(/\//g, ',');
}

/** An incremental digest for streamed BLOB content. */
export function digestHasher(algorithm: DigestAlgorithm = 'sha256'): {
  update(chunk: Uint8Array): void;
  digest(): string;
} {
  const hash: Hash = createHash(algorithm);
  return {
    update: (chunk) => void hash.update(chunk),
    digest: () => encodeFsSafeBase64(hash.digest()),
  };
}
