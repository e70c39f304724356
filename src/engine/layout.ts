/**
 * Where things live in a backup path (docs/backup-format.md §1). Pure functions on
 * relative paths with forward slashes; nothing here touches the disk.
 */
import { isValidDigest } from './digest';

export const ACCOUNTS_DIR = 'accounts';
export const BLOBS_DIR = 'items';
export const SERVER_DIRS = ['server', 'servers'] as const;
export const ACCOUNT_FILES = ['account_info', 'account_stat', 'backupstat'] as const;
export type AccountFileName = (typeof ACCOUNT_FILES)[number];
export const ID_MAPPER_FILE = 'id_mapper.log';
export const MAP_PREFIX = 'map_';

/**
 * What our own commands keep at the root of a backup path: never customer data, never
 * reported as stray (docs/backup-format.md "Files of ours"). The fix's quarantine, the
 * writers' lock, and the state of scans and purges (e.g. the IMAP UID map, journals).
 */
export const QUARANTINE_DIR = '.zxb-quarantine';
export const LOCK_FILE = '.zxb-lock';
export const STATE_DIR = '.zxb-state';
export const OWN_ROOT_ENTRIES: readonly string[] = [QUARANTINE_DIR, LOCK_FILE, STATE_DIR];

const ZIMBRA_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ITEM_ID = /^(0|[1-9][0-9]*)$/;
const CUSTOMIZATIONS = /^customizations_(\d{2}_\d{2}_\d{2}#\d{2}_\d{2}_\d{2})\.tar\.gz$/;

export function isZimbraId(name: string): boolean {
  return ZIMBRA_ID.test(name);
}

export function isItemFileName(name: string): boolean {
  return ITEM_ID.test(name) && name.length <= 10;
}

/** `NN`: the last two decimal digits of the id, zero-padded. */
export function itemBucket(itemId: number): string {
  return String(itemId % 100).padStart(2, '0');
}

export function itemRelPath(accountId: string, itemId: number): string {
  return `${ACCOUNTS_DIR}/${accountId}/items/${itemBucket(itemId)}/${itemId}`;
}

export function accountRelPath(accountId: string, file?: string): string {
  return file ? `${ACCOUNTS_DIR}/${accountId}/${file}` : `${ACCOUNTS_DIR}/${accountId}`;
}

export function driveBucket(uuid: string): string {
  return uuid.slice(-2).toLowerCase();
}

/** The BLOB's relative path, or undefined when the string is not a valid digest (never a traversal). */
export function blobRelPath(digest: string): string | undefined {
  if (!isValidDigest(digest)) return undefined;
  return `${BLOBS_DIR}/${digest.slice(0, 2)}/${digest}`;
}

export function customizationsStamp(fileName: string): string | undefined {
  return CUSTOMIZATIONS.exec(fileName)?.[1];
}

export type FileKind =
  | { kind: 'item'; accountId: string; bucket: string; itemId: number }
  | { kind: 'drive-item'; accountId: string; bucket: string; name: string }
  | { kind: 'account-file'; accountId: string; file: AccountFileName }
  | { kind: 'id-mapper'; accountId: string }
  | { kind: 'map'; serverId: string }
  | { kind: 'root-backupstat' }
  | { kind: 'blob'; prefix: string; digest: string }
  | { kind: 'server-archive'; dir: string; name: string }
  | { kind: 'other' };

/** What a file is, judged from its path relative to the backup path. */
export function classifyRelPath(relPath: string): FileKind {
  const p = relPath.split(/[\\/]+/).filter((s) => s.length > 0);
  const [a, b, c, d, e] = p;
  if (p.length === 1 && a !== undefined) {
    if (a.startsWith(MAP_PREFIX) && a.length > MAP_PREFIX.length)
      return { kind: 'map', serverId: a.slice(MAP_PREFIX.length) };
    if (a === 'backupstat') return { kind: 'root-backupstat' };
  }
  if (a === ACCOUNTS_DIR && b !== undefined) {
    if (p.length === 3 && c !== undefined) {
      if ((ACCOUNT_FILES as readonly string[]).includes(c))
        return { kind: 'account-file', accountId: b, file: c as AccountFileName };
      if (c === ID_MAPPER_FILE) return { kind: 'id-mapper', accountId: b };
    }
    if (p.length === 5 && c === 'items' && d !== undefined && e !== undefined && isItemFileName(e)) {
      return { kind: 'item', accountId: b, bucket: d, itemId: Number(e) };
    }
    if (p.length === 5 && c === 'drive_items' && d !== undefined && e !== undefined) {
      return { kind: 'drive-item', accountId: b, bucket: d, name: e };
    }
  }
  if (a === BLOBS_DIR && p.length === 3 && b !== undefined && c !== undefined)
    return { kind: 'blob', prefix: b, digest: c };
  if ((SERVER_DIRS as readonly string[]).includes(a ?? '') && p.length === 2 && b !== undefined) {
    return { kind: 'server-archive', dir: a!, name: b };
  }
  return { kind: 'other' };
}

/** Relative path with forward slashes, whatever the platform. */
export function toRelPath(root: string, absPath: string): string {
  // Only a whole path segment is a prefix: /data/bk is not inside /data/b.
  const base = root.replace(/[\\/]+$/, '');
  const inside = absPath === base || absPath.startsWith(base + '/') || absPath.startsWith(base + '\\');
  const r = inside ? absPath.slice(base.length) : absPath;
  return r.replace(/\\/g, '/').replace(/^\/+/, '');
}
