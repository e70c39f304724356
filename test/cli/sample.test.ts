/**
 * zxb over a sample written by `zxb makeSample --faults` (src/engine/sample): counts
 * must equal what the generator reports, point-in-time answers must agree with the
 * raw item files (read here with JSON.parse, independently of the engine), and each
 * documented fault must come out with its finding code and exit code.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FINDINGS, isFindingCode } from '../../src/engine';
import type {
  AccountInfoJson,
  AvailableAccountsJson,
  BackupInfoJson,
  ItemJson,
  ItemSearchJson,
  SampleJson,
} from '../../src/cli/shapes';
import { ensureBuilt, zxb, zxbJson } from './run';

type RawTx = { 'start-date': number; 'folder-id'?: number; flags?: number; digest?: string | null; type?: number };

describe('zxb over a generated sample (makeSample --faults)', function () {
  this.timeout(120_000);
  let parent: string;
  let dir: string;
  let sample: SampleJson;

  /** Item files of an account as the generator wrote them: id → parsed array (only files that parse). */
  const rawItems = (zimbraId: string): Map<number, { rel: string; txs: RawTx[] }> => {
    const out = new Map<number, { rel: string; txs: RawTx[] }>();
    const itemsDir = path.join(dir, 'accounts', zimbraId, 'items');
    for (const bucket of readdirSync(itemsDir)) {
      for (const name of readdirSync(path.join(itemsDir, bucket))) {
        const rel = `accounts/${zimbraId}/items/${bucket}/${name}`;
        try {
          const txs = JSON.parse(readFileSync(path.join(dir, rel), 'utf8')) as RawTx[];
          if (Array.isArray(txs)) out.set(Number(name), { rel, txs });
        } catch {
          // Damaged on purpose (a fault): the fault tests cover it.
        }
      }
    }
    return out;
  };
  const exitFor = (code: string): number => (isFindingCode(code) && FINDINGS[code].severity === 'error' ? 1 : 0);

  before(async () => {
    await ensureBuilt();
    parent = mkdtempSync(path.join(tmpdir(), 'zxb-sample-'));
    dir = path.join(parent, 'backup');
    const made = await zxbJson<SampleJson>(
      'makeSample',
      dir,
      '--accounts',
      '5',
      '--items-per-account',
      '80',
      '--seed',
      '3',
      '--faults',
      // Small messages: this suite is about counts and findings, not sizes.
      '--sizes',
      'small',
    );
    assert.equal(made.code, 0, made.stderr);
    sample = made.json;
  });
  after(() => rmSync(parent, { recursive: true, force: true }));

  it('makeSample --json summarises what was written', () => {
    assert.equal(sample.command, 'makeSample');
    assert.equal(sample.dir, dir);
    assert.equal(sample.seed, 3);
    assert.equal(sample.accounts.length, 5);
    assert.equal(
      sample.items,
      sample.accounts.reduce((s, a) => s + a.items, 0),
    );
    assert.ok(sample.blobs > 0 && sample.blobBytes > 0);
    assert.ok(sample.faults.length > 10);
    assert.ok(
      sample.faults.every((f) => f.path.length > 0 && isFindingCode(f.expectedCode)),
      'every fault names a catalogued code',
    );
  });

  it('makeSample refuses a folder that is not empty: 2', async () => {
    const r = await zxb('makeSample', dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is not empty/);
  });

  it('getBackupInfo counts what the generator wrote', async () => {
    const { code, json } = await zxbJson<BackupInfoJson>('getBackupInfo', dir);
    assert.equal(code, 0, 'a read-only info command did its job: the damaged account_info is reported, not a failure');
    assert.equal(json.accounts.total, sample.accounts.length);
    assert.equal(json.accounts.system, 1);
    assert.equal(json.accounts.deleted, 1);
    assert.equal(json.items.count, sample.items);
    assert.equal(json.blobs.count, sample.blobs);
    assert.equal(json.blobs.bytes, sample.blobBytes);
    assert.equal(json.mapFiles.length, 1);
    assert.equal(json.serverArchives.length, 2);
    assert.ok(json.findings.some((f) => f.code === 'account.invalid-json'));
  });

  it('getAvailableAccounts --show-system lists every account of the sample', async () => {
    const { json } = await zxbJson<AvailableAccountsJson>(
      'getAvailableAccounts',
      dir,
      '--show-system',
      '--date',
      sample.endDate,
    );
    assert.deepEqual(new Set(json.accounts.map((a) => a.zimbraId)), new Set(sample.accounts.map((a) => a.zimbraId)));
    assert.equal(json.accounts.filter((a) => a.deleted).length, 1);
  });

  it('getAccountInfo reads every item file of each account', async () => {
    const brokenInfo = sample.faults.find((f) => f.id === 'account-invalid-json')!.path.split('/')[1];
    for (const [i, a] of sample.accounts.entries()) {
      const { code, json, stderr } = await zxbJson<AccountInfoJson>('getAccountInfo', dir, a.zimbraId);
      // The first account holds the damaged items; one account has a damaged account_info:
      // reported in the findings, but the info was given, so exit 0.
      const damaged = i === 0 || a.zimbraId === brokenInfo;
      assert.equal(code, 0, `${a.name}: ${stderr}`);
      assert.equal(
        json.findings.some((x) => x.severity === 'error'),
        damaged,
        a.name,
      );
      if (a.zimbraId === brokenInfo) assert.equal(json.accountInfo, null);
      if (i === 0) continue;
      assert.equal(json.snapshot.itemFiles, a.items, a.name);
      assert.equal(json.snapshot.unplacedItems, 0, `${a.name}: every live item is in a folder`);
      assert.equal(json.snapshot.folders.find((f) => f.id === 2)?.path, '/Inbox');
    }
  });

  it('getItem agrees with the raw file: one state per transaction, folder and flags at each date', async () => {
    const account = sample.accounts[2]!;
    const raw = rawItems(account.zimbraId);
    // A message that moved: two transactions with different folders.
    const moved = [...raw].find(([, r]) => r.txs[0]?.type === 5 && new Set(r.txs.map((t) => t['folder-id'])).size > 1);
    assert.ok(moved, 'the sample has a message that moved');
    const [id, file] = moved;
    const all = await zxbJson<ItemJson>('getItem', dir, account.zimbraId, String(id), '--date', 'all');
    assert.equal(all.code, 0, all.stderr);
    assert.equal(all.json.states.length, file.txs.length);
    for (const [i, tx] of file.txs.entries()) {
      const at = await zxbJson<ItemJson>(
        'getItem',
        dir,
        account.zimbraId,
        String(id),
        '--date',
        new Date(tx['start-date']).toISOString(),
      );
      const state = at.json.states[0]!;
      assert.equal(state.folder?.id, tx['folder-id'], `transaction ${i + 1}`);
      assert.equal(state.transaction?.flags?.mask ?? null, tx.flags ?? null, `transaction ${i + 1}`);
      assert.ok(state.folder?.path?.startsWith('/'), `transaction ${i + 1} has a folder path`);
      assert.equal(all.json.states[i]!.folder?.id, tx['folder-id']);
    }
  });

  it('doItemSearch over a clean account scans every file and finds each item once', async () => {
    const account = sample.accounts[2]!;
    const { code, json } = await zxbJson<ItemSearchJson>(
      'doItemSearch',
      dir,
      account.zimbraId,
      '--type',
      'all',
      '--search-filter',
      'all',
      '--date',
      sample.endDate,
    );
    assert.equal(code, 0);
    assert.equal(json.scannedItems, account.items);
    assert.equal(new Set(json.results.map((r) => r.id)).size, json.results.length);
    assert.ok(json.results.every((r) => r.file.startsWith(`accounts/${account.zimbraId}/items/`)));
    const deleted = await zxbJson<ItemSearchJson>(
      'doItemSearch',
      dir,
      account.zimbraId,
      '--type',
      'all',
      '--date',
      sample.endDate,
    );
    assert.ok(deleted.json.results.length > 0 && deleted.json.results.every((r) => r.deleted));
  });

  it('each damaged item file gives its finding code and exit code', async () => {
    const first = sample.accounts[0]!;
    const itemFaults = sample.faults.filter((f) => f.id.startsWith('item-') && f.id !== 'item-wrong-folder');
    assert.ok(itemFaults.length >= 6);
    for (const f of itemFaults) {
      const id = path.basename(f.path);
      const { code, json } = await zxbJson<ItemJson>('getItem', dir, first.zimbraId, id, '--date', 'all');
      assert.ok(
        json.findings.some((x) => x.code === f.expectedCode && x.path === f.path),
        `${f.id}: ${JSON.stringify(json.findings.map((x) => x.code))}`,
      );
      assert.equal(code, exitFor(f.expectedCode), f.id);
    }
    // An item file in the wrong bucket is not where getItem looks: unknown item.
    const wrong = sample.faults.find((f) => f.id === 'item-wrong-folder')!;
    const r = await zxbJson<ItemJson>('getItem', dir, first.zimbraId, path.basename(wrong.path));
    assert.equal(r.code, 2);
  });

  it('each damaged BLOB referenced by an item gives its finding code through getItem', async () => {
    const first = sample.accounts[0]!;
    const raw = rawItems(first.zimbraId);
    const byDigest = new Map<string, number>();
    for (const [id, r] of raw) for (const t of r.txs) if (typeof t.digest === 'string') byDigest.set(t.digest, id);
    const blobFaults = sample.faults.filter(
      (f) => f.id.startsWith('blob-') && !['blob-orphan', 'blob-bad-name', 'blob-missing'].includes(f.id),
    );
    assert.ok(blobFaults.length >= 6);
    for (const f of blobFaults) {
      const digest = path.basename(f.path);
      const id = byDigest.get(digest);
      assert.ok(id !== undefined, `${f.id}: an item references ${digest}`);
      // A BLOB in the wrong prefix folder is misplaced, not lost: blob.wrong-folder, as the check says.
      const expected = f.expectedCode;
      const { code, json } = await zxbJson<ItemJson>('getItem', dir, first.zimbraId, String(id), '--date', 'all');
      assert.ok(
        json.findings.some((x) => x.code === expected),
        `${f.id}: ${JSON.stringify(json.findings.map((x) => x.code))}`,
      );
      assert.equal(code, exitFor(expected), f.id);
    }
    const missing = sample.faults.find((f) => f.id === 'blob-missing')!;
    const m = await zxbJson<ItemJson>('getItem', dir, first.zimbraId, path.basename(missing.path));
    assert.equal(m.code, 1);
    assert.ok(m.json.findings.some((x) => x.code === 'blob.missing'));
  });
});
