/**
 * doItemSearch's semantics, from the catalogue when one can be used and from a scan of
 * the item files when not: the same hits either way (test/unit/catalogueSearch.test.ts).
 * An item matches when the text occurs, lower-cased, in the subject, name (documents,
 * contacts, folders), sender or recipients of any of its transactions; its file's first
 * recorded type is `type`; its state at `when` exists and passes `filter`; and its date
 * (mail_item.date, else its first start) is in [after, before).
 */
import type { BackupPath } from '../backup/backupPath';
import { buildSnapshot, folderPath, itemTitle, type AccountSnapshot, type ItemAtTime } from '../backup/snapshot';
import type { Finding } from '../findings';
import type { ItemHistory } from '../item/types';
import { firstTransaction, stateAt } from '../pointInTime';
import { throttle, throwIfCancelled, type ProgressSink } from '../progress';
import { FOLDER_LIKE_TYPES, itemTypeName } from '../zimbra';
import type { Catalogue, CatalogueSearch, CatalogueWhen } from './index';
import type { CataloguePoint } from './pointSql';
import { searchTexts } from './rows';

export type ItemSearchQuery = Omit<CatalogueSearch, 'limit'>;

export interface ItemSearchHit {
  item: ItemAtTime;
  /** Epoch ms; undefined when the item has neither a date nor a start. */
  date?: number;
  /** The folder's path at that time, when the folder exists then. */
  folderPath?: string;
}

export interface ItemSearchResult {
  hits: ItemSearchHit[];
  /** Item files of the account (listed by the scan, or known to the catalogue). */
  files: number;
  /** The point the states were judged at (`first` resolved). */
  when: CataloguePoint;
  source: 'catalogue' | 'scan';
  findings: Finding[];
}

export interface ItemSearchOptions {
  /** An open catalogue: the account is brought up to date (incrementally), then queried. */
  catalogue?: Catalogue;
  signal?: AbortSignal;
  progress?: ProgressSink;
}

/** Hits by id, then by file: the one order of both paths. */
const byIdThenPath = (a: ItemSearchHit, b: ItemSearchHit): number =>
  a.item.id - b.item.id || (a.item.path < b.item.path ? -1 : a.item.path > b.item.path ? 1 : 0);

export async function searchAccountItems(
  backup: BackupPath,
  accountId: string,
  q: ItemSearchQuery,
  opts: ItemSearchOptions = {},
): Promise<ItemSearchResult> {
  const cat = opts.catalogue;
  if (!cat) return scanSearch(backup, accountId, q, opts);
  const indexOpts: { signal?: AbortSignal; progress?: ProgressSink } = {};
  if (opts.signal) indexOpts.signal = opts.signal;
  if (opts.progress) indexOpts.progress = opts.progress;
  const r = await cat.indexAccount(accountId, indexOpts);
  const when = cat.resolve(accountId, q.when ?? { kind: 'last' });
  const folders = cat.foldersAt(accountId, when);
  const hits: ItemSearchHit[] = cat.searchItems(accountId, { ...q, when }).map((h) => {
    const hit: ItemSearchHit = { item: h.item };
    if (h.date !== undefined) hit.date = h.date;
    const p = h.item.folderId !== undefined ? folders.folders.get(h.item.folderId)?.path : undefined;
    if (p !== undefined) hit.folderPath = p;
    return hit;
  });
  // Findings of files read now, and the reasons of the files the catalogue holds as unreadable.
  const findings = [...r.findings];
  const seen = new Set(findings.map((f) => `${f.code}\0${f.path}`));
  for (const s of cat.skippedFiles(accountId))
    for (const f of s.findings) if (!seen.has(`${f.code}\0${f.path}`)) findings.push(f);
  return { hits: hits.sort(byIdThenPath), files: r.files, when, source: 'catalogue', findings };
}

