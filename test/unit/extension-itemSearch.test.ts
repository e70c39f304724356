/** Search Items as the user types (src/extension/model/itemSearch.ts): each text gives the scan's matches, limited. */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BackupPath } from '../../src/engine/backup/backupPath';
import { scanSearch } from '../../src/engine/catalogue';
import { makeSample, type SampleResult } from '../../src/engine/sample/index';
import { AccountCache } from '../../src/extension/model/accountCache';
import { pickRow, searchPickRows } from '../../src/extension/model/itemSearch';

describe('extension model: Search Items from the catalogue', function () {
  this.timeout(120_000);
  let tmp: string;
  let sample: SampleResult;
  let backup: BackupPath;

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'zxb-extsearch-'));
    sample = await makeSample(path.join(tmp, 'backup'), { accounts: 1, itemsPerAccount: 200, seed: 21 });
    backup = await BackupPath.open(sample.path);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('each keystroke gives the matches of a scan at the point in time, live and deleted, cut at the limit', async () => {
    const cache = new AccountCache(backup, {}, { dir: path.join(tmp, 'cache') });
    try {
      const id = sample.accounts[0]!.zimbraId;
      await cache.catalogue.index(id);
      const cat = cache.catalogue.current!;
      const mid = Math.floor((sample.startDate + sample.endDate) / 2);
      let shown = 0;
      for (const at of [null, mid])
        for (const text of ['', 'r', 're', 're:', 'RE: ', 'ü', 'example', 'nothing like this 42']) {
          const { rows, more } = searchPickRows(cache.catalogue, cat, id, text, at, 25);
          const when = at === null ? ({ kind: 'last' } as const) : ({ kind: 'instant', at } as const);
          const scan = await scanSearch(backup, id, {
            filter: 'all',
            when,
            ...(text.trim() ? { text: text.trim() } : {}),
          });
          const expected = scan.hits.slice(0, 25).map((h) => pickRow(h.item, h.folderPath));
          assert.deepEqual(rows, expected, `${JSON.stringify(text)} at ${at}`);
          assert.equal(more, scan.hits.length > 25);
          shown += rows.length;
        }
      assert.ok(shown > 100, `too few rows to compare: ${shown}`);
    } finally {
      cache.catalogue.close();
    }
  });
});
