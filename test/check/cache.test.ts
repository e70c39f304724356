import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { defaultCacheDir, runCoherencyCheck } from '../../src/engine';
import { findItem, makeCleanSample, SAMPLE_NOW } from './fixtures';
import { tempDir, treeHash } from './helpers';

describe('doCoherencyCheck cache', function () {
  this.timeout(120_000);
  let work: string;
  let root: string;
  let cacheDir: string;

  before(async () => {
    work = tempDir('cache');
    root = path.join(work, 'backup');
    cacheDir = path.join(work, 'cache');
    await makeCleanSample(root);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  const check = (extra: object = {}) =>
    runCoherencyCheck(root, { level: 'blobs', now: SAMPLE_NOW, cache: { dir: cacheDir }, jobs: 0, ...extra });

  it('a second run reuses every file and gives the same findings', async () => {
    const first = await check();
    assert.equal(first.summary.filesFromCache, 0);
    assert.ok(first.summary.cacheFile?.startsWith(cacheDir));
    const second = await check();
    assert.equal(second.summary.filesFromCache, second.summary.filesChecked);
    assert.deepEqual(second.findings, first.findings);
    assert.deepEqual(second.summary.byCode, first.summary.byCode);
  });

  it('a changed file is checked again, and cross-file checks stay right on a cached run', async () => {
    const item = findItem(root, (t) => t.length === 1 && typeof t[0]!['digest'] === 'string' && t[0]!['type'] === 5);
    const before = await check();
    item.txs[0]!['folder-id'] = 987654;
    writeFileSync(path.join(root, item.rel), JSON.stringify(item.txs));
    const digest = item.txs[0]!['digest'] as string;
    const blobRel = `items/${digest.slice(0, 2)}/${digest}`;
    renameSync(path.join(root, blobRel), path.join(work, 'blob-aside'));
    try {
      const r = await check();
      assert.equal(
        r.summary.filesFromCache,
        before.summary.filesChecked - 2,
        'all but the item and the BLOB came from the cache',
      );
      assert.deepEqual(
        r.findings.filter((f) => f.code === 'item.unknown-folder').map((f) => f.path),
        [item.rel],
      );
      // Reported on every item that lost the (deduplicated) BLOB, at its digest, naming where it belongs.
      const lost = r.findings.filter((f) => f.code === 'blob.missing');
      assert.ok(
        lost.some((f) => f.path === item.rel),
        'the changed item is among those that lost the BLOB',
      );
      for (const f of lost) {
        assert.ok(readFileSync(path.join(root, f.path), 'utf8').includes(digest), `${f.path} references the digest`);
        assert.ok(f.message.includes(blobRel) && f.range !== undefined, f.message);
      }
      const uncached = await check({ cache: false });
      assert.deepEqual(r.findings, uncached.findings);
    } finally {
      renameSync(path.join(work, 'blob-aside'), path.join(root, blobRel));
    }
  });

  it('a "future date" verdict is made afresh: the cache does not keep it once that date has passed', async () => {
    const DAY = 86_400_000;
    const item = findItem(root, (t) => t.length === 1 && t[0]!['deleted'] !== true);
    const original = JSON.stringify(item.txs);
    item.txs[0]!['start-date'] = SAMPLE_NOW + 10 * DAY;
    writeFileSync(path.join(root, item.rel), JSON.stringify(item.txs));
    try {
      const then = await check();
      assert.deepEqual(
        then.findings.filter((f) => f.code === 'item.future-date').map((f) => f.path),
        [item.rel],
      );
      const later = await check({ now: SAMPLE_NOW + 20 * DAY });
      assert.deepEqual(
        later.findings.filter((f) => f.code === 'item.future-date'),
        [],
        'the date is past now',
      );
      assert.equal(later.summary.filesFromCache, later.summary.filesChecked - 1, 'only that item was read again');
    } finally {
      writeFileSync(path.join(root, item.rel), original);
    }
  });

  it('the cache is never inside the backup path, and --no-cache leaves no file', async () => {
    const hash = treeHash(root);
    const r = await check({ cache: { dir: path.join(root, '.cache') } });
    assert.equal(r.summary.cacheFile, null);
    assert.equal(treeHash(root), hash);
    const n = await check({ cache: false });
    assert.equal(n.summary.cacheFile, null);
    assert.equal(n.summary.filesFromCache, 0);
  });

  it('the default cache folder follows ZXB_CACHE_DIR, then XDG_CACHE_HOME, then ~/.cache', () => {
    assert.equal(defaultCacheDir({ ZXB_CACHE_DIR: '/x/y' }), '/x/y');
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/xdg' }), '/xdg/zxbackup-inspector');
    assert.match(defaultCacheDir({}), /\.cache\/zxbackup-inspector$/);
  });
});

describe('doCoherencyCheck cache without a SQLite driver (the VSIX in a Node 20 extension host)', function () {
  this.timeout(120_000);
  let work: string;
  let root: string;
  const saved = process.env['ZXB_SQLITE'];

  before(async () => {
    work = tempDir('cache-memory');
    root = path.join(work, 'backup');
    await makeCleanSample(root);
    process.env['ZXB_SQLITE'] = 'none';
  });
  after(() => {
    if (saved === undefined) delete process.env['ZXB_SQLITE'];
    else process.env['ZXB_SQLITE'] = saved;
    rmSync(work, { recursive: true, force: true });
  });

  const check = () =>
    runCoherencyCheck(root, { level: 'blobs', now: SAMPLE_NOW, cache: { dir: path.join(work, 'cache') }, jobs: 0 });

  it('keeps the rows in this process: the second check is warm, a changed file is checked again, no file written', async () => {
    const first = await check();
    assert.match(first.summary.cacheFile ?? '', /^memory:check-/);
    assert.equal(first.summary.cacheNote, undefined, 'a cache in memory is a cache, not io.cache-unavailable');
    const second = await check();
    assert.equal(second.summary.filesFromCache, second.summary.filesChecked);
    assert.deepEqual(second.findings, first.findings);
    const item = findItem(root, (t) => t.length === 1 && t[0]!['type'] === 5);
    item.txs[0]!['folder-id'] = 987654;
    writeFileSync(path.join(root, item.rel), JSON.stringify(item.txs));
    const third = await check();
    assert.equal(third.summary.filesFromCache, second.summary.filesChecked - 1);
    assert.deepEqual(
      third.findings.filter((f) => f.code === 'item.unknown-folder').map((f) => f.path),
      [item.rel],
    );
    assert.equal(existsSync(path.join(work, 'cache')), false, 'nothing written on disk');
  });
});
