/** getItem end to end: point-in-time states, --date all, --dump-blob, --tz. */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { blobRelPath } from '../../src/engine';
import type { ItemJson } from '../../src/cli/shapes';
import { ALICE, ITEM, LUNCH_DIGEST, LUNCH_EML, REPORT_DIGEST, makeFixture, type Fixture } from './fixture';
import { PROJECT, ensureBuilt, zxb, zxbJson } from './run';

describe('zxb getItem', () => {
  let fx: Fixture;
  before(async () => {
    await ensureBuilt();
    fx = makeFixture();
  });
  after(() => rmSync(fx.root, { recursive: true, force: true }));

  it('gives two different folders and flags at two dates for a message that moved', async () => {
    const jan = await zxbJson<ItemJson>(
      'getItem',
      fx.root,
      ALICE.name,
      String(ITEM.lunch),
      '--date',
      '15/01/2024 12:00:00',
    );
    const feb = await zxbJson<ItemJson>(
      'getItem',
      fx.root,
      ALICE.name,
      String(ITEM.lunch),
      '--date',
      '15/02/2024 12:00:00',
    );
    assert.equal(jan.code, 0);
    assert.equal(feb.code, 0);
    const a = jan.json.states[0]!;
    const b = feb.json.states[0]!;
    assert.equal(jan.json.states.length, 1);
    assert.equal(a.at, '2024-01-15T12:00:00Z');
    assert.equal(a.status, 'live');
    assert.deepEqual(a.folder, { id: 2, path: '/Inbox' });
    assert.deepEqual(a.transaction?.flags, { mask: 512, names: ['unread'], unknownBits: 0 });
    assert.equal(b.status, 'live');
    assert.deepEqual(b.folder, { id: ITEM.projects, path: '/Inbox/Projects 2024' });
    assert.deepEqual(b.transaction?.flags?.names, ['flagged']);
  });

  it("validates the item against the user's schemas with --schema-dir, and against ours without", async () => {
    const ours = await zxbJson<ItemJson>('getItem', fx.root, ALICE.name, String(ITEM.lunch));
    assert.ok(!ours.json.findings.some((f) => f.code === 'item.schema'), JSON.stringify(ours.json.findings));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'zxb-schemas-'));
    try {
      // A stricter item schema: subjects of at most 3 characters ("Lunch" breaks it).
      const schema = JSON.parse(readFileSync(path.join(PROJECT, 'schemas', 'item.schema.json'), 'utf8'));
      schema.definitions.transaction.properties.subject = { type: 'string', maxLength: 3 };
      writeFileSync(path.join(dir, 'item.schema.json'), JSON.stringify(schema));
      const theirs = await zxbJson<ItemJson>('--schema-dir', dir, 'getItem', fx.root, ALICE.name, String(ITEM.lunch));
      const f = theirs.json.findings.find((x) => x.code === 'item.schema');
      assert.ok(f, JSON.stringify(theirs.json.findings));
      assert.match(f.message, /subject/);
      assert.ok(f.range, 'a schema finding carries the range of the value');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives every field of the transaction, the type name and the BLOB', async () => {
    const { json } = await zxbJson<ItemJson>(
      'getItem',
      fx.root,
      ALICE.id,
      String(ITEM.lunch),
      '--date',
      '15/01/2024 12:00:00',
    );
    assert.equal(json.file, `accounts/${ALICE.id}/items/00/300`);
    const tx = json.states[0]!.transaction!;
    assert.equal(tx.transactionId, 1);
    assert.equal(tx.startDate, '2024-01-10T09:00:00Z');
    assert.equal(tx.endDate, '2024-02-10T09:00:00Z');
    assert.equal(tx.type, 5);
    assert.equal(tx.typeName, 'message');
    assert.equal(tx.subject, 'Lunch');
    assert.equal(tx.sender, 'bob@example.com');
    assert.equal(tx.date, '2024-01-10T08:59:00Z');
    assert.equal(tx.modContent, 110);
    assert.equal(tx.digest, LUNCH_DIGEST);
    assert.equal(tx.raw['start-date'], Date.UTC(2024, 0, 10, 9));
    const blob = json.states[0]!.blob!;
    assert.equal(blob.path, blobRelPath(LUNCH_DIGEST));
    assert.equal(blob.status, 'ok');
    assert.equal(blob.size, LUNCH_EML.length);
  });

  it('the latest state of a deleted message is "deleted", in Trash', async () => {
    const { json } = await zxbJson<ItemJson>('getItem', fx.root, ALICE.name, String(ITEM.lunch));
    assert.equal(json.date, 'last');
    assert.equal(json.states[0]!.status, 'deleted');
    assert.equal(json.states[0]!.folder?.path, '/Trash');
  });

  it('before the first transaction the status is not-yet', async () => {
    const { json, code } = await zxbJson<ItemJson>(
      'getItem',
      fx.root,
      ALICE.name,
      String(ITEM.lunch),
      '--date',
      '01/01/2024',
    );
    assert.equal(code, 0);
    assert.equal(json.states[0]!.status, 'not-yet');
    assert.equal(json.states[0]!.transaction, null);
  });

  it('--date all gives one state per transaction, each with its folder at that time', async () => {
    const { json } = await zxbJson<ItemJson>('getItem', fx.root, ALICE.name, String(ITEM.lunch), '--date', 'all');
    assert.equal(json.date, 'all');
    assert.deepEqual(
      json.states.map((s) => [s.at, s.status, s.transaction?.transactionId, s.folder?.path]),
      [
        ['2024-01-10T09:00:00Z', 'live', 1, '/Inbox'],
        ['2024-02-10T09:00:00Z', 'live', 2, '/Inbox/Projects 2024'],
        ['2024-03-10T09:00:00Z', 'deleted', 3, '/Trash'],
      ],
    );
    const text = await zxb('getItem', fx.root, ALICE.name, String(ITEM.lunch), '--date', 'all');
    assert.equal(text.code, 0);
    assert.equal(text.stdout.match(/^state \d of 3: /gm)?.length, 3);
    assert.match(text.stdout, /^ {2}folder +\/Inbox\/Projects 2024 \(257\)$/m);
    assert.match(text.stdout, /^ {2}flags +512 \(unread\)$/m);
    assert.match(
      text.stdout,
      new RegExp(`^  blob path +${fx.root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/items/`, 'm'),
    );
  });

  it('--tz Europe/Rome shifts the printed dates and reads --date in that zone', async () => {
    const rome = await zxbJson<ItemJson>(
      '--tz',
      'Europe/Rome',
      'getItem',
      fx.root,
      ALICE.name,
      String(ITEM.lunch),
      '--date',
      'all',
    );
    assert.equal(rome.json.timeZone, 'Europe/Rome');
    assert.equal(rome.json.states[0]!.transaction!.startDate, '2024-01-10T10:00:00+01:00');
    const text = await zxb('getItem', fx.root, ALICE.name, String(ITEM.lunch), '--date', 'all', '--tz', 'Europe/Rome');
    assert.match(text.stdout, /^ {2}start date +10\/01\/2024 10:00:00$/m);
    // 10/02/2024 09:30 is 08:30 UTC in Rome (before the move at 09:00 UTC) but after it in UTC.
    const inRome = await zxbJson<ItemJson>(
      'getItem',
      fx.root,
      ALICE.name,
      String(ITEM.lunch),
      '--date',
      '10/02/2024 09:30:00',
      '--tz',
      'Europe/Rome',
    );
    const inUtc = await zxbJson<ItemJson>(
      'getItem',
      fx.root,
      ALICE.name,
      String(ITEM.lunch),
      '--date',
      '10/02/2024 09:30:00',
    );
    assert.equal(inRome.json.states[0]!.folder?.path, '/Inbox');
    assert.equal(inUtc.json.states[0]!.folder?.path, '/Inbox/Projects 2024');
  });

  it('--dump-blob writes bytes that gunzip-equal the BLOB file', async () => {
    const r = await zxb('getItem', fx.root, ALICE.name, String(ITEM.report), '--dump-blob');
    assert.equal(r.code, 0, r.stderr);
    const onDisk = gunzipSync(readFileSync(fx.file(blobRelPath(REPORT_DIGEST)!)));
    assert.ok(r.stdoutBytes.equals(onDisk));
  });

  it('--dump-blob --json includes a small BLOB in base64', async () => {
    const { json, code } = await zxbJson<ItemJson>('getItem', fx.root, ALICE.name, String(ITEM.report), '--dump-blob');
    assert.equal(code, 0);
    const blob = json.states[0]!.blob!;
    assert.ok(blob.content);
    assert.ok(
      Buffer.from(blob.content, 'base64').equals(gunzipSync(readFileSync(fx.file(blobRelPath(REPORT_DIGEST)!)))),
    );
  });

  it('--dump-blob refuses a terminal unless --force', async () => {
    // `script` gives the child a pseudo-terminal as stdout.
    const r = await zxb('getItem', fx.root, ALICE.name, String(ITEM.report), '--dump-blob', '--date', 'all');
    assert.equal(r.code, 2, 'one state is needed');
    const { execFile } = await import('node:child_process');
    const cmd = `${process.execPath} bin/zxb.js getItem ${fx.root} ${ALICE.name} ${ITEM.report} --dump-blob; echo "exit=$?"`;
    const out = await new Promise<string>((resolve, reject) =>
      execFile('script', ['-qec', cmd, '/dev/null'], { cwd: `${__dirname}/../..` }, (err, stdout) =>
        err ? reject(err) : resolve(stdout),
      ),
    );
    assert.match(out, /exit=2/);
    assert.match(out, /redirect stdout/);
    const forced = await new Promise<string>((resolve, reject) =>
      execFile(
        'script',
        ['-qec', cmd.replace('--dump-blob', '--dump-blob --force'), '/dev/null'],
        { cwd: `${__dirname}/../..` },
        (err, stdout) => (err ? reject(err) : resolve(stdout)),
      ),
    );
    assert.match(forced, /Subject: Quarterly report/);
    assert.match(forced, /exit=0/);
  });
});
