/**
 * Rules that need another file: the referenced BLOB, the folder at a transaction's
 * time, the account a map points to, the item id_mapper.log points to, the retention.
 */
import { say, type Finding, type Range } from '../findings';
import { blobRelPath, BLOBS_DIR } from '../layout';

const DAY = 86_400_000;

/** The retention the check and the purge use unless told otherwise (Zextras' default, ZxBackup_DataRetentionDays). */
export const DEFAULT_RETENTION_DAYS = 30;

/** blob.missing, on the item file at the digest that references the BLOB (or on the BLOB path when no item is known). */
export function missingBlobFinding(path: string, digest: string, range?: Range): Finding {
  const blobRel = blobRelPath(digest) ?? `${BLOBS_DIR}/${digest}`;
  return say('blob.missing', path, { digest, blobRel }, range ? { range } : {});
}

/** item.unknown-folder: a live transaction placed in a folder that does not exist at its start. */
export function unknownFolderFinding(
  path: string,
  folderId: number,
  at: number,
  transaction: number,
  range?: Range,
): Finding {
  return say('item.unknown-folder', path, { folderId, at, transaction }, range ? { range } : {});
}

/** Whether a folder reference needs judging: live, dated, and not a root folder (its own parent). */
export function isFolderReference(
  t: { folderId?: number | undefined; start?: number | undefined; deleted?: boolean; itemId?: number | undefined },
  fileItemId: number | undefined,
): boolean {
  return t.folderId !== undefined && t.start !== undefined && !t.deleted && t.folderId !== (t.itemId ?? fileItemId);
}

/** item.purge-due: deleted longer ago than the retention. */
export function purgeDueFinding(
  path: string,
  deletedAt: number | undefined,
  now: number,
  retentionDays: number,
): Finding | undefined {
  if (deletedAt === undefined || deletedAt >= now - retentionDays * DAY) return undefined;
  return say('item.purge-due', path, { deletedAt, now, retentionDays });
}

/** map.unknown-account: a map entry whose destination has no folder in accounts/. */
export function unknownMapAccountFinding(path: string, index: number, destination: string, range?: Range): Finding {
  return say('map.unknown-account', path, { index, destination }, range ? { range } : {});
}

/**
 * idmap.unknown-item: an id_mapper.log line mapping to an item the account does not have,
 * i.e. no regular file at its home path (itemRelPath); a file in another bucket does not count.
 */
export function unknownIdmapItemFinding(path: string, line: number, item: number, range: Range): Finding {
  return say('idmap.unknown-item', path, { line, item }, { range });
}
