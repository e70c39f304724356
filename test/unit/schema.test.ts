import { strict as assert } from 'node:assert';
import { promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { getLanguageService, TextDocument } from 'vscode-json-languageservice';
import { computeDigest } from '../../src/engine/digest';
import { EngineError, type Finding, type Range } from '../../src/engine/findings';
import { parseAccountInfo, parseAccountStat, parseBackupStat } from '../../src/engine/files/account';
import { parseMapFile } from '../../src/engine/files/maps';
import { analyzeItemText } from '../../src/engine/item/analyze';
import { parseItemText } from '../../src/engine/item/parse';
import { makeSample } from '../../src/engine/sample';
import { renderSchemaValidators, VALIDATORS_FILE } from '../../scripts/gen-schema-validators';
import { tempFolder } from '../support/backup';
import {
  SCHEMA_FILES,
  SCHEMA_FILE_MATCH,
  SCHEMA_KINDS,
  createSchemaValidator,
  mergeSchemaFindings,
  schemaKindOf,
  type SchemaKind,
  type SchemaValidator,
} from '../../src/engine/schema';

const ACCOUNT = '0f9b3c2e-6a4d-4c55-9b1e-2d7f8a9c0e11';
const ITEM = `accounts/${ACCOUNT}/items/60/260`;
const T0 = Date.UTC(2024, 0, 1, 10);
const NOW = Date.UTC(2024, 5, 1);
const SCHEMAS = path.join(__dirname, '..', '..', 'schemas');

function tx(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'transaction-id': 1,
    'start-date': T0,
    'end-date': null,
    id: 260,
    type: 5,
    'folder-id': 2,
    flags: 512,
    tags: ['work'],
    date: Math.floor(T0 / 1000),
    size: 2048,
    digest: computeDigest(Buffer.from('m260')),
    subject: 'Quarterly report',
    sender: 'bob@example.com',
    recipients: 'alice@example.com',
    'mod-metadata': 110,
    'mod-content': 110,
    'change-date': Math.floor(T0 / 1000),
    ...over,
  };
}

const item = (...txs: Record<string, unknown>[]) => JSON.stringify(txs, null, 2);

const VALID: Record<SchemaKind, string> = {
  item: item(tx({ 'end-date': T0 + 1000 }), tx({ 'transaction-id': 2, 'start-date': T0 + 1000, deleted: true })),
  account_info: JSON.stringify({
    zimbraId: ACCOUNT,
    name: 'alice@example.com',
    displayName: 'Alice Liddell',
    status: 'active',
    isSystem: false,
    cos: 'default',
    createdDate: T0,
    deletedDate: null,
    attributes: { zimbraPrefTimeZoneId: 'Europe/Rome' },
  }),
  account_stat: JSON.stringify({
    lastItemId: 1422,
    itemCount: 812,
    lastScanDate: T0,
    firstTransactionDate: T0,
    lastTransactionDate: T0,
    blobCount: 640,
    blobBytes: 51234567,
  }),
  backupstat: JSON.stringify({
    firstRunDate: T0,
    lastRunDate: T0,
    serverId: 'a1b2',
    backupVersion: '4.0.0',
    smartScanCount: 42,
  }),
  map: JSON.stringify({
    sourceServerId: 'mbox1.old.example.com',
    importDate: T0,
    accounts: [{ sourceId: 'old-1', destinationId: ACCOUNT, name: 'carol@example.org' }],
  }),
};

/** Line/character of the n-th occurrence of `needle`, computed without the engine. */
function rangeOf(text: string, needle: string, nth = 0): Range {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
  assert.ok(at >= 0, needle);
  const pos = (o: number) => {
    const before = text.slice(0, o).split(/\r\n|\r|\n/);
    return { line: before.length - 1, character: before[before.length - 1]!.length };
  };
  return { start: pos(at), end: pos(at + needle.length) };
}

function messages(findings: Finding[]): string[] {
  return findings.map((f) => `${f.code} ${f.message}`);
}

