import { strict as assert } from 'node:assert';
import { formatSpan } from '../../src/engine/dates';
import { computeDigest } from '../../src/engine/digest';
import type { Finding, FindingCode, Range } from '../../src/engine/findings';
import { analyzeItemBytes, analyzeItemText } from '../../src/engine/item/analyze';
import { MAX_NESTING, parseItemBytes, parseItemText } from '../../src/engine/item/parse';

const PATH = 'accounts/0f9b3c2e-6a4d-4c55-9b1e-2d7f8a9c0e11/items/60/260';
const T0 = Date.UTC(2024, 0, 1, 10);
const T1 = Date.UTC(2024, 0, 2, 10);
const T2 = Date.UTC(2024, 0, 3, 10);
const NOW = Date.UTC(2024, 5, 1);
const DIGEST = computeDigest(Buffer.from('Subject: hello\r\n\r\nbody'));

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
    size: 22,
    digest: DIGEST,
    subject: 'Quarterly report',
    ...over,
  };
}

function text(txs: unknown[]): string {
  return JSON.stringify(txs, null, 2);
}

/**
 * Line/character of an offset, written independently of src/engine/text.ts so the
 * two can disagree: \r\n, \n and \r each end a line.
 */
function position(s: string, offset: number): Range['start'] {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (s[i] === '\n' || (s[i] === '\r' && s[i + 1] !== '\n')) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: offset - lineStart };
}

/** The range of the n-th occurrence of `needle` in `s`. */
function rangeOf(s: string, needle: string, nth = 0): Range {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = s.indexOf(needle, at + 1);
    assert.ok(at >= 0, `"${needle}" #${nth} not in the text`);
  }
  return { start: position(s, at), end: position(s, at + needle.length) };
}

/** The range of `value` written as the value of `"key": value` (n-th occurrence). */
function valueRange(s: string, key: string, value: string, nth = 0): Range {
  const whole = rangeOf(s, `"${key}": ${value}`, nth);
  const shift = key.length + 4;
  return { start: { ...whole.start, character: whole.start.character + shift }, end: whole.end };
}

function only(findings: Finding[], code: FindingCode): Finding {
  const hits = findings.filter((f) => f.code === code);
  assert.equal(
    hits.length,
    1,
    `expected one ${code}, got ${JSON.stringify(findings.map((f) => `${f.code}: ${f.message}`))}`,
  );
  return hits[0]!;
}

function codes(findings: Finding[]): string[] {
  return findings.map((f) => f.code).sort();
}

