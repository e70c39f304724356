import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { runCoherencyCheck, type CheckLevel } from '../../src/engine';
import { FIXTURES, makeCleanSample, makeFixture, findItem, SAMPLE_NOW } from './fixtures';
import { errorsAndWarnings, tempDir, treeHash } from './helpers';

/** The engine and a check of argv[2] bundled into one file under `dir`, readable by anyone. */
function childBundle(dir: string): string {
  const outfile = path.join(dir, 'check-child.js');
  buildSync({
    stdin: {
      contents: `import { runCoherencyCheck } from './index';\nrunCoherencyCheck(process.argv[2]!, { level: 'metadata', now: ${SAMPLE_NOW}, cache: false, jobs: 0 }).then((r) => process.stdout.write(JSON.stringify(r)));\n`,
      resolveDir: path.join(__dirname, '../../src/engine'),
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['better-sqlite3'],
    mainFields: ['module', 'main'], // as scripts/build.mjs: jsonc-parser's UMD main cannot be bundled
    outfile,
    logLevel: 'silent',
  });
  chmodSync(outfile, 0o644);
  return outfile;
}

const LEVELS: CheckLevel[] = ['structure', 'metadata', 'blobs'];
const above = (l: CheckLevel): CheckLevel[] => LEVELS.slice(LEVELS.indexOf(l));

describe('doCoherencyCheck fixtures: one per kind of damage', function () {
  this.timeout(120_000);
  let work: string;
  let template: string;

  before(async () => {
    work = tempDir('fixtures');
    template = path.join(work, 'clean');
    await makeCleanSample(template);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  for (const level of LEVELS) {
    it(`a clean sample has no error or warning at level ${level}`, async () => {
      const r = await runCoherencyCheck(template, { level, now: SAMPLE_NOW, cache: false, jobs: 0 });
      assert.deepEqual(errorsAndWarnings(r), []);
      assert.ok(r.summary.itemsChecked > 0 && r.summary.blobsChecked > 0);
    });
  }

  for (const fx of FIXTURES) {
    it(`${fx.name} yields ${fx.code} from level ${fx.level} up, and not below`, async () => {
      const dir = path.join(work, fx.name);
      makeFixture(template, dir, fx);
      const before = treeHash(dir);
      for (const level of LEVELS) {
        const r = await runCoherencyCheck(dir, { level, now: SAMPLE_NOW, cache: false, jobs: 0 });
        const found = r.findings.filter((f) => f.code === fx.code);
        if (above(fx.level).includes(level)) {
          assert.ok(found.length > 0, `${fx.code} not found at ${level}; found ${JSON.stringify(r.summary.byCode)}`);
          for (const f of found)
            assert.ok(!path.isAbsolute(f.path) && !f.path.startsWith('..'), `path ${f.path} is relative`);
        } else {
          assert.equal(found.length, 0, `${fx.code} found at ${level} already`);
        }
      }
      assert.equal(treeHash(dir), before, 'the check changed the backup path');
    });
  }

  it('fixtures run through the worker threads give the same findings as in-process', async () => {
    const fx = FIXTURES.find((f) => f.name === 'blob-corrupted-crc')!;
    const dir = path.join(work, 'threads');
    makeFixture(template, dir, fx);
    const inProc = await runCoherencyCheck(dir, { level: 'blobs', now: SAMPLE_NOW, cache: false, jobs: 0 });
    const threads = await runCoherencyCheck(dir, { level: 'blobs', now: SAMPLE_NOW, cache: false, jobs: 2 });
    assert.deepEqual(threads.findings, inProc.findings);
    assert.deepEqual(threads.summary.byCode, inProc.summary.byCode);
  });

  it('an unreadable item file is io.unreadable, not corruption, and the rest is checked', async () => {
    const dir = path.join(work, 'unreadable');
    makeFixture(template, dir, {
      name: 'unreadable',
      code: 'io.unreadable',
      level: 'metadata',
      damage: () => undefined,
    });
    const item = findItem(dir, (t) => t.length === 1);
    chmodSync(work, 0o755); // the unprivileged user must reach the sample
    chmodSync(path.join(dir, item.rel), 0o000);
    try {
      // Root reads anything: run the check as an unprivileged user then, from a bundle in a
      // folder that user can enter (the checkout may sit where it cannot: /root, mktemp -d).
      const asRoot = process.getuid?.() === 0;
      const child = spawnSync(process.execPath, [childBundle(work), dir], {
        encoding: 'utf8',
        cwd: work,
        ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
      });
      assert.equal(child.status, 0, child.stderr);
      const r = JSON.parse(child.stdout) as Awaited<ReturnType<typeof runCoherencyCheck>>;
      const unreadable = r.findings.filter((f) => f.code === 'io.unreadable');
      assert.deepEqual(
        unreadable.map((f) => f.path),
        [item.rel],
      );
      assert.ok(!r.findings.some((f) => f.path === item.rel && f.code.startsWith('item.')), 'reported as damaged');
      assert.ok(r.summary.filesChecked > 10);
    } finally {
      chmodSync(path.join(dir, item.rel), 0o644);
    }
  });
});
