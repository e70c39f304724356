/**
 * Crash-safe file writes, the one helper for every writer of the project: the bytes go
 * to a temp file in the target's folder, which is flushed, renamed over the target and
 * the folder flushed. A crash at any point leaves the old file or the new one, never
 * half of either (a leftover temp file is a stray entry the check reports).
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants as fsc,
  fsyncSync,
  openSync,
  promises as fs,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import * as path from 'node:path';

export interface AtomicOptions {
  /**
   * true (default): fsync the file before the rename and the folder after it, so the
   * write survives a power cut. false: temp file and rename only; a crashed process
   * still never leaves a half-written target, but the OS may lose the last writes.
   * Only for a tree that is thrown away when incomplete (the sample generator).
   */
  durable?: boolean;
}

const SESSION = `${process.pid}-${randomBytes(3).toString('hex')}`;
let counter = 0;

/** A fresh temp name next to `abs`, starting with a dot so listings put it aside. */
export function tempPathFor(abs: string): string {
  return path.join(path.dirname(abs), `.${path.basename(abs)}.zxb-tmp-${SESSION}-${++counter}`);
}

const TEMP_NAME = /^\.(.+)\.zxb-tmp-(\d+)-[0-9a-f]{6}-\d+$/;

/** The name of the file a temp file of tempPathFor was to replace, or undefined when `name` is not one. */
export function tempTargetOf(name: string): string | undefined {
  return TEMP_NAME.exec(name)?.[1];
}

/** The writer's pid in a temp name of ours (tempPathFor), or undefined for any other name. */
export function tempFileWriterPid(name: string): number | undefined {
  const m = TEMP_NAME.exec(name);
  return m ? Number(m[2]) : undefined;
}

const TEMP_FLAGS = fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL;

export async function writeFileAtomic(abs: string, data: Uint8Array | string, opts: AtomicOptions = {}): Promise<void> {
  const durable = opts.durable !== false;
  const tmp = tempPathFor(abs);
  const fh = await fs.open(tmp, TEMP_FLAGS, 0o644);
  try {
    try {
      await fh.writeFile(data);
      if (durable) await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, abs);
  } catch (err) {
    await fs.unlink(tmp).catch(() => undefined);
    throw err;
  }
  if (durable) await fsyncDir(path.dirname(abs));
}

export function writeFileAtomicSync(abs: string, data: Uint8Array | string, opts: AtomicOptions = {}): void {
  const file = openAtomicSync(abs, opts);
  try {
    file.write(data);
  } catch (err) {
    file.abort();
    throw err;
  }
  file.commit();
}

/** A file written in pieces (a long id_mapper.log) that appears under its name only when committed. */
export interface AtomicFile {
  readonly path: string;
  write(chunk: Uint8Array | string): void;
  /** Flushes, renames over the target and flushes the folder. */
  commit(): void;
  /** Drops the temp file; the target is left as it was. */
  abort(): void;
}

export function openAtomicSync(abs: string, opts: AtomicOptions = {}): AtomicFile {
  const durable = opts.durable !== false;
  const tmp = tempPathFor(abs);
  let fd: number | undefined = openSync(tmp, TEMP_FLAGS, 0o644);
  const close = (): void => {
    if (fd === undefined) return;
    const f = fd;
    fd = undefined;
    closeSync(f);
  };
  return {
    path: abs,
    write(chunk) {
      if (fd === undefined) throw new Error(`${abs}: write after commit or abort`);
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      for (let off = 0; off < buf.length;) off += writeSync(fd, buf, off, buf.length - off);
    },
    commit() {
      if (fd === undefined) throw new Error(`${abs}: commit after commit or abort`);
      try {
        if (durable) fsyncSync(fd);
        close();
        renameSync(tmp, abs);
      } catch (err) {
        close();
        try {
          unlinkSync(tmp);
        } catch {
          // already gone
        }
        throw err;
      }
      if (durable) fsyncDirSync(path.dirname(abs));
    },
    abort() {
      if (fd === undefined) return;
      close();
      try {
        unlinkSync(tmp);
      } catch {
        // already gone
      }
    },
  };
}

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, fsc.O_RDONLY);
  try {
    await fh.sync();
  } catch {
    // Some file systems refuse fsync on folders; the rename is still atomic.
  } finally {
    await fh.close();
  }
}

export function fsyncDirSync(dir: string): void {
  const fd = openSync(dir, fsc.O_RDONLY);
  try {
    fsyncSync(fd);
  } catch {
    // As fsyncDir.
  } finally {
    closeSync(fd);
  }
}
