/** Connecting to a real Dovecot: every way a connection fails is a finding with its own code, never the password. */
import { strict as assert } from 'node:assert';
import { connectImap, parseImapUrl, redactUrl, type ImapEndpoint } from '../../src/engine/imap';
import { freePort, startDovecot, type DovecotServer } from '../support/dovecot';

describe('engine/imap: endpoints and connection failures', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  before(async () => (server = await startDovecot({ users: { alice: 'secret-pw' } })));
  after(async () => server?.dispose());

  const endpoint = (security: ImapEndpoint['security'] = 'none', port = server.port): ImapEndpoint => ({
    host: '127.0.0.1',
    port,
    security,
    insecure: false,
  });

  it('parses imap:// URLs and refuses a password in them', () => {
    const p = parseImapUrl('imap://bob%40ex.org@mail.example:1143');
    assert.ok(p.ok);
    assert.deepEqual(p.value, {
      host: 'mail.example',
      port: 1143,
      security: 'none',
      insecure: false,
      login: 'bob@ex.org',
    });
    const tls = parseImapUrl('imap://mail.example', 'tls');
    assert.ok(tls.ok && tls.value.port === 993);
    const withPw = parseImapUrl('imap://bob:hunter2@mail.example:143');
    assert.equal(withPw.ok, false);
    if (!withPw.ok) {
      assert.equal(withPw.finding.code, 'usage.bad-argument');
      assert.doesNotMatch(withPw.finding.message, /hunter2/);
    }
    assert.equal(redactUrl('imap://bob:hunter2@h:1'), 'imap://bob:***@h:1');
    assert.equal(parseImapUrl('http://h:1').ok, false);
  });

  it('logs in, and names a refused login, a closed port and a failed TLS handshake by code', async () => {
    const ok = await connectImap(endpoint(), { login: 'alice', password: 'secret-pw' });
    assert.ok(ok.ok);
    await ok.client.logout();

    const bad = await connectImap(endpoint(), { login: 'alice', password: 'wrong-pw' });
    assert.equal(bad.ok, false);
    if (!bad.ok) {
      assert.equal(bad.finding.code, 'imap.auth-failed');
      assert.doesNotMatch(bad.finding.message, /wrong-pw/);
    }

    const closed = await connectImap(endpoint('none', await freePort()), { login: 'alice', password: 'secret-pw' });
    assert.equal(closed.ok, false);
    if (!closed.ok) assert.equal(closed.finding.code, 'imap.unreachable');

    const tls = await connectImap(endpoint('tls'), { login: 'alice', password: 'secret-pw' }, { timeoutMs: 3000 });
    assert.equal(tls.ok, false);
    if (!tls.ok) assert.equal(tls.finding.code, 'imap.tls-failed', tls.finding.message);

    const starttls = await connectImap(
      endpoint('starttls'),
      { login: 'alice', password: 'secret-pw' },
      { timeoutMs: 3000 },
    );
    assert.equal(starttls.ok, false, 'a server without STARTTLS is refused, the password is not sent in clear');
    if (!starttls.ok) assert.equal(starttls.finding.code, 'imap.tls-failed', starttls.finding.message);
  });
});
