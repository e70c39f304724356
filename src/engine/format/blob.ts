/** BLOB bytes (docs/backup-format.md §4): gzip of the uncompressed content, named by its digest. */
import { gzipSync } from 'node:zlib';

/** gzip with a fixed header (Node writes mtime 0 and no name): the same input always gives the same bytes. */
export function gzipFixed(data: Uint8Array): Buffer {
  return gzipSync(data, { level: 6 });
}
