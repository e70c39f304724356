/**
 * The item catalogue: a persistent SQLite index of one backup path's item files, kept
 * OUTSIDE the backup path (cacheDir.ts; one file per backup path realpath), so that a
 * folder's first page, the folder tree, counts and deleted items at any point in time
 * come from a query instead of reading every item file of the account.
 *
 * Queries agree with backup/snapshot.ts buildSnapshot (test/unit/catalogue.test.ts). The
 * items they return carry a summary Transaction (ids, dates, folder, type, flags,
 * digest, name; no raw JSON): open the file for the rest.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BackupPath } from '../backup/backupPath';
import { buildSnapshot, type FolderAtTime, type ItemAtTime } from '../backup/snapshot';
import { defaultCacheDir, isInside } from '../cacheDir';
import type { DateSpec } from '../dates';
import { EngineError, finding, type Finding } from '../findings';
import type { ItemHistory, Transaction } from '../item/types';
import { itemTypeName } from '../zimbra';
import { indexAccount, type IndexOptions, type IndexResult } from './indexer';
import { chosenTx, type CataloguePoint } from './pointSql';
import { openCatalogueDb, quickCheck, type CatalogueOpenNote } from './open';
import { hasFullText } from './schema';
import type { SqlDb, SqliteDriverName, SqlValue } from '../sqlite';

export type { IndexOptions, IndexResult } from './indexer';
export type { CataloguePoint } from './pointSql';
export { CATALOGUE_VERSION } from './schema';
export * from './search';
export * from './diff';
export type { CatalogueOpenNote } from './open';

export interface CatalogueOptions {
  /** Folder for catalogue files; default `<defaultCacheDir()>/catalogue` (honours $ZXB_CACHE_DIR). */
  dir?: string;
  env?: NodeJS.ProcessEnv;
}

export type CatalogueWhen = Exclude<DateSpec, { kind: 'all' }>;

export interface CataloguePage {
  limit?: number;
  /** Keyset paging: only items with a greater id. */
  after?: number;
}

/** The folder tree at a time, without items: `counts` holds live items per folder id. */
export interface CatalogueFolders {
  at?: number;
  roots: FolderAtTime[];
  folders: Map<number, FolderAtTime>;
  counts: Map<number, number>;
}

export interface CatalogueSearch {
  /** Case-insensitive, in the subject, name, sender or recipients of any transaction. */
  text?: string;
  /** Type code of the file's first typed transaction; undefined = any. */
  type?: number;
  /** Item date (mail_item.date, else first start) before / at or after these instants. */
  before?: number;
  after?: number;
  /** Deletion state at `when` (default `deleted`, as zxsuite). */
  filter?: 'all' | 'deleted' | 'not_deleted';
  when?: CatalogueWhen;
  limit?: number;
}

export interface CatalogueSearchHit {
  item: ItemAtTime;
  /** Epoch ms, or undefined when the item has neither a date nor a start. */
  date?: number;
}

export interface CatalogueSkippedFile {
  path: string;
  findings: Finding[];
}

interface TxRowOut {
  path: string;
  file_item_id: number | null;
  idx: number;
  item_id: number;
  start: number;
  end: number | null;
  folder_id: number | null;
  type: number | null;
  deleted: number;
  flags: number | null;
  title: string;
  name: string | null;
  sender: string | null;
  digest: string | null;
  item_date: number | null;
  first_start: number | null;
}

const TX_COLUMNS =
  'f.path, f.file_item_id, f.first_start, t.idx, t.item_id, t.start, t.end, t.folder_id, t.type, t.deleted, t.flags, t.title, t.name, t.sender, t.digest, t.item_date';

export class Catalogue {
  private readonly accountNos = new Map<string, number>();

  private constructor(
    private readonly db: SqlDb,
    readonly backup: BackupPath,
    /** The SQLite file. */
    readonly file: string,
    /** Set when the file found was not trusted and was rebuilt (corrupt, another version, another backup). */
    readonly rebuilt: CatalogueOpenNote | undefined,
  ) {
    this.fullText = hasFullText(db);
  }

