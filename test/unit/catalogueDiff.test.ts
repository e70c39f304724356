/**
 * diff between two moments from the catalogue equals the difference of the two states the point-in-time evaluator
 * (src/engine/pointInTime.ts) computes from the item files, for pairs of moments across the sample's timeline.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BackupPath } from '../../src/engine/backup/backupPath';
import {
  DIFF_CHANGES,
  catalogueDiff,
  historiesDiff,
  openCatalogue,
  type Catalogue,
  type CatalogueWhen,
  type DiffChange,
} from '../../src/engine/catalogue';
import { itemAt } from '../../src/engine/pointInTime';
import { makeSample, type SampleResult } from '../../src/engine/sample/index';

const DAY = 86_400_000;

describe('item catalogue: diff between two moments', function () {
  this.timeout(180_000);
  let tmp: string;
  let sample: SampleResult;
  let backup: BackupPath;
  let cat: Catalogue;

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'zxb-catdiff-'));
    sample = await makeSample(path.join(tmp, 'backup'), { accounts: 2, itemsPerAccount: 300, seed: 9, faults: true });
    backup = await BackupPath.open(sample.path);
    cat = await openCatalogue(backup, { dir: path.join(tmp, 'cache') });
  });
  after(() => {
    cat.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("equals the evaluator's difference of the two states, and finds every kind of change", async () => {
    const span = sample.endDate - sample.startDate;
    const at = (f: number): CatalogueWhen => ({ kind: 'instant', at: Math.floor(sample.startDate + f * span) });
    const pairs: [CatalogueWhen, CatalogueWhen][] = [
      [{ kind: 'first' }, { kind: 'last' }],
      [at(0.25), at(0.5)],
      [at(0.5), { kind: 'instant', at: (at(0.5) as { at: number }).at + 7 * DAY }],
      [at(0.6), at(0.6)],
      [{ kind: 'last' }, at(0.3)],
      [at(0.1), { kind: 'last' }],
    ];
    const seen = new Map<DiffChange, number>();
    for (const a of sample.accounts) {
      await cat.indexAccount(a.zimbraId);
      const { items } = await backup.readAllItems(a.zimbraId);
      for (const [from, to] of pairs) {
        const label = `${a.name} ${JSON.stringify(from)} → ${JSON.stringify(to)}`;
        const fromCat = catalogueDiff(cat, a.zimbraId, from, to);
        const reference = historiesDiff(items, from, to);
        assert.deepEqual(fromCat, reference, label);
        if (JSON.stringify(from) === JSON.stringify(to))
          assert.equal(fromCat.items.length + fromCat.folders.length, 0, `${label}: a moment against itself`);
        for (const e of [...fromCat.items, ...fromCat.folders])
          for (const c of e.changes) seen.set(c, (seen.get(c) ?? 0) + 1);
        // The entries say what the evaluator says of each file at each end.
        const byPath = new Map(items.map((h) => [h.path, h]));
        for (const e of fromCat.items) {
          const h = byPath.get(e.path)!;
          assert.equal(itemAt(h, fromCat.from)?.status, e.before?.status, `${label}: ${e.path} before`);
          assert.equal(itemAt(h, fromCat.to)?.status, e.after?.status, `${label}: ${e.path} after`);
        }
      }
    }
    for (const c of DIFF_CHANGES.filter((c) => c !== 'restored'))
      assert.ok((seen.get(c) ?? 0) > 0, `no "${c}" change in the sample: ${JSON.stringify([...seen])}`);
    // From last back to an earlier moment, deletions read as restorations.
    assert.ok((seen.get('restored') ?? 0) > 0, JSON.stringify([...seen]));
  });
});
