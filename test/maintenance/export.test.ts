/**
 * doExport on generated samples (clean and with --faults): the export opens cleanly (the
 * check finds nothing on any file that the source's same file does not have), holds
 * every item state of the chosen accounts at every instant of the window exactly as the
 * source, and exactly the BLOBs those states reference, byte for byte.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  BackupPath,
  EngineError,
  blobRelPath,
  exportBackup,
  isValidDigest,
  itemAt,
  type ExportOptions,
  type ItemHistory,
} from '../../src/engine';
import { makeSample, type SampleResult } from '../../src/engine/sample';
import { ExitCode } from '../../src/cli/errors';
import { ensureBuilt, zxb, zxbJson } from '../cli/run';
import type { ExportJson } from '../../src/cli/shapes';
import { codesByFile, newFindings, seeded, treeOf } from './helpers';

const DAY = 86_400_000;

async function historiesOf(root: string, accountId: string): Promise<Map<string, ItemHistory>> {
  const bp = await BackupPath.open(root);
  const out = new Map<string, ItemHistory>();
  for await (const ref of bp.itemFiles(accountId)) {
    const h = await bp.readItemAt(ref.path, { fileItemId: ref.itemId });
    if (h) out.set(ref.path, h);
  }
  return out;
}

/** The state at T without its end-date (an export leaves the last kept state open; documented). */
function stateKey(h: ItemHistory | undefined, at: number): string {
  const s = h ? itemAt(h, { kind: 'instant', at }) : undefined;
  if (!s) return 'none';
  const { ['end-date']: _end, ...rest } = s.transaction.raw;
  return JSON.stringify([s.status, rest]);
}