  /** Whether text searches use the FTS5 index (false: a scan of the stored texts; same answers). */
  readonly fullText: boolean;

  get driver(): SqliteDriverName {
    return this.db.driver;
  }

  /** Use openCatalogue. */
  static create(db: SqlDb, backup: BackupPath, file: string, rebuilt?: CatalogueOpenNote): Catalogue {
    return new Catalogue(db, backup, file, rebuilt);
  }

  /** Accounts with a completed indexing, with when and how many files. */
  indexedAccounts(): { account: string; indexedAt: number; files: number; skipped: number }[] {
    return this.db
      .all<{ account: string; indexed_at: number; files: number; skipped: number }>(
        'SELECT account, indexed_at, files, skipped FROM accounts ORDER BY account',
      )
      .map((r) => ({ account: r.account, indexedAt: r.indexed_at, files: r.files, skipped: r.skipped }));
  }

  /** Forgets every row: the next indexing of each account reads all its files. */
  clear(): void {
    this.db.transaction(() => {
      for (const t of ['search', 'tx', 'files', 'accounts', 'account_ids']) this.db.run(`DELETE FROM ${t}`);
    });
    this.accountNos.clear();
  }

  /** Bytes of the database (its pages). */
  bytes(): number {
    return (this.db.value<number>('PRAGMA page_count') ?? 0) * (this.db.value<number>('PRAGMA page_size') ?? 0);
  }

  /** SQLite's quick_check: "ok", or what it found. Reads the whole file. */
  verify(): string {
    return quickCheck(this.db);
  }

  /** The SQLite port, for the modules of the catalogue (diff). */
  get sql(): SqlDb {
    return this.db;
  }

  /** The account's number in the catalogue; -1 (matches nothing) before its first indexing. */
  private no(accountId: string): number {
    const hit = this.accountNos.get(accountId);
    if (hit !== undefined) return hit;
    const n = this.db.value<number>('SELECT account_no FROM account_ids WHERE account = ?', [accountId]);
    if (n === undefined) return -1;
    this.accountNos.set(accountId, n);
    return n;
  }

  /** Whether indexAccount has completed for this account at least once (it may be stale: re-run to catch up). */
  isIndexed(accountId: string): boolean {
    return this.db.get('SELECT 1 FROM accounts WHERE account = ?', [accountId]) !== undefined;
  }

  indexInfo(accountId: string): { indexedAt: number; files: number; skipped: number } | undefined {
    const r = this.db.get<{ indexed_at: number; files: number; skipped: number }>(
      'SELECT indexed_at, files, skipped FROM accounts WHERE account = ?',
      [accountId],
    );
    return r && { indexedAt: r.indexed_at, files: r.files, skipped: r.skipped };
  }

  /** Incremental: only new or changed files are read; rows of vanished files go. */
  indexAccount(accountId: string, opts: IndexOptions = {}): Promise<IndexResult> {
    return indexAccount(this.db, this.backup, accountId, opts);
  }

  /** `first` becomes the account's earliest start, as resolveAccountInstant does. */
  resolve(accountId: string, when: CatalogueWhen): CataloguePoint {
    if (when.kind !== 'first') return when;
    const min = this.db.value<number | null>('SELECT MIN(start) FROM tx WHERE account = ?', [this.no(accountId)]);
    return min === null || min === undefined ? { kind: 'last' } : { kind: 'instant', at: min };
  }

