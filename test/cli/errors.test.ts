/**
 * Every way a zxb command can fail, with its exit code (src/cli/errors.ts, docs/cli.md):
 * 2 for usage and I/O errors (the job could not start), 1 when what was asked about
 * is damaged, 0 when a read-only info command did its job whatever it met on the way.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { AccountInfoJson, ErrorJson, ItemJson } from '../../src/cli/shapes';
import { ALICE, BROKEN, ITEM, makeFixture, type Fixture } from './fixture';
import { readdirSync, readFileSync } from 'node:fs';
import { PROJECT, ensureBuilt, zxb, zxbJson } from './run';

const isRoot = process.getuid?.() === 0;

describe('zxb errors and exit codes', () => {
  let fx: Fixture;
  before(async () => {
    await ensureBuilt();
    fx = makeFixture();
  });
  after(() => rmSync(fx.root, { recursive: true, force: true }));

  const noStack = (stderr: string): void =>
    assert.doesNotMatch(stderr, /^\s+at .+:\d+:\d+\)?$/m, `a stack trace leaked:\n${stderr}`);

  it('unknown command: 2', async () => {
    const r = await zxb('getBakupInfo', fx.root);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command 'getBakupInfo'/);
    assert.match(r.stderr, /Did you mean getBackupInfo\?/);
  });

  it('unknown option: 2', async () => {
    const r = await zxb('getBackupInfo', fx.root, '--colour');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option '--colour'/);
  });

  it('missing argument: 2', async () => {
    const r = await zxb('getItem', fx.root, ALICE.name);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /missing required argument 'itemId'/);
  });

  it('bad date: 2, and the message names the date', async () => {
    const r = await zxb('getItem', fx.root, ALICE.name, '300', '--date', '31/02/2024 10:00:00');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--date: cannot read "31\/02\/2024 10:00:00" as a date/);
    const j = await zxbJson<ErrorJson>('getAccountInfo', fx.root, ALICE.name, '--date', 'tomorrow');
    assert.equal(j.code, 2);
    assert.equal(j.json.error.code, 'usage.bad-date');
    assert.match(j.json.error.message, /"tomorrow"/);
    const all = await zxb('getAccountInfo', fx.root, ALICE.name, '--date', 'all');
    assert.equal(all.code, 2);
    assert.match(all.stderr, /"all" is not accepted here/);
  });

  it('bad --tz: 2', async () => {
    const r = await zxb('--tz', 'Europe/Atlantis', 'getBackupInfo', fx.root);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown time zone "Europe\/Atlantis"/);
  });

  it('bad choice for --type: 2', async () => {
    const r = await zxb('doItemSearch', fx.root, ALICE.name, '--type', 'fax');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /argument 'fax' is invalid/);
  });

  it('missing path: 2, naming the path', async () => {
    const missing = path.join(fx.root, 'no-such-folder');
    const j = await zxbJson<ErrorJson>('getBackupInfo', missing);
    assert.equal(j.code, 2);
    assert.equal(j.json.command, 'getBackupInfo');
    assert.equal(j.json.error.code, 'io.not-found');
    assert.match(j.stderr, new RegExp(`${missing.replace(/[/.]/g, '\\$&')} does not exist`));
    noStack(j.stderr);
  });

  it('not a backup path: 2', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'zxb-empty-'));
    try {
      const j = await zxbJson<ErrorJson>('getAvailableAccounts', empty);
      assert.equal(j.code, 2);
      assert.equal(j.json.error.code, 'usage.not-a-backup');
      assert.match(j.stderr, /holds no accounts\/, items\/ or map_\* file/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('unknown account: 2', async () => {
    const j = await zxbJson<ErrorJson>('getAccountInfo', fx.root, 'nobody@example.com');
    assert.equal(j.code, 2);
    assert.equal(j.json.error.code, 'usage.unknown-account');
    assert.match(j.stderr, /no account "nobody@example\.com"/);
  });

  it('unknown item: 2', async () => {
    const j = await zxbJson<ErrorJson>('getItem', fx.root, ALICE.name, '9999');
    assert.equal(j.code, 2);
    assert.equal(j.json.error.code, 'usage.unknown-item');
    assert.equal(j.json.error.path, `accounts/${ALICE.id}/items/99/9999`);
    const notANumber = await zxb('getItem', fx.root, ALICE.name, '12a');
    assert.equal(notANumber.code, 2);
    assert.match(notANumber.stderr, /"12a" is not an item id/);
  });

  it('corrupted item file: 1, with the finding code in the JSON', async () => {
    const item = await zxbJson<ItemJson>('getItem', fx.root, BROKEN.name, String(ITEM.invalidJson));
    assert.equal(item.code, 1);
    assert.deepEqual(item.json.states, []);
    assert.ok(item.json.findings.length > 0);
    assert.ok(
      item.json.findings.every(
        (f) => f.code === 'item.invalid-json' && f.path === `accounts/${BROKEN.id}/items/00/500`,
      ),
    );
    assert.ok(item.json.findings[0]!.range, 'the finding points into the file');
    const account = await zxbJson<AccountInfoJson>('getAccountInfo', fx.root, BROKEN.name);
    assert.equal(account.code, 0, 'the account info was given: the damaged item is a finding, not a failure');
    assert.ok(account.json.findings.some((f) => f.code === 'item.invalid-json'));
    // The rest of the work went on: the readable items are in the snapshot.
    assert.equal(account.json.snapshot.liveItems, 2);
    const text = await zxb('getItem', fx.root, BROKEN.name, String(ITEM.invalidJson));
    assert.equal(text.code, 1);
    assert.match(text.stderr, /^error \[item\.invalid-json\] accounts\/.+\/items\/00\/500:1:\d+: invalid JSON/m);
  });

  it('a directory where an item file is expected: 1 with io.unreadable', async () => {
    const j = await zxbJson<ItemJson>('getItem', fx.root, BROKEN.name, String(ITEM.directory));
    assert.equal(j.code, 1);
    assert.deepEqual(
      j.json.findings.map((f) => [f.code, f.path]),
      [['io.unreadable', `accounts/${BROKEN.id}/items/01/501`]],
    );
    const account = await zxbJson<AccountInfoJson>('getAccountInfo', fx.root, BROKEN.name);
    assert.ok(account.json.findings.some((f) => f.code === 'io.unreadable' && f.path.endsWith('/items/01/501')));
  });

  it('a symbolic link where an item file is expected: not followed, exit 1', async () => {
    const j = await zxbJson<ItemJson>('getItem', fx.root, BROKEN.name, String(ITEM.symlink));
    assert.equal(j.code, 1, 'the item cannot be read');
    assert.deepEqual(
      j.json.findings.map((f) => f.code),
      ['io.symlink'],
    );
    assert.deepEqual(j.json.states, []);
  });

  it('an unreadable file (chmod 000): as root a read still succeeds, so the file must read normally', async () => {
    // Tests usually run as root, where chmod 000 does not block reads; the directory
    // and symbolic-link tests above cover "cannot read" then. As another user, EACCES.
    const j = await zxbJson<ItemJson>('getItem', fx.root, BROKEN.name, String(ITEM.unreadable));
    if (isRoot) {
      assert.equal(j.code, 0);
      assert.equal(j.json.states[0]?.transaction?.subject, 'Locked');
    } else {
      assert.equal(j.code, 1);
      assert.deepEqual(
        j.json.findings.map((f) => f.code),
        ['io.unreadable'],
      );
      assert.match(j.json.findings[0]!.message, /permission denied/);
    }
  });

  it('a missing BLOB: 1 with blob.missing', async () => {
    const j = await zxbJson<ItemJson>('getItem', fx.root, BROKEN.name, String(ITEM.missingBlob));
    assert.equal(j.code, 1);
    assert.equal(j.json.states[0]?.blob?.status, 'missing');
    assert.deepEqual(
      j.json.findings.map((f) => f.code),
      ['blob.missing'],
    );
    const dump = await zxb('getItem', fx.root, BROKEN.name, String(ITEM.missingBlob), '--dump-blob');
    assert.equal(dump.code, 1);
    assert.equal(dump.stdoutBytes.length, 0, 'nothing is dumped');
  });

  it('--schema-dir must exist', async () => {
    const r = await zxb('--schema-dir', path.join(fx.root, 'nope'), 'getBackupInfo', fx.root);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--schema-dir: .*nope does not exist/);
    const ok = await zxb('getBackupInfo', fx.root, '--schema-dir', path.join(__dirname, '..', '..', 'schemas'));
    assert.equal(ok.code, 0, ok.stderr);
  });

  it('help and version exit 0', async () => {
    const help = await zxb('--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /getAvailableAccounts/);
    const cmdHelp = await zxb('help', 'getItem');
    assert.equal(cmdHelp.code, 0);
    assert.match(cmdHelp.stdout, /--dump-blob/);
    assert.match(cmdHelp.stdout, /--json/);
    const version = await zxb('--version');
    assert.equal(version.code, 0);
    const pkg = JSON.parse(readFileSync(path.join(PROJECT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(version.stdout.trim(), pkg.version, "the version is package.json's");
    // …and not a second copy that happens to agree today.
    for (const file of readdirSync(path.join(PROJECT, 'src', 'cli'), { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.ts'),
    )) {
      assert.ok(
        !readFileSync(path.join(PROJECT, 'src', 'cli', file), 'utf8').includes(`'${pkg.version}'`),
        `src/cli/${file} spells out the version`,
      );
    }
  });

  it('a read-only info command that did its job exits 0, with the findings met on the way in its output, not on stderr', async () => {
    const r = await zxb('getAccountInfo', fx.root, BROKEN.name);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', 'no diagnostics on stderr');
    assert.match(r.stdout, /^Findings in the files read: \d+ errors?, /m);
    assert.match(r.stdout, /^error \[item\.invalid-json\] accounts\/.+\/items\/00\/500:1:\d+: invalid JSON/m);
    for (const cmd of [
      ['getBackupInfo', fx.root],
      ['getAvailableAccounts', fx.root],
      ['doItemSearch', fx.root, BROKEN.name],
    ]) {
      const info = await zxb(...cmd);
      assert.equal(info.code, 0, `${cmd[0]}: ${info.stderr}`);
      assert.equal(info.stderr, '', cmd[0]);
    }
  });

  it('an unquoted date and time: a usage error with a hint to quote it', async () => {
    const r = await zxb('getAccountInfo', fx.root, ALICE.name, '--date', '01/02/2024', '10:00:00');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /too many arguments/);
    assert.match(r.stderr, /hint: a date with a time is one argument: quote it, --date "01\/02\/2024 10:00:00"/);
    const item = await zxb('getItem', fx.root, ALICE.name, '--date', '01/02/2024', '10:00:00', '300');
    assert.equal(item.code, 2);
    assert.match(item.stderr, /hint: a date with a time is one argument: quote it/);
    const quoted = await zxb('getAccountInfo', fx.root, ALICE.name, '--date', '01/02/2024 10:00:00');
    assert.equal(quoted.code, 0, quoted.stderr);
  });

  it('no command: usage on stderr, 2', async () => {
    const r = await zxb();
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Usage: zxb/);
  });
});
