/** Options, per-file results and the report of the coherency check (docs/check.md). */
import type { Finding, FindingCode, Severity } from '../findings';
import type { JsonPointer } from '../item/types';

export type CheckLevel = 'structure' | 'metadata' | 'blobs';
export const CHECK_LEVELS: readonly CheckLevel[] = ['structure', 'metadata', 'blobs'];

/** A deterministic slice n/t of the BLOBs (1 ≤ n ≤ t), or a random percentage. */
export type SampleSpec = { slice: [number, number] } | { percent: number };

export type DoubleGzipMode = 'skip' | 'check' | 'fix';

export interface CheckOptions {
  /** zimbraIds; when given, only these accounts and the BLOBs they reference are checked (no orphan search). */
  accounts?: string[];
  level: CheckLevel;
  sample?: SampleSpec;
  /** Worker threads; 0 runs everything in this thread. Default: the number of cores. */
  jobs?: number;
  /** true (default): the default cache folder; false: no cache; { dir }: that folder. */
  cache?: boolean | { dir: string };
  fixBackup?: boolean;
  fixDoubleGzip?: DoubleGzipMode;
  /** "Now" for future dates and purge due; default Date.now(). */
  now?: number;
  /** Deleted items older than this are "purge due" (info). Default 30. */
  retentionDays?: number;
  /** Accepted for the CLI's --schema-dir; the bulk check uses the typed parser (docs/check.md). */
  schemaDir?: string;
  /** Findings kept per code (all are counted). Default 1000. */
  maxFindingsPerCode?: number;
}

export interface CheckSummary {
  byCode: Partial<Record<FindingCode, number>>;
  bySeverity: Record<Severity, number>;
  filesChecked: number;
  bytesChecked: number;
  blobsChecked: number;
  itemsChecked: number;
  /** Files whose result came from the cache. */
  filesFromCache: number;
  durationMs: number;
  interrupted: boolean;
  /** Codes whose findings were counted in full but kept only up to the cap. */
  truncatedCodes: FindingCode[];
  maxFindingsPerCode: number;
  level: CheckLevel;
  /** How files were checked: "threads:N" (worker pool) or "in-process". */
  workers: string;
  /** The cache file used, or null (--no-cache, or it could not be opened). */
  cacheFile: string | null;
  /** An info note when the cache could not be opened (the check ran without it). */
  cacheNote?: string;
  /** The command a support engineer would run next. */
  nextCommand: string;
}

export interface CheckReport {
  root: string;
  findings: Finding[];
  summary: CheckSummary;
  quarantine?: { manifest: string; moved: number; rewritten: number };
}

// --- what a worker hands back for one file

export type FileKindTag = 'item' | 'drive-item' | 'account-file' | 'id-mapper' | 'map' | 'root-backupstat' | 'blob';

export interface FileStat {
  size: number;
  mtimeMs: number;
  ino: number;
}

/** Facts about one file that cross-file checks need; cached with the file's findings. */
export type FileFacts =
  | { kind: 'item'; itemId?: number; digests: [string, number][]; folderDefs: FolderInterval[]; folderUses: FolderUse[]; deletedAt?: number; parsed: boolean; isFolder: boolean }
  | { kind: 'id-mapper'; targets: [number, number][] }
  | { kind: 'map'; destinations: [string, number][] }
  | { kind: 'blob'; status: string; size?: number; sampled: boolean }
  | { kind: 'none' };

/** [folderId, start, end | null]: when a folder exists (live, not deleted). */
export type FolderInterval = [number, number, number | null];
/** [folderId, start, transaction index]: a live transaction placing the item in a folder. */
export type FolderUse = [number, number, number];

export interface FileJob {
  rel: string;
  kind: FileKindTag;
  /** The cached stat: when the file still has it, the worker skips it and says so. */
  expect?: FileStat;
  /** BLOBs outside the sample are only stat'ed. */
  verify?: boolean;
}

export interface FileResult {
  rel: string;
  kind: FileKindTag;
  stat?: FileStat;
  /** The file is unchanged since the cached result (expect matched). */
  unchanged?: boolean;
  findings: Finding[];
  facts: FileFacts;
  bytes: number;
}

export interface CheckContext {
  root: string;
  level: CheckLevel;
  now: number;
  fixDoubleGzip: DoubleGzipMode;
}

/** A finding whose range is found later by re-reading its file (cross-file findings). */
export interface PointedFinding {
  code: FindingCode;
  path: string;
  message: string;
  pointer: JsonPointer;
}
