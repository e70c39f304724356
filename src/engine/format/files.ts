/**
 * account_info, account_stat, backupstat (docs/backup-format.md §3), map files (§5) and
 * id_mapper.log lines (§6): typed values → the text the parsers in src/engine/files read.
 */
import type { AccountStat } from '../files/account';
import { FormatError } from './errors';

export interface AccountInfoValues {
  zimbraId: string;
  /** The account's e-mail address. */
  name: string;
  domain?: string;
  displayName?: string;
  status?: string;
  isSystem?: boolean;
  cos?: string;
  /** Epoch ms. */
  createdDate?: number;
  /** Epoch ms; null is written as null (the account is not deleted). */
  deletedDate?: number | null;
  attributes?: Record<string, unknown>;
}

/** What account_stat holds, as the reader types it (src/engine/files/account.ts). */
export type AccountStatValues = Omit<AccountStat, 'extra'>;

export interface BackupStatValues {
  firstRunDate?: number;
  lastRunDate?: number;
  serverId?: string;
  backupVersion?: string;
  smartScanCount?: number;
}

export interface MapValues {
  sourceServerId?: string;
  importDate?: number;
  accounts: { sourceId: string; destinationId: string; name?: string }[];
}

export interface IdMapperLine {
  sourceItemId: number;
  destinationItemId: number;
  /** An item type name ("message") or code. */
  type?: string | number;
}

/** The keys, in the order written; the reader (files/account.ts) knows exactly these. */
export const INFO_ORDER = [
  'zimbraId',
  'name',
  'domain',
  'displayName',
  'status',
  'isSystem',
  'cos',
  'createdDate',
  'deletedDate',
  'attributes',
] as const;
/** The keys, in the order written; the reader (files/account.ts) knows exactly these. */
export const STAT_ORDER = [
  'lastItemId',
  'itemCount',
  'lastScanDate',
  'firstTransactionDate',
  'lastTransactionDate',
  'blobCount',
  'blobBytes',
] as const;
/** The keys, in the order written; the reader (files/account.ts) knows exactly these. */
export const BACKUPSTAT_ORDER = ['firstRunDate', 'lastRunDate', 'serverId', 'backupVersion', 'smartScanCount'] as const;

export function serializeAccountInfo(v: AccountInfoValues): string {
  if (!v.name.includes('@'))
    throw new FormatError('format.bad-value', `account name "${v.name}" is not an e-mail address`);
  return json(ordered(v, INFO_ORDER));
}

export function serializeAccountStat(v: AccountStatValues): string {
  return json(ordered(v, STAT_ORDER));
}

export function serializeBackupStat(v: BackupStatValues): string {
  return json(ordered(v, BACKUPSTAT_ORDER));
}

export function serializeMap(v: MapValues): string {
  const o: Record<string, unknown> = ordered(v, ['sourceServerId', 'importDate'] as const);
  o['accounts'] = v.accounts.map((a) => ordered(a, ['sourceId', 'destinationId', 'name'] as const));
  return json(o);
}

/** One line of id_mapper.log, with its newline. */
export function idMapperLine(m: IdMapperLine): string {
  for (const n of [m.sourceItemId, m.destinationItemId]) {
    if (!Number.isSafeInteger(n) || n < 0)
      throw new FormatError('format.bad-value', `id_mapper.log ids are non-negative integers, not ${n}`);
  }
  const type = m.type === undefined ? '' : ` ${m.type}`;
  if (/\s/.test(type.slice(1)))
    throw new FormatError('format.bad-value', `an id_mapper.log type has no blanks: "${m.type}"`);
  return `${m.sourceItemId} ${m.destinationItemId}${type}\n`;
}

/** A comment line of id_mapper.log, with its newline. */
export function idMapperComment(text: string): string {
  if (/[\r\n]/.test(text)) throw new FormatError('format.bad-value', 'an id_mapper.log comment is one line');
  return `# ${text}\n`;
}

function ordered<T extends object, K extends keyof T>(v: T, keys: readonly K[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const k of keys) {
    const x = v[k];
    if (x === undefined) continue;
    if (typeof x === 'number' && !Number.isSafeInteger(x))
      throw new FormatError('format.bad-value', `"${String(k)}" must be an integer, not ${x}`);
    o[k as string] = x;
  }
  return o;
}

function json(o: unknown): string {
  return JSON.stringify(o, null, 2) + '\n';
}
