/**
 * Folder paths at a point in time without reading a whole account: follow one
 * folder's chain of parents (a few item files) and let the engine's snapshot
 * build the path, so the naming rule stays in src/engine/backup/snapshot.ts.
 */
import { buildSnapshot, folderPath, stateAt, SYSTEM_FOLDERS, USER_ROOT_ID, ROOT_ID, type BackupPath, type ItemHistory } from '../engine';
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
    const chain: ItemHistory[] = [];
    const seen = new Set<number>();
    let id: number | undefined = folderId;
    while (id !== undefined && !seen.has(id) && seen.size < MAX_DEPTH) {
      seen.add(id);
      const h = await this.load(id);
      if (!h) break;
      chain.push(h);
      const parent: number | undefined = stateAt(h, when).transaction?.folderId;
      id = parent === id ? undefined : parent;
    }
    const found = folderPath(buildSnapshot(chain, when), folderId);
    if (found !== undefined || chain.length > 0) return found;
    // Some backups keep no item file for system folders: name them by their fixed id.
    if (folderId === USER_ROOT_ID || folderId === ROOT_ID) return '/';
    const system = SYSTEM_FOLDERS[folderId];
    return system === undefined ? undefined : `/${system}`;
  }

  private async load(id: number): Promise<ItemHistory | undefined> {
    if (!this.histories.has(id)) {
      const h = await this.backup.readItem(this.zimbraId, id);
      this.histories.set(id, h?.parsed ? h : undefined);
    }
    return this.histories.get(id);
  }
}
