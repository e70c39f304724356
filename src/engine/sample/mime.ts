/**
 * RFC 5322 / MIME messages with CRLF line ends: RFC 2047 encoded words for
 * non-ASCII headers, quoted-printable and 8bit UTF-8 bodies, base64 attachments.
 */
import type { Rng } from './random';

export interface Person {
  name: string;
  email: string;
  /** UTC offset of the person's clock in minutes, for the Date header. */
  tzMinutes: number;
}

export interface Attachment {
  filename: string;
  contentType: string;
  data: Buffer;
  /** Content-ID for inline images. */
  inline?: boolean;
}

export type MessageStructure = 'plain-ascii' | 'plain-qp' | 'plain-8bit' | 'html' | 'alternative' | 'mixed';
export const MESSAGE_STRUCTURES: readonly MessageStructure[] = [
  'plain-ascii',
  'plain-qp',
  'plain-8bit',
  'html',
  'alternative',
  'mixed',
];

export interface MessageSpec {
  from: Person;
  to: Person[];
  cc?: Person[];
  subject: string;
  /** Epoch ms, whole seconds. */
  date: number;
  messageId: string;
  inReplyTo?: string;
  structure: MessageStructure;
  /** Plain body text with LF line ends; ASCII only for plain-ascii. */
  text: string;
  attachments?: Attachment[];
  highPriority?: boolean;
  /** The receiving host for the Received header. */
  mailHost: string;
  extraHeaders?: string[];
}

const CRLF = '\r\n';
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number): string => String(n).padStart(2, '0');

export function isAscii(s: string): boolean {
  return /^[\x00-\x7f]*$/.test(s);
}

/** RFC 5322 date-time in the given UTC offset: `Tue, 07 Jan 2025 10:15:00 +0100`. */
export function rfc5322Date(ms: number, offsetMinutes: number): string {
  const d = new Date(ms + offsetMinutes * 60_000);
  const abs = Math.abs(offsetMinutes);
  const zone = `${offsetMinutes < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}${pad2(abs % 60)}`;
  return `${DAYS[d.getUTCDay()]}, ${pad2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} ${zone}`;
}

/**
 * RFC 2047 "B" encoded words for a header text that is not plain ASCII; words hold at
 * most 36 UTF-8 bytes (never a split character) and are folded onto continuation lines.
 */
export function encodeWords(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  const words: string[] = [];
  let cur = '';
  for (const ch of text) {
    if (Buffer.byteLength(cur + ch, 'utf8') > 36) {
      words.push(cur);
      cur = '';
    }
    cur += ch;
  }
  if (cur) words.push(cur);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(`${CRLF} `);
}

/** Decodes RFC 2047 encoded words (B and Q), for tests and for reading the sample back. */
export function decodeWords(value: string): string {
  const unfolded = value.replace(/\r\n[ \t]+/g, ' ');
  return unfolded
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m, charset: string, enc: string, data: string) => {
      const bytes =
        enc.toUpperCase() === 'B'
          ? Buffer.from(data, 'base64')
          : Buffer.from(
              data
                .replace(/_/g, ' ')
                .replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
              'latin1',
            );
      return charset.toLowerCase() === 'utf-8' ? bytes.toString('utf8') : bytes.toString('latin1');
    });
}

export function formatAddress(p: Person): string {
  if (!p.name) return p.email;
  if (!isAscii(p.name)) return `${encodeWords(p.name)} <${p.email}>`;
  return /[,;:<>@"()[\]\\.]/.test(p.name)
    ? `"${p.name.replace(/["\\]/g, '\\$&')}" <${p.email}>`
    : `${p.name} <${p.email}>`;
}

function addressList(people: readonly Person[]): string {
  return people.map(formatAddress).join(`,${CRLF} `);
}

/** Quoted-printable (RFC 2045) of UTF-8 text with LF line ends; output lines ≤ 76 characters, CRLF. */
export function quotedPrintable(text: string): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const bytes = Buffer.from(line, 'utf8');
    let cur = '';
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      const last = i === bytes.length - 1;
      const enc =
        (b >= 33 && b <= 126 && b !== 61) || ((b === 32 || b === 9) && !last)
          ? String.fromCharCode(b)
          : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
      if (cur.length + enc.length > 75) {
        out.push(`${cur}=`);
        cur = '';
      }
      cur += enc;
    }
    out.push(cur);
  }
  return out.join(CRLF);
}

export function base64Lines(data: Buffer): string {
  const b64 = data.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return lines.join(CRLF);
}

/** Wraps LF-separated paragraphs at word boundaries (CJK text has none and stays whole). */
export function wrapText(text: string, width = 72): string {
  return text
    .split('\n')
    .map((para) => {
      const words = para.split(' ');
      const lines: string[] = [];
      let cur = '';
      for (const w of words) {
        if (cur && cur.length + 1 + w.length > width) {
          lines.push(cur);
          cur = w;
        } else cur = cur ? `${cur} ${w}` : w;
      }
      lines.push(cur);
      return lines.join('\n');
    })
    .join('\n');
}

export function htmlOf(text: string, subject: string): string {
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const paras = text
    .split(/\n{2,}/)
    .map((p) => `<p>${esc(p).replace(/\n/g, '<br>\n')}</p>`)
    .join('\n');
  return `<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>${esc(subject)}</title>\n</head>\n<body style="font-family: Arial, sans-serif; font-size: 12pt">\n${paras}\n</body>\n</html>`;
}

