/**
 * Folder paths at a point in time without reading a whole account: follow one
 * folder's chain of parents (a few item files) and let the evaluator (pointInTime.ts:
 * folderAt, folderPathAt) name the path, as the tree and the hover do. Used by the CLI
 * (getItem) and the extension's Item History (the folder of each transaction then).
 */
import { folderAt, folderPathAt, type FolderAt, type PointSpec } from '../pointInTime';
import type { ItemHistory } from '../item/types';
import { ROOT_ID, USER_ROOT_ID } from '../zimbra';
import type { BackupPath } from './backupPath';

const MAX_DEPTH = 256;

export class FolderChain {
  private readonly histories = new Map<number, Promise<ItemHistory | undefined>>();

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

  private load(id: number): Promise<ItemHistory | undefined> {
    let p = this.histories.get(id);
    if (!p) {
      p = this.backup.readItem(this.zimbraId, id).then((h) => (h?.parsed ? h : undefined));
      this.histories.set(id, p);
    }
    return p;
  }
}
