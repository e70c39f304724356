/**
 * Repairs, only when asked: moves into a quarantine folder inside the backup path
 * (never a delete), crash-safe rewrites of double-gzipped BLOBs, and the undo.
 * Every change is listed in a manifest written (crash-safely) before it is made.
 */
import { createHash } from 'node:crypto';
import { constants as fsc, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { isGzip } from '../blobs';
import { inflateLimit } from '../blobLimits';
import type { FindingCode } from '../findings';
import { absOf } from '../fsx';
import { fsyncDir, writeFileAtomic } from '../format/atomic';
import { holdBackupLock } from '../format/lock';

// The one crash-safe write helper lives with the format writer; re-exported for the check's callers.
export { writeFileAtomic };

import { QUARANTINE_DIR } from '../layout';
export { QUARANTINE_DIR };
export const MANIFEST_NAME = 'manifest.json';

export interface ManifestEntry {
  /** moved: the file is now at quarantinePath. rewritten: a copy of the original is at quarantinePath. */
  action: 'moved' | 'rewritten';
  /** Relative to the backup path. */
  path: string;
  quarantinePath: string;
  size: number;
  sha256: string;
  reason: FindingCode;
  /** For rewrites: what the file holds after the fix. */
  rewrittenSha256?: string;
  rewrittenSize?: number;
}

export interface Manifest {
  format: 'zxb-quarantine';
  version: 1;
  created: string;
  backupPath: string;
  entries: ManifestEntry[];
}

export interface FixRequest {
  moves: { rel: string; reason: FindingCode }[];
  /** Double-gzipped BLOBs to rewrite with one gzip layer. */
  rewrites: string[];
}

export interface FixOutcome {
  /** Relative to the backup path. */
  manifest: string;
  moved: number;
  rewritten: number;
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function stampOf(now: number): string {
  return new Date(now).toISOString().replace(/[-:]/g, '').replace('.', '');
}

export interface FixRunOptions {
  /** The caller holds the backup lock already (a scan's --deep moving a damaged BLOB aside). */
  lockHeld?: boolean;
}

/**
 * Creates a quarantine folder, records the plan, then moves and rewrites. Takes the backup
 * lock (format/lock.ts): a fix refuses (lock.held, an EngineError) while a scan writes.
 */
export async function applyFix(
  root: string,
  req: FixRequest,
  now = Date.now(),
  opts: FixRunOptions = {},
): Promise<FixOutcome> {
  if (opts.lockHeld) return applyFixLocked(root, req, now);
  const got = holdBackupLock(root, 'doCoherencyCheck --fix', { consequence: 'the fix is not applied' });
  try {
    return await applyFixLocked(root, req, now);
  } finally {
    got.lock.release();
  }
}

async function applyFixLocked(root: string, req: FixRequest, now: number): Promise<FixOutcome> {
  const stamp = stampOf(now);
  let qRel = `${QUARANTINE_DIR}/${stamp}`;
  for (let i = 1; await exists(absOf(root, qRel)); i++) qRel = `${QUARANTINE_DIR}/${stamp}-${i}`;
  await fs.mkdir(absOf(root, qRel), { recursive: true });
  const manifest: Manifest = {
    format: 'zxb-quarantine',
    version: 1,
    created: new Date(now).toISOString(),
    backupPath: root,
    entries: [],
  };
  const rewritten = new Map<string, Buffer>();
  for (const m of req.moves) {
    const bytes = await fs.readFile(absOf(root, m.rel));
    manifest.entries.push({
      action: 'moved',
      path: m.rel,
      quarantinePath: `${qRel}/${m.rel}`,
      size: bytes.length,
      sha256: sha256Hex(bytes),
      reason: m.reason,
    });
  }
  for (const rel of req.rewrites) {
    const bytes = await fs.readFile(absOf(root, rel));
    let inner: Buffer;
    try {
      inner = gunzipSync(bytes, { maxOutputLength: inflateLimit(bytes.length) });
    } catch {
      continue; // the check verified it, so it changed since: leave it alone
    }
    if (!isGzip(inner)) continue; // not double-gzipped after all: leave it alone
    rewritten.set(rel, inner);
    manifest.entries.push({
      action: 'rewritten',
      path: rel,
      quarantinePath: `${qRel}/${rel}`,
      size: bytes.length,
      sha256: sha256Hex(bytes),
      reason: 'blob.double-gzip',
      rewrittenSha256: sha256Hex(inner),
      rewrittenSize: inner.length,
    });
  }
  const manifestRel = `${qRel}/${MANIFEST_NAME}`;
  await writeFileAtomic(absOf(root, manifestRel), Buffer.from(JSON.stringify(manifest, null, 2) + '\n'));
  let moved = 0;
  let rewrites = 0;
  for (const e of manifest.entries) {
    const src = absOf(root, e.path);
    const dst = absOf(root, e.quarantinePath);
    await fs.mkdir(path.dirname(dst), { recursive: true });
    if (e.action === 'moved') {
      if (await exists(dst)) throw new Error(`${e.quarantinePath} already exists`);
      await fs.rename(src, dst);
      await fsyncDir(path.dirname(src));
      moved++;
    } else {
      await fs.copyFile(src, dst, fsc.COPYFILE_EXCL);
      const fh = await fs.open(dst, 'r');
      await fh.sync().finally(() => fh.close());
      await writeFileAtomic(src, rewritten.get(e.path)!);
      rewrites++;
    }
    await fsyncDir(path.dirname(dst));
  }
  return { manifest: manifestRel, moved, rewritten: rewrites };
}

export interface UndoOutcome {
  restored: number;
  alreadyInPlace: number;
  problems: string[];
}

/**
 * Puts every file of a manifest back byte for byte. Refuses to overwrite a file that
 * differs from what the fix left there. When all went well, the quarantine copies
 * that are now identical to the restored files, the manifest and the empty folders
 * are removed, so the backup path is as it was before the fix.
 */
export async function undoFix(root: string, manifestPath: string): Promise<UndoOutcome> {
  const got = holdBackupLock(root, 'undoFix', { consequence: 'nothing is put back' });
  try {
    return await undoFixLocked(root, manifestPath);
  } finally {
    got.lock.release();
  }
}

async function undoFixLocked(root: string, manifestPath: string): Promise<UndoOutcome> {
  const absManifest = path.resolve(root, manifestPath);
  const manifest = JSON.parse(await fs.readFile(absManifest, 'utf8')) as Manifest;
  if (manifest.format !== 'zxb-quarantine' || !Array.isArray(manifest.entries))
    throw new Error(`${manifestPath} is not a quarantine manifest`);
  const out: UndoOutcome = { restored: 0, alreadyInPlace: 0, problems: [] };
  const copiesToDrop: string[] = [];
  for (const e of [...manifest.entries].reverse()) {
    if (!safeRel(e.path) || !safeRel(e.quarantinePath) || !e.quarantinePath.startsWith(`${QUARANTINE_DIR}/`)) {
      out.problems.push(`${e.path}: unsafe path in the manifest; skipped`);
      continue;
    }
    const orig = absOf(root, e.path);
    const q = absOf(root, e.quarantinePath);
    const current = await hashIfExists(orig);
    const saved = await hashIfExists(q);
    if (e.action === 'moved') {
      if (current === e.sha256) {
        out.alreadyInPlace++;
        if (saved === e.sha256) copiesToDrop.push(q);
        continue;
      }
      if (current !== undefined) {
        out.problems.push(`${e.path} exists and differs from the quarantined file; not overwritten`);
        continue;
      }
      if (saved !== e.sha256) {
        out.problems.push(
          `${e.quarantinePath} is ${saved === undefined ? 'missing' : 'changed'}; cannot restore ${e.path}`,
        );
        continue;
      }
      await fs.mkdir(path.dirname(orig), { recursive: true });
      await fs.rename(q, orig);
      await fsyncDir(path.dirname(orig));
      out.restored++;
    } else {
      if (saved !== e.sha256) {
        out.problems.push(
          `${e.quarantinePath} is ${saved === undefined ? 'missing' : 'changed'}; cannot restore ${e.path}`,
        );
        continue;
      }
      if (current === e.sha256) {
        out.alreadyInPlace++;
        copiesToDrop.push(q);
        continue;
      }
      if (current !== undefined && current !== e.rewrittenSha256) {
        out.problems.push(`${e.path} changed since the fix; not overwritten`);
        continue;
      }
      await writeFileAtomic(orig, await fs.readFile(q));
      copiesToDrop.push(q);
      out.restored++;
    }
  }
  if (out.problems.length === 0) {
    for (const q of copiesToDrop) await fs.unlink(q);
    await fs.unlink(absManifest);
    await removeEmptyDirs(path.dirname(absManifest));
    await fs.rmdir(absOf(root, QUARANTINE_DIR)).catch(() => undefined);
  }
  return out;
}

function safeRel(rel: unknown): rel is string {
  return (
    typeof rel === 'string' &&
    rel.length > 0 &&
    !path.isAbsolute(rel) &&
    !rel.split('/').some((p) => p === '..' || p === '')
  );
}

async function exists(abs: string): Promise<boolean> {
  try {
    await fs.lstat(abs);
    return true;
  } catch {
    return false;
  }
}

async function hashIfExists(abs: string): Promise<string | undefined> {
  try {
    const st = await fs.lstat(abs);
    if (!st.isFile()) return 'not-a-file';
    return sha256Hex(await fs.readFile(abs));
  } catch {
    return undefined;
  }
}

/** Removes `dir` and its sub-folders when they hold no files (rmdir fails on anything else). */
async function removeEmptyDirs(dir: string): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) await removeEmptyDirs(path.join(dir, e.name));
  await fs.rmdir(dir).catch(() => undefined);
}
