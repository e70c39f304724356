/**
 * The check's books for one account: the item ids it has (in their home buckets), its
 * folders' lifetimes, the items placed in user folders and its id_mapper targets, merged
 * from the workers' facts; and, once its batches are in, the cross-file rules judged
 * from them: item.unknown-folder (by the point-in-time evaluator's rule) and
 * idmap.unknown-item.
 */
import { messageOf, type Finding } from '../findings';
import { folderExistsIn } from '../pointInTime';
import { unknownIdmapItemFinding } from '../rules';
import type { BatchFacts, FolderInterval, IdMapperTarget, PointedFinding } from './types';

export interface AccountLedgerSink {
  add(f: Finding): void;
  /** A finding whose range is resolved later by re-reading its file. */
  point(p: PointedFinding): void;
}

export class AccountLedger {
  private readonly itemIds = new Set<number>();
  private readonly folders = new Map<number, FolderInterval[]>();
  /** Items placed in non-system folders, and flat [index in useRels, folder id, instant, transaction index]. */
  private readonly useRels: string[] = [];
  private readonly uses: number[] = [];
  private idmap: { rel: string; targets: IdMapperTarget[] } | undefined;
  /** The account's batches in flight: its cross-file rules wait for them. */
  readonly pending: Promise<void>[] = [];

  constructor(readonly id: string) {}

  /** The account's part of a batch's facts. */
  merge(f: BatchFacts): void {
    for (const id of f.itemIds) this.itemIds.add(id);
    for (const def of f.folderDefs) {
      const list = this.folders.get(def[0]);
      if (list) list.push(def);
      else this.folders.set(def[0], [def]);
    }
    const base = this.useRels.length;
    for (const rel of f.useRels) this.useRels.push(rel);
    for (let i = 0; i < f.uses.length; i += 4)
      this.uses.push(base + f.uses[i]!, f.uses[i + 1]!, f.uses[i + 2]!, f.uses[i + 3]!);
    for (const m of f.idmaps) this.idmap = m;
  }

  /** The cross-file rules over the whole account (call once its batches are merged). */
  judge(sink: AccountLedgerSink): void {
    const u = this.uses;
    for (let i = 0; i < u.length; i += 4) {
      const [folderId, at, tx] = [u[i + 1]!, u[i + 2]!, u[i + 3]!];
      if (folderExistsIn(this.folders, folderId, at)) continue;
      sink.point({
        code: 'item.unknown-folder',
        path: this.useRels[u[i]!]!,
        message: messageOf('item.unknown-folder', { folderId, at, transaction: tx }),
        pointer: [tx, 'folder-id'],
      });
    }
    if (!this.idmap) return;
    for (const [dest, line, from, to] of this.idmap.targets) {
      if (this.itemIds.has(dest)) continue;
      const range = { start: { line, character: from }, end: { line, character: to } };
      sink.add(unknownIdmapItemFinding(this.idmap.rel, line, dest, range));
    }
  }
}
