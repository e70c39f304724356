import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BackupPath } from '../../src/engine/backup/backupPath';
import { buildSnapshot, resolveAccountInstant } from '../../src/engine/backup/snapshot';
import { openCatalogue, type Catalogue } from '../../src/engine/catalogue';
import { itemFacts } from '../../src/engine/check/fileCheck';
import type { FolderInterval } from '../../src/engine/check/types';
import { itemRelPath } from '../../src/engine/layout';
import type { ItemHistory } from '../../src/engine/item/types';
import {
  folderAt,
  folderExistsIn,
  folderPathAt,
  isInFolder,
  itemAt,
  itemsOfFolderAt,
  recordedFolderAt,
  type FolderAt,
  type PointSpec,
} from '../../src/engine/pointInTime';
import { makeSample, type SampleResult } from '../../src/engine/sample/index';
import { FolderChain } from '../../src/cli/folders';
import { FolderIndex } from '../../src/server/folderIndex';

/**
 * Hand-written edge files added to the sample: a folder with a gap in its life, an item whose
 * last state is closed, an item whose transactions overlap (the later in file order wins).
 */
const GAP_FOLDER = 900_001;
const CLOSED_ITEM = 900_002;
const OVERLAPPING_ITEM = 900_003;

function writeEdgeFiles(root: string, account: string, t0: number, day: number): void {
  const write = (id: number, txs: object[]): void => {
    const abs = path.join(root, itemRelPath(account, id));
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, JSON.stringify(txs.map((t, i) => ({ 'transaction-id': i + 1, id, ...t }))));
  };
  write(GAP_FOLDER, [
    { type: 1, 'start-date': t0, 'end-date': t0 + day, 'folder-id': 2, name: 'Gap' },
    { type: 1, 'start-date': t0 + 3 * day, 'end-date': null, 'folder-id': 2, name: 'Gap again' },
  ]);
  write(CLOSED_ITEM, [
    { type: 5, 'start-date': t0, 'end-date': t0 + day, 'folder-id': GAP_FOLDER, subject: 'closed' },
    { type: 5, 'start-date': t0 + day, 'end-date': t0 + 2 * day, 'folder-id': 2, subject: 'closed' },
  ]);
  write(OVERLAPPING_ITEM, [
    { type: 5, 'start-date': t0, 'end-date': t0 + 5 * day, 'folder-id': 2, subject: 'overlap' },
    { type: 5, 'start-date': t0 + day, 'end-date': t0 + 2 * day, 'folder-id': 3, subject: 'overlap' },
  ]);
}

/** Every transaction boundary, and 1 ms either side. */
function instants(items: readonly ItemHistory[]): number[] {
  const set = new Set<number>();
  for (const h of items)
    for (const tx of h.transactions)
      for (const b of [tx.start, tx.end]) if (typeof b === 'number') for (const d of [-1, 0, 1]) set.add(b + d);
  return [...set].sort((a, b) => a - b);
}

interface Seen {
  instants: number;
  folders: number;
  filed: number;
  absentFolders: number;
}

async function compareAt(
  cat: Catalogue,
  account: string,
  items: readonly ItemHistory[],
  byId: Map<number, ItemHistory>,
  lifetimes: Map<number, FolderInterval[]>,
  helpers: { index: FolderIndex; chain: FolderChain },
  whenIn: PointSpec,
  seen: Seen,
): Promise<void> {
  const when = resolveAccountInstant(items, whenIn);
  const label = `${account} at ${JSON.stringify(whenIn)}`;
  assert.deepEqual(cat.resolve(account, whenIn), when, `${label}: resolved instant`);

  // Folders: ids, names, parents and paths.
  const recorded = new Map<number, FolderAt>();
  for (const h of items) {
    const f = recordedFolderAt(h, when);
    if (f) recorded.set(f.id, f);
  }
  const ours = [...recorded.values()]
    .map((f) => `${f.id} ${f.name} ${f.parentId ?? '-'} ${folderPathAt((n) => recorded.get(n), f.id)}`)
    .sort();
  const theirs = [...cat.foldersAt(account, when).folders.values()]
    .map((f) => `${f.id} ${f.name} ${f.parentId ?? '-'} ${f.path}`)
    .sort();
  assert.deepEqual(theirs, ours, `${label}: folders`);
  const snap = buildSnapshot(items, when);
  assert.deepEqual(
    [...snap.folders.values()].map((f) => `${f.id} ${f.name} ${f.parentId ?? '-'} ${f.path}`).sort(),
    ours,
    `${label}: snapshot folders`,
  );

  // Items per folder: every folder id any item names, whether the folder exists or not.
  const counts = new Map<number, number>();
  for (const h of items) {
    const it = itemAt(h, when);
    const f = it?.transaction.folderId;
    if (it && f !== undefined && isInFolder(it, f)) counts.set(f, (counts.get(f) ?? 0) + 1);
  }
  assert.deepEqual(
    [...cat.countsByFolderAt(account, when)].sort((a, b) => a[0] - b[0]),
    [...counts].sort((a, b) => a[0] - b[0]),
    `${label}: items per folder id`,
  );
  for (const id of recorded.keys()) {
    const ids = itemsOfFolderAt(items, id, when).map((it) => it.id);
    assert.deepEqual(cat.idsInFolderAt(account, id, when), ids, `${label}: items of folder ${id}`);
    assert.deepEqual(
      snap.folders.get(id)!.items.map((it) => it.id),
      ids,
      `${label}: snapshot items of folder ${id}`,
    );
    seen.filed += ids.length;
  }
  seen.folders += recorded.size;

  // References (hover, CLI, check): system folders exist implicitly; the helpers say what the evaluator says.
  const at = when.kind === 'instant' ? when.at : null;
  const cliWhen = when.kind === 'instant' ? when : ({ kind: 'last' } as const);
  const lookup = (n: number) => folderAt(byId.get(n), n, when);
  const candidates = new Set<number>([...lifetimes.keys(), ...counts.keys(), 2, 3, 999_999]);
  for (const id of candidates) {
    const ref = lookup(id);
    const state = await helpers.index.folderAt(account, id, at);
    assert.equal(state.exists, ref !== undefined, `${label}: server folderAt(${id})`);
    if (ref && state.exists)
      assert.deepEqual([state.name, state.parentId], [ref.name, ref.parentId], `${label}: server folder ${id}`);
    if (!ref) seen.absentFolders++;
    const p = folderPathAt(lookup, id);
    assert.equal(await helpers.index.folderPath(account, id, at), p, `${label}: server path of ${id}`);
    assert.equal(await helpers.chain.pathAt(id, cliWhen), p, `${label}: CLI path of ${id}`);
    if (at !== null)
      assert.equal(folderExistsIn(lifetimes, id, at), ref !== undefined, `${label}: check's folderExistsAt(${id})`);
  }
  seen.instants++;
}

