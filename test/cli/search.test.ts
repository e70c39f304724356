/** doItemSearch, getMap and getServerConfig end to end on the hand-made fixture. */
import { strict as assert } from 'node:assert';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { tmpdir } from 'node:os';
import type { ErrorJson, ItemSearchJson, MapJson, ServerConfigJson } from '../../src/cli/shapes';
import { ALICE, ITEM, MAP_SERVER_ID, UNKNOWN_DESTINATION, makeFixture, type Fixture } from './fixture';
import { ensureBuilt, zxb, zxbJson } from './run';

describe('zxb doItemSearch / getMap / getServerConfig', () => {
  let fx: Fixture;
  before(async () => {
    await ensureBuilt();
    fx = makeFixture();
  });
  after(() => rmSync(fx.root, { recursive: true, force: true }));

  describe('doItemSearch', () => {
    it('defaults to deleted messages, as zxsuite does', async () => {
      const { code, json } = await zxbJson<ItemSearchJson>('doItemSearch', fx.root, ALICE.name);
      assert.equal(code, 0);
      assert.equal(json.query.type, 'message');
      assert.equal(json.query.searchFilter, 'deleted');
      assert.equal(json.scannedItems, 9);
      assert.deepEqual(
        json.results.map((r) => [r.id, r.typeName, r.folderPath, r.deleted, r.subject]),
        [[ITEM.lunch, 'message', '/Trash', true, 'Lunch']],
      );
      assert.equal(json.results[0]!.date, '2024-01-10T08:59:00Z');
      assert.equal(json.results[0]!.file, `accounts/${ALICE.id}/items/00/300`);
    });

    it('matches text case-insensitively in any transaction, judged at --date', async () => {
      const { json } = await zxbJson<ItemSearchJson>(
        'doItemSearch',
        fx.root,
        ALICE.name,
        '--search-string',
        'BOB',
        '--type',
        'all',
        '--search-filter',
        'all',
        '--date',
        '01/02/2024',
      );
      // sender bob@example.com on both messages, name "Bob Builder" on the contact.
      assert.deepEqual(
        json.results.map((r) => [r.id, r.folderPath, r.deleted]),
        [
          [ITEM.lunch, '/Inbox', false],
          [ITEM.report, '/Inbox', false],
          [ITEM.contact, '/Contacts', false],
        ],
      );
      const notDeleted = await zxbJson<ItemSearchJson>(
        'doItemSearch',
        fx.root,
        ALICE.name,
        '--search-string',
        'report',
        '--search-filter',
        'not_deleted',
      );
      assert.deepEqual(
        notDeleted.json.results.map((r) => r.id),
        [ITEM.report],
      );
    });

    it('--type folder finds the renamed folder by its old name, shown with its name at --date', async () => {
      const { json } = await zxbJson<ItemSearchJson>(
        'doItemSearch',
        fx.root,
        ALICE.name,
        '--type',
        'folder',
        '--search-string',
        'projects',
        '--search-filter',
        'all',
        '--date',
        '15/01/2024',
      );
      assert.deepEqual(
        json.results.map((r) => [r.id, r.subject, r.folderPath]),
        [[ITEM.projects, 'Projects', '/Inbox']],
      );
    });

    it('--before / --after on the item date', async () => {
      const early = await zxbJson<ItemSearchJson>(
        'doItemSearch',
        fx.root,
        ALICE.name,
        '--search-filter',
        'all',
        '--before',
        '10/01/2024 08:59:30',
      );
      assert.deepEqual(
        early.json.results.map((r) => r.id),
        [ITEM.lunch],
      );
      const late = await zxbJson<ItemSearchJson>(
        'doItemSearch',
        fx.root,
        ALICE.name,
        '--search-filter',
        'all',
        '--after',
        '10/01/2024 08:59:30',
      );
      assert.deepEqual(
        late.json.results.map((r) => r.id),
        [ITEM.report],
      );
      assert.equal(late.json.query.after, '2024-01-10T08:59:30Z');
      const bad = await zxb('doItemSearch', fx.root, ALICE.name, '--before', 'last');
      assert.equal(bad.code, 2);
    });

    it('--after not earlier than --before is a usage error, not an empty result', async () => {
      const r = await zxbJson<ErrorJson>(
        'doItemSearch',
        fx.root,
        ALICE.name,
        '--search-filter',
        'all',
        '--after',
        '11/01/2024',
        '--before',
        '10/01/2024',
      );
      assert.equal(r.code, 2);
      assert.equal(r.json.error.code, 'usage.bad-date');
      assert.match(r.stderr, /--after 11\/01\/2024 00:00:00 is not earlier than --before 10\/01\/2024 00:00:00/);
      const same = await zxb('doItemSearch', fx.root, ALICE.name, '--after', '10/01/2024', '--before', '10/01/2024');
      assert.equal(same.code, 2);
    });

    it('the default filter (deleted items only, as in zxsuite) is said, with the option to widen it', async () => {
      const r = await zxb('doItemSearch', fx.root, ALICE.name);
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stdout,
        /^only deleted items are searched by default, as in zxsuite: --search-filter all for every item/m,
      );
      for (const filter of ['all', 'deleted']) {
        const given = await zxb('doItemSearch', fx.root, ALICE.name, '--search-filter', filter);
        assert.doesNotMatch(given.stdout, /only deleted items/, `--search-filter ${filter} was asked for`);
      }
    });

    it('prints a table', async () => {
      const r = await zxb('doItemSearch', fx.root, ALICE.name, '--search-filter', 'all');
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^ ID +TYPE +FOLDER +DATE \(UTC\) +DELETED +SUBJECT$/m);
      assert.match(r.stdout, /^301 +message +\/Inbox +10\/01\/2024 09:00:00 +no +Quarterly report$/m);
      assert.match(r.stdout, /2 of 9 item files match/);
    });
  });

  describe('getMap', () => {
    const mapName = `map_${MAP_SERVER_ID}`;

    it('--json gives the mappings and the names of the accounts in the backup path', async () => {
      const { code, json } = await zxbJson<MapJson>('getMap', fx.file(mapName));
      assert.equal(code, 0, 'an unknown destination is a warning');
      assert.equal(json.serverId, MAP_SERVER_ID);
      assert.equal(json.backupPath, fx.root);
      assert.equal(json.sourceServerId, 'mbox1.old.example.com');
      assert.equal(json.importDate, '2023-12-01T00:00:00Z');
      assert.deepEqual(
        json.accounts.map((a) => [a.destinationId, a.inBackup, a.backupName]),
        [
          [ALICE.id, true, ALICE.name],
          [UNKNOWN_DESTINATION, false, null],
        ],
      );
      assert.deepEqual(
        json.findings.map((f) => [f.code, f.severity]),
        [['map.unknown-account', 'warning']],
      );
    });

    it('reads a map file copied out of its backup path, without account names', async () => {
      const loose = path.join(tmpdir(), `zxb-${process.pid}-${mapName}`);
      copyFileSync(fx.file(mapName), loose);
      try {
        const { code, json } = await zxbJson<MapJson>('getMap', loose);
        assert.equal(code, 0);
        assert.equal(json.backupPath, null);
        assert.deepEqual(
          json.accounts.map((a) => a.inBackup),
          [null, null],
        );
      } finally {
        rmSync(loose, { force: true });
      }
    });

    it('an invalid map file: 1 with map.invalid', async () => {
      const bad = path.join(tmpdir(), `zxb-${process.pid}-map_bad`);
      writeFileSync(bad, '{"accounts": [');
      try {
        const { code, json } = await zxbJson<MapJson>('getMap', bad);
        assert.equal(code, 1);
        assert.ok(json.findings.every((f) => f.code === 'map.invalid'));
      } finally {
        rmSync(bad, { force: true });
      }
    });

    it('prints a table', async () => {
      const r = await zxb('getMap', fx.file(mapName));
      assert.equal(r.code, 0);
      assert.match(
        r.stdout,
        new RegExp(
          `^aaaa0000-0000-4000-8000-00000000000a +${ALICE.id} +alice@old\\.example\\.com +yes +alice@example\\.com$`,
          'm',
        ),
      );
      assert.match(r.stderr, /warning \[map\.unknown-account\]/);
    });
  });

  describe('getServerConfig', () => {
    it('lists the archives and the contents of the one valid at the date', async () => {
      const { code, json } = await zxbJson<ServerConfigJson>(
        'getServerConfig',
        fx.root,
        'customizations',
        '--date',
        '15/01/2024',
      );
      assert.equal(code, 0);
      assert.equal(json.archives.length, 2);
      assert.deepEqual(
        json.selected.map((s) => s.name),
        ['customizations_01_01_24#02_00_00.tar.gz'],
      );
      assert.deepEqual(
        json.selected[0]!.entries?.filter((e) => e.type === 'File').map((e) => e.path),
        ['conf/localconfig.xml'],
      );
    });

    it('last, all, and a date before every archive', async () => {
      const last = await zxbJson<ServerConfigJson>('getServerConfig', fx.root, 'customizations');
      assert.equal(last.json.date, 'last');
      assert.deepEqual(
        last.json.selected.map((s) => s.name),
        ['customizations_01_02_24#02_00_00.tar.gz'],
      );
      assert.ok(last.json.selected[0]!.entries?.some((e) => e.path === 'postfix/conf/main.cf'));
      const all = await zxbJson<ServerConfigJson>('getServerConfig', fx.root, 'customizations', '--date', 'all');
      assert.equal(all.json.selected.length, 2);
      const none = await zxb('getServerConfig', fx.root, 'customizations', '--date', '01/12/2023');
      assert.equal(none.code, 0);
      assert.match(none.stdout, /no customizations archive was made at or before 01\/12\/2023 00:00:00/);
    });

    it('archive names are read in --tz', async () => {
      const { json } = await zxbJson<ServerConfigJson>(
        '--tz',
        'Europe/Rome',
        'getServerConfig',
        fx.root,
        'customizations',
      );
      assert.equal(json.archives[0]!.date, '2024-01-01T02:00:00+01:00');
    });

    it('another section: 2', async () => {
      const r = await zxb('getServerConfig', fx.root, 'standard');
      assert.equal(r.code, 2);
      assert.match(r.stderr, /section "standard" is not supported/);
    });

    it('a damaged archive: 1 with server.bad-archive', async () => {
      const broken = fx.file('server/customizations_01_03_24#02_00_00.tar.gz');
      writeFileSync(broken, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]));
      try {
        const { code, json } = await zxbJson<ServerConfigJson>('getServerConfig', fx.root, 'customizations');
        assert.equal(code, 1);
        assert.deepEqual(
          json.findings.map((f) => [f.code, f.path]),
          [['server.bad-archive', 'server/customizations_01_03_24#02_00_00.tar.gz']],
        );
        assert.equal(json.selected[0]!.entries, null);
      } finally {
        rmSync(broken, { force: true });
      }
    });
  });
});
