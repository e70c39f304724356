/**
 * Brings one account's rows in step with its item files: new or changed files (size or
 * mtime differ) are read with the engine's analyser and written in batches, each batch
 * one SQLite transaction; rows of files that are gone are removed. A file that cannot be
 * read or parsed is recorded with its findings and no transactions, and indexing goes on.
 */
import { promises as fs } from 'node:fs';
import type { BackupPath } from '../backup/backupPath';
import type { Finding } from '../findings';
import { throttle, throwIfCancelled, type ProgressSink } from '../progress';
import { fileRows, type FileRows } from './rows';
import type { SqlDb } from '../sqlite';

export interface IndexOptions {
  signal?: AbortSignal;
  progress?: ProgressSink;
}

export interface IndexResult {
  /** Item files listed. */
  files: number;
  /** Files read and (re)written because they were new or changed. */
  updated: number;
  /** Rows removed because their file is gone. */
  removed: number;
  /** Files recorded without transactions: unreadable or not parseable (see their findings). */
  skipped: number;
  /** Problems met while listing and reading (symlinks, unreadable folders, broken files). */
  findings: Finding[];
  durationMs: number;
}

/** Files read at once: enough to hide disk latency, few enough to leave the editor responsive. */
const READ_CONCURRENCY = 16;
/** Files per SQLite transaction. */
const BATCH = 1000;

interface Known {
  file_id: number;
  size: number;
  mtime_ms: number;
}

interface Pending {
  path: string;
  fileItemId: number;
  size: number;
  mtimeMs: number;
  rows: FileRows;
}

const INSERT_FILE =
  'INSERT INTO files (account, path, file_item_id, size, mtime_ms, parsed, findings, file_type, first_start, search_text) VALUES (@account, @path, @file_item_id, @size, @mtime_ms, @parsed, @findings, @file_type, @first_start, @search_text)';
const INSERT_FTS = 'INSERT INTO search (rowid, text) VALUES (?, ?)';
const INSERT_TX =
  'INSERT INTO tx (file_id, idx, account, item_id, start, end, folder_id, type, is_folder, deleted, is_last, shadowed, flags, title, name, sender, digest, item_date) VALUES (@file_id, @idx, @account, @item_id, @start, @end, @folder_id, @type, @is_folder, @deleted, @is_last, @shadowed, @flags, @title, @name, @sender, @digest, @item_date)';

/** Removes a file's rows (its transactions, its search text, the file). */
function removeFileAt(db: SqlDb, path: string): void {
  const id = db.value<number>('SELECT file_id FROM files WHERE path = ?', [path]);
  if (id === undefined) return;
  db.run('DELETE FROM tx WHERE file_id = ?', [id]);
  db.run('DELETE FROM search WHERE rowid = ?', [id]);
  db.run('DELETE FROM files WHERE file_id = ?', [id]);
}

export async function indexAccount(
  db: SqlDb,
  backup: BackupPath,
  accountId: string,
  opts: IndexOptions = {},
): Promise<IndexResult> {
  const started = performance.now();
  const progress = throttle(opts.progress, 200);
  db.run('INSERT OR IGNORE INTO account_ids (account) VALUES (?)', [accountId]);
  const accountNo = db.value<number>('SELECT account_no FROM account_ids WHERE account = ?', [accountId])!;
  const known = new Map<string, Known>();
  for (const r of db.iterate<Known & { path: string }>(
    'SELECT path, file_id, size, mtime_ms FROM files WHERE account = ?',
    [accountNo],
  ))
    known.set(r.path, r);

  const writeBatch = (batch: Pending[]): void =>
    db.transaction(() => {
      for (const p of batch) {
        // By path, not by the id read at the start: another process may have re-indexed the file since.
        removeFileAt(db, p.path);
        const { txs, search_text, ...file } = p.rows;
        const fileId = db.run(INSERT_FILE, {
          account: accountNo,
          path: p.path,
          file_item_id: p.fileItemId,
          size: p.size,
          mtime_ms: p.mtimeMs,
          ...file,
          search_text,
        }).lastInsertRowid;
        if (search_text !== '') db.run(INSERT_FTS, [fileId, search_text]);
        for (const tx of txs) db.run(INSERT_TX, { file_id: fileId, account: accountNo, ...tx });
      }
    });

  const result: IndexResult = { files: 0, updated: 0, removed: 0, skipped: 0, findings: [], durationMs: 0 };
  const seen = new Set<string>();
  let batch: Pending[] = [];
  let inflight: Promise<void>[] = [];
  const flush = (): void => {
    if (batch.length === 0) return;
    writeBatch(batch);
    batch = [];
  };
  const visit = async (path: string, fileItemId: number): Promise<void> => {
    let st;
    try {
      st = await fs.stat(backup.abs(path));
    } catch {
      return; // gone since the listing: handled as vanished
    }
    const k = known.get(path);
    if (k && k.size === st.size && k.mtime_ms === st.mtimeMs) return;
    const h = await backup.readItemAt(path, { fileItemId });
    if (!h) return;
    const rows = fileRows(h);
    if (!rows.parsed) result.skipped++;
    result.findings.push(...h.findings.filter((f) => f.severity === 'error'));
    result.updated++;
    batch.push({ path, fileItemId, size: st.size, mtimeMs: st.mtimeMs, rows });
  };

  for await (const ref of backup.itemFiles(accountId, opts.signal, result.findings)) {
    seen.add(ref.path);
    result.files++;
    inflight.push(visit(ref.path, ref.itemId));
    if (inflight.length >= READ_CONCURRENCY) {
      await Promise.all(inflight);
      inflight = [];
      // A safe point: what was read so far is written before stopping; the rest is picked up next time.
      if (batch.length >= BATCH || opts.signal?.aborted) flush();
      throwIfCancelled(opts.signal);
      progress({ phase: 'indexing items', done: result.files });
    }
  }
  await Promise.all(inflight);
  flush();
  throwIfCancelled(opts.signal);

  const vanished = [...known.entries()].filter(([p]) => !seen.has(p));
  db.transaction(() => {
    for (const [p] of vanished) removeFileAt(db, p);
    const skipped = db.value<number>('SELECT COUNT(*) FROM files WHERE account = ? AND parsed = 0', [accountNo]) ?? 0;
    db.run('INSERT OR REPLACE INTO accounts (account, indexed_at, files, skipped) VALUES (?, ?, ?, ?)', [
      accountId,
      Date.now(),
      result.files,
      skipped,
    ]);
  });
  result.removed = vanished.length;
  result.durationMs = performance.now() - started;
  progress.flush({ phase: 'indexing items', done: result.files, total: result.files });
  return result;
}
