/** The scan commands' inputs, confirmation and summary (src/extension/model/scan.ts), and its scan entry against a real Dovecot. */
import { strict as assert } from 'node:assert';
import { existsSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { isFailure, scanAccountId } from '../../src/engine';
import {
  accountLines,
  domainProblem,
  endpointOfSource,
  needsDomain,
  parseLogins,
  refusedLogins,
  runExtensionScan,
  scanConfirmation,
  scanMarkdown,
  scanRequests,
  scanSummary,
  secretKey,
  sourceUrlProblem,
} from '../../src/extension/model/scan';
import { startDovecot, type DovecotServer } from '../support/dovecot';
import { checkProblems, imap, sampleMessages, tempBackup } from '../scan/support';

describe('extension model: scans', function () {
  this.timeout(120_000);

  it('reads the source, the logins and the domain, and names what is wrong', () => {
    assert.equal(sourceUrlProblem('imap://mail.example.com:143'), undefined);
    assert.match(sourceUrlProblem('http://mail.example.com') ?? '', /scheme/);
    assert.match(sourceUrlProblem('imap://bob:pw@mail.example.com:143') ?? '', /password never goes in the URL/);
    const ep = endpointOfSource({ url: ' imap://Mail.Example.com:993 ', security: 'tls', insecure: true });
    assert.ok(ep.ok);
    assert.deepEqual(
      [ep.endpoint.host.toLowerCase(), ep.endpoint.port, ep.endpoint.security, ep.endpoint.insecure],
      ['mail.example.com', 993, 'tls', true],
    );
    assert.deepEqual(parseLogins(' alice, bob@ex.org;carol '), { ok: true, logins: ['alice', 'bob@ex.org', 'carol'] });
    assert.deepEqual(parseLogins('alice ALICE'), { ok: false, error: 'ALICE is listed twice.' });
    assert.equal(parseLogins(' , ').ok, false);
    assert.equal(needsDomain(['bob@ex.org']), false);
    assert.equal(needsDomain(['bob@ex.org', 'alice']), true);
    assert.equal(domainProblem('example.com'), undefined);
    assert.ok(domainProblem('not a domain'));
  });

  it('keys a password by source and login, and builds the requests only when every login has a name and a password', () => {
    assert.equal(
      secretKey({ host: 'Mail.Example.com', port: 143 }, 'Alice'),
      'zxbackup.imap/mail.example.com:143/alice',
    );
    assert.notEqual(
      secretKey({ host: 'mail.example.com', port: 993 }, 'alice'),
      secretKey({ host: 'mail.example.com', port: 143 }, 'alice'),
    );
    const pw = new Map([
      ['alice', 'a'],
      ['bob@ex.org', 'b'],
    ]);
    assert.deepEqual(scanRequests(['alice', 'bob@ex.org'], 'example.com', pw), {
      ok: true,
      accounts: [
        { login: 'alice', name: 'alice@example.com', password: 'a' },
        { login: 'bob@ex.org', name: 'bob@ex.org', password: 'b' },
      ],
    });
    assert.match((scanRequests(['alice'], undefined, pw) as { error: string }).error, /no @/);
    assert.deepEqual(scanRequests(['carol@ex.org'], undefined, pw), {
      ok: false,
      error: 'No password for carol@ex.org.',
    });
  });

  it('names the backup path in the confirmation, and says when the scan initialises it', () => {
    const accounts = [{ name: 'alice@example.com' }];
    const c = scanConfirmation('smart', '/srv/backup', 'imap://h:143', accounts, true);
    assert.match(c, /into the backup path \/srv\/backup\?/);
    assert.match(c, /initialises it/);
    assert.doesNotMatch(scanConfirmation('smart', '/srv/backup', 'imap://h:143', accounts, false), /initialises/);
    assert.match(scanConfirmation('realtime', '/srv/backup', 'imap://h:143', accounts, false), /until stopped/);
  });

  describe('against a real Dovecot', () => {
    let server: DovecotServer;
    let root: string;
    before(async () => {
      server = await startDovecot({ users: { alice: 'alice-pw', bob: 'bob-pw' } });
      const c = await imap(server, 'alice', 'alice-pw');
      for (const m of sampleMessages(5)) await c.append('INBOX', m, ['\\Seen']);
      await c.logout();
      root = path.join(tempBackup(), 'new-backup');
    });
    after(async () => {
      await server?.dispose();
      if (root) rmSync(path.dirname(root), { recursive: true, force: true });
    });

    it('scans into a new backup path, summarises per account, and names a refused login', async () => {
      const ep = endpointOfSource({ url: server.url, security: 'none', insecure: false });
      assert.ok(ep.ok);
      const req = scanRequests(
        ['alice', 'bob'],
        'example.test',
        new Map([
          ['alice', 'alice-pw'],
          ['bob', 'wrong-pw'],
        ]),
      );
      assert.ok(req.ok);
      const events: string[] = [];
      const r = await runExtensionScan({
        kind: 'smart',
        root,
        endpoint: ep.endpoint,
        accounts: req.accounts,
        signal: new AbortController().signal,
        progress: (e) => events.push(e.phase),
      });
      assert.equal(r.interrupted, false);
      const alice = r.accounts.find((a) => a.login === 'alice')!;
      assert.ok(!isFailure(alice));
      assert.equal(alice.new, 5);
      assert.equal(alice.zimbraId, scanAccountId(ep.endpoint, 'alice'));
      assert.ok(existsSync(path.join(root, 'accounts', alice.zimbraId, 'account_info')));
      assert.deepEqual(refusedLogins(r), ['bob']);
      assert.ok(events.length > 0);
      const lines = accountLines(r);
      assert.match(
        lines[0]!,
        /^alice@example\.test: 5 new, 0 changed, 0 moved, 0 deleted, 0 unchanged \(.+ written\)$/,
      );
      assert.match(lines[1]!, /^bob@example\.test: failed: .*login refused/);
      assert.match(scanSummary(r), /^1 account scanned, 1 failed: 5 new, 0 changed, 0 moved, 0 deleted/);
      const md = scanMarkdown('smart', r);
      assert.match(md, /\| alice@example\.test \| scanned \| 5 \| 0 \| 0 \| 0 \| 0 \|/);
      assert.doesNotMatch(md, /alice-pw|wrong-pw/);
      assert.deepEqual(await checkProblems(root), []);

      // A second scan of one account (Run Account Scan…) finds nothing new.
      const again = await runExtensionScan({
        kind: 'account',
        root,
        endpoint: ep.endpoint,
        accounts: [req.accounts[0]!],
        signal: new AbortController().signal,
      });
      assert.match(scanSummary(again), /^1 account scanned: 0 new, 0 changed, 0 moved, 0 deleted/);
    });

    it('runs a Real Time Scan that reports each recorded change and ends, not interrupted, when stopped', async () => {
      const ep = endpointOfSource({ url: server.url, security: 'none', insecure: false });
      assert.ok(ep.ok);
      const abort = new AbortController();
      const changes: number[] = [];
      let seen: () => void = () => undefined;
      const recorded = new Promise<void>((resolve) => (seen = resolve));
      const running = runExtensionScan({
        kind: 'realtime',
        root,
        endpoint: ep.endpoint,
        accounts: [{ login: 'alice', name: 'alice@example.test', password: 'alice-pw' }],
        signal: abort.signal,
        onChange: (s) => {
          changes.push(s.new);
          seen();
        },
      });
      await new Promise((r) => setTimeout(r, 1500));
      const c = await imap(server, 'alice', 'alice-pw');
      await c.append('INBOX', sampleMessages(1, 99)[0]!, []);
      await c.logout();
      // No change recorded within 10 s: stop, and the assertions below fail.
      const timeout = setTimeout(() => {
        abort.abort();
        seen();
      }, 10_000);
      await recorded;
      clearTimeout(timeout);
      abort.abort();
      const r = await running;
      assert.equal(r.interrupted, false);
      assert.ok(changes.length >= 1 && changes.includes(1), String(changes));
      assert.match(scanSummary(r), /^1 account scanned: 1 new/);
      assert.deepEqual(await checkProblems(root), []);
    });
  });
});
