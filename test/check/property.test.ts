import { strict as assert } from 'node:assert';
import { appendFileSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { runCoherencyCheck } from '../../src/engine';
import { listFiles, makeCleanSample, makeFixture, SAMPLE_NOW } from './fixtures';
import { tempDir, treeHash } from './helpers';

/** One random damage: which file (index into the sorted list), what, where. */
type Damage = { file: number; op: 'flip' | 'truncate' | 'append' | 'nest'; at: number; bytes: number[] };

const damageArb: fc.Arbitrary<Damage> = fc.record({
  file: fc.nat(),
  op: fc.constantFrom('flip', 'flip', 'truncate', 'append', 'nest'),
  at: fc.nat(),
  bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }),
});

function apply(root: string, files: string[], d: Damage): void {
  const rel = files[d.file % files.length]!;
  const abs = path.join(root, rel);
  const data = readFileSync(abs);
  switch (d.op) {
    case 'flip':
      if (data.length === 0) return;
      data[d.at % data.length] = data[d.at % data.length]! ^ 0xff;
      writeFileSync(abs, data);
      return;
    case 'truncate':
      truncateSync(abs, data.length === 0 ? 0 : d.at % data.length);
      return;
    case 'append':
      appendFileSync(abs, Buffer.from(d.bytes));
      return;
    case 'nest':
      // Deep nesting where a naive recursive parser would overflow its stack.
      writeFileSync(
        abs,
        Buffer.concat([data.subarray(0, d.at % (data.length + 1)), Buffer.from('['.repeat(50_000 + d.bytes.length))]),
      );
  }
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no answer within ${ms} ms (hang)`)), ms).unref(),
    ),
  ]);
}

describe('doCoherencyCheck property: random damage to metadata and BLOBs', function () {
  this.timeout(120_000);
  let work: string;
  let template: string;

  before(async () => {
    work = tempDir('property');
    template = path.join(work, 'clean');
    await makeCleanSample(template, { accounts: 1, itemsPerAccount: 15 });
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('never crashes, never hangs, never changes the backup path', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(damageArb, { minLength: 1, maxLength: 4 }),
        fc.constantFrom<'structure' | 'metadata' | 'blobs'>('metadata', 'blobs'),
        async (damages, level) => {
          const dir = path.join(work, `run-${run++}`);
          makeFixture(template, dir, {
            name: 'random',
            code: 'io.unreadable',
            level: 'structure',
            damage: () => undefined,
          });
          const files = [
            ...listFiles(dir, 'accounts'),
            ...listFiles(dir, 'items'),
            ...listFiles(dir, '').filter((f) => f.startsWith('map_')),
          ];
          for (const d of damages) apply(dir, files, d);
          const before = treeHash(dir);
          const report = await withDeadline(
            runCoherencyCheck(dir, { level, now: SAMPLE_NOW, cache: false, jobs: 0 }),
            20_000,
          );
          assert.equal(report.summary.interrupted, false);
          assert.ok(report.summary.filesChecked > 0);
          for (const f of report.findings) assert.ok(!path.isAbsolute(f.path) && !f.path.startsWith('..'), f.path);
          assert.equal(treeHash(dir), before, 'the check wrote into the backup path');
          rmSync(dir, { recursive: true, force: true });
        },
      ),
      { numRuns: 25 },
    );
  });
});
