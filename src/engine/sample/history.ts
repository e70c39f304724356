/**
 * One item's transactions (docs/backup-format.md §2): each change is a full snapshot;
 * end-dates chain to the next start-date and the last one stays open (null).
 */
import { START_DATE } from './timeline';

export interface ItemFields {
  'folder-id'?: number;
  'parent-id'?: number;
  name?: string;
  subject?: string;
  sender?: string;
  recipients?: string;
  date?: number;
  size?: number;
  digest?: string | null;
  flags?: number;
  tags?: string[];
  color?: number;
  version?: number;
  'mod-metadata'?: number;
  'mod-content'?: number;
  'change-date'?: number;
  deleted?: boolean;
}

/** Key order of a written transaction. */
const FIELD_ORDER: readonly (keyof ItemFields)[] = [
  'folder-id', 'parent-id', 'name', 'subject', 'sender', 'recipients', 'date', 'size', 'digest', 'flags', 'tags', 'color', 'version',
  'mod-metadata', 'mod-content', 'change-date', 'deleted',
];

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
    f['mod-metadata'] = changeSeq(start);
    if ('digest' in f) f['mod-content'] = changeSeq(start);
    f['change-date'] = Math.floor(start / 1000);
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
    f['mod-metadata'] = changeSeq(at);
    if (patch.digest !== undefined && patch.digest !== prev.digest) f['mod-content'] = changeSeq(at);
    f['change-date'] = Math.floor(at / 1000);
    this.txs.push({ start: at, fields: f });
    return this;
  }

  /** The JSON text of the item file (2-space indentation, trailing newline). */
  toJson(): string {
    const out: Record<string, unknown>[] = [];
    for (let i = 0; i < this.txs.length; i++) {
      const t = this.txs[i]!;
      const next = this.txs[i + 1];
      const o: Record<string, unknown> = {
        'transaction-id': i + 1,
        'start-date': t.start,
        'end-date': next ? next.start : null,
        id: this.id,
        type: this.type,
      };
      for (const k of FIELD_ORDER) {
        const v = t.fields[k];
        if (v !== undefined) o[k] = v;
      }
      out.push(o);
    }
    return JSON.stringify(out, null, 2) + '\n';
  }

  /** Digests referenced by any transaction. */
  digests(): Set<string> {
    const s = new Set<string>();
    for (const t of this.txs) if (typeof t.fields.digest === 'string') s.add(t.fields.digest);
    return s;
  }
}
