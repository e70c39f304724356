/**
 * kill -9 of `zxb doSmartScan` at 20 moments spread over its run, with the mailbox changing
 * between runs: after each kill the check finds no error; after a last full scan nothing
 * is lost, nothing is duplicated, and the backup says exactly what the server holds.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { computeDigest, runScan, scanAccountId, type ImapEndpoint } from '../../src/engine';
import { acquireBackupLock } from '../../src/engine/format';
import { collect, ensureBuilt, startZxb } from '../cli/run';
import { realWorldMessages, startDovecot, type DovecotServer } from '../support/dovecot';
import { marksOf } from '../../src/engine/scan/flags';
import { checkProblems, imap, itemHistories, messagesOf, sampleMessages, scanCommandArgs, tempBackup } from './support';

/** A small deterministic generator, so a failing moment can be replayed. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('scan: crash safety and the lock', function () {
  this.timeout(120_000);
  let server: DovecotServer;
  before(async () => {
    await ensureBuilt();
    server = await startDovecot();
  });
  after(async () => server?.dispose());
  const endpoint = (): ImapEndpoint => ({ host: server.host, port: server.port, security: 'none', insecure: false });

  it('kill -9 at 20 moments, then a scan: nothing lost, nothing duplicated, no error', async () => {
    const login = 't-crash';
    const c = await imap(server, login);
    const real = realWorldMessages();
    const sample = sampleMessages(40, 11);
    for (const m of real.slice(0, 25)) await c.append('INBOX', m.bytes, ['\\Seen']);
    await c.mailboxCreate('Work');
    for (const m of sample.slice(0, 15)) await c.append('Work', m, ['$Label1']);
    const root = tempBackup();
    const args = scanCommandArgs('doSmartScan', {
      root,
      url: server.url,
      accounts: [`${login} test`],
      domain: 'ex.test',
    });

    // How long a whole first scan takes, to spread the kills over it (a probe in another path).
    const probe = tempBackup();
    const t0 = Date.now();
    const full = await collect(startZxb(args.map((a) => (a === root ? probe : a))));
    assert.equal(full.code, 0, full.stderr);
    const span = Date.now() - t0;
    const tk = Date.now();

    const rnd = lcg(20261203);
    let extra = 15;
    for (let k = 0; k < 20; k++) {
      // The mailbox changes between some runs, so kills also hit incremental scans.
      if (k % 4 === 3) {
        const lock = await c.getMailboxLock('INBOX');
        try {
          await c.messageFlagsAdd(`${k + 1}`, ['\\Flagged'], { uid: true });
          await c.messageMove(`${k + 2}`, 'Work', { uid: true });
          await c.messageDelete(`${k + 3}`, { uid: true });
        } finally {
          lock.release();
        }
        if (extra < sample.length) await c.append('INBOX', sample[extra++]!, []);
      }
      const child = startZxb(args);
      const done = collect(child);
      const delay = Math.floor(rnd() * span);
      const timer = setTimeout(() => child.kill('SIGKILL'), delay);
      const r = await done;
      clearTimeout(timer);
      assert.ok(r.signal === 'SIGKILL' || r.code === 0, `run ${k}: ${r.code} ${r.stderr}`);
      // Killed before it wrote anything: an empty folder, not a backup path yet.
      if (!existsSync(path.join(root, 'accounts'))) continue;
      const errors = (await checkProblems(root)).filter((f) => f.severity === 'error');
      assert.deepEqual(errors, [], `after the kill ${k} at ${delay} ms`);
    }
    await c.logout();
    console.log(`      (a whole first scan: ${span} ms; 20 killed runs and checks: ${Date.now() - tk} ms)`);

    const last = await runScan({
      root,
      endpoint: endpoint(),
      accounts: [{ login, name: `${login}@ex.test`, password: 'test' }],
      command: 'doSmartScan',
    });
    assert.ok(!('error' in last.accounts[0]!));
    assert.deepEqual(await checkProblems(root), [], 'no error and no warning after the scan that finishes the work');

    // The backup's live messages are exactly the server's: same content, flags and tags, once each.
    const server2 = await imap(server, login);
    const want: string[] = [];
    for (const path of ['INBOX', 'Work']) {
      const lock = await server2.getMailboxLock(path);
      try {
        for await (const m of server2.fetch('1:*', { uid: true, flags: true, source: true })) {
          const marks = marksOf(m.flags ?? []);
          want.push(`${path === 'INBOX' ? 2 : 'W'} ${computeDigest(m.source!)} ${marks.flags} ${marks.tags.join(',')}`);
        }
      } finally {
        lock.release();
      }
    }
    await server2.logout();
    const h = itemHistories(root, scanAccountId(endpoint(), login));
    const got = messagesOf(h)
      .map(([, t]) => t[t.length - 1]!)
      .filter((t) => !t.deleted)
      .map((t) => `${t.folderId === 2 ? 2 : 'W'} ${t.digest} ${t.flags} ${(t.tags ?? []).join(',')}`);
    assert.deepEqual(got.sort(), want.sort());
  });

  it('a second writer refuses while one holds the lock: another scan, a fix', async () => {
    const root = tempBackup();
    const args = scanCommandArgs('doSmartScan', {
      root,
      url: server.url,
      accounts: ['t-lock test'],
      domain: 'x.test',
    });
    assert.equal((await collect(startZxb(args))).code, 0);
    // Something for --fix-backup to move: an item file that is not JSON.
    const bucket = path.join(root, 'accounts', scanAccountId(endpoint(), 't-lock'), 'items', '99');
    mkdirSync(bucket, { recursive: true });
    writeFileSync(path.join(bucket, '999'), '[{');
    const held = acquireBackupLock(root, 'doRealtimeScan');
    assert.ok(held.ok);
    try {
      const scan = await collect(startZxb(args));
      assert.equal(scan.code, 2, scan.stderr);
      assert.match(scan.stderr, new RegExp(`in use by doRealtimeScan \\(pid ${process.pid} `));
      const fix = await collect(startZxb(['doCoherencyCheck', root, '--fix-backup']));
      assert.equal(fix.code, 2, fix.stderr);
      assert.match(fix.stderr, /in use by doRealtimeScan/);
    } finally {
      held.lock.release();
    }
    const fixed = await collect(startZxb(['doCoherencyCheck', root, '--fix-backup']));
    assert.equal(fixed.code, 1, 'the damage is reported and, the lock free, quarantined');
    assert.match(fixed.stdout, /quarantine: 1 moved/);
  });
});
