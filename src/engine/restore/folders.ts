/**
 * The folder tree of an account at one instant, from the folder items' own files by the
 * point-in-time evaluator (recordedFolderAt, treeParent), and the target folder each one
 * becomes: its path of names then, Inbox as INBOX.
 */
import type { ItemHistory } from '../item/types';
import { isFolderTransaction, recordedFolderAt, treeParent, type FolderLookup, type PointSpec } from '../pointInTime';
import { ItemType, ROOT_ID, SYSTEM_FOLDERS, USER_ROOT_ID } from '../zimbra';
import { INBOX } from './names';

/** System folders that hold no mail (contacts, calendars, tasks, files…): not restored to a mail target. */
const NON_MAIL_SYSTEM_FOLDERS: ReadonlySet<number> = new Set([7, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
const MAX_DEPTH = 256;

export interface FolderNode {
  id: number;
  name: string;
  parentId?: number;
  type?: number;
}

export class FolderTreeAt {
  private readonly nodes = new Map<number, FolderNode>();
  readonly lookup: FolderLookup = (id) => this.nodes.get(id);

  constructor(folderHistories: readonly ItemHistory[], when: PointSpec) {
    for (const h of folderHistories) {
      const f = recordedFolderAt(h, when);
      if (!f) continue;
      const node: FolderNode = { id: f.id, name: f.name };
      if (f.parentId !== undefined) node.parentId = f.parentId;
      if (f.type !== undefined) node.type = f.type;
      this.nodes.set(f.id, node);
    }
  }

  /** Whether folder `id` exists then: recorded, or a system folder (they always exist). */
  exists(id: number): boolean {
    return this.nodes.has(id) || SYSTEM_FOLDERS[id] !== undefined;
  }

  /** The chain of folder ids from the top (below the mailbox roots) down to `id`. */
  chain(id: number): number[] {
    const ids: number[] = [];
    let current: number | undefined = id;
    for (let d = 0; current !== undefined && d < MAX_DEPTH; d++) {
      if (current === USER_ROOT_ID || current === ROOT_ID) break;
      ids.push(current);
      current = this.nodes.has(current) ? treeParent(this.lookup, current) : undefined;
    }
    return ids.reverse();
  }

  /** The target folder of `id` then: the names of its chain, Zimbra's top-level Inbox as INBOX. */
  segments(id: number): string[] | undefined {
    if (!this.exists(id) || id === USER_ROOT_ID || id === ROOT_ID) return undefined;
    return this.chain(id).map((fid, i) =>
      i === 0 && fid === 2 ? INBOX : (this.nodes.get(fid)?.name ?? SYSTEM_FOLDERS[fid]!),
    );
  }

  /** Whether a folder holds mail: a plain folder not at or below a non-mail system folder. */
  isMailFolder(id: number): boolean {
    const n = this.nodes.get(id);
    if (n?.type !== undefined && n.type !== ItemType.FOLDER) return false;
    return !this.chain(id).some((fid) => NON_MAIL_SYSTEM_FOLDERS.has(fid));
  }

  /** Every mail folder that exists then (user folders and Inbox, Sent, Drafts, Junk, Trash). */
  mailFolderIds(): number[] {
    const ids = new Set<number>();
    for (const id of this.nodes.keys()) if (id !== USER_ROOT_ID && id !== ROOT_ID && this.isMailFolder(id)) ids.add(id);
    return [...ids].sort((a, b) => a - b);
  }
}

/** The histories that are folders at some point (a folder's file is small; there are few). */
export function folderHistories(items: readonly ItemHistory[]): ItemHistory[] {
  return items.filter((h) => h.transactions.some(isFolderTransaction));
}
