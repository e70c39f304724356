import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  computeDigest,
  decodeFsSafeBase64,
  digestAlgorithm,
  digestHasher,
  encodeFsSafeBase64,
  isValidDigest,
} from '../../src/engine/digest';
import { blobRelPath } from '../../src/engine/layout';

/** The reference: standard base64 of node:crypto's hash, '/' → ',' (Zimbra's encodeFSSafeBase64). */
function reference(data: Uint8Array, algorithm: 'sha256' | 'sha384' = 'sha256'): string {
  return createHash(algorithm).update(data).digest('base64').replace(/\//g, ',');
}

/** Deterministic bytes (no Math.random), so a failure is reproducible. */
function bytes(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

const EMPTY = computeDigest(new Uint8Array(0));

describe('digest', () => {
  describe('known vectors, checked against node:crypto', () => {
    it('SHA-256 of the empty string', () => {
      const standard = createHash('sha256').update('').digest('base64');
      assert.equal(standard, '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
      assert.equal(EMPTY, '47DEQpj8HBSa+,TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
      assert.equal(EMPTY, reference(new Uint8Array(0)));
    });
    it('SHA-256 of "abc"', () => {
      const abc = Buffer.from('abc');
      // FIPS 180-2 test vector ba7816bf... in base64; this one happens to contain no '/'.
      assert.equal(
        createHash('sha256').update(abc).digest('hex'),
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      );
      assert.equal(computeDigest(abc), reference(abc));
      assert.equal(computeDigest(abc), 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD,YfIAFa0=');
    });
    it('SHA-256 of a 1 MB buffer, whole and streamed in uneven chunks', () => {
      const mb = bytes(1024 * 1024, 7);
      const expected = reference(mb);
      assert.equal(computeDigest(mb), expected);
      const h = digestHasher();
      for (let at = 0, step = 1; at < mb.length; at += step, step = (step * 3 + 1) % 65537)
        h.update(mb.subarray(at, at + step));
      assert.equal(h.digest(), expected);
    });
    it('SHA-384: 64 characters, no padding, accepted as sha384', () => {
      const abc = Buffer.from('abc');
      const d = computeDigest(abc, 'sha384');
      assert.equal(d, reference(abc, 'sha384'));
      assert.equal(d.length, 64);
      assert.ok(!d.includes('='));
      assert.equal(digestAlgorithm(d), 'sha384');
      assert.equal(isValidDigest(d), true);
      const h = digestHasher('sha384');
      h.update(abc);
      assert.equal(h.digest(), d);
    });
    it('encodes a view into a larger buffer by its own bytes only', () => {
      const big = bytes(100, 3);
      const view = big.subarray(10, 42);
      assert.equal(encodeFsSafeBase64(view), Buffer.from(view).toString('base64').replace(/\//g, ','));
      assert.equal(computeDigest(new Uint8Array(big.buffer, big.byteOffset + 10, 32)), reference(view));
    });
    it('decodes what it encodes (property)', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
          const text = encodeFsSafeBase64(data);
          assert.ok(!text.includes('/'));
          assert.deepEqual(new Uint8Array(decodeFsSafeBase64(text)), data);
        }),
      );
    });
    it('every SHA-256 and SHA-384 digest of any content is valid (property)', () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 300 }),
          fc.constantFrom('sha256' as const, 'sha384' as const),
          (data, algorithm) => {
            const d = computeDigest(data, algorithm);
            assert.equal(d, reference(data, algorithm));
            assert.equal(digestAlgorithm(d), algorithm);
          },
        ),
      );
    });
  });

  describe('rejections', () => {
    const cases: [string, string][] = [
      ['empty', ''],
      ['path traversal', '../../etc/passwd'],
      ['traversal padded to 44 characters', '../../../../../../../../../../../etc/passwd='],
      ["'/' instead of ','", '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='],
      ['one character short', EMPTY.slice(1)],
      ['one character long', 'A' + EMPTY],
      ['padding missing', EMPTY.slice(0, -1)],
      ['43 characters + "=="', EMPTY.slice(0, -2) + 'U=='],
      ['hex SHA-256 (32 bytes) padded to 44 characters', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649='],
      ['URL-safe alphabet', '47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU='],
      ['a blank inside', '47DEQpj8HBSa+,TImW+5JCeuQeRk 5NMpJWZG3hSuFU='],
      ['a newline at the end', EMPTY.slice(0, -1) + '\n'],
      ['"=" inside', '47DEQpj8HBSa+,TImW+5JCeu=eRkm5NMpJWZG3hSuFU='],
      ['64 characters with padding (46 bytes)', 'A'.repeat(62) + '=='],
      ['SHA-1 length (28 characters)', 'qZk+NkcGgWq6PiVxeFDCbJzQ2J0='],
    ];
    for (const [what, value] of cases) {
      it(`rejects ${what}`, () => {
        assert.equal(digestAlgorithm(value), undefined);
        assert.equal(isValidDigest(value), false);
        assert.equal(blobRelPath(value), undefined);
      });
    }
    it('rejects a non-canonical last character (decode → re-encode must give the same string)', () => {
      // 'U' = 010100: its two low bits are padding. 'V' (010101) decodes to the same 32 bytes.
      const alias = EMPTY.slice(0, 42) + 'V=';
      assert.deepEqual(decodeFsSafeBase64(alias), decodeFsSafeBase64(EMPTY));
      assert.equal(encodeFsSafeBase64(decodeFsSafeBase64(alias)), EMPTY);
      assert.equal(isValidDigest(alias), false);
      assert.equal(blobRelPath(alias), undefined);
    });
    it('rejects non-strings', () => {
      for (const v of [undefined, null, 42, {}, [EMPTY], Buffer.from(EMPTY)]) assert.equal(isValidDigest(v), false);
    });
  });

  describe('blobRelPath', () => {
    it('puts a BLOB under items/<first two characters>/, "+" and "," included', () => {
      assert.equal(blobRelPath(EMPTY), `items/47/${EMPTY}`);
      const plus = '+' + EMPTY.slice(1, 42) + 'U=';
      assert.ok(isValidDigest(plus));
      assert.equal(blobRelPath(plus), `items/+7/${plus}`);
      const comma = ',,' + EMPTY.slice(2);
      assert.equal(blobRelPath(comma), `items/,,/${comma}`);
    });
    it('never produces a path for a string that is not a valid digest (property)', () => {
      const alphabet = fc.constantFrom(...'ABCabc019+,/=.\\-_ \u0000é'.split(''));
      const candidates = fc.oneof(fc.string(), fc.string({ unit: alphabet, minLength: 40, maxLength: 68 }));
      fc.assert(
        fc.property(candidates, (s) => {
          const rel = blobRelPath(s);
          if (rel === undefined) return;
          assert.ok(isValidDigest(s), s);
          const parts = rel.split('/');
          assert.equal(parts.length, 3);
          assert.deepEqual(parts, ['items', s.slice(0, 2), s]);
          assert.ok(!parts.includes('..') && !parts.includes('.'));
        }),
        { numRuns: 2000 },
      );
    });
    it('gives a path for every real digest, with exactly three segments', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), (data) => {
          const d = computeDigest(data);
          assert.deepEqual(blobRelPath(d)?.split('/'), ['items', d.slice(0, 2), d]);
        }),
      );
    });
  });
});