  foldersAt(accountId: string, when: CatalogueWhen): CatalogueFolders {
    const point = this.resolve(accountId, when);
    const rows = this.chosen(accountId, point, 't.is_folder = 1 AND t.deleted = 0', {});
    // One synthetic history per folder holding only its chosen transaction: buildSnapshot
    // then names, links and sorts the tree exactly as for loaded items.
    const histories: ItemHistory[] = rows.map((r) => ({
      path: r.path,
      transactions: [summaryTx(r)],
      findings: [],
      parsed: true,
      ...(r.file_item_id !== null ? { fileItemId: r.file_item_id } : {}),
    }));
    const snap = buildSnapshot(histories, point);
    const out: CatalogueFolders = {
      roots: snap.roots,
      folders: snap.folders,
      counts: this.countsByFolderAt(accountId, point),
    };
    if (snap.at !== undefined) out.at = snap.at;
    return out;
  }

  /** Live items per folder id at that time (folders themselves not counted). */
  countsByFolderAt(accountId: string, when: CatalogueWhen): Map<number, number> {
    const c = chosenTx(this.resolve(accountId, when));
    const rows = this.db.all<{ f: number | null; n: number }>(
      `SELECT t.folder_id AS f, COUNT(*) AS n FROM tx t WHERE t.account = @account AND t.is_folder = 0 AND t.deleted = 0 AND t.item_id IS NOT NULL AND ${c.sql} GROUP BY t.folder_id`,
      { account: this.no(accountId), ...c.params },
    );
    const out = new Map<number, number>();
    for (const r of rows) if (r.f !== null) out.set(r.f, r.n);
    return out;
  }

  /** Live non-folder items of folder F at that time, by id. */
  itemsInFolderAt(accountId: string, folderId: number, when: CatalogueWhen, page: CataloguePage = {}): ItemAtTime[] {
    return this.chosen(
      accountId,
      this.resolve(accountId, when),
      't.folder_id = @folder AND t.is_folder = 0 AND t.deleted = 0',
      { folder: folderId },
      page,
    ).map(toItem);
  }

  /** Just the ids, for bucketing a big folder into ranges without loading its items. */
  idsInFolderAt(accountId: string, folderId: number, when: CatalogueWhen): number[] {
    const c = chosenTx(this.resolve(accountId, when));
    return this.db.column<number>(
      `SELECT t.item_id FROM tx t WHERE t.account = @account AND t.folder_id = @folder AND t.is_folder = 0 AND t.deleted = 0 AND t.item_id IS NOT NULL AND ${c.sql} ORDER BY t.item_id`,
      { account: this.no(accountId), folder: folderId, ...c.params },
    );
  }

  countInFolderAt(accountId: string, folderId: number, when: CatalogueWhen): number {
    const c = chosenTx(this.resolve(accountId, when));
    return this.db.value<number>(
      `SELECT COUNT(*) FROM tx t WHERE t.account = @account AND t.folder_id = @folder AND t.is_folder = 0 AND t.deleted = 0 AND t.item_id IS NOT NULL AND ${c.sql}`,
      { account: this.no(accountId), folder: folderId, ...c.params },
    )!;
  }

  /** The state of item `id` at that time (the first file by path if several claim the id). */
  itemById(accountId: string, id: number, when: CatalogueWhen): ItemAtTime | undefined {
    const rows = this.chosen(accountId, this.resolve(accountId, when), 't.item_id = @id', { id }, { limit: 1 });
    return rows[0] && toItem(rows[0]);
  }

  /** Every item and folder with a state at that time, live or deleted, by id (then file). */
  allAt(accountId: string, when: CatalogueWhen): ItemAtTime[] {
    return this.chosen(accountId, this.resolve(accountId, when), '1 = 1', {}).map(toItem);
  }

  /** Items (folders included) whose state at that time is a deletion, by id. */
  deletedAt(accountId: string, when: CatalogueWhen, page: CataloguePage = {}): ItemAtTime[] {
    return this.chosen(accountId, this.resolve(accountId, when), 't.deleted = 1', {}, page).map(toItem);
  }

  countDeletedAt(accountId: string, when: CatalogueWhen): number {
    const c = chosenTx(this.resolve(accountId, when));
    return this.db.value<number>(
      `SELECT COUNT(*) FROM tx t WHERE t.account = @account AND t.deleted = 1 AND t.item_id IS NOT NULL AND ${c.sql}`,
      { account: this.no(accountId), ...c.params },
    )!;
  }

