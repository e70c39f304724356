/**
 * A lighter stand-in for buildSnapshot when one folder is asked about: a folder's
 * state at T is read from its own item file (itemRelPath), its path by walking
 * parents the same way. Files are cached per root and dropped on file changes.
 * Existence follows the coherency check (src/engine/check/run.ts folderExistsAt).
 */
import { promises as fs } from 'node:fs';
import { stateAt, analyzeItemBytes, absOf, itemRelPath, FOLDER_LIKE_TYPES, ROOT_ID, SYSTEM_FOLDERS, USER_ROOT_ID, type ItemHistory, type Transaction } from '../engine';

export type FolderState =
  | { exists: true; id: number; name: string; parentId?: number; transaction?: Transaction; implicit: boolean }
  | { exists: false; id: number; reason: string };

/** Metadata files past this are not read for a hover (a folder file is a few KB). */
const MAX_FOLDER_FILE = 4 * 1024 * 1024;

export class FolderIndex {
  private readonly files = new Map<string, Promise<ItemHistory | undefined>>();

  constructor(readonly root: string) {}

  /** Drops cached files whose relative path is listed, or everything. */
  invalidate(rel?: string): void {
    if (rel === undefined) this.files.clear();
    else this.files.delete(rel);
  }

  private read(accountId: string, id: number): Promise<ItemHistory | undefined> {
    const rel = itemRelPath(accountId, id);
    let p = this.files.get(rel);
    if (!p) {
      p = readHistory(absOf(this.root, rel), rel, id);
      this.files.set(rel, p);
    }
    return p;
  }

  /**
   * The folder `id` of an account at `at` (epoch ms; null = the latest state), by the
   * coherency check's rule: system folders always exist; a user folder exists while
   * one of its live folder transactions holds `at`.
   */
  async folderAt(accountId: string, id: number, at: number | null): Promise<FolderState> {
    const history = await this.read(accountId, id);
    const system = SYSTEM_FOLDERS[id];
    const tx = history ? liveFolderTransaction(history, at) : undefined;
    if (tx) {
      const out: FolderState = { exists: true, id, name: tx.name ?? system ?? `folder ${id}`, transaction: tx, implicit: false };
      if (tx.folderId !== undefined && tx.folderId !== id) out.parentId = tx.folderId;
      return out;
    }
    if (system !== undefined) return { exists: true, id, name: system, implicit: true };
    if (!history) return { exists: false, id, reason: `no item file ${itemRelPath(accountId, id)}` };
    const state = stateAt(history, at === null ? { kind: 'last' } : { kind: 'instant', at });
    const reason =
      state.status === 'not-yet' ? 'it did not exist yet'
      : state.status === 'deleted' ? 'it was deleted'
      : state.status === 'no-state' ? 'it has no recorded state then'
      : `item ${id} is not a folder`;
    return { exists: false, id, reason };
  }

  /** "/Inbox/Projects" at that time, as buildSnapshot names paths; undefined if the folder does not exist. */
  async folderPath(accountId: string, id: number, at: number | null): Promise<string | undefined> {
    const names: string[] = [];
    const seen = new Set<number>();
    let current: number | undefined = id;
    while (current !== undefined && current !== USER_ROOT_ID && current !== ROOT_ID) {
      if (seen.has(current) || seen.size > 64) break; // a cycle or absurd depth: stop, keep what we have
      seen.add(current);
      const state = await this.folderAt(accountId, current, at);
      if (!state.exists) return names.length === 0 ? undefined : `…/${names.reverse().join('/')}`;
      names.push(state.name);
      current = state.parentId;
    }
    if (names.length === 0) return current === id ? '/' : undefined;
    return `/${names.reverse().join('/')}`;
  }
}

/** The live (not deleted) folder-like transaction holding `at`; for `null`, the open last one. */
function liveFolderTransaction(history: ItemHistory, at: number | null): Transaction | undefined {
  const txs = history.transactions;
  for (let i = txs.length - 1; i >= 0; i--) {
    const tx = txs[i]!;
    if (tx.start === undefined || tx.deleted || tx.type === undefined || !FOLDER_LIKE_TYPES.has(tx.type)) continue;
    if (at === null ? tx.end === null : tx.start <= at && (tx.end === null || at < tx.end)) return tx;
  }
  return undefined;
}

async function readHistory(abs: string, rel: string, id: number): Promise<ItemHistory | undefined> {
  try {
    const st = await fs.lstat(abs);
    if (!st.isFile() || st.size > MAX_FOLDER_FILE) return undefined;
    return analyzeItemBytes(await fs.readFile(abs), rel, { fileItemId: id });
  } catch {
    return undefined;
  }
}
