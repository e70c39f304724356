/**
 * The Real Time Scan against a real Dovecot: a change on the server is in the backup within
 * 2 s; after the server restarts it reconnects and catches up, nothing lost or written twice.
 */
import { strict as assert } from 'node:assert';
import { computeDigest, runRealtimeScan, runScan, scanAccountId, type ImapEndpoint } from '../../src/engine';
import { realWorldMessages, startDovecot, type DovecotServer } from '../support/dovecot';
import { checkProblems, imap, itemHistories, messagesOf, tempBackup } from './support';

const FLAGGED = 32;

async function until<T>(what: string, ms: number, probe: () => T | undefined): Promise<{ value: T; after: number }> {
  const t0 = Date.now();
  for (;;) {
    const v = probe();
    if (v !== undefined) return { value: v, after: Date.now() - t0 };
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('scan: the Real Time Scan', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  before(async () => (server = await startDovecot()));
  after(async () => server?.dispose());
  const endpoint = (): ImapEndpoint => ({ host: server.host, port: server.port, security: 'none', insecure: false });

  it('records a change within 2 s and catches up after a restarted server', async () => {
    const login = 't-rt';
    const real = realWorldMessages();
    let c = await imap(server, login);
    for (const m of real.slice(0, 10)) await c.append('INBOX', m.bytes, ['\\Seen']);
    const root = tempBackup();
    const accounts = [{ login, name: `${login}@ex.test`, password: 'test' }];
    await runScan({ root, endpoint: endpoint(), accounts, command: 'doSmartScan' });
    const zid = scanAccountId(endpoint(), login);
    const item = (d: string) => messagesOf(itemHistories(root, zid)).find(([, t]) => t[0]!.digest === d)?.[1];

    const stop = new AbortController();
    const disconnects: string[] = [];
    const running = runRealtimeScan({
      root,
      endpoint: endpoint(),
      accounts,
      signal: stop.signal,
      onDisconnect: (f) => disconnects.push(f.code),
    });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const lock = await c.getMailboxLock('INBOX');
      try {
        await c.messageFlagsAdd('1', ['\\Flagged'], { uid: true });
      } finally {
        lock.release();
      }
      const flagged = await until('the flag change', 2000, () => {
        const t = item(computeDigest(real[0]!.bytes));
        return t && t.length === 2 ? t : undefined;
      });
      assert.equal(flagged.value[1]!.flags! & FLAGGED, FLAGGED);
      assert.ok(flagged.after < 2000, `recorded after ${flagged.after} ms`);
      await c.append('INBOX', real[10]!.bytes, []);
      await until('the new message', 2000, () => item(computeDigest(real[10]!.bytes)));
      await c.logout();

      // The server drops the sessions (a restart keeps running ones alive in Dovecot), then restarts.
      await server.doveadm(['kick', login]);
      await server.stop();
      await new Promise((r) => setTimeout(r, 1200));
      await server.start();
      c = await imap(server, login);
      await c.append('INBOX', real[11]!.bytes, []);
      const lock2 = await c.getMailboxLock('INBOX');
      try {
        await c.messageDelete('2', { uid: true });
      } finally {
        lock2.release();
      }
      await c.logout();
      const caught = await until('the catch-up after the restart', 15_000, () => {
        const gone = item(computeDigest(real[1]!.bytes));
        return item(computeDigest(real[11]!.bytes)) && gone?.length === 2 ? gone : undefined;
      });
      assert.equal(caught.value[1]!.deleted, true);
      assert.ok(disconnects.length >= 1, 'the lost connection was reported');
    } finally {
      stop.abort();
    }
    const report = await running;
    const a = report.accounts[0]!;
    assert.ok(!('error' in a));
    assert.deepEqual([a.new, a.changed, a.deleted], [2, 1, 1], 'each change once');
    const live = messagesOf(itemHistories(root, zid)).filter(([, t]) => !t[t.length - 1]!.deleted);
    assert.equal(live.length, 11, 'nothing duplicated');
    assert.deepEqual(await checkProblems(root), []);
  });
});
