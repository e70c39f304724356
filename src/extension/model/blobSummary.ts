/**
 * The text of the read-only BLOB document: a summary (digest, status, sizes, the damage
 * as a finding, the message's From/To/Cc/Subject/Date, its attachments), the message's
 * text decoded by the engine (decodeMessage, mailparser), then the raw message. The
 * hand-made header parser below is what the summary falls back to without a decoding.
 */
import { isUtf8 } from 'node:buffer';
import {
  LOST_BODY_CODES,
  blobStatusFinding,
  decodeMessage,
  digestAlgorithm,
  formatZxsuite,
  type BlobStore,
  type BlobVerification,
  type DecodedMessage,
  type Finding,
} from '../engine';

/** Only the top of a BLOB is searched for headers; a header block is a few KB. */
const HEADER_SCAN_BYTES = 256 * 1024;
/** Past this the raw message is shown cut, and says so (the editor slows down on huge text; Export to .eml writes all). */
export const MAX_SHOWN_BYTES = 2 * 1024 * 1024;

export interface MessageHeaders {
  /** Lower-case name → decoded values, in order. */
  all: Map<string, string[]>;
  first(name: string): string | undefined;
}

/** Unfolded, RFC 2047-decoded top-level headers; empty when the content does not start with a header block. */
export function parseHeaders(content: Uint8Array): MessageHeaders {
  const top = Buffer.from(content.buffer, content.byteOffset, Math.min(content.byteLength, HEADER_SCAN_BYTES)).toString(
    'latin1',
  );
  const end = /\r?\n\r?\n/.exec(top);
  const block = end ? top.slice(0, end.index) : top;
  const all = new Map<string, string[]>();
  const lines = block.split(/\r?\n/);
  let current: string | undefined;
  const flush = (): void => {
    if (current === undefined) return;
    const colon = current.indexOf(':');
    if (colon > 0) {
      const name = current.slice(0, colon).trim().toLowerCase();
      if (/^[\x21-\x39\x3b-\x7e]+$/.test(name)) {
        const raw = Buffer.from(current.slice(colon + 1).trim(), 'latin1');
        // Header bytes are usually ASCII; 8-bit headers are nearly always UTF-8 today (RFC 6532).
        const text = isUtf8(raw) ? raw.toString('utf8') : raw.toString('latin1');
        const list = all.get(name) ?? [];
        list.push(decodeEncodedWords(text));
        all.set(name, list);
      }
    }
    current = undefined;
  };
  for (const line of lines) {
    if (/^[ \t]/.test(line) && current !== undefined) current += ' ' + line.trim();
    else {
      flush();
      current = line;
    }
  }
  flush();
  return { all, first: (name) => all.get(name.toLowerCase())?.[0] };
}

const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;

/** RFC 2047: `=?charset?B|Q?text?=`, whitespace between adjacent encoded words dropped. */
export function decodeEncodedWords(value: string): string {
  const joined = value.replace(/(\?=)\s+(=\?)/g, '$1$2');
  return joined.replace(ENCODED_WORD, (whole, charset: string, enc: string, text: string) => {
    const bytes = enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQ(text);
    const decoded = decodeCharset(bytes, charset);
    return decoded ?? whole;
  });
}

function decodeQ(text: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '_') out.push(0x20);
    else if (c === '=' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(c.charCodeAt(0) & 0xff);
  }
  return Buffer.from(out);
}

function decodeCharset(bytes: Uint8Array, charset: string): string | undefined {
  // RFC 2231 allows a language suffix: utf-8*en.
  const label = charset.split('*')[0]!.toLowerCase();
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    return undefined;
  }
}

export interface BlobDocumentInput {
  digest: string;
  relPath: string | undefined;
  verification: BlobVerification;
  /** The decompressed content, when it could be read (for a damaged BLOB: the part that could). */
  content?: Uint8Array;
  /** The content is only what could be decompressed of a damaged BLOB. */
  partial?: boolean;
  /** The content decoded as a message (decodeMessage); without it only the top headers are shown. */
  decoded?: DecodedMessage;
  /** Why there is no content although the BLOB decompresses (too big to hold). */
  omitted?: string;
  /** Items whose message body this BLOB held, as the last check found them lost ("account: path"). */
  lostBy?: string[];
  zone: string;
}

