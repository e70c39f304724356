import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { digestAlgorithm, encodeFsSafeBase64 } from '../../src/engine';
import { isDigestName } from '../../src/engine/digestName';

describe('isDigestName (the check fast path) agrees with digestAlgorithm', () => {
  it('on real SHA-256 and SHA-384 digests', () => {
    for (let i = 0; i < 500; i++) {
      for (const n of [32, 48]) {
        const d = encodeFsSafeBase64(randomBytes(n));
        assert.equal(isDigestName(d), true, d);
        assert.ok(digestAlgorithm(d));
      }
    }
  });

  it('on near misses and arbitrary strings', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,/=-_.';
    const near = fc.oneof(
      fc.string({ unit: fc.constantFrom(...alphabet.split('')), minLength: 42, maxLength: 66 }),
      fc.uint8Array({ minLength: 32, maxLength: 32 }).chain((b) =>
        fc.nat(43).map((i) => {
          const d = encodeFsSafeBase64(b);
          return d.slice(0, i) + 'B' + d.slice(i + 1);
        }),
      ),
      fc.string(),
    );
    fc.assert(
      fc.property(near, (s) => isDigestName(s) === (digestAlgorithm(s) !== undefined)),
      { numRuns: 5000 },
    );
  });
});
