/**
 * The restore commands as a user runs them (the built CLI): IMAP with the password from the
 * environment, --json like Zextras' notification, a kill -9 mid-restore then a rerun
 * (exactly one copy), doUndelete over a range, doItemRestore, and the warning on an account
 * whose latest state is empty.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  BackupPath,
  EML_INDEX,
  blobRelPath,
  buildSnapshot,
  imapFlagsOf,
  keywordOfTag,
  lastTransaction,
  type EmlIndex,
  type ItemHistory,
  type Transaction,
} from '../../src/engine';
import { BackupWriter } from '../../src/engine/format';
import { makeSample, type SampleResult } from '../../src/engine/sample';
import type { RestoreJson } from '../../src/cli/shapes';
import { startDovecot, type DovecotServer } from '../support/dovecot';
import { collect, ensureBuilt, startZxb, waitFor } from '../cli/run';
import {
  count,
  expectedMailbox,
  maildirDirToFolder,
  readImap,
  readMaildir,
  sha,
  withEmpty,
  AUTO_FOLDERS,
} from './helpers';

const PASSWORD = 'test';

describe('zxb doRestoreOnNewAccount, doUndelete, doItemRestore', function () {
  this.timeout(180_000);
  let tmp: string;
  let sample: SampleResult;
  let root: string;
  let name: string;
  let items: ItemHistory[];
  let server: DovecotServer;
  let cache: string;

  before(async () => {
    await ensureBuilt();
    tmp = mkdtempSync(path.join(tmpdir(), 'zxb-restore-cli-'));
    root = path.join(tmp, 'backup');
    // Big enough (some 400 messages) for a kill -9 to land in the middle of a restore.
    sample = await makeSample(root, { accounts: 1, itemsPerAccount: 800 });
    name = sample.accounts[0]!.name;
    items = (await (await BackupPath.open(root)).readAllItems(sample.accounts[0]!.zimbraId)).items;
    server = await startDovecot();
    cache = path.join(tmp, 'cache');
  });
  after(async () => {
    await server?.dispose();
    rmSync(tmp, { recursive: true, force: true });
  });

  const env = (): NodeJS.ProcessEnv => ({ ZXB_CACHE_DIR: cache, ZXB_IMAP_PASSWORD: PASSWORD });
  const imapUrl = (login: string): string => `imap://${login}@127.0.0.1:${server.port}`;
  async function run(
    args: string[],
    extraEnv: NodeJS.ProcessEnv = {},
  ): Promise<{ code: number | null; json: RestoreJson; stderr: string }> {
    const r = await collect(startZxb([...args, '--json'], { ...env(), ...extraEnv }));
    try {
      return { code: r.code, json: JSON.parse(r.stdout) as RestoreJson, stderr: r.stderr };
    } catch {
      throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    }
  }

  it('into IMAP: the password from $ZXB_IMAP_PASSWORD, never printed; the report counts; a rerun skips everything', async () => {
    const at = '15/03/2026 12:00:00';
    const when = { kind: 'instant', at: Date.UTC(2026, 2, 15, 12) } as const;
    const first = await run(['doRestoreOnNewAccount', root, name, imapUrl('t-cli'), at]);
    assert.equal(first.code, 0, first.stderr);
    const expected = expectedMailbox(root, items, when);
    assert.equal(first.json.stats.restored, count(expected));
    assert.equal(first.json.stats.unrestored, 0);
    assert.equal(first.json.date, '2026-03-15T12:00:00Z');
    assert.deepEqual(await readImap(server, 't-cli'), withEmpty(expected, AUTO_FOLDERS));
    const text = JSON.stringify(first.json) + first.stderr;
    assert.ok(!text.includes(`:${PASSWORD}@`) && !/password=/.test(text));

    const second = await run(['doRestoreOnNewAccount', root, name, imapUrl('t-cli'), at]);
    assert.equal(second.json.stats.restored, 0);
    assert.equal(second.json.skippedDetail.alreadyRestored, count(expected));
    assert.equal(count(await readImap(server, 't-cli')), count(expected));

    // The text report is worded like Zextras' notification.
    const plain = await collect(startZxb(['doRestoreOnNewAccount', root, name, imapUrl('t-cli'), at], env()));
    assert.match(plain.stdout, /- stats -\nRestored Items: 0\nSkipped Items: {2}\d+/);
    assert.match(plain.stdout, /Unrestored Items: 0/);
  });

  it('without a password an IMAP restore stops with exit 2; a password in the URL is refused', async () => {
    const r = await collect(
      startZxb(['doRestoreOnNewAccount', root, name, imapUrl('t-nopw'), 'last'], { ZXB_CACHE_DIR: cache }),
    );
    assert.equal(r.code, 2);
    assert.match(r.stderr, /ZXB_IMAP_PASSWORD/);
    const u = await collect(
      startZxb(['doRestoreOnNewAccount', root, name, `imap://t-x:secret@127.0.0.1:${server.port}`, 'last'], env()),
    );
    assert.equal(u.code, 2);
    assert.ok(!u.stderr.includes('secret'));
    // Customer data is sacred: a destination inside the backup path is refused before anything is written.
    const inside = await collect(
      startZxb(['doRestoreOnNewAccount', root, name, `maildir:${path.join(root, 'restored')}`, 'last'], env()),
    );
    assert.equal(inside.code, 2);
    assert.match(inside.stderr, /inside the backup path/);
    assert.equal(existsSync(path.join(root, 'restored')), false);
  });

  for (const kind of ['imap', 'maildir'] as const)
    it(`kill -9 in the middle of a restore into ${kind}, then a rerun: exactly one copy of everything`, async () => {
      const login = 't-kill';
      const dest = kind === 'imap' ? imapUrl(login) : `maildir:${path.join(tmp, 'kill-maildir')}`;
      const killCache = path.join(tmp, `cache-kill-${kind}`);
      const child = startZxb(['doRestoreOnNewAccount', root, name, dest, 'last'], {
        ...env(),
        ZXB_CACHE_DIR: killCache,
      });
      const done = collect(child);
      const journalLines = (): number => {
        const dir = path.join(killCache, 'restores');
        if (!existsSync(dir)) return 0;
        return readdirSync(dir).reduce((n, f) => n + readFileSync(path.join(dir, f), 'utf8').split('\n').length, 0);
      };
      await waitFor(() => journalLines() > 60, 'the restore under way', 60_000);
      child.kill('SIGKILL');
      const killed = await done;
      assert.equal(killed.signal, 'SIGKILL');
      const expected = expectedMailbox(root, items, { kind: 'last' });
      const read = async (): Promise<typeof expected> =>
        kind === 'imap' ? readImap(server, login) : readMaildir(path.join(tmp, 'kill-maildir'), maildirDirToFolder);
      const partial = count(await read());
      assert.ok(partial > 0 && partial < count(expected), `killed after ${partial} of ${count(expected)}`);

      const rerun = await run(['doRestoreOnNewAccount', root, name, dest, 'last'], { ZXB_CACHE_DIR: killCache });
      assert.equal(rerun.code, 0, rerun.stderr);
      assert.equal(rerun.json.stats.restored + rerun.json.skippedDetail.alreadyRestored, count(expected));
      const after = await read();
      assert.deepEqual(
        kind === 'imap' ? after : withEmpty(after, []),
        kind === 'imap' ? withEmpty(expected, AUTO_FOLDERS) : expected,
      );
    });

  it('Ctrl-C stops at a safe point with exit 3 and the partial report; the same command then finishes', async () => {
    const dest = `mbox:${path.join(tmp, 'sigint-mbox')}`;
    const intCache = path.join(tmp, 'cache-sigint');
    const child = startZxb(['doRestoreOnNewAccount', root, name, dest, 'last', '--json'], {
      ...env(),
      ZXB_CACHE_DIR: intCache,
    });
    const done = collect(child);
    const dir = path.join(intCache, 'restores');
    await waitFor(
      () =>
        existsSync(dir) &&
        readdirSync(dir).some((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').length > 40),
      'the restore under way',
      60_000,
    );
    child.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 3, r.stderr);
    const partial = JSON.parse(r.stdout) as RestoreJson;
    assert.equal(partial.interrupted, true);
    const total = count(expectedMailbox(root, items, { kind: 'last' }));
    assert.ok(partial.stats.restored > 0 && partial.stats.restored < total, `${partial.stats.restored} of ${total}`);
    const rest = await run(['doRestoreOnNewAccount', root, name, dest, 'last'], { ZXB_CACHE_DIR: intCache });
    assert.equal(rest.code, 0, rest.stderr);
    assert.equal(rest.json.stats.restored, total - partial.stats.restored);
    assert.equal(rest.json.skippedDetail.alreadyRestored, partial.stats.restored);
  });

  it('doUndelete over a range brings back exactly the messages deleted in it, tagged undelete_DD_MM_YY, without \\Deleted', async () => {
    const from = Date.UTC(2026, 0, 1);
    const to = sample.endDate;
    // From the item files alone: message items with a deletion starting in the range; each as it was just before.
    const want = new Map<number, Transaction>();
    for (const h of items) {
      const txs = h.transactions;
      for (let i = 1; i < txs.length; i++) {
        const tx = txs[i]!;
        if (tx.deleted && tx.type === 5 && tx.start! >= from && tx.start! <= to && !txs[i - 1]!.deleted)
          want.set(h.fileItemId!, txs[i - 1]!);
      }
    }
    assert.ok(want.size >= 3, `${want.size} deletions in the range`);
    const r = await run([
      'doUndelete',
      root,
      name,
      new Date(from).toISOString(),
      'last',
      '--to',
      `eml:${path.join(tmp, 'undelete')}`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const index = JSON.parse(readFileSync(path.join(tmp, 'undelete', EML_INDEX), 'utf8')) as EmlIndex;
    assert.deepEqual(
      index.messages.map((m) => m.itemId).sort((a, b) => a - b),
      [...want.keys()].sort((a, b) => a - b),
    );
    const d = new Date();
    const tag = `undelete_${String(d.getUTCDate()).padStart(2, '0')}_${String(d.getUTCMonth() + 1).padStart(2, '0')}_${String(d.getUTCFullYear()).slice(2)}`;
    const now = buildSnapshot(items, { kind: 'last' });
    for (const m of index.messages) {
      const tx = want.get(m.itemId)!;
      assert.ok(m.keywords.includes(tag), `${m.itemId} tagged ${tag}`);
      assert.ok(!m.flags.includes('\\Deleted'));
      const bytes = gunzipSync(readFileSync(path.join(root, blobRelPath(tx.digest as string)!)));
      assert.equal(sha(readFileSync(path.join(tmp, 'undelete', m.file))), sha(bytes));
      // Back in its own folder, under the name it has now (when the folder still exists).
      const folder = now.folders.get(tx.folderId!);
      if (folder) assert.equal('/' + m.folder.join('/'), folder.path.replace(/^\/Inbox(?=\/|$)/, '/INBOX'));
    }
  });

  it('doRestoreOnNewAccount --undelete: the messages live then, and those deleted since --undelete-start-date', async () => {
    const from = Date.UTC(2026, 0, 1);
    const at = sample.endDate - 1;
    const live = new Set<number>();
    const deletedInRange = new Set<number>();
    for (const h of items) {
      const tx = h.transactions.find((t) => t.start! <= at && (t.end === null || at < t.end));
      if (!tx || tx.type !== 5) continue;
      if (!tx.deleted) live.add(h.fileItemId!);
      else if (h.transactions.some((t) => t.deleted && t.start! >= from && t.start! <= at))
        deletedInRange.add(h.fileItemId!);
    }
    assert.ok(deletedInRange.size >= 3, `${deletedInRange.size} deleted in the range`);
    const dest = `maildir:${path.join(tmp, 'undelete-too')}`;
    const args = ['doRestoreOnNewAccount', root, name, dest, new Date(at).toISOString(), '--dry-run'];
    const plain = await run(args);
    const withUndelete = await run([...args, '--undelete', '--undelete-start-date', new Date(from).toISOString()]);
    const ids = (j: RestoreJson): number[] => j.wouldWrite!.messages.map((m) => m.itemId).sort((a, b) => a - b);
    assert.deepEqual(
      ids(plain.json),
      [...live].sort((a, b) => a - b),
    );
    assert.deepEqual(
      ids(withUndelete.json),
      [...live, ...deletedInRange].sort((a, b) => a - b),
    );
    for (const m of withUndelete.json.wouldWrite!.messages)
      if (deletedInRange.has(m.itemId)) assert.ok(!m.flags.includes('\\Deleted'));
  });

  it('doItemRestore: one message as it was at an earlier date, into --restore-folder', async () => {
    // A message whose flags changed: restored as its first state.
    const h = items.find((x) => {
      const t = x.transactions.filter((tx) => tx.type === 5 && !tx.deleted);
      return t.length >= 2 && t[0]!.flags !== t[1]!.flags;
    })!;
    const first = h.transactions[0]!;
    const out = path.join(tmp, 'item');
    const r = await run([
      'doItemRestore',
      root,
      name,
      String(h.fileItemId),
      '--to',
      `eml:${out}`,
      '--date',
      new Date(first.start!).toISOString(),
      '--restore-folder',
      'Restored/Items',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.stats.restored, 1);
    const index = JSON.parse(readFileSync(path.join(out, EML_INDEX), 'utf8')) as EmlIndex;
    assert.equal(index.messages.length, 1);
    const m = index.messages[0]!;
    assert.deepEqual(m.folder, ['Restored', 'Items']);
    assert.deepEqual(m.flags, imapFlagsOf(first.flags));
    assert.deepEqual(
      m.keywords,
      (first.tags ?? []).map((t) => keywordOfTag(t)),
    );
    const bytes = gunzipSync(readFileSync(path.join(root, blobRelPath(first.digest as string)!)));
    assert.equal(sha(readFileSync(path.join(out, m.file))), sha(bytes));
  });

  it('at last, a wiped account warns and names the last moment it held mail; restoring then gives its mail', async () => {
    const wiped = path.join(tmp, 'wiped');
    execFileSync('cp', ['-a', root, wiped]);
    const writer = new BackupWriter(wiped, { durable: false });
    const zimbraId = sample.accounts[0]!.zimbraId;
    const wipeAt = sample.endDate - 3_600_000;
    let deleted = 0;
    for (const h of items) {
      const last = lastTransaction(h);
      if (!last || last.type !== 5 || last.deleted || last.end !== null || last.start! >= wipeAt) continue;
      const { index: _i, transactionId: _t, end: _e, extra: _x, raw: _r, deleted: _d, metadata: _m, ...fields } = last;
      writer.appendTransaction(zimbraId, h.fileItemId!, {
        ...fields,
        type: 5,
        start: wipeAt,
        end: null,
        deleted: true,
      } as never);
      deleted++;
    }
    assert.ok(deleted > 10);
    const r = await run([
      'doRestoreOnNewAccount',
      wiped,
      name,
      `maildir:${path.join(tmp, 'wiped-out')}`,
      'last',
      '--dry-run',
    ]);
    const warning = r.json.findings.find((f) => f.code === 'restore.empty-at-last');
    assert.ok(warning, JSON.stringify(r.json.findings));
    assert.equal(warning.severity, 'warning');
    assert.equal(r.json.wouldWrite!.messages.length, 0);
    const iso = /\((\d{4}-\d\d-\d\dT[\d:.]+Z)\)/.exec(warning.message)![1]!;
    assert.equal(Date.parse(iso), wipeAt - 1);
    const then = await run([
      'doRestoreOnNewAccount',
      wiped,
      name,
      `maildir:${path.join(tmp, 'wiped-out')}`,
      iso,
      '--dry-run',
    ]);
    assert.ok(then.json.wouldWrite!.messages.length >= deleted);
    assert.equal(existsSync(path.join(tmp, 'wiped-out')), false, 'a dry run writes nothing');
  });
});
