/** Ctrl-C: the first SIGINT stops the job at a safe point with exit code 130 and says how far it got. */
import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import { BIG, addBigAccount, makeFixture, type Fixture } from './fixture';
import { collect, ensureBuilt, startZxb, waitFor } from './run';

describe('zxb Ctrl-C', function () {
  this.timeout(120_000);
  let fx: Fixture;
  before(async () => {
    await ensureBuilt();
    fx = makeFixture();
    addBigAccount(fx.root, 30_000);
  });
  after(() => rmSync(fx.root, { recursive: true, force: true }));

  it('SIGINT during getAccountInfo prints what was done and exits 130', async () => {
    const child = startZxb(['--progress', 'getAccountInfo', fx.root, BIG.name]);
    const result = collect(child);
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    await waitFor(() => /progress: reading items \d+/.test(stderr), 'the first progress line');
    child.kill('SIGINT');
    const r = await result;
    assert.equal(r.code, 130, `stderr:\n${r.stderr}`);
    assert.match(r.stderr, /zxb: interrupted after reading items \d+; nothing was written/);
    assert.equal(r.stdout, '', 'no partial result on stdout');
  });

  it('--progress reports on stderr and the result is complete', async () => {
    const r = await collect(startZxb(['--progress', 'doItemSearch', fx.root, BIG.name, '--search-string', 'message 1234', '--search-filter', 'not_deleted', '--json']));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /progress: scanning items \d+/);
    const json = JSON.parse(r.stdout) as { scannedItems: number; results: { id: number }[] };
    assert.equal(json.scannedItems, 30_001);
    // "Message 1234" and "Message 12340" … "Message 12349".
    assert.deepEqual(
      json.results.map((x) => x.id),
      [1234, ...Array.from({ length: 10 }, (_, i) => 12340 + i)],
    );
  });
});
