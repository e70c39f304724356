/**
 * The `--json` output of every zxb command: one exported interface per command.
 * docs/cli.md documents these shapes and test/cli checks them; change all three
 * together and bump JSON_FORMAT_VERSION when a change is not purely additive.
 *
 * Conventions: dates are ISO 8601 strings in the chosen time zone (`--tz`, Z for
 * UTC); a value that is unknown is `null`, never absent; paths named `path` or
 * `file` are relative to the backup path unless the key says `backupPath`.
 */
import type { BlobStatus, ItemStatus, Range, Severity } from '../engine';

export const JSON_FORMAT_VERSION = 1;

export interface FindingJson {
  code: string;
  severity: Severity;
  path: string;
  /** Zero-based lines and characters, as in LSP. */
  range: Range | null;
  message: string;
  remedy: string;
  /** Only on a damaged BLOB's finding: the items whose message body it held (at most 50; all are counted in lostBodies). */
  related?: { path: string; message: string }[];
}

/** Keys every command's JSON starts with. */
export interface Envelope<C extends string> {
  formatVersion: typeof JSON_FORMAT_VERSION;
  command: C;
  timeZone: string;
  /** Everything noticed while doing the job; exit code 1 when one has severity "error". */
  findings: FindingJson[];
}

/** Printed on stdout with `--json` when the command stops with exit code 2. */
export interface ErrorJson {
  formatVersion: typeof JSON_FORMAT_VERSION;
  command: string;
  error: FindingJson;
}

export interface ArchiveJson {
  name: string;
  path: string;
  kind: 'customizations' | 'other';
  /** Read from the archive name in the chosen time zone. */
  date: string | null;
  size: number;
}

// --- getBackupInfo

export interface BackupInfoJson extends Envelope<'getBackupInfo'> {
  backupPath: string;
  mapFiles: { serverId: string; path: string; sourceServerId: string | null; accounts: number }[];
  serverArchives: ArchiveJson[];
  domains: { name: string; accounts: number }[];
  accounts: { total: number; active: number; deleted: number; system: number };
  items: { count: number };
  blobs: { count: number; bytes: number };
  firstRunDate: string | null;
  lastRunDate: string | null;
  firstTransactionDate: string | null;
  lastTransactionDate: string | null;
}

// --- accounts

export interface AccountRefJson {
  zimbraId: string;
  /** E-mail address, or the zimbraId when account_info cannot be read. */
  name: string;
}

export interface AccountJson extends AccountRefJson {
  domain: string | null;
  displayName: string | null;
  status: string | null;
  isSystem: boolean;
  createdDate: string | null;
  deletedDate: string | null;
}

export interface AvailableAccountJson extends AccountJson {
  /** Deleted at the requested date (deletedDate ≤ date). */
  deleted: boolean;
  itemCount: number | null;
  lastTransactionDate: string | null;
}

export interface AvailableAccountsJson extends Envelope<'getAvailableAccounts'> {
  backupPath: string;
  /** The instant evaluated (ISO), or "last" for now. */
  date: string;
  domains: string[] | null;
  hideDeleted: boolean;
  showSystem: boolean;
  accounts: AvailableAccountJson[];
  counts: {
    listed: number;
    deleted: number;
    hiddenSystem: number;
    hiddenDeleted: number;
    notYetCreated: number;
    otherDomains: number;
  };
}

// --- getAccountInfo

export interface AccountInfoFileJson {
  cos: string | null;
  /** Attributes as stored; values of keys containing "password" are replaced by "(redacted)". */
  attributes: Record<string, unknown>;
  extra: Record<string, unknown>;
}

export interface AccountStatJson {
  lastItemId: number | null;
  itemCount: number | null;
  lastScanDate: string | null;
  firstTransactionDate: string | null;
  lastTransactionDate: string | null;
  blobCount: number | null;
  blobBytes: number | null;
}

export interface BackupStatJson {
  firstRunDate: string | null;
  lastRunDate: string | null;
  serverId: string | null;
  backupVersion: string | null;
  smartScanCount: number | null;
}

export interface FolderJson {
  id: number;
  name: string;
  /** Name path at the requested date, e.g. "/Inbox/Projects". */
  path: string;
  parentId: number | null;
  typeName: string;
  /** Live items directly in the folder at that date. */
  items: number;
  /** Items deleted by that date whose last folder was this one. */
  deletedItems: number;
}

