/**
 * Item metadata (docs/backup-format.md §2): typed transactions → the JSON text of an item
 * file, with the keys and encodings src/engine/item/parse.ts reads and
 * schemas/item.schema.json describes. Field names are those of the parser's Transaction.
 */
import { isValidDigest } from '../digest';
import type { Transaction } from '../item/types';
import { FormatError } from './errors';

type Optional = Omit<Transaction, 'index' | 'transactionId' | 'start' | 'end' | 'type' | 'deleted' | 'extra' | 'raw'>;

/** One transaction to write: a snapshot valid from `start` (inclusive) to `end` (exclusive, null = open). */
export interface TransactionValues extends Partial<Optional> {
  transactionId: number;
  /** Epoch ms. */
  start: number;
  /** Epoch ms, or null while still valid. */
  end: number | null;
  type: number;
  /** Written only when true: an absent key reads as false. */
  deleted?: boolean;
  /** Keys the format does not know (kept by a restore), written after the known ones. */
  extra?: Record<string, unknown>;
}

/** File keys in the order they are written; `id` comes from itemId or nodeId. */
export const TRANSACTION_KEYS = [
  ['transactionId', 'transaction-id'],
  ['start', 'start-date'],
  ['end', 'end-date'],
  ['id', 'id'],
  ['type', 'type'],
  ['folderId', 'folder-id'],
  ['parentId', 'parent-id'],
  ['name', 'name'],
  ['subject', 'subject'],
  ['sender', 'sender'],
  ['recipients', 'recipients'],
  ['date', 'date'],
  ['size', 'size'],
  ['digest', 'digest'],
  ['flags', 'flags'],
  ['tags', 'tags'],
  ['color', 'color'],
  ['version', 'version'],
  ['modMetadata', 'mod-metadata'],
  ['modContent', 'mod-content'],
  ['changeDate', 'change-date'],
  ['deleted', 'deleted'],
  ['metadata', 'metadata'],
] as const;

/** Every key of a transaction the format documents (the parser reports others as item.unknown-field). */
export const TRANSACTION_FILE_KEYS: ReadonlySet<string> = new Set(TRANSACTION_KEYS.map(([, k]) => k));
const INT_FIELDS = [
  'transactionId',
  'start',
  'type',
  'folderId',
  'parentId',
  'date',
  'size',
  'flags',
  'color',
  'version',
  'modMetadata',
  'modContent',
  'changeDate',
] as const;
const STRING_FIELDS = ['name', 'subject', 'sender', 'recipients', 'metadata'] as const;

/** The object written for one transaction (key order fixed; undefined fields left out). */
export function transactionObject(t: TransactionValues): Record<string, unknown> {
  check(t);
  const o: Record<string, unknown> = {};
  for (const [field, key] of TRANSACTION_KEYS) {
    let v: unknown;
    if (field === 'id') v = t.nodeId ?? t.itemId;
    else if (field === 'deleted') v = t.deleted === true ? true : undefined;
    else if (field === 'end') v = t.end;
    else v = t[field];
    if (v !== undefined) o[key] = v;
  }
  for (const [k, v] of Object.entries(t.extra ?? {})) o[k] = v;
  return o;
}

/** The JSON text of an item file: the array of transactions, 2-space indentation, trailing newline. */
export function serializeItem(txs: readonly TransactionValues[]): string {
  return serializeObjects(txs.map(transactionObject));
}

export function serializeObjects(objects: readonly Record<string, unknown>[]): string {
  return JSON.stringify(objects, null, 2) + '\n';
}

/**
 * Builds a chained history from snapshots: transaction ids 1, 2, …; each end-date is the
 * next start-date and the last stays open (docs/backup-format.md §2.1).
 */
export function chainTransactions(
  snapshots: readonly Omit<TransactionValues, 'transactionId' | 'end'>[],
): TransactionValues[] {
  return snapshots.map((s, i) => ({ ...s, transactionId: i + 1, end: snapshots[i + 1]?.start ?? null }));
}

/**
 * `history` with `next` appended: the last transaction, if open, is closed at next.start;
 * next gets the following transaction id. Refused when next does not start after the
 * last start, or when the last was closed at another instant (a gap or an overlap).
 */
export function appendTransaction(
  history: readonly TransactionValues[],
  next: Omit<TransactionValues, 'transactionId'>,
): TransactionValues[] {
  const last = history[history.length - 1];
  const out = history.slice();
  if (last) {
    assertAppendable(last.start, last.end, next.start);
    out[out.length - 1] = { ...last, end: next.start };
  }
  const id = history.reduce((m, t) => Math.max(m, t.transactionId), 0) + 1;
  out.push({ ...next, transactionId: id });
  return out;
}

/** The rule of appendTransaction for one last transaction (also used on raw files). */
export function assertAppendable(lastStart: number | undefined, lastEnd: number | null, start: number): void {
  if (lastStart === undefined || !(start > lastStart)) {
    throw new FormatError(
      'format.not-after-last',
      `a new transaction must start after the last one (${lastStart ?? 'no start-date'}), not at ${start}`,
    );
  }
  if (lastEnd !== null && lastEnd !== start) {
    throw new FormatError(
      'format.not-after-last',
      `the last transaction ends at ${lastEnd}; a new one starting at ${start} would leave a ${lastEnd < start ? 'gap' : 'overlap'}`,
    );
  }
}

function check(t: TransactionValues): void {
  const bad = (what: string): never => {
    throw new FormatError('format.bad-value', `transaction ${t.transactionId}: ${what}`);
  };
  for (const f of INT_FIELDS) {
    const v = t[f];
    if (v !== undefined && !Number.isSafeInteger(v)) bad(`${f} must be an integer, not ${String(v)}`);
  }
  if (t.transactionId < 1) bad('transactionId must be ≥ 1');
  if (t.end !== null && (!Number.isSafeInteger(t.end) || t.end <= t.start))
    bad(`end ${t.end} must be an integer after start ${t.start}`);
  for (const f of STRING_FIELDS) if (t[f] !== undefined && typeof t[f] !== 'string') bad(`${f} must be a string`);
  if (t.itemId !== undefined && t.nodeId !== undefined) bad('give itemId or nodeId, not both');
  if (t.itemId !== undefined && !Number.isSafeInteger(t.itemId)) bad('itemId must be an integer');
  if (t.tags !== undefined && !(Array.isArray(t.tags) && t.tags.every((x) => typeof x === 'string')))
    bad('tags must be strings');
  // Faults write bad digests on purpose through serializeObjects, never through here.
  if (t.digest !== undefined && t.digest !== null && !isValidDigest(t.digest))
    bad(`"${t.digest}" is not a valid digest`);
  for (const k of Object.keys(t.extra ?? {})) if (TRANSACTION_FILE_KEYS.has(k)) bad(`extra key "${k}" is a known key`);
}
