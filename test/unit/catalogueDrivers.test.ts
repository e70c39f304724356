/**
 * The SQLite port's drivers: this Node (20 in CI) uses better-sqlite3; a Node 24 runs the same catalogue tests
 * under node:sqlite (forced, so a failing node:sqlite cannot hide behind the other driver); without any driver the
 * catalogue reports io.cache-unavailable with the reason.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openCatalogue } from '../../src/engine/catalogue';
import { EngineError } from '../../src/engine/findings';
import { makeSample } from '../../src/engine/sample/index';
import { openSqlite, sqliteDriver } from '../../src/engine/sqlite';

const PROJECT = path.resolve(__dirname, '..', '..');
/** The catalogue's tests, run again under node:sqlite (not this file: it would recurse). */
export const CATALOGUE_SPECS = [
  'test/unit/catalogue.test.ts',
  'test/unit/catalogueSearch.test.ts',
  'test/unit/catalogueDiff.test.ts',
  'test/unit/catalogueRepair.test.ts',
  'test/unit/extension-itemSearch.test.ts',
  'test/unit/extension-compare.test.ts',
];

function run(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: PROJECT, env: { ...process.env, NO_COLOR: '1', ...env } });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('SQLite port (src/engine/sqlite.ts): drivers', function () {
  this.timeout(300_000);

  it('this Node picks the driver it has: node:sqlite from 22.13, else better-sqlite3', () => {
    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
    const expected = major > 22 || (major === 22 && minor >= 13) ? 'node:sqlite' : 'better-sqlite3';
    assert.deepEqual(sqliteDriver({}), { driver: expected });
    const db = openSqlite(':memory:');
    try {
      assert.equal(db.driver, expected);
      db.exec("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'trigram')");
      db.run('INSERT INTO t (x) VALUES (?)', ['Grafik_Übersicht.png']);
      assert.deepEqual(db.column('SELECT x FROM t WHERE t MATCH ?', ['"übersicht"']), ['Grafik_Übersicht.png']);
    } finally {
      db.close();
    }
  });

  it('with no driver, the catalogue is unavailable with the reason (io.cache-unavailable), never a crash', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'zxb-nodriver-'));
    try {
      const sample = await makeSample(path.join(tmp, 'b'), { accounts: 1, itemsPerAccount: 5, seed: 3 });
      const saved = process.env['ZXB_SQLITE'];
      process.env['ZXB_SQLITE'] = 'none';
      try {
        await assert.rejects(
          openCatalogue(sample.path, { dir: path.join(tmp, 'cache') }),
          (e: unknown) =>
            e instanceof EngineError && e.finding.code === 'io.cache-unavailable' && /ZXB_SQLITE=none/.test(e.message),
        );
      } finally {
        if (saved === undefined) delete process.env['ZXB_SQLITE'];
        else process.env['ZXB_SQLITE'] = saved;
      }
      // Forcing node:sqlite on a Node without it names the version needed.
      const [major] = process.versions.node.split('.').map(Number) as [number];
      if (major < 22) {
        const pick = sqliteDriver({ ZXB_SQLITE: 'node:sqlite' });
        assert.ok('reason' in pick && /node:sqlite needs Node ≥ 22\.13/.test(pick.reason), JSON.stringify(pick));
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('the same catalogue tests pass on Node 24 under node:sqlite', async () => {
    const { ensureNode24 } = await import('../support/node24.mjs');
    const node24 = ensureNode24();
    const version = await run(node24, ['-p', 'process.versions.node'], {});
    assert.match(version.out.trim(), /^24\./);
    const mocha = path.join(PROJECT, 'node_modules', 'mocha', 'bin', 'mocha.js');
    const r = await run(node24, [mocha, '--no-config', '-n', 'import=tsx', '--timeout', '120000', ...CATALOGUE_SPECS], {
      ZXB_SQLITE: 'node:sqlite',
    });
    const passing = /(\d+) passing/.exec(r.out);
    assert.equal(r.code, 0, r.out.slice(-4000));
    assert.ok(passing && Number(passing[1]) >= 15, `too few tests ran under node:sqlite:\n${r.out.slice(-2000)}`);
    assert.doesNotMatch(r.out, /\d+ (failing|pending)/);
  });
});
