/**
 * What a restored mailbox must hold, from the backup alone (the tree module's snapshot, the
 * BLOB files gunzipped here), and readers of restored mailboxes: a Maildir walked on disk,
 * any mailbox over IMAP. Folders are compared as paths of names ("INBOX/Projects").
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ImapFlow } from 'imapflow';
import {
  blobRelPath,
  buildSnapshot,
  imapFlagsOf,
  keywordsOf,
  maildirFlagsOf,
  parseDovecotKeywords,
  type ItemAtTime,
  type ItemHistory,
  type PointSpec,
} from '../../src/engine';
import type { DovecotServer } from '../support/dovecot';

/** Zimbra's system folders that hold no mail (contacts, calendar, tasks, briefcase…). */
const NON_MAIL = new Set([7, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18, 19, 20]);

export const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

export interface MessageView {
  sha: string;
  flags: string[];
  keywords: string[];
  /** Seconds: IMAP's INTERNALDATE and a file's mtime have second precision here. */
  date: number;
}

/** folder path → messages, each list sorted, for deepEqual. */
export type MailboxView = Record<string, MessageView[]>;

const norm = (v: MailboxView): MailboxView => {
  const out: MailboxView = {};
  for (const k of Object.keys(v).sort())
    out[k] = v[k]!.map((m) => ({ ...m, flags: [...m.flags].sort(), keywords: [...m.keywords].sort() })).sort(
      (a, b) => a.sha.localeCompare(b.sha) || a.date - b.date,
    );
  return out;
};

/** Zimbra's "/Inbox/x" as the restored "INBOX/x". */
const targetPath = (snapPath: string): string => snapPath.slice(1).replace(/^Inbox(?=\/|$)/, 'INBOX');

/**
 * The messages of the account at `when` as the snapshot (the tree's evaluator use) shows
 * them, with the bytes of their BLOBs. Folders: every mail folder then, empty ones too.
 */
export function expectedMailbox(
  root: string,
  items: readonly ItemHistory[],
  when: PointSpec,
  exclude: ReadonlySet<number> = new Set(),
): MailboxView {
  const snap = buildSnapshot(items, when);
  const view: MailboxView = {};
  const underNonMail = (id: number): boolean => {
    for (
      let f = snap.folders.get(id), d = 0;
      f && d < 64;
      f = f.parentId !== undefined ? snap.folders.get(f.parentId) : undefined, d++
    )
      if (NON_MAIL.has(f.id)) return true;
    return false;
  };
  const add = (folder: string, msgs: ItemAtTime[]): void => {
    const list = (view[folder] ??= []);
    for (const m of msgs) {
      if (exclude.has(m.id)) continue;
      const tx = m.transaction;
      let bytes = gunzipSync(readFileSync(path.join(root, blobRelPath(tx.digest as string)!)));
      // A double-gzipped BLOB (a documented fault) holds the message under a second layer.
      if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
      list.push({
        sha: sha(bytes),
        flags: imapFlagsOf(tx.flags),
        keywords: keywordsOf(tx.tags),
        date: Math.floor((tx.date !== undefined ? tx.date * 1000 : tx.start!) / 1000),
      });
    }
  };
  for (const f of snap.folders.values()) {
    if (f.id === 1 || f.id === 11 || f.type !== 1 || underNonMail(f.id)) continue;
    add(
      targetPath(f.path),
      f.items.filter((i) => i.type === 5),
    );
  }
  for (const m of snap.unplaced) if (m.type === 5) add(`unknown_${m.folderId}`, [m]);
  return norm(view);
}

/** Only the folders that hold messages (a reader that cannot see empty folders compares these). */
export function nonEmpty(v: MailboxView): MailboxView {
  return Object.fromEntries(Object.entries(v).filter(([, l]) => l.length > 0));
}

/** A Maildir++ tree read from disk: folder dirs decoded by `names` (dir → folder path). */
export function readMaildir(root: string, dirToFolder: (dir: string) => string): MailboxView {
  const view: MailboxView = {};
  const dirs = [
    '',
    ...readdirSync(root).filter((d) => d.startsWith('.') && statSync(path.join(root, d)).isDirectory()),
  ];
  for (const d of dirs) {
    const abs = path.join(root, d);
    let kws: string[] = [];
    try {
      kws = parseDovecotKeywords(readFileSync(path.join(abs, 'dovecot-keywords'), 'utf8'));
    } catch {
      // none
    }
    const list = (view[dirToFolder(d)] ??= []);
    for (const sub of ['new', 'cur'])
      for (const n of readdirSync(path.join(abs, sub))) {
        const file = path.join(abs, sub, n);
        const { flags, keywords } = maildirFlagsOf(n, kws);
        const dollar = keywords.filter((k) => k.startsWith('$'));
        list.push({
          sha: sha(readFileSync(file)),
          flags: [...flags, ...dollar],
          keywords: keywords.filter((k) => !k.startsWith('$')),
          date: Math.floor(statSync(file).mtimeMs / 1000),
        });
      }
  }
  return norm(view);
}

