/**
 * Rules on a parsed history that need no other file: intervals, transaction ids,
 * ids, types, digests, dates. The coherency check and the language server both
 * call `checkHistory`, so a rule lives here once.
 */
// isDigestName is digest.ts's isValidDigest without decoding (test/check/digestName.test.ts keeps them in agreement).
import { formatMessageDate, formatSpan } from '../dates';
import { isDigestName } from '../digestName';
import { itemTypeName } from '../zimbra';
import type { JsonPointer, ItemHistory, Transaction } from './types';
import type { PendingFindings } from './parse';

export interface HistoryRuleContext {
  /** "Now" for future-date checks; dates beyond now + tolerance are reported. */
  now: number;
  /** Clock skew tolerated before a date counts as "in the future". */
  futureToleranceMs?: number;
}

const DAY = 86_400_000;

export function checkHistory(history: ItemHistory, pending: PendingFindings, ctx: HistoryRuleContext): void {
  const txs = history.transactions;
  const future = ctx.now + (ctx.futureToleranceMs ?? DAY);
  let firstType: number | undefined;
  let deletedSeen = false;
  let lastTid: number | undefined;

  // A plain loop with no per-call closures or sets: this runs for every item of a check.
  for (let i = 0; i < txs.length; i++) {
    const t = txs[i]!;
    // Transaction ids: present, unique, increasing. lastTid is the largest id so far, so
    // only an id not above it can repeat one: the earlier transactions are searched then.
    if (t.transactionId === undefined) {
      pending.add('item.bad-transaction-id', `transaction ${i + 1} has no "transaction-id"`, at(t));
    } else if (lastTid !== undefined && t.transactionId <= lastTid && seenBefore(txs, i, t.transactionId)) {
      pending.add(
        'item.bad-transaction-id',
        `transaction id ${t.transactionId} appears twice`,
        at(t, 'transaction-id'),
      );
    } else if (lastTid !== undefined && t.transactionId < lastTid) {
      pending.add(
        'item.bad-transaction-id',
        `transaction id ${t.transactionId} comes after ${lastTid}`,
        at(t, 'transaction-id'),
      );
    }
    if (t.transactionId !== undefined) lastTid = Math.max(lastTid ?? t.transactionId, t.transactionId);

    if (history.fileItemId !== undefined && t.itemId !== undefined && t.itemId !== history.fileItemId) {
      pending.add(
        'item.id-mismatch',
        `item id ${t.itemId} differs from the file name ${history.fileItemId}`,
        at(t, 'id'),
      );
    }
    if (t.type !== undefined) {
      if (itemTypeName(t.type) === undefined)
        pending.add('item.unknown-type', `unknown item type ${t.type}`, at(t, 'type'));
      if (firstType === undefined) firstType = t.type;
      else if (t.type !== firstType)
        pending.add('item.type-changed', `type changes from ${firstType} to ${t.type}`, at(t, 'type'));
    }
    if (typeof t.digest === 'string' && !isDigestName(t.digest)) {
      pending.add('item.bad-digest', `"${t.digest.slice(0, 70)}" is not a valid digest`, at(t, 'digest'));
    }

    // Interval rules.
    if (t.start !== undefined && t.end !== null && t.end < t.start) {
      pending.add(
        'item.end-before-start',
        `end-date is ${formatSpan(t.start - t.end)} before start-date`,
        at(t, 'end-date'),
      );
    }
    if (t.start !== undefined && t.start > future)
      pending.add('item.future-date', `start-date ${formatMessageDate(t.start)} is in the future`, at(t, 'start-date'));
    const next = txs[i + 1];
    if (next) {
      if (t.end === null) {
        pending.add(
          'item.missing-end-date',
          `transaction ${i + 1} is still open although transaction ${i + 2} follows`,
          at(t, 'end-date'),
        );
      } else if (next.start !== undefined) {
        if (next.start > t.end) {
          pending.add(
            'item.interval-gap',
            `no state from ${formatMessageDate(t.end)} to ${formatMessageDate(next.start)}`,
            at(next, 'start-date'),
          );
        } else if (next.start < t.end) {
          pending.add(
            'item.interval-overlap',
            `transactions ${i + 1} and ${i + 2} overlap by ${formatSpan(t.end - next.start)}`,
            at(next, 'start-date'),
          );
        }
      }
    } else if (t.end !== null && t.start !== undefined && t.end >= t.start) {
      pending.add('item.history-ends', `the last transaction ends at ${formatMessageDate(t.end)}`, at(t, 'end-date'));
    }

    if (t.deleted) deletedSeen = true;
    else if (deletedSeen) {
      pending.add('item.live-after-delete', `transaction ${i + 1} is live after a deletion (undelete)`, at(t));
      deletedSeen = false;
    }
  }
}

/** Where a finding on `t` points: the key when the transaction has it, else the transaction. */
function at(t: Transaction, key?: string): JsonPointer {
  return key && key in t.raw ? [t.index, key] : [t.index];
}

function seenBefore(txs: readonly Transaction[], i: number, id: number): boolean {
  for (let j = 0; j < i; j++) if (txs[j]!.transactionId === id) return true;
  return false;
}