  /** Live items whose folder does not exist at that time (snapshot.unplaced). */
  unplacedAt(accountId: string, when: CatalogueWhen, page: CataloguePage = {}): ItemAtTime[] {
    const point = this.resolve(accountId, when);
    const folderIds = this.chosen(accountId, point, 't.is_folder = 1 AND t.deleted = 0', {}).map((r) => r.item_id);
    return this.chosen(
      accountId,
      point,
      't.is_folder = 0 AND t.deleted = 0 AND (t.folder_id IS NULL OR t.folder_id NOT IN (SELECT value FROM json_each(@folders)))',
      { folders: JSON.stringify(folderIds) },
      page,
    ).map(toItem);
  }

  /** doItemSearch's semantics (src/cli/commands/doItemSearch.ts) over the catalogue. */
  searchItems(accountId: string, q: CatalogueSearch): CatalogueSearchHit[] {
    const point = this.resolve(accountId, q.when ?? { kind: 'last' });
    const where: string[] = ['t.item_id IS NOT NULL'];
    const params: Record<string, SqlValue> = {};
    if (q.text) {
      const needle = q.text.toLowerCase();
      // The trigram index finds a superset (it folds case further than toLowerCase, and
      // needs 3 characters); instr on the stored lower-cased text keeps exactly the scan's answers.
      if (this.fullText && [...needle].length >= 3) {
        where.push('f.file_id IN (SELECT rowid FROM search WHERE search MATCH @phrase)');
        params['phrase'] = `"${needle.replace(/"/g, '""')}"`;
      }
      where.push('instr(f.search_text, @text) > 0');
      params['text'] = needle;
    }
    if (q.type !== undefined) {
      where.push('f.file_type = @type');
      params['type'] = q.type;
    }
    const filter = q.filter ?? 'deleted';
    if (filter !== 'all') where.push(`t.deleted = ${filter === 'deleted' ? 1 : 0}`);
    const date = 'COALESCE(t.item_date, f.first_start)';
    if (q.before !== undefined) {
      where.push(`${date} < @before`);
      params['before'] = q.before;
    }
    if (q.after !== undefined) {
      where.push(`${date} >= @after`);
      params['after'] = q.after;
    }
    const page: CataloguePage = q.limit !== undefined ? { limit: q.limit } : {};
    return this.chosen(accountId, point, where.join(' AND '), params, page).map((r) => {
      const hit: CatalogueSearchHit = { item: toItem(r) };
      const d = r.item_date ?? r.first_start;
      if (d !== null) hit.date = d;
      return hit;
    });
  }

  /** Files recorded without transactions (unreadable, not JSON, not UTF-8…), with why. */
  skippedFiles(accountId: string): CatalogueSkippedFile[] {
    const rows = this.db.all<{ path: string; findings: string | null }>(
      'SELECT path, findings FROM files WHERE account = ? AND parsed = 0 ORDER BY path',
      [this.no(accountId)],
    );
    return rows.map((r) => ({ path: r.path, findings: r.findings ? (JSON.parse(r.findings) as Finding[]) : [] }));
  }

  close(): void {
    this.db.close();
  }

  /** Rows of the transactions chosen at `point` that also satisfy `where`, by item id. */
  private chosen(
    accountId: string,
    point: CataloguePoint,
    where: string,
    params: Record<string, SqlValue>,
    page: CataloguePage = {},
  ): TxRowOut[] {
    const c = chosenTx(point);
    const after = page.after !== undefined ? ' AND t.item_id > @after' : '';
    const limit = page.limit !== undefined ? ' LIMIT @limit' : '';
    const sql = `SELECT ${TX_COLUMNS} FROM tx t JOIN files f ON f.file_id = t.file_id WHERE t.account = @account AND t.item_id IS NOT NULL AND ${where} AND ${c.sql}${after} ORDER BY t.item_id, f.path${limit}`;
    const all: Record<string, SqlValue> = { account: this.no(accountId), ...params, ...c.params };
    if (page.after !== undefined) all['after'] = page.after;
    if (page.limit !== undefined) all['limit'] = page.limit;
    return this.db.all<TxRowOut>(sql, all);
  }
}

