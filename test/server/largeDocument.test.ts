/**
 * Diagnostics of a large item (1,000 transactions, ~400 KB): its schema validation
 * runs in the server's worker thread (dist/schemaWorker.js) and must say exactly what
 * the engine's validator says in process, follow zxbackup.schemaDirectory, and keep
 * positions and pointers right at every index.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { itemRelPath } from '../../src/engine';
import { createSchemaValidator, mergeSchemaFindings } from '../../src/engine/schema';
import { analyzeItemText } from '../../src/engine/item/analyze';
import { OFFLOAD_MIN_CHARS } from '../../src/server/schemaValidation';
import {
  ACCOUNT,
  REPORT_DIGEST,
  REPORT_EML,
  T1,
  itemText,
  positionOf,
  type Fixture,
  withFixtureServer,
} from './fixture';
import { LspClient, REPO, messageOf } from './lspClient';

const HOUR = 3_600_000;
const BIG_ID = 4242;

/** A message moving between Inbox and Sent for `n` hours; `patch(i, tx)` damages transaction i. */
function bigHistory(
  n: number,
  patch: (i: number, tx: Record<string, unknown>) => void = () => undefined,
): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => {
    const tx: Record<string, unknown> = {
      'transaction-id': i + 1,
      'start-date': T1 + i * HOUR,
      'end-date': i + 1 < n ? T1 + (i + 1) * HOUR : null,
      id: BIG_ID,
      type: 5,
      'folder-id': i % 2 === 0 ? 2 : 5,
      flags: i % 3 === 0 ? 512 : 0,
      tags: [],
      size: REPORT_EML.length,
      digest: REPORT_DIGEST,
      subject: 'Quarterly report',
      date: Math.floor(T1 / 1000),
    };
    patch(i, tx);
    return tx;
  });
}

describe('server: a 1,000-transaction item', function () {
  let f: Fixture;
  let client: LspClient;
  const rel = itemRelPath(ACCOUNT, BIG_ID);

  withFixtureServer(async (fixture, started) => {
    f = fixture;
    client = started;
  });

  it('is clean when it is clean', async () => {
    const text = itemText(bigHistory(1000));
    assert.ok(text.length > OFFLOAD_MIN_CHARS, `${text.length} characters: large enough for the worker`);
    await client.open(f.uri(rel), text);
    assert.deepEqual(await client.diagnostics(f.uri(rel)), []);
  });

  it('validates in the worker thread and says what the engine says in process, at the same places', async () => {
    const bad = new Set([0, 1, 499, 998, 999]);
    const text = itemText(
      bigHistory(1000, (i, tx) => {
        if (bad.has(i)) tx['flags'] = -1;
        if (i === 500) tx['size'] = -7;
      }),
    );
    await client.change(f.uri(rel), text);
    const d = (await client.diagnostics(f.uri(rel))).filter((x) => x.code === 'item.schema');
    await client.waitFor('the worker log line', () =>
      client.logs.find((l) => /runs in a worker thread \(schemaWorker\.js\)/.test(l)),
    );

    const v = await createSchemaValidator();
    const typed = analyzeItemText(text, rel, { fileItemId: BIG_ID }).findings;
    const expected = mergeSchemaFindings(typed, await v.validate('item', text, rel)).slice(typed.length);
    assert.equal(expected.length, 6);
    assert.deepEqual(
      d.map((x) => [messageOf(x), x.range]),
      expected.map((x) => [x.message, x.range]),
    );
    assert.deepEqual(d.map(messageOf), [
      'at /0/flags: Value is below the minimum of 0.',
      'at /1/flags: Value is below the minimum of 0.',
      'at /499/flags: Value is below the minimum of 0.',
      'at /500/size: Value is below the minimum of 0.',
      'at /998/flags: Value is below the minimum of 0.',
      'at /999/flags: Value is below the minimum of 0.',
    ]);
    assert.deepEqual(d[3]!.range.start, positionOf(text, '-7'));
    assert.ok(
      client.logs.every((l) => !/worker stopped/.test(l)),
      client.logs.join('\n'),
    );
  });

  it('follows zxbackup.schemaDirectory in the worker, for the same version too', async () => {
    const text = itemText(
      bigHistory(1000, (i, tx) => {
        if (i === 7 || i === 700) tx['subject'] = 'A much longer subject than the stricter schema allows';
      }),
    );
    await client.change(f.uri(rel), text);
    assert.deepEqual(await client.diagnostics(f.uri(rel)), []);
    const dir = mkdtempSync(path.join(tmpdir(), 'zxb-schemas-'));
    const strict = JSON.parse(readFileSync(path.join(REPO, 'schemas', 'item.schema.json'), 'utf8'));
    strict.definitions.transaction.properties.subject = { type: 'string', maxLength: 20 };
    writeFileSync(path.join(dir, 'item.schema.json'), JSON.stringify(strict));
    const reconfigure = async (schemaDirectory: string): Promise<void> => {
      client.settings = { ...client.settings, schemaDirectory };
      await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    };
    try {
      await reconfigure(dir);
      const d = await client.diagnostics(f.uri(rel));
      assert.deepEqual(
        d.map((x) => [x.code, messageOf(x).replace(/:.*/, '')]),
        [
          ['item.schema', 'at /7/subject'],
          ['item.schema', 'at /700/subject'],
        ],
      );
      assert.deepEqual(d[1]!.range.start, positionOf(text, '"A much longer subject', 1));
      // The folder's file changes: a new settings generation loads it again.
      strict.definitions.transaction.properties.subject = { type: 'string', maxLength: 200 };
      writeFileSync(path.join(dir, 'item.schema.json'), JSON.stringify(strict));
      await reconfigure(dir);
      assert.deepEqual(await client.diagnostics(f.uri(rel)), []);
    } finally {
      await reconfigure('');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the right transaction for a finding in each of 1,000 (pointers and merging stay exact at scale)', async () => {
    // Every transaction has a schema-only problem and a typed one (a tag list as a string):
    // the schema's own finding for the tags is dropped, the flags one kept, each at its index.
    const text = itemText(
      bigHistory(1000, (_, tx) => {
        tx['flags'] = -1;
        tx['tags'] = 'a,b';
      }),
    );
    const v = await createSchemaValidator();
    const typed = analyzeItemText(text, rel, { fileItemId: BIG_ID }).findings;
    const schema = await v.validate('item', text, rel, { parsed: true });
    const kept = mergeSchemaFindings(typed, schema).slice(typed.length);
    assert.equal(kept.length, 1000);
    kept.forEach((x, i) => assert.equal(x.message, `at /${i}/flags: Value is below the minimum of 0.`));
    assert.ok(typed.filter((x) => x.code === 'item.tags-as-string').length === 1000);
    assert.ok(
      schema.some((x) => x.message.startsWith('at /999/tags: ')),
      'the schema reports the tags too, and the merge drops them',
    );
  });
});
