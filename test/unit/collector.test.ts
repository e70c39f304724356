import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { FindingCollector } from '../../src/engine/check/collector';
import { finding, messageOf } from '../../src/engine/findings';

/** Findings over the cap: what is kept must not depend on the order they arrived in (worker threads answer in any order). */
describe('the check keeps the same findings whatever order they arrive in', () => {
  const direct = Array.from({ length: 57 }, (_, i) =>
    finding('blob.orphan', `items/${String(i % 13).padStart(2, '0')}/x${i}`, `orphan ${i}`),
  );
  const pointed = Array.from({ length: 41 }, (_, i) => ({
    code: 'blob.missing' as const,
    path: `accounts/a/items/${String(i % 7).padStart(2, '0')}/${i}`,
    message: messageOf('blob.missing', { digest: `d${i}`, blobRel: `items/d${i % 3}/d${i}` }),
    pointer: [i % 4, 'digest'],
  }));
  const run = (order: number[], pointedOrder: number[]): string[] => {
    const c = new FindingCollector(5);
    for (const i of order) c.add(direct[i]!);
    for (const i of pointedOrder) c.addPointed(pointed[i]!, 'error');
    for (const p of c.takePointed()) c.addResolved(finding(p.code, p.path, p.message));
    assert.equal(c.byCode.get('blob.orphan'), direct.length);
    assert.equal(c.byCode.get('blob.missing'), pointed.length);
    return c.kept.map((f) => `${f.code} ${f.path} ${f.message}`).sort();
  };
  it('any permutation keeps the same 5 per code', () => {
    const expected = run(
      direct.map((_, i) => i),
      pointed.map((_, i) => i),
    );
    assert.equal(expected.length, 10);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(
          direct.map((_, i) => i),
          { minLength: direct.length },
        ),
        fc.shuffledSubarray(
          pointed.map((_, i) => i),
          { minLength: pointed.length },
        ),
        (a, b) => assert.deepEqual(run(a, b), expected),
      ),
      { numRuns: 200 },
    );
  });
});
