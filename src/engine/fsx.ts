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
  const missing = code === 'ENOENT' || code === 'ENOTDIR';
  return {
    ok: false,
    missing,
    finding: finding(
      missing ? 'io.not-found' : 'io.unreadable',
      rel,
      `cannot list ${rel || 'the backup path'}: ${describeIoError(err)}`,
    ),
  };
}

export type FileRead = { ok: true; bytes: Buffer; size: number } | { ok: false; finding: Finding; missing: boolean };

export async function readFileCapped(abs: string, rel: string, maxBytes = MAX_METADATA_BYTES): Promise<FileRead> {
  let handle: fs.FileHandle | undefined;
  try {
    const st = await fs.lstat(abs);
    if (st.isSymbolicLink()) return { ok: false, missing: false, finding: say('io.symlink', rel, { rel: rel }) };
    if (!st.isFile())
      return { ok: false, missing: false, finding: finding('io.unreadable', rel, `${rel} is not a regular file`) };
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
    const code = (err as NodeJS.ErrnoException).code;
    const missing = code === 'ENOENT';
    return {
      ok: false,
      missing,
      finding: finding(missing ? 'io.not-found' : 'io.unreadable', rel, `cannot read ${rel}: ${describeIoError(err)}`),
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
