/** Engine values → the JSON shapes of shapes.ts (dates in the chosen zone). */
import {
  describeFlags,
  itemTypeName,
  type AccountStat,
  type AccountSummary,
  type BackupStat,
  type ServerArchive,
  type Transaction,
} from '../engine';
import { jsonDate, jsonSecondsDate, orNull } from './output';
import type { AccountJson, AccountStatJson, ArchiveJson, BackupStatJson, FlagsJson, TransactionJson } from './shapes';

export function accountJson(a: AccountSummary, zone: string): AccountJson {
  return {
    zimbraId: a.zimbraId,
    name: a.name,
    domain: orNull(a.domain),
    displayName: orNull(a.displayName),
    status: orNull(a.status),
    isSystem: a.isSystem,
    createdDate: jsonDate(a.createdDate, zone),
    deletedDate: jsonDate(a.deletedDate, zone),
  };
}

export function accountStatJson(s: AccountStat, zone: string): AccountStatJson {
  return {
    lastItemId: orNull(s.lastItemId),
    itemCount: orNull(s.itemCount),
    lastScanDate: jsonDate(s.lastScanDate, zone),
    firstTransactionDate: jsonDate(s.firstTransactionDate, zone),
    lastTransactionDate: jsonDate(s.lastTransactionDate, zone),
    blobCount: orNull(s.blobCount),
    blobBytes: orNull(s.blobBytes),
  };
}

export function backupStatJson(s: BackupStat, zone: string): BackupStatJson {
  return {
    firstRunDate: jsonDate(s.firstRunDate, zone),
    lastRunDate: jsonDate(s.lastRunDate, zone),
    serverId: orNull(s.serverId),
    backupVersion: orNull(s.backupVersion),
    smartScanCount: orNull(s.smartScanCount),
  };
}

/** account_info holds the password hash: never print it. */
export function redactSecrets(attributes: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attributes)) out[k] = /password/i.test(k) ? '(redacted)' : v;
  return out;
}

export function archiveJson(a: ServerArchive, zone: string): ArchiveJson {
  return { name: a.name, path: a.path, kind: a.kind, date: jsonDate(a.date, zone), size: a.size };
}

export function flagsJson(mask: number | undefined): FlagsJson | null {
  if (mask === undefined) return null;
  const { names, unknownBits } = describeFlags(mask);
  return { mask, names, unknownBits };
}

export function typeNameOf(type: number | undefined): string | null {
  return type === undefined ? null : (itemTypeName(type) ?? `type ${type}`);
}

export function transactionJson(tx: Transaction, zone: string): TransactionJson {
  return {
    index: tx.index,
    transactionId: orNull(tx.transactionId),
    startDate: jsonDate(tx.start, zone),
    endDate: jsonDate(tx.end, zone),
    itemId: orNull(tx.itemId),
    type: orNull(tx.type),
    typeName: typeNameOf(tx.type),
    folderId: orNull(tx.folderId),
    parentId: orNull(tx.parentId),
    name: orNull(tx.name),
    subject: orNull(tx.subject),
    sender: orNull(tx.sender),
    recipients: orNull(tx.recipients),
    date: jsonSecondsDate(tx.date, zone),
    size: orNull(tx.size),
    digest: orNull(tx.digest),
    flags: flagsJson(tx.flags),
    tags: tx.tags ?? [],
    color: orNull(tx.color),
    version: orNull(tx.version),
    modMetadata: orNull(tx.modMetadata),
    modContent: orNull(tx.modContent),
    changeDate: jsonSecondsDate(tx.changeDate, zone),
    deleted: tx.deleted,
    metadata: orNull(tx.metadata),
    extra: tx.extra,
    raw: tx.raw,
  };
}
