/**
 * zxb catalogue, and zxb doItemSearch served from the catalogue: the same results as the scan (--no-catalogue, and
 * with no SQLite driver at all), for one account and `all`; a garbage catalogue file is rebuilt and said so.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { CatalogueJson, DiffJson, ItemSearchJson } from '../../src/cli/shapes';
import { collect, ensureBuilt, startZxb } from './run';

describe('zxb catalogue / doItemSearch from the catalogue', function () {
  this.timeout(120_000);
  let tmp: string;
  let sample: string;
  let env: NodeJS.ProcessEnv;
  let someAccount: string;

  const json = async <T>(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; json: T }> => {
    const r = await collect(startZxb([...args, '--json'], { ...env, ...extra }));
    try {
      return { code: r.code, json: JSON.parse(r.stdout) as T };
    } catch {
      throw new Error(`stdout is not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    }
  };

  before(async () => {
    await ensureBuilt();
    tmp = mkdtempSync(path.join(tmpdir(), 'zxb-clicat-'));
    sample = path.join(tmp, 'sample');
    env = { ZXB_CACHE_DIR: path.join(tmp, 'cache') };
    const r = await collect(
      startZxb(
        ['makeSample', sample, '--accounts', '2', '--items-per-account', '150', '--faults', '--seed', '4', '--json'],
        env,
      ),
    );
    assert.equal(r.code, 0, r.stderr);
    someAccount = (JSON.parse(r.stdout) as { accounts: { name: string }[] }).accounts[1]!.name;
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('builds, then refreshes reading nothing, and --status checks the file', async () => {
    const first = await json<CatalogueJson>(['catalogue', sample]);
    assert.equal(first.code, 0);
    assert.ok(first.json.file.startsWith(path.join(tmp, 'cache', 'catalogue')));
    assert.equal(first.json.fullText, true);
    assert.equal(first.json.accounts.length, 2);
    for (const a of first.json.accounts) {
      assert.equal(a.indexed, true);
      assert.equal(a.refresh!.updated, a.files);
    }
    const again = await json<CatalogueJson>(['catalogue', sample]);
    assert.deepEqual(
      again.json.accounts.map((a) => a.refresh!.updated),
      [0, 0],
    );
    const status = await json<CatalogueJson>(['catalogue', sample, '--status']);
    assert.equal(status.json.integrity, 'ok');
    assert.equal(status.json.accounts[0]!.refresh, null);
    const rebuilt = await json<CatalogueJson>(['catalogue', sample, '--rebuild']);
    assert.equal(rebuilt.json.rebuilt, '--rebuild');
    assert.equal(rebuilt.json.accounts[0]!.refresh!.updated, rebuilt.json.accounts[0]!.files);
  });

  it("doItemSearch gives the scan's results from the catalogue, for one account and for all", async () => {
    const queries: string[][] = [
      ['--search-filter', 'all'],
      ['--search-string', 'ü', '--type', 'all', '--search-filter', 'all'],
      ['--search-string', 'RE:', '--search-filter', 'not_deleted'],
      ['--type', 'contact', '--search-filter', 'all', '--date', 'first'],
      ['--type', 'folder', '--search-filter', 'all', '--after', '2025-06-01', '--before', '2026-01-01'],
      [],
    ];
    let hits = 0;
    for (const account of ['all', someAccount])
      for (const q of queries) {
        const cat = await json<ItemSearchJson>(['doItemSearch', sample, account, ...q]);
        const scan = await json<ItemSearchJson>(['doItemSearch', sample, account, ...q, '--no-catalogue']);
        // Without any SQLite driver: for two of the queries (each run is a full scan).
        const none =
          q.length === 0 || q.includes('ü')
            ? await json<ItemSearchJson>(['doItemSearch', sample, account, ...q], { ZXB_SQLITE: 'none' })
            : undefined;
        assert.equal(cat.json.source, 'catalogue');
        assert.equal(scan.json.source, 'scan');
        if (none) {
          assert.equal(none.json.source, 'scan');
          assert.match(none.json.sourceNote ?? '', /ZXB_SQLITE=none/);
          assert.deepEqual(none.json.results, scan.json.results);
        }
        assert.deepEqual(cat.json.results, scan.json.results, `${account} ${q.join(' ')}`);
        assert.deepEqual(cat.json.query, scan.json.query);
        assert.equal(cat.json.scannedItems, scan.json.scannedItems);
        hits += cat.json.results.length;
      }
    assert.ok(hits > 50, `too few hits to compare: ${hits}`);
  });

  it('diff gives the same changes from the catalogue and from the item files, and links each item file', async () => {
    let entries = 0;
    for (const [from, to] of [
      ['first', 'last'],
      ['2025-09-01', '2026-03-01'],
      ['2026-03-01', '2025-09-01'],
    ] as const) {
      const cat = await json<DiffJson>(['diff', sample, someAccount, from, to]);
      const files = await json<DiffJson>(['diff', sample, someAccount, from, to, '--no-catalogue']);
      assert.equal(cat.code, 0);
      assert.equal(cat.json.source, 'catalogue');
      assert.equal(files.json.source, 'scan');
      const { source: _a, sourceNote: _b, findings: _c, ...a } = cat.json;
      const { source: _d, sourceNote: _e, findings: _f, ...b } = files.json;
      assert.deepEqual(a, b, `${from} → ${to}`);
      entries += cat.json.items.length + cat.json.folders.length;
      for (const e of cat.json.items) assert.match(e.file, /^accounts\/[0-9a-f-]+\/items\/\d\d\/\d+$/);
    }
    assert.ok(entries > 20, `too few changes to compare: ${entries}`);
    const bad = await collect(startZxb(['diff', sample, someAccount, 'all', 'last'], env));
    assert.equal(bad.code, 2);
  });

  it('a garbage catalogue file is rebuilt, and the search says so', async () => {
    const { json: st } = await json<CatalogueJson>(['catalogue', sample, '--status']);
    writeFileSync(st.file, 'this is not a database, only some text that is long enough '.repeat(50));
    rmSync(`${st.file}-wal`, { force: true });
    rmSync(`${st.file}-shm`, { force: true });
    const r = await json<ItemSearchJson>(['doItemSearch', sample, 'all', '--search-filter', 'all']);
    assert.equal(r.code, 0);
    assert.equal(r.json.source, 'catalogue');
    assert.match(r.json.sourceNote ?? '', /rebuilt: it is not a SQLite file/);
    const scan = await json<ItemSearchJson>([
      'doItemSearch',
      sample,
      'all',
      '--search-filter',
      'all',
      '--no-catalogue',
    ]);
    assert.deepEqual(r.json.results, scan.json.results);
  });

  it('without a SQLite driver, zxb catalogue stops with exit 2 and the reason', async () => {
    const r = await collect(startZxb(['catalogue', sample], { ...env, ZXB_SQLITE: 'none' }));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /io\.cache-unavailable|ZXB_SQLITE=none/);
  });
});
