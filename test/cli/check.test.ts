/** doCoherencyCheck's CLI-side options on the hand-made fixture (the check itself: test/check). */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ErrorJson } from '../../src/cli/shapes';
import { makeFixture, type Fixture } from './fixture';
import { PROJECT, ensureBuilt, zxb, zxbJson } from './run';

describe('zxb doCoherencyCheck --sarif', function () {
  this.timeout(60_000);
  let fx: Fixture;
  let work: string;
  const check = (...args: string[]) => zxb('doCoherencyCheck', fx.root, '--no-cache', '--jobs', '0', ...args);
  before(async () => {
    await ensureBuilt();
    fx = makeFixture();
    work = mkdtempSync(path.join(tmpdir(), 'zxb-sarif-'));
  });
  after(() => {
    rmSync(fx.root, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('into a folder that does not exist: a usage error naming the folder, before the check runs', async () => {
    const missing = path.join(work, 'no', 'such');
    const r = await zxbJson<ErrorJson>(
      'doCoherencyCheck',
      fx.root,
      '--no-cache',
      '--sarif',
      path.join(missing, 'out.sarif'),
    );
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.json.error.code, 'io.not-found');
    assert.match(r.stderr, new RegExp(`--sarif: the folder ${missing.replace(/[/.]/g, '\\$&')} does not exist`));
    assert.doesNotMatch(r.stderr, /internal error/);
    assert.equal(existsSync(missing), false, 'no folder is made');
  });

  it('onto a folder: a usage error', async () => {
    const r = await check('--sarif', work);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is a folder; give a file name/);
  });

  it("the SARIF tool version is package.json's", async () => {
    const file = path.join(work, 'out.sarif');
    const r = await check('--sarif', file);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    const sarif = JSON.parse(readFileSync(file, 'utf8')) as { runs: { tool: { driver: { version: string } } }[] };
    const pkg = JSON.parse(readFileSync(path.join(PROJECT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(sarif.runs[0]!.tool.driver.version, pkg.version);
  });
});
