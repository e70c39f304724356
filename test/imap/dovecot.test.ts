/** The Dovecot fixture itself: a real server starts, takes APPENDs, returns the same bytes, restarts, stops. */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { realWorldMessages, startDovecot, type DovecotServer } from '../support/dovecot';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('test/support/dovecot: a real Dovecot per test', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  before(async () => {
    server = await startDovecot({ users: { alice: 'alicepw' } });
  });
  after(async () => server?.dispose());

  const connect = (user: string, pass: string): ImapFlow =>
    new ImapFlow({ host: server.host, port: server.port, secure: false, auth: { user, pass }, logger: false });

  it('stores real-world messages byte for byte and survives a restart', async () => {
    const messages = realWorldMessages();
    assert.ok(messages.length >= 40, `corpus has ${messages.length} messages`);
    const client = connect('alice', 'alicepw');
    await client.connect();
    for (const m of messages) await client.append('INBOX', m.bytes, ['\\Seen'], new Date('2020-01-02T03:04:05Z'));
    await client.logout();

    await server.stop();
    await server.start();

    const again = connect('alice', 'alicepw');
    await again.connect();
    const lock = await again.getMailboxLock('INBOX');
    const got: string[] = [];
    try {
      for await (const msg of again.fetch('1:*', { source: true, internalDate: true })) {
        got.push(sha(msg.source!));
        assert.equal(new Date(msg.internalDate!).toISOString(), '2020-01-02T03:04:05.000Z');
      }
    } finally {
      lock.release();
    }
    await again.logout();
    assert.deepEqual(
      got,
      messages.map((m) => sha(m.bytes)),
    );
  });

  it('refuses a wrong password and serves fresh t-* users', async () => {
    await assert.rejects(connect('alice', 'nope').connect());
    const fresh = connect('t-fixture', 'test');
    await fresh.connect();
    const status = await fresh.status('INBOX', { messages: true });
    assert.ok(status, 'STATUS answered');
    assert.equal(status.messages, 0);
    await fresh.logout();
    assert.match(await server.doveadm(['mailbox', 'list', '-u', 't-fixture']), /INBOX/);
  });
});
