/** Compare Points in Time… (src/extension/model/compare.ts): the catalogue's answer equals the item files' answer. */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BackupPath } from '../../src/engine/backup/backupPath';
import { makeSample, type SampleResult } from '../../src/engine/sample/index';
import { AccountCache } from '../../src/extension/model/accountCache';
import { compareAccount, compareRows } from '../../src/extension/model/compare';

describe('extension model: Compare Points in Time', function () {
  this.timeout(120_000);
  let tmp: string;
  let sample: SampleResult;
  let backup: BackupPath;

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'zxb-extcompare-'));
    sample = await makeSample(path.join(tmp, 'backup'), { accounts: 1, itemsPerAccount: 200, seed: 17 });
    backup = await BackupPath.open(sample.path);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('gives the same rows from the catalogue and, where it cannot open, from the item files', async () => {
    const id = sample.accounts[0]!.zimbraId;
    const good = new AccountCache(backup, {}, { dir: path.join(tmp, 'cache') });
    // A catalogue folder inside the backup path is refused: that cache reads item files.
    const none = new AccountCache(backup, {}, { dir: path.join(sample.path, 'refused') });
    try {
      const span = sample.endDate - sample.startDate;
      let rows = 0;
      for (const [from, to] of [
        [sample.startDate + span * 0.3, sample.startDate + span * 0.6],
        [sample.startDate + span * 0.5, null],
      ] as const) {
        const a = await compareAccount(good, id, Math.floor(from), to === null ? null : Math.floor(to));
        const b = await compareAccount(none, id, Math.floor(from), to === null ? null : Math.floor(to));
        assert.equal(a.source, 'catalogue');
        assert.equal(b.source, 'files');
        assert.deepEqual(compareRows(a.diff), compareRows(b.diff));
        rows += a.diff.items.length + a.diff.folders.length;
        for (const r of compareRows(a.diff)) assert.ok(r.path.startsWith(`accounts/${id}/items/`));
      }
      assert.ok(rows > 10, `too few changes: ${rows}`);
    } finally {
      good.catalogue.close();
    }
  });
});
