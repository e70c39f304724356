/**
 * How backup state becomes mailbox state: Zimbra flag bits → IMAP flags, tag names →
 * IMAP keywords, folder names → target folder names. One rule each, for every target
 * (and for the tests that read a restored mailbox back).
 */
import { FLAGS, FlagBit } from '../zimbra';

/** The IMAP system flags (RFC 3501 §2.3.2) a Zimbra bit maps to; \Recent is the server's. */
const SYSTEM_FLAGS: ReadonlySet<string> = new Set(['\\Answered', '\\Flagged', '\\Deleted', '\\Draft']);

function bitSet(mask: number, bit: number): boolean {
  return Math.floor(mask / bit) % 2 === 1;
}

/**
 * IMAP flags and $-keywords of a Zimbra flag mask: \Seen unless unread, and every flag whose
 * IMAP name is a system flag or a $keyword. Zimbra's \Sent, \Urgent and \Bulk are not IMAP
 * flags (a server refuses an APPEND with them), so they are not restored.
 */
export function imapFlagsOf(mask: number | undefined, opts: { stripDeleted?: boolean } = {}): string[] {
  const m = mask ?? 0;
  const out: string[] = [];
  if (!bitSet(m, FlagBit.UNREAD)) out.push('\\Seen');
  for (const f of FLAGS) {
    if (!f.imap || !bitSet(m, f.bit)) continue;
    if (f.imap === '\\Deleted' && opts.stripDeleted) continue;
    if (SYSTEM_FLAGS.has(f.imap) || f.imap.startsWith('$')) out.push(f.imap);
  }
  return out;
}

/** Characters an IMAP atom may not hold (RFC 3501 atom-specials, plus `&` which starts our encoding). */
const NOT_ATOM = /[\x00-\x20\x7f(){%*"\\\]&]/;

/** Modified base64 (RFC 3501 §5.1.3) of UTF-16BE code units, without the `&`/`-` around it. */
function modifiedBase64(text: string): string {
  const units = Buffer.alloc(text.length * 2);
  for (let i = 0; i < text.length; i++) units.writeUInt16BE(text.charCodeAt(i), i * 2);
  return units.toString('base64').replace(/=+$/, '').replace(/\//g, ',');
}

/**
 * Modified UTF-7 (RFC 3501 §5.1.3): printable ASCII stays, `&` becomes `&-`, runs of other
 * characters (and of `also`, when given) become `&…-`. Mailbox names on disk (Dovecot's
 * Maildir++) and keywords use it.
 */
export function encodeModifiedUtf7(text: string, also?: RegExp): string {
  let out = '';
  let run = '';
  const flush = (): void => {
    if (run) out += `&${modifiedBase64(run)}-`;
    run = '';
  };
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    const plain = code >= 0x20 && code <= 0x7e && !(also?.test(ch) ?? false);
    if (ch === '&') {
      flush();
      out += '&-';
    } else if (plain) {
      flush();
      out += ch;
    } else run += ch;
  }
  flush();
  return out;
}

/**
 * The IMAP keyword a Zimbra tag becomes: an atom, so a name with spaces or non-ASCII
 * characters is written in modified UTF-7 ("To Do" → "To&ACA-Do"; reversible). An empty
 * name gives no keyword.
 */
export function keywordOfTag(tag: string): string | undefined {
  if (tag === '') return undefined;
  return encodeModifiedUtf7(tag, NOT_ATOM);
}

/** Keywords of a message: its tags' keywords, then `extra` (the undelete tag), without repeats. */
export function keywordsOf(tags: readonly string[] | undefined, extra: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const t of tags ?? []) {
    const k = keywordOfTag(t);
    if (k !== undefined && !out.includes(k)) out.push(k);
  }
  for (const k of extra) if (!out.includes(k)) out.push(k);
  return out;
}

/** Zimbra's Inbox is IMAP's INBOX (the one case-insensitive, reserved name). */
export const INBOX = 'INBOX';