/** The scan: every item file read once; the reference the catalogue's answers are held to. */
export async function scanSearch(
  backup: BackupPath,
  accountId: string,
  q: ItemSearchQuery,
  opts: Omit<ItemSearchOptions, 'catalogue'> = {},
): Promise<ItemSearchResult> {
  const progress = throttle(opts.progress, 200);
  const findings: Finding[] = [];
  const histories: ItemHistory[] = [];
  let files = 0;
  for await (const ref of backup.itemFiles(accountId, opts.signal, findings)) {
    const h = await backup.readItemAt(ref.path, { fileItemId: ref.itemId });
    if (++files % 200 === 0) {
      throwIfCancelled(opts.signal);
      progress({ phase: 'scanning items', done: files });
    }
    if (!h) continue;
    findings.push(...h.findings);
    histories.push(h);
  }
  throwIfCancelled(opts.signal);
  progress.flush({ phase: 'scanning items', done: files, total: files });
  return { ...searchHistories(histories, q), files, source: 'scan', findings };
}

/** The brute force over item histories already read (one per file, in listing order). */
export function searchHistories(
  histories: readonly ItemHistory[],
  q: ItemSearchQuery,
): { hits: ItemSearchHit[]; when: CataloguePoint } {
  const needle = q.text ? q.text.toLowerCase() : undefined;
  const folderHistories: ItemHistory[] = [];
  const candidates: ItemHistory[] = [];
  let firstStart: number | undefined;
  for (const h of histories) {
    const start = firstTransaction(h)?.start;
    if (start !== undefined && (firstStart === undefined || start < firstStart)) firstStart = start;
    const type = h.transactions.find((t) => t.type !== undefined)?.type;
    if (type !== undefined && FOLDER_LIKE_TYPES.has(type)) folderHistories.push(h);
    if ((q.type === undefined || type === q.type) && matchesText(h, needle)) candidates.push(h);
  }
  const asked: CatalogueWhen = q.when ?? { kind: 'last' };
  // `first` is the account's first transaction, known only once every file was read.
  const when: CataloguePoint =
    asked.kind === 'first'
      ? firstStart === undefined
        ? { kind: 'last' }
        : { kind: 'instant', at: firstStart }
      : asked;
  const filter = q.filter ?? 'deleted';
  const folders: AccountSnapshot = buildSnapshot(folderHistories, when);
  const hits: ItemSearchHit[] = [];
  for (const h of candidates) {
    const state = stateAt(h, when);
    const tx = state.transaction;
    if (!tx || (state.status !== 'live' && state.status !== 'deleted')) continue;
    const id = tx.itemId ?? h.fileItemId;
    if (id === undefined) continue; // no id anywhere: never shown (the catalogue cannot key it either)
    const deleted = state.status === 'deleted';
    if ((filter === 'deleted' && !deleted) || (filter === 'not_deleted' && deleted)) continue;
    const date = tx.date !== undefined ? tx.date * 1000 : firstTransaction(h)?.start;
    if (q.before !== undefined && (date === undefined || date >= q.before)) continue;
    if (q.after !== undefined && (date === undefined || date < q.after)) continue;
    const item: ItemAtTime = {
      id,
      typeName: tx.type !== undefined ? (itemTypeName(tx.type) ?? `type ${tx.type}`) : 'unknown',
      title: itemTitle(tx),
      status: deleted ? 'deleted' : 'live',
      transaction: tx,
      path: h.path,
    };
    if (tx.type !== undefined) item.type = tx.type;
    if (tx.folderId !== undefined) item.folderId = tx.folderId;
    const hit: ItemSearchHit = { item };
    if (date !== undefined) hit.date = date;
    const p = tx.folderId !== undefined ? folderPath(folders, tx.folderId) : undefined;
    if (p !== undefined) hit.folderPath = p;
    hits.push(hit);
  }
  return { hits: hits.sort(byIdThenPath), when };
}

function matchesText(h: ItemHistory, needle: string | undefined): boolean {
  if (!needle) return true;
  return h.transactions.some((tx) => searchTexts(tx).some((v) => v.toLowerCase().includes(needle)));
}
