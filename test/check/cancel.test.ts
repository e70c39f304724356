import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { findWorkerEntry, runCoherencyCheck, type ProgressEvent } from '../../src/engine';
import { createPool } from '../../src/engine/check/pool';
import { makeMiniSample, MINI_NOW } from './miniSample';
import { tempDir } from './helpers';

describe('doCoherencyCheck cancellation and worker paths', function () {
  this.timeout(120_000);
  let work: string;
  let root: string;

  before(() => {
    work = tempDir('cancel');
    root = path.join(work, 'backup');
    makeMiniSample(root, { accounts: 6, itemsPerAccount: 300, seed: 5 });
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  for (const jobs of [0, 2]) {
    it(`an abort during the check returns partial results with interrupted = true (jobs ${jobs})`, async () => {
      const full = await runCoherencyCheck(root, { level: 'blobs', now: MINI_NOW, cache: false, jobs });
      const controller = new AbortController();
      const events: ProgressEvent[] = [];
      const r = await runCoherencyCheck(
        root,
        { level: 'blobs', now: MINI_NOW, cache: false, jobs },
        {
          signal: controller.signal,
          progress: (e) => {
            events.push(e);
            if (e.done >= 1) controller.abort();
          },
        },
      );
      assert.equal(r.summary.interrupted, true);
      assert.ok(r.summary.filesChecked > 0, 'some work was done');
      assert.ok(
        r.summary.filesChecked < full.summary.filesChecked,
        `${r.summary.filesChecked} < ${full.summary.filesChecked}`,
      );
      // A partial run must not claim BLOBs are missing or orphan: it did not see everything.
      assert.equal(r.summary.byCode['blob.missing'] ?? 0, 0);
      assert.equal(r.summary.byCode['blob.orphan'] ?? 0, 0);
      assert.match(r.summary.nextCommand, /doCoherencyCheck/);
    });
  }

  it('in-process (--jobs 0), each work item runs in its own turn of the event loop (Ctrl-C and timers get in between)', async () => {
    const pool = createPool({ root, level: 'metadata', now: MINI_NOW, fixDoubleGzip: 'check' }, 0);
    const item = { type: 'item-folders' as const, folders: ['accounts'], drive: false, read: false, records: false };
    let turns = 0;
    setImmediate(() => turns++);
    const first = pool.run(item);
    assert.equal(turns, 0);
    await first;
    assert.equal(turns, 1, 'a turn of the event loop came before the work item ran');
    setImmediate(() => turns++);
    await pool.ready();
    assert.equal(turns, 2, 'ready() hands out the next item only after another turn');
    await pool.close();
  });

  it('an already aborted signal stops before reading any file', async () => {
    const r = await runCoherencyCheck(
      root,
      { level: 'metadata', now: MINI_NOW, cache: false, jobs: 0 },
      { signal: AbortSignal.abort() },
    );
    assert.equal(r.summary.interrupted, true);
    assert.equal(r.summary.filesChecked, 0);
  });

  it('from sources the pool runs worker.ts under tsx; without a worker it runs in-process; same findings', async () => {
    const entry = findWorkerEntry();
    assert.ok(entry && entry.file.endsWith('worker.ts') && entry.loader, JSON.stringify(entry));
    const threads = await runCoherencyCheck(root, { level: 'blobs', now: MINI_NOW, cache: false, jobs: 2 });
    const inProcess = await runCoherencyCheck(
      root,
      { level: 'blobs', now: MINI_NOW, cache: false, jobs: 2 },
      { workerEntry: null },
    );
    assert.equal(threads.summary.workers, 'threads:2');
    assert.equal(inProcess.summary.workers, 'in-process');
    assert.deepEqual(threads.findings, inProcess.findings);
    assert.deepEqual(threads.summary.byCode, inProcess.summary.byCode);
  });

  it('findings are counted in full but kept up to the cap per code', async () => {
    const r = await runCoherencyCheck(root, {
      level: 'metadata',
      now: MINI_NOW,
      cache: false,
      jobs: 0,
      maxFindingsPerCode: 3,
    });
    const purge = r.summary.byCode['item.purge-due'] ?? 0;
    assert.ok(purge > 3, `sample has ${purge} purge-due items`);
    assert.equal(r.findings.filter((f) => f.code === 'item.purge-due').length, 3);
    assert.deepEqual(r.summary.truncatedCodes, ['item.purge-due']);
  });
});