const STATUS_TEXT: Record<BlobVerification['status'], string> = {
  ok: 'ok (content matches the digest)',
  missing: 'MISSING: no file in the BLOB store',
  'bad-name': 'not a valid digest',
  unreadable: 'unreadable',
  symlink: 'a symbolic link (not followed)',
  empty: 'empty file',
  'not-gzip': 'not gzip-compressed',
  truncated: 'truncated gzip stream',
  'trailing-garbage': 'bytes after the gzip stream',
  'double-gzip': 'compressed twice (shown fully decompressed)',
  corrupted: 'CORRUPTED: content does not match the digest',
  'inflate-limit': 'NOT VERIFIED: it inflates beyond the bound (a gzip bomb?)',
};

const bytes = (n: number | undefined): string => (n === undefined ? '?' : `${n.toLocaleString('en-US')} bytes`);
const RULE = '─'.repeat(72);

function headerLines(input: BlobDocumentInput, content: Uint8Array): [string, string][] {
  const d = input.decoded;
  const h = d ? undefined : parseHeaders(content);
  const lines: [string, string][] = [];
  for (const [label, value] of [
    ['From', d ? d.from : h!.first('from')],
    ['To', d ? d.to : h!.first('to')],
    ['Cc', d ? d.cc : h!.first('cc')],
    ['Subject', d ? d.subject : h!.first('subject')],
  ] as const)
    if (value !== undefined) lines.push([label, value]);
  const raw = h?.first('date');
  const at = d ? d.date : raw === undefined ? undefined : Date.parse(raw);
  if (at !== undefined && !Number.isNaN(at)) lines.push(['Date', `${formatZxsuite(at, input.zone)} ${input.zone}`]);
  else if (raw !== undefined) lines.push(['Date', raw]);
  return lines;
}

export function blobDocumentText(input: BlobDocumentInput): string {
  const v = input.verification;
  const lines: [string, string][] = [
    ['BLOB', input.relPath ?? '(no path: invalid digest)'],
    ['Digest', `${input.digest}${digestAlgorithm(input.digest) ? ` (${digestAlgorithm(input.digest)})` : ''}`],
    ['Status', `${STATUS_TEXT[v.status]}${v.detail ? ` — ${v.detail}` : ''}`],
    [
      'Size',
      `${bytes(v.size ?? (input.partial ? undefined : input.content?.byteLength))} (${bytes(v.compressedSize)} compressed)`,
    ],
  ];
  if (v.actualDigest && v.actualDigest !== input.digest) lines.push(['Actual', v.actualDigest]);
  // The damage, as the coherency check names it (the same code and words).
  const damage = input.relPath !== undefined ? blobStatusFinding(input.relPath, v) : undefined;
  if (damage) lines.push(['Finding', `${damage.code}: ${damage.message}. ${damage.remedy}`]);
  if (input.lostBy && input.lostBy.length > 0) {
    lines.push([
      'Lost by',
      `${input.lostBy.length} item${input.lostBy.length === 1 ? '' : 's'} (last coherency check)`,
    ]);
    for (const who of input.lostBy) lines.push(['', who]);
  }
  if (input.content) lines.push(...headerLines(input, input.content));
  const atts = input.decoded?.attachments ?? [];
  if (input.decoded) lines.push(['Attachments', atts.length === 0 ? 'none' : String(atts.length)]);
  for (const a of atts)
    lines.push([
      '',
      `${a.index + 1}. ${a.name ?? '(no name)'}  ${a.contentType}  ${bytes(a.size)}${a.inline ? '  inline' : ''}`,
    ]);
  const width = Math.max(...lines.map(([l]) => l.length)) + 2;
  const summary = lines.map(([l, v]) => `${l.padEnd(width)}${v}`).join('\n');
  if (!input.content)
    return `${summary}\n${RULE}\n(the content cannot be shown: ${input.omitted ?? STATUS_TEXT[v.status]})\n`;
  const partialNote = input.partial
    ? `(only the first ${bytes(input.content.byteLength)} could be decompressed: what follows is decoded from them, the rest is lost)\n`
    : '';
  return `${summary}\n${partialNote}${input.decoded ? decodedSection(input.decoded) : ''}${rawSection(input.content)}`;
}

