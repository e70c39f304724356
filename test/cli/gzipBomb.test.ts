/**
 * getItem on an item whose BLOB is a gzip bomb (1 MB that inflates to 1 GiB): the
 * summary and --dump-blob stop at the bound, say so, and the process stays small.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { blobRelPath } from '../../src/engine';
import type { ItemJson } from '../../src/cli/shapes';
import { writeGzipBomb } from '../check/gzipBomb';
import { ALICE, ITEM, REPORT_DIGEST, makeFixture, type Fixture } from './fixture';
import { collect, ensureBuilt, startZxb } from './run';

const MiB = 1024 * 1024;

describe('zxb getItem on a gzip bomb', function () {
  this.timeout(60_000);
  let fx: Fixture;
  let work: string;
  let preload: string;
  let peakFile: string;

  before(async () => {
    await ensureBuilt();
    fx = makeFixture();
    await writeGzipBomb(fx.file(blobRelPath(REPORT_DIGEST)!), 1024);
    work = mkdtempSync(path.join(os.tmpdir(), 'zxb-bomb-'));
    // The child writes its peak resident memory (getrusage, in KiB) as it exits.
    preload = path.join(work, 'peak.js');
    peakFile = path.join(work, 'peak');
    writeFileSync(
      preload,
      `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(peakFile)}, String(process.resourceUsage().maxRSS)));\n`,
    );
  });
  after(() => {
    rmSync(fx.root, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  /** Runs zxb with a 200 MB heap; returns its result and peak memory in bytes. */
  async function small(
    ...args: string[]
  ): Promise<{ code: number | null; stdout: string; stderr: string; peak: number }> {
    rmSync(peakFile, { force: true });
    const r = await collect(startZxb(args, { NODE_OPTIONS: `--max-old-space-size=200 --require ${preload}` }));
    return { ...r, peak: Number(readFileSync(peakFile, 'utf8')) * 1024 };
  }

  it('the BLOB summary reports blob.inflate-limit, within bounded memory', async () => {
    const r = await small('getItem', fx.root, ALICE.name, String(ITEM.report), '--json');
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as ItemJson;
    assert.equal(json.states[0]!.blob!.status, 'inflate-limit');
    assert.equal(json.states[0]!.blob!.size, null);
    assert.deepEqual(
      json.findings.filter((f) => f.code.startsWith('blob.')).map((f) => f.code),
      ['blob.inflate-limit'],
    );
    assert.ok(r.peak < 400 * MiB, `peak memory ${Math.round(r.peak / MiB)} MiB`);
  });

  it('--dump-blob decompresses nothing and says why, within bounded memory', async () => {
    const raw = await small('getItem', fx.root, ALICE.name, String(ITEM.report), '--dump-blob');
    assert.notEqual(raw.code, 0);
    assert.equal(raw.stdout, '');
    assert.match(raw.stderr, /inflate/);
    assert.ok(raw.peak < 400 * MiB, `peak memory ${Math.round(raw.peak / MiB)} MiB`);
    const json = await small('getItem', fx.root, ALICE.name, String(ITEM.report), '--dump-blob', '--json');
    const blob = (JSON.parse(json.stdout) as ItemJson).states[0]!.blob!;
    assert.equal(blob.content, undefined);
    assert.match(blob.contentOmitted ?? '', /inflates to more than \d+ bytes/);
  });
});