function summaryTx(r: TxRowOut): Transaction {
  const tx: Transaction = {
    index: r.idx,
    start: r.start,
    end: r.end,
    itemId: r.item_id,
    deleted: r.deleted === 1,
    extra: {},
    raw: {},
  };
  if (r.type !== null) tx.type = r.type;
  if (r.folder_id !== null) tx.folderId = r.folder_id;
  if (r.name !== null) tx.name = r.name;
  if (r.sender !== null) tx.sender = r.sender;
  if (r.flags !== null) tx.flags = r.flags;
  if (r.digest !== null) tx.digest = r.digest;
  if (r.item_date !== null) tx.date = r.item_date / 1000;
  return tx;
}

function toItem(r: TxRowOut): ItemAtTime {
  const it: ItemAtTime = {
    id: r.item_id,
    typeName: r.type !== null ? (itemTypeName(r.type) ?? `type ${r.type}`) : 'unknown',
    title: r.title,
    status: r.deleted === 1 ? 'deleted' : 'live',
    transaction: summaryTx(r),
    path: r.path,
  };
  if (r.type !== null) it.type = r.type;
  if (r.folder_id !== null) it.folderId = r.folder_id;
  return it;
}

/** The catalogue file of a backup path: `<dir>/catalogue-<sha256(realpath)>.sqlite`. */
export function catalogueFile(dir: string, realRoot: string): string {
  const key = createHash('sha256').update(realRoot).digest('hex').slice(0, 32);
  return path.join(dir, `catalogue-${key}.sqlite`);
}

/**
 * Opens (or creates) the catalogue of a backup path. A file that cannot be trusted
 * (not SQLite, truncated, failing its checks, another layout version, another backup at
 * the same path) is rebuilt empty: `rebuilt` says why. Throws EngineError
 * (io.cache-unavailable) when no SQLite driver loads here or the folder is unusable:
 * callers then read item files as before.
 */
export async function openCatalogue(root: string | BackupPath, opts: CatalogueOptions = {}): Promise<Catalogue> {
  const backup = typeof root === 'string' ? await BackupPath.open(root) : root;
  const dir = path.resolve(opts.dir ?? path.join(defaultCacheDir(opts.env), 'catalogue'));
  const fail = (message: string): never => {
    throw new EngineError(finding('io.cache-unavailable', '', message));
  };
  const realRoot = await fs.realpath(backup.root).catch(() => backup.root);
  if (isInside(dir, realRoot) || isInside(dir, backup.root))
    fail(`the catalogue folder ${dir} is inside the backup path; customer data is never written to`);
  const file = catalogueFile(dir, realRoot);
  const st = await fs.stat(realRoot).catch(() => undefined);
  // The same path holding another backup (restored, remounted) must not reuse the rows.
  const identity = `${realRoot}\0${st ? `${st.dev}:${st.ino}` : '?'}`;
  try {
    mkdirSync(dir, { recursive: true });
    // SQLite answers "database is locked" without waiting (busy_timeout does not apply) when two
    // processes open and switch the same new file to WAL at once, or upgrade a read to a write:
    // the documented remedy is to try again.
    for (let attempt = 1; ; attempt++) {
      try {
        const { db, rebuilt } = openCatalogueDb(file, identity, opts.env);
        return Catalogue.create(db, backup, file, rebuilt);
      } catch (err) {
        if (attempt >= 50 || !/database is locked|SQLITE_BUSY/i.test(String((err as Error)?.message ?? err))) throw err;
        await new Promise((r) => setTimeout(r, 20 + Math.random() * 80));
      }
    }
  } catch (err) {
    if (err instanceof EngineError) throw err;
    return fail(`cannot open the item catalogue ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