function decodedSection(d: DecodedMessage): string {
  const what =
    d.problem !== undefined
      ? `Text (${d.problem})`
      : d.textSource === 'html'
        ? 'Text (the HTML part, converted to text)'
        : d.textSource === 'text'
          ? 'Text'
          : 'Text (none)';
  const cut = d.textTruncated
    ? ` (first ${d.text.length.toLocaleString('en-US')} of ${d.textChars.toLocaleString('en-US')} characters shown)`
    : '';
  return `${RULE}\n${what}${cut}\n${RULE}\n${d.text}${d.text.endsWith('\n') || d.text === '' ? '' : '\n'}`;
}

function rawSection(content: Uint8Array): string {
  const shown = content.byteLength > MAX_SHOWN_BYTES ? content.subarray(0, MAX_SHOWN_BYTES) : content;
  const buf = Buffer.from(shown.buffer, shown.byteOffset, shown.byteLength);
  const utf8 = isUtf8(buf);
  const body = utf8 ? buf.toString('utf8') : buf.toString('latin1');
  const notes = [
    utf8 ? '' : '(not valid UTF-8: shown as Latin-1)',
    shown !== content
      ? `(first ${bytes(MAX_SHOWN_BYTES)} of ${bytes(content.byteLength)} shown; Export to .eml writes all)`
      : '',
  ].filter((s) => s);
  return `${notes.map((n) => n + '\n').join('')}${RULE}\nRaw message\n${RULE}\n${body}`;
}

/**
 * The document of a digest in a BLOB store, as Show BLOB opens it: the content only up
 * to SHOW_BLOB_MAX_BYTES, and a gzip bomb not decompressed at all (BlobStore.read); a
 * damaged BLOB shows what could be decompressed of it, decoded as far as it goes.
 */
export async function blobDocumentFromStore(
  store: BlobStore,
  digest: string,
  zone: string,
  lostBy: string[] = [],
): Promise<string> {
  const read = await store.read(digest);
  const input = { digest, relPath: store.relPath(digest), verification: read.verification, zone, lostBy };
  if (read.ok) return blobDocumentText({ ...input, content: read.content, decoded: await decodeMessage(read.content) });
  if (read.over !== undefined)
    return blobDocumentText({
      ...input,
      omitted: `it holds more than ${read.over} bytes, the most shown (docs/backup-format.md §4.1)`,
    });
  if (read.verification.status === 'inflate-limit') return blobDocumentText(input);
  const partial = await store.readDecodable(digest);
  if (!partial) return blobDocumentText(input);
  return blobDocumentText({ ...input, content: partial, partial: true, decoded: await decodeMessage(partial) });
}

/** `zxbackup-blob:/<digest>.eml?root=<path>` as VS Code hands it over: path and query already decoded. */
export function blobRefFromUriParts(uriPath: string, query: string): { root: string; digest: string } | undefined {
  const m = /^\/(.+)\.eml$/.exec(uriPath);
  const root = query.startsWith('root=') ? query.slice('root='.length) : undefined;
  if (!m || !m[1] || !root) return undefined;
  return { digest: m[1], root };
}

/**
 * The items whose body `digest` held, as the last check reported them lost: a
 * blob.missing naming the digest, or the items a damaged BLOB's finding names.
 */
export function lostByInCheck(findings: readonly Finding[], digest: string): string[] {
  const out = new Set<string>();
  for (const f of findings) {
    if (f.code === 'blob.missing' && f.message.includes(digest)) out.add(f.path);
    else if (LOST_BODY_CODES.has(f.code) && f.path.endsWith(`/${digest}`))
      for (const r of f.related ?? []) out.add(r.path);
  }
  return [...out].sort();
}
