import type { Finding, Range } from '../findings';

/** A JSON location inside a file: keys and array indexes from the root. */
export type JsonPointer = ReadonlyArray<string | number>;

/** One snapshot of an item's metadata, normalised from the documented keys (docs/backup-format.md §2). */
export interface Transaction {
  /** Position in the file's array. */
  index: number;
  transactionId?: number;
  /** Epoch ms; undefined when the transaction has no valid start-date. */
  start?: number;
  /** Epoch ms (exclusive); null = still valid. */
  end: number | null;
  itemId?: number;
  /** A Drive node's UUID, for drive_items/ files, instead of a numeric id. */
  nodeId?: string;
  type?: number;
  folderId?: number;
  parentId?: number;
  name?: string;
  subject?: string;
  sender?: string;
  recipients?: string;
  /** The item's own date, epoch seconds (mail_item.date). */
  date?: number;
  size?: number;
  digest?: string | null;
  flags?: number;
  tags?: string[];
  color?: number;
  version?: number;
  modMetadata?: number;
  modContent?: number;
  changeDate?: number;
  deleted: boolean;
  metadata?: string;
  /** Keys the documented format does not know, kept verbatim. */
  extra: Record<string, unknown>;
  /** The object as it is in the file. */
  raw: Record<string, unknown>;
}

export interface ItemHistory {
  /** Relative to the backup path. */
  path: string;
  /** From the file name when it is a numeric id. */
  fileItemId?: number;
  transactions: Transaction[];
  findings: Finding[];
  /** Whether the text parsed as JSON at all (false: no transactions). */
  parsed: boolean;
}

export type { Range };
