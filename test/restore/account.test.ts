/**
 * doRestoreOnNewAccount's engine: a generated sample's account restored at several moments
 * into Maildir (read on disk and by Dovecot), IMAP (a real Dovecot), mbox and eml; every
 * folder, message (SHA-256), flag, keyword and internal date compared with the backup.
 */
import { strict as assert } from 'node:assert';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
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
  type EmlIndex,
  type ItemHistory,
  type PointSpec,
} from '../../src/engine';
import { makeSample, type SampleResult } from '../../src/engine/sample';
import { startDovecot, type DovecotServer } from '../support/dovecot';
import {
  AUTO_FOLDERS,
  count,
  expectedMailbox,
  dovecotFolders,
  importMaildir,
  nonEmpty,
  maildirDirToFolder,
  readImap,
  readMaildir,
  sha,
  withEmpty,
  type MailboxView,
} from './helpers';

describe('restore: an account at a moment, into Maildir, IMAP, mbox and eml', function () {
  this.timeout(120_000);
  let tmp: string;
  let sample: SampleResult;
  let backup: BackupPath;
  let account: AccountSummary;
  let items: ItemHistory[];
  let server: DovecotServer;
  let moments: PointSpec[];

  before(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'zxb-restore-'));
    // The restored Maildirs are read by Dovecot's mail processes (nobody).
    chmodSync(tmp, 0o755);
    sample = await makeSample(path.join(tmp, 'backup'), { accounts: 3, itemsPerAccount: 150 });
    backup = await BackupPath.open(path.join(tmp, 'backup'));
    account = await backup.requireAccount(sample.accounts[0]!.name);
    items = (await backup.readAllItems(account.zimbraId)).items;
    const span = sample.endDate - sample.startDate;
    moments = [0.35, 0.7].map((f) => ({ kind: 'instant', at: Math.floor(sample.startDate + f * span) }) as PointSpec);
    moments.push({ kind: 'last' });
    server = await startDovecot();
  });
  after(async () => {
    await server?.dispose();
    rmSync(tmp, { recursive: true, force: true });
  });

  const ref = (): { zimbraId: string; name: string } => ({ zimbraId: account.zimbraId, name: account.name });
  const cacheDir = (): string => path.join(tmp, 'cache');

  async function restoreTo(
    destination: Parameters<typeof runRestore>[0]['destination'],
    when: PointSpec,
    imapLogin?: string,
  ) {
    const plan = planAccountRestore(ref(), items, when);
    const job: Parameters<typeof runRestore>[0] = {
      backup,
      plan,
      destination,
      identity: { at: when },
      cacheDir: cacheDir(),
    };
    if (imapLogin)
      job.imap = {
        endpoint: { host: server.host, port: server.port, security: 'none', insecure: false },
        credentials: { login: imapLogin, password: 'test' },
      };
    const out = await runRestore(job);
    return { plan, report: out.report };
  }

  it('Maildir at three moments: the same folders, bytes, flags, keywords and dates as the backup, on disk and read by Dovecot', async () => {
    let n = 0;
    for (const when of moments) {
      n++;
      const expected = expectedMailbox(backup.root, items, when);
      assert.ok(count(expected) > 5, `moment ${n} has messages (${count(expected)})`);
      const dir = path.join(tmp, `maildir-${n}`);
      const { report } = await restoreTo({ kind: 'maildir', path: dir }, when);
      assert.equal(report.restored, count(expected));
      assert.deepEqual(report.unrestored, []);
      assert.deepEqual(readMaildir(dir, maildirDirToFolder), expected, `on disk, moment ${n}`);

      // Dovecot reads the Maildir++ tree itself (doveadm import) and serves it over IMAP.
      const login = `t-md${n}`;
      // (doveadm import copies messages, so it creates no empty folder: those are listed by Dovecot on the tree itself.)
      await importMaildir(server, login, dir);
      assert.deepEqual(
        await readImap(server, login),
        withEmpty(nonEmpty(expected), AUTO_FOLDERS),
        `through Dovecot, moment ${n}`,
      );
      assert.deepEqual(
        await dovecotFolders(server, `t-list${n}`, dir),
        Object.keys(withEmpty(expected, AUTO_FOLDERS)).sort(),
      );
    }
  });

  it('IMAP at three moments: CREATE and APPEND give the backup state, flags, keywords and internal dates included', async () => {
    let n = 0;
    for (const when of moments) {
      n++;
      const login = `t-imap${n}`;
      const { report } = await restoreTo({ kind: 'imap', url: server.url }, when, login);
      const expected = expectedMailbox(backup.root, items, when);
      assert.equal(report.restored, count(expected));
      assert.equal(report.failed, false, JSON.stringify(report.findings));
      assert.deepEqual(await readImap(server, login), withEmpty(expected, AUTO_FOLDERS), `moment ${n}`);
    }
  });

  it('mbox (mboxrd, one file per folder) and eml (files + index.json) hold the same', async () => {
    const when = moments[1]!;
    const expected = expectedMailbox(backup.root, items, when);

    const mbox = path.join(tmp, 'mbox');
    await restoreTo({ kind: 'mbox', path: mbox }, when);
    const fromMbox: MailboxView = {};
    for (const folder of Object.keys(expected)) {
      const file = readFileSync(path.join(mbox, mboxFile(folder.split('/'))));
      fromMbox[folder] = readMboxrd(file).map((m) => ({
        sha: sha(m.bytes),
        flags: m.flags,
        keywords: m.keywords,
        date: Math.floor(m.internalDate / 1000),
      }));
    }
    assert.deepEqual(withEmpty(fromMbox, []), expected);

    const eml = path.join(tmp, 'eml');
    const { report } = await restoreTo({ kind: 'eml', path: eml }, when);
    const index = JSON.parse(readFileSync(path.join(eml, EML_INDEX), 'utf8')) as EmlIndex;
    assert.equal(index.messages.length, report.restored);
    const fromEml: MailboxView = {};
    for (const folder of Object.keys(expected)) fromEml[folder] = [];
    for (const m of index.messages)
      fromEml[m.folder.join('/')]!.push({
        sha: sha(readFileSync(path.join(eml, m.file))),
        flags: m.flags,
        keywords: m.keywords,
        date: Math.floor(Date.parse(m.internalDate) / 1000),
      });
    assert.deepEqual(withEmpty(fromEml, []), expected);
    // Every folder of the tree exists as a directory, empty ones too.
    for (const folder of Object.keys(expected)) assert.ok(readdirSync(path.join(eml, ...folder.split('/'))));
  });
});
