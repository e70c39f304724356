/**
 * The scan commands as a user runs them (the built CLI) against a real Dovecot: the JSON
 * documented in docs/cli.md, connection failures (exit 2, a clear message, never the
 * password), two scans at once, and the Real Time Scan ended by Ctrl-C.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { collect, ensureBuilt, PROJECT, startZxb } from '../cli/run';
import { shapeDiff } from '../cli/shapeDiff';
import { freePort, realWorldMessages, startDovecot, type DovecotServer } from '../support/dovecot';
import { imap, scanCommandArgs, tempBackup } from './support';

const PASSWORD = 'pw-Secret-42';

describe('scan: the zxb scan commands', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  let root: string;
  before(async () => {
    await ensureBuilt();
    server = await startDovecot({ users: { alice: PASSWORD } });
    const c = await imap(server, 'alice', PASSWORD);
    for (const m of realWorldMessages().slice(0, 8)) await c.append('INBOX', m.bytes, ['\\Seen']);
    await c.logout();
    root = tempBackup();
  });
  after(async () => server?.dispose());

  const scanArgs = (command: 'doSmartScan' | 'doRealtimeScan', ...more: string[]) =>
    scanCommandArgs(command, { root, url: server.url, accounts: ['alice'], domain: 'example.test' }, ...more);
  const run = (args: string[], password = PASSWORD) => collect(startZxb(args, { ZXB_IMAP_PASSWORD: password }));

  it('doSmartScan start --json prints the documented shape; doAccountScan by zimbraId', async () => {
    const r = await run(scanArgs('doSmartScan', '--json'));
    assert.equal(r.code, 0, r.stderr);
    const real = JSON.parse(r.stdout) as { accounts: { zimbraId: string; new: number }[] };
    assert.equal(real.accounts[0]!.new, 8);
    const doc = readFileSync(path.join(PROJECT, 'docs', 'cli.md'), 'utf8');
    const example = [...doc.matchAll(/```json\n([\s\S]*?)```/g)]
      .map((m) => JSON.parse(m[1]!) as { command: string })
      .find((j) => j.command === 'doSmartScan');
    assert.deepEqual(shapeDiff(example, real), []);
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(PASSWORD));

    const byId = await run(['doAccountScan', root, real.accounts[0]!.zimbraId, '--source', server.url, '--json']);
    assert.equal(byId.code, 0, byId.stderr);
    const again = JSON.parse(byId.stdout) as { command: string; accounts: { unchanged: number; name: string }[] };
    assert.equal(again.command, 'doAccountScan');
    assert.deepEqual([again.accounts[0]!.name, again.accounts[0]!.unchanged], ['alice@example.test', 8]);
  });

  it('a wrong password, an unreachable port, a TLS failure: exit 2 with a clear message', async () => {
    const bad = await run(scanArgs('doSmartScan'), 'not-the-password');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /as alice: login refused/);
    assert.doesNotMatch(bad.stderr + bad.stdout, /not-the-password/);

    const port = await freePort();
    const closed = await run([
      'doAccountScan',
      root,
      'alice',
      '--domain',
      'example.test',
      '--source',
      `imap://127.0.0.1:${port}`,
    ]);
    assert.equal(closed.code, 2);
    assert.match(closed.stderr, /cannot connect \(ECONNREFUSED\)/);

    const tls = await run(scanArgs('doSmartScan', '--tls'));
    assert.equal(tls.code, 2);
    assert.match(tls.stderr, /TLS failed/);

    const inUrl = await run([
      'doAccountScan',
      root,
      'alice',
      '--source',
      `imap://alice:${PASSWORD}@127.0.0.1:${server.port}`,
    ]);
    assert.equal(inUrl.code, 2);
    assert.match(inUrl.stderr, /a password never goes in the URL/);
    assert.doesNotMatch(inUrl.stderr, new RegExp(PASSWORD));
  });

  it('doRealtimeScan runs until Ctrl-C (exit 0), and a SmartScan meanwhile refuses', async () => {
    const child = startZxb(scanArgs('doRealtimeScan', '--json'), { ZXB_IMAP_PASSWORD: PASSWORD });
    const done = collect(child);
    // The lock appears when it starts watching.
    for (let i = 0; i < 100; i++) {
      try {
        readFileSync(path.join(root, '.zxb-lock'));
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const second = await run(scanArgs('doSmartScan'));
    assert.equal(second.code, 2, second.stderr);
    assert.match(second.stderr, /in use by doRealtimeScan \(pid \d+ /);
    const c = await imap(server, 'alice', PASSWORD);
    await c.append('INBOX', realWorldMessages()[9]!.bytes, []);
    await c.logout();
    await new Promise((r) => setTimeout(r, 2000));
    child.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { command: string; accounts: { new: number }[]; interrupted: boolean };
    assert.deepEqual([json.command, json.accounts[0]!.new, json.interrupted], ['doRealtimeScan', 1, false]);
  });
});