export interface AccountInfoJson extends Envelope<'getAccountInfo'> {
  backupPath: string;
  account: AccountJson;
  accountInfo: AccountInfoFileJson | null;
  accountStat: AccountStatJson | null;
  backupStat: BackupStatJson | null;
  snapshot: {
    /** The instant evaluated (ISO), or "last" for the latest state. */
    date: string;
    /** The account's standing at that date (account_info holds only today's status): accountStatusAt. */
    accountStatus: string;
    itemFiles: number;
    liveItems: number;
    deletedItems: number;
    /** Live items whose folder does not exist at that date. */
    unplacedItems: number;
    folders: FolderJson[];
  };
}

// --- getItem

export interface FlagsJson {
  mask: number;
  names: string[];
  /** Bits no known flag explains. */
  unknownBits: number;
}

/** Every field of a transaction, normalised; `raw` is the object as it is in the file. */
export interface TransactionJson {
  index: number;
  transactionId: number | null;
  startDate: string | null;
  /** null: still valid. */
  endDate: string | null;
  itemId: number | null;
  type: number | null;
  typeName: string | null;
  folderId: number | null;
  parentId: number | null;
  name: string | null;
  subject: string | null;
  sender: string | null;
  recipients: string | null;
  /** The item's own date (mail_item.date). */
  date: string | null;
  size: number | null;
  digest: string | null;
  flags: FlagsJson | null;
  tags: string[];
  color: number | null;
  version: number | null;
  modMetadata: number | null;
  modContent: number | null;
  changeDate: string | null;
  deleted: boolean;
  metadata: string | null;
  extra: Record<string, unknown>;
  raw: Record<string, unknown>;
}

export interface BlobJson {
  digest: string;
  /** null when the digest is not a valid digest (it is never turned into a path). */
  path: string | null;
  status: BlobStatus;
  compressedSize: number | null;
  size: number | null;
  detail: string | null;
  /** With --dump-blob: the decompressed bytes in base64, when at most DUMP_INLINE_LIMIT bytes. */
  content?: string;
  /** With --dump-blob: why `content` is absent. */
  contentOmitted?: string;
}

export interface ItemStateJson {
  /** The instant evaluated: the requested date, or the transaction's start with --date all; null for "last". */
  at: string | null;
  status: ItemStatus;
  transaction: TransactionJson | null;
  folder: { id: number; path: string | null } | null;
  blob: BlobJson | null;
}

export interface ItemJson extends Envelope<'getItem'> {
  backupPath: string;
  account: AccountRefJson;
  itemId: number;
  file: string;
  /** ISO instant, "last", or "all". */
  date: string;
  states: ItemStateJson[];
}

export const DUMP_INLINE_LIMIT = 1024 * 1024;

// --- getMap

export interface MapAccountJson {
  sourceId: string;
  destinationId: string;
  name: string | null;
  /** Whether accounts/<destinationId> exists; null when the map is not in a backup path. */
  inBackup: boolean | null;
  /** The account's name from its account_info in the backup path. */
  backupName: string | null;
}

export interface MapJson extends Envelope<'getMap'> {
  file: string;
  /** The folder holding the map, when it is a backup path. */
  backupPath: string | null;
  serverId: string;
  sourceServerId: string | null;
  importDate: string | null;
  accounts: MapAccountJson[];
  extra: Record<string, unknown>;
}

// --- getServerConfig

export interface ArchiveEntryJson {
  path: string;
  size: number;
  type: string;
  mtime: string | null;
}

export interface ServerConfigJson extends Envelope<'getServerConfig'> {
  backupPath: string;
  section: 'customizations';
  /** ISO instant, "last", "first" or "all". */
  date: string;
  archives: ArchiveJson[];
  /** The archive valid at the date (at most one), or every archive with --date all. */
  selected: (ArchiveJson & { entries: ArchiveEntryJson[] | null })[];
}

// --- doItemSearch

export const SEARCH_TYPES = ['message', 'contact', 'folder', 'document', 'appointment', 'task', 'all'] as const;
export type SearchType = (typeof SEARCH_TYPES)[number];
export const SEARCH_FILTERS = ['all', 'deleted', 'not_deleted'] as const;
export type SearchFilter = (typeof SEARCH_FILTERS)[number];

