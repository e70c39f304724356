import { say, type Finding } from '../findings';
import { isDigestName } from '../digestName';
import { BLOBS_DIR, driveBucket, isItemFileName, itemBucket, type FileKind } from '../layout';
import { tempTargetOf } from '../format/atomic';

export type ItemTree = 'items' | 'drive_items';

/**
 * layout.item-wrong-folder: an item file outside the bucket its name belongs in.
 * `name` is the file name: a decimal id under items/, a Drive node id under drive_items/.
 */
export function wrongBucketFinding(rel: string, tree: ItemTree, name: string, bucket: string): Finding | undefined {
  const home = tree === 'items' ? itemBucket(Number(name)) : driveBucket(name);
  return home === bucket ? undefined : say('layout.item-wrong-folder', rel, { name, tree, home, bucket });
}

/** The same rule for a path already classified by `classifyRelPath`. */
export function wrongBucketOf(rel: string, kind: FileKind): Finding | undefined {
  if (kind.kind === 'item') return wrongBucketFinding(rel, 'items', String(kind.itemId), kind.bucket);
  if (kind.kind === 'drive-item') return wrongBucketFinding(rel, 'drive_items', kind.name, kind.bucket);
  return undefined;
}

/** layout.bad-item-name: a file under items/NN/ whose name is not a decimal id. */
export function badItemNameFinding(rel: string, name: string): Finding | undefined {
  return isItemFileName(name) ? undefined : say('layout.bad-item-name', rel, { name });
}

/** blob.bad-name or blob.wrong-folder: a file in the BLOB store's prefix folder `prefix`. */
export function blobNameFinding(rel: string, name: string, prefix: string): Finding | undefined {
  if (!isDigestName(name)) return say('blob.bad-name', rel, { name });
  const home = name.slice(0, 2);
  return home === prefix ? undefined : say('blob.wrong-folder', rel, { name, home: `${BLOBS_DIR}/${home}`, prefix });
}

/**
 * layout.interrupted-write: a temp file of our crash-safe writer (format/atomic.ts) left
 * next to its target by a write that stopped before the rename; undefined for any other name.
 */
export function interruptedWriteFinding(rel: string, name: string): Finding | undefined {
  const target = tempTargetOf(name);
  if (target === undefined) return undefined;
  const dir = rel.slice(0, rel.length - name.length);
  return say('layout.interrupted-write', rel, { rel, target: `${dir}${target}` });
}

/**
 * An entry that does not belong where it is: an interrupted write of ours when its name
 * says so, else layout.stray-entry ("<rel> is not <expected>").
 */
export function strayEntryFinding(rel: string, name: string, expected: string): Finding {
  return interruptedWriteFinding(rel, name) ?? say('layout.stray-entry', rel, { rel, expected });
}