interface Part {
  headers: string[];
  /** Body with CRLF line ends. */
  body: string;
}

function textPart(text: string, subtype: 'plain' | 'html', encoding: '7bit' | '8bit' | 'quoted-printable'): Part {
  const charset = encoding === '7bit' ? 'us-ascii' : 'utf-8';
  const body = encoding === 'quoted-printable' ? quotedPrintable(text) : text.replace(/\n/g, CRLF);
  return {
    headers: [`Content-Type: text/${subtype}; charset=${charset}`, `Content-Transfer-Encoding: ${encoding}`],
    body,
  };
}

function attachmentPart(a: Attachment, cid: string | undefined): Part {
  const ascii = /^[\x20-\x7e]*$/.test(a.filename);
  const disposition = a.inline ? 'inline' : 'attachment';
  const fileParam = ascii
    ? `filename="${a.filename}"`
    : `filename*=UTF-8''${encodeURIComponent(a.filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
  const nameParam = ascii ? `name="${a.filename}"` : `name="${encodeWords(a.filename).replace(/\r\n /g, ' ')}"`;
  const headers = [
    `Content-Type: ${a.contentType};${CRLF} ${nameParam}`,
    `Content-Disposition: ${disposition};${CRLF} ${fileParam}`,
    'Content-Transfer-Encoding: base64',
  ];
  if (cid) headers.push(`Content-ID: <${cid}>`);
  return { headers, body: base64Lines(a.data) };
}

function multipart(
  subtype: 'mixed' | 'alternative' | 'related',
  boundary: string,
  parts: Part[],
  preamble: boolean,
): Part {
  const chunks: string[] = [];
  if (preamble) chunks.push(`This is a multi-part message in MIME format.${CRLF}`);
  for (const p of parts) chunks.push(`--${boundary}${CRLF}${p.headers.join(CRLF)}${CRLF}${CRLF}${p.body}${CRLF}`);
  chunks.push(`--${boundary}--${CRLF}`);
  return { headers: [`Content-Type: multipart/${subtype};${CRLF} boundary="${boundary}"`], body: chunks.join('') };
}

export function boundary(rng: Rng, n: number): string {
  return `----=_Part_${n}_${rng.int(100000000, 999999999)}.${rng.hex(12)}`;
}

/** The whole message as bytes (UTF-8 for 8bit parts, CRLF everywhere). */
export function buildMessage(spec: MessageSpec, rng: Rng): Buffer {
  const dateText = rfc5322Date(spec.date, spec.from.tzMinutes);
  const firstTo = spec.to[0];
  const headers: string[] = [
    `Return-Path: <${spec.from.email}>`,
    `Received: from mx.${spec.from.email.split('@')[1]} (mx.${spec.from.email.split('@')[1]} [192.0.2.${rng.int(2, 250)}])${CRLF}\tby ${spec.mailHost} (Postfix) with ESMTPS id ${rng.alnum(11).toUpperCase()}${CRLF}\tfor <${firstTo?.email ?? 'undisclosed-recipients'}>; ${rfc5322Date(spec.date + rng.int(1, 90) * 1000, 0)}`,
    `Date: ${dateText}`,
    `From: ${formatAddress(spec.from)}`,
    `To: ${spec.to.length > 0 ? addressList(spec.to) : 'undisclosed-recipients:;'}`,
  ];
  if (spec.cc && spec.cc.length > 0) headers.push(`Cc: ${addressList(spec.cc)}`);
  headers.push(`Subject: ${encodeWords(spec.subject)}`, `Message-ID: <${spec.messageId}>`);
  if (spec.inReplyTo) headers.push(`In-Reply-To: <${spec.inReplyTo}>`, `References: <${spec.inReplyTo}>`);
  if (spec.highPriority) headers.push('X-Priority: 1 (Highest)', 'Importance: High');
  headers.push(...(spec.extraHeaders ?? []));
  headers.push('MIME-Version: 1.0');

  let root: Part;
  let n = 0;
  const html = (): Part => textPart(htmlOf(spec.text, spec.subject), 'html', 'quoted-printable');
  switch (spec.structure) {
    case 'plain-ascii':
      root = textPart(spec.text, 'plain', '7bit');
      break;
    case 'plain-qp':
      root = textPart(spec.text, 'plain', 'quoted-printable');
      break;
    case 'plain-8bit':
      root = textPart(spec.text, 'plain', '8bit');
      break;
    case 'html':
      root = html();
      break;
    case 'alternative':
      root = multipart(
        'alternative',
        boundary(rng, n),
        [textPart(spec.text, 'plain', 'quoted-printable'), html()],
        true,
      );
      break;
    case 'mixed': {
      const body = rng.chance(0.5)
        ? multipart(
            'alternative',
            boundary(rng, n++),
            [textPart(spec.text, 'plain', 'quoted-printable'), html()],
            false,
          )
        : textPart(spec.text, 'plain', isAscii(spec.text) ? '7bit' : 'quoted-printable');
      const atts = (spec.attachments ?? []).map((a) =>
        attachmentPart(a, a.inline ? `${rng.hex(16)}@sample` : undefined),
      );
      root = multipart('mixed', boundary(rng, n), [body, ...atts], true);
      break;
    }
  }
  headers.push(...root.headers);
  return Buffer.from(`${headers.join(CRLF)}${CRLF}${CRLF}${root.body}${root.body.endsWith(CRLF) ? '' : CRLF}`, 'utf8');
}
