/** One format for instants and spans in findings' messages, and an account's standing at a past date (issue 14 §9). */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { formatIso, formatMessageDate, formatSpan } from '../../src/engine/dates';
import { analyzeItemText } from '../../src/engine';
import { accountStatusAt } from '../../src/engine/pointInTime';

describe('dates in messages', () => {
  it('formatMessageDate is formatIso in UTC (no milliseconds when there are none)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (ms) => {
        assert.equal(formatMessageDate(ms), formatIso(ms, 'UTC'));
      }),
    );
    assert.equal(formatMessageDate(Date.UTC(2026, 6, 23, 0, 35, 18)), '2026-07-23T00:35:18Z');
  });

  it('formatSpan names every non-zero unit, never a bare count of milliseconds', () => {
    assert.equal(formatSpan(3_600_000), '1 h');
    assert.equal(formatSpan(90_061_001), '1 d 1 h 1 min 1 s 1 ms');
    assert.equal(formatSpan(250), '250 ms');
    assert.equal(formatSpan(0), '0 ms');
    assert.equal(formatSpan(-60_000), '-1 min');
  });

  it('an overlap and a gap say their dates and spans in these formats', () => {
    const tx = (id: number, start: number, end: number | null) =>
      `{"id":${id},"item-id":300,"type":5,"folder-id":2,"start-date":${start},"end-date":${end ?? 'null'},"deleted":false,"flags":0}`;
    const h = Date.UTC(2024, 0, 1);
    const text = `[${tx(1, h, h + 7_200_000)},${tx(2, h + 3_600_000, h + 9_000_000)},${tx(3, h + 10_800_000, null)}]`;
    const messages = analyzeItemText(text, 'accounts/x/items/00/300').findings.map((f) => f.message);
    assert.ok(
      messages.some((m) => m.includes('overlap by 1 h')),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((m) => m.includes('no state from 2024-01-01T02:30:00Z to 2024-01-01T03:00:00Z')),
      messages.join('\n'),
    );
    assert.ok(!messages.some((m) => /\d ms\b|\.000Z/.test(m)), messages.join('\n'));
  });
});

describe("an account's status at a date", () => {
  const created = Date.UTC(2023, 0, 1);
  const deleted = Date.UTC(2024, 0, 1);
  it('does not show a later status for an earlier date', () => {
    const a = { status: 'closed', createdDate: created, deletedDate: deleted };
    assert.equal(accountStatusAt(a, created - 1), 'not created yet at that date');
    assert.match(accountStatusAt(a, deleted - 1), /^existed, not yet deleted/);
    assert.equal(accountStatusAt(a, deleted), 'deleted (was closed)');
    assert.equal(accountStatusAt(a, undefined), 'deleted (was closed)');
    assert.match(accountStatusAt({ status: 'active', createdDate: created }, deleted), /^active \(the status recorded/);
  });
});
