/** Diagnostics over real LSP: exact codes and positions on the fixture and damaged copies. */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { itemRelPath, accountRelPath, blobRelPath } from '../../src/engine';
import {
  ACCOUNT,
  ITEM,
  MISSING_DIGEST,
  T1,
  T2,
  itemText,
  positionOf,
  reportHistory,
  type Fixture,
  withFixtureServer,
} from './fixture';
import { LspClient, REPO, messageOf } from './lspClient';

describe('server: diagnostics', function () {
  let f: Fixture;
  let client: LspClient;
  const reportRel = itemRelPath(ACCOUNT, ITEM.report);

  withFixtureServer(async (fixture, started) => {
    f = fixture;
    client = started;
  });

  it('reports nothing on a clean item', async () => {
    const uri = f.uri(reportRel);
    await client.open(uri, itemText(reportHistory()));
    assert.deepEqual(await client.diagnostics(uri), []);
  });

  it('reports invalid JSON at the exact position of the error', async () => {
    const uri = f.uri(reportRel);
    const text = itemText(reportHistory()).replace('"end-date": 1707555600000,', '"end-date": 1707555600000');
    await client.change(uri, text);
    const d = await client.diagnostics(uri);
    assert.ok(d.length >= 1);
    assert.ok(d.every((x) => x.code === 'item.invalid-json' && x.source === 'zxbackup'));
    // jsonc-parser reports the missing comma at the next property name.
    assert.deepEqual(d[0]!.range.start, positionOf(text, '"id"', 0));
  });

  it("reports overlapping intervals at the second transaction's start-date", async () => {
    const uri = f.uri(reportRel);
    const h = reportHistory();
    h[1]!['start-date'] = T2 - 3_600_000;
    const text = itemText(h);
    await client.change(uri, text);
    const d = await client.diagnostics(uri);
    const overlap = d.filter((x) => x.code === 'item.interval-overlap');
    assert.equal(overlap.length, 1, JSON.stringify(d));
    assert.equal(overlap[0]!.severity, 1);
    const start = positionOf(text, `${T2 - 3_600_000}`);
    assert.deepEqual(overlap[0]!.range, {
      start,
      end: { line: start.line, character: start.character + String(T2 - 3_600_000).length },
    });
  });

  it('reports a bad digest at the digest value, with the engine code', async () => {
    const uri = f.uri(reportRel);
    const h = reportHistory();
    h[2]!['digest'] = 'not/a/digest';
    const text = itemText(h);
    await client.change(uri, text);
    const d = await client.diagnostics(uri);
    const bad = d.filter((x) => x.code === 'item.bad-digest');
    assert.equal(bad.length, 1, JSON.stringify(d));
    const start = positionOf(text, '"not/a/digest"');
    assert.deepEqual(bad[0]!.range, {
      start,
      end: { line: start.line, character: start.character + '"not/a/digest"'.length },
    });
    // The schema's pattern says the same thing: mergeSchemaFindings keeps only the typed finding.
    assert.equal(
      d.filter((x) => x.code === 'item.schema' && x.range.start.line === start.line).length,
      0,
      JSON.stringify(d),
    );
  });

  it('reports a missing BLOB at the digest of the item that references it', async () => {
    const uri = f.uri(itemRelPath(ACCOUNT, ITEM.lost));
    const text = itemText([
      {
        'transaction-id': 1,
        'start-date': T1,
        'end-date': null,
        id: ITEM.lost,
        type: 5,
        'folder-id': 2,
        flags: 0,
        tags: [],
        size: 12,
        digest: MISSING_DIGEST,
        subject: 'Lost',
      },
    ]);
    await client.open(uri, text);
    const d = await client.diagnostics(uri);
    const missing = d.filter((x) => x.code === 'blob.missing');
    assert.equal(missing.length, 1, JSON.stringify(d));
    assert.equal(missing[0]!.severity, 1);
    assert.deepEqual(missing[0]!.range.start, positionOf(text, `"${MISSING_DIGEST}"`));
  });

  it('forgets cached neighbour facts when watched files change', async () => {
    const uri = f.uri(itemRelPath(ACCOUNT, ITEM.lost));
    const codes = async (): Promise<string[]> => (await client.diagnostics(uri)).map((x) => String(x.code));
    assert.ok((await codes()).includes('blob.missing'));
    const content = Buffer.from('never stored');
    const rel = blobRelPath(MISSING_DIGEST)!;
    mkdirSync(path.dirname(f.abs(rel)), { recursive: true });
    writeFileSync(f.abs(rel), gzipSync(content));
    // Still cached until the client says the file changed.
    assert.ok((await codes()).includes('blob.missing'));
    await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: f.uri(rel), type: 1 }] });
    assert.ok(!(await codes()).includes('blob.missing'));
    rmSync(f.abs(rel));
    await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: f.uri(rel), type: 3 }] });
    assert.ok((await codes()).includes('blob.missing'));
  });

  it('reports a folder that does not exist at the transaction time', async () => {
    const uri = f.uri(reportRel);
    const h = reportHistory();
    h[0]!['folder-id'] = 4242; // no such folder
    const text = itemText(h);
    await client.change(uri, text);
    const d = await client.diagnostics(uri);
    const unknown = d.filter((x) => x.code === 'item.unknown-folder');
    assert.equal(unknown.length, 1, JSON.stringify(d));
    assert.deepEqual(unknown[0]!.range.start, positionOf(text, '4242'));
  });

  it('reports schema mismatches the typed parser does not check (item.schema)', async () => {
    const uri = f.uri(reportRel);
    const h = reportHistory();
    h[0]!['size'] = -5;
    const text = itemText(h);
    await client.change(uri, text);
    const d = await client.diagnostics(uri);
    const schema = d.filter((x) => x.code === 'item.schema');
    assert.equal(schema.length, 1, JSON.stringify(d));
    assert.deepEqual(schema[0]!.range.start, positionOf(text, '-5'));
  });

  it('validates against the schema folder of zxbackup.schemaDirectory, and says when it cannot', async () => {
    const uri = f.uri(reportRel);
    const text = itemText(reportHistory());
    await client.change(uri, text);
    const dir = mkdtempSync(path.join(tmpdir(), 'zxb-schemas-'));
    const strict = JSON.parse(readFileSync(path.join(REPO, 'schemas', 'item.schema.json'), 'utf8'));
    strict.definitions.transaction.properties.subject = { type: 'string', maxLength: 3 };
    writeFileSync(path.join(dir, 'item.schema.json'), JSON.stringify(strict));
    const reconfigure = async (schemaDirectory: string): Promise<void> => {
      client.settings = { ...client.settings, schemaDirectory };
      await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    };
    try {
      await reconfigure(dir);
      const d = await client.diagnostics(uri);
      assert.deepEqual(
        d.map((x) => x.code),
        ['item.schema', 'item.schema', 'item.schema'],
        JSON.stringify(d),
      );
      assert.deepEqual(d[0]!.range.start, positionOf(text, '"Quarterly report"'));
      await reconfigure(path.join(dir, 'missing'));
      const bad = await client.diagnostics(uri);
      assert.deepEqual(
        bad.map((x) => [x.code, x.severity]),
        [['usage.bad-schema', 3]],
      );
      assert.match(messageOf(bad[0]!), /schema validation skipped/);
    } finally {
      await reconfigure('');
      rmSync(dir, { recursive: true, force: true });
    }
    assert.deepEqual(await client.diagnostics(uri), []);
  });

  it('checks account files, map files and id_mapper.log with their own rules', async () => {
    const infoUri = f.uri(accountRelPath(ACCOUNT, 'account_info'));
    const info = JSON.stringify(
      { zimbraId: '11111111-1111-4111-8111-111111111111', name: 'alice@example.com' },
      null,
      2,
    );
    await client.open(infoUri, info, 'zxbackup-account');
    const di = await client.diagnostics(infoUri);
    assert.deepEqual(
      di.map((x) => x.code),
      ['account.id-mismatch'],
    );
    assert.deepEqual(di[0]!.range.start, positionOf(info, '"11111111'));

    const mapRel = 'map_544d94c6-aaef-4736-8964-56a667f1fe12';
    const mapUri = f.uri(mapRel);
    const mapText = readFileSync(f.abs(mapRel), 'utf8');
    await client.open(mapUri, mapText, 'zxbackup-map');
    const dm = await client.diagnostics(mapUri);
    assert.deepEqual(
      dm.map((x) => x.code),
      ['map.unknown-account'],
    );
    assert.deepEqual(dm[0]!.range.start, positionOf(mapText, '"9e990000'));

    const idRel = accountRelPath(ACCOUNT, 'id_mapper.log');
    const idText = readFileSync(f.abs(idRel), 'utf8') + 'garbage line here too many\n';
    const idUri = f.uri(idRel);
    await client.open(idUri, idText, 'zxbackup-idmap');
    const dd = await client.diagnostics(idUri);
    assert.deepEqual(dd.map((x) => [x.code, x.range.start.line]).sort(), [
      ['idmap.bad-line', 3],
      ['idmap.unknown-item', 2],
    ]);
  });

  it('gives a 100k-deep document a diagnostic and stays alive', async function () {
    this.timeout(30_000);
    const uri = f.uri(itemRelPath(ACCOUNT, 7777));
    const text = '['.repeat(100_000);
    await client.open(uri, text);
    const d = await client.diagnostics(uri);
    assert.deepEqual(
      d.map((x) => x.code),
      ['item.too-deep'],
    );
    assert.deepEqual(d[0]!.range.start, { line: 0, character: 64 });
    // Every feature on it answers, none crashes.
    assert.equal(
      await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 10 } }),
      null,
    );
    assert.deepEqual(await client.request('textDocument/documentSymbol', { textDocument: { uri } }), []);
    assert.ok(client.alive);
    await client.close(uri);
  });

  it('gives a 20 MB document a diagnostic (no analysis, no schema) and stays alive', async function () {
    this.timeout(60_000);
    const uri = f.uri(itemRelPath(ACCOUNT, 7778));
    const one = JSON.stringify(reportHistory()[0]);
    const parts: string[] = [];
    let size = 2;
    while (size < 20 * 1024 * 1024) {
      parts.push(one);
      size += one.length + 1;
    }
    const text = `[${parts.join(',')}]`;
    await client.open(uri, text);
    const t0 = Date.now();
    const d = await client.diagnostics(uri);
    assert.deepEqual(
      d.map((x) => x.code),
      ['io.too-large'],
    );
    assert.match(messageOf(d[0]!), /MB/);
    assert.ok(Date.now() - t0 < 10_000);
    const uri2 = f.uri(itemRelPath(ACCOUNT, 7779));
    await client.open(uri2, itemText(reportHistory()));
    assert.ok(Array.isArray(await client.diagnostics(uri2)));
    assert.ok(client.alive);
    await client.close(uri);
  });
});

describe('server: push diagnostics for clients without pull', function () {
  let f: Fixture;
  let client: LspClient;
  withFixtureServer(
    async (fixture, started) => {
      f = fixture;
      client = started;
    },
    { pull: false },
  );

  it('publishes diagnostics on open and clears them on close', async () => {
    const uri = f.uri(itemRelPath(ACCOUNT, ITEM.lost));
    await client.open(
      uri,
      itemText([
        {
          'transaction-id': 1,
          'start-date': T1,
          'end-date': null,
          id: ITEM.lost,
          type: 5,
          'folder-id': 2,
          digest: MISSING_DIGEST,
        },
      ]),
    );
    const d = await client.waitFor('pushed diagnostics', () => client.pushed.get(uri));
    assert.deepEqual(
      d.map((x) => x.code),
      ['blob.missing'],
    );
    await client.close(uri);
    await client.waitFor('cleared diagnostics', () => (client.pushed.get(uri)?.length === 0 ? true : undefined));
  });
});