/** Every folder of an IMAP mailbox with its messages (bytes, flags, keywords, internal date). */
export async function readImap(server: DovecotServer, login: string, password = 'test'): Promise<MailboxView> {
  const client = new ImapFlow({
    host: server.host,
    port: server.port,
    secure: false,
    auth: { user: login, pass: password },
    logger: false,
  });
  await client.connect();
  const view: MailboxView = {};
  try {
    for (const mb of await client.list()) {
      if (mb.flags.has('\\Noselect')) continue;
      const name = mb.path.toUpperCase() === 'INBOX' ? 'INBOX' : mb.path;
      const list: MessageView[] = (view[name] = []);
      const lock = await client.getMailboxLock(mb.path);
      try {
        const status = client.mailbox;
        if (status && typeof status !== 'boolean' && status.exists === 0) continue;
        for await (const m of client.fetch('1:*', { source: true, flags: true, internalDate: true })) {
          const all = [...(m.flags ?? [])].filter((f) => f !== '\\Recent');
          list.push({
            sha: sha(m.source!),
            flags: all.filter((f) => f.startsWith('\\') || f.startsWith('$')),
            keywords: all.filter((f) => !f.startsWith('\\') && !f.startsWith('$')),
            date: Math.floor(new Date(m.internalDate!).getTime() / 1000),
          });
        }
      } finally {
        lock.release();
      }
    }
  } finally {
    await client.logout();
  }
  return norm(view);
}

/** The user's auto-created special folders (the test Dovecot creates them): empty unless the restore filled them. */
export const AUTO_FOLDERS = ['Drafts', 'Junk', 'Sent', 'Trash'];

export function withEmpty(v: MailboxView, folders: readonly string[]): MailboxView {
  const out = { ...v };
  for (const f of folders) out[f] ??= [];
  return norm(out);
}

export function count(v: MailboxView): number {
  return Object.values(v).reduce((n, l) => n + l.length, 0);
}

/** Modified UTF-7 (RFC 3501 §5.1.3) back to text: an independent reading of what the targets write. */
export function decodeModifiedUtf7(text: string): string {
  return text.replace(/&([^-]*)-/g, (_, b64: string) => {
    if (b64 === '') return '&';
    const bytes = Buffer.from(b64.replace(/,/g, '/'), 'base64');
    let out = '';
    for (let i = 0; i + 1 < bytes.length; i += 2) out += String.fromCharCode(bytes.readUInt16BE(i));
    return out;
  });
}

/** A Maildir++ directory name ('' or ".A.B") as the folder path "INBOX" or "A/B". */
export function maildirDirToFolder(dir: string): string {
  if (dir === '') return 'INBOX';
  return dir.slice(1).split('.').map(decodeModifiedUtf7).join('/');
}

/**
 * Dovecot's location for a copy of a restored Maildir++ tree, owned by the mail user: Dovecot
 * writes its uidlist next to the messages and reads `dovecot-keywords` there, so it reads a
 * copy (made with `cp -a`, bytes, names and mtimes kept) and the restored tree stays as it is.
 */
function maildirLocation(server: DovecotServer, dir: string): string {
  const copy = mkdtempSync(path.join(server.lab, 'read-'));
  execFileSync('cp', ['-a', `${dir}/.`, copy]);
  // The mail processes run as the owner of the server's mail folder (nobody when the tests run as root).
  const owner = statSync(path.join(server.lab, 'mail'));
  execFileSync('chown', ['-R', `${owner.uid}:${owner.gid}`, copy]);
  return `maildir:${copy}:INDEX=MEMORY`;
}

/** Dovecot reads a Maildir++ tree (`doveadm import`) into a user's mailbox, to be read over IMAP. */
export async function importMaildir(server: DovecotServer, login: string, dir: string): Promise<void> {
  await server.doveadm(['import', '-u', login, maildirLocation(server, dir), '', 'all']);
}

/** The folders Dovecot sees in a Maildir++ tree, empty ones included (the user's mail location pointed at it). */
export async function dovecotFolders(server: DovecotServer, login: string, dir: string): Promise<string[]> {
  const out = await server.doveadm([
    '-o',
    `mail_location=${maildirLocation(server, dir)}`,
    'mailbox',
    'list',
    '-u',
    login,
  ]);
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .sort();
}