describe('item parser (tolerant)', () => {
  it('a documented file parses clean, every key normalised', () => {
    const h = parseItemText(
      text([
        tx({ 'end-date': T1 }),
        tx({ 'transaction-id': 2, 'start-date': T1, flags: 0, deleted: true, 'mod-metadata': 7, version: 1 }),
      ]),
      PATH,
      { fileItemId: 260 },
    );
    assert.deepEqual(h.findings, []);
    assert.equal(h.parsed, true);
    assert.equal(h.fileItemId, 260);
    const [a, b] = h.transactions;
    assert.equal(a?.start, T0);
    assert.equal(a?.end, T1);
    assert.equal(a?.digest, DIGEST);
    assert.deepEqual(a?.tags, ['work']);
    assert.equal(a?.deleted, false);
    assert.equal(b?.deleted, true);
    assert.equal(b?.end, null);
    assert.equal(b?.modMetadata, 7);
    assert.equal(b?.index, 1);
  });

  describe('unknown keys', () => {
    const src = text([tx({ 'x-sync-token': { a: [1] } })]);
    const h = parseItemText(src, PATH);
    it('are kept in extra', () => {
      assert.deepEqual(h.transactions[0]?.extra, { 'x-sync-token': { a: [1] } });
      assert.deepEqual(h.transactions[0]?.raw['x-sync-token'], { a: [1] });
    });
    it('are reported as item.unknown-field (info) with a range on the key', () => {
      const f = only(h.findings, 'item.unknown-field');
      assert.equal(f.severity, 'info');
      assert.equal(f.path, PATH);
      assert.deepEqual(f.range, rangeOf(src, '"x-sync-token"'));
      assert.match(f.message, /x-sync-token/);
    });
  });

  it('keys in any order give the same transaction', () => {
    const ordered = tx({ 'end-date': T1 });
    const reversed = Object.fromEntries(Object.entries(ordered).reverse());
    const a = parseItemText(text([ordered]), PATH).transactions[0]!;
    const b = parseItemText(text([reversed]), PATH).transactions[0]!;
    assert.deepEqual({ ...a, raw: undefined }, { ...b, raw: undefined });
  });

  it('a UTF-8 BOM is accepted and ranges count from after it, as an editor shows the text', () => {
    const src = text([tx({ 'x-extra': 1 })]);
    const plain = parseItemText(src, PATH);
    const bom = parseItemText('\ufeff' + src, PATH);
    assert.deepEqual(bom.findings, plain.findings);
    assert.deepEqual(
      bom.transactions.map((t) => t.start),
      [T0],
    );
    const bytes = parseItemBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(src)]), PATH);
    assert.deepEqual(bytes.findings, plain.findings);
  });

  it('CRLF line ends: accepted, and ranges are right on the CRLF text', () => {
    const lf = text([tx(), tx({ 'transaction-id': 2, 'x-extra': true })]);
    const crlf = lf.replace(/\n/g, '\r\n');
    const f = only(parseItemText(crlf, PATH).findings, 'item.unknown-field');
    assert.deepEqual(f.range, rangeOf(crlf, '"x-extra"'));
    // The same line and character as in the LF text: a CR is not a character of the line.
    assert.deepEqual(f.range, rangeOf(lf, '"x-extra"'));
    assert.ok(f.range!.start.line > 20);
  });

  describe('dates', () => {
    it('epoch seconds are converted, with item.date-in-seconds on the value', () => {
      const src = text([tx({ 'start-date': 1704103200, 'end-date': 1704189600 })]);
      const h = parseItemText(src, PATH);
      assert.equal(h.transactions[0]?.start, 1704103200000);
      assert.equal(h.transactions[0]?.end, 1704189600000);
      const found = h.findings.filter((f) => f.code === 'item.date-in-seconds');
      assert.deepEqual(
        found.map((f) => f.range),
        [valueRange(src, 'start-date', '1704103200'), valueRange(src, 'end-date', '1704189600')],
      );
      assert.ok(found.every((f) => f.severity === 'warning'));
    });
    it('ISO and zxsuite date strings are read (as UTC), with item.date-as-string', () => {
      const src = text([tx({ 'start-date': '2024-01-01T10:00:00Z', 'end-date': '02/01/2024 10:00:00' })]);
      const h = parseItemText(src, PATH);
      assert.equal(h.transactions[0]?.start, T0);
      assert.equal(h.transactions[0]?.end, T1);
      const found = h.findings.filter((f) => f.code === 'item.date-as-string');
      assert.deepEqual(
        found.map((f) => f.range),
        [valueRange(src, 'start-date', '"2024-01-01T10:00:00Z"'), valueRange(src, 'end-date', '"02/01/2024 10:00:00"')],
      );
    });
    for (const sentinel of ['-1', '0', '9223372036854775807', '253402300800000']) {
      it(`end-date ${sentinel} means "still valid" (item.end-date-sentinel, info)`, () => {
        const src = text([tx()]).replace('"end-date": null', `"end-date": ${sentinel}`);
        const h = parseItemText(src, PATH);
        assert.equal(h.transactions[0]?.end, null);
        const f = only(h.findings, 'item.end-date-sentinel');
        assert.equal(f.severity, 'info');
        assert.deepEqual(f.range, valueRange(src, 'end-date', sentinel));
      });
    }
    it('a negative end-date other than -1 is reported, not read silently as "still valid"', () => {
      const src = text([tx({ 'end-date': -5 })]);
      const h = parseItemText(src, PATH);
      assert.equal(h.transactions[0]?.end, null);
      assert.deepEqual(only(h.findings, 'item.schema').range, valueRange(src, 'end-date', '-5'));
    });
    it('a start-date that is not a date: item.missing-start-date on the value', () => {
      for (const bad of ['"soon"', '-5', 'true', '[]']) {
        const src = text([tx()]).replace(`"start-date": ${T0}`, `"start-date": ${bad}`);
        const h = parseItemText(src, PATH);
        assert.equal(h.transactions[0]?.start, undefined);
        const f = only(h.findings, 'item.missing-start-date');
        assert.equal(f.severity, 'error');
        assert.deepEqual(f.range?.start, valueRange(src, 'start-date', bad).start, bad);
      }
    });
    it('no start-date at all: item.missing-start-date on the transaction', () => {
      const t = tx();
      delete t['start-date'];
      const src = text([t]);
      const f = only(parseItemText(src, PATH).findings, 'item.missing-start-date');
      assert.deepEqual(f.range?.start, rangeOf(src, '{').start);
    });
  });

  describe('other tolerated shapes', () => {
    it('type given as a name is mapped to its code (item.type-as-name, info)', () => {
      const src = text([tx({ type: 'Message' })]);
      const h = parseItemText(src, PATH);
      assert.equal(h.transactions[0]?.type, 5);
      const f = only(h.findings, 'item.type-as-name');
      assert.equal(f.severity, 'info');
      assert.deepEqual(f.range, rangeOf(src, '"Message"'));
      assert.equal(parseItemText(text([tx({ type: 'folder' })]), PATH).transactions[0]?.type, 1);
    });
    it('an unknown type name is item.unknown-type and leaves the type unset', () => {
      const h = parseItemText(text([tx({ type: 'hologram' })]), PATH);
      assert.equal(h.transactions[0]?.type, undefined);
      only(h.findings, 'item.unknown-type');
    });
    it('tags as a comma-separated string are split (item.tags-as-string, info)', () => {
      const src = text([tx({ tags: 'work, urgent,, x ' })]);
      const h = parseItemText(src, PATH);
      assert.deepEqual(h.transactions[0]?.tags, ['work', 'urgent', 'x']);
      assert.deepEqual(only(h.findings, 'item.tags-as-string').range, rangeOf(src, '"work, urgent,, x "'));
    });
    it('values of the wrong type are item.schema warnings on the value, and the rest is read', () => {
      const src = text([tx({ size: 'big', id: 2.5, deleted: 'yes', tags: [1], subject: 7 })]);
      const h = parseItemText(src, PATH);
      const schema = h.findings.filter((f) => f.code === 'item.schema');
      assert.equal(schema.length, 5);
      assert.ok(schema.every((f) => f.severity === 'warning'));
      assert.deepEqual(schema.find((f) => f.message.includes('"size"'))?.range, rangeOf(src, '"big"'));
      const t = h.transactions[0]!;
      assert.equal(t.size, undefined);
      assert.equal(t.itemId, undefined);
      assert.equal(t.deleted, false);
      assert.equal(t.start, T0);
      assert.equal(t.folderId, 2);
    });
    it('digest null is "no BLOB", not an error', () => {
      const h = analyzeItemText(text([tx({ digest: null })]), PATH, { now: NOW });
      assert.equal(h.transactions[0]?.digest, null);
      assert.deepEqual(h.findings, []);
    });
  });

  describe('what is not item metadata', () => {
    const cases: [string, string, string, Range['start']][] = [
      ['trailing comma', '[\n  {"a": 1,}\n]', 'item.invalid-json', { line: 1, character: 10 }],
      ['missing comma', '[\n  {"a": 1}\n  {"b": 2}\n]', 'item.invalid-json', { line: 2, character: 2 }],
      ['bad literal', '[{"a": tru}]', 'item.invalid-json', { line: 0, character: 7 }],
      ['two values', '[1] [2]', 'item.invalid-json', { line: 0, character: 4 }],
      ['unclosed', '[{"a": 1}', 'item.invalid-json', { line: 0, character: 9 }],
      ['bad escape', '[{"subject": "\\uZZZZ"}]', 'item.invalid-json', { line: 0, character: 13 }],
      ['CRLF before the error', '[\r\n{"a": 1},\r\n{"b" 2}]', 'item.invalid-json', { line: 2, character: 5 }],
      ['empty file', '', 'item.invalid-json', { line: 0, character: 0 }],
      ['blank file', '  \n ', 'item.invalid-json', { line: 1, character: 1 }],
    ];
    for (const [what, src, code, start] of cases) {
      it(`${what}: ${code} at line ${start.line + 1}, character ${start.character + 1}`, () => {
        const h = parseItemText(src, PATH);
        assert.equal(h.parsed, false);
        assert.deepEqual(h.transactions, []);
        assert.ok(h.findings.length >= 1);
        assert.ok(h.findings.every((f) => f.code === code && f.severity === 'error' && f.path === PATH));
        assert.deepEqual(h.findings[0]?.range?.start, start);
        assert.match(h.findings[0]!.message, new RegExp(`line ${start.line + 1}`));
      });
    }

    it('not UTF-8: item.not-utf8 naming the offset of the first bad byte', () => {
      const cases: [number[], number][] = [
        [[0x5b, 0xff, 0x5d], 1],
        [[...Buffer.from('[{"subject": "caf'), 0xe9, ...Buffer.from('"}]')], 17],
        // Multi-byte characters before the bad byte: a prefix cut inside one is not the error.
        [[...Buffer.from('["été', 'utf8'), 0xc3, 0x28, ...Buffer.from('"]')], 7],
        [[...Buffer.from('["\uFFFD', 'utf8'), 0xed, 0xa0, 0x80, ...Buffer.from('"]')], 5],
        [[0x5b, 0xe2, 0x82], 1],
      ];
      for (const [bytes, offset] of cases) {
        const h = parseItemBytes(Uint8Array.from(bytes), PATH);
        assert.equal(h.parsed, false);
        const f = only(h.findings, 'item.not-utf8');
        assert.equal(f.severity, 'error');
        assert.match(
          f.message,
          new RegExp(`offset ${offset}\\)`),
          `${Buffer.from(bytes).toString('hex')}: ${f.message}`,
        );
        assert.deepEqual(analyzeItemBytes(Uint8Array.from(bytes), PATH).findings, h.findings);
      }
    });

    it(`deep nesting (100 000 '[') is item.too-deep, not a stack overflow`, () => {
      for (const src of ['['.repeat(100_000), '{"a":'.repeat(100_000), '['.repeat(100_000) + ']'.repeat(100_000)]) {
        const h = analyzeItemText(src, PATH);
        const f = only(h.findings, 'item.too-deep');
        assert.equal(h.parsed, false);
        // The bracket that goes one level past the limit.
        assert.equal(f.range?.start.character, src.startsWith('[') ? MAX_NESTING : MAX_NESTING * 5);
      }
      assert.equal(
        only(parseItemBytes(Buffer.from('['.repeat(100_000)), PATH).findings, 'item.too-deep').severity,
        'error',
      );
    });
    it(`${MAX_NESTING} levels are allowed; brackets inside strings do not count`, () => {
      const deep = '['.repeat(MAX_NESTING) + ']'.repeat(MAX_NESTING);
      assert.deepEqual(codes(parseItemText(deep, PATH).findings), ['item.not-object']);
      const inString = text([tx({ subject: '['.repeat(1000) + '{'.repeat(1000) + '\\"' })]);
      assert.deepEqual(parseItemText(inString, PATH).findings, []);
    });

    for (const [src, found] of [
      ['{}', 'an object'],
      ['"[]"', 'a string'],
      ['42', 'number 42'],
      ['null', 'null'],
    ]) {
      it(`${src} is item.not-array on the whole value`, () => {
        const f = only(parseItemText(src!, PATH).findings, 'item.not-array');
        assert.deepEqual(f.range, rangeOf(src!, src!));
        assert.ok(f.message.includes(found!), f.message);
      });
    }
    it('[] is item.empty-history', () => {
      assert.deepEqual(codes(parseItemText('[]', PATH).findings), ['item.empty-history']);
    });
    it('elements that are not objects are item.not-object each, and the objects are still read', () => {
      const src = text([1, null, [], tx()]);
      const h = parseItemText(src, PATH);
      assert.deepEqual(codes(h.findings), ['item.not-object', 'item.not-object', 'item.not-object']);
      assert.equal(h.transactions.length, 1);
      assert.equal(h.transactions[0]?.index, 3);
    });
  });
});

