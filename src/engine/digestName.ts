/**
 * A fast test of Zimbra's isValidDigest for the hot paths of the check (every BLOB
 * name, every referenced digest) and the item rules. Same rule as digest.ts `digestAlgorithm`, without
 * decoding: a canonical base64 of 32 bytes is 43 characters whose last one has its
 * two low bits clear, then "="; 48 bytes are 64 characters, no padding.
 * test/check/digestName.test.ts keeps the two in agreement.
 */
const ALPHABET = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,') ALPHABET[c.charCodeAt(0)] = 1;
/** Base64 characters whose 6-bit value ends in 00: the only ones allowed before a single "=". */
const LAST_OF_32 = new Set('AEIMQUYcgkosw048'.split('').map((c) => c.charCodeAt(0)));

export function isDigestName(name: string): boolean {
  const n = name.length;
  if (n === 44) {
    if (name.charCodeAt(43) !== 61 /* = */ || !LAST_OF_32.has(name.charCodeAt(42))) return false;
    return allBase64(name, 42);
  }
  return n === 64 && allBase64(name, 64);
}

function allBase64(s: string, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || ALPHABET[c] === 0) return false;
  }
  return true;
}

/** The algorithm of a digest name, by the fast test (digest.ts digestAlgorithm decodes: the reference). */
export function digestNameAlgorithm(name: string): 'sha256' | 'sha384' | undefined {
  if (!isDigestName(name)) return undefined;
  return name.length === 44 ? 'sha256' : 'sha384';
}
