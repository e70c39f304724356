/**
 * doPurge on a generated sample with faults: the dry run lists exactly what --apply
 * removes; kill -9 at random moments of an --apply (the built CLI, SIGKILL after random
 * delays and after N journal lines) and a rerun end in exactly the state of an
 * uninterrupted purge, which the check finds nothing new in; BLOBs still referenced
 * survive; the lock keeps a second writer out; 0 days is infinite retention; legal hold
 * and folders in use keep what they cover.
 */
import { strict as assert } from 'node:assert';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  BackupPath,
  blobRelPath,
  isValidDigest,
  itemRelPath,
  readJournal,
  runPurge,
  PURGE_JOURNAL_DIR,
  type FindingCode,
  type PurgeResult,
} from '../../src/engine';
import { BackupWriter, acquireBackupLock } from '../../src/engine/format';
import { makeSample, type SampleResult } from '../../src/engine/sample';
import { ExitCode } from '../../src/cli/errors';
import type { PurgeJson } from '../../src/cli/shapes';
import { collect, ensureBuilt, startZxb, waitFor, zxb, zxbJson } from '../cli/run';
import { codesByFile, newFindings, seeded, treeOf } from './helpers';

const DAY = 86_400_000;

describe('doPurge', function () {
  this.timeout(600_000);
  let work: string;
  let sample: SampleResult;
  /** After the sample's end, so its older server archive is past the retention too; never in the future. */
  let now: number;
  let nowIso: string;
  let sourceCodes: Map<string, Set<FindingCode>>;
  /** The uninterrupted purge: what it removed, and the tree it left. */
  let reference: PurgeResult;
  let referenceTree: Map<string, string>;
  let copies = 0;

  const copy = (): string => {
    const dest = path.join(work, `copy-${++copies}`);
    cpSync(sample.path, dest, { recursive: true });
    return dest;
  };
  const opts = (apply: boolean) => ({ purgeDays: 30, now, zone: 'UTC', apply });

  before(async () => {
    await ensureBuilt();
    work = mkdtempSync(path.join(tmpdir(), 'zxb-purge-'));
    sample = await makeSample(path.join(work, 'sample'), { accounts: 5, itemsPerAccount: 160, faults: true });
    now = Math.min(Date.now(), sample.endDate + 31 * DAY);
    nowIso = new Date(now).toISOString();
    sourceCodes = await codesByFile(sample.path, now);
    const ref = copy();
    reference = await runPurge(ref, opts(true));
    referenceTree = treeOf(ref);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  /** Every digest a kept item file references, whose BLOB the source had, is still there. */
  async function assertReferencedBlobsSurvive(root: string): Promise<void> {
    const bp = await BackupPath.open(root);
    for (const { zimbraId } of await bp.accounts()) {
      for await (const ref of bp.itemFiles(zimbraId)) {
        const h = await bp.readItemAt(ref.path, { fileItemId: ref.itemId });
        for (const t of h?.transactions ?? []) {
          if (typeof t.digest !== 'string' || !isValidDigest(t.digest)) continue;
          const rel = blobRelPath(t.digest)!;
          if (existsSync(path.join(sample.path, rel)))
            assert.ok(existsSync(path.join(root, rel)), `${ref.path} lost ${rel}`);
        }
      }
    }
  }

  it('removes deleted items past the retention, their BLOBs, an old archive, and id_mapper.log lines; the check finds nothing new', async () => {
    const kinds = new Set(reference.plan.entries.map((e) => e.kind));
    assert.deepEqual([...kinds].sort(), ['archive', 'blob', 'id-mapper-lines', 'item']);
    assert.equal(reference.removed, reference.plan.entries.length);
    for (const e of reference.plan.entries)
      if (e.kind !== 'id-mapper-lines') assert.equal(referenceTree.has(e.path), false, `${e.path} is still there`);
    // Every removed item file is one the check calls purge due (the one rule), and all the due ones went
    // except in the account whose account_info cannot be read (kept as if on hold).
    const due = [...sourceCodes].filter(([, c]) => c.has('item.purge-due')).map(([p]) => p);
    const held = new Set(reference.plan.heldAccounts);
    const removedItems = reference.plan.entries.filter((e) => e.kind === 'item').map((e) => e.path);
    assert.deepEqual(removedItems.sort(), due.filter((p) => !held.has(p.split('/')[1]!)).sort());
    assert.ok(held.size === 1 && reference.plan.kept.some((k) => k.reason === 'legal-hold-unknown'));
    const root = path.join(work, `copy-1`);
    assert.deepEqual(newFindings(sourceCodes, await codesByFile(root, now)), []);
    await assertReferencedBlobsSurvive(root);
    // The journal names every removal.
    const journals = readdirSync(path.join(root, PURGE_JOURNAL_DIR));
    assert.equal(journals.length, 1);
    const j = readJournal(root, `${PURGE_JOURNAL_DIR}/${journals[0]}`);
    assert.ok(j.ended);
    assert.deepEqual(
      j.entries.map((e) => e.path),
      reference.plan.entries.map((e) => e.path),
    );
    assert.equal(j.settled.size, j.entries.length);
  });

  it('the dry run lists exactly what --apply removes, and writes nothing', async () => {
    const root = copy();
    const before = treeOf(root, []);
    const dry = await zxbJson<PurgeJson>('doPurge', root, '--now', nowIso);
    assert.equal(dry.code, ExitCode.OK, dry.stderr);
    assert.equal(dry.json.apply, false);
    assert.deepEqual(treeOf(root, []), before, 'a dry run writes nothing');
    assert.equal(existsSync(path.join(root, '.zxb-state')), false);
    const applied = await zxbJson<PurgeJson>('doPurge', root, '--now', nowIso, '--apply');
    assert.equal(applied.code, ExitCode.OK, applied.stderr);
    assert.deepEqual(applied.json.entries, dry.json.entries);
    assert.equal(applied.json.removed, dry.json.entries.length);
    const after = treeOf(root);
    const gone = [...before.keys()].filter((p) => !after.has(p) && !p.startsWith('.zxb'));
    assert.deepEqual(
      gone.sort(),
      dry.json.entries
        .filter((e) => e.kind !== 'id-mapper-lines')
        .map((e) => e.path)
        .sort(),
    );
    assert.deepEqual(treeOf(root), referenceTree);
    // A second purge finds nothing more to do.
    const again = await zxbJson<PurgeJson>('doPurge', root, '--now', nowIso, '--apply');
    assert.deepEqual(again.json.entries, []);
    assert.equal(again.json.journal, null);
  });

  it('kill -9 at random moments, then a rerun: the state of an uninterrupted purge, and a check with nothing new', async () => {
    const rnd = seeded(20261203);
    // How long an uninterrupted CLI purge takes here, to spread the kills over it.
    const timed = copy();
    const t0 = Date.now();
    assert.equal((await zxb('doPurge', timed, '--now', nowIso, '--apply')).code, ExitCode.OK);
    const duration = Date.now() - t0;
    const total = reference.plan.entries.length;
    const moments: ({ afterMs: number } | { afterLines: number })[] = [
      ...Array.from({ length: 4 }, () => ({ afterMs: Math.floor(rnd() * duration) })),
      { afterLines: 1 },
      ...Array.from({ length: 3 }, () => ({ afterLines: 1 + Math.floor(rnd() * (total - 1)) })),
    ];
    let killedMidway = 0;
    for (const m of moments) {
      const root = copy();
      const child = startZxb(['doPurge', root, '--now', nowIso, '--apply']);
      const done = collect(child);
      if ('afterMs' in m) await new Promise((r) => setTimeout(r, m.afterMs));
      else await waitFor(() => removalLines(root) >= m.afterLines, `${m.afterLines} journal lines`, 60_000);
      child.kill('SIGKILL');
      const killed = await done;
      const label = JSON.stringify(m);
      if (killed.signal === 'SIGKILL' && removalLines(root) > 0) killedMidway++;
      // Killed: nothing the kept items need is gone (at most BLOBs that became orphans, and a
      // temp file of the killed writer, wait for the rerun, which takes over its lock and sweeps it).
      const mid = newFindings(
        sourceCodes,
        await codesByFile(root, now),
        new Set(['blob.orphan', 'layout.interrupted-write']),
      );
      assert.deepEqual(mid, [], `after the kill ${label}`);
      await assertReferencedBlobsSurvive(root);
      const rerun = await zxbJson<PurgeJson>('doPurge', root, '--now', nowIso, '--apply');
      assert.equal(rerun.code, ExitCode.OK, `${label}: ${rerun.stderr}`);
      assert.deepEqual(treeOf(root), referenceTree, `end state after the kill ${label}`);
      assert.deepEqual(newFindings(sourceCodes, await codesByFile(root, now)), [], label);
      // Together the journals record every removal of the uninterrupted purge.
      const settled = new Set<string>();
      for (const name of readdirSync(path.join(root, PURGE_JOURNAL_DIR))) {
        const j = readJournal(root, `${PURGE_JOURNAL_DIR}/${name}`);
        assert.ok(j.ended, `${name} is closed`);
        for (const e of j.entries) if (j.settled.has(e.n)) settled.add(e.path);
      }
      for (const e of reference.plan.entries) assert.ok(settled.has(e.path), `${label}: ${e.path} is in no journal`);
    }
    assert.ok(killedMidway >= 4, `only ${killedMidway} kills landed during the removals`);
  });

  it('Ctrl-C stops at a safe point with exit 3; a rerun finishes', async () => {
    const root = copy();
    const child = startZxb(['doPurge', root, '--now', nowIso, '--apply', '--progress', 'lines']);
    const done = collect(child);
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    await waitFor(() => /progress: removing/.test(stderr), 'the removals');
    child.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, ExitCode.INTERRUPTED, r.stderr);
    assert.match(r.stdout, /interrupted: \d+ removed; run zxb doPurge .* --apply again to finish/);
    assert.equal((await zxb('doPurge', root, '--now', nowIso, '--apply')).code, ExitCode.OK);
    assert.deepEqual(treeOf(root), referenceTree);
  });

  it('refuses while another writer holds the lock (exit 2, the holder named), and removes nothing', async () => {
    const root = copy();
    const before = treeOf(root);
    const held = acquireBackupLock(root, 'doPurge');
    assert.ok(held.ok);
    try {
      const r = await zxb('doPurge', root, '--now', nowIso, '--apply');
      assert.equal(r.code, ExitCode.USAGE);
      assert.match(r.stderr, new RegExp(`\\[?lock\\.held|in use by doPurge \\(pid ${process.pid} on `));
      assert.match(r.stderr, new RegExp(`doPurge \\(pid ${process.pid} on `));
      assert.deepEqual(treeOf(root), before);
    } finally {
      held.lock.release();
    }
  });

  it('--purge-days 0 is infinite retention: exits at once, lists and writes nothing', async () => {
    const root = copy();
    const r = await zxbJson<PurgeJson>('doPurge', root, '--purge-days', '0', '--apply');
    assert.equal(r.code, ExitCode.OK);
    assert.equal(r.json.infiniteRetention, true);
    assert.deepEqual(r.json.entries, []);
    assert.equal(existsSync(path.join(root, '.zxb-state')), false);
    assert.equal((await zxb('doPurge', root, '--purge-days', 'ten')).code, ExitCode.USAGE);
    assert.equal((await zxb('doPurge', root, '--now', '2099-01-01')).code, ExitCode.USAGE);
  });

  it('an account with a legal-hold marker keeps everything (the documented key and tolerant spellings)', async () => {
    const first = sample.accounts[0]!.zimbraId;
    const second = sample.accounts[1]!.zimbraId;
    const root = copy();
    const mark = (id: string, edit: (o: Record<string, unknown>) => void): void => {
      const file = path.join(root, 'accounts', id, 'account_info');
      const o = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      edit(o);
      writeFileSync(file, JSON.stringify(o, null, 2) + '\n');
    };
    mark(first, (o) => ((o['attributes'] as Record<string, unknown>)['legalHold'] = true));
    mark(second, (o) => ((o['attributes'] as Record<string, unknown>)['zimbraBackupLegalHold'] = 'TRUE'));
    const plan = (await runPurge(root, opts(false))).plan;
    for (const id of [first, second]) {
      assert.ok(plan.heldAccounts.includes(id));
      assert.ok(
        reference.plan.entries.some((e) => e.account === id),
        'the account has due items',
      );
      assert.equal(plan.entries.filter((e) => e.account === id).length, 0);
      assert.ok(plan.kept.some((k) => k.account === id && k.reason === 'legal-hold'));
    }
    // Its BLOBs are referenced still: none of them is planned.
    const bp = await BackupPath.open(root);
    const planned = new Set(plan.entries.filter((e) => e.kind === 'blob').map((e) => e.path));
    for await (const ref of bp.itemFiles(first)) {
      const h = await bp.readItemAt(ref.path, { fileItemId: ref.itemId });
      for (const t of h?.transactions ?? [])
        if (typeof t.digest === 'string' && isValidDigest(t.digest)) assert.ok(!planned.has(blobRelPath(t.digest)!));
    }
  });

  it('keeps a due folder while a kept item was filed in it', async () => {
    const root = copy();
    const id = sample.accounts[0]!.zimbraId;
    const bp = await BackupPath.open(root);
    // A digest the account already references: its content comes from the sample generator.
    let digest: string | undefined;
    for await (const ref of bp.itemFiles(id)) {
      const h = await bp.readItemAt(ref.path, { fileItemId: ref.itemId });
      digest ??= h?.transactions.find((t) => t.type === 5 && typeof t.digest === 'string')?.digest ?? undefined;
    }
    const t0 = sample.startDate + 10 * DAY;
    const w = new BackupWriter(root);
    w.writeItem(id, 9001, [
      { transactionId: 1, itemId: 9001, start: t0, end: t0 + 20 * DAY, type: 1, folderId: 1, name: 'Old projects' },
      { transactionId: 2, itemId: 9001, start: t0 + 20 * DAY, end: null, type: 1, folderId: 3, deleted: true },
    ]);
    w.writeItem(id, 9002, [
      { transactionId: 1, itemId: 9002, start: t0 + DAY, end: t0 + 5 * DAY, type: 5, folderId: 9001, digest: digest! },
      { transactionId: 2, itemId: 9002, start: t0 + 5 * DAY, end: null, type: 5, folderId: 2, digest: digest! },
    ]);
    const before = await codesByFile(root, now);
    assert.ok(before.get(itemRelPath(id, 9001))?.has('item.purge-due'));
    const r = await runPurge(root, opts(true));
    assert.ok(r.plan.kept.some((k) => k.path === itemRelPath(id, 9001) && k.reason === 'folder-in-use'));
    assert.ok(existsSync(path.join(root, itemRelPath(id, 9001))));
    assert.deepEqual(newFindings(before, await codesByFile(root, now)), []);
  });
});

/** removed / gone / skipped lines in the journals of `root` so far. */
function removalLines(root: string): number {
  let n = 0;
  try {
    for (const name of readdirSync(path.join(root, PURGE_JOURNAL_DIR))) {
      if (!name.endsWith('.jsonl') || name.startsWith('.')) continue;
      const text = readFileSync(path.join(root, PURGE_JOURNAL_DIR, name), 'utf8');
      n += (text.match(/"type":"(removed|gone|skipped)"/g) ?? []).length;
    }
  } catch {
    return 0;
  }
  return n;
}
