/**
 * A BLOB saved as an .eml file: its fully decompressed bytes (both layers of a double gzip),
 * verified first, written crash-safely (temp file, fsync, rename) — never inside the backup
 * path, which stays read-only. A damaged BLOB is refused with its status rather than saved
 * half: Show BLOB displays what could still be decoded of it.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BlobStore } from '../blobs';
import { DUMP_BLOB_MAX_BYTES } from '../blobLimits';
import { isInside } from '../cacheDir';
import { writeFileAtomic } from '../format/atomic';

export type EmlExport =
  | { ok: true; target: string; bytes: number }
  | { ok: false; reason: 'inside-backup' | 'unreadable-blob' | 'too-large'; message: string };

export async function exportBlobAsEml(root: string, digest: string, target: string): Promise<EmlExport> {
  const abs = path.resolve(target);
  // Compared by real paths: a target reached through a symlink into the backup is inside it too.
  if (isInside(await realPathOfTarget(abs), await fs.realpath(root).catch(() => path.resolve(root))))
    return {
      ok: false,
      reason: 'inside-backup',
      message: `${abs} lies inside the backup path ${root}, which is never written to: choose a folder outside it`,
    };
  const read = await new BlobStore(root).read(digest, DUMP_BLOB_MAX_BYTES);
  if (!read.ok && read.over !== undefined)
    return {
      ok: false,
      reason: 'too-large',
      message: `BLOB ${digest} decompresses to more than ${read.over} bytes: nothing exported`,
    };
  if (!read.ok)
    return {
      ok: false,
      reason: 'unreadable-blob',
      message: `BLOB ${digest} is ${read.verification.status}${read.verification.detail ? ` (${read.verification.detail})` : ''}: nothing exported; Show BLOB shows what could still be decoded of it`,
    };
  await fs.mkdir(path.dirname(abs), { recursive: true });
  await writeFileAtomic(abs, read.content);
  return { ok: true, target: abs, bytes: read.content.length };
}

/** The real path of a file that may not exist yet: its nearest existing folder resolved, the rest appended. */
async function realPathOfTarget(abs: string): Promise<string> {
  let dir = abs;
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(await fs.realpath(dir), ...rest);
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) return abs;
      rest.unshift(path.basename(dir));
      dir = parent;
    }
  }
}
