/**
 * Lost message bodies tied to their items (issue 14 §2, §5, §9): a damaged BLOB names the
 * items that referenced it (and SARIF lists them as related locations), the summary
 * counts lost bodies per account, a misplaced BLOB is not also missing, and an
 * account-scoped check takes e-mail addresses and reports only its own BLOBs.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { BackupPath, runCoherencyCheck, toSarif, type CheckReport } from '../../src/engine';
import { makeSample, type SampleResult } from '../../src/engine/sample';
import { tempDir } from './helpers';

const LOST = ['blob.corrupted', 'blob.truncated', 'blob.empty', 'blob.not-gzip'];

/** Item files (relative) whose text references the digest. */
function referencing(sample: SampleResult, digest: string): string[] {
  const out: string[] = [];
  for (const a of sample.accounts) {
    const dir = path.join(sample.path, 'accounts', a.zimbraId, 'items');
    for (const bucket of safeList(dir))
      for (const name of safeList(path.join(dir, bucket))) {
        const rel = `accounts/${a.zimbraId}/items/${bucket}/${name}`;
        if (readFileSync(path.join(sample.path, rel), 'latin1').includes(`"${digest}"`)) out.push(rel);
      }
  }
  return out.sort();
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

const digestOf = (rel: string): string => rel.slice(rel.lastIndexOf('/') + 1);

describe('check: lost message bodies tied to their items', function () {
  this.timeout(60_000);
  let work: string;
  let sample: SampleResult;
  let report: CheckReport;

  before(async () => {
    work = tempDir('lost');
    sample = await makeSample(path.join(work, 'b'), { accounts: 3, itemsPerAccount: 60, faults: true, seed: 3 });
    report = await runCoherencyCheck(sample.path, { level: 'blobs', cache: false, jobs: 1, now: sample.endDate });
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('names, on each damaged BLOB, every item whose body it held', () => {
    const damaged = report.findings.filter((f) => LOST.includes(f.code));
    assert.ok(damaged.length >= 4, `the faults damage BLOBs: ${damaged.map((f) => f.code).join(', ')}`);
    for (const f of damaged) {
      const expected = referencing(sample, digestOf(f.path));
      assert.ok(expected.length > 0, `${f.path} is referenced by an item of the sample`);
      assert.deepEqual(
        (f.related ?? []).map((r) => r.path),
        expected,
        `${f.code} ${f.path} names its items`,
      );
    }
  });

  it('counts lost bodies per account: missing and damaged BLOBs, per referencing item', () => {
    const missing = report.findings.filter((f) => f.code === 'blob.missing');
    const damagedRefs = report.findings.filter((f) => LOST.includes(f.code)).flatMap((f) => f.related ?? []);
    const expected = new Map<string, number>();
    for (const p of [...missing.map((f) => f.path), ...damagedRefs.map((r) => r.path)]) {
      const account = p.split('/')[1]!;
      expected.set(account, (expected.get(account) ?? 0) + 1);
    }
    assert.deepEqual(report.summary.lostBodies.byAccount, Object.fromEntries([...expected].sort()));
    assert.equal(report.summary.lostBodies.items, missing.length + damagedRefs.length);
  });

  it('puts the items in SARIF as related locations of the BLOB result', () => {
    const sarif = toSarif(report, { name: 'zxb', version: '0' }) as {
      runs: {
        results: { ruleId: string; relatedLocations?: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
      }[];
    };
    const results = sarif.runs[0]!.results.filter((r) => LOST.includes(r.ruleId));
    assert.ok(results.length > 0);
    for (const r of results) {
      assert.ok((r.relatedLocations ?? []).length > 0, `${r.ruleId} has related locations`);
      for (const l of r.relatedLocations!) assert.match(l.physicalLocation.artifactLocation.uri, /^accounts\//);
    }
  });

  it('reports a BLOB in the wrong folder once, as wrong-folder naming its item, not also as missing', () => {
    const wrong = report.findings.filter((f) => f.code === 'blob.wrong-folder');
    assert.equal(wrong.length, 1);
    const digest = digestOf(wrong[0]!.path);
    assert.deepEqual(
      (wrong[0]!.related ?? []).map((r) => r.path),
      referencing(sample, digest),
    );
    assert.deepEqual(
      report.findings.filter((f) => f.code === 'blob.missing' && f.message.includes(digest)),
      [],
      'no blob.missing for the misplaced BLOB',
    );
  });

  it('an account-scoped check takes an e-mail address and reports only BLOBs that account references', async () => {
    const wrong = report.findings.find((f) => f.code === 'blob.wrong-folder')!;
    const owner = wrong.related![0]!.path.split('/')[1]!;
    const other = sample.accounts.find((a) => a.zimbraId !== owner && a.name.includes('@'))!;
    const scoped = await runCoherencyCheck(sample.path, {
      level: 'blobs',
      cache: false,
      jobs: 1,
      now: sample.endDate,
      accounts: [other.name.toUpperCase()],
    });
    const storeFindings = scoped.findings.filter((f) => f.path.startsWith('items/'));
    for (const f of storeFindings)
      assert.ok(
        referencing(sample, digestOf(f.path)).some((r) => r.startsWith(`accounts/${other.zimbraId}/`)),
        `${f.code} ${f.path} concerns ${other.name}`,
      );
    assert.equal(
      scoped.findings.filter((f) => f.code === 'blob.bad-name' || f.code === 'blob.wrong-folder').length,
      0,
      "another account's misplaced BLOB and the store's bad names are not this account's",
    );
    await assert.rejects(
      runCoherencyCheck(sample.path, { level: 'metadata', cache: false, accounts: ['nobody@example.com'] }),
      /nobody@example\.com/,
    );
  });

  it('shows an account by its address when its account_info is damaged but the name line is readable', async () => {
    const damaged = sample.accounts.filter((a) => {
      try {
        JSON.parse(readFileSync(path.join(sample.path, 'accounts', a.zimbraId, 'account_info'), 'utf8'));
        return false;
      } catch {
        return true;
      }
    });
    assert.ok(damaged.length > 0, 'the faults damage an account_info');
    const accounts = await (await BackupPath.open(sample.path)).accounts();
    for (const d of damaged) {
      const a = accounts.find((x) => x.zimbraId === d.zimbraId)!;
      assert.equal(a.name, d.name);
      assert.ok(
        a.findings.some((f) => f.code === 'account.invalid-json'),
        'the damage is still reported',
      );
    }
  });
});
