/**
 * BLOB contents of the sample: messages, vCards, calendar objects and documents,
 * each a pure function of (seed, key, …) so that a key always gives the same bytes.
 */
import { buildEvent, buildTask, buildVCard } from './calendar';
import { makeCsv, makePdf, makePng } from './binary';
import {
  buildMessage,
  MESSAGE_STRUCTURES,
  rfc5322Date,
  type MessageSpec,
  wrapText,
  type Attachment,
  type MessageStructure,
  type Person,
} from './mime';
import { Rng } from './random';
import { hasRealAttachments, realAttachments, realBodyTail, realExtraHeaders, type SizeModel } from './sizes';
import {
  COMPANIES,
  EVENT_TITLES,
  PLACES,
  SPAM_SUBJECTS,
  TASK_TITLES,
  TITLES,
  paragraph,
  subjectIn,
  type Lang,
} from './words';

export interface MessageMeta {
  subject: string;
  sender: string;
  recipients: string;
  /** The Date header, epoch ms. */
  date: number;
  outgoing: boolean;
  attachments: boolean;
  highPriority: boolean;
}

export interface Generated<M> {
  bytes: Buffer;
  meta: M;
}

/** A correspondent with the language they write in. */
export interface Correspondent extends Person {
  lang: Lang;
}

export interface MessageRequest {
  /** The mailbox owner. */
  owner: Person;
  mailHost: string;
  correspondents: readonly Correspondent[];
  /** Epoch ms, whole seconds: the Date header. */
  date: number;
  structure?: MessageStructure;
  kind: 'normal' | 'spam' | 'large';
  outgoing?: boolean;
  /** For large messages: bytes of the attachment. */
  attachmentBytes?: number;
  /** A later save of the same draft (2, 3, …): same headers, a longer body. */
  revision?: number;
  /** The size model (default `small`; docs/sample.md, "Sizes"). */
  sizes?: SizeModel;
}

const STRUCTURE_WEIGHTS = [25, 15, 10, 12, 23, 15];
const LANG_WEIGHTS: [Lang, number][] = [
  ['en', 50],
  ['it', 12],
  ['de', 12],
  ['fr', 10],
  ['es', 6],
  ['ja', 10],
];

export function pickLang(rng: Rng): Lang {
  return LANG_WEIGHTS[rng.weighted(LANG_WEIGHTS.map((l) => l[1]))]![0];
}

function body(rng: Rng, lang: Lang, signer: string): string {
  const greet: Record<Lang, string> = {
    en: 'Hi,',
    it: 'Ciao,',
    de: 'Hallo,',
    fr: 'Bonjour,',
    es: 'Hola,',
    ja: 'お世話になっております。',
  };
  const bye: Record<Lang, string> = {
    en: 'Best regards,',
    it: 'Cordiali saluti,',
    de: 'Viele Grüße,',
    fr: 'Cordialement,',
    es: 'Un saludo,',
    ja: 'よろしくお願いいたします。',
  };
  const paras = [greet[lang]];
  const n = rng.int(1, 3);
  for (let i = 0; i < n; i++) paras.push(wrapText(paragraph(rng, lang, rng.int(2, 5))));
  paras.push(`${bye[lang]}\n${signer}`);
  return paras.join('\n\n');
}

function attachmentsFor(rng: Rng, lang: Lang, subject: string): Attachment[] {
  const out: Attachment[] = [];
  const n = rng.int(1, 2);
  for (let i = 0; i < n; i++) {
    const k = rng.int(0, 2);
    if (k === 0)
      out.push({
        filename: rng.pick(['chart.png', 'screenshot.png', 'logo.png', 'Grafik_Übersicht.png']),
        contentType: 'image/png',
        data: makePng(rng, rng.int(12, 48), rng.int(12, 48)),
      });
    else if (k === 1) {
      const name = rng.pick([
        'invoice.pdf',
        'Fattura 2025.pdf',
        'Präsentation.pdf',
        'compte-rendu.pdf',
        'contract.pdf',
      ]);
      out.push({
        filename: name,
        contentType: 'application/pdf',
        data: makePdf(rng, subject, paragraph(rng, 'en', 3), rng.chance(0.3) ? rng.int(2000, 30000) : 0),
      });
    } else
      out.push({
        filename: lang === 'it' ? 'preventivo.csv' : 'figures.csv',
        contentType: 'text/csv',
        data: makeCsv(rng, rng.int(3, 30), 1),
      });
  }
  return out;
}