describe('point-in-time evaluator (src/engine/pointInTime.ts) against the catalogue, the CLI, the server and the check', function () {
  this.timeout(300_000);
  let tmp: string;
  let sample: SampleResult;

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'zxb-pit-'));
    sample = await makeSample(path.join(tmp, 'backup'), { accounts: 2, itemsPerAccount: 60, seed: 5, faults: true });
    const day = 86_400_000;
    writeEdgeFiles(sample.path, sample.accounts[0]!.zimbraId, sample.startDate + 10 * day, day);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('gives the same folders, names, parents, paths and items at every transaction boundary ±1 ms, first and last', async () => {
    const backup = await BackupPath.open(sample.path);
    const cat = await openCatalogue(backup, { dir: path.join(tmp, 'cache') });
    const seen: Seen = { instants: 0, folders: 0, filed: 0, absentFolders: 0 };
    try {
      for (const a of sample.accounts) {
        await cat.indexAccount(a.zimbraId);
        const { items } = await backup.readAllItems(a.zimbraId);
        const byId = new Map<number, ItemHistory>();
        const lifetimes = new Map<number, FolderInterval[]>();
        for (const h of items) {
          if (h.fileItemId !== undefined) byId.set(h.fileItemId, h);
          const facts = itemFacts(h);
          if (facts.kind === 'item')
            for (const def of facts.folderDefs) lifetimes.set(def[0], [...(lifetimes.get(def[0]) ?? []), def]);
        }
        const helpers = { index: new FolderIndex(sample.path), chain: new FolderChain(backup, a.zimbraId) };
        const whens: PointSpec[] = [
          { kind: 'first' },
          { kind: 'last' },
          ...instants(items).map((at) => ({ kind: 'instant' as const, at })),
        ];
        for (const when of whens) await compareAt(cat, a.zimbraId, items, byId, lifetimes, helpers, when, seen);
      }
    } finally {
      cat.close();
    }
    // Not vacuous: many instants, folders and filed items, and folders that do not exist at some of them.
    assert.ok(
      seen.instants > 500 && seen.folders > 5000 && seen.filed > 5000 && seen.absentFolders > 100,
      JSON.stringify(seen),
    );
  });
});

describe("the check's folder lifetimes (itemFacts) follow the evaluator on any history, overlaps included", () => {
  const FOLDER = 300;
  const tx = fc.record({
    start: fc.integer({ min: 0, max: 20 }),
    length: fc.option(fc.integer({ min: 0, max: 12 }), { nil: null }),
    folder: fc.boolean(),
    deleted: fc.boolean(),
  });
  it('a folder exists for the check exactly when folderAt says so, at every instant', () => {
    fc.assert(
      fc.property(fc.array(tx, { minLength: 1, maxLength: 6 }), (txs) => {
        const history: ItemHistory = {
          path: itemRelPath('0f9b3c2e-6a4d-4c55-9b1e-2d7f8a9c0e11', FOLDER),
          fileItemId: FOLDER,
          parsed: true,
          findings: [],
          transactions: txs.map((t, index) => ({
            index,
            start: t.start,
            end: t.length === null ? null : t.start + t.length,
            itemId: FOLDER,
            type: t.folder ? 1 : 5,
            deleted: t.deleted,
            extra: {},
            raw: {},
          })),
        };
        const facts = itemFacts(history);
        const lifetimes = new Map<number, FolderInterval[]>();
        if (facts.kind === 'item')
          for (const def of facts.folderDefs) lifetimes.set(def[0], [...(lifetimes.get(def[0]) ?? []), def]);
        for (let at = -1; at <= 34; at++)
          assert.equal(
            folderExistsIn(lifetimes, FOLDER, at),
            folderAt(history, FOLDER, { kind: 'instant', at }) !== undefined,
            `at ${at}`,
          );
      }),
      { numRuns: 500 },
    );
  });
});