async function tempDir(): Promise<string> {
  return tempFolder('schema');
}

describe('schema validation', () => {
  let v: SchemaValidator;
  before(async () => {
    v = await createSchemaValidator();
  });

  for (const kind of SCHEMA_KINDS) {
    it(`a documented ${kind} file is valid`, async () => {
      assert.deepEqual(await v.validate(kind, VALID[kind], 'x'), []);
    });
  }

  describe("mismatches become findings with the catalogue's code and severity", () => {
    it("item: item.schema (warning), with a JSON Pointer and the value's exact range", async () => {
      const text = item(tx({ 'transaction-id': 0, 'folder-id': 'Inbox' }));
      const found = await v.validate('item', text, ITEM);
      assert.deepEqual(messages(found).sort(), [
        'item.schema at /0/folder-id: Incorrect type. Expected "integer".',
        'item.schema at /0/transaction-id: Value is below the minimum of 1.',
      ]);
      for (const f of found) {
        assert.equal(f.severity, 'warning');
        assert.equal(f.path, ITEM);
      }
      assert.deepEqual(found.find((f) => f.message.includes('folder-id'))?.range, rangeOf(text, '"Inbox"'));
    });
    it('item: a required key missing is reported on its transaction', async () => {
      const t = tx();
      delete t['id'];
      const text = item(tx({ 'end-date': T0 + 1 }), { ...t, 'transaction-id': 2, 'start-date': T0 + 1 });
      const found = await v.validate('item', text, ITEM);
      assert.deepEqual(messages(found), ['item.schema at /1: Missing property "id".']);
      assert.deepEqual(found[0]?.range?.start, rangeOf(text, '{', 1).start);
    });
    it('account_info: account.schema (warning) for a zimbraId that is not a UUID', async () => {
      const text = JSON.stringify({ zimbraId: 'ALICE', name: 'alice@example.com' });
      const [f, ...rest] = await v.validate('account_info', text, `accounts/${ACCOUNT}/account_info`);
      assert.deepEqual(rest, []);
      assert.equal(f?.code, 'account.schema');
      assert.equal(f?.severity, 'warning');
      assert.deepEqual(f?.range, rangeOf(text, '"ALICE"'));
      assert.match(f!.message, /^at \/zimbraId: String does not match the pattern/);
    });
    it('account_stat and backupstat: account.schema for a negative count', async () => {
      for (const [kind, key] of [
        ['account_stat', 'itemCount'],
        ['backupstat', 'smartScanCount'],
      ] as const) {
        const found = await v.validate(kind, JSON.stringify({ [key]: -1 }), 'x');
        assert.deepEqual(messages(found), [`account.schema at /${key}: Value is below the minimum of 0.`]);
      }
    });
    it('map: map.invalid (error) for a destination that is not a zimbraId', async () => {
      const text = JSON.stringify({ accounts: [{ sourceId: 'a', destinationId: 'b' }] });
      const found = await v.validate('map', text, 'map_x');
      assert.equal(found.length, 1);
      assert.equal(found[0]?.code, 'map.invalid');
      assert.equal(found[0]?.severity, 'error');
      assert.match(found[0]!.message, /^at \/accounts\/0\/destinationId: /);
    });
    it('a duplicate key is reported (JSON.parse would silently keep the last value)', async () => {
      const text = '[{"transaction-id": 1, "start-date": 1704103200000, "id": 260, "type": 5, "type": 6}]';
      const found = await v.validate('item', text, ITEM);
      assert.equal(found.length, 2);
      for (const f of found) assert.match(f.message, /^at \/0\/type: duplicate key/);
      assert.deepEqual(
        found.map((f) => f.range).sort((a, b) => a!.start.character - b!.start.character),
        [rangeOf(text, '"type"'), rangeOf(text, '"type"', 1)],
      );
    });
    it('a "$schema" key in a customer file does not replace our schema', async () => {
      const text = JSON.stringify({ $schema: 'https://example.com/other.json', zimbraId: 'ALICE', name: 'a@b.c' });
      const found = await v.validate('account_info', text, 'x');
      assert.deepEqual(
        messages(found).map((m) => m.replace(/ ".*$/, '')),
        ['account.schema at /zimbraId: String does not match the pattern of'],
      );
      assert.deepEqual(found[0]?.range, rangeOf(text, '"ALICE"'));
    });
  });

  describe("text that is not JSON gets the typed reader's own findings", () => {
    it('item: invalid JSON, same code, range and message as the parser', async () => {
      const text = '[\n  {"a": 1}\n  {"b": 2}\n]';
      assert.deepEqual(await v.validate('item', text, ITEM), parseItemText(text, ITEM).findings);
    });
    it('item: 100 000 nested brackets is item.too-deep, not a stack overflow', async () => {
      const found = await v.validate('item', '['.repeat(100_000), ITEM);
      assert.deepEqual(
        found.map((f) => f.code),
        ['item.too-deep'],
      );
    });
    it('account files: account.invalid-json; map: map.invalid; also for deep nesting and non-objects', async () => {
      for (const text of ['{"zimbraId": ', '{"a":'.repeat(100_000), '[]', '42']) {
        const info = await v.validate('account_info', text, 'ai');
        assert.ok(
          info.length > 0 && info.every((f) => f.code === 'account.invalid-json'),
          `${text.slice(0, 20)}: ${messages(info)}`,
        );
        assert.deepEqual(info, parseAccountInfo(text, 'ai').findings);
        const map = await v.validate('map', text, 'm');
        assert.ok(map.length > 0 && map.every((f) => f.code === 'map.invalid'));
      }
    });
  });

  it('a BOM does not shift ranges; CRLF ranges are right', async () => {
    const lf = item(tx({ 'folder-id': 'Inbox' }));
    const crlf = lf.replace(/\n/g, '\r\n');
    const plain = await v.validate('item', lf, ITEM);
    assert.deepEqual(await v.validate('item', '\ufeff' + lf, ITEM), plain);
    const onCrlf = await v.validate('item', crlf, ITEM);
    assert.deepEqual(
      onCrlf.map((f) => f.range),
      [rangeOf(crlf, '"Inbox"')],
    );
    assert.deepEqual(
      onCrlf.map((f) => f.range),
      plain.map((f) => f.range),
    );
  });

  describe('our schemas compiled ahead of time (src/engine/schemaValidators.generated.ts)', () => {
    it('are the schemas of schemas/ (npm run schemas:compile)', () => {
      assert.equal(readFileSync(VALIDATORS_FILE, 'utf8'), renderSchemaValidators());
    });
    it('find what the same schemas compiled at run time find', async () => {
      const dir = await tempDir();
      try {
        for (const kind of SCHEMA_KINDS)
          await fs.copyFile(path.join(SCHEMAS, SCHEMA_FILES[kind]), path.join(dir, SCHEMA_FILES[kind]));
        const runtime = await createSchemaValidator({ schemaDir: dir });
        assert.equal(runtime.sources.item.origin, 'override');
        const cases: [SchemaKind, string][] = [
          ['item', item(tx({ 'transaction-id': 0, 'folder-id': 'Inbox', type: 'message', 'end-date': 'x' }), {})],
          ['item', '{"a": 1, "a": 2}'],
          ['account_info', JSON.stringify({ zimbraId: 'ALICE', status: 'sleeping' })],
          ['account_stat', JSON.stringify({ itemCount: -1, blobBytes: 1.5 })],
          ['map', JSON.stringify({ accounts: [{ sourceId: 'a', destinationId: 'b' }, 7] })],
        ];
        for (const [kind, text] of cases) {
          const ours = await v.validate(kind, text, 'f');
          assert.ok(ours.length > 0, text);
          assert.deepEqual(await runtime.validate(kind, text, 'f'), ours, text);
        }
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe('schemas for the language server', () => {
    it('schemaFor returns the file in schemas/, as a fresh copy each time', () => {
      for (const kind of SCHEMA_KINDS) {
        const onDisk = JSON.parse(readFileSync(path.join(SCHEMAS, SCHEMA_FILES[kind]), 'utf8'));
        const s = v.schemaFor(kind);
        assert.deepEqual(s, onDisk, kind);
        (s as Record<string, unknown>)['type'] = 'mutated';
        assert.deepEqual(v.schemaFor(kind), onDisk);
      }
      assert.equal(v.sources.item.origin, 'built-in');
    });
    it('schemaConfigurations configure another language service to the same diagnostics', async () => {
      const ls = getLanguageService({});
      ls.configure({ validate: true, allowComments: false, schemas: v.schemaConfigurations() });
      const text = item(tx({ 'transaction-id': 0, 'folder-id': 'Inbox' }));
      const doc = TextDocument.create(`file:///backups/b1/${ITEM}`, 'json', 1, text);
      const diagnostics = await ls.doValidation(doc, ls.parseJSONDocument(doc));
      const ours = await v.validate('item', text, ITEM);
      assert.deepEqual(
        diagnostics.map((d) => d.range).sort((a, b) => a.start.line - b.start.line),
        ours.map((f) => f.range).sort((a, b) => a!.start.line - b!.start.line),
      );
    });
    it('SCHEMA_FILE_MATCH and schemaKindOf agree on file names', () => {
      assert.equal(schemaKindOf(ITEM), 'item');
      assert.equal(schemaKindOf(`accounts/${ACCOUNT}/drive_items/ab/x-ab`), 'item');
      assert.equal(schemaKindOf(`accounts/${ACCOUNT}/account_info`), 'account_info');
      assert.equal(schemaKindOf(`accounts/${ACCOUNT}/account_stat`), 'account_stat');
      assert.equal(schemaKindOf(`accounts/${ACCOUNT}/backupstat`), 'backupstat');
      assert.equal(schemaKindOf('backupstat'), 'backupstat');
      assert.equal(schemaKindOf('map_mbox1'), 'map');
      assert.equal(schemaKindOf(`accounts/${ACCOUNT}/id_mapper.log`), undefined);
      assert.equal(schemaKindOf(`items/47/${computeDigest(Buffer.from(''))}`), undefined);
      assert.deepEqual(Object.keys(SCHEMA_FILE_MATCH).sort(), [...SCHEMA_KINDS].sort());
    });
  });

  describe("a user's schema folder", () => {
    let dir: string;
    beforeEach(async () => {
      dir = await tempDir();
    });
    afterEach(async () => {
      await fs.rm(dir, { recursive: true, force: true });
    });

    it('a file there replaces ours; a file missing there falls back to ours', async () => {
      const strict = JSON.parse(readFileSync(path.join(SCHEMAS, 'item.schema.json'), 'utf8'));
      strict.definitions.transaction.required.push('color');
      await fs.writeFile(path.join(dir, 'item.schema.json'), JSON.stringify(strict));
      const custom = await createSchemaValidator({ schemaDir: dir });
      assert.equal(custom.sources.item.origin, 'override');
      assert.equal(custom.sources.item.file, path.join(dir, 'item.schema.json'));
      assert.equal(custom.sources.map.origin, 'built-in');
      assert.deepEqual(messages(await custom.validate('item', item(tx()), ITEM)), [
        'item.schema at /0: Missing property "color".',
      ]);
      assert.deepEqual(await v.validate('item', item(tx()), ITEM), [], 'our schema does not require it');
      const badMap = JSON.stringify({ accounts: [{ sourceId: 'a', destinationId: 'b' }] });
      assert.deepEqual(await custom.validate('map', badMap, 'map_x'), await v.validate('map', badMap, 'map_x'));
    });
    it('a missing folder is io.not-found naming it', async () => {
      const missing = path.join(dir, 'nope');
      await assert.rejects(createSchemaValidator({ schemaDir: missing }), (err: unknown) => {
        assert.ok(err instanceof EngineError);
        assert.equal(err.finding.code, 'io.not-found');
        assert.ok(err.message.includes(missing), err.message);
        return true;
      });
    });
    it('a file instead of a folder is refused', async () => {
      const file = path.join(dir, 'file');
      await fs.writeFile(file, '{}');
      await assert.rejects(
        createSchemaValidator({ schemaDir: file }),
        (err: unknown) => err instanceof EngineError && err.message.includes(file),
      );
    });
    const broken: [string, string, RegExp][] = [
      ['invalid JSON', '{"type": "array",', /not valid JSON/],
      ['not an object', '["type"]', /not a JSON object/],
      ['an unresolvable $ref', '{"$ref": "#/definitions/nowhere"}', /cannot be used: .*nowhere/],
      ['a $ref to another file', '{"properties": {"a": {"$ref": "https://example.com/x.json"}}}', /cannot be used/],
    ];
    for (const [what, content, message] of broken) {
      it(`${what} is usage.bad-schema naming the file`, async () => {
        const file = path.join(dir, 'account_stat.schema.json');
        await fs.writeFile(file, content);
        await assert.rejects(createSchemaValidator({ schemaDir: dir }), (err: unknown) => {
          assert.ok(err instanceof EngineError);
          assert.equal(err.finding.code, 'usage.bad-schema');
          assert.equal(err.finding.path, file);
          assert.ok(err.message.includes(file), err.message);
          assert.match(err.message, message);
          return true;
        });
      });
    }
  });

  describe('merging with the typed readers: the typed finding wins', () => {
    const itemFindings = async (text: string) => {
      const typed = analyzeItemText(text, ITEM, { now: NOW, fileItemId: 260 }).findings;
      const schema = await v.validate('item', text, ITEM);
      return { typed, schema, merged: mergeSchemaFindings(typed, schema) };
    };

    it('tolerated shapes are reported once, by the typed parser', async () => {
      const text = item(
        tx({
          type: 'message',
          tags: 'a,b',
          'start-date': '2024-01-01T10:00:00Z',
          'end-date': -1,
          size: 'big',
          digest: 'abc',
        }),
      );
      const { typed, schema, merged } = await itemFindings(text);
      assert.ok(schema.length >= 6, messages(schema).join('\n'));
      assert.deepEqual(merged, typed);
    });
    it('not an array, empty, not an object, a wrong type: once', async () => {
      for (const text of ['{}', '[]', '[1]', item(tx({ id: 'x' }))]) {
        const { typed, schema, merged } = await itemFindings(text);
        assert.ok(schema.length > 0, text);
        assert.deepEqual(merged, typed, text);
      }
    });
    it('invalid JSON: the identical syntax findings are not doubled', async () => {
      const { typed, merged } = await itemFindings('[{"a": 1}');
      assert.ok(typed.length > 0);
      assert.deepEqual(merged, typed);
    });
    it('a missing start-date or transaction-id: once; another missing key on the same object is kept', async () => {
      const t = tx();
      delete t['start-date'];
      delete t['transaction-id'];
      delete t['id'];
      const { typed, merged } = await itemFindings(item(t));
      assert.deepEqual(messages(merged.slice(typed.length)), ['item.schema at /0: Missing property "id".']);
    });
    it('what only the schema checks is kept', async () => {
      const { typed, merged } = await itemFindings(item(tx({ 'transaction-id': 0, flags: -1 })));
      assert.deepEqual(typed, []);
      assert.deepEqual(messages(merged).sort(), [
        'item.schema at /0/flags: Value is below the minimum of 0.',
        'item.schema at /0/transaction-id: Value is below the minimum of 1.',
      ]);
    });
    it('account and map files: a shape the typed reader reports is not doubled', async () => {
      const cases: [SchemaKind, string, (text: string, path: string) => { findings: Finding[] }][] = [
        [
          'account_info',
          JSON.stringify({ zimbraId: ACCOUNT, name: 'not-an-address', status: 'sleeping', createdDate: 'yesterday' }),
          parseAccountInfo,
        ],
        ['account_info', JSON.stringify({ name: 'a@b.c' }), parseAccountInfo],
        ['map', JSON.stringify({ accounts: [{ sourceId: 'a' }], importDate: 'soon' }), parseMapFile],
        ['map', JSON.stringify({ sourceServerId: 'x' }), parseMapFile],
        ['account_stat', JSON.stringify({ lastItemId: 'x', blobBytes: 1.5 }), parseAccountStat],
        ['backupstat', JSON.stringify({ smartScanCount: 'y', serverId: 7 }), parseBackupStat],
      ];
      for (const [kind, text, parse] of cases) {
        const typed = parse(text, 'f').findings;
        const schema = await v.validate(kind, text, 'f');
        assert.ok(typed.length > 0 && schema.length > 0, `${kind} ${text}`);
        assert.deepEqual(messages(mergeSchemaFindings(typed, schema)), messages(typed), `${kind} ${text}`);
      }
    });
    it('findings of another file never hide each other', async () => {
      const text = item(tx({ type: 'message' }));
      const typed = analyzeItemText(text, 'other/file', { now: NOW }).findings;
      const schema = await v.validate('item', text, ITEM);
      assert.equal(mergeSchemaFindings(typed, schema).length, typed.length + schema.length);
    });
  });

  it('every metadata file of a clean generated sample matches its schema', async function () {
    this.timeout(120_000);
    const dir = await tempDir();
    try {
      await makeSample(dir, { accounts: 4, itemsPerAccount: 60, seed: 7 });
      const seen: Record<string, number> = {};
      const walk = async (rel: string): Promise<void> => {
        for (const e of await fs.readdir(path.join(dir, rel), { withFileTypes: true })) {
          const child = rel ? `${rel}/${e.name}` : e.name;
          if (e.isDirectory()) await walk(child);
          const kind = schemaKindOf(child);
          if (!e.isFile() || kind === undefined) continue;
          seen[kind] = (seen[kind] ?? 0) + 1;
          assert.deepEqual(
            messages(await v.validate(kind, await fs.readFile(path.join(dir, child), 'utf8'), child)),
            [],
            child,
          );
        }
      };
      await walk('');
      assert.ok(
        (seen['item'] ?? 0) >= 200 && seen['account_info'] === 4 && (seen['map'] ?? 0) >= 1,
        JSON.stringify(seen),
      );
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('cost: 1000 typical item files are valid; prints the time per file', async function () {
    this.timeout(120_000);
    const texts = Array.from({ length: 1000 }, (_, i) => {
      const id = 256 + i;
      const n = 1 + (i % 5);
      const txs = Array.from({ length: n }, (_, k) =>
        tx({
          'transaction-id': k + 1,
          id,
          'start-date': T0 + k * 86_400_000,
          'end-date': k + 1 < n ? T0 + (k + 1) * 86_400_000 : null,
          digest: computeDigest(Buffer.from(`m${id}`)),
          subject: `Report ${id}`,
        }),
      );
      return item(...txs);
    });
    for (const t of texts.slice(0, 100)) await v.validate('item', t, ITEM); // warm up
    const started = process.hrtime.bigint();
    let findings = 0;
    for (const t of texts) findings += (await v.validate('item', t, ITEM)).length;
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const parseStarted = process.hrtime.bigint();
    for (const t of texts) findings += analyzeItemText(t, ITEM, { now: NOW }).findings.length;
    const parseMs = Number(process.hrtime.bigint() - parseStarted) / 1e6;
    assert.equal(findings, 0);
    const bytes = texts.reduce((a, t) => a + t.length, 0);
    console.log(
      `      schema: ${(ms / 1000).toFixed(3)} ms per item file (typed parse + rules: ${(parseMs / 1000).toFixed(3)} ms), ${Math.round(bytes / 1000)} B average, 1000 files`,
    );
  });
});
