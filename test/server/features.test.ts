/** Hover, symbols, definition, code lenses and the point in time, over real LSP. */
import { strict as assert } from 'node:assert';
import { blobUri, Commands } from '../../src/shared/protocol';
import { accountRelPath, itemRelPath } from '../../src/engine';
import { readFileSync } from 'node:fs';
import {
  ACCOUNT,
  ITEM,
  MISSING_DIGEST,
  REPORT_DIGEST,
  REPORT_EML,
  T0,
  T1,
  itemText,
  positionOf,
  reportHistory,
  type Fixture,
  withFixtureServer,
} from './fixture';
import { LspClient } from './lspClient';

interface HoverResult {
  contents: { kind: string; value: string };
  range: { start: { line: number; character: number } };
}

describe('server: hover, symbols, definition, lenses', function () {
  let f: Fixture;
  let client: LspClient;
  let uri: string;
  const text = itemText(reportHistory());

  const hoverAt = async (needle: string, occurrence = 0, delta = 1): Promise<string> => {
    const r = await client.request<HoverResult | null>('textDocument/hover', {
      textDocument: { uri },
      position: positionOf(text, needle, occurrence, delta),
    });
    assert.ok(r, `no hover at ${needle}#${occurrence}`);
    assert.equal(r.contents.kind, 'markdown');
    return r.contents.value;
  };

  withFixtureServer(async (fixture, started) => {
    f = fixture;
    client = started;
    uri = f.uri(itemRelPath(ACCOUNT, ITEM.report));
    await client.open(uri, text);
  });

  it('hovers a start-date with the date in the zone and how long the state lasted', async () => {
    const md = await hoverAt(`${T1}`);
    assert.match(md, /10\/01\/2024 09:00:00 \(UTC\)/);
    assert.match(md, /State lasted \*\*31 d\*\*/);
  });

  it('follows zxbackup.timeZone from workspace/configuration', async () => {
    client.settings = { ...client.settings, timeZone: 'Europe/Rome' };
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const md = await hoverAt(`${T1}`);
    assert.match(md, /10\/01\/2024 10:00:00 \(Europe\/Rome\)/);
    client.settings = { ...client.settings, timeZone: 'UTC' };
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    assert.match(await hoverAt(`${T1}`), /09:00:00 \(UTC\)/);
  });

  it('hovers an open end-date as still valid', async () => {
    const md = await hoverAt('"end-date": null', 0, 14);
    assert.match(md, /still valid/);
  });

  it('hovers a date in epoch seconds', async () => {
    const md = await hoverAt(`"date": ${Math.floor(T1 / 1000) - 60}`, 0, 10);
    assert.match(md, /epoch seconds/);
    assert.match(md, /10\/01\/2024 08:59:00/);
  });

  it('hovers flags with their names', async () => {
    assert.match(await hoverAt('"flags": 512', 0, 10), /512: `unread`/);
    assert.match(await hoverAt('"flags": 0', 0, 10), /no flags/);
    assert.match(await hoverAt('"flags": 32', 0, 10), /`flagged`/);
  });

  it('hovers a type with its name', async () => {
    assert.match(await hoverAt('"type": 5', 0, 9), /\*\*type\*\* 5: message/);
  });

  it('hovers a folder id with the folder path at the transaction time', async () => {
    assert.match(await hoverAt('"folder-id": 2', 0, 14), /`\/Inbox`/);
    assert.match(await hoverAt(`"folder-id": ${ITEM.projects}`, 0, 14), /`\/Inbox\/Projects` at 10\/02\/2024 09:00:00/);
  });

  it('adds the path at the chosen point in time (zxbackup/pointInTime)', async () => {
    await client.conn.sendNotification('zxbackup/pointInTime', { at: T0 - 1000 });
    const md = await hoverAt(`"folder-id": ${ITEM.projects}`, 0, 14);
    assert.match(md, /At the chosen time \(01\/12\/2023 07:59:59\): no such folder/);
    await client.conn.sendNotification('zxbackup/pointInTime', { at: null });
    assert.doesNotMatch(await hoverAt(`"folder-id": ${ITEM.projects}`, 0, 14), /chosen time/);
  });

  it('hovers a digest with the BLOB status and size', async () => {
    const md = await hoverAt(REPORT_DIGEST, 0, 3);
    assert.match(md, /BLOB present/);
    assert.match(md, new RegExp(`Verification: \\*\\*ok\\*\\*, ${REPORT_EML.length} bytes uncompressed`));
    const lostUri = f.uri(itemRelPath(ACCOUNT, ITEM.lost));
    const lostText = itemText([
      { 'transaction-id': 1, 'start-date': T1, 'end-date': null, id: ITEM.lost, type: 5, digest: MISSING_DIGEST },
    ]);
    await client.open(lostUri, lostText);
    const r = await client.request<HoverResult>('textDocument/hover', {
      textDocument: { uri: lostUri },
      position: positionOf(lostText, MISSING_DIGEST, 0, 2),
    });
    assert.match(r.contents.value, /BLOB \*\*missing\*\*/);
  });

  it('gives one Event symbol per transaction named by its time range, with what changed', async () => {
    const symbols = await client.request<
      { name: string; detail: string; kind: number; range: { start: { line: number } } }[]
    >('textDocument/documentSymbol', { textDocument: { uri } });
    assert.equal(symbols.length, reportHistory().length);
    assert.ok(symbols.every((s) => s.kind === 24));
    assert.equal(symbols[0]!.name, '10/01/2024 09:00:00 → 10/02/2024 09:00:00');
    assert.equal(symbols[2]!.name, '10/03/2024 09:30:00 → now');
    assert.equal(symbols[0]!.detail, 'created');
    assert.equal(symbols[1]!.detail, `folder 2 → ${ITEM.projects}; flags: unread → ∅`);
    assert.equal(symbols[2]!.detail, 'flags: ∅ → flagged');
  });

  it('goes from a digest to the BLOB preview and from a folder id to the folder file', async () => {
    const toBlob = await client.request<{ uri: string }[]>('textDocument/definition', {
      textDocument: { uri },
      position: positionOf(text, REPORT_DIGEST, 0, 5),
    });
    assert.deepEqual(
      toBlob.map((l) => l.uri),
      [blobUri(f.root, REPORT_DIGEST)],
    );
    const toFolder = await client.request<{ uri: string }[]>('textDocument/definition', {
      textDocument: { uri },
      position: positionOf(text, `"folder-id": ${ITEM.projects}`, 0, 14),
    });
    assert.deepEqual(
      toFolder.map((l) => l.uri),
      [f.uri(itemRelPath(ACCOUNT, ITEM.projects))],
    );
    // A system folder without a file of its own has nowhere to go.
    assert.equal(
      await client.request('textDocument/definition', {
        textDocument: { uri },
        position: positionOf(text, '"folder-id": 2', 0, 14),
      }),
      null,
    );
  });

  it('puts "Show state" and a title-only "Restore this state…" lens on each transaction', async () => {
    const lenses = await client.request<
      { range: { start: { line: number } }; command: { title: string; command: string; arguments?: unknown[] } }[]
    >('textDocument/codeLens', { textDocument: { uri } });
    assert.equal(lenses.length, 2 * reportHistory().length);
    const show = lenses.filter((l) => l.command.command === Commands.showState);
    assert.deepEqual(
      show.map((l) => l.command.arguments),
      [0, 1, 2].map((i) => [{ uri, transactionIndex: i }]),
    );
    assert.deepEqual(
      show.map((l) => l.range.start.line),
      [0, 1, 2].map((i) => positionOf(text, '{', i).line),
    );
    const restore = lenses.filter((l) => l.command.title.startsWith('Restore this state'));
    assert.equal(restore.length, 3);
    assert.deepEqual(
      restore.map((l) => [l.command.command, l.command.arguments]),
      [0, 1, 2].map((i) => [Commands.restoreState, [{ uri, transactionIndex: i }]]),
    );
  });

  it('hovers an id_mapper.log line with both ids and whether the item file exists, and goes to it', async () => {
    const idRel = accountRelPath(ACCOUNT, 'id_mapper.log');
    const idUri = f.uri(idRel);
    const idText = readFileSync(f.abs(idRel), 'utf8');
    await client.open(idUri, idText, 'zxbackup-idmap');
    const at = (needle: string) => ({ textDocument: { uri: idUri }, position: positionOf(idText, needle, 0, 1) });
    const present = await client.request<HoverResult | null>('textDocument/hover', at(`1200 ${ITEM.report}`));
    assert.ok(present);
    assert.match(
      present.contents.value,
      /item \*\*1200\*\* of the source server → item \*\*300\*\* in this account \(message\)/,
    );
    assert.match(present.contents.value, new RegExp(`\`${itemRelPath(ACCOUNT, ITEM.report)}\`: present`));
    assert.match(present.contents.value, /last state: message “Quarterly report”/);
    assert.equal(present.range.start.line, 1);
    const missing = await client.request<HoverResult | null>('textDocument/hover', at('1201 999'));
    assert.ok(missing);
    assert.match(missing.contents.value, /\*\*missing\*\*.*idmap\.unknown-item/);
    // A comment line says nothing.
    assert.equal(await client.request('textDocument/hover', at('# source')), null);

    const toItem = await client.request<{ uri: string }[] | null>(
      'textDocument/definition',
      at(`${ITEM.report} message`),
    );
    assert.deepEqual(
      toItem?.map((l) => l.uri),
      [f.uri(itemRelPath(ACCOUNT, ITEM.report))],
    );
    assert.equal(await client.request('textDocument/definition', at('1201 999')), null);
  });

  it('answers a request for a document it does not know without failing', async () => {
    const unknown = f.uri('accounts/nowhere/items/00/100');
    assert.equal(
      await client.request('textDocument/hover', {
        textDocument: { uri: unknown },
        position: { line: 0, character: 0 },
      }),
      null,
    );
    assert.deepEqual(await client.diagnostics(unknown), []);
  });
});
