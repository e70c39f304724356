/**
 * Search from the catalogue (FTS5 + SQL) equals the brute-force scan of the item files over the same sample, for a
 * spread of queries: text (ASCII, non-ASCII, upper case, 1–2 characters, absent), type, dates, deletion filters and
 * points in time. Runs under both SQLite drivers (catalogueDrivers.test.ts runs it again on Node 24).
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BackupPath } from '../../src/engine/backup/backupPath';
import {
  openCatalogue,
  scanSearch,
  searchHistories,
  searchAccountItems,
  type Catalogue,
  type ItemSearchHit,
  type ItemSearchQuery,
} from '../../src/engine/catalogue';
import type { ItemHistory } from '../../src/engine/item/types';
import { makeSample, type SampleResult } from '../../src/engine/sample/index';
import { ItemType } from '../../src/engine/zimbra';
import { itemAt } from '../../src/engine/pointInTime';

const show = (hits: readonly ItemSearchHit[]): string[] =>
  hits.map(
    (h) =>
      `${h.item.id} ${h.item.path} ${h.item.status} ${h.item.typeName} ${h.item.folderId ?? '-'} ${h.folderPath ?? '-'} ${h.date ?? '-'} ${h.item.title}`,
  );

/** Needles taken from the sample's own texts: whole words, pieces, non-ASCII words, upper-cased. */
function needlesOf(items: readonly ItemHistory[]): string[] {
  const texts = items.flatMap((h) =>
    h.transactions.flatMap((t) => [t.subject, t.name, t.sender, t.recipients].filter((v): v is string => !!v)),
  );
  const words = [...new Set(texts.flatMap((t) => t.split(/[\s,;<>()"]+/)).filter((w) => w.length >= 3))].sort();
  const nonAscii = words.filter((w) => /[^\x00-\x7f]/.test(w));
  assert.ok(nonAscii.length >= 3, `the sample has too few non-ASCII words: ${nonAscii.join(' ')}`);
  const pick = <T>(xs: readonly T[], n: number): T[] =>
    Array.from({ length: Math.min(n, xs.length) }, (_, i) => xs[Math.floor((i * xs.length) / n)]!);
  const sender = texts.find((t) => t.includes('@'))!;
  return [
    ...pick(words, 6),
    ...pick(nonAscii, 5),
    ...pick(nonAscii, 2).map((w) => w.toUpperCase()),
    ...pick(words, 3).map((w) => w.slice(1, -1)),
    sender.slice(sender.indexOf('@')),
    'a',
    'ü',
    'zq',
    'Re: ',
    'no such text anywhere 9f3b',
    'Grafik "Übersicht"',
  ];
}

describe('item catalogue: search equals the scan', function () {
  this.timeout(180_000);
  let tmp: string;
  let sample: SampleResult;
  let backup: BackupPath;
  let cat: Catalogue;

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'zxb-catsearch-'));
    sample = await makeSample(path.join(tmp, 'backup'), { accounts: 2, itemsPerAccount: 300, seed: 5, faults: true });
    backup = await BackupPath.open(sample.path);
    cat = await openCatalogue(backup, { dir: path.join(tmp, 'cache') });
  });
  after(() => {
    cat.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("itemById (reveal) gives the evaluator's state of each item at a time", async () => {
    const a = sample.accounts[0]!.zimbraId;
    await cat.indexAccount(a);
    const { items } = await backup.readAllItems(a);
    const mid = Math.floor((sample.startDate + sample.endDate) / 2);
    let found = 0;
    for (const when of [{ kind: 'last' as const }, { kind: 'instant' as const, at: mid }])
      for (const h of items.filter((x) => x.fileItemId !== undefined && x.fileItemId < 100_000)) {
        const expected = itemAt(h, when);
        const got = cat.itemById(a, h.fileItemId!, when);
        // No state then, or an id that differs from its file name (another file may claim it): not comparable.
        if (!expected || expected.id !== h.fileItemId) continue;
        assert.equal(got?.status, expected.status, `${h.path} at ${JSON.stringify(when)}`);
        assert.equal(got?.folderId, expected.transaction.folderId);
        found++;
      }
    assert.ok(found > 200, `too few items compared: ${found}`);
  });

  it('uses the FTS5 index for text', () => {
    assert.equal(cat.fullText, true);
  });

  it("gives the scan's hits for text, type, dates, deletion filters and points in time", async () => {
    const mid = Math.floor((sample.startDate + sample.endDate) / 2);
    const quarter = Math.floor(sample.startDate + (sample.endDate - sample.startDate) / 4);
    let compared = 0;
    let nonEmpty = 0;
    let nonAsciiHits = 0;
    for (const a of sample.accounts) {
      const { items } = await backup.readAllItems(a.zimbraId);
      const needles = needlesOf(items);
      const queries: ItemSearchQuery[] = [];
      for (const text of needles)
        for (const filter of ['all', 'deleted', 'not_deleted'] as const) queries.push({ text, filter });
      for (const type of [ItemType.MESSAGE, ItemType.CONTACT, ItemType.FOLDER, ItemType.DOCUMENT, ItemType.APPOINTMENT])
        for (const filter of ['all', 'deleted', 'not_deleted'] as const) queries.push({ type, filter });
      for (const when of [
        { kind: 'first' as const },
        { kind: 'instant' as const, at: quarter },
        { kind: 'instant' as const, at: mid },
      ])
        for (const filter of ['all', 'deleted'] as const)
          queries.push({ filter, when }, { filter, when, text: needles[0]! });
      queries.push(
        { filter: 'all', after: mid },
        { filter: 'all', before: mid },
        { filter: 'all', after: quarter, before: mid, type: ItemType.MESSAGE },
        { filter: 'not_deleted', before: quarter, text: needles[1]! },
        { filter: 'all', type: ItemType.DOCUMENT, text: needles[7]!, when: { kind: 'instant', at: mid } },
      );
      for (const q of queries) {
        const fromCat = await searchAccountItems(backup, a.zimbraId, q, { catalogue: cat });
        const fromScan = { ...searchHistories(items, q), files: items.length };
        const label = `${a.name} ${JSON.stringify(q)}`;
        assert.equal(fromCat.source, 'catalogue');
        assert.deepEqual(show(fromCat.hits), show(fromScan.hits), label);
        assert.deepEqual(fromCat.when, fromScan.when, `${label}: point`);
        assert.equal(fromCat.files, fromScan.files, `${label}: files`);
        compared++;
        if (fromScan.hits.length > 0) nonEmpty++;
        if (q.text && /[^\x00-\x7f]/.test(q.text) && fromScan.hits.length > 0) nonAsciiHits++;
      }
    }
    // And the scan as the CLI runs it is that brute force over the files it reads.
    const q: ItemSearchQuery = { text: 'the', filter: 'all' };
    const scanned = await scanSearch(backup, sample.accounts[0]!.zimbraId, q);
    const { items } = await backup.readAllItems(sample.accounts[0]!.zimbraId);
    assert.deepEqual(show(scanned.hits), show(searchHistories(items, q).hits));
    // Not vacuous: most queries find something, non-ASCII ones too.
    assert.ok(
      compared > 150 && nonEmpty > compared / 2 && nonAsciiHits >= 4,
      JSON.stringify({ compared, nonEmpty, nonAsciiHits }),
    );
  });
});
