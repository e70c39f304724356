/**
 * The size model of sample messages (docs/sample.md, "Sizes"): `small` keeps the short
 * messages tests rely on; `real` follows public statistics of real mail: modern headers,
 * longer HTML bodies with quoted history, a share of messages with real attachments
 * (base64 MIME parts whose bytes compress like the real formats) and copies of one
 * message in several mailboxes. Every draw comes from its own seeded stream, so the
 * `small` output is unchanged and the `real` output is reproducible.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { buildEvent } from './calendar';
import type { Attachment } from './mime';
import { Rng } from './random';
import { SENTENCES, type Lang } from './words';

export type SizeModel = 'small' | 'real';
export const SIZE_MODELS: readonly SizeModel[] = ['small', 'real'];

/**
 * The figures of the `real` model. Sources and the reasoning behind each one are in
 * docs/sample.md; keep the two in step.
 */
export const REAL_MAIL = {
  /** Share of ordinary messages with at least one attachment (assumption, see docs). */
  attachmentShare: 0.22,
  /** Each further attachment: P = 0.27, so 1.37 per message with attachments (utcc.utoronto.ca, 2019). */
  anotherAttachment: 0.27,
  /** Lognormal spread (σ of ln size) of an attachment around its type's median. */
  attachmentSigma: 1.3,
  /** Attachments above this are cut: a typical 25 MB message limit, base64 included. */
  attachmentMax: 16_000_000,
  /** Median characters of a body (own text + quoted history) and its lognormal σ. */
  bodyMedian: 3_000,
  bodySigma: 0.9,
  /** Share of ordinary received messages that are a copy another mailbox of the server also holds. */
  sharedShare: 0.25,
  /** How many mailboxes get each shared message, on average. */
  sharedCopies: 3,
} as const;

interface AttachmentType {
  ext: string;
  contentType: string;
  /** Attachments per 10 000 (utcc.utoronto.ca "What sorts of good email attachments our users get", 2019). */
  weight: number;
  /** Median bytes before base64 (assumption, see docs/sample.md). */
  median: number;
  /** `binary`: already compressed (random bytes in the format's wrapper); `text`: text-like. */
  content: 'binary' | 'text' | 'calendar';
}

/** The ten most common legitimate attachment types and their counts out of 54 076 (utcc, March 2019), normalised. */
export const ATTACHMENT_TYPES: readonly AttachmentType[] = [
  { ext: 'pdf', contentType: 'application/pdf', weight: 30462, median: 85_000, content: 'binary' },
  { ext: 'jpg', contentType: 'image/jpeg', weight: 4210, median: 130_000, content: 'binary' },
  {
    ext: 'docx',
    contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    weight: 3688,
    median: 32_000,
    content: 'binary',
  },
  { ext: 'png', contentType: 'image/png', weight: 1939, median: 30_000, content: 'binary' },
  { ext: 'ics', contentType: 'text/calendar', weight: 1773, median: 3_000, content: 'calendar' },
  {
    ext: 'xlsx',
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    weight: 1339,
    median: 22_000,
    content: 'binary',
  },
  { ext: 'txt', contentType: 'text/plain', weight: 1009, median: 4_000, content: 'text' },
  { ext: 'html', contentType: 'text/html', weight: 725, median: 12_000, content: 'text' },
  { ext: 'doc', contentType: 'application/msword', weight: 682, median: 45_000, content: 'text' },
  { ext: 'zip', contentType: 'application/zip', weight: 640, median: 180_000, content: 'binary' },
];

const NAMES: Record<string, readonly string[]> = {
  pdf: ['invoice', 'Fattura_2025', 'Angebot', 'contract', 'compte-rendu', 'report-Q3', 'scan'],
  jpg: ['IMG_2041', 'photo', 'whiteboard', 'DSC01877', 'Foto_cantiere'],
  docx: ['minutes', 'proposal', 'Verbale_riunione', 'Lebenslauf', 'draft'],
  png: ['screenshot', 'chart', 'logo', 'Grafik'],
  ics: ['invite', 'meeting'],
  xlsx: ['budget', 'figures', 'Preventivo', 'timesheet'],
  txt: ['notes', 'log', 'readme'],
  html: ['newsletter', 'receipt'],
  doc: ['old-template', 'Modulo', 'letter'],
  zip: ['archive', 'photos', 'project-files', 'Dokumente'],
};

/** A standard normal deviate (Box–Muller). */
function gaussian(rng: Rng): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function logNormal(rng: Rng, median: number, sigma: number): number {
  return median * Math.exp(sigma * gaussian(rng));
}