export function asciiFold(text: string): string {
  return text
    .replace(/[Łł]/g, (c) => (c === 'Ł' ? 'L' : 'l'))
    .replace(/[Øø]/g, (c) => (c === 'Ø' ? 'O' : 'o'))
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x00-\x7f]/g, '?');
}

export function messageId(rng: Rng, date: number, domain: string): string {
  return `${rng.hex(8)}.${rng.hex(8)}.${Math.floor(date / 1000)}@${domain}`;
}

/** One message (RFC 822 bytes) and the item metadata it implies. */
export function makeMessage(seed: number, key: string, req: MessageRequest): Generated<MessageMeta> {
  const rng = Rng.of(seed, 'message', key);
  const outgoing = req.outgoing ?? (req.kind === 'normal' && rng.chance(0.22));
  let structure: MessageStructure = req.structure ?? MESSAGE_STRUCTURES[rng.weighted(STRUCTURE_WEIGHTS)]!;
  if (req.kind === 'large') structure = 'mixed';
  if (req.kind === 'spam') structure = rng.chance(0.7) ? 'html' : 'plain-8bit';
  const other = rng.pick(req.correspondents);
  const lang: Lang =
    structure === 'plain-ascii' ? 'en' : req.kind === 'spam' ? 'en' : rng.chance(0.5) ? other.lang : pickLang(rng);
  let from: Person;
  let to: Person[];
  let cc: Person[] = [];
  if (req.kind === 'spam') {
    from = {
      name: rng.pick(['Prize Department', 'Pharmacy Online', 'Account Security', 'Service Client']),
      email: `${rng.alnum(8)}@promo.example.net`,
      tzMinutes: rng.pick([-480, 0, 180]),
    };
    to = [req.owner];
  } else if (outgoing) {
    from = req.owner;
    to = [other];
    if (rng.chance(0.3))
      cc = rng.sample(
        req.correspondents.filter((c) => c !== other),
        rng.int(1, 2),
      );
  } else {
    from = other;
    to = [req.owner];
    if (rng.chance(0.25))
      cc = rng.sample(
        req.correspondents.filter((c) => c !== other),
        rng.int(1, 2),
      );
  }
  const baseSubject =
    req.kind === 'spam'
      ? rng.pick(SPAM_SUBJECTS)
      : req.kind === 'large'
        ? `Scans and archive ${rng.int(1, 99)}`
        : subjectIn(rng, lang);
  const subject =
    req.kind === 'normal' && rng.chance(0.2) && !baseSubject.startsWith('Re:') ? `Re: ${baseSubject}` : baseSubject;
  let text =
    req.kind === 'spam'
      ? `Dear customer,\n\n${paragraph(rng, 'en', 2)}\n\nClick here to claim: https://promo.example.net/${rng.alnum(10)}\n\nUnsubscribe: reply STOP`
      : body(rng, lang, from.name);
  if (req.revision !== undefined && req.revision > 1) {
    const r = Rng.of(seed, 'message', key, 'revision', req.revision);
    text += `\n\nP.S. ${wrapText(paragraph(r, lang === 'ja' ? 'ja' : lang, req.revision))}`;
  }
  // Real sizes: quoted history to the model's length, and real attachments for a share of messages.
  const real = req.sizes === 'real' && req.kind === 'normal';
  if (real) {
    text += realBodyTail(seed, key, lang, Buffer.byteLength(text, 'utf8'));
    // Here `mixed` means "with attachments": the model's share decides, not the structure weights.
    if (hasRealAttachments(seed, key)) structure = 'mixed';
    else if (structure === 'mixed') structure = 'alternative';
  }
  // A 7bit us-ascii body cannot carry "Schäfer": fold it to "Schafer", as an old client would.
  if (structure === 'plain-ascii') text = asciiFold(text);
  let attachments: Attachment[] = [];
  if (real) {
    if (structure === 'mixed') attachments = realAttachments(seed, key, subject, lang);
  } else if (req.kind === 'large') {
    const big = req.attachmentBytes ?? 1_100_000;
    attachments = [
      {
        filename: `scan-archive-${rng.int(1000, 9999)}.pdf`,
        contentType: 'application/pdf',
        data: makePdf(rng, subject, 'archive', big),
      },
    ];
  } else if (structure === 'mixed') attachments = attachmentsFor(rng, lang, subject);
  const highPriority = req.kind === 'normal' && rng.chance(0.05);
  const spec: MessageSpec = {
    from,
    to,
    cc,
    subject,
    date: req.date,
    messageId: messageId(rng, req.date, from.email.split('@')[1] ?? 'example.com'),
    structure,
    text,
    attachments,
    highPriority,
    mailHost: req.mailHost,
    ...(subject.startsWith('Re: ')
      ? { inReplyTo: messageId(rng, req.date - 86_400_000, to[0]?.email.split('@')[1] ?? 'example.com') }
      : {}),
    ...(req.kind === 'spam' ? { extraHeaders: ['X-Spam-Flag: YES', `X-Spam-Score: ${rng.int(60, 150) / 10}`] } : {}),
  };
  if (req.sizes === 'real')
    spec.extraHeaders = [
      ...realExtraHeaders(seed, key, from.email.split('@')[1] ?? 'example.com', rfc5322Date(req.date, 0)),
      ...(spec.extraHeaders ?? []),
    ];
  const bytes = buildMessage(spec, rng);
  return {
    bytes,
    meta: {
      subject,
      sender: from.email,
      recipients: [...to, ...cc].map((p) => p.email).join(', '),
      date: req.date,
      outgoing: from === req.owner,
      attachments: attachments.length > 0,
      highPriority,
    },
  };
}

