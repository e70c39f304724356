/**
 * The lean hot path of the item parser (parse.ts normaliseTransaction, the nesting
 * check after JSON.parse, rules.ts without digest decoding) must judge the edges
 * exactly like the general path it short-cuts.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { FAR_FUTURE, SECONDS_THRESHOLD } from '../../src/engine/dates';
import { analyzeItemText } from '../../src/engine/item/analyze';
import { MAX_NESTING, nestingDepthExceeds, parseItemText } from '../../src/engine/item/parse';
import { DigestTable } from '../../src/engine/check/digestTable';
import { encodeFsSafeBase64 } from '../../src/engine';

const PATH = 'accounts/x/items/01/1';
const NOW = Date.UTC(2026, 0, 1);

function tx(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'transaction-id': 1,
    'start-date': Date.UTC(2025, 0, 1),
    'end-date': null,
    id: 1,
    type: 5,
    'folder-id': 2,
    ...over,
  };
}

function codes(text: string): string[] {
  return analyzeItemText(text, PATH, { now: NOW, fileItemId: 1 })
    .findings.map((f) => f.code)
    .sort();
}

describe('check fast path: dates at the edges of the fast branch', () => {
  const cases: [string, number, string[], number | null | undefined][] = [
    ['end-date', SECONDS_THRESHOLD - 1, ['item.date-in-seconds', 'item.history-ends'], (SECONDS_THRESHOLD - 1) * 1000],
    ['end-date', SECONDS_THRESHOLD, ['item.end-before-start'], SECONDS_THRESHOLD],
    ['end-date', FAR_FUTURE - 1, ['item.history-ends'], FAR_FUTURE - 1],
    ['end-date', FAR_FUTURE, ['item.end-date-sentinel'], null],
    ['end-date', Date.UTC(2025, 0, 2) + 0.6, ['item.history-ends'], Date.UTC(2025, 0, 2) + 1],
    ['start-date', SECONDS_THRESHOLD - 1, ['item.date-in-seconds', 'item.future-date'], (SECONDS_THRESHOLD - 1) * 1000],
    ['start-date', SECONDS_THRESHOLD, [], SECONDS_THRESHOLD],
    ['start-date', FAR_FUTURE, ['item.future-date'], FAR_FUTURE],
    ['start-date', Date.UTC(2025, 0, 1) + 0.4, [], Date.UTC(2025, 0, 1)],
  ];
  for (const [key, value, expected, read] of cases) {
    it(`${key} ${value} → ${expected.join(', ') || 'no finding'}`, () => {
      const text = JSON.stringify([tx({ [key]: value })], null, 2);
      assert.deepEqual(codes(text), expected.sort());
      const t = parseItemText(text, PATH).transactions[0]!;
      assert.equal(key === 'end-date' ? t.end : t.start, read);
    });
  }
});

describe('check fast path: nesting checked after JSON.parse', () => {
  const nested = (levels: number): string => {
    // levels counts the root array: [ {"x": [[…]]} ]
    let inner = '1';
    for (let i = 0; i < levels - 2; i++) inner = `[${inner}]`;
    return `[{"transaction-id":1,"start-date":1735689600000,"x":${inner}}]`;
  };
  it(`a valid file nested ${MAX_NESTING} levels is parsed; ${MAX_NESTING + 1} levels is item.too-deep at the first bracket past the limit`, () => {
    const ok = parseItemText(nested(MAX_NESTING), PATH);
    assert.equal(ok.parsed, true);
    assert.ok(!ok.findings.some((f) => f.code === 'item.too-deep'));
    const deep = nested(MAX_NESTING + 1);
    const h = parseItemText(deep, PATH);
    assert.equal(h.parsed, false);
    const f = h.findings.find((x) => x.code === 'item.too-deep');
    assert.ok(f, 'item.too-deep reported');
    const at = nestingDepthExceeds(deep, MAX_NESTING)!;
    assert.deepEqual(f.range, { start: { line: 0, character: at }, end: { line: 0, character: at + 1 } });
  });

  it('agrees with the text scan on random valid JSON', () => {
    fc.assert(
      fc.property(
        fc.letrec((tie) => ({
          v: fc.oneof(
            { depthSize: 'small' },
            fc.integer(),
            fc.string(),
            fc.array(tie('v'), { maxLength: 3 }),
            fc.dictionary(fc.string(), tie('v'), { maxKeys: 3 }),
          ),
        })).v,
        fc.nat(6),
        (v, limitBelow) => {
          const text = JSON.stringify([v]);
          const h = parseItemText(text, PATH);
          const scanDeep = nestingDepthExceeds(text, MAX_NESTING) !== undefined;
          assert.equal(
            h.findings.some((f) => f.code === 'item.too-deep'),
            scanDeep,
          );
          // And a wrapped copy pushed past the limit is caught whatever its shape.
          const wrapped = '['.repeat(MAX_NESTING - limitBelow) + text + ']'.repeat(MAX_NESTING - limitBelow);
          const w = parseItemText(wrapped, PATH);
          assert.equal(
            w.findings.some((f) => f.code === 'item.too-deep'),
            nestingDepthExceeds(wrapped, MAX_NESTING) !== undefined,
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('check fast path: transaction ids without a set', () => {
  const ids = (list: (number | undefined)[]): string[] => {
    const txs = list.map((id, i) => {
      const t = tx({
        'start-date': Date.UTC(2025, 0, 1 + i),
        'end-date': i + 1 < list.length ? Date.UTC(2025, 0, 2 + i) : null,
      });
      if (id === undefined) delete t['transaction-id'];
      else t['transaction-id'] = id;
      return t;
    });
    return analyzeItemText(JSON.stringify(txs), PATH, { now: NOW, fileItemId: 1 })
      .findings.filter((f) => f.code === 'item.bad-transaction-id')
      .map((f) => f.message);
  };
  it('reports duplicates, out-of-order and missing ids as before', () => {
    assert.deepEqual(ids([1, 2, 3]), []);
    assert.deepEqual(ids([1, 3, 2]), ['transaction id 2 comes after 3']);
    assert.deepEqual(ids([1, 3, 1]), ['transaction id 1 appears twice']);
    assert.deepEqual(ids([5, 5]), ['transaction id 5 appears twice']);
    assert.deepEqual(ids([1, undefined, 1]), [
      'transaction 2 has no "transaction-id"',
      'transaction id 1 appears twice',
    ]);
  });
});

describe('check fast path: DigestTable decodes its keys in place', () => {
  it('tells apart digests that differ only in the 16th character (the last one of the key)', () => {
    const t = new DigestTable();
    const base = encodeFsSafeBase64(Buffer.alloc(32, 7));
    const other = base.slice(0, 15) + (base[15] === 'A' ? 'B' : 'A') + base.slice(16);
    const s1 = t.slot(base);
    assert.equal(t.lookup(other), -1);
    const s2 = t.slot(other);
    assert.notEqual(s1, s2);
    assert.equal(t.lookup(base), s1);
    assert.equal(t.size, 2);
  });
});