/**
 * `n` incompressible bytes, a pure function of the parts: the AES-128-CTR keystream of a
 * key derived from them (native speed; JPEG, ZIP and PDF streams are already compressed).
 */
export function noise(n: number, ...parts: ReadonlyArray<number | string>): Buffer {
  const key = createHash('sha256').update(parts.join('\u0000')).digest();
  const cipher = createCipheriv('aes-128-ctr', key.subarray(0, 16), key.subarray(16, 32));
  return cipher.update(Buffer.alloc(n));
}

const vocabularies = new Map<Lang, readonly string[]>();

/** The words of the sample's sentences in a language (Japanese: three-character pieces). */
function vocabulary(lang: Lang): readonly string[] {
  let v = vocabularies.get(lang);
  if (!v) {
    const text = SENTENCES[lang].join(' ').replace(/[.,;:!?。、]/g, ' ');
    v =
      lang === 'ja'
        ? (text.replace(/\s+/g, '').match(/.{1,3}/gu) ?? ['テキスト'])
        : [...new Set(text.split(/\s+/).filter((w) => w.length > 0))];
    vocabularies.set(lang, v);
  }
  return v;
}

/**
 * Text that compresses like prose (about 3:1 with gzip): sentences of random words from
 * the sample's vocabulary, up to `n` bytes. Whole repeated sentences would compress far better.
 */
export function prose(rng: Rng, n: number, lang: Lang): string {
  const words = vocabulary(lang);
  const sep = lang === 'ja' ? '' : ' ';
  const paras: string[] = [];
  let size = 0;
  while (size < n) {
    const sentences: string[] = [];
    for (let s = rng.int(2, 6); s > 0; s--) {
      const ws: string[] = [];
      for (let w = rng.int(5, 16); w > 0; w--) ws.push(rng.pick(words));
      const first = ws[0]!;
      ws[0] = first.charAt(0).toUpperCase() + first.slice(1);
      sentences.push(`${ws.join(sep)}${lang === 'ja' ? '。' : rng.pick(['.', '.', '.', '?', '!'])}`);
    }
    const p = sentences.join(sep);
    paras.push(p);
    size += Buffer.byteLength(p, 'utf8') + 2;
  }
  return paras.join('\n\n');
}

function binaryOf(ext: string, n: number, parts: ReadonlyArray<number | string>): Buffer {
  const body = noise(n, ...parts);
  // The format's magic bytes, so a file type sniffer sees the right kind.
  const magic: Record<string, string> = {
    pdf: '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n',
    jpg: '\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00',
    png: '\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR',
    docx: 'PK\x03\x04\x14\x00\x06\x00\x08\x00',
    xlsx: 'PK\x03\x04\x14\x00\x06\x00\x08\x00',
    zip: 'PK\x03\x04\x14\x00\x00\x00\x08\x00',
  };
  const head = Buffer.from(magic[ext] ?? '', 'latin1');
  head.copy(body, 0, 0, Math.min(head.length, body.length));
  if (ext === 'pdf' && n > 16) Buffer.from('\n%%EOF\n', 'latin1').copy(body, n - 7);
  if (ext === 'jpg' && n > 2) body.writeUInt16BE(0xffd9, n - 2);
  return body;
}

/** The attachments of one message of the `real` model (at least one). */
export function realAttachments(seed: number, key: string, subject: string, lang: Lang): Attachment[] {
  const rng = Rng.of(seed, 'sizes', 'attachments', key);
  const out: Attachment[] = [];
  const weights = ATTACHMENT_TYPES.map((t) => t.weight);
  do {
    const t = ATTACHMENT_TYPES[rng.weighted(weights)]!;
    const n = Math.max(
      200,
      Math.min(REAL_MAIL.attachmentMax, Math.round(logNormal(rng, t.median, REAL_MAIL.attachmentSigma))),
    );
    const filename = `${rng.pick(NAMES[t.ext]!)}${out.length > 0 ? `-${out.length + 1}` : ''}.${t.ext}`;
    let data: Buffer;
    if (t.content === 'binary') data = binaryOf(t.ext, n, [seed, key, out.length]);
    else if (t.content === 'calendar')
      data = buildEvent({
        uid: `${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`,
        summary: subject,
        location: 'Online',
        description: prose(rng, Math.min(n, 20_000), 'en'),
        organizer: { name: 'Calendar', email: 'calendar@example.com' },
        attendees: [],
        start: Date.UTC(2025, 0, 1) + rng.int(0, 600) * 86_400_000,
        minutes: 60,
        stamp: Date.UTC(2025, 0, 1),
        sequence: 0,
      });
    else {
      const text = prose(rng, n, lang);
      data = Buffer.from(
        t.ext === 'html'
          ? `<!DOCTYPE html><html><body><p>${text.replace(/\n\n/g, '</p>\n<p>')}</p></body></html>`
          : text,
        'utf8',
      );
    }
    out.push({ filename, contentType: t.contentType, data });
  } while (out.length < 8 && rng.chance(REAL_MAIL.anotherAttachment));
  return out;
}