/** A message sent to every mailbox of the organisation: the same bytes in each account. */
export function makeBroadcast(
  seed: number,
  index: number,
  date: number,
  sender: Person,
  mailHost: string,
): Generated<MessageMeta> {
  const rng = Rng.of(seed, 'broadcast', index);
  const subject = rng.pick([
    'All-hands meeting on Thursday',
    'Nuova policy per le ferie',
    'IT maintenance: mail outage on Saturday',
    'Betriebsausflug 2026',
    'Résultats du trimestre',
    'Welcome to our new colleagues',
  ]);
  const to: Person = { name: 'All staff', email: 'all-staff@example.com', tzMinutes: 60 };
  const text = `Dear all,\n\n${wrapText(paragraph(rng, 'en', 4))}\n\n${wrapText(paragraph(rng, rng.pick(['it', 'de', 'fr'] as const), 2))}\n\n${sender.name}`;
  const bytes = buildMessage(
    {
      from: sender,
      to: [to],
      subject,
      date,
      messageId: messageId(rng, date, sender.email.split('@')[1] ?? 'example.com'),
      structure: 'alternative',
      text,
      mailHost,
      extraHeaders: ['Precedence: list', 'List-Id: <all-staff.example.com>'],
    },
    rng,
  );
  return {
    bytes,
    meta: {
      subject,
      sender: sender.email,
      recipients: to.email,
      date,
      outgoing: false,
      attachments: false,
      highPriority: false,
    },
  };
}

