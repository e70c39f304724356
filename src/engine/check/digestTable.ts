/**
 * The BLOB names of a whole backup path in little memory: an open-addressing table
 * keyed by the first 12 bytes of each digest (96 bits: a chance collision among a
 * million BLOBs is about 1e-17), with a flag byte and one size per entry.
 * A Map of digest strings costs ~110 bytes per BLOB; this costs 17 bytes per slot
 * (at most 2 slots per entry, 1.4 when full), which keeps a 1M-BLOB check within its memory budget.
 */
/** FS-safe base64 ('/' written ','): character code → 6-bit value. Names are validated before they get here. */
const SEXTET = new Uint8Array(128);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,'
  .split('')
  .forEach((c, i) => (SEXTET[c.charCodeAt(0)] = i));

export const enum DigestFlag {
  Present = 1,
  Referenced = 2,
  /** `value` holds the real (uncompressed) size from the content check. */
  RealSize = 8,
  /** `value` holds the size declared by item metadata. */
  DeclaredSize = 16,
  /** A BLOB of this name sits in another prefix folder (blob.wrong-folder): not missing, misplaced. */
  Misplaced = 32,
}

const KEY = 12;
/** Linear probing stays short up to this load (~2 probes to find an entry at 0.7). */
const MAX_LOAD = 0.7;
/** Sizes from 2^32 - 1 bytes up live in a side map (a 4 GB BLOB is rare; 4 bytes per slot are not). */
const BIG = 0xffffffff;

export class DigestTable {
  private keys: Uint8Array;
  private flags: Uint8Array;
  private values: Uint32Array;
  private big = new Map<number, number>();
  private used = 0;
  private mask: number;
  /** The key being looked up: decoded in place, no Buffer per call (this runs for every BLOB and reference). */
  private readonly scratch = new Uint8Array(KEY);

  constructor(initialCapacity = 1 << 12) {
    let cap = 1 << 4;
    while (cap < initialCapacity) cap <<= 1;
    this.mask = cap - 1;
    this.keys = new Uint8Array(cap * KEY);
    this.flags = new Uint8Array(cap);
    this.values = new Uint32Array(cap);
  }

  get size(): number {
    return this.used;
  }

  /** The slot of a digest, inserting it (flags 0) when absent. Digest names only: validate first. */
  slot(digest: string): number {
    if (this.used + 1 > this.flags.length * MAX_LOAD) this.grow();
    return this.find(this.keyOf(digest), true);
  }

  /** The slot of a digest, or -1 when it was never added. */
  lookup(digest: string): number {
    return this.find(this.keyOf(digest), false);
  }

  /** The first 16 base64 characters = 12 bytes, decoded into the scratch key. */
  private keyOf(digest: string): Uint8Array {
    const k = this.scratch;
    for (let c = 0, b = 0; c < 16; c += 4, b += 3) {
      const n =
        (SEXTET[digest.charCodeAt(c) & 0x7f]! << 18) |
        (SEXTET[digest.charCodeAt(c + 1) & 0x7f]! << 12) |
        (SEXTET[digest.charCodeAt(c + 2) & 0x7f]! << 6) |
        SEXTET[digest.charCodeAt(c + 3) & 0x7f]!;
      k[b] = n >>> 16;
      k[b + 1] = (n >>> 8) & 0xff;
      k[b + 2] = n & 0xff;
    }
    return k;
  }

  flagsAt(slot: number): number {
    return this.flags[slot]! & 0x7f;
  }
  setFlags(slot: number, f: number): void {
    this.flags[slot] = this.flags[slot]! | f;
  }
  /** A byte size (a non-negative integer) kept for the digest. */
  valueAt(slot: number): number {
    const v = this.values[slot]!;
    return v === BIG ? this.big.get(slot)! : v;
  }
  setValue(slot: number, v: number): void {
    if (v >= BIG) {
      this.values[slot] = BIG;
      this.big.set(slot, v);
    } else {
      this.values[slot] = v;
      this.big.delete(slot);
    }
  }

  /**
   * Room for `entries` without growing again: sized once while the table is still
   * small, the old and new arrays never coexist at full size (the peak of a grow).
   */
  reserve(entries: number): void {
    let cap = this.flags.length;
    while (entries > cap * MAX_LOAD) cap <<= 1;
    if (cap > this.flags.length) this.rehash(cap);
  }

  private find(key: Uint8Array, insert: boolean): number {
    let i = (key[0]! | (key[1]! << 8) | (key[2]! << 16) | (key[3]! << 24)) & this.mask;
    for (;;) {
      const f = this.flags[i]!;
      if (f === 0) {
        if (!insert) return -1;
        this.keys.set(key, i * KEY);
        this.flags[i] = 0x80; // occupied, no flag yet
        this.used++;
        return i;
      }
      if (this.sameKey(i, key)) return i;
      i = (i + 1) & this.mask;
    }
  }

  private sameKey(i: number, key: Uint8Array): boolean {
    const at = i * KEY;
    for (let k = 0; k < KEY; k++) if (this.keys[at + k] !== key[k]) return false;
    return true;
  }

  private grow(): void {
    this.rehash(this.flags.length * 2);
  }

  private rehash(cap: number): void {
    const { keys, flags, values, big } = this;
    this.mask = cap - 1;
    this.keys = new Uint8Array(cap * KEY);
    this.flags = new Uint8Array(cap);
    this.values = new Uint32Array(cap);
    this.big = new Map();
    this.used = 0;
    for (let i = 0; i < flags.length; i++) {
      if (flags[i] === 0) continue;
      const s = this.find(keys.subarray(i * KEY, i * KEY + KEY), true);
      this.flags[s] = flags[i]!;
      this.values[s] = values[i]!;
      if (values[i] === BIG) this.big.set(s, big.get(i)!);
    }
  }
}
