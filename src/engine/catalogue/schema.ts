/**
 * The catalogue's tables. One row per item file (stat, to see what changed) and one
 * per transaction with a start date (the only ones a point in time can select).
 * Which transaction an item shows at T is decided exactly as item/history.ts does:
 * at an instant, the last one in file order whose [start, end) holds T; at `last`,
 * the one with the latest start, if it is still open.
 */
import type { SqlDb } from '../sqlite';

/** Bump when what is stored per file changes: older catalogues are then rebuilt. */
export const CATALOGUE_VERSION = 4;

export function createSchema(db: SqlDb): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID;
    -- Accounts are numbered: a zimbraId (36 characters) in every index entry would triple the indexes.
    CREATE TABLE IF NOT EXISTS account_ids (account_no INTEGER PRIMARY KEY, account TEXT NOT NULL UNIQUE);
    CREATE TABLE IF NOT EXISTS accounts (
      account TEXT PRIMARY KEY,
      indexed_at INTEGER NOT NULL,
      files INTEGER NOT NULL,
      skipped INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS files (
      file_id INTEGER PRIMARY KEY,
      account INTEGER NOT NULL,
      path TEXT NOT NULL UNIQUE,
      file_item_id INTEGER,
      size INTEGER NOT NULL,
      mtime_ms REAL NOT NULL,
      -- 0: the file could not be read or parsed; its findings say why and it has no transactions.
      parsed INTEGER NOT NULL,
      findings TEXT,
      -- What doItemSearch judges per file: the first type recorded, the first start, and the
      -- lower-cased subjects, names, senders and recipients of every transaction.
      file_type INTEGER,
      first_start INTEGER,
      search_text TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS files_by_account ON files (account);
    CREATE TABLE IF NOT EXISTS tx (
      file_id INTEGER NOT NULL,
      idx INTEGER NOT NULL,
      account INTEGER NOT NULL,
      -- NULL when neither the transaction nor the file name gives an id: never shown, but it
      -- still hides earlier transactions at the instants it holds, as in item/history.ts.
      item_id INTEGER,
      start INTEGER NOT NULL,
      end INTEGER,
      folder_id INTEGER,
      type INTEGER,
      is_folder INTEGER NOT NULL,
      deleted INTEGER NOT NULL,
      -- The transaction stateAt(last) picks for this file.
      is_last INTEGER NOT NULL,
      -- A later transaction of the same file overlaps this one (an invalid file): at a T in
      -- the overlap the later one wins, so queries must check; valid files never pay for it.
      shadowed INTEGER NOT NULL,
      flags INTEGER,
      title TEXT NOT NULL,
      name TEXT,
      -- Shown beside the subject in Search Items.
      sender TEXT,
      digest TEXT,
      -- The item's own date (mail_item.date), epoch ms.
      item_date INTEGER,
      PRIMARY KEY (file_id, idx)
    ) WITHOUT ROWID;
    -- Covering for "children of F at T, by id": the scan stops after a page.
    CREATE INDEX IF NOT EXISTS tx_by_folder ON tx (account, folder_id, is_folder, item_id, start, end, deleted, shadowed, is_last);
    -- The common case, "latest state": a narrow index of exactly the open, live, last transactions.
    CREATE INDEX IF NOT EXISTS tx_last_live ON tx (account, folder_id, item_id) WHERE is_last = 1 AND end IS NULL AND is_folder = 0 AND deleted = 0;
    CREATE INDEX IF NOT EXISTS tx_folders ON tx (account, is_folder, item_id) WHERE is_folder = 1;
    CREATE INDEX IF NOT EXISTS tx_deleted ON tx (account, deleted, item_id) WHERE deleted = 1;
    CREATE INDEX IF NOT EXISTS tx_by_start ON tx (account, start);
  `);
  createSearchTable(db);
}

/** The tables createSchema makes, dropped when a catalogue is reset in place. */
export const CATALOGUE_TABLES = ['search', 'tx', 'files', 'accounts', 'account_ids', 'meta'] as const;

/**
 * `search`: one row per file (rowid = file_id), its search_text under FTS5's trigram
 * tokenizer, which answers "contains this substring" (≥ 3 characters) from the index.
 * Contentless (the text is already in files.search_text) with deletes by rowid
 * (SQLite ≥ 3.43); a SQLite without them gets an ordinary FTS5 table, and one without
 * FTS5 or trigram an ordinary table: searches then scan search_text (same answers).
 */
function createSearchTable(db: SqlDb): void {
  const tries = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5(text, tokenize = 'trigram', content = '', contentless_delete = 1)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5(text, tokenize = 'trigram')",
  ];
  for (const sql of tries) {
    try {
      db.exec(sql);
      return;
    } catch {
      // try the next form
    }
  }
  db.exec('CREATE TABLE IF NOT EXISTS search (rowid INTEGER PRIMARY KEY, text TEXT NOT NULL)');
}

/** Whether `search` is an FTS5 table (false: the plain fallback). */
export function hasFullText(db: SqlDb): boolean {
  const sql = db.value<string>("SELECT sql FROM sqlite_master WHERE name = 'search'");
  return sql !== undefined && /fts5/i.test(sql);
}
