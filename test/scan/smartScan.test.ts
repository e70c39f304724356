/**
 * SmartScan against a real Dovecot: a first scan, then every kind of change on the server
 * and a second scan; the item histories must say exactly what happened, once, at the time
 * of the scan, and a scan that finds nothing new writes nothing.
 */
import { strict as assert } from 'node:assert';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { computeDigest, runScan, scanAccountId, type ImapEndpoint, type ScanReport } from '../../src/engine';
import { realWorldMessages, startDovecot, type DovecotServer } from '../support/dovecot';
import { checkProblems, imap, itemHistories, messagesOf, sampleMessages, tempBackup, treeDigest } from './support';

const UNREAD = 512;
const FLAGGED = 32;

describe('scan: SmartScan over IMAP, first and incremental', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  before(async () => (server = await startDovecot()));
  after(async () => server?.dispose());

  const endpoint = (): ImapEndpoint => ({ host: server.host, port: server.port, security: 'none', insecure: false });
  const scan = (root: string, login: string): Promise<ScanReport> =>
    runScan({
      root,
      endpoint: endpoint(),
      accounts: [{ login, name: `${login}@example.test`, password: 'test' }],
      command: 'doSmartScan',
    });
  const summary = (r: ScanReport) => {
    const a = r.accounts[0]!;
    assert.ok(!('error' in a), JSON.stringify(a));
    return a as Exclude<typeof a, { error: unknown }>;
  };

  it('records flags, keywords, moves, copies, expunges, folder renames/moves/deletes, new mail and a UIDVALIDITY reset, once each', async () => {
    const login = 't-full';
    const real = realWorldMessages();
    const sample = sampleMessages(12);
    const c = await imap(server, login);
    for (const m of real.slice(0, 20)) await c.append('INBOX', m.bytes, ['\\Seen']);
    for (const name of ['Projects', 'Old', 'Temp']) await c.mailboxCreate(name);
    for (const m of sample.slice(0, 4)) await c.append('Projects', m, ['$Label1']);
    for (const m of sample.slice(4, 6)) await c.append('Old', m, []);
    for (const m of sample.slice(6, 8)) await c.append('Temp', m, ['\\Seen']);
    for (const m of sample.slice(8, 10)) await c.append('Sent', m, ['\\Seen']);

    const root = tempBackup();
    const first = summary(await scan(root, login));
    assert.equal(first.new, 30);
    assert.equal(first.folders.new, 8, 'INBOX, Drafts, Sent, Trash, Junk, Projects, Old, Temp');
    assert.deepEqual(await checkProblems(root), []);
    const zid = scanAccountId(endpoint(), login);
    const h1 = itemHistories(root, zid);
    assert.equal(messagesOf(h1).length, 30);
    const inbox = h1.get(2)!;
    assert.equal(inbox[0]!.name, 'Inbox');
    const folderIdOf = (h: typeof h1, name: string) =>
      [...h].find(([, t]) => t[0]!.type === 1 && t[t.length - 1]!.name === name)![0];
    const projects = folderIdOf(h1, 'Projects');
    const byDigest = (h: typeof h1, d: string) => messagesOf(h).filter(([, t]) => t[0]!.digest === d);

    // --- changes on the server
    await c.mailboxCreate('Archive');
    let lock = await c.getMailboxLock('INBOX');
    try {
      await c.messageFlagsRemove('1', ['\\Seen'], { uid: true }); // unread again
      await c.messageFlagsAdd('2', ['\\Flagged'], { uid: true });
      await c.messageFlagsAdd('3', ['custom_kw'], { uid: true }); // keyword → tag
      await c.messageMove('4', 'Projects', { uid: true });
      assert.ok(await c.messageCopy('5', 'Archive', { uid: true }));
      await c.messageDelete('6', { uid: true });
    } finally {
      lock.release();
    }
    lock = await c.getMailboxLock('Projects');
    try {
      await c.messageFlagsRemove('1', ['$Label1'], { uid: true });
    } finally {
      lock.release();
    }
    await c.mailboxRename('Projects', 'Work');
    await c.mailboxRename('Old', 'Work/Old');
    await c.mailboxDelete('Temp');
    for (const m of real.slice(20, 25)) await c.append('INBOX', m.bytes, []);
    await c.logout();
    await server.doveadm(['mailbox', 'update', '-u', login, '--uid-validity', '777', 'Sent']);

    const before = Date.now();
    const second = summary(await scan(root, login));
    const after = Date.now();
    assert.deepEqual(
      {
        new: second.new,
        changed: second.changed,
        moved: second.moved,
        deleted: second.deleted,
        unchanged: second.unchanged,
      },
      { new: 6, changed: 4, moved: 1, deleted: 3, unchanged: 30 - 4 - 1 - 3 },
      'new: 5 appended + 1 copy; changed: unread, flagged, keyword, label removed; deleted: 1 expunged + 2 in Temp',
    );
    assert.deepEqual(second.folders, { new: 1, changed: 2, deleted: 1, unchanged: 5 });
    assert.deepEqual(await checkProblems(root), []);

    const h2 = itemHistories(root, zid);
    const at = (t: { start?: number }) => assert.ok(t.start! >= before && t.start! <= after, 'at the scan');
    const two = (d: string) => {
      const [[id, txs]] = byDigest(h2, d) as [[number, typeof h2 extends Map<number, infer T> ? T : never]];
      assert.equal(txs.length, 2, `item ${id}: one transaction for one change`);
      assert.equal(txs[0]!.end, txs[1]!.start);
      at(txs[1]!);
      return txs;
    };
    const d = (i: number) => computeDigest(real[i]!.bytes);
    assert.equal(two(d(0))[1]!.flags! & UNREAD, UNREAD);
    assert.equal(two(d(1))[1]!.flags! & FLAGGED, FLAGGED);
    assert.deepEqual(two(d(2))[1]!.tags, ['custom_kw']);
    const moved = two(d(3));
    assert.deepEqual([moved[0]!.folderId, moved[1]!.folderId], [2, projects]);
    const copies = byDigest(h2, d(4));
    assert.equal(copies.length, 2, 'a copy is a new item sharing the BLOB');
    assert.ok(copies.every(([, t]) => t.length === 1));
    assert.equal(two(d(5))[1]!.deleted, true);
    assert.deepEqual(two(computeDigest(sample[0]!))[1]!.tags, []);
    for (const m of sample.slice(6, 8)) assert.equal(two(computeDigest(m))[1]!.deleted, true, 'deleted with Temp');
    for (const m of sample.slice(8, 10))
      assert.equal(byDigest(h2, computeDigest(m))[0]![1].length, 1, 'reset: same item');

    const work = h2.get(projects)!;
    assert.deepEqual(
      work.map((t) => t.name),
      ['Projects', 'Work'],
    );
    const oldId = folderIdOf(h1, 'Old');
    assert.deepEqual(
      h2.get(oldId)!.map((t) => [t.name, t.folderId]),
      [
        ['Old', 1],
        ['Old', projects],
      ],
    );
    const temp = h2.get(folderIdOf(h1, 'Temp'))!;
    assert.equal(temp.length, 2);
    assert.equal(temp[1]!.deleted, true);

    // Nothing duplicated: the live items are exactly the server's messages.
    const live = messagesOf(h2).filter(([, t]) => !t[t.length - 1]!.deleted);
    assert.equal(
      live.length,
      20 - 1 + 5 + 1 + 4 + 2 + 2,
      'INBOX 24 (one moved out), Archive 1, Work 5, Work/Old 2, Sent 2',
    );

    // --- a rescan that finds nothing new writes nothing
    const tree = treeDigest(root);
    const third = summary(await scan(root, login));
    assert.equal(third.wrote, false);
    assert.equal(third.unchanged, live.length);
    assert.deepEqual(treeDigest(root), tree);
  });

  it('--deep verifies every stored BLOB and rewrites a missing or damaged one', async () => {
    const login = 't-deep';
    const real = realWorldMessages().slice(0, 6);
    const c = await imap(server, login);
    for (const m of real) await c.append('INBOX', m.bytes, ['\\Seen']);
    await c.logout();
    const root = tempBackup();
    summary(await scan(root, login));
    const blob = (i: number) => {
      const d = computeDigest(real[i]!.bytes);
      return path.join(root, 'items', d.slice(0, 2), d);
    };
    writeFileSync(blob(0), gzipSync(Buffer.from('not the message')));
    rmSync(blob(1));
    assert.equal((await checkProblems(root)).length, 2);
    const deep = summary(
      await runScan({
        root,
        endpoint: endpoint(),
        accounts: [{ login, name: `${login}@example.test`, password: 'test' }],
        command: 'doSmartScan',
        deep: true,
      }),
    );
    assert.deepEqual([deep.verified, deep.rewritten, deep.changed, deep.new], [6, 2, 0, 0]);
    assert.deepEqual(
      deep.findings.map((f) => f.code),
      ['scan.blob-rewritten', 'scan.blob-rewritten'],
    );
    assert.deepEqual(await checkProblems(root), []);
    assert.ok(existsSync(path.join(root, '.zxb-quarantine')), 'the damaged BLOB was moved aside, not deleted');
  });
});
