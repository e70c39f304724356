/**
 * Ctrl-C: the first SIGINT stops the job at a safe point and says how far it got; every
 * command then exits with the one code for "interrupted", 3 (ExitCode.INTERRUPTED).
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ExitCode } from '../../src/cli/errors';
import { BIG, addBigAccount, makeFixture, type Fixture } from './fixture';
import { collect, ensureBuilt, startZxb, waitFor, type ZxbResult } from './run';

/** Starts zxb, waits until stderr matches `started`, then sends `signals` SIGINTs. */
async function interrupt(args: string[], started: RegExp, signals = 1): Promise<ZxbResult> {
  const child = startZxb(args, { ZXB_CACHE_DIR: path.join(tmpdir(), 'zxb-interrupt-cache') });
  const result = collect(child);
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  await waitFor(() => started.test(stderr), `${started} on stderr`);
  for (let i = 0; i < signals; i++) child.kill('SIGINT');
  return result;
}

describe('zxb Ctrl-C', function () {
  this.timeout(120_000);
  let fx: Fixture;
  let work: string;
  before(async () => {
    await ensureBuilt();
    fx = makeFixture();
    addBigAccount(fx.root, 30_000);
    work = mkdtempSync(path.join(tmpdir(), 'zxb-interrupt-'));
  });
  after(() => {
    rmSync(fx.root, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('the code for "interrupted" is 3', () => assert.equal(ExitCode.INTERRUPTED, 3));

  it('SIGINT during getAccountInfo prints what was done and exits 3', async () => {
    const r = await interrupt(['--progress', 'getAccountInfo', fx.root, BIG.name], /progress: reading items \d+/);
    assert.equal(r.code, ExitCode.INTERRUPTED, `stderr:\n${r.stderr}`);
    assert.match(r.stderr, /zxb: interrupted after reading items \d+; nothing was written/);
    assert.equal(r.stdout, '', 'no partial result on stdout');
  });

  // doCoherencyCheck (partial results printed, exit 3): test/check/cli.test.ts, on a sample slow enough to interrupt.

  it('SIGINT during makeSample leaves a partial tree and exits 3; a second SIGINT quits at once with 3 too', async () => {
    const once = await interrupt(
      [
        '--progress',
        'makeSample',
        path.join(work, 'a'),
        '--accounts',
        '40',
        '--items-per-account',
        '2000',
        '--sizes',
        'small',
      ],
      /progress: /,
    );
    assert.equal(once.code, ExitCode.INTERRUPTED, once.stderr);
    assert.match(once.stderr, /the sample folder is incomplete/);
    const twice = await interrupt(
      [
        '--progress',
        'makeSample',
        path.join(work, 'b'),
        '--accounts',
        '40',
        '--items-per-account',
        '2000',
        '--sizes',
        'small',
      ],
      /progress: /,
      2,
    );
    assert.equal(twice.code, ExitCode.INTERRUPTED, twice.stderr);
  });

  it('--progress reports on stderr and the result is complete', async () => {
    const r = await collect(
      startZxb(
        [
          '--progress',
          'doItemSearch',
          fx.root,
          BIG.name,
          '--search-string',
          'message 1234',
          '--search-filter',
          'not_deleted',
          '--json',
        ],
        { ZXB_CACHE_DIR: path.join(work, 'cache') },
      ),
    );
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { source: string; scannedItems: number; results: { id: number }[] };
    // Served from the item catalogue, built on this first use: its indexing is what progress shows.
    assert.equal(json.source, 'catalogue');
    assert.match(r.stderr, /progress: indexing items \d+/);
    assert.equal(json.scannedItems, 30_001);
    // "Message 1234" and "Message 12340" … "Message 12349".
    assert.deepEqual(
      json.results.map((x) => x.id),
      [1234, ...Array.from({ length: 10 }, (_, i) => 12340 + i)],
    );
  });
});
