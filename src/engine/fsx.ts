/**
 * File-system access that turns errors into findings instead of exceptions, never
 * follows symbolic links and caps what it reads.
 */
import { promises as fs, readdirSync, type Dirent } from 'node:fs';
import * as path from 'node:path';
import { finding, say, type Finding } from './findings';

/** Metadata files beyond this are not read in full (a real one is a few KB). */
export const MAX_METADATA_BYTES = 64 * 1024 * 1024;

export type DirListing = { ok: true; entries: Dirent[] } | { ok: false; finding: Finding; missing: boolean };

/** A folder's entries sorted by name (directory order for the reads that follow), or a finding. */
export async function listDir(abs: string, rel: string): Promise<DirListing> {
  try {
    return { ok: true, entries: byName(await fs.readdir(abs, { withFileTypes: true })) };
  } catch (err) {
    return listingFailure(rel, err);
  }
}

/** listDir for a worker thread, which has nothing else to do while it waits. */
export function listDirSync(abs: string, rel: string): DirListing {
  try {
    return { ok: true, entries: byName(readdirSync(abs, { withFileTypes: true })) };
  } catch (err) {
    return listingFailure(rel, err);
  }
}

function byName(entries: Dirent[]): Dirent[] {
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function listingFailure(rel: string, err: unknown): DirListing {
  const code = (err as NodeJS.ErrnoException).code;
  return { ok: false, missing: code === 'ENOENT' || code === 'ENOTDIR', finding: ioFailureFinding(rel, err, true) };
}

/**
 * The finding of a failed read (or listing) of `rel`, the same words at every call site:
 * io.symlink for a link refused by O_NOFOLLOW, io.not-found when it is gone, else io.unreadable.
 */
export function ioFailureFinding(rel: string, err: unknown, listing = false): Finding {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ELOOP' && !listing) return say('io.symlink', rel, { rel });
  const params = listing ? { rel, detail: describeIoError(err), listing } : { rel, detail: describeIoError(err) };
  return code === 'ENOENT' || (listing && code === 'ENOTDIR')
    ? say('io.not-found', rel, params)
    : say('io.unreadable', rel, params);
}

/** A name where a regular file belongs holds something else (a folder, a device): it cannot be read as one. */
export function notRegularFileFinding(rel: string): Finding {
  return say('io.unreadable', rel, { rel, detail: 'not a regular file' });
}

export type FileRead = { ok: true; bytes: Buffer; size: number } | { ok: false; finding: Finding; missing: boolean };

export async function readFileCapped(abs: string, rel: string, maxBytes = MAX_METADATA_BYTES): Promise<FileRead> {
  let handle: fs.FileHandle | undefined;
  try {
    const st = await fs.lstat(abs);
    if (st.isSymbolicLink()) return { ok: false, missing: false, finding: say('io.symlink', rel, { rel: rel }) };
    if (!st.isFile()) return { ok: false, missing: false, finding: notRegularFileFinding(rel) };
    if (st.size > maxBytes) {
      return {
        ok: false,
        missing: false,
        finding: finding(
          'io.too-large',
          rel,
          `${rel} is ${st.size} bytes, over the ${maxBytes}-byte limit for metadata`,
        ),
      };
    }
    handle = await fs.open(abs, 'r');
    const bytes = await handle.readFile();
    return { ok: true, bytes, size: bytes.length };
  } catch (err) {
    return {
      ok: false,
      missing: (err as NodeJS.ErrnoException).code === 'ENOENT',
      finding: ioFailureFinding(rel, err),
    };
  } finally {
    await handle?.close();
  }
}

export function describeIoError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'no such file or folder';
    case 'EIO':
      return 'input/output error (storage problem)';
    case 'ENOTDIR':
      return 'not a folder';
    case 'EISDIR':
      return 'is a folder';
    case 'ELOOP':
      return 'too many symbolic links';
    default:
      return e.code ? `${e.code}: ${e.message}` : String(e?.message ?? err);
  }
}

export function joinRel(...parts: string[]): string {
  return parts.filter((p) => p.length > 0).join('/');
}

export function absOf(root: string, rel: string): string {
  return rel ? path.join(root, ...rel.split('/')) : root;
}
