/**
 * One item's transactions (docs/backup-format.md §2): each change is a full snapshot;
 * end-dates chain to the next start-date and the last one stays open (null).
 */
import { chainTransactions, serializeItem, type TransactionValues } from '../format';
import { START_DATE } from './timeline';

/** What a snapshot holds besides its interval, id and type (the format's field names). */
export type ItemFields = Omit<
  TransactionValues,
  'transactionId' | 'start' | 'end' | 'itemId' | 'nodeId' | 'type' | 'extra'
>;

/** Zimbra change numbers grow with time; one per minute of the timeline is close enough for a sample. */
export function changeSeq(at: number): number {
  return 100 + Math.floor((at - START_DATE) / 60_000);
}

export class ItemBuilder {
  readonly txs: { start: number; fields: ItemFields }[] = [];

  constructor(
    readonly id: number | string,
    readonly type: number,
  ) {}

  get last(): ItemFields | undefined {
    return this.txs[this.txs.length - 1]?.fields;
  }

  get lastStart(): number {
    return this.txs[this.txs.length - 1]?.start ?? -Infinity;
  }

  get firstStart(): number | undefined {
    return this.txs[0]?.start;
  }

  /** The first snapshot. */
  create(start: number, fields: ItemFields): this {
    const f: ItemFields = { ...fields };
    f.modMetadata = changeSeq(start);
    if ('digest' in f) f.modContent = changeSeq(start);
    f.changeDate = Math.floor(start / 1000);
    this.txs.push({ start, fields: f });
    return this;
  }

  /** A later snapshot: the previous one with `patch` applied. `deleted` is never inherited. */
  change(start: number, patch: ItemFields): this {
    const prev = this.last;
    if (!prev) return this.create(start, patch);
    const at = Math.max(start, this.lastStart + 1000);
    const f: ItemFields = { ...prev, ...patch };
    if (!patch.deleted) delete f.deleted;
    f.modMetadata = changeSeq(at);
    if (patch.digest !== undefined && patch.digest !== prev.digest) f.modContent = changeSeq(at);
    f.changeDate = Math.floor(at / 1000);
    this.txs.push({ start: at, fields: f });
    return this;
  }

  /** The transactions as written: chained, ids 1, 2, … */
  transactions(): TransactionValues[] {
    const id = typeof this.id === 'number' ? { itemId: this.id } : { nodeId: this.id };
    return chainTransactions(this.txs.map((t) => ({ start: t.start, ...id, type: this.type, ...t.fields })));
  }

  /** The JSON text of the item file (the format writer's). */
  toJson(): string {
    return serializeItem(this.transactions());
  }

  /** Digests referenced by any transaction. */
  digests(): Set<string> {
    const s = new Set<string>();
    for (const t of this.txs) if (typeof t.fields.digest === 'string') s.add(t.fields.digest);
    return s;
  }
}