export function makeContact(
  seed: number,
  key: string,
  version: number,
  rev: number,
  people: readonly Correspondent[],
): Generated<{ name: string }> {
  const rng = Rng.of(seed, 'contact', key);
  const p = rng.pick(people);
  const [first, ...rest] = p.name.split(' ');
  const last = rest.join(' ') || 'Smith';
  const v = Rng.of(seed, 'contact', key, version);
  const spec = {
    uid: `${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`,
    first: first ?? p.name,
    last,
    email: p.email,
    phone: `+${v.pick(['39', '49', '33', '34', '1', '81'])} ${v.int(100, 999)} ${v.int(1000000, 9999999)}`,
    company: v.pick(COMPANIES),
    title: v.pick(TITLES),
    city: v.pick(['Milano', 'München', 'Genève', 'Sevilla', 'New York', '東京']),
    rev,
    ...(version > 1 || v.chance(0.3) ? { note: paragraph(v, p.lang, 1) } : {}),
  };
  return { bytes: buildVCard(spec), meta: { name: `${spec.first} ${spec.last}` } };
}

export function makeEvent(
  seed: number,
  key: string,
  version: number,
  stamp: number,
  owner: Person,
  people: readonly Correspondent[],
): Generated<{ summary: string; start: number }> {
  const rng = Rng.of(seed, 'event', key);
  const summary = rng.pick(EVENT_TITLES);
  const uid = `${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`;
  const attendees = rng
    .sample(people, rng.int(1, 4))
    .map((p) => ({ name: p.name, email: p.email, partstat: rng.pick(['ACCEPTED', 'TENTATIVE', 'NEEDS-ACTION']) }));
  const v = Rng.of(seed, 'event', key, version);
  // Office hours in Rome (08:00–17:30 local, taken as UTC+1).
  const day = Math.floor((stamp + v.int(1, 20) * 86_400_000) / 86_400_000) * 86_400_000;
  const start = day + (v.int(7, 16) * 60 + v.pick([0, 30])) * 60_000;
  const bytes = buildEvent({
    uid,
    summary,
    location: v.pick(PLACES),
    description: paragraph(v, 'en', v.int(1, 3)),
    organizer: { name: owner.name, email: owner.email },
    attendees,
    start,
    minutes: v.pick([30, 60, 90]),
    stamp,
    sequence: version - 1,
    ...(rng.chance(0.25) ? { weekly: rng.int(4, 12) } : {}),
  });
  return { bytes, meta: { summary, start } };
}

export type TaskStatus = 'NEEDS-ACTION' | 'IN-PROCESS' | 'COMPLETED';
export function makeTask(
  seed: number,
  key: string,
  version: number,
  status: TaskStatus,
  stamp: number,
  owner: Person,
): Generated<{ summary: string }> {
  const rng = Rng.of(seed, 'task', key);
  const summary = rng.pick(TASK_TITLES);
  const bytes = buildTask({
    uid: `${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`,
    summary,
    description: paragraph(rng, 'en', 2),
    organizer: { name: owner.name, email: owner.email },
    due: stamp + rng.int(3, 40) * 86_400_000,
    status,
    percent: status === 'COMPLETED' ? 100 : status === 'IN-PROCESS' ? 10 * version : 0,
    priority: rng.pick([1, 5, 9]),
    stamp,
    sequence: version - 1,
  });
  return { bytes, meta: { summary } };
}

/** One version of a Briefcase document; the format follows the name's extension. */
export function makeDocument(seed: number, key: string, name: string, version: number): Buffer {
  const rng = Rng.of(seed, 'document', key, version);
  const title = name.replace(/\.[a-z]+$/, '');
  if (name.endsWith('.csv')) return makeCsv(rng, 6 + version * 4, version);
  if (name.endsWith('.pdf'))
    return makePdf(
      rng,
      title,
      `${title} v${version} ${paragraph(rng, 'en', 2)}`,
      rng.chance(0.3) ? rng.int(4000, 60000) : 0,
    );
  const lines = [name.endsWith('.md') ? `# ${title}` : title, '', `Version ${version}`, ''];
  for (let v = 1; v <= version; v++)
    lines.push(
      `${name.endsWith('.md') ? '## ' : ''}Revision ${v}`,
      wrapText(paragraph(Rng.of(seed, 'document', key, 'para', v), v % 2 ? 'en' : 'de', 4)),
      '',
    );
  return Buffer.from(lines.join('\n'), 'utf8');
}
