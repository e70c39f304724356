/**
 * A message BLOB decoded for people (the Show BLOB view, docs/extension.md): the top
 * headers, the text (the text/plain part, or the HTML part converted to text), the
 * attachments, and for a damaged BLOB what could still be decoded plus the finding
 * naming the damage. MIME is parsed by mailparser; every size is bounded so a huge
 * message cannot hold the view up.
 */
import { simpleParser, type AddressObject, type Attachment, type ParsedMail } from 'mailparser';

/** The text shown is cut here (characters): the editor slows down on huge text, and Export to .eml gives all. */
export const MAX_DECODED_TEXT_CHARS = 256 * 1024;
/** HTML beyond this many characters is not converted to text (html-to-text is slow on megabytes). */
export const MAX_HTML_TO_TEXT_CHARS = 2 * 1024 * 1024;

export interface DecodedAttachment {
  /** 0-based position among the message's attachments. */
  index: number;
  /** The file name the message gives, if any. */
  name?: string;
  contentType: string;
  /** Decoded bytes. */
  size: number;
  /** Shown inline in the message (an image the HTML refers to) rather than attached. */
  inline: boolean;
}

export interface DecodedMessage {
  from?: string;
  to?: string;
  cc?: string;
  subject?: string;
  /** Epoch ms of the Date header, when it parses. */
  date?: number;
  /** The message's text, at most MAX_DECODED_TEXT_CHARS. */
  text: string;
  /** Where the text came from. */
  textSource: 'text' | 'html' | 'none';
  /** The text was cut to MAX_DECODED_TEXT_CHARS; `textChars` is the whole length. */
  textTruncated: boolean;
  textChars: number;
  attachments: DecodedAttachment[];
  /** Why the content could not be read as a message, if so (the BLOB's own damage is the caller's finding). */
  problem?: string;
}

const addresses = (a: AddressObject | AddressObject[] | undefined): string | undefined => {
  if (a === undefined) return undefined;
  const text = (Array.isArray(a) ? a : [a]).map((x) => x.text).join(', ');
  return text === '' ? undefined : text;
};

/**
 * Decodes `content`, a whole message or the decodable start of a damaged one (mailparser
 * takes a message that stops short as it is). Never throws: content it cannot parse is
 * returned as text, with the reason in `problem`.
 */
export async function decodeMessage(content: Uint8Array): Promise<DecodedMessage> {
  const buf = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  let mail: ParsedMail;
  try {
    mail = await simpleParser(buf, {
      skipTextToHtml: true,
      skipImageLinks: true,
      maxHtmlLengthToParse: MAX_HTML_TO_TEXT_CHARS,
    });
  } catch (err) {
    const text = buf.subarray(0, MAX_DECODED_TEXT_CHARS).toString('utf8');
    return {
      text,
      textSource: 'none',
      textTruncated: buf.byteLength > MAX_DECODED_TEXT_CHARS,
      textChars: buf.byteLength,
      attachments: [],
      problem: `not readable as a MIME message: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  const out: DecodedMessage = {
    text: '',
    textSource: 'none',
    textTruncated: false,
    textChars: 0,
    attachments: mail.attachments.map((a: Attachment, index) => {
      const d: DecodedAttachment = {
        index,
        contentType: a.contentType,
        size: a.size ?? a.content.byteLength,
        inline: a.contentDisposition === 'inline' || (a.related ?? false),
      };
      if (a.filename !== undefined) d.name = a.filename;
      return d;
    }),
  };
  const from = addresses(mail.from);
  const to = addresses(mail.to);
  const cc = addresses(mail.cc);
  if (from !== undefined) out.from = from;
  if (to !== undefined) out.to = to;
  if (cc !== undefined) out.cc = cc;
  if (mail.subject !== undefined) out.subject = mail.subject;
  if (mail.date !== undefined && !Number.isNaN(mail.date.getTime()) && mail.headers.has('date'))
    out.date = mail.date.getTime();
  // mailparser fills `text` from the HTML part when there is no text/plain one.
  const text = mail.text ?? '';
  if (text.trim() !== '') {
    out.textSource = hasTextPlain(buf) ? 'text' : mail.html ? 'html' : 'text';
    out.textChars = text.length;
    out.textTruncated = text.length > MAX_DECODED_TEXT_CHARS;
    out.text = out.textTruncated ? text.slice(0, MAX_DECODED_TEXT_CHARS) : text;
  }
  if (mail.headers.size === 0) out.problem = 'no message headers: not a MIME message';
  return out;
}

/** Whether the message has a text/plain part (or is one: no Content-Type means text/plain). */
function hasTextPlain(buf: Buffer): boolean {
  const head = buf.subarray(0, 1024 * 1024).toString('latin1');
  const top = head.split(/\r?\n\r?\n/, 1)[0] ?? '';
  if (!/^content-type:/im.test(top)) return true;
  return /content-type:\s*text\/plain/i.test(head);
}
