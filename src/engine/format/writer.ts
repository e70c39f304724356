/**
 * BackupWriter: the one place that puts the on-disk format into a backup path. Every
 * file is written crash-safely (./atomic.ts); BLOBs are stored once per digest.
 * Synchronous on purpose: for many small files it measured faster than a promise pool
 * (docs/sample.md), and callers are CLI commands and workers.
 */
import { lstatSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { verifyBlobBytes } from '../blobs';
import { computeDigest } from '../digest';
import { absOf } from '../fsx';
import { parseItemBytes } from '../item/parse';
import { accountRelPath, blobRelPath, BLOBS_DIR, ID_MAPPER_FILE, itemRelPath, MAP_PREFIX } from '../layout';
import { openAtomicSync, writeFileAtomicSync, fsyncDirSync, type AtomicFile, type AtomicOptions } from './atomic';
import { gzipFixed } from './blob';
import { FormatError } from './errors';
import {
  idMapperComment,
  idMapperLine,
  serializeAccountInfo,
  serializeAccountStat,
  serializeBackupStat,
  serializeMap,
  type AccountInfoValues,
  type AccountStatValues,
  type BackupStatValues,
  type IdMapperLine,
  type MapValues,
} from './files';
import { assertAppendable, serializeItem, serializeObjects, transactionObject, type TransactionValues } from './item';
import { driveItemRelPath } from './paths';

export interface BlobRef {
  digest: string;
  /** Uncompressed bytes (the item's `size`). */
  size: number;
  /** Bytes on disk. */
  stored: number;
  /** false: the BLOB was already there (and verified), nothing was written. */
  written: boolean;
}

export interface IdMapperWriter {
  comment(text: string): void;
  line(m: IdMapperLine): void;
  /** Puts the file in place (until then the old one, if any, is untouched). */
  commit(): void;
  abort(): void;
}

export class BackupWriter {
  private readonly dirs = new Set<string>();
  /** Digests stored or verified by this writer → bytes on disk. */
  private readonly blobs = new Map<string, number>();
  private readonly atomic: AtomicOptions;
  /** Files written, and those under items/ (BLOBs, fault files included) with their bytes. */
  files = 0;
  /** Bytes of every file written (a scan's summary). */
  bytesWritten = 0;
  blobFiles = 0;
  blobFileBytes = 0;

  constructor(
    readonly root: string,
    opts: AtomicOptions = {},
  ) {
    this.atomic = { durable: opts.durable !== false };
  }

  abs(rel: string): string {
    return absOf(this.root, rel);
  }

  // --- any file

  /** Writes `data` as given at `rel` (crash-safe). The typed methods below are the normal way in. */
  writeFile(rel: string, data: string | Uint8Array): string {
    const abs = this.abs(rel);
    this.ensureDir(path.dirname(abs));
    writeFileAtomicSync(abs, data, this.atomic);
    this.count(rel, typeof data === 'string' ? Buffer.byteLength(data) : data.length);
    return rel;
  }

  // --- items (§2)

  writeItem(accountId: string, itemId: number, txs: readonly TransactionValues[]): string {
    for (const t of txs) {
      if (t.itemId !== itemId)
        throw new FormatError(
          'format.bad-value',
          `item ${itemId}: transaction ${t.transactionId} has id ${t.itemId ?? t.nodeId}`,
        );
    }
    return this.writeFile(itemRelPath(accountId, itemId), serializeItem(txs));
  }

  writeDriveItem(accountId: string, uuid: string, txs: readonly TransactionValues[]): string {
    for (const t of txs) {
      if (t.nodeId !== uuid)
        throw new FormatError(
          'format.bad-value',
          `Drive item ${uuid}: transaction ${t.transactionId} has id ${t.nodeId ?? t.itemId}`,
        );
    }
    return this.writeFile(driveItemRelPath(accountId, uuid), serializeItem(txs));
  }

  /**
   * Adds a transaction to an item file (a scan saw a change): the last transaction, if
   * open, is closed at `next.start`. The earlier transactions are kept exactly as they
   * are in the file (unknown keys included). A file the parser does not read cleanly
   * is refused, not rewritten. No file yet: the item's first transaction.
   */
  appendTransaction(
    accountId: string,
    itemId: number,
    next: Omit<TransactionValues, 'transactionId'>,
  ): TransactionValues {
    const rel = itemRelPath(accountId, itemId);
    if (next.itemId !== undefined && next.itemId !== itemId)
      throw new FormatError('format.bad-value', `${rel}: the new transaction has id ${next.itemId}`);
    let bytes: Buffer | undefined;
    try {
      bytes = readFileSync(this.abs(rel));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (bytes === undefined) {
      const first: TransactionValues = { ...next, itemId, transactionId: 1 };
      this.writeItem(accountId, itemId, [first]);
      return first;
    }
    const h = parseItemBytes(bytes, rel, { fileItemId: itemId });
    const bad = h.findings.filter((f) => f.severity !== 'info');
    if (!h.parsed || bad.length > 0 || h.transactions.length === 0) {
      throw new FormatError(
        'format.damaged-item',
        `${rel} is not a clean item file (${bad[0]?.code ?? 'no transactions'}): not rewritten`,
      );
    }
    const last = h.transactions[h.transactions.length - 1]!;
    assertAppendable(last.start, last.end, next.start);
    const objects = h.transactions.map((t) => ({ ...t.raw }));
    objects[objects.length - 1]!['end-date'] = next.start;
    const tx: TransactionValues = {
      ...next,
      itemId,
      transactionId: h.transactions.reduce((m, t) => Math.max(m, t.transactionId ?? 0), 0) + 1,
    };
    objects.push(transactionObject(tx));
    this.writeFile(rel, serializeObjects(objects));
    return tx;
  }

  // --- account files (§3), map files (§5), id_mapper.log (§6)

  writeAccountInfo(v: AccountInfoValues): string {
    return this.writeFile(accountRelPath(v.zimbraId, 'account_info'), serializeAccountInfo(v));
  }

  writeAccountStat(accountId: string, v: AccountStatValues): string {
    return this.writeFile(accountRelPath(accountId, 'account_stat'), serializeAccountStat(v));
  }

  /** An account's backupstat, or the root one (external storage layout) when accountId is undefined. */
  writeBackupStat(accountId: string | undefined, v: BackupStatValues): string {
    return this.writeFile(
      accountId === undefined ? 'backupstat' : accountRelPath(accountId, 'backupstat'),
      serializeBackupStat(v),
    );
  }

  writeMap(serverId: string, v: MapValues): string {
    if (serverId === '' || /[\\/]/.test(serverId))
      throw new FormatError('format.bad-value', `"${serverId}" cannot name a map file`);
    return this.writeFile(`${MAP_PREFIX}${serverId}`, serializeMap(v));
  }

  /** Streams a whole id_mapper.log (it can hold a line per item); it appears when committed. */
  openIdMapper(accountId: string): IdMapperWriter {
    const rel = accountRelPath(accountId, ID_MAPPER_FILE);
    const abs = this.abs(rel);
    this.ensureDir(path.dirname(abs));
    const file: AtomicFile = openAtomicSync(abs, this.atomic);
    let buf: string[] = [];
    let bytes = 0;
    const flush = (): void => {
      if (buf.length === 0) return;
      const text = buf.join('');
      bytes += Buffer.byteLength(text);
      file.write(text);
      buf = [];
    };
    const push = (s: string): void => {
      buf.push(s);
      if (buf.length >= 4096) flush();
    };
    return {
      comment: (text) => push(idMapperComment(text)),
      line: (m) => push(idMapperLine(m)),
      commit: () => {
        flush();
        file.commit();
        this.count(rel, bytes);
      },
      abort: () => file.abort(),
    };
  }

  /** Adds lines to an account's id_mapper.log (the whole file is rewritten crash-safely). */
  appendIdMapper(accountId: string, lines: readonly IdMapperLine[]): string {
    const rel = accountRelPath(accountId, ID_MAPPER_FILE);
    let old = '';
    try {
      old = readFileSync(this.abs(rel), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const sep = old === '' || old.endsWith('\n') ? '' : '\n';
    return this.writeFile(rel, old + sep + lines.map(idMapperLine).join(''));
  }

  // --- BLOBs (§4)

  /**
   * Stores content once under its digest (gzip, items/<first two>/<digest>). A BLOB
   * already on disk is verified and left alone; one that holds other content is an
   * error, never overwritten.
   */
  putBlob(content: Uint8Array, knownDigest?: string): BlobRef {
    // A caller that hashed the content already (a scan, to journal it first) passes its digest.
    const digest = knownDigest ?? computeDigest(content);
    const known = this.blobs.get(digest);
    if (known !== undefined) return { digest, size: content.length, stored: known, written: false };
    const rel = blobRelPath(digest)!;
    const abs = this.abs(rel);
    const existing = this.statFile(abs);
    if (existing !== undefined) {
      const v = verifyBlobBytes(readFileSync(abs), digest);
      // Past the in-memory bound: the same content cannot inflate to more than ours, so compare within it.
      if (v === 'stream' ? !sameContent(readFileSync(abs), content) : v.status !== 'ok')
        throw new FormatError(
          'format.blob-conflict',
          `${rel} exists and is not a valid BLOB of that digest (${v === 'stream' ? 'other content' : v.status}): not overwritten`,
        );
      this.blobs.set(digest, existing);
      return { digest, size: content.length, stored: existing, written: false };
    }
    const gz = gzipFixed(content);
    this.writeFile(rel, gz);
    this.blobs.set(digest, gz.length);
    return { digest, size: content.length, stored: gz.length, written: true };
  }

  hasBlob(digest: string): boolean {
    return this.blobs.has(digest);
  }

  /** Bytes on disk of a BLOB this writer stored or verified. */
  storedSize(digest: string): number | undefined {
    return this.blobs.get(digest);
  }

  // --- helpers

  private statFile(abs: string): number | undefined {
    try {
      const st = lstatSync(abs);
      if (!st.isFile()) throw new FormatError('format.blob-conflict', `${abs} exists and is not a file`);
      return st.size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  private count(rel: string, bytes: number): void {
    this.files++;
    this.bytesWritten += bytes;
    if (rel.startsWith(`${BLOBS_DIR}/`)) {
      this.blobFiles++;
      this.blobFileBytes += bytes;
    }
  }

  /** mkdir -p, and when durable the parents of new folders are flushed too (a new folder is an entry of its parent). */
  private ensureDir(absDir: string): void {
    if (this.dirs.has(absDir)) return;
    const first = mkdirSync(absDir, { recursive: true });
    if (first !== undefined && this.atomic.durable) {
      for (let d = absDir; ; d = path.dirname(d)) {
        fsyncDirSync(path.dirname(d));
        if (d === first || path.dirname(d) === d) break;
      }
    }
    this.dirs.add(absDir);
  }
}

/** Whether a gzip file holds exactly `content`, inflating no more than its length + 1 byte. */
function sameContent(gz: Buffer, content: Uint8Array): boolean {
  try {
    return gunzipSync(gz, { maxOutputLength: content.length + 1 }).equals(content);
  } catch {
    return false;
  }
}