export interface SearchResultJson {
  id: number;
  /** The zimbraId of the item's account. */
  account: string;
  type: number | null;
  typeName: string;
  folderId: number | null;
  folderPath: string | null;
  /** The item's own date, or its first transaction's start when it has none. */
  date: string | null;
  deleted: boolean;
  subject: string;
  file: string;
}

export interface ItemSearchJson extends Envelope<'doItemSearch'> {
  backupPath: string;
  /** null when the account asked for is `all` (each result names its account). */
  account: AccountRefJson | null;
  query: {
    searchString: string | null;
    type: SearchType;
    before: string | null;
    after: string | null;
    searchFilter: SearchFilter;
    date: string;
  };
  /** `catalogue`: served from the item catalogue; `scan`: every item file read (no SQLite here, or --no-catalogue). */
  source: 'catalogue' | 'scan';
  /** Why the scan was used, or that the catalogue had to be rebuilt; null otherwise. */
  sourceNote: string | null;
  scannedItems: number;
  results: SearchResultJson[];
}

// --- catalogue

export interface CatalogueAccountJson extends AccountRefJson {
  /** Whether an indexing of the account completed (its rows can be used). */
  indexed: boolean;
  indexedAt: string | null;
  /** Item files known, and those recorded as unreadable. */
  files: number | null;
  skipped: number | null;
  /** What this run did (null with --status): files read because new or changed, rows of vanished files removed. */
  refresh: { updated: number; removed: number; durationMs: number } | null;
}

export interface CatalogueJson extends Envelope<'catalogue'> {
  backupPath: string;
  /** The SQLite file, outside the backup path. */
  file: string;
  driver: 'node:sqlite' | 'better-sqlite3';
  /** Whether text searches use the FTS5 index. */
  fullText: boolean;
  layoutVersion: number;
  bytes: number;
  /** Why the file found was not trusted and was rebuilt (or emptied by --rebuild); null otherwise. */
  rebuilt: string | null;
  /** SQLite's quick_check with --status ("ok" when sound); null otherwise. */
  integrity: string | null;
  accounts: CatalogueAccountJson[];
}

// --- diff

export interface DiffSideJson {
  status: 'live' | 'deleted';
  /** An item's folder, a folder's parent. */
  folderId: number | null;
  /** That folder's path at this moment (a folder: its own path); null when it does not exist then. */
  folderPath: string | null;
  /** Subject or name. */
  name: string;
  flags: number | null;
}

export interface DiffEntryJson {
  id: number;
  /** The item file: `zxb getItem … --date all` shows its whole history. */
  file: string;
  type: number | null;
  typeName: string;
  changes: ('added' | 'deleted' | 'restored' | 'moved' | 'renamed' | 'reflagged')[];
  /** The state at `from` / `to`; null when the item has none then. */
  before: DiffSideJson | null;
  after: DiffSideJson | null;
}

export interface DiffJson extends Envelope<'diff'> {
  backupPath: string;
  account: AccountRefJson;
  /** ISO instants, or "last". */
  from: string;
  to: string;
  source: 'catalogue' | 'scan';
  sourceNote: string | null;
  /** Entries (folders and items) with each change. */
  counts: Record<'added' | 'deleted' | 'restored' | 'moved' | 'renamed' | 'reflagged', number>;
  folders: DiffEntryJson[];
  items: DiffEntryJson[];
}

// --- makeSample

export interface SampleJson extends Envelope<'makeSample'> {
  dir: string;
  seed: number;
  /** The size model of the messages: `real` (the default) or `small`. */
  sizes: 'small' | 'real';
  accounts: { zimbraId: string; name: string; items: number }[];
  /** Item files written (fault files included). */
  items: number;
  /** Files in the BLOB store and their bytes on disk. */
  blobs: number;
  blobBytes: number;
  /** With --faults: each damaged file and the finding a check must report for it. */
  faults: { id: string; path: string; expectedCode: string; description: string }[];
  /** Every transaction of the sample starts in [startDate, endDate). */
  startDate: string;
  endDate: string;
}

// --- doExport

