import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { encodeFsSafeBase64 } from '../../src/engine';
import { DigestFlag, DigestTable } from '../../src/engine/check/digestTable';

describe('DigestTable (the compact set of BLOB names)', () => {
  it('keeps flags and values of 50k digests across growth, and knows what it never saw', () => {
    const t = new DigestTable(16);
    const digests = Array.from({ length: 50_000 }, (_, i) => encodeFsSafeBase64(randomBytes(i % 7 === 0 ? 48 : 32)));
    digests.forEach((d, i) => {
      const s = t.slot(d);
      t.setFlags(s, DigestFlag.Present);
      t.setValue(s, i * 1.5);
    });
    assert.equal(t.size, digests.length);
    digests.forEach((d, i) => {
      const s = t.lookup(d);
      assert.ok(s >= 0);
      assert.equal(t.flagsAt(s), DigestFlag.Present);
      assert.equal(t.valueAt(s), i * 1.5);
      assert.equal(t.slot(d), s, 'slot() of a known digest does not insert');
    });
    assert.equal(t.size, digests.length);
    for (let i = 0; i < 1000; i++) assert.equal(t.lookup(encodeFsSafeBase64(randomBytes(32))), -1);
  });
});
