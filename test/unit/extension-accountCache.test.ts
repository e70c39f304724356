import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BackupPath } from '../../src/engine/backup/backupPath';
import { makeSample, type SampleResult } from '../../src/engine/sample';
import { AccountCache } from '../../src/extension/model/accountCache';
import { accountTopLevel, firstPage } from '../../src/extension/model/treeModel';

describe('extension account cache on a generated backup path', function () {
  this.timeout(120_000);
  let dir: string;
  let sample: SampleResult;
  let backup: BackupPath;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'zxb-ext-cache-'));
    sample = await makeSample(path.join(dir, 'backup'), { accounts: 3, itemsPerAccount: 60, seed: 7 });
    backup = await BackupPath.open(sample.path);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const biggest = () => [...sample.accounts].sort((a, b) => b.items - a.items)[0]!;

  it('reads every item file of an account once and shares the read', async () => {
    const cache = new AccountCache(backup);
    const a = biggest();
    const [x, y] = [cache.load(a.zimbraId), cache.load(a.zimbraId)];
    assert.equal(x, y, 'a second caller gets the read in flight');
    const loaded = await x;
    assert.equal(loaded.items.length, a.items);
    assert.equal(loaded.byId.size, a.items);
  });

  it('builds the snapshot once per point in time, and the tree shows its folders and items', async () => {
    const cache = new AccountCache(backup);
    const a = biggest();
    const last = await cache.snapshot(a.zimbraId, null);
    assert.equal(await cache.snapshot(a.zimbraId, null), last);
    const early = await cache.snapshot(a.zimbraId, sample.startDate + (sample.endDate - sample.startDate) / 4);
    assert.notEqual(early, last);
    assert.ok(early.itemCount < last.itemCount + last.deleted.length, 'fewer items existed early on');
    const top = accountTopLevel(last);
    assert.ok(
      top.folders.some((f) => f.name === 'Inbox'),
      top.folders.map((f) => f.name).join(', '),
    );
    const inbox = top.folders.find((f) => f.name === 'Inbox')!;
    const page = firstPage(a.zimbraId, inbox.id, inbox.items);
    assert.equal(page.length, Math.min(inbox.items.length, 200) + (inbox.items.length > 200 ? 1 : 0));
    for (const v of page) assert.ok(v.path && v.path.startsWith(`accounts/${a.zimbraId}/items/`), v.path);
  });

  it('keeps only the most recently used accounts, by count', async () => {
    const cache = new AccountCache(backup, { maxAccounts: 2 });
    const [a, b, c] = sample.accounts;
    await cache.load(a!.zimbraId);
    await cache.load(b!.zimbraId);
    await cache.load(a!.zimbraId); // a is now the most recent
    await cache.load(c!.zimbraId);
    assert.deepEqual(cache.loadedIds().sort(), [a!.zimbraId, c!.zimbraId].sort());
  });

  it('keeps only the most recently used accounts, by items in memory, but always the last one', async () => {
    const [a, b, c] = sample.accounts;
    const cache = new AccountCache(backup, { maxItems: a!.items + b!.items + c!.items - 1 });
    for (const x of [a, b, c]) await cache.load(x!.zimbraId);
    assert.deepEqual(cache.loadedIds(), [b!.zimbraId, c!.zimbraId]);
    const tiny = new AccountCache(backup, { maxItems: 1 });
    await tiny.load(a!.zimbraId);
    await tiny.load(b!.zimbraId);
    assert.deepEqual(tiny.loadedIds(), [b!.zimbraId]);
  });

  it('does not keep a cancelled read', async () => {
    const cache = new AccountCache(backup);
    const abort = new AbortController();
    abort.abort();
    await assert.rejects(
      cache.load(biggest().zimbraId, { signal: abort.signal }),
      (e: Error) => e.name === 'AbortError',
    );
    assert.equal(cache.isLoaded(biggest().zimbraId), false);
    assert.equal((await cache.load(biggest().zimbraId)).items.length, biggest().items);
  });
});
