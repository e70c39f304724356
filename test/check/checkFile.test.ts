import { strict as assert } from 'node:assert';
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { checkFile, runCoherencyCheck } from '../../src/engine';
import { FIXTURES, findItem, makeCleanSample, makeFixture, SAMPLE_NOW } from './fixtures';
import { tempDir } from './helpers';

describe('checkFile (one file, for the language server)', function () {
  this.timeout(60_000);
  let work: string;
  let clean: string;

  before(async () => {
    work = tempDir('checkfile');
    clean = path.join(work, 'clean');
    await makeCleanSample(clean);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('gives the same per-file codes as the full check, for the editor text or the file on disk', async () => {
    for (const name of ['item-interval-overlap', 'blob-truncated', 'account-schema', 'item-wrong-folder']) {
      const fx = FIXTURES.find((f) => f.name === name)!;
      const dir = path.join(work, name);
      makeFixture(clean, dir, fx);
      const full = await runCoherencyCheck(dir, { level: 'blobs', now: SAMPLE_NOW, cache: false, jobs: 0 });
      const hit = full.findings.find((f) => f.code === fx.code)!;
      assert.ok(hit, `${name}: the full check finds ${fx.code}`);
      const onDisk = await checkFile(dir, hit.path, undefined, { now: SAMPLE_NOW });
      assert.ok(
        onDisk.some((f) => f.code === fx.code && f.path === hit.path),
        `${name}: ${JSON.stringify(onDisk)}`,
      );
    }
  });

  it('checks unsaved text instead of the file', async () => {
    const item = findItem(clean, (t) => t.length >= 1 && t[0]!['type'] === 5);
    assert.deepEqual(
      (await checkFile(clean, item.rel, undefined, { now: SAMPLE_NOW })).filter((f) => f.severity !== 'info'),
      [],
    );
    const text = readFileSync(path.join(clean, item.rel), 'utf8');
    const broken = await checkFile(clean, item.rel, text.slice(0, Math.floor(text.length / 2)), { now: SAMPLE_NOW });
    assert.ok(broken.some((f) => f.code === 'item.invalid-json' && f.range !== undefined));
  });

  it('files outside the layout give nothing; a bad BLOB name is named', async () => {
    assert.deepEqual(await checkFile(clean, 'README.md', '# hello'), []);
    assert.deepEqual(
      (await checkFile(clean, 'items/ab/not-a-digest')).map((f) => f.code),
      ['blob.bad-name'],
    );
  });
});
