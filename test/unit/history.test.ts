import { strict as assert } from 'node:assert';
import { parseItemText } from '../../src/engine/item/parse';
import { firstTransaction, lastTransaction, lifeSpan, stateAt, transactionAt } from '../../src/engine/item/history';
import type { ItemHistory } from '../../src/engine/item/types';

const T0 = Date.UTC(2024, 0, 1, 10); // created
const T1 = Date.UTC(2024, 0, 2, 10); // deleted
const T2 = Date.UTC(2024, 0, 5, 10); // undeleted
const PATH = 'accounts/0f9b3c2e-6a4d-4c55-9b1e-2d7f8a9c0e11/items/60/260';

interface Tx {
  start: number;
  end: number | null;
  deleted?: boolean;
  subject?: string;
}

/** Through the real parser, so the tests see what the engine sees. */
function history(txs: Tx[]): ItemHistory {
  const json = txs.map((t, i) => ({
    'transaction-id': i + 1,
    'start-date': t.start,
    'end-date': t.end,
    id: 260,
    type: 5,
    'folder-id': 2,
    subject: t.subject ?? `v${i + 1}`,
    ...(t.deleted ? { deleted: true } : {}),
  }));
  const h = parseItemText(JSON.stringify(json, null, 2), PATH, { fileItemId: 260 });
  assert.deepEqual(h.findings, []);
  return h;
}

const at = (t: number) => ({ kind: 'instant' as const, at: t });