/** Whether an ordinary message of the `real` model carries attachments. */
export function hasRealAttachments(seed: number, key: string): boolean {
  return Rng.of(seed, 'sizes', 'has-attachments', key).chance(REAL_MAIL.attachmentShare);
}

/** Quoted history and signature that bring a body to the model's length. */
export function realBodyTail(seed: number, key: string, lang: Lang, current: number): string {
  const rng = Rng.of(seed, 'sizes', 'body', key);
  const target = Math.round(logNormal(rng, REAL_MAIL.bodyMedian, REAL_MAIL.bodySigma));
  if (target <= current) return '';
  const quoted = prose(rng, target - current, lang)
    .split('\n')
    .map((l) => (l ? `> ${l}` : '>'))
    .join('\n');
  return `\n\n-----Original Message-----\n${quoted}`;
}

/**
 * The headers a message collects on its way today (DKIM, ARC, authentication results,
 * more Received hops, client and anti-spam stamps): about 3 to 5 KB.
 */
export function realExtraHeaders(seed: number, key: string, fromDomain: string, date: string): string[] {
  const rng = Rng.of(seed, 'sizes', 'headers', key);
  const b64 = (n: number): string => noise(n, seed, key, 'hdr', rng.u32()).toString('base64');
  const fold = (s: string): string => (s.match(/.{1,72}/g) ?? []).join('\r\n\t');
  const sig = (tag: string, signed: boolean): string =>
    `${tag}: i=1; a=rsa-sha256; c=relaxed/relaxed; d=${fromDomain}; s=selector${rng.int(1, 2)};` +
    (signed ? `\r\n\th=from:to:subject:date:message-id:mime-version:content-type;\r\n\tbh=${b64(32)};` : ' cv=none;') +
    `\r\n\tb=${fold(b64(256))}`;
  const hop = (): string =>
    `Received: from relay${rng.int(1, 40)}.${fromDomain} (relay${rng.int(1, 40)}.${fromDomain} [198.51.100.${rng.int(2, 250)}])\r\n\tby mx${rng.int(1, 9)}.mail-filter.example.net with ESMTPS id ${rng.alnum(16)}\r\n\t(version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256); ${date}`;
  return [
    hop(),
    hop(),
    sig('ARC-Seal', false),
    sig('ARC-Message-Signature', true),
    `ARC-Authentication-Results: i=1; mx.example.net;\r\n\tdkim=pass header.d=${fromDomain};\r\n\tspf=pass smtp.mailfrom=${fromDomain};\r\n\tdmarc=pass (p=QUARANTINE sp=NONE dis=NONE) header.from=${fromDomain}`,
    sig('DKIM-Signature', true),
    `Authentication-Results: mx.example.net; dkim=pass header.d=${fromDomain}; spf=pass smtp.mailfrom=${fromDomain}; dmarc=pass header.from=${fromDomain}`,
    `X-Spam-Status: No, score=-${rng.int(1, 40) / 10} required=5.0 tests=DKIM_SIGNED,DKIM_VALID,HTML_MESSAGE,SPF_PASS autolearn=ham`,
    `X-Mailer: ${rng.pick(['Microsoft Outlook 16.0', 'Zimbra 10.1.0 (ZimbraWebClient - FF133)', 'Apple Mail (2.3774)', 'Thunderbird 128.5'])}`,
    `Thread-Index: ${b64(rng.int(22, 90))}`,
    `X-Originating-IP: [203.0.113.${rng.int(2, 250)}]`,
  ];
}

/** Messages per shared slot: each shared message lands in about `sharedCopies` mailboxes. */
export function sharedSlots(totalItems: number): number {
  // About two thirds of item files are messages, a share of those shared.
  return Math.max(8, Math.round((totalItems * 0.6 * REAL_MAIL.sharedShare) / REAL_MAIL.sharedCopies));
}
