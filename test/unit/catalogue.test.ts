import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BackupPath } from '../../src/engine/backup/backupPath';
import { buildSnapshot, type AccountSnapshot, type ItemAtTime } from '../../src/engine/backup/snapshot';
import { defaultCacheDir } from '../../src/engine/cacheDir';
import { catalogueFile, openCatalogue, type Catalogue, type CatalogueWhen } from '../../src/engine/catalogue';
import { runCoherencyCheck } from '../../src/engine/check';
import { openSqlite } from '../../src/engine/sqlite';
import { EngineError } from '../../src/engine/findings';
import { itemRelPath } from '../../src/engine/layout';
import type { ItemHistory } from '../../src/engine/item/types';
import { makeSample, type SampleResult } from '../../src/engine/sample/index';
import { AccountCache } from '../../src/extension/model/accountCache';
import { DEFAULT_LIMITS, accountTopLevel, firstPage, firstPageOfIds } from '../../src/extension/model/treeModel';

const brief = (items: readonly ItemAtTime[]): string[] =>
  items.map((it) => `${it.id} ${it.path} ${it.typeName} ${it.title} ${it.status}`);

/** Every transaction row of the account, keyed by file path (file ids change on rewrite). */
function dumpRows(file: string, account: string): Map<string, string> {
  const db = openSqlite(file, { readonly: true });
  try {
    const rows = db.all<Record<string, unknown>>(
      'SELECT f.path, f.size, f.mtime_ms, t.* FROM tx t JOIN files f USING (file_id) JOIN account_ids a ON a.account_no = t.account WHERE a.account = ? ORDER BY f.path, t.idx',
      [account],
    );
    const out = new Map<string, string>();
    for (const r of rows) {
      const { file_id: _ignored, ...rest } = r;
      const key = String(r['path']);
      out.set(key, (out.get(key) ?? '') + JSON.stringify(rest));
    }
    return out;
  } finally {
    db.close();
  }
}

/** The catalogue's view of an account at `when`, in buildSnapshot's shape for comparison. */
function compare(cat: Catalogue, snap: AccountSnapshot, account: string, when: CatalogueWhen, label: string): void {
  const folders = cat.foldersAt(account, when);
  assert.equal(folders.at, snap.at, `${label}: resolved instant`);
  const shape = (m: AccountSnapshot['folders']) =>
    [...m.values()]
      .map((f) => `${f.id} ${f.name} ${f.path} ${f.parentId ?? '-'} ${f.children.map((c) => c.id).join(',')}`)
      .sort();
  assert.deepEqual(shape(folders.folders), shape(snap.folders), `${label}: folders`);
  assert.deepEqual(
    folders.roots.map((r) => r.id),
    snap.roots.map((r) => r.id),
    `${label}: roots`,
  );
  for (const f of snap.folders.values()) {
    assert.deepEqual(
      brief(cat.itemsInFolderAt(account, f.id, when)),
      brief(f.items),
      `${label}: items of folder ${f.id}`,
    );
    assert.equal(cat.countInFolderAt(account, f.id, when), f.items.length, `${label}: count of folder ${f.id}`);
    assert.equal(folders.counts.get(f.id) ?? 0, f.items.length, `${label}: counts map, folder ${f.id}`);
    assert.deepEqual(
      cat.idsInFolderAt(account, f.id, when),
      f.items.map((it) => it.id),
      `${label}: ids of folder ${f.id}`,
    );
  }
  assert.deepEqual(brief(cat.deletedAt(account, when)), brief(snap.deleted), `${label}: deleted`);
  assert.equal(cat.countDeletedAt(account, when), snap.deleted.length, `${label}: deleted count`);
  assert.deepEqual(brief(cat.unplacedAt(account, when)).sort(), brief(snap.unplaced).sort(), `${label}: unplaced`);
}

/** Instants worth checking: a transaction boundary (a start, and 1 ms before it) in the middle of the account's life. */
function boundaries(items: readonly ItemHistory[]): number[] {
  const starts = items
    .flatMap((h) => h.transactions.filter((t) => t.start !== undefined && t.end !== null).map((t) => t.end!))
    .sort((a, b) => a - b);
  const mid = starts[Math.floor(starts.length / 2)]!;
  return [mid, mid - 1];
}

