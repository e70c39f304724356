/**
 * The restore report and the journal: a damaged BLOB is one unrestored entry and nothing
 * else fails; a second run adds nothing; a write that landed but was never journaled (what
 * a kill -9 right after it leaves) is found, not written twice; --dry-run writes nothing.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  BackupPath,
  EML_INDEX,
  mboxFile,
  planAccountRestore,
  readMboxrd,
  runRestore,
  type AccountSummary,
  type Destination,
  type EmlIndex,
  type ItemHistory,
  type RestoreJob,
} from '../../src/engine';
import { makeSample, type SampleResult } from '../../src/engine/sample';
import { startDovecot, type DovecotServer } from '../support/dovecot';
import { count, expectedMailbox, maildirDirToFolder, readImap, readMaildir, sha } from './helpers';

describe('restore: report, journal, reruns', function () {
  this.timeout(120_000);
  let tmp: string;
  let sample: SampleResult;
  let backup: BackupPath;
  let account: AccountSummary;
  let items: ItemHistory[];
  let server: DovecotServer;

  before(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'zxb-restore-journal-'));
    sample = await makeSample(path.join(tmp, 'backup'), { accounts: 2, itemsPerAccount: 120, faults: true });
    backup = await BackupPath.open(path.join(tmp, 'backup'));
    // The faults are in the first account.
    account = await backup.readAccount(sample.accounts[0]!.zimbraId);
    items = (await backup.readAllItems(account.zimbraId)).items;
    server = await startDovecot();
  });
  after(async () => {
    await server?.dispose();
    rmSync(tmp, { recursive: true, force: true });
  });

  const job = (destination: Destination, login?: string, extra: Partial<RestoreJob> = {}): RestoreJob => {
    const j: RestoreJob = {
      backup,
      plan: planAccountRestore({ zimbraId: account.zimbraId, name: account.name }, items, { kind: 'last' }),
      destination,
      identity: { at: 'last' },
      cacheDir: path.join(tmp, 'cache'),
      ...extra,
    };
    if (login)
      j.imap = {
        endpoint: { host: server.host, port: server.port, security: 'none', insecure: false },
        credentials: { login, password: 'test' },
      };
    return j;
  };

  /** Item id → why it cannot be restored, from the sample's documented faults alone. */
  function expectedUnrestored(): Map<number, string> {
    const byDigest = new Map<string, number>();
    for (const h of items)
      for (const tx of h.transactions)
        if (typeof tx.digest === 'string') byDigest.set(tx.digest, tx.itemId ?? h.fileItemId!);
    const idOfPath = (p: string): number => Number(p.split('/').pop());
    const out = new Map<number, string>();
    for (const f of sample.faults) {
      const digest = f.path.split('/').pop()!;
      if (['blob-corrupted', 'blob-corrupted-payload', 'blob-truncated', 'blob-empty', 'blob-not-gzip'].includes(f.id))
        out.set(byDigest.get(digest)!, 'damaged-blob');
      else if (f.id === 'blob-wrong-folder') out.set(byDigest.get(digest)!, 'missing-blob');
      else if (f.id === 'blob-missing') out.set(idOfPath(f.path), 'missing-blob');
      else if (['item-invalid-json', 'item-not-utf8', 'item-bad-digest'].includes(f.id))
        out.set(idOfPath(f.path), 'broken-item');
    }
    return out;
  }

  it('damaged BLOBs and broken items: one unrestored entry each, with its reason; every other message restored exactly', async () => {
    const dir = path.join(tmp, 'faults');
    const j = job({ kind: 'maildir', path: dir });
    const { report } = await runRestore(j);
    const want = expectedUnrestored();
    assert.ok(want.size >= 8, `${want.size} faulty items`);
    assert.deepEqual(
      new Map(report.unrestored.map((u) => [u.itemId, u.reason])),
      want,
      JSON.stringify(report.unrestored, null, 1),
    );
    assert.equal(report.unrestored.length, want.size, 'one entry per item');
    assert.equal(report.failed, false);
    const expected = expectedMailbox(backup.root, items, { kind: 'last' }, new Set(want.keys()));
    assert.equal(report.restored, count(expected));
    assert.deepEqual(readMaildir(dir, maildirDirToFolder), expected);
    assert.equal(report.findings.filter((f) => f.code === 'restore.unrestored').length, want.size);
  });

  it('a second run adds nothing, into Maildir, IMAP, mbox and eml', async () => {
    const targets: [Destination, string | undefined][] = [
      [{ kind: 'maildir', path: path.join(tmp, 'again-maildir') }, undefined],
      [{ kind: 'imap', url: server.url }, 't-again'],
      [{ kind: 'mbox', path: path.join(tmp, 'again-mbox') }, undefined],
      [{ kind: 'eml', path: path.join(tmp, 'again-eml') }, undefined],
    ];
    for (const [dest, login] of targets) {
      const snapshot = async (): Promise<unknown> =>
        dest.kind === 'imap' ? readImap(server, login!) : listTree(dest.path);
      const first = (await runRestore(job(dest, login))).report;
      assert.ok(first.restored > 10, `${dest.kind}: ${first.restored} restored`);
      const before = await snapshot();
      const second = (await runRestore(job(dest, login))).report;
      assert.equal(second.restored, 0, dest.kind);
      assert.equal(second.alreadyRestored, first.restored, dest.kind);
      assert.equal(second.skipped, first.restored + first.notMail, dest.kind);
      assert.deepEqual(await snapshot(), before, `${dest.kind}: the target is unchanged`);
    }
  });

  it('a write that landed but was never journaled (a kill -9 right after it) is found: exactly one copy', async () => {
    const targets: [Destination, string | undefined][] = [
      [{ kind: 'imap', url: server.url }, 't-landed'],
      [{ kind: 'maildir', path: path.join(tmp, 'landed-maildir') }, undefined],
      [{ kind: 'mbox', path: path.join(tmp, 'landed-mbox') }, undefined],
      [{ kind: 'eml', path: path.join(tmp, 'landed-eml') }, undefined],
    ];
    for (const [dest, login] of targets) {
      const out = await runRestore(job(dest, login));
      const total = out.report.restored;
      // Cut the journal after the last message's "begin": its write is in the target, its "done" is lost.
      const lines = readFileSync(out.journal!, 'utf8').split('\n').filter(Boolean);
      const lastBegin = lines
        .map((l) => JSON.parse(l) as { t: string })
        .map((l) => l.t)
        .lastIndexOf('begin');
      writeFileSync(out.journal!, lines.slice(0, lastBegin + 1).join('\n') + '\n');
      const again = (await runRestore(job(dest, login))).report;
      assert.equal(again.restored, 1, `${dest.kind}: the landed message is recognised (or, mbox, cut and rewritten)`);
      assert.equal(again.alreadyRestored, total - 1, dest.kind);
      const msgs =
        dest.kind === 'imap'
          ? count(await readImap(server, login!))
          : dest.kind === 'maildir'
            ? count(readMaildir(dest.path, maildirDirToFolder))
            : dest.kind === 'mbox'
              ? mboxCount(dest.path)
              : (JSON.parse(readFileSync(path.join(dest.path, EML_INDEX), 'utf8')) as EmlIndex).messages.length;
      assert.equal(msgs, total, `${dest.kind}: one copy of each message`);
    }
  });

  it('--dry-run lists what would be written and writes nothing, not even a journal', async () => {
    const dir = path.join(tmp, 'dry');
    const j = job({ kind: 'maildir', path: dir }, undefined, { dryRun: true, cacheDir: path.join(tmp, 'dry-cache') });
    const { report } = await runRestore(j);
    assert.equal(existsSync(dir), false);
    assert.equal(existsSync(path.join(tmp, 'dry-cache')), false);
    assert.equal(report.restored, 0);
    const want = expectedUnrestored();
    assert.deepEqual(
      report.wouldWrite!.messages.map((m) => m.itemId).sort((a, b) => a - b),
      j.plan.messages.map((m) => m.itemId).filter((id) => !want.has(id)),
    );
    assert.deepEqual(report.wouldWrite!.folders, j.plan.folders);
    assert.equal(report.unrestored.length, want.size, 'a dry run reads the BLOBs and names the damaged ones');
  });
});

/** Every file below `dir` with its SHA-256 (the target's whole state). */
function listTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = sha(readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

function mboxCount(dir: string): number {
  let n = 0;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else n += readMboxrd(readFileSync(p)).length;
    }
  };
  walk(dir);
  void mboxFile;
  return n;
}
