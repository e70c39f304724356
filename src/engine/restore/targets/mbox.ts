/**
 * `mbox:PATH`: one mboxrd file per folder (Thunderbird's layout: `PATH/INBOX`, a folder's
 * children in `PATH/INBOX.sbd/`). Each message: a `From ` line with its internal date
 * (UTC), `Status:`, `X-Status:` and `X-Keywords:` lines (what mutt, Thunderbird and Dovecot
 * read as flags and keywords), then the BLOB's bytes with `>From ` quoting, then one `\n`.
 * readMboxrd undoes exactly that.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { TargetRefusal, type RestoreTarget, type TargetMessage } from '../target';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');

/** asctime in UTC: `Thu Jan  2 03:04:05 2020`. */
export function asctime(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/** A folder's file below PATH: `A.sbd/B.sbd/C`. A name's `/` is written as `_`. */
export function mboxFile(folder: readonly string[]): string {
  const safe = folder.map((s) => (s === '.' || s === '..' ? `_${s}` : s.replace(/\//g, '_')));
  return safe.map((s, i) => (i < safe.length - 1 ? `${s}.sbd` : s)).join('/');
}

const FROM_LINE = /^(>*From )/gm;

function entryOf(msg: TargetMessage, content: Buffer): Buffer {
  const eol = /^[^\n]*\r\n/.test(content.subarray(0, 4096).toString('latin1')) ? '\r\n' : '\n';
  const status = `${msg.flags.includes('\\Seen') ? 'R' : ''}O`;
  const x = [
    msg.flags.includes('\\Answered') ? 'A' : '',
    msg.flags.includes('\\Flagged') ? 'F' : '',
    msg.flags.includes('\\Draft') ? 'T' : '',
    msg.flags.includes('\\Deleted') ? 'D' : '',
  ].join('');
  // $Forwarded and the like are keywords here too, as Dovecot's mbox keeps them.
  const keywords = [...msg.flags.filter((f) => f.startsWith('$')), ...msg.keywords];
  const head =
    `From MAILER-DAEMON ${asctime(msg.internalDate)}\n` +
    `Status: ${status}${eol}X-Status: ${x}${eol}X-Keywords: ${keywords.join(' ')}${eol}`;
  // mboxrd: every line starting with zero or more '>' then "From " gets one more '>'.
  const body = Buffer.from(content.toString('latin1').replace(FROM_LINE, '>$1'), 'latin1');
  return Buffer.concat([Buffer.from(head, 'latin1'), body, Buffer.from('\n')]);
}

export interface MboxMessage {
  fromLine: string;
  flags: string[];
  keywords: string[];
  /** Epoch ms (second precision) from the From line. */
  internalDate: number;
  bytes: Buffer;
}

/** Reads a file this target wrote: entries, their flags, keywords, dates and exact bytes. */
export function readMboxrd(file: Buffer): MboxMessage[] {
  const text = file.toString('latin1');
  const starts: number[] = [];
  for (const m of text.matchAll(/(^|\n)From [^\n]*\n/g)) starts.push(m.index + (m[1] === '\n' ? 1 : 0));
  const out: MboxMessage[] = [];
  for (let i = 0; i < starts.length; i++) {
    const end = i + 1 < starts.length ? starts[i + 1]! : text.length;
    let entry = text.slice(starts[i], end);
    const nl = entry.indexOf('\n');
    const fromLine = entry.slice(0, nl);
    entry = entry.slice(nl + 1, entry.length - 1); // the one '\n' after the message
    const flags: string[] = [];
    const keywords: string[] = [];
    for (;;) {
      const m = /^(Status|X-Status|X-Keywords): ?([^\r\n]*)\r?\n/.exec(entry);
      if (!m) break;
      entry = entry.slice(m[0].length);
      if (m[1] === 'Status' && m[2]!.includes('R')) flags.push('\\Seen');
      if (m[1] === 'X-Status') {
        for (const [ch, f] of [
          ['A', '\\Answered'],
          ['F', '\\Flagged'],
          ['T', '\\Draft'],
          ['D', '\\Deleted'],
        ] as const)
          if (m[2]!.includes(ch)) flags.push(f);
      }
      if (m[1] === 'X-Keywords')
        for (const k of m[2]!.split(' ')) if (k) (k.startsWith('$') ? flags : keywords).push(k);
    }
    const date = /^From \S+ (.+)$/.exec(fromLine)?.[1] ?? '';
    out.push({
      fromLine,
      flags,
      keywords,
      internalDate: Date.parse(`${date.replace(/^\w+ /, '')} UTC`),
      bytes: Buffer.from(entry.replace(/^>(>*From )/gm, '$1'), 'latin1'),
    });
  }
  return out;
}

export class MboxTarget implements RestoreTarget {
  readonly kind = 'mbox';
  readonly description: string;

  constructor(readonly root: string) {
    this.description = `mbox:${root}`;
  }

  private fileOf(folder: readonly string[]): string {
    return path.join(this.root, mboxFile(folder));
  }

  async ensureFolder(folder: string[]): Promise<boolean> {
    const file = this.fileOf(folder);
    await fs.mkdir(path.dirname(file), { recursive: true });
    try {
      await fs.writeFile(file, '', { flag: 'wx' });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw new TargetRefusal(`${file}: ${(err as Error).message}`);
    }
  }

  /** The file's length: after a crash the file is cut back to it, and the message written again. */
  async prepare(msg: TargetMessage): Promise<Record<string, unknown>> {
    return { offset: (await fs.stat(this.fileOf(msg.folder))).size };
  }

  async write(msg: TargetMessage, content: Buffer): Promise<string> {
    const file = this.fileOf(msg.folder);
    const fh = await fs.open(file, 'a');
    try {
      const at = (await fh.stat()).size;
      await fh.write(entryOf(msg, content));
      return `${mboxFile(msg.folder)}@${at}`;
    } finally {
      await fh.close();
    }
  }

  async findBegun(msg: TargetMessage, info: Record<string, unknown>): Promise<string | undefined> {
    const offset = info['offset'];
    if (typeof offset === 'number') await fs.truncate(this.fileOf(msg.folder), offset);
    return undefined;
  }

  async finish(): Promise<void> {}
  async close(): Promise<void> {}
}
