/**
 * `eml:PATH`: one `.eml` file per message (the BLOB's bytes exactly, mtime = internal
 * date) in a folder tree of the names it had then, and `PATH/index.json` with every
 * message's folder, flags, keywords, tags and dates, rewritten at the end of each run.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../format/atomic';
import type { RestoreTarget, TargetMessage } from '../target';

export const EML_INDEX = 'index.json';

export interface EmlIndexEntry {
  file: string;
  itemId: number;
  folder: string[];
  flags: string[];
  keywords: string[];
  tags: string[];
  internalDate: string;
}

export interface EmlIndex {
  account: string;
  messages: EmlIndexEntry[];
}

/** A folder's directory below PATH; a name's `/` (or a bare `.`/`..`) is written with `_`. */
export function emlFolderDir(folder: readonly string[]): string {
  return folder.map((s) => (s === '.' || s === '..' ? `_${s}` : s.replace(/\//g, '_'))).join('/');
}

export class EmlTarget implements RestoreTarget {
  readonly kind = 'eml';
  readonly description: string;

  constructor(
    readonly root: string,
    private readonly account: string,
  ) {
    this.description = `eml:${root}`;
  }

  fileOf(msg: TargetMessage): string {
    return path.posix.join(emlFolderDir(msg.folder), `${msg.itemId}.eml`);
  }

  async ensureFolder(folder: string[]): Promise<boolean> {
    const dir = path.join(this.root, emlFolderDir(folder));
    const existed = await fs
      .stat(dir)
      .then(() => true)
      .catch(() => false);
    await fs.mkdir(dir, { recursive: true });
    return !existed;
  }

  async prepare(): Promise<Record<string, unknown>> {
    return {};
  }

  async write(msg: TargetMessage, content: Buffer): Promise<string> {
    const rel = this.fileOf(msg);
    const abs = path.join(this.root, rel);
    await writeFileAtomic(abs, content, { durable: false });
    const when = new Date(msg.internalDate);
    await fs.utimes(abs, when, when);
    return rel;
  }

  /** The file appears whole under its name (temp + rename) or not at all. */
  async findBegun(msg: TargetMessage): Promise<string | undefined> {
    const rel = this.fileOf(msg);
    try {
      await fs.access(path.join(this.root, rel));
      return rel;
    } catch {
      return undefined;
    }
  }

  async finish(restored: readonly TargetMessage[]): Promise<void> {
    const index: EmlIndex = {
      account: this.account,
      messages: restored.map((m) => ({
        file: this.fileOf(m),
        itemId: m.itemId,
        folder: m.folder,
        flags: m.flags,
        keywords: m.keywords,
        tags: m.tags ?? [],
        internalDate: new Date(m.internalDate).toISOString(),
      })),
    };
    await writeFileAtomic(path.join(this.root, EML_INDEX), JSON.stringify(index, null, 2) + '\n', { durable: false });
  }

  async close(): Promise<void> {}
}