describe('item catalogue (src/engine/catalogue)', function () {
  this.timeout(120_000);
  let tmp: string;
  let sample: SampleResult;
  let cacheDir: string;
  let backup: BackupPath;

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'zxb-catalogue-'));
    sample = await makeSample(path.join(tmp, 'backup'), { accounts: 3, itemsPerAccount: 250, seed: 7, faults: true });
    cacheDir = path.join(tmp, 'cache');
    backup = await BackupPath.open(sample.path);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('agrees with buildSnapshot at first, last, a transaction boundary and in between, for every account', async () => {
    const cat = await openCatalogue(backup, { dir: cacheDir });
    const totals = { folders: 0, items: 0, deleted: 0 };
    try {
      for (const a of sample.accounts) {
        assert.equal(cat.isIndexed(a.zimbraId), false);
        const r = await cat.indexAccount(a.zimbraId);
        assert.equal(cat.isIndexed(a.zimbraId), true);
        assert.equal(r.updated, r.files);
        const { items } = await backup.readAllItems(a.zimbraId);
        assert.equal(r.files, items.length);
        const whens: CatalogueWhen[] = [
          { kind: 'first' },
          { kind: 'last' },
          ...boundaries(items).map((at) => ({ kind: 'instant' as const, at })),
          { kind: 'instant', at: Math.floor((sample.startDate + sample.endDate) / 2) },
        ];
        for (const when of whens) {
          const snap = buildSnapshot(items, when);
          compare(cat, snap, a.zimbraId, when, `${a.name} at ${JSON.stringify(when)}`);
        }
        const last = buildSnapshot(items, { kind: 'last' });
        totals.folders += last.folders.size;
        totals.items += last.itemCount;
        totals.deleted += last.deleted.length;
      }
      // The comparison is not vacuous: the sample has folders, filed items and deletions.
      assert.ok(
        totals.folders > 10 && totals.items > 300 && totals.deleted > 5,
        `sample too thin for the comparison: ${JSON.stringify(totals)}`,
      );
    } finally {
      cat.close();
    }
  });

  it('pages a folder by keyset', async () => {
    const cat = await openCatalogue(backup, { dir: cacheDir });
    try {
      const account = sample.accounts[0]!.zimbraId;
      await cat.indexAccount(account);
      const counts = cat.foldersAt(account, { kind: 'last' }).counts;
      const [folderId, n] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!;
      assert.ok(n > 10);
      const all = cat.itemsInFolderAt(account, folderId, { kind: 'last' }).map((it) => it.id);
      const paged: number[] = [];
      for (let after: number | undefined; ;) {
        const page = cat.itemsInFolderAt(
          account,
          folderId,
          { kind: 'last' },
          after === undefined ? { limit: 7 } : { limit: 7, after },
        );
        if (page.length === 0) break;
        assert.ok(page.length <= 7);
        paged.push(...page.map((it) => it.id));
        after = page[page.length - 1]!.id;
      }
      assert.deepEqual(paged, all);
    } finally {
      cat.close();
    }
  });

  it('persists: a second open sees the index; re-indexing unchanged files reads none', async () => {
    const account = sample.accounts[1]!.zimbraId;
    const first = await openCatalogue(backup, { dir: cacheDir });
    await first.indexAccount(account);
    first.close();
    const again = await openCatalogue(sample.path, { dir: cacheDir });
    try {
      assert.equal(again.isIndexed(account), true);
      const r = await again.indexAccount(account);
      assert.equal(r.updated, 0);
      assert.equal(r.removed, 0);
      assert.ok(r.files > 0);
    } finally {
      again.close();
    }
  });

  it('re-indexes only a modified file, and drops the rows of a vanished one', async () => {
    const account = sample.accounts[0]!;
    const cat = await openCatalogue(backup, { dir: cacheDir });
    try {
      await cat.indexAccount(account.zimbraId);
      const { items } = await backup.readAllItems(account.zimbraId);
      const target = items.find(
        (h) => h.parsed && h.transactions.length > 0 && h.transactions.at(-1)!.subject !== undefined,
      )!;
      const before = dumpRows(cat.file, account.zimbraId);
      // Change the latest subject: a different size, and a title the query must show.
      const abs = backup.abs(target.path);
      const json = JSON.parse(readFileSync(abs, 'utf8')) as Record<string, unknown>[];
      json[json.length - 1]!['subject'] = 'Re-indexed subject';
      writeFileSync(abs, JSON.stringify(json));
      const r = await cat.indexAccount(account.zimbraId);
      assert.equal(r.updated, 1);
      const after = dumpRows(cat.file, account.zimbraId);
      const changed = [...new Set([...before.keys(), ...after.keys()])].filter((k) => before.get(k) !== after.get(k));
      assert.deepEqual(changed, [target.path]);
      const hits = cat.searchItems(account.zimbraId, { text: 're-INDEXED subj', filter: 'all' });
      assert.deepEqual(
        hits.map((h) => h.item.path),
        [target.path],
      );

      // A vanished file: its rows go, nothing else changes.
      const gone = items.find((h) => h.parsed && h.path !== target.path && h.transactions.length > 0)!;
      unlinkSync(backup.abs(gone.path));
      const r2 = await cat.indexAccount(account.zimbraId);
      assert.equal(r2.removed, 1);
      assert.equal(r2.updated, 0);
      const after2 = dumpRows(cat.file, account.zimbraId);
      assert.equal(after2.has(gone.path), false);
      assert.deepEqual(
        [...after2.keys()],
        [...after.keys()].filter((k) => k !== gone.path),
      );
      // And the queries still agree with a fresh read.
      const fresh = await backup.readAllItems(account.zimbraId);
      compare(cat, buildSnapshot(fresh.items, { kind: 'last' }), account.zimbraId, { kind: 'last' }, 'after edits');
    } finally {
      cat.close();
    }
  });

  it('records a corrupted item file and indexes the rest', async () => {
    const account = sample.accounts[1]!;
    const cat = await openCatalogue(backup, { dir: cacheDir });
    try {
      const { items } = await backup.readAllItems(account.zimbraId);
      const victim = items.find((h) => h.parsed && h.transactions.length > 0)!;
      const abs = backup.abs(victim.path);
      const text = readFileSync(abs, 'utf8');
      writeFileSync(abs, text.slice(0, Math.floor(text.length / 2))); // truncated JSON
      const r = await cat.indexAccount(account.zimbraId);
      assert.ok(r.skipped >= 1);
      assert.ok(
        r.findings.some((f) => f.path === victim.path && f.code === 'item.invalid-json'),
        'the broken file is named',
      );
      const skipped = cat.skippedFiles(account.zimbraId);
      assert.ok(skipped.some((s) => s.path === victim.path && s.findings.some((f) => f.code === 'item.invalid-json')));
      assert.equal(cat.isIndexed(account.zimbraId), true);
      const fresh = await backup.readAllItems(account.zimbraId);
      compare(
        cat,
        buildSnapshot(fresh.items, { kind: 'last' }),
        account.zimbraId,
        { kind: 'last' },
        'with a broken file',
      );
      const indexed = new Set(fresh.items.filter((h) => h.parsed).map((h) => h.path));
      assert.ok(indexed.size > 100);
      assert.equal(cat.indexInfo(account.zimbraId)?.files, fresh.items.length);
    } finally {
      cat.close();
    }
  });

  it('an invalid file with overlapping transactions shows the later one in file order, as stateAt does', async () => {
    const account = sample.accounts[2]!.zimbraId;
    const id = 987_654;
    const t0 = sample.startDate + 10 * 86_400_000;
    const rel = itemRelPath(account, id);
    mkdirSync(path.dirname(backup.abs(rel)), { recursive: true });
    // Later in the file but overlapping [t0+1000, t0+2000): it wins there; before and after, the first one shows.
    const tx = (n: number, start: number, end: number | null, subject: string, folder: number) => ({
      'transaction-id': n,
      'start-date': start,
      'end-date': end,
      id,
      type: 5,
      'folder-id': folder,
      subject,
    });
    writeFileSync(
      backup.abs(rel),
      JSON.stringify([tx(1, t0, null, 'first state', 2), tx(2, t0 + 1000, t0 + 2000, 'overlapping state', 5)]),
    );
    const cat = await openCatalogue(backup, { dir: cacheDir });
    try {
      await cat.indexAccount(account);
      const { items } = await backup.readAllItems(account);
      for (const at of [t0, t0 + 999, t0 + 1000, t0 + 1999, t0 + 2000]) {
        const when = { kind: 'instant' as const, at };
        compare(cat, buildSnapshot(items, when), account, when, `overlap at +${at - t0}`);
      }
      const inside = cat.searchItems(account, {
        text: 'state',
        filter: 'all',
        when: { kind: 'instant', at: t0 + 1500 },
      });
      assert.deepEqual(
        inside.map((h) => [h.item.id, h.item.title, h.item.folderId]),
        [[id, 'overlapping state', 5]],
      );
    } finally {
      cat.close();
    }
  });

  it('gives the Backup view\'s first page exactly as the in-memory path does (ranges, pages, "Load more…")', async () => {
    const account = sample.accounts[0]!.zimbraId;
    const cat = await openCatalogue(backup, { dir: cacheDir });
    try {
      await cat.indexAccount(account);
      const snap = buildSnapshot((await backup.readAllItems(account)).items, { kind: 'last' });
      const folder = [...snap.folders.values()].sort((a, b) => b.items.length - a.items.length)[0]!;
      assert.ok(folder.items.length > 12);
      // Small limits so that a sample folder needs ranges, and a page with "Load more…".
      for (const limits of [
        { bucketThreshold: 10, pageSize: 4 },
        { bucketThreshold: 1000, pageSize: 5 },
        DEFAULT_LIMITS,
      ]) {
        const fetch = (after: number | undefined, limit: number) =>
          cat.itemsInFolderAt(account, folder.id, { kind: 'last' }, after === undefined ? { limit } : { after, limit });
        const fromCatalogue = firstPageOfIds(
          account,
          folder.id,
          cat.idsInFolderAt(account, folder.id, { kind: 'last' }),
          fetch,
          limits,
        );
        assert.deepEqual(fromCatalogue, firstPage(account, folder.id, folder.items, limits), JSON.stringify(limits));
      }
    } finally {
      cat.close();
    }
  });

  it('the extension falls back when the catalogue cannot open, and shares one indexing run per account', async () => {
    const bad = new AccountCache(backup, {}, { dir: path.join(sample.path, 'not-here') });
    assert.equal(await bad.catalogue.open(), undefined);
    assert.match(bad.catalogue.unavailableReason ?? '', /inside the backup path/);
    await assert.rejects(bad.catalogue.index(sample.accounts[0]!.zimbraId), /inside the backup path/);
    assert.ok(bad.catalogue.failedReason(sample.accounts[0]!.zimbraId));

    const good = new AccountCache(backup, {}, { dir: path.join(tmp, 'cache-ext') });
    try {
      const id = sample.accounts[0]!.zimbraId;
      const [a, b] = [good.catalogue.index(id), good.catalogue.index(id)];
      assert.equal(a, b);
      assert.equal(good.catalogue.isIndexing(id), true);
      await a;
      assert.equal(good.catalogue.isFresh(id), true);
      const cat = good.catalogue.current!;
      const tree = good.catalogue.folders(cat, id, null);
      assert.equal(good.catalogue.folders(cat, id, null), tree, 'kept while the time is the same');
      const top = accountTopLevel(tree);
      const snapTop = accountTopLevel(await good.snapshot(id, null));
      assert.deepEqual(
        top.folders.map((f) => f.path),
        snapTop.folders.map((f) => f.path),
      );
      good.forget(id);
      assert.equal(good.catalogue.isFresh(id), false);
    } finally {
      good.catalogue.close();
    }
  });

  it('stops at a safe point when cancelled, and finishes on the next run', async () => {
    const dir = path.join(tmp, 'cache-cancel');
    const account = sample.accounts[0]!.zimbraId;
    const cat = await openCatalogue(backup, { dir });
    try {
      const ac = new AbortController();
      ac.abort();
      await assert.rejects(cat.indexAccount(account, { signal: ac.signal }), (e: Error) => e.name === 'AbortError');
      assert.equal(cat.isIndexed(account), false);
      const events: number[] = [];
      const r = await cat.indexAccount(account, { progress: (e) => events.push(e.done) });
      assert.equal(cat.isIndexed(account), true);
      assert.equal(events.at(-1), r.files);
    } finally {
      cat.close();
    }
  });

  it('the coherency check runs without its cache when the cache cannot open, and says so in its summary', async () => {
    const account = sample.accounts[0]!.zimbraId;
    const report = await runCoherencyCheck(sample.path, {
      level: 'structure',
      accounts: [account],
      cache: { dir: path.join(sample.path, 'cache-inside') },
      jobs: 0,
    });
    assert.equal(report.summary.cacheFile, null);
    assert.match(report.summary.cacheNote ?? '', /^io\.cache-unavailable: .*inside the backup path/);
    assert.ok(report.summary.filesChecked > 0);
    const ok = await runCoherencyCheck(sample.path, {
      level: 'structure',
      accounts: [account],
      cache: { dir: path.join(tmp, 'check-cache') },
      jobs: 0,
    });
    assert.equal(ok.summary.cacheNote, undefined);
    assert.ok(ok.summary.cacheFile?.startsWith(path.join(tmp, 'check-cache')));
  });

  it('lives outside the backup path: default folder from ZXB_CACHE_DIR, and a folder inside the backup is refused', async () => {
    const env = { ZXB_CACHE_DIR: path.join(tmp, 'env-cache') };
    assert.equal(defaultCacheDir(env), path.join(tmp, 'env-cache'));
    const cat = await openCatalogue(backup, { env });
    try {
      assert.equal(path.dirname(cat.file), path.join(tmp, 'env-cache', 'catalogue'));
      assert.equal(cat.file, catalogueFile(path.join(tmp, 'env-cache', 'catalogue'), backup.root));
      assert.ok(statSync(cat.file).isFile());
    } finally {
      cat.close();
    }
    await assert.rejects(
      openCatalogue(backup, { dir: path.join(sample.path, 'cache') }),
      (e: unknown) => e instanceof EngineError && e.finding.code === 'io.cache-unavailable',
    );
  });
});
