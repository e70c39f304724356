/** Which BLOBs a sampled check verifies: a deterministic slice n/t by digest, or a random percentage. */
import { createHash } from 'node:crypto';
import type { SampleSpec } from './types';

export function parseSample(text: string): SampleSpec | undefined {
  const slice = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (slice) {
    const n = Number(slice[1]);
    const t = Number(slice[2]);
    return t >= 1 && n >= 1 && n <= t ? { slice: [n, t] } : undefined;
  }
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(text.trim());
  if (pct) {
    const x = Number(pct[1]);
    return x > 0 && x <= 100 ? { percent: x } : undefined;
  }
  return undefined;
}

/** Slice n of t: a stable hash of the digest name, so the t slices cover every BLOB exactly once. */
export function inSample(digest: string, sample: SampleSpec | undefined, random: () => number = Math.random): boolean {
  if (!sample) return true;
  if ('percent' in sample) return random() * 100 < sample.percent;
  const [n, t] = sample.slice;
  const h = createHash('sha1').update(digest).digest().readUInt32BE(0);
  return h % t === n - 1;
}

export function describeSample(sample: SampleSpec | undefined): string {
  if (!sample) return 'all';
  return 'percent' in sample ? `${sample.percent}%` : `${sample.slice[0]}/${sample.slice[1]}`;
}
