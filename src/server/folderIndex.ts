/**
 * A lighter stand-in for buildSnapshot when one folder is asked about: a folder's
 * state at T is read from its own item file (itemRelPath), its path by walking
 * parents the same way. Files are cached per root and dropped on file changes.
 * Existence, names and paths follow the engine's evaluator (src/engine/pointInTime.ts).
 */
import { promises as fs } from 'node:fs';
import {
  analyzeItemBytes,
  absOf,
  itemRelPath,
  folderAbsence,
  folderAt,
  folderPathAt,
  ROOT_ID,
  USER_ROOT_ID,
  type ItemHistory,
  type Transaction,
  type FolderAt,
  type PointSpec,
} from '../engine';

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

  /** The folder `id` of an account at `at` (epoch ms; null = the latest state), by the evaluator's folderAt. */
  async folderAt(accountId: string, id: number, at: number | null): Promise<FolderState> {
    const history = await this.read(accountId, id);
    const when = pointOf(at);
    const f = folderAt(history, id, when);
    if (f) return { exists: true, ...f };
    const reason = history ? folderAbsence(history, when) : `no item file ${itemRelPath(accountId, id)}`;
    return { exists: false, id, reason: reason === 'it is not a folder' ? `item ${id} is not a folder` : reason };
  }

  /** "/Inbox/Projects" at that time, as the tree names paths; undefined if the folder does not exist. */
  async folderPath(accountId: string, id: number, at: number | null): Promise<string | undefined> {
    const when = pointOf(at);
    // Load the chain of parents (a few files), then let the evaluator name the path.
    const chain = new Map<number, FolderAt | undefined>();
    let current: number | undefined = id;
    while (
      current !== undefined &&
      !chain.has(current) &&
      chain.size < MAX_DEPTH &&
      current !== USER_ROOT_ID &&
      current !== ROOT_ID
    ) {
      const f = folderAt(await this.read(accountId, current), current, when);
      chain.set(current, f);
      current = f?.parentId;
    }
    if (current !== undefined && !chain.has(current))
      chain.set(current, folderAt(await this.read(accountId, current), current, when));
    return folderPathAt((n) => chain.get(n), id);
  }
}

const MAX_DEPTH = 256;

function pointOf(at: number | null): PointSpec {
  return at === null ? { kind: 'last' } : { kind: 'instant', at };
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
