/** getBackupInfo, getAvailableAccounts and getAccountInfo, end to end on the hand-made fixture. */
import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import type { AccountInfoJson, AvailableAccountsJson, BackupInfoJson } from '../../src/cli/shapes';
import { ALICE, BOB, CAROL, GALSYNC, BROKEN, ITEM, makeFixture, type Fixture } from './fixture';
import { ensureBuilt, zxb, zxbJson } from './run';

describe('zxb getBackupInfo / getAvailableAccounts / getAccountInfo', () => {
  let fx: Fixture;
  before(async () => {
    await ensureBuilt();
    fx = makeFixture();
  });
  after(() => rmSync(fx.root, { recursive: true, force: true }));

  describe('getBackupInfo', () => {
    it('--json counts what the fixture holds', async () => {
      const { code, json } = await zxbJson<BackupInfoJson>('getBackupInfo', fx.root);
      assert.equal(code, 0);
      assert.equal(json.formatVersion, 1);
      assert.equal(json.command, 'getBackupInfo');
      assert.equal(json.timeZone, 'UTC');
      assert.equal(json.backupPath, fx.root);
      assert.deepEqual(json.accounts, { total: 5, active: 3, deleted: 1, system: 1 });
      assert.deepEqual(json.domains, [
        { name: 'example.com', accounts: 4 },
        { name: 'example.org', accounts: 1 },
      ]);
      // alice 9 + broken 4 regular item files (the directory and the symlink are not item files).
      assert.equal(json.items.count, 13);
      assert.equal(json.blobs.count, 2);
      assert.ok(json.blobs.bytes > 0);
      assert.equal(json.mapFiles.length, 1);
      assert.equal(json.mapFiles[0]!.sourceServerId, 'mbox1.old.example.com');
      assert.equal(json.mapFiles[0]!.accounts, 2);
      assert.deepEqual(
        json.serverArchives.map((a) => [a.name, a.kind, a.date]),
        [
          ['customizations_01_01_24#02_00_00.tar.gz', 'customizations', '2024-01-01T02:00:00Z'],
          ['customizations_01_02_24#02_00_00.tar.gz', 'customizations', '2024-02-01T02:00:00Z'],
        ],
      );
      assert.equal(json.firstRunDate, '2023-11-01T04:00:00Z');
      assert.equal(json.lastRunDate, '2024-03-11T04:00:00Z');
      assert.equal(json.firstTransactionDate, '2024-01-09T09:00:00Z');
      assert.equal(json.lastTransactionDate, '2024-03-10T09:00:00Z');
      assert.deepEqual(json.findings, []);
    });

    it('prints an aligned summary', async () => {
      const r = await zxb('getBackupInfo', fx.root);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^accounts +5 \(active 3, deleted 1, system 1\)$/m);
      assert.match(r.stdout, /^item files +13$/m);
      assert.match(r.stdout, /^first run +01\/11\/2023 04:00:00$/m);
      assert.match(r.stdout, /^example\.com +4$/m);
      assert.match(
        r.stdout,
        /^customizations_01_02_24#02_00_00\.tar\.gz +customizations +01\/02\/2024 02:00:00 +\d+ B$/m,
      );
    });
  });

  describe('getAvailableAccounts', () => {
    it('lists the accounts of the latest state, deleted ones marked, system ones hidden', async () => {
      const { code, json } = await zxbJson<AvailableAccountsJson>('getAvailableAccounts', fx.root);
      assert.equal(code, 0);
      assert.equal(json.date, 'last');
      assert.deepEqual(
        json.accounts.map((a) => [a.name, a.deleted]),
        [
          [ALICE.name, false],
          [BOB.name, true],
          [BROKEN.name, false],
          [CAROL.name, false],
        ],
      );
      const alice = json.accounts[0]!;
      assert.equal(alice.zimbraId, ALICE.id);
      assert.equal(alice.domain, 'example.com');
      assert.equal(alice.status, 'active');
      assert.equal(alice.itemCount, 9);
      assert.equal(alice.createdDate, '2023-11-01T00:00:00Z');
      assert.equal(alice.deletedDate, null);
      assert.equal(json.counts.hiddenSystem, 1);
      assert.equal(json.counts.deleted, 1);
    });

    it('at a date before carol was created and before bob was deleted', async () => {
      const { json } = await zxbJson<AvailableAccountsJson>(
        'getAvailableAccounts',
        fx.root,
        '--date',
        '15/01/2024 00:00:00',
      );
      assert.equal(json.date, '2024-01-15T00:00:00Z');
      assert.deepEqual(
        json.accounts.map((a) => [a.name, a.deleted]),
        [
          [ALICE.name, false],
          [BOB.name, false],
          [BROKEN.name, false],
        ],
      );
      assert.equal(json.counts.notYetCreated, 1);
    });

    it('--hide-deleted, --show-system and --domains', async () => {
      const hidden = await zxbJson<AvailableAccountsJson>('getAvailableAccounts', fx.root, '--hide-deleted');
      assert.ok(!hidden.json.accounts.some((a) => a.name === BOB.name));
      assert.equal(hidden.json.counts.hiddenDeleted, 1);
      const system = await zxbJson<AvailableAccountsJson>('getAvailableAccounts', fx.root, '--show-system');
      const gal = system.json.accounts.find((a) => a.zimbraId === GALSYNC.id);
      assert.ok(gal);
      assert.equal(gal.isSystem, true);
      const org = await zxbJson<AvailableAccountsJson>('getAvailableAccounts', fx.root, '--domains', 'EXAMPLE.ORG');
      assert.deepEqual(
        org.json.accounts.map((a) => a.name),
        [CAROL.name],
      );
      assert.deepEqual(org.json.domains, ['example.org']);
    });

    it('prints a table with one row per account', async () => {
      const r = await zxb('getAvailableAccounts', fx.root);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^ACCOUNT +ZIMBRA ID +STATUS +DELETED +SYSTEM +CREATED +ITEMS$/m);
      assert.match(
        r.stdout,
        new RegExp(
          `^bob@example\\.com +${BOB.id} +active +deleted 01/02/2024 00:00:00 +no +01/11/2023 00:00:00 +0$`,
          'm',
        ),
      );
      assert.match(r.stdout, /4 accounts at the latest state; not listed: 1 system/);
    });
  });

  describe('getAccountInfo', () => {
    it('--json gives the account files, secrets redacted, and the folder tree', async () => {
      const { code, json } = await zxbJson<AccountInfoJson>('getAccountInfo', fx.root, ALICE.name);
      assert.equal(code, 0);
      assert.equal(json.account.zimbraId, ALICE.id);
      assert.equal(json.accountInfo?.cos, 'default');
      assert.equal(json.accountInfo?.attributes['zimbraPrefTimeZoneId'], 'Europe/Rome');
      assert.equal(json.accountInfo?.attributes['userPassword'], '(redacted)');
      assert.equal(json.accountStat?.itemCount, 9);
      assert.equal(json.accountStat?.lastScanDate, '2024-03-10T09:00:00Z');
      assert.equal(json.backupStat?.smartScanCount, 130);
      assert.equal(json.snapshot.date, 'last');
      assert.equal(json.snapshot.itemFiles, 9);
      assert.equal(json.snapshot.liveItems, 2);
      assert.equal(json.snapshot.deletedItems, 1);
      const byId = new Map(json.snapshot.folders.map((f) => [f.id, f]));
      assert.equal(byId.get(ITEM.projects)?.path, '/Inbox/Projects 2024');
      assert.equal(byId.get(2)?.items, 1);
      assert.equal(byId.get(3)?.deletedItems, 1, 'the deleted message was last in Trash');
      assert.equal(byId.get(7)?.items, 1);
    });

    it('shows the old and the new name of a renamed folder at two dates', async () => {
      const before = await zxbJson<AccountInfoJson>(
        'getAccountInfo',
        fx.root,
        ALICE.id,
        '--date',
        '01/02/2024 00:00:00',
      );
      const after = await zxbJson<AccountInfoJson>(
        'getAccountInfo',
        fx.root,
        ALICE.id,
        '--date',
        '2024-02-20T00:00:00Z',
      );
      const projects = (j: AccountInfoJson) => j.snapshot.folders.find((f) => f.id === ITEM.projects);
      assert.equal(projects(before.json)?.path, '/Inbox/Projects');
      assert.equal(projects(after.json)?.path, '/Inbox/Projects 2024');
      // On 01/02 the moved message is still in the Inbox, on 20/02 it is in Projects.
      assert.equal(before.json.snapshot.folders.find((f) => f.id === 2)?.items, 2);
      assert.equal(projects(after.json)?.items, 1);
      assert.equal(before.json.snapshot.date, '2024-02-01T00:00:00Z');
    });

    it('prints the folder table', async () => {
      const r = await zxb('getAccountInfo', fx.root, ALICE.name, '--date', '01/02/2024');
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^Folders at 01\/02\/2024 00:00:00 \(UTC\)$/m);
      assert.match(r.stdout, /^\/Inbox\/Projects +257 +0 +0$/m);
      assert.match(r.stdout, /^\/Inbox +2 +2 +0$/m);
    });
  });
});
