/**
 * The round trip: a real Dovecot mailbox scanned at three moments with changes in between,
 * then the backup restored as it was at each moment (Maildir and a fresh IMAP user) must
 * give back the mailbox as Dovecot showed it then: folders, bytes, flags, keywords, dates.
 */
import { strict as assert } from 'node:assert';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ImapFlow } from 'imapflow';
import {
  BackupPath,
  planAccountRestore,
  runRestore,
  runScan,
  type ImapEndpoint,
  type ItemHistory,
  type PointSpec,
} from '../../src/engine';
import { realWorldMessages, startDovecot, type DovecotServer } from '../support/dovecot';
import { imap, sampleMessages } from '../scan/support';
import { count, maildirDirToFolder, readImap, readMaildir, type MailboxView } from './helpers';

const LOGIN = 't-round';
const NAME = `${LOGIN}@example.test`;

describe('restore: round trip of a scanned Dovecot mailbox at three moments', function () {
  this.timeout(120_000);
  let server: DovecotServer;
  let tmp: string;
  before(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'zxb-roundtrip-'));
    chmodSync(tmp, 0o755);
    server = await startDovecot();
  });
  after(async () => {
    await server?.dispose();
    rmSync(tmp, { recursive: true, force: true });
  });

  const endpoint = (): ImapEndpoint => ({ host: server.host, port: server.port, security: 'none', insecure: false });

  /** Distinct internal dates, so that a restore that lost them (and took "now") cannot pass. */
  let nextDate = Date.UTC(2023, 4, 1, 9, 30, 17);
  const idate = (): Date => new Date((nextDate += 3_600_000 + 7_000));

  async function inFolder(c: ImapFlow, folder: string, work: () => Promise<unknown>): Promise<void> {
    const lock = await c.getMailboxLock(folder);
    try {
      await work();
    } finally {
      lock.release();
    }
  }

  /** Scans, then reads the mailbox back from Dovecot (nothing changes it in between). */
  async function scanAndRecord(root: string): Promise<{ began: number; at: number; state: MailboxView }> {
    const began = Date.now();
    const report = await runScan({
      root,
      endpoint: endpoint(),
      accounts: [{ login: LOGIN, name: NAME, password: 'test' }],
      command: 'doSmartScan',
    });
    const a = report.accounts[0]!;
    assert.ok(!('error' in a), JSON.stringify(a));
    // A scan stamps its transactions with its start (or just after an item's previous start),
    // so every state it found is valid from then until the next scan starts: right after it
    // finished is a moment that shows exactly this scan's view, and just before it began
    // shows the previous scan's.
    const at = Date.now();
    return { began, at, state: await readImap(server, LOGIN) };
  }

  it('Maildir and IMAP restores at each scan equal the mailbox as Dovecot showed it then', async () => {
    const real = realWorldMessages();
    const sample = sampleMessages(10);
    const root = path.join(tmp, 'backup');
    const c = await imap(server, LOGIN);

    // --- moment 1: INBOX, Sent and two folders of real and generated mail
    for (const m of real.slice(0, 12)) await c.append('INBOX', m.bytes, ['\\Seen'], idate());
    await c.mailboxCreate('Projects');
    await c.mailboxCreate('Projects/Alpha');
    for (const m of sample.slice(0, 4)) await c.append('Projects', m, ['$Label1'], idate());
    for (const m of sample.slice(4, 6)) await c.append('Projects/Alpha', m, ['\\Answered', 'project_x'], idate());
    for (const m of real.slice(12, 14)) await c.append('Sent', m.bytes, ['\\Seen'], idate());
    const moments = [await scanAndRecord(root)];

    // --- moment 2: flags, keywords, a move, an expunge, a folder rename, new mail
    await c.mailboxCreate('Archive');
    await inFolder(c, 'INBOX', async () => {
      await c.messageFlagsRemove('1', ['\\Seen'], { uid: true });
      await c.messageFlagsAdd('2', ['\\Flagged', '\\Answered'], { uid: true });
      await c.messageFlagsAdd('3', ['custom_kw', '$Label2'], { uid: true });
      await c.messageMove('4', 'Projects', { uid: true });
      await c.messageMove('5', 'Archive', { uid: true });
      await c.messageDelete('6', { uid: true });
    });
    await inFolder(c, 'Projects', () => c.messageFlagsRemove('1', ['$Label1'], { uid: true }));
    await c.mailboxRename('Projects', 'Work');
    for (const m of real.slice(14, 18)) await c.append('INBOX', m.bytes, [], idate());
    for (const m of sample.slice(6, 8)) await c.append('Work/Alpha', m, ['\\Draft'], idate());
    moments.push(await scanAndRecord(root));

    // --- moment 3: more of each, a copy, a folder moved under another and one deleted
    await inFolder(c, 'INBOX', async () => {
      await c.messageFlagsAdd('1', ['\\Seen'], { uid: true });
      await c.messageFlagsRemove('3', ['custom_kw'], { uid: true });
      await c.messageCopy('7', 'Archive', { uid: true });
      await c.messageDelete('8', { uid: true });
    });
    await inFolder(c, 'Work', () => c.messageMove('1:2', 'INBOX', { uid: true }));
    await c.mailboxRename('Work/Alpha', 'Archive/Alpha 2024');
    await c.mailboxCreate('Temp');
    await inFolder(c, 'Archive', () => c.messageMove('1', 'Temp', { uid: true }));
    await c.mailboxDelete('Temp');
    for (const m of sample.slice(8, 10)) await c.append('Archive', m, ['\\Seen', 'later'], idate());
    for (const m of real.slice(18, 20)) await c.append('Trash', m.bytes, ['\\Seen', '\\Deleted'], idate());
    await c.logout();
    moments.push(await scanAndRecord(root));

    // The three states differ, or the test would prove less than it claims.
    const key = (v: MailboxView) => JSON.stringify(v);
    assert.equal(new Set(moments.map((m) => key(m.state))).size, 3);
    assert.ok(moments.every((m) => count(m.state) >= 14));

    const backup = await BackupPath.open(root);
    const account = await backup.requireAccount(NAME);
    const items: ItemHistory[] = (await backup.readAllItems(account.zimbraId)).items;
    const ref = { zimbraId: account.zimbraId, name: account.name };
    const restore = async (
      at: number,
      destination: Parameters<typeof runRestore>[0]['destination'],
      login?: string,
    ) => {
      const when: PointSpec = { kind: 'instant', at };
      const job: Parameters<typeof runRestore>[0] = {
        backup,
        plan: planAccountRestore(ref, items, when),
        destination,
        identity: { at: when },
        cacheDir: path.join(tmp, 'cache'),
      };
      if (login) job.imap = { endpoint: endpoint(), credentials: { login, password: 'test' } };
      return (await runRestore(job)).report;
    };

    let n = 0;
    for (const { began, at, state } of moments) {
      n++;
      const dir = path.join(tmp, `maildir-${n}`);
      const md = await restore(at, { kind: 'maildir', path: dir });
      assert.deepEqual(md.unrestored, [], `moment ${n}`);
      assert.equal(md.restored, count(state), `moment ${n}`);
      // \Recent is a session flag (RFC 3501: set for the first session to see a message),
      // neither stored by a scan nor settable by an APPEND; readImap leaves it out.
      assert.deepEqual(readMaildir(dir, maildirDirToFolder), state, `Maildir, moment ${n}`);

      const im = await restore(at, { kind: 'imap', url: server.url }, `t-round-back${n}`);
      assert.equal(im.failed, false, JSON.stringify(im.findings));
      assert.deepEqual(await readImap(server, `t-round-back${n}`), state, `IMAP, moment ${n}`);

      // The scan's changes start at its own instant, not before: just before it began the
      // backup still shows the previous scan's mailbox.
      if (n > 1) {
        const before = path.join(tmp, `maildir-before-${n}`);
        await restore(began - 1, { kind: 'maildir', path: before });
        assert.deepEqual(readMaildir(before, maildirDirToFolder), moments[n - 2]!.state, `just before scan ${n}`);
      }
    }
  });
});
