/**
 * `maildir:PATH`: a Maildir++ tree as Dovecot and Courier read it. INBOX is PATH itself,
 * every other folder `PATH/.A.B` (names in modified UTF-7, `.` the hierarchy separator),
 * each with cur/ new/ tmp/. A message file holds the BLOB's bytes exactly; its flags are
 * in the name (`:2,DFRST` + keyword letters), its keywords in the folder's
 * `dovecot-keywords`, its internal date in the file's mtime (what Dovecot reads).
 */
import { createHash } from 'node:crypto';
import { closeSync, futimesSync, openSync, promises as fs, renameSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../format/atomic';
import { encodeModifiedUtf7, INBOX } from '../names';
import { TargetRefusal, type RestoreTarget, type TargetMessage } from '../target';

const LETTER_OF_FLAG: Readonly<Record<string, string>> = {
  '\\Draft': 'D',
  '\\Flagged': 'F',
  '\\Answered': 'R',
  '\\Seen': 'S',
  '\\Deleted': 'T',
};
/** Maildir keyword letters: a…z, the index into dovecot-keywords. */
const MAX_KEYWORDS = 26;

/** A folder name as a Maildir++ directory segment: modified UTF-7, the separator `.` and `/` written as `_`. */
export function maildirSegment(name: string): string {
  return encodeModifiedUtf7(name.replace(/[./]/g, '_'));
}

/** The folder's directory below the Maildir root ('' for INBOX). */
export function maildirFolderDir(folder: readonly string[]): string {
  if (folder.length === 1 && folder[0] === INBOX) return '';
  return '.' + folder.map(maildirSegment).join('.');
}

/** `dovecot-keywords` → keyword names by index. */
export function parseDovecotKeywords(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+) (.+)$/.exec(line);
    if (m) out[Number(m[1])] = m[2]!;
  }
  return out;
}

/** Flags and keywords of a Maildir file name (the `:2,` part), given the folder's keywords. */
export function maildirFlagsOf(fileName: string, keywords: readonly string[]): { flags: string[]; keywords: string[] } {
  const info = /:2,([A-Za-z]*)$/.exec(fileName)?.[1] ?? '';
  const flags: string[] = [];
  const kws: string[] = [];
  for (const [flag, letter] of Object.entries(LETTER_OF_FLAG)) if (info.includes(letter)) flags.push(flag);
  for (const ch of info) if (ch >= 'a' && ch <= 'z') kws.push(keywords[ch.charCodeAt(0) - 97] ?? `?${ch}`);
  return { flags, keywords: kws };
}

class MaildirFolder {
  keywords: string[] = [];
  constructor(readonly dir: string) {}
}

export class MaildirTarget implements RestoreTarget {
  readonly kind = 'maildir';
  readonly description: string;
  private readonly folders = new Map<string, Promise<MaildirFolder>>();

  constructor(
    readonly root: string,
    /** Makes file names differ between two restores into the same Maildir. */
    private readonly salt: string,
  ) {
    this.description = `maildir:${root}`;
  }

  private folder(segs: readonly string[]): Promise<MaildirFolder> {
    const dir = path.join(this.root, maildirFolderDir(segs));
    let f = this.folders.get(dir);
    if (!f) {
      f = (async () => {
        const folder = new MaildirFolder(dir);
        try {
          folder.keywords = parseDovecotKeywords(await fs.readFile(path.join(dir, 'dovecot-keywords'), 'utf8'));
        } catch {
          // no keywords yet
        }
        return folder;
      })();
      this.folders.set(dir, f);
    }
    return f;
  }

  async ensureFolder(segs: string[]): Promise<boolean> {
    const dir = path.join(this.root, maildirFolderDir(segs));
    let created = false;
    try {
      await fs.access(path.join(dir, 'cur'));
    } catch {
      created = true;
    }
    for (const sub of ['cur', 'new', 'tmp']) await fs.mkdir(path.join(dir, sub), { recursive: true });
    // Maildir++ marks a subfolder with an empty `maildirfolder` file.
    if (dir !== this.root) await fs.writeFile(path.join(dir, 'maildirfolder'), '', { flag: 'a' });
    await this.folder(segs);
    return created;
  }

  /** The file name without its `:2,` part: the same for the same message of the same restore. */
  baseName(msg: TargetMessage, size: number): string {
    const h = createHash('sha256').update(`${this.salt}\u0000${msg.key}`).digest('hex').slice(0, 12);
    return `${Math.floor(msg.internalDate / 1000)}.zxb${msg.itemId}_${h}.restore,S=${size}`;
  }

  async prepare(): Promise<Record<string, unknown>> {
    return {};
  }

  private async letters(folder: MaildirFolder, msg: TargetMessage): Promise<string> {
    let changed = false;
    const kw: string[] = [];
    for (const k of msg.keywords) {
      let i = folder.keywords.indexOf(k);
      if (i < 0) {
        if (folder.keywords.length >= MAX_KEYWORDS)
          throw new TargetRefusal(
            `the folder already has ${MAX_KEYWORDS} keywords, the most a Maildir holds: "${k}" cannot be kept`,
          );
        i = folder.keywords.push(k) - 1;
        changed = true;
      }
      kw.push(String.fromCharCode(97 + i));
    }
    if (changed)
      await writeFileAtomic(
        path.join(folder.dir, 'dovecot-keywords'),
        folder.keywords.map((k, i) => `${i} ${k}\n`).join(''),
        { durable: false },
      );
    const sys = msg.flags.map((f) => LETTER_OF_FLAG[f]).filter((l): l is string => l !== undefined);
    return [...sys, ...kw].sort().join('');
  }

  async write(msg: TargetMessage, content: Buffer): Promise<string> {
    const folder = await this.folder(msg.folder);
    const info = await this.letters(folder, msg);
    const base = this.baseName(msg, content.length);
    const tmp = path.join(folder.dir, 'tmp', base);
    const name = `${base}:2,${info}`;
    // Synchronous calls: for many small files they cost a fraction of the promise API's thread-pool hops.
    const fd = openSync(tmp, 'w', 0o644);
    try {
      writeSync(fd, content);
      const when = msg.internalDate / 1000;
      futimesSync(fd, when, when);
    } finally {
      closeSync(fd);
    }
    // tmp/ then rename into cur/: a reader never sees half a message.
    renameSync(tmp, path.join(folder.dir, 'cur', name));
    return path.relative(this.root, path.join(folder.dir, 'cur', name));
  }

  async findBegun(msg: TargetMessage, _info: Record<string, unknown>, content: Buffer): Promise<string | undefined> {
    const folder = await this.folder(msg.folder);
    const base = this.baseName(msg, content.length);
    await fs.rm(path.join(folder.dir, 'tmp', base), { force: true });
    let names: string[];
    try {
      names = await fs.readdir(path.join(folder.dir, 'cur'));
    } catch {
      return undefined;
    }
    const hit = names.find((n) => n === base || n.startsWith(`${base}:`));
    return hit === undefined ? undefined : path.relative(this.root, path.join(folder.dir, 'cur', hit));
  }

  async finish(): Promise<void> {}
  async close(): Promise<void> {}
}
