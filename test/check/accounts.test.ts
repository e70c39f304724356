import { strict as assert } from 'node:assert';
import { readFileSync, rmSync, truncateSync } from 'node:fs';
import * as path from 'node:path';
import { runCoherencyCheck } from '../../src/engine';
import { FIXTURES, accountIds, listFiles, makeCleanSample, SAMPLE_NOW } from './fixtures';
import { tempDir } from './helpers';

describe('doCoherencyCheck --accounts', function () {
  this.timeout(60_000);
  let work: string;
  let dir: string;
  let damagedAccount: string;
  let digest: string;

  before(async () => {
    work = tempDir('accounts');
    dir = path.join(work, 'damaged');
    await makeCleanSample(dir, { accounts: 3, itemsPerAccount: 40 });
    // BLOBs are deduplicated across accounts: damage one that a single account references.
    const owners = new Map<string, Set<string>>();
    for (const a of accountIds(dir)) {
      for (const f of listFiles(dir, `accounts/${a}/items`)) {
        for (const m of readFileSync(path.join(dir, f), 'latin1').matchAll(/"digest"\s*:\s*"([^"]+)"/g)) {
          const set = owners.get(m[1]!) ?? new Set<string>();
          set.add(a);
          owners.set(m[1]!, set);
        }
      }
    }
    const [d, set] = [...owners].find(([, s]) => s.size === 1)!;
    digest = d;
    damagedAccount = [...set][0]!;
    const abs = path.join(dir, 'items', digest.slice(0, 2), digest);
    truncateSync(abs, Math.max(12, Math.floor(readFileSync(abs).length / 2)));
    FIXTURES.find((f) => f.name === 'blob-orphan')!.damage(dir);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('checks the BLOBs the chosen accounts reference, and reports no orphan', async () => {
    const r = await runCoherencyCheck(dir, {
      level: 'blobs',
      now: SAMPLE_NOW,
      cache: false,
      jobs: 0,
      accounts: [damagedAccount],
    });
    assert.equal(r.summary.byCode['blob.truncated'], 1);
    assert.equal(r.summary.byCode['blob.orphan'] ?? 0, 0);
    assert.ok(
      r.findings.every((f) => !f.path.startsWith('accounts/') || f.path.startsWith(`accounts/${damagedAccount}`)),
    );
  });

  it('an account that does not reference that BLOB does not see it', async () => {
    // BLOBs are deduplicated: pick an account none of whose items names the digest.
    const other = accountIds(dir).find(
      (a) =>
        a !== damagedAccount &&
        !listFiles(dir, `accounts/${a}`).some((f) => readFileSync(path.join(dir, f), 'latin1').includes(digest)),
    );
    assert.ok(other, 'the sample has an account without that BLOB');
    const r = await runCoherencyCheck(dir, {
      level: 'blobs',
      now: SAMPLE_NOW,
      cache: false,
      jobs: 0,
      accounts: [other],
    });
    assert.equal(r.summary.byCode['blob.truncated'] ?? 0, 0);
  });

  it('the whole check finds both the damaged BLOB and the orphan', async () => {
    const r = await runCoherencyCheck(dir, { level: 'blobs', now: SAMPLE_NOW, cache: false, jobs: 0 });
    assert.equal(r.summary.byCode['blob.truncated'], 1);
    assert.equal(r.summary.byCode['blob.orphan'], 1);
  });
});
