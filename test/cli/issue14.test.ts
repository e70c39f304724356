/**
 * The CLI side of issue 14: undoFix takes a manifest relative to the current folder,
 * --accounts takes an e-mail address, a sampled check says so, and lost message bodies
 * are counted per account (by address) and tied to their items.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { makeSample, type SampleResult } from '../../src/engine/sample';
import { PROJECT, ensureBuilt, zxb, zxbJson } from './run';

describe('zxb and issue 14 (lost bodies, --accounts, --sample, undoFix)', function () {
  this.timeout(90_000);
  let work: string;
  let sample: SampleResult;

  before(async () => {
    await ensureBuilt();
    work = mkdtempSync(path.join(tmpdir(), 'zxb-issue14-'));
    sample = await makeSample(path.join(work, 'b'), { accounts: 3, itemsPerAccount: 60, faults: true, seed: 3 });
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('counts lost message bodies per account by address, and names the items on each damaged BLOB', async () => {
    const r = await zxb('doCoherencyCheck', sample.path, '--level', 'blobs', '--no-cache', '--jobs', '0');
    assert.equal(r.code, 1, r.stderr);
    const m = /message bodies lost \(missing or damaged BLOB\): (\d+) items/.exec(r.stdout);
    assert.ok(m, r.stdout);
    const json = await zxbJson<{
      summary: { lostBodies: { items: number; byAccount: Record<string, number> } };
      findings: { code: string; related?: { path: string }[] }[];
    }>('doCoherencyCheck', sample.path, '--level', 'blobs', '--no-cache', '--jobs', '0');
    assert.equal(Number(m[1]), json.json.summary.lostBodies.items);
    for (const [id, n] of Object.entries(json.json.summary.lostBodies.byAccount)) {
      const name = sample.accounts.find((a) => a.zimbraId === id)?.name ?? id;
      assert.match(r.stdout, new RegExp(`${name.replace(/[.+]/g, '\\$&')}\\s+${n}\\b`), `${name} ${n} in the table`);
    }
    const truncated = json.json.findings.find((f) => f.code === 'blob.truncated');
    assert.ok(truncated?.related && truncated.related.length > 0, 'the truncated BLOB names its items in JSON');
    assert.match(r.stderr + r.stdout, new RegExp(`referenced by ${truncated.related[0]!.path}`));
  });

  it('--accounts takes an e-mail address; a sampled check says it verified a sample', async () => {
    const account = sample.accounts.find((a) => a.name.includes('@'))!;
    const r = await zxb(
      'doCoherencyCheck',
      sample.path,
      '--level',
      'blobs',
      '--sample',
      '1/3',
      '--accounts',
      account.name,
      '--no-cache',
      '--jobs',
      '0',
    );
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assert.match(r.stdout, /BLOB contents: a sample only \(--sample 1\/3\)/);
    const bad = await zxb('doCoherencyCheck', sample.path, '--accounts', 'nobody@example.com', '--no-cache');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /no account nobody@example\.com/);
  });

  it('undoFix finds a manifest given relative to the current folder', async () => {
    const copy = path.join(work, 'fix');
    await makeSample(copy, { accounts: 2, itemsPerAccount: 30, faults: true, seed: 5 });
    const fixed = await zxbJson<{ quarantine: { manifest: string } | null }>(
      'doCoherencyCheck',
      copy,
      '--level',
      'metadata',
      '--fix-backup',
      '--no-cache',
    );
    assert.ok(fixed.json.quarantine, fixed.stderr);
    // zxb runs in the project folder: this path means something there, not under the backup path.
    const fromCwd = path.relative(PROJECT, path.join(copy, fixed.json.quarantine.manifest));
    const undo = await zxbJson<{ restored: number; problems: string[] }>('undoFix', copy, fromCwd);
    assert.equal(undo.code, 0, undo.stderr);
    assert.ok(undo.json.restored > 0);
    assert.deepEqual(undo.json.problems, []);
  });

  it("a date before an account's deletion does not show its later status as the status then", async () => {
    const six = await makeSample(path.join(work, 'six'), { accounts: 6, itemsPerAccount: 10, seed: 2 });
    const deleted = six.accounts
      .map((a) => ({
        a,
        info: JSON.parse(readFileSync(path.join(six.path, 'accounts', a.zimbraId, 'account_info'), 'utf8')) as {
          deletedDate?: number;
          createdDate?: number;
          status?: string;
        },
      }))
      .find((x) => typeof x.info.deletedDate === 'number');
    assert.ok(deleted, 'the sample has a deleted account');
    const before = new Date(deleted.info.deletedDate! - 86_400_000).toISOString();
    const list = await zxb('getAvailableAccounts', six.path, '--date', before, '--show-system');
    const row = list.stdout.split('\n').find((l) => l.includes(deleted.a.zimbraId));
    assert.ok(row, list.stdout);
    assert.match(row, /unknown \(now /);
    const info = await zxbJson<{ snapshot: { accountStatus: string } }>(
      'getAccountInfo',
      six.path,
      deleted.a.zimbraId,
      '--date',
      before,
    );
    assert.match(info.json.snapshot.accountStatus, /^existed, not yet deleted/);
  });
});
