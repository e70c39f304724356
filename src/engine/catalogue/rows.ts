/** One analysed item file as catalogue rows: what indexAccount writes, kept pure for tests. */
import type { Finding } from '../findings';
import { lastTransaction, firstTransaction } from '../item/history';
import type { ItemHistory, Transaction } from '../item/types';
import { itemTitle } from '../backup/snapshot';
import { FOLDER_LIKE_TYPES } from '../zimbra';

export interface TxRow {
  idx: number;
  item_id: number | null;
  start: number;
  end: number | null;
  folder_id: number | null;
  type: number | null;
  is_folder: 0 | 1;
  deleted: 0 | 1;
  is_last: 0 | 1;
  shadowed: 0 | 1;
  flags: number | null;
  title: string;
  name: string | null;
  sender: string | null;
  digest: string | null;
  item_date: number | null;
}

export interface FileRows {
  parsed: 0 | 1;
  /** Errors and warnings only, as JSON; null when there are none. */
  findings: string | null;
  file_type: number | null;
  first_start: number | null;
  search_text: string;
  txs: TxRow[];
}

/** At most this many findings are kept per file: they explain a skip, they are not a report. */
const MAX_FINDINGS_PER_FILE = 20;

export function fileRows(h: ItemHistory): FileRows {
  const txs = h.transactions;
  const last = lastTransaction(h);
  const rows: TxRow[] = [];
  const words = new Set<string>();
  txs.forEach((tx, i) => {
    for (const v of searchTexts(tx)) words.add(v.toLowerCase());
    if (tx.start === undefined) return; // never selected by a point in time
    rows.push({
      idx: i,
      item_id: tx.itemId ?? h.fileItemId ?? null,
      start: tx.start,
      end: tx.end,
      folder_id: tx.folderId ?? null,
      type: tx.type ?? null,
      is_folder: tx.type !== undefined && FOLDER_LIKE_TYPES.has(tx.type) ? 1 : 0,
      deleted: tx.deleted ? 1 : 0,
      is_last: tx === last ? 1 : 0,
      shadowed: shadowedLater(txs, i) ? 1 : 0,
      flags: tx.flags ?? null,
      title: itemTitle(tx),
      name: tx.name ?? null,
      sender: tx.sender ?? null,
      digest: typeof tx.digest === 'string' ? tx.digest : null,
      item_date: tx.date !== undefined ? tx.date * 1000 : null,
    });
  });
  const kept = h.findings.filter((f) => f.severity !== 'info').slice(0, MAX_FINDINGS_PER_FILE);
  return {
    parsed: h.parsed ? 1 : 0,
    findings: kept.length > 0 ? JSON.stringify(kept satisfies Finding[]) : null,
    file_type: txs.find((t) => t.type !== undefined)?.type ?? null,
    first_start: firstTransaction(h)?.start ?? null,
    search_text: [...words].join('\n'),
    txs: rows,
  };
}

/**
 * What a text search looks in: subject, name (documents, contacts, folders), sender, recipients.
 * Attachment names are not in item metadata (only in the MIME BLOB), so they are not searched.
 */
export function searchTexts(tx: Transaction): string[] {
  const out: string[] = [];
  for (const v of [tx.subject, tx.name, tx.sender, tx.recipients]) if (v !== undefined && v !== '') out.push(v);
  return out;
}

/** Whether a later transaction (in file order) overlaps tx i: then at some T the later one wins. */
function shadowedLater(txs: readonly Transaction[], i: number): boolean {
  const a = txs[i]!;
  if (a.start === undefined) return false;
  const aEnd = a.end ?? Infinity;
  for (let j = i + 1; j < txs.length; j++) {
    const b = txs[j]!;
    if (b.start === undefined) continue;
    if (b.start < aEnd && a.start < (b.end ?? Infinity)) return true;
  }
  return false;
}
