import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { encodeFsSafeBase64 } from '../../src/engine';
import { DigestFlag, DigestTable } from '../../src/engine/check/digestTable';

/** Byte sizes, some past 4 GB (kept aside from the 32-bit column). */
const size = (i: number): number => (i % 1000 === 0 ? 2 ** 32 + i : i * 3);

describe('DigestTable (the compact set of BLOB names)', () => {
  it('keeps flags and values of 50k digests across growth, and knows what it never saw', () => {
    const t = new DigestTable(16);
    const digests = Array.from({ length: 50_000 }, (_, i) => encodeFsSafeBase64(randomBytes(i % 7 === 0 ? 48 : 32)));
    digests.forEach((d, i) => {
      const s = t.slot(d);
      t.setFlags(s, DigestFlag.Present);
      t.setValue(s, size(i));
    });
    assert.equal(t.size, digests.length);
    digests.forEach((d, i) => {
      const s = t.lookup(d);
      assert.ok(s >= 0);
      assert.equal(t.flagsAt(s), DigestFlag.Present);
      assert.equal(t.valueAt(s), size(i));
      assert.equal(t.slot(d), s, 'slot() of a known digest does not insert');
    });
    assert.equal(t.size, digests.length);
    for (let i = 0; i < 1000; i++) assert.equal(t.lookup(encodeFsSafeBase64(randomBytes(32))), -1);
  });

  it('reserves room once, with every entry kept', () => {
    const t = new DigestTable(16);
    const digests = Array.from({ length: 5000 }, () => encodeFsSafeBase64(randomBytes(32)));
    digests.slice(0, 100).forEach((d, i) => t.setValue(t.slot(d), size(i)));
    t.reserve(5000);
    digests.forEach((d, i) => t.setValue(t.slot(d), size(i)));
    assert.equal(t.size, 5000);
    digests.forEach((d, i) => assert.equal(t.valueAt(t.lookup(d)), size(i)));
  });
});
