/** account_info, account_stat and backupstat (docs/backup-format.md §3). */
import { BACKUPSTAT_ORDER, INFO_ORDER, STAT_ORDER } from '../format/files';
import { finding, type Finding } from '../findings';
import { PendingFindings, resolvePending } from '../item/parse';
import { FieldReader, readJsonObject } from './json';

export interface AccountInfo {
  zimbraId?: string;
  name?: string;
  domain?: string;
  displayName?: string;
  status?: string;
  isSystem: boolean;
  cos?: string;
  createdDate?: number;
  deletedDate?: number;
  attributes: Record<string, unknown>;
  extra: Record<string, unknown>;
}

export interface AccountStat {
  lastItemId?: number;
  itemCount?: number;
  lastScanDate?: number;
  firstTransactionDate?: number;
  lastTransactionDate?: number;
  blobCount?: number;
  blobBytes?: number;
  extra: Record<string, unknown>;
}

export interface BackupStat {
  firstRunDate?: number;
  lastRunDate?: number;
  serverId?: string;
  backupVersion?: string;
  smartScanCount?: number;
  extra: Record<string, unknown>;
}

export interface Parsed<T> {
  value?: T;
  findings: Finding[];
}

const INFO_KEYS: ReadonlySet<string> = new Set(INFO_ORDER);
const STAT_KEYS: ReadonlySet<string> = new Set(STAT_ORDER);
const BACKUPSTAT_KEYS: ReadonlySet<string> = new Set(BACKUPSTAT_ORDER);
export const ACCOUNT_STATUSES = new Set(['active', 'locked', 'closed', 'maintenance', 'pending', 'lockout']);

/** The e-mail address from the text of an account_info that does not parse, when its "name" line is intact. */
export function salvageAccountName(bytes: Uint8Array | string): string | undefined {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
  const m = /"name"\s*:\s*"([^"\\\s@]+@[^"\\\s@]+)"/.exec(text);
  return m?.[1];
}

/** `folderId` is the zimbraId the folder name says; a different one inside is reported. */
export function parseAccountInfo(bytes: Uint8Array | string, path: string, folderId?: string): Parsed<AccountInfo> {
  const read = readJsonObject(bytes, path, 'account.invalid-json');
  if (!read.ok) return { findings: read.findings };
  const pending = new PendingFindings();
  const r = new FieldReader(read.value, pending, 'account.schema');
  const info: AccountInfo = {
    isSystem: r.bool('isSystem') ?? false,
    attributes: r.object('attributes') ?? {},
    extra: {},
  };
  const set = <K extends keyof AccountInfo>(k: K, v: AccountInfo[K] | undefined): void => {
    if (v !== undefined) info[k] = v;
  };
  set('zimbraId', r.string('zimbraId'));
  set('name', r.string('name'));
  set('displayName', r.string('displayName'));
  set('status', r.string('status'));
  set('cos', r.string('cos'));
  set('createdDate', r.date('createdDate'));
  set('deletedDate', r.date('deletedDate'));
  info.extra = r.unknownKeys(INFO_KEYS, 'account.unknown-field');
  const domain =
    r.string('domain') ?? (info.name?.includes('@') ? info.name.slice(info.name.lastIndexOf('@') + 1) : undefined);
  set('domain', domain?.toLowerCase());
  if (info.zimbraId === undefined) pending.add('account.schema', 'account_info has no "zimbraId"', []);
  if (info.name === undefined)
    pending.add('account.schema', 'account_info has no "name" (the account e-mail address)', []);
  else if (!info.name.includes('@'))
    pending.add('account.schema', `"name" ${info.name} is not an e-mail address`, ['name']);
  if (info.status !== undefined && !ACCOUNT_STATUSES.has(info.status))
    pending.add('account.schema', `unknown account status "${info.status}"`, ['status']);
  if (folderId !== undefined && info.zimbraId !== undefined && info.zimbraId !== folderId) {
    pending.add('account.id-mismatch', `account_info says zimbraId ${info.zimbraId} but its folder is ${folderId}`, [
      'zimbraId',
    ]);
  }
  return { value: info, findings: resolvePending(read.text, path, pending) };
}

export function parseAccountStat(bytes: Uint8Array | string, path: string): Parsed<AccountStat> {
  const read = readJsonObject(bytes, path, 'account.invalid-json');
  if (!read.ok) return { findings: read.findings };
  const pending = new PendingFindings();
  const r = new FieldReader(read.value, pending, 'account.schema');
  const stat: AccountStat = { extra: {} };
  for (const key of ['lastItemId', 'itemCount', 'blobCount', 'blobBytes'] as const) {
    const v = r.int(key);
    if (v !== undefined) stat[key] = v;
  }
  for (const key of ['lastScanDate', 'firstTransactionDate', 'lastTransactionDate'] as const) {
    const v = r.date(key);
    if (v !== undefined) stat[key] = v;
  }
  stat.extra = r.unknownKeys(STAT_KEYS, 'account.unknown-field');
  return { value: stat, findings: resolvePending(read.text, path, pending) };
}

export function parseBackupStat(bytes: Uint8Array | string, path: string): Parsed<BackupStat> {
  const read = readJsonObject(bytes, path, 'account.invalid-json');
  if (!read.ok) return { findings: read.findings };
  const pending = new PendingFindings();
  const r = new FieldReader(read.value, pending, 'account.schema');
  const stat: BackupStat = { extra: {} };
  const set = <K extends keyof BackupStat>(k: K, v: BackupStat[K] | undefined): void => {
    if (v !== undefined) stat[k] = v;
  };
  set('firstRunDate', r.date('firstRunDate'));
  set('lastRunDate', r.date('lastRunDate'));
  set('serverId', r.string('serverId'));
  set('backupVersion', r.string('backupVersion'));
  set('smartScanCount', r.int('smartScanCount'));
  stat.extra = r.unknownKeys(BACKUPSTAT_KEYS, 'account.unknown-field');
  return { value: stat, findings: resolvePending(read.text, path, pending) };
}

export function missingFile(path: string, what: string): Finding {
  return finding('layout.missing-account-info', path, `${what} is missing`);
}
