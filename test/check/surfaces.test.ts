/**
 * Rules the check and `zxb getItem` apply to a BLOB, held equal where the parity test
 * (which compares the item file's findings) does not look: findings on the BLOB's path.
 */
import { strict as assert } from 'node:assert';
import { copyFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { itemRelPath, runCoherencyCheck, type Finding } from '../../src/engine';
import { zxbJson } from '../cli/run';
import { blobOf, makeCleanSample, SAMPLE_NOW } from './fixtures';
import { tempDir } from './helpers';

describe('BLOB findings: the same on the check and getItem', function () {
  this.timeout(120_000);
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a symbolic link where a BLOB should be is io.symlink on both (never followed)', async () => {
    dir = tempDir('blob-symlink');
    await makeCleanSample(dir);
    const b = blobOf(dir);
    const abs = path.join(dir, b.rel);
    const outside = `${dir}-outside-blob`;
    copyFileSync(abs, outside);
    unlinkSync(abs);
    symlinkSync(outside, abs);
    try {
      const report = await runCoherencyCheck(dir, { level: 'blobs', now: SAMPLE_NOW, cache: false, jobs: 0 });
      const checked = report.findings.filter((f) => f.path === b.rel).map((f) => `${f.code} ${f.message}`);
      assert.equal(checked.length, 1, checked.join('\n'));
      assert.match(checked[0]!, /^io\.symlink /);
      const [, account, , , id] = b.item.rel.split('/');
      const r = await zxbJson<{ findings: Finding[] }>('getItem', dir, account!, id!, '--json');
      const got = r.json.findings.filter((f) => f.path === b.rel).map((f) => `${f.code} ${f.message}`);
      assert.deepEqual(got, checked);
    } finally {
      rmSync(outside, { force: true });
    }
  });

  it('blob.size-mismatch: two items declaring two wrong sizes of one BLOB: two findings, each the one getItem gives for its item', async () => {
    dir = tempDir('size-mismatch');
    await makeCleanSample(dir);
    const b = blobOf(dir);
    const real = b.item.txs[0]!['size'] as number;
    const account = b.item.rel.split('/')[1]!;
    const first = b.item.txs[0]!;
    const itemId = first['id'] as number;
    // This item declares real+1; a copy of it under a new id declares real+2 (the same BLOB: deduplicated).
    writeFileSync(path.join(dir, b.item.rel), JSON.stringify([{ ...first, size: real + 1 }]));
    const otherId = 990_001;
    writeFileSync(
      path.join(dir, itemRelPath(account, otherId)),
      JSON.stringify([{ ...first, id: otherId, size: real + 2 }]),
    );
    const report = await runCoherencyCheck(dir, { level: 'blobs', now: SAMPLE_NOW, cache: false, jobs: 0 });
    const checked = report.findings.filter((f) => f.code === 'blob.size-mismatch').map((f) => f.message);
    assert.equal(checked.length, 2, checked.join('\n'));
    for (const id of [itemId, otherId]) {
      const r = await zxbJson<{ findings: Finding[] }>('getItem', dir, account, String(id), '--date', 'all', '--json');
      const got = r.json.findings.filter((f) => f.code === 'blob.size-mismatch').map((f) => f.message);
      assert.equal(got.length, 1, `item ${id}: ${got.join('\n')}`);
      assert.ok(checked.includes(got[0]!), `item ${id}: getItem says ${got[0]}, the check ${checked.join(' / ')}`);
    }
    assert.notEqual(checked[0], checked[1]);
  });
});