describe('doExport', function () {
  this.timeout(300_000);
  let work: string;
  const samples: Record<'clean' | 'faults', SampleResult> = {} as never;
  const sourceCodes = new Map<string, Map<string, Set<import('../../src/engine').FindingCode>>>();

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'zxb-export-'));
    for (const kind of ['clean', 'faults'] as const) {
      samples[kind] = await makeSample(path.join(work, kind), {
        accounts: 5,
        itemsPerAccount: 80,
        faults: kind === 'faults',
      });
      sourceCodes.set(kind, await codesByFile(samples[kind].path, samples[kind].endDate));
    }
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  let n = 0;
  async function exportAndVerify(kind: 'clean' | 'faults', o: ExportOptions): Promise<string> {
    const s = samples[kind];
    const dest = path.join(work, `export-${++n}`);
    const report = await exportBackup(s.path, dest, o);
    const ids = report.accounts.map((a) => a.zimbraId);

    // 1. The check finds nothing new, file by file.
    const codes = await codesByFile(dest, s.endDate);
    assert.deepEqual(newFindings(sourceCodes.get(kind)!, codes), [], 'findings the source does not have');

    // 2. Every state at several instants of the window, for every item of the exported accounts.
    const from = o.window?.from ?? s.startDate;
    const to = o.window?.to ?? s.endDate;
    const rnd = seeded(n);
    const instants = [
      from,
      to,
      Math.floor((from + to) / 2),
      ...Array.from({ length: 8 }, () => from + Math.floor(rnd() * (to - from))),
    ];
    const wanted = new Set<string>();
    for (const id of ids) {
      const src = await historiesOf(s.path, id);
      const out = await historiesOf(dest, id);
      for (const [rel, h] of src) {
        for (const at of instants) {
          assert.equal(stateKey(out.get(rel), at), stateKey(h, at), `${rel} at ${new Date(at).toISOString()}`);
        }
      }
      for (const [rel, h] of out) {
        assert.ok(src.has(rel), `${rel} is not in the source`);
        for (const t of h.transactions)
          if (typeof t.digest === 'string' && isValidDigest(t.digest)) wanted.add(t.digest);
      }
      // Without a window the item files are the source's, byte for byte.
      if (!o.window)
        for (const rel of src.keys())
          assert.ok(readFileSync(path.join(dest, rel)).equals(readFileSync(path.join(s.path, rel))), rel);
    }

    // 3. Exactly the BLOBs the exported transactions reference (those the source has), byte for byte,
    // where the source has them: a BLOB in the wrong prefix folder stays there (the export reproduces faults).
    const blobs = [...treeOf(dest).keys()].filter((r) => r.startsWith('items/')).sort();
    const prefixes = readdirSync(path.join(s.path, 'items'));
    const expected = [...wanted]
      .map((d) =>
        [blobRelPath(d)!, ...prefixes.map((p) => `items/${p}/${d}`)].find((r) => existsSync(path.join(s.path, r))),
      )
      .filter((r): r is string => r !== undefined)
      .sort();
    assert.deepEqual(blobs, expected);
    for (const r of blobs) assert.ok(readFileSync(path.join(dest, r)).equals(readFileSync(path.join(s.path, r))), r);
    assert.equal(report.blobs, blobs.length);

    // 4. Only the chosen accounts.
    const bp = await BackupPath.open(dest);
    assert.deepEqual((await bp.accountFolders()).ids.sort(), [...ids].sort());
    return dest;
  }

  for (const kind of ['clean', 'faults'] as const) {
    describe(`from the ${kind} sample`, () => {
      it('every account, every transaction: the same files, no orphan and no stray', async () => {
        const dest = await exportAndVerify(kind, {});
        const src = samples[kind];
        const ids = src.accounts.map((a) => a.zimbraId).sort();
        assert.deepEqual((await (await BackupPath.open(dest)).accountFolders()).ids.sort(), ids);
      });

      it('two accounts, named by address and by zimbraId', async () => {
        const a = samples[kind].accounts;
        await exportAndVerify(kind, { accounts: [a[0]!.name.toUpperCase(), a[1]!.zimbraId] });
      });

      it('a domain', async () => {
        const dest = await exportAndVerify(kind, { domains: ['example.org'] });
        const bp = await BackupPath.open(dest);
        for (const acc of await bp.accounts()) if (acc.info) assert.match(acc.name, /@example\.org$/);
      });

      it('windows: from and to, only to, only from, a single instant', async () => {
        const s = samples[kind];
        const first = s.accounts[0]!.zimbraId;
        const imported = s.accounts[1]!.zimbraId;
        const span = s.endDate - s.startDate;
        const rnd = seeded(kind === 'clean' ? 7 : 11);
        for (const window of [
          { from: s.startDate + Math.floor(span * 0.3), to: s.startDate + Math.floor(span * 0.6) },
          { to: s.startDate + Math.floor(span * (0.2 + rnd() * 0.5)) },
          { from: s.endDate - 45 * DAY },
          { from: s.startDate + Math.floor(span * 0.5), to: s.startDate + Math.floor(span * 0.5) },
        ])
          await exportAndVerify(kind, { accounts: [first, imported], window });
      });
    });
  }

  it('a window keeps the folders its items are filed in, and the map and id_mapper.log entries of what it exports', async () => {
    const s = samples.clean;
    const imported = s.accounts[1]!;
    const dest = await exportAndVerify('clean', {
      accounts: [imported.zimbraId],
      window: { from: s.endDate - 60 * DAY, to: s.endDate - 30 * DAY },
    });
    const bp = await BackupPath.open(dest);
    const maps = await bp.mapFiles();
    assert.equal(maps.length, 1);
    assert.deepEqual(
      maps[0]!.map!.accounts.map((a) => a.destinationId),
      [imported.zimbraId],
    );
    const idmap = await bp.idMapper(imported.zimbraId);
    assert.ok(idmap && idmap.mappings.length > 0);
    for (const m of idmap.mappings)
      assert.ok(await bp.readItem(imported.zimbraId, m.destinationItemId), `item ${m.destinationItemId}`);
  });

  it('refuses a destination that is not empty, overlaps the source, or an unknown account', async () => {
    const s = samples.clean;
    const full = path.join(work, 'not-empty');
    mkdirSync(full);
    writeFileSync(path.join(full, 'keep.txt'), 'mine');
    const code = async (p: Promise<unknown>): Promise<string> => {
      try {
        await p;
      } catch (err) {
        assert.ok(err instanceof EngineError, String(err));
        return err.finding.code;
      }
      return 'no error';
    };
    assert.equal(await code(exportBackup(s.path, full, {})), 'usage.bad-argument');
    assert.equal(readFileSync(path.join(full, 'keep.txt'), 'utf8'), 'mine');
    assert.equal(await code(exportBackup(s.path, path.join(s.path, 'sub'), {})), 'usage.bad-argument');
    assert.equal(existsSync(path.join(s.path, 'sub')), false);
    assert.equal(
      await code(exportBackup(s.path, path.join(work, 'x1'), { accounts: ['nobody@example.com'] })),
      'usage.unknown-account',
    );
    assert.equal(
      await code(exportBackup(s.path, path.join(work, 'x2'), { domains: ['nowhere.test'] })),
      'usage.unknown-account',
    );
  });

  it('reports progress and stops at a safe point when cancelled', async () => {
    const s = samples.clean;
    const controller = new AbortController();
    const phases: string[] = [];
    const dest = path.join(work, 'cancelled');
    await assert.rejects(
      exportBackup(
        s.path,
        dest,
        {},
        {
          signal: controller.signal,
          progress: (e) => {
            phases.push(`${e.phase} ${e.done}/${e.total}`);
            if (e.done === 1) controller.abort();
          },
        },
      ),
      (err: Error) => err.name === 'AbortError',
    );
    assert.deepEqual(phases, ['exporting accounts 0/5', 'exporting accounts 1/5']);
    assert.equal(existsSync(path.join(dest, '.zxb-lock')), false, 'the lock is released');
  });

  describe('zxb doExport', () => {
    before(ensureBuilt);

    it('exports, prints its JSON, and exits 2 on a folder that is not empty', async () => {
      const s = samples.clean;
      const dest = path.join(work, 'cli');
      const r = await zxbJson<ExportJson>(
        'doExport',
        s.path,
        dest,
        '--accounts',
        s.accounts[0]!.name,
        '--from',
        '01/03/2026',
        '--to',
        '2026-06-01T00:00:00Z',
      );
      assert.equal(r.code, ExitCode.OK, r.stderr);
      assert.equal(r.json.command, 'doExport');
      assert.deepEqual(r.json.window, { from: '2026-03-01T00:00:00Z', to: '2026-06-01T00:00:00Z' });
      assert.equal(r.json.accounts.length, 1);
      assert.ok(r.json.items > 0 && r.json.blobs > 0);
      assert.equal(existsSync(path.join(dest, '.zxb-lock')), false, 'the lock is released');
      const again = await zxb('doExport', s.path, dest);
      assert.equal(again.code, ExitCode.USAGE);
      assert.match(again.stderr, /not empty/);
      const bad = await zxb('doExport', s.path, path.join(work, 'cli2'), '--from', '01/06/2026', '--to', '01/03/2026');
      assert.equal(bad.code, ExitCode.USAGE);
    });
  });
});
