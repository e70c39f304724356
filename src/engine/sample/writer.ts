/** Writes the sample tree: plain files and the deduplicated, gzip-compressed BLOB store. */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { computeDigest } from '../digest';
import { blobRelPath } from '../layout';

export interface BlobRef {
  digest: string;
  /** Uncompressed bytes (the item's `size`). */
  size: number;
  /** Bytes on disk. */
  stored: number;
}

/** gzip with a fixed header (mtime 0, no name): the same input always gives the same bytes. */
export function gzipFixed(data: Uint8Array): Buffer {
  return gzipSync(data, { level: 6 });
}

export class SampleWriter {
  private readonly dirs = new Set<string>();
  private readonly blobs = new Map<string, number>();
  /** BLOB files on disk and their bytes (fault files included). */
  blobFiles = 0;
  blobFileBytes = 0;
  files = 0;

  constructor(readonly root: string) {}

  abs(rel: string): string {
    return path.join(this.root, ...rel.split('/'));
  }

  private ensureDir(relDir: string): void {
    if (relDir === '' || this.dirs.has(relDir)) return;
    mkdirSync(this.abs(relDir), { recursive: true });
    this.dirs.add(relDir);
  }

  write(rel: string, data: string | Uint8Array): void {
    const slash = rel.lastIndexOf('/');
    this.ensureDir(slash < 0 ? '' : rel.slice(0, slash));
    writeFileSync(this.abs(rel), data);
    this.files++;
  }

  /** Stores content once under its digest; later calls with the same content only return the reference. */
  putBlob(content: Uint8Array): BlobRef {
    const digest = computeDigest(content);
    const known = this.blobs.get(digest);
    if (known !== undefined) return { digest, size: content.length, stored: known };
    const gz = gzipFixed(content);
    this.writeBlobFile(blobRelPath(digest)!, gz);
    this.blobs.set(digest, gz.length);
    return { digest, size: content.length, stored: gz.length };
  }

  /** A file under items/ written as given (faults): counted with the BLOBs. */
  writeBlobFile(rel: string, bytes: Uint8Array): void {
    this.write(rel, bytes);
    this.blobFiles++;
    this.blobFileBytes += bytes.length;
  }

  hasBlob(digest: string): boolean {
    return this.blobs.has(digest);
  }

  storedSize(digest: string): number | undefined {
    return this.blobs.get(digest);
  }
}