describe('item history: point-in-time state', () => {
  // live [T0, T1), deleted [T1, T2), live again [T2, open)
  const undeleted = history([
    { start: T0, end: T1, subject: 'created' },
    { start: T1, end: T2, deleted: true, subject: 'deleted' },
    { start: T2, end: null, subject: 'undeleted' },
  ]);

  it('1 ms before the first start-date: not yet', () => {
    assert.deepEqual(stateAt(undeleted, at(T0 - 1)), { status: 'not-yet' });
    assert.equal(transactionAt(undeleted, T0 - 1), undefined);
  });
  it('exactly at the first start-date: live (start is inclusive)', () => {
    const s = stateAt(undeleted, at(T0));
    assert.equal(s.status, 'live');
    assert.equal(s.transaction?.subject, 'created');
  });
  it('1 ms before an end-date: still the same transaction', () => {
    assert.equal(stateAt(undeleted, at(T1 - 1)).transaction?.subject, 'created');
  });
  it('exactly at an end-date: the next transaction (end is exclusive)', () => {
    const s = stateAt(undeleted, at(T1));
    assert.equal(s.status, 'deleted');
    assert.equal(s.transaction?.subject, 'deleted');
  });
  it('after the deletion: deleted', () => {
    assert.equal(stateAt(undeleted, at(T1 + 1000)).status, 'deleted');
    assert.equal(stateAt(undeleted, at(T2 - 1)).status, 'deleted');
  });
  it('after the undelete: live again, for ever while the last transaction is open', () => {
    assert.equal(stateAt(undeleted, at(T2)).status, 'live');
    assert.equal(stateAt(undeleted, at(T2)).transaction?.subject, 'undeleted');
    assert.equal(stateAt(undeleted, at(Date.UTC(9999, 0, 1))).status, 'live');
  });
  it('first: the first transaction', () => {
    const s = stateAt(undeleted, { kind: 'first' });
    assert.equal(s.status, 'live');
    assert.equal(s.transaction?.subject, 'created');
  });
  it('last: the open last transaction', () => {
    const s = stateAt(undeleted, { kind: 'last' });
    assert.equal(s.status, 'live');
    assert.equal(s.transaction?.subject, 'undeleted');
  });
  it('last on an item that ends deleted: deleted', () => {
    const h = history([
      { start: T0, end: T1 },
      { start: T1, end: null, deleted: true, subject: 'gone' },
    ]);
    assert.equal(stateAt(h, { kind: 'last' }).status, 'deleted');
    assert.deepEqual(lifeSpan(h), { created: T0, deletedAt: T1 });
  });

  describe('a gap between two transactions', () => {
    const gap = history([
      { start: T0, end: T1, subject: 'a' },
      { start: T2, end: null, subject: 'b' },
    ]);
    it('inside the gap: no state (the item existed but nothing is recorded)', () => {
      assert.deepEqual(stateAt(gap, at(T1)), { status: 'no-state' });
      assert.deepEqual(stateAt(gap, at(T2 - 1)), { status: 'no-state' });
    });
    it('at the edges of the gap: the neighbours', () => {
      assert.equal(stateAt(gap, at(T1 - 1)).transaction?.subject, 'a');
      assert.equal(stateAt(gap, at(T2)).transaction?.subject, 'b');
    });
  });

  describe('a closed last transaction (history ends)', () => {
    const ends = history([
      { start: T0, end: T1, subject: 'a' },
      { start: T1, end: T2, subject: 'b' },
    ]);
    it('after its end-date: no state, not "not yet"', () => {
      assert.deepEqual(stateAt(ends, at(T2)), { status: 'no-state' });
      assert.deepEqual(stateAt(ends, at(T2 + 86_400_000)), { status: 'no-state' });
    });
    it('last: no state, with the closed transaction for context', () => {
      const s = stateAt(ends, { kind: 'last' });
      assert.equal(s.status, 'no-state');
      assert.equal(s.transaction?.subject, 'b');
    });
    it('lifeSpan: created, and no deletion (the history just ends)', () => {
      assert.deepEqual(lifeSpan(ends), { created: T0 });
    });
  });

  describe('overlapping transactions (a corrupted file)', () => {
    const overlap = history([
      { start: T0, end: T2, subject: 'long' },
      { start: T1, end: null, subject: 'later' },
    ]);
    it('before the overlap: the only transaction that holds', () => {
      assert.equal(transactionAt(overlap, T1 - 1)?.subject, 'long');
    });
    it('inside the overlap: the later transaction in file order wins', () => {
      assert.equal(transactionAt(overlap, T1)?.subject, 'later');
      assert.equal(transactionAt(overlap, T2 - 1)?.subject, 'later');
    });
    it('after the overlap', () => {
      assert.equal(transactionAt(overlap, T2)?.subject, 'later');
    });
  });

  describe('transactions out of file order', () => {
    const shuffled = history([
      { start: T2, end: null, subject: 'third' },
      { start: T0, end: T1, subject: 'first' },
      { start: T1, end: T2, subject: 'second' },
    ]);
    it('first and last go by start-date, not by position', () => {
      assert.equal(firstTransaction(shuffled)?.subject, 'first');
      assert.equal(lastTransaction(shuffled)?.subject, 'third');
      assert.equal(stateAt(shuffled, at(T1 + 1)).transaction?.subject, 'second');
    });
  });

  it('an empty or unparsable history is "not yet" at any point', () => {
    for (const text of ['[]', '{', '[1, 2]']) {
      const h = parseItemText(text, PATH);
      assert.deepEqual(stateAt(h, at(T0)), { status: 'not-yet' });
      assert.deepEqual(stateAt(h, { kind: 'first' }), { status: 'not-yet' });
      assert.deepEqual(stateAt(h, { kind: 'last' }), { status: 'not-yet' });
      assert.deepEqual(lifeSpan(h), {});
    }
  });

  it('a transaction without a start-date is never selected', () => {
    const h = parseItemText(
      JSON.stringify([
        { 'transaction-id': 1, 'end-date': T1, id: 260, type: 5, subject: 'no start' },
        { 'transaction-id': 2, 'start-date': T1, 'end-date': null, id: 260, type: 5, subject: 'ok' },
      ]),
      PATH,
    );
    assert.equal(h.transactions.length, 2);
    assert.deepEqual(stateAt(h, at(T0)), { status: 'not-yet' });
    assert.equal(stateAt(h, { kind: 'first' }).transaction?.subject, 'ok');
    assert.equal(stateAt(h, at(T1)).transaction?.subject, 'ok');
  });
});