describe('item rules (checkHistory through analyzeItemText)', () => {
  const analyze = (txs: unknown[], opts: { fileItemId?: number; futureToleranceMs?: number } = {}) => {
    const src = text(txs);
    return { src, findings: analyzeItemText(src, PATH, { now: NOW, fileItemId: 260, ...opts }).findings };
  };

  it('a clean history (live, deleted, undeleted) has only the undelete note', () => {
    const { findings } = analyze([
      tx({ 'end-date': T1 }),
      tx({ 'transaction-id': 2, 'start-date': T1, 'end-date': T2, deleted: true }),
      tx({ 'transaction-id': 3, 'start-date': T2 }),
    ]);
    assert.deepEqual(codes(findings), ['item.live-after-delete']);
    assert.equal(findings[0]?.severity, 'info');
  });
  it('a single open transaction is clean', () => {
    assert.deepEqual(analyze([tx()]).findings, []);
  });

  it('gap: item.interval-gap (warning) on the next start-date', () => {
    const { src, findings } = analyze([tx({ 'end-date': T1 }), tx({ 'transaction-id': 2, 'start-date': T2 })]);
    const f = only(findings, 'item.interval-gap');
    assert.equal(f.severity, 'warning');
    assert.deepEqual(f.range, valueRange(src, 'start-date', String(T2)));
  });
  it('overlap: item.interval-overlap (error) on the next start-date, with its length', () => {
    const { src, findings } = analyze([tx({ 'end-date': T2 }), tx({ 'transaction-id': 2, 'start-date': T1 })]);
    const f = only(findings, 'item.interval-overlap');
    assert.equal(f.severity, 'error');
    assert.deepEqual(f.range, valueRange(src, 'start-date', String(T1)));
    assert.match(f.message, new RegExp(`overlap by ${formatSpan(T2 - T1)}$`));
  });
  it('end before start: item.end-before-start on the end-date', () => {
    const { src, findings } = analyze([tx({ 'start-date': T1, 'end-date': T0 })]);
    assert.deepEqual(only(findings, 'item.end-before-start').range, valueRange(src, 'end-date', String(T0)));
    assert.ok(!findings.some((f) => f.code === 'item.history-ends'));
  });
  it('an open transaction that is not the last: item.missing-end-date', () => {
    const { src, findings } = analyze([tx(), tx({ 'transaction-id': 2, 'start-date': T1 })]);
    assert.deepEqual(only(findings, 'item.missing-end-date').range, valueRange(src, 'end-date', 'null'));
  });
  it('a closed last transaction: item.history-ends (info)', () => {
    const f = only(analyze([tx({ 'end-date': T1 })]).findings, 'item.history-ends');
    assert.equal(f.severity, 'info');
  });

  describe('transaction ids', () => {
    it('duplicated', () => {
      const { src, findings } = analyze([tx({ 'end-date': T1 }), tx({ 'start-date': T1 })]);
      const f = only(findings, 'item.bad-transaction-id');
      assert.match(f.message, /appears twice/);
      assert.deepEqual(f.range, valueRange(src, 'transaction-id', '1', 1));
    });
    it('out of order', () => {
      const { findings } = analyze([
        tx({ 'transaction-id': 2, 'end-date': T1 }),
        tx({ 'transaction-id': 1, 'start-date': T1 }),
      ]);
      assert.match(only(findings, 'item.bad-transaction-id').message, /comes after 2/);
    });
    it('missing', () => {
      const t = tx();
      delete t['transaction-id'];
      const { src, findings } = analyze([t]);
      const f = only(findings, 'item.bad-transaction-id');
      assert.match(f.message, /no "transaction-id"/);
      assert.deepEqual(f.range?.start, rangeOf(src, '{').start);
    });
    it('gaps in the numbering are fine', () => {
      assert.deepEqual(
        analyze([tx({ 'transaction-id': 3, 'end-date': T1 }), tx({ 'transaction-id': 10, 'start-date': T1 })]).findings,
        [],
      );
    });
  });

  it('id mismatch with the file name: item.id-mismatch on the id', () => {
    const { src, findings } = analyze([tx({ id: 261 })]);
    const f = only(findings, 'item.id-mismatch');
    assert.equal(f.severity, 'error');
    assert.deepEqual(f.range, valueRange(src, 'id', '261'));
    assert.deepEqual(analyzeItemText(src, PATH, { now: NOW }).findings, [], 'no file id known: nothing to compare');
  });
  it('unknown type code: item.unknown-type (warning)', () => {
    const f = only(analyze([tx({ type: 99 })]).findings, 'item.unknown-type');
    assert.equal(f.severity, 'warning');
  });
  it('type changed between transactions: item.type-changed on the later type', () => {
    const { src, findings } = analyze([tx({ 'end-date': T1 }), tx({ 'transaction-id': 2, 'start-date': T1, type: 6 })]);
    assert.deepEqual(only(findings, 'item.type-changed').range, valueRange(src, 'type', '6'));
  });
  it('bad digest: item.bad-digest (error) on the value; SHA-384 and null are fine', () => {
    for (const bad of ['abc', '../../etc/passwd', DIGEST.replace(',', '/'), DIGEST.slice(0, 42) + 'V=']) {
      const { src, findings } = analyze([tx({ digest: bad })]);
      const f = only(findings, 'item.bad-digest');
      assert.equal(f.severity, 'error');
      assert.deepEqual(f.range, valueRange(src, 'digest', JSON.stringify(bad)));
    }
    assert.deepEqual(analyze([tx({ digest: computeDigest(Buffer.from('x'), 'sha384') })]).findings, []);
  });
  it('future date: beyond now + one day by default, or the given tolerance', () => {
    const DAY = 86_400_000;
    assert.deepEqual(analyze([tx({ 'start-date': NOW + DAY })]).findings, []);
    const { src, findings } = analyze([tx({ 'start-date': NOW + DAY + 1 })]);
    const f = only(findings, 'item.future-date');
    assert.equal(f.severity, 'warning');
    assert.deepEqual(f.range, valueRange(src, 'start-date', String(NOW + DAY + 1)));
    assert.deepEqual(codes(analyze([tx({ 'start-date': NOW + 1 })], { futureToleranceMs: 0 }).findings), [
      'item.future-date',
    ]);
  });
  it('live after delete: item.live-after-delete (info) on the undeleting transaction, once per undelete', () => {
    const { findings } = analyze([
      tx({ 'end-date': T1 }),
      tx({ 'transaction-id': 2, 'start-date': T1, 'end-date': T2, deleted: true }),
      tx({ 'transaction-id': 3, 'start-date': T2, 'end-date': T2 + 1000 }),
      tx({ 'transaction-id': 4, 'start-date': T2 + 1000, 'end-date': T2 + 2000, deleted: true }),
      tx({ 'transaction-id': 5, 'start-date': T2 + 2000 }),
    ]);
    assert.deepEqual(codes(findings), ['item.live-after-delete', 'item.live-after-delete']);
  });
  it('every rule finding carries the file path and a range', () => {
    const { findings } = analyze([
      tx({ 'transaction-id': 2, id: 1, 'end-date': T2 }),
      tx({ 'transaction-id': 1, 'start-date': T1, type: 99, digest: 'x' }),
    ]);
    assert.ok(findings.length >= 5);
    for (const f of findings) {
      assert.equal(f.path, PATH);
      assert.ok(f.range, `${f.code} has no range`);
      assert.ok(f.remedy.length > 0);
    }
  });
});