export interface ExportJson extends Envelope<'doExport'> {
  backupPath: string;
  /** Absolute path of the new backup path. */
  destination: string;
  /** The transaction window, both ends included; null: every transaction. */
  window: { from: string | null; to: string | null } | null;
  accounts: { zimbraId: string; name: string; items: number; transactions: number; blobs: number }[];
  items: number;
  transactions: number;
  /** BLOB files copied and their bytes on disk. */
  blobs: number;
  blobBytes: number;
  /** Referenced BLOBs the source does not have either. */
  missingBlobs: number;
  files: number;
}

// --- doPurge

export interface PurgeEntryJson {
  kind: 'id-mapper-lines' | 'item' | 'drive-item' | 'blob' | 'archive';
  path: string;
  bytes: number;
  account: string | null;
  /** Deletion time of an item, date of an archive. */
  date: string | null;
  reason: string;
}

export interface PurgeJson extends Envelope<'doPurge'> {
  backupPath: string;
  /** 0: infinite retention (nothing is purged). */
  purgeDays: number;
  /** The instant the retention is measured from. */
  now: string;
  apply: boolean;
  infiniteRetention: boolean;
  /** Journals of interrupted purges this run finished (relative paths). */
  resumedJournals: string[];
  /** This run's journal (with --apply, when anything was to go), else null. */
  journal: string | null;
  /** What goes (dry run) or went (--apply), in the order of removal. */
  entries: PurgeEntryJson[];
  /** Due items that stay, and why. */
  kept: { path: string; account: string | null; reason: string; count: number }[];
  legalHoldAccounts: string[];
  totals: { items: number; blobs: number; archives: number; idMapperFiles: number; bytes: number };
  /** With --apply: entries removed by this run, found already gone, or skipped (changed since planned). */
  removed: number;
  gone: number;
  skipped: number;
  interrupted: boolean;
}

export interface UnrestoredItemJson {
  itemId: number;
  /** missing-blob, damaged-blob, broken-item or refused. */
  reason: string;
  detail: string;
}

/** doRestoreOnNewAccount, doUndelete and doItemRestore: Zextras' restore notification as JSON. */
export interface RestoreJson extends Envelope<'doRestoreOnNewAccount' | 'doUndelete' | 'doItemRestore'> {
  backupPath: string;
  account: AccountRefJson;
  /** The target, never with a password: imap://HOST:PORT as LOGIN, maildir:/mbox:/eml:ABSOLUTE-PATH. */
  destination: string;
  /** The moment restored (undelete: the end of the range): ISO 8601, or "last". */
  date: string;
  dryRun: boolean;
  stats: { restored: number; skipped: number; unrestored: number };
  skippedDetail: { alreadyRestored: number; notMail: number };
  unrestoredItems: { account: string; itemIds: number[]; items: UnrestoredItemJson[] }[];
  foldersCreated: number;
  interrupted: boolean;
  /** The journal a rerun continues from (in the cache folder), or null. */
  journal: string | null;
  /** --dry-run: what would be written; else null. */
  wouldWrite: {
    folders: string[];
    messages: {
      itemId: number;
      folder: string;
      flags: string[];
      keywords: string[];
      internalDate: string;
      size: number | null;
    }[];
  } | null;
}

// --- doSmartScan start, doAccountScan, doRealtimeScan

export interface ScanCountsJson {
  new: number;
  changed: number;
  moved: number;
  deleted: number;
  unchanged: number;
}

export interface ScanAccountJson extends ScanCountsJson {
  login: string;
  name: string;
  zimbraId: string;
  /** scanned, or failed (a connection or login failure: `error` says which). */
  status: 'scanned' | 'failed';
  error: FindingJson | null;
  folders: { new: number; changed: number; deleted: number; unchanged: number };
  bytesWritten: number;
  blobsWritten: number;
  /** --deep: BLOBs read back and verified, and those rewritten. */
  verified: number;
  rewritten: number;
  durationMs: number;
}

export interface ScanJson extends Envelope<'doSmartScan' | 'doAccountScan' | 'doRealtimeScan'> {
  backupPath: string;
  /** imap://HOST:PORT (and the security), never a password. */
  source: string;
  interrupted: boolean;
  durationMs: number;
  accounts: ScanAccountJson[];
  totals: ScanCountsJson & { bytesWritten: number };
}
