/**
 * Folder paths at a point in time without reading a whole account: follow one
 * folder's chain of parents (a few item files) and let the engine's evaluator
 * (src/engine/pointInTime.ts) name the path, as the tree and the hover do.
 */
import {
  folderAt,
  folderPathAt,
  ROOT_ID,
  USER_ROOT_ID,
  type BackupPath,
  type FolderAt,
  type ItemHistory,
} from '../engine';
import type { PointSpec } from './context';

const MAX_DEPTH = 256;

export class FolderChain {
  private readonly histories = new Map<number, ItemHistory | undefined>();

  constructor(
    private readonly backup: BackupPath,
    private readonly zimbraId: string,
  ) {}

  /** The folder's path at `when` ("/Inbox/Projects"), or undefined if the folder is unknown then. */
  async pathAt(folderId: number, when: Exclude<PointSpec, { kind: 'first' }>): Promise<string | undefined> {
    const chain = new Map<number, FolderAt | undefined>();
    let id: number | undefined = folderId;
    while (id !== undefined && !chain.has(id) && chain.size < MAX_DEPTH) {
      const f = folderAt(await this.load(id), id, when);
      chain.set(id, f);
      // Above a mailbox root the path does not change.
      id = id === USER_ROOT_ID || id === ROOT_ID ? undefined : f?.parentId;
    }
    return folderPathAt((n) => chain.get(n), folderId);
  }

  private async load(id: number): Promise<ItemHistory | undefined> {
    if (!this.histories.has(id)) {
      const h = await this.backup.readItem(this.zimbraId, id);
      this.histories.set(id, h?.parsed ? h : undefined);
    }
    return this.histories.get(id);
  }
}
