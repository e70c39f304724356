/** Options, per-file results and the report of the coherency check (docs/check.md). */
import type { Finding, FindingCode, Severity } from '../findings';
import type { JsonPointer } from '../item/types';
import type { CheckedKind } from '../fileKinds';

export type CheckLevel = 'structure' | 'metadata' | 'blobs';
export const CHECK_LEVELS: readonly CheckLevel[] = ['structure', 'metadata', 'blobs'];

/** A deterministic slice n/t of the BLOBs (1 ≤ n ≤ t), or a random percentage. */
export type SampleSpec = { slice: [number, number] } | { percent: number };

export type DoubleGzipMode = 'skip' | 'check' | 'fix';

export interface CheckOptions {
  /** zimbraIds or e-mail addresses; when given, only these accounts and the BLOBs they reference are checked (no orphan search). */
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
  /** A folder of JSON Schemas replacing ours (the CLI's --schema-dir): metadata is validated against them. */
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
  /**
   * Items whose message body is lost (their BLOB is missing, or corrupted, truncated,
   * empty or not gzip: LOST_BODY_CODES), counted per referencing item, per account id.
   */
  lostBodies: { items: number; byAccount: Record<string, number> };
  level: CheckLevel;
  /** How files were checked: "threads:N" (worker pool) or "in-process". */
  workers: string;
  /** The cache file used, or null (--no-cache, or it could not be opened). */
  cacheFile: string | null;
  /** An info note when the cache could not be opened (the check ran without it). */
  cacheNote?: string;
  /** Level blobs with --sample: which sample of the BLOBs was verified ("1/7", "10%"); absent otherwise. */
  sampled?: string;
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

/** The kinds of file the check reads (the file-kind table, src/engine/fileKinds.ts). */
export type FileKindTag = CheckedKind;

export interface FileStat {
  size: number;
  mtimeMs: number;
  ino: number;
}

/** Facts about one file that cross-file checks need; cached with the file's findings. */
/** An id_mapper.log line's destination: [item id, line, start column, end column]. */
export type IdMapperTarget = [number, number, number, number];

export type FileFacts =
  | {
      kind: 'item';
      itemId?: number; /** [digest, declared size (last wins, -1 unknown), first transaction referencing it]. */
      digests: [string, number, number][];
      folderDefs: FolderInterval[];
      folderUses: FolderUse[];
      deletedAt?: number;
      parsed: boolean;
      isFolder: boolean;
    }
  | { kind: 'id-mapper'; targets: IdMapperTarget[] }
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
  /** false: no cache wants the file's stat, so metadata is read without fstat. */
  stat?: boolean;
}

/**
 * What the main thread hands a worker: named files (root and account files, BLOBs of a
 * filtered check), or a whole folder the worker lists itself (an item bucket, a BLOB
 * prefix folder). Folders keep the main thread free: it only merges the facts.
 */
export type WorkItem =
  | { type: 'files'; files: FileJob[]; records: boolean }
  | {
      type: 'item-folders';
      /** Bucket folders accounts/<id>/items/NN or accounts/<id>/drive_items/NN, of one account and tree. */
      folders: string[];
      drive: boolean;
      /** false at level structure: names only, no file is opened. */
      read: boolean;
      /** Cached stats: files that still have them are not read (see ExpectedStats). */
      expect?: ExpectedStats;
      /** Return a cache record for every file read. */
      records: boolean;
    }
  | {
      type: 'blob-folders';
      /** Prefix folders under items/, listed in this order (a BLOB folder holds few files: several make one item). */
      folders: string[];
      /** First pass: report entries that are not BLOBs of their folder. */
      layout: boolean;
      /** Verify the content (level blobs), else only list the names. */
      verify: boolean;
      sample?: SampleSpec;
      expect?: ExpectedStats;
      records: boolean;
    };

/** [size, mtimeMs, ino] of a cached result (only verified BLOBs are cached, so every one stands when the file is unchanged). */
export type CachedStat = [number, number, number];

/**
 * The cached stats a work item's files are compared with: rels, and [size, mtimeMs, ino]
 * of rel i at 3i in one Float64Array. Posted to a worker, this clones several times
 * faster than an object with a property per file (measured in a cached 100k-item run).
 */
export interface ExpectedStats {
  rels: string[];
  stats: Float64Array;
}

/** A file's result as the cache stores it: [rel, size, mtimeMs, ino, findings JSON, facts JSON]. */
export type CacheRecord = [string, number, number, number, string, string];

/**
 * What a work item yields, gathered where the files were checked so that only
 * compact arrays cross threads (FactsBuilder makes it, CheckRun merges it).
 */
export interface BatchFacts {
  files: number;
  bytes: number;
  findings: Finding[];
  /** Metadata unusable as a whole (--fix-backup quarantines it): rel, code. */
  unusable: [string, FindingCode][];
  /** Digests items reference, packed (see packNames), and the size each declares (-1: none). */
  digests: string;
  digestSizes: number[];
  /** Who references each digest, flat [index in refRels, transaction]: where blob.missing points. */
  digestRefs: number[];
  refRels: string[];
  folderDefs: FolderInterval[];
  /** Items placed in non-system folders: their rels, and flat [rel index, folderId, at, transaction]. */
  useRels: string[];
  uses: number[];
  /** BLOBs whose content was read, packed, and their real sizes (for blob.size-mismatch). */
  sizedBlobs: string;
  blobSizes: number[];
  /** Double-gzip BLOBs to rewrite (--fix-double-gzip fix). */
  rewrites: string[];
  idmaps: { rel: string; targets: IdMapperTarget[] }[];
  maps: { rel: string; destinations: [string, number][] }[];
  /** A listed item folder: the item ids its file names carry, and how many item files it holds. */
  itemIds: number[];
  items: number;
  /** Listed BLOB folders: the valid BLOB names in them, packed. */
  present: string;
  /** A folder could not be listed (the finding is in `findings` when it is reported). */
  listFailed: boolean;
  /** Rels whose cached result stands (expect matched). */
  unchanged: string[];
  /** Fresh results for the cache, when asked for. */
  records: CacheRecord[];
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
  /** Items deleted longer ago are "purge due"; without it, nobody asks (the per-file check). */
  retentionMs?: number;
  /** The schema folder metadata is validated against (schemasFor); ours when absent. */
  schemaDir?: string;
}

/** A finding whose range is found later by re-reading its file (cross-file findings). */
export interface PointedFinding {
  code: FindingCode;
  path: string;
  message: string;
  pointer: JsonPointer;
}
