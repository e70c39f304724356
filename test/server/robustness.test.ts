/**
 * Bad input never brings the server down: damaged copies of an item (bytes flipped,
 * cut short, keys replaced by odd values) get answers from every handler at many
 * positions, and the server still answers a clean document afterwards.
 */
import { strict as assert } from 'node:assert';
import * as fc from 'fast-check';
import { itemRelPath } from '../../src/engine';
import { ACCOUNT, ITEM, itemText, reportHistory, type Fixture, withFixtureServer } from './fixture';
import { LspClient } from './lspClient';

const ODD_VALUES: unknown[] = [
  null,
  -1,
  0,
  1e308,
  '',
  'x'.repeat(500),
  [],
  {},
  [[[]]],
  true,
  '2024-01-10T09:00:00Z',
  '10/01/2024 09:00:00',
  'message',
  '\u0000',
  '\ud800',
];
const KEYS = [
  'transaction-id',
  'start-date',
  'end-date',
  'id',
  'type',
  'folder-id',
  'parent-id',
  'flags',
  'digest',
  'tags',
  'date',
  'deleted',
  'size',
];

describe('server: damaged documents', function () {
  let f: Fixture;
  let client: LspClient;

  withFixtureServer(async (fixture, started) => {
    f = fixture;
    client = started;
  });

  it('answers every request on damaged copies and stays alive', async function () {
    this.timeout(180_000);
    const clean = itemText(reportHistory());
    const damaged = fc.oneof(
      // Flip all bits of one character (writing a fixed value would be a no-op sometimes).
      fc
        .nat({ max: clean.length - 1 })
        .map((i) => clean.slice(0, i) + String.fromCharCode(clean.charCodeAt(i) ^ 0xff) + clean.slice(i + 1)),
      // Cut short anywhere.
      fc.nat({ max: clean.length - 1 }).map((i) => clean.slice(0, i)),
      // A documented key given an odd value.
      fc.tuple(fc.nat({ max: 2 }), fc.constantFrom(...KEYS), fc.constantFrom(...ODD_VALUES)).map(([t, k, v]) => {
        const h = reportHistory() as Record<string, unknown>[];
        h[t]![k] = v;
        return itemText(h);
      }),
    );
    const uri = f.uri(itemRelPath(ACCOUNT, ITEM.report));
    await client.open(uri, clean);
    await fc.assert(
      fc.asyncProperty(
        damaged,
        fc.array(fc.nat({ max: 2000 }), { minLength: 3, maxLength: 3 }),
        async (text, offsets) => {
          await client.change(uri, text);
          const diagnostics = await client.diagnostics(uri);
          assert.ok(Array.isArray(diagnostics));
          for (const d of diagnostics) assert.equal(typeof d.code, 'string');
          const lines = text.split('\n');
          for (const o of offsets) {
            const line = o % Math.max(1, lines.length);
            const position = { line, character: o % Math.max(1, (lines[line] ?? '').length + 1) };
            await client.request('textDocument/hover', { textDocument: { uri }, position });
            await client.request('textDocument/definition', { textDocument: { uri }, position });
          }
          await client.request('textDocument/documentSymbol', { textDocument: { uri } });
          await client.request('textDocument/codeLens', { textDocument: { uri } });
        },
      ),
      { numRuns: 60, seed: 20261126 },
    );
    assert.ok(client.alive);
    await client.change(uri, clean);
    assert.deepEqual(await client.diagnostics(uri), []);
    const errors = client.logs.filter((l) => / failed: /.test(l));
    assert.deepEqual(errors, [], 'no handler failed on damaged input');
  });
});
