import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCoherencyCheck, undoFix, QUARANTINE_DIR, type Manifest } from '../../src/engine';
import { FIXTURES, makeCleanSample, makeFixture, SAMPLE_NOW } from './fixtures';
import { tempDir, treeHash } from './helpers';

const fx = (name: string) => FIXTURES.find((f) => f.name === name)!;

describe('doCoherencyCheck --fix-backup / --fix-double-gzip fix and undoFix', function () {
  this.timeout(120_000);
  let work: string;
  let template: string;
  let damaged: string;

  before(async () => {
    work = tempDir('fix');
    template = path.join(work, 'clean');
    await makeCleanSample(template);
    // Several kinds at once: unusable metadata, an orphan, a double gzip.
    damaged = path.join(work, 'damaged');
    makeFixture(template, damaged, fx('item-invalid-json'));
    fx('blob-orphan').damage(damaged);
    fx('blob-double-gzip').damage(damaged);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  const check = (dir: string, extra: object = {}) =>
    runCoherencyCheck(dir, { level: 'blobs', now: SAMPLE_NOW, cache: false, jobs: 0, ...extra });

  it('fix then undo restores the tree byte for byte', async () => {
    const dir = path.join(work, 'undo');
    makeFixture(damaged, dir, { name: 'copy', code: 'io.unreadable', level: 'structure', damage: () => undefined });
    const before = treeHash(dir);
    const fixed = await check(dir, { fixBackup: true, fixDoubleGzip: 'fix' });
    assert.ok(fixed.quarantine, 'a quarantine was made');
    assert.ok(fixed.quarantine.moved >= 2 && fixed.quarantine.rewritten === 1, JSON.stringify(fixed.quarantine));
    assert.notEqual(treeHash(dir), before);
    const manifest = JSON.parse(readFileSync(path.join(dir, fixed.quarantine.manifest), 'utf8')) as Manifest;
    assert.deepEqual(
      new Set(manifest.entries.map((e) => e.reason)),
      new Set(['item.invalid-json', 'blob.orphan', 'blob.double-gzip']),
    );
    for (const e of manifest.entries) {
      assert.ok(e.quarantinePath.startsWith(`${QUARANTINE_DIR}/`) && e.quarantinePath.endsWith(e.path));
      assert.match(e.sha256, /^[0-9a-f]{64}$/);
      assert.ok(existsSync(path.join(dir, e.quarantinePath)), `${e.quarantinePath} holds the original`);
    }
    const undo = await undoFix(dir, fixed.quarantine.manifest);
    assert.deepEqual(undo.problems, []);
    assert.equal(undo.restored, manifest.entries.length);
    assert.equal(treeHash(dir), before);
  });

  it('check → fix → check leaves no errors, and the quarantine is not checked', async () => {
    const dir = path.join(work, 'refix');
    makeFixture(damaged, dir, { name: 'copy', code: 'io.unreadable', level: 'structure', damage: () => undefined });
    const first = await check(dir);
    assert.ok(first.summary.bySeverity.error > 0);
    assert.match(first.summary.nextCommand, /--fix-backup/);
    await check(dir, { fixBackup: true, fixDoubleGzip: 'fix' });
    const after = await check(dir);
    assert.equal(
      after.summary.bySeverity.error,
      0,
      JSON.stringify(after.findings.filter((f) => f.severity === 'error')),
    );
    assert.equal(after.summary.byCode['blob.double-gzip'] ?? 0, 0);
    assert.ok(!after.findings.some((f) => f.path.startsWith(QUARANTINE_DIR)));
  });

  it('without a --fix option nothing is written, even with fixable damage', async () => {
    const before = treeHash(damaged);
    const r = await check(damaged, { fixDoubleGzip: 'check' });
    assert.equal(r.quarantine, undefined);
    assert.equal(treeHash(damaged), before);
  });

  it('undo refuses to overwrite a file that differs from what the fix left', async () => {
    const dir = path.join(work, 'conflict');
    makeFixture(damaged, dir, { name: 'copy', code: 'io.unreadable', level: 'structure', damage: () => undefined });
    const fixed = await check(dir, { fixBackup: true });
    const manifest = JSON.parse(readFileSync(path.join(dir, fixed.quarantine!.manifest), 'utf8')) as Manifest;
    const moved = manifest.entries.find((e) => e.action === 'moved')!;
    writeFileSync(path.join(dir, moved.path), 'a new file written since the fix');
    const undo = await undoFix(dir, fixed.quarantine!.manifest);
    assert.equal(undo.problems.length, 1);
    assert.equal(readFileSync(path.join(dir, moved.path), 'utf8'), 'a new file written since the fix');
    assert.ok(existsSync(path.join(dir, moved.quarantinePath)), 'the quarantined copy is kept');
    assert.ok(existsSync(path.join(dir, fixed.quarantine!.manifest)), 'the manifest is kept');
  });
});
