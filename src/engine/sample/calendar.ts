/** vCard 3.0 contacts and iCalendar VEVENT / VTODO objects, CRLF and folded at 75 octets. */

const CRLF = '\r\n';

/** RFC 5545 / RFC 2425 folding: lines longer than 75 octets continue on lines starting with a space. */
export function foldLine(line: string): string {
  if (Buffer.byteLength(line, 'utf8') <= 75) return line;
  const out: string[] = [];
  let cur = '';
  let bytes = 0;
  const limit = (): number => (out.length === 0 ? 75 : 74);
  for (const ch of line) {
    const b = Buffer.byteLength(ch, 'utf8');
    if (bytes + b > limit()) {
      out.push(cur);
      cur = '';
      bytes = 0;
    }
    cur += ch;
    bytes += b;
  }
  out.push(cur);
  return out.join(`${CRLF} `);
}

export function escapeText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

function lines(ls: readonly string[]): Buffer {
  return Buffer.from(ls.map(foldLine).join(CRLF) + CRLF, 'utf8');
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `20250312T100000Z`. */
export function icsUtc(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}${pad2(d.getUTCMinutes())}${pad2(d.getUTCSeconds())}Z`;
}

/** Whether EU summer time holds at an instant (last Sunday of March 01:00 UTC to last Sunday of October 01:00 UTC). */
export function isEuSummerTime(ms: number): boolean {
  const y = new Date(ms).getUTCFullYear();
  const lastSunday = (month: number): number => {
    const d = new Date(Date.UTC(y, month + 1, 0, 1));
    return d.getTime() - d.getUTCDay() * 86_400_000;
  };
  return ms >= lastSunday(2) && ms < lastSunday(9);
}

/** Local wall time in Europe/Rome as `20250312T110000`. */
export function icsRome(ms: number): string {
  return icsUtc(ms + (isEuSummerTime(ms) ? 2 : 1) * 3_600_000).slice(0, 15);
}

const VTIMEZONE_ROME = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/Rome',
  'BEGIN:STANDARD',
  'DTSTART:16010101T030000',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'RRULE:FREQ=YEARLY;WKST=MO;INTERVAL=1;BYMONTH=10;BYDAY=-1SU',
  'TZNAME:CET',
  'END:STANDARD',
  'BEGIN:DAYLIGHT',
  'DTSTART:16010101T020000',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'RRULE:FREQ=YEARLY;WKST=MO;INTERVAL=1;BYMONTH=3;BYDAY=-1SU',
  'TZNAME:CEST',
  'END:DAYLIGHT',
  'END:VTIMEZONE',
];

export interface ContactSpec {
  uid: string;
  first: string;
  last: string;
  email: string;
  phone: string;
  company: string;
  title: string;
  city: string;
  note?: string;
  rev: number;
}

export function buildVCard(c: ContactSpec): Buffer {
  const ls = [
    'BEGIN:VCARD',
    'VERSION:3.0',
    'PRODID:-//Zimbra//NONSGML Zimbra Collaboration//EN',
    `N:${escapeText(c.last)};${escapeText(c.first)};;;`,
    `FN:${escapeText(`${c.first} ${c.last}`)}`,
    `ORG:${escapeText(c.company)}`,
    `TITLE:${escapeText(c.title)}`,
    `EMAIL;TYPE=INTERNET,WORK:${c.email}`,
    `TEL;TYPE=CELL:${c.phone}`,
    `ADR;TYPE=WORK:;;;${escapeText(c.city)};;;`,
  ];
  if (c.note) ls.push(`NOTE:${escapeText(c.note)}`);
  ls.push(
    `UID:${c.uid}`,
    `REV:${icsUtc(c.rev).replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z')}`,
    'END:VCARD',
  );
  return lines(ls);
}

export interface EventSpec {
  uid: string;
  summary: string;
  location: string;
  description: string;
  organizer: { name: string; email: string };
  attendees: { name: string; email: string; partstat: string }[];
  start: number;
  minutes: number;
  stamp: number;
  sequence: number;
  weekly?: number;
}

export function buildEvent(e: EventSpec): Buffer {
  const ls = [
    'BEGIN:VCALENDAR',
    'PRODID:Zimbra-Calendar-Provider',
    'VERSION:2.0',
    'METHOD:PUBLISH',
    ...VTIMEZONE_ROME,
    'BEGIN:VEVENT',
    `UID:${e.uid}`,
  ];
  if (e.weekly) ls.push(`RRULE:FREQ=WEEKLY;INTERVAL=1;COUNT=${e.weekly}`);
  ls.push(
    `SUMMARY:${escapeText(e.summary)}`,
    `LOCATION:${escapeText(e.location)}`,
    `DESCRIPTION:${escapeText(e.description)}`,
  );
  for (const a of e.attendees)
    ls.push(
      `ATTENDEE;CN=${quoteParam(a.name)};ROLE=REQ-PARTICIPANT;PARTSTAT=${a.partstat};RSVP=TRUE:mailto:${a.email}`,
    );
  ls.push(
    `ORGANIZER;CN=${quoteParam(e.organizer.name)}:mailto:${e.organizer.email}`,
    `DTSTART;TZID="Europe/Rome":${icsRome(e.start)}`,
    `DTEND;TZID="Europe/Rome":${icsRome(e.start + e.minutes * 60_000)}`,
    'STATUS:CONFIRMED',
    'CLASS:PUBLIC',
    'X-MICROSOFT-CDO-INTENDEDSTATUS:BUSY',
    'TRANSP:OPAQUE',
    `DTSTAMP:${icsUtc(e.stamp)}`,
    `SEQUENCE:${e.sequence}`,
    'BEGIN:VALARM',
    'ACTION:DISPLAY',
    'TRIGGER;RELATED=START:-PT15M',
    'DESCRIPTION:Reminder',
    'END:VALARM',
    'END:VEVENT',
    'END:VCALENDAR',
  );
  return lines(ls);
}

export interface TaskSpec {
  uid: string;
  summary: string;
  description: string;
  organizer: { name: string; email: string };
  due: number;
  status: 'NEEDS-ACTION' | 'IN-PROCESS' | 'COMPLETED';
  percent: number;
  priority: number;
  stamp: number;
  sequence: number;
}

export function buildTask(t: TaskSpec): Buffer {
  const ls = [
    'BEGIN:VCALENDAR',
    'PRODID:Zimbra-Calendar-Provider',
    'VERSION:2.0',
    'METHOD:PUBLISH',
    'BEGIN:VTODO',
    `UID:${t.uid}`,
  ];
  ls.push(
    `SUMMARY:${escapeText(t.summary)}`,
    `DESCRIPTION:${escapeText(t.description)}`,
    `PRIORITY:${t.priority}`,
    `PERCENT-COMPLETE:${t.percent}`,
    `ORGANIZER;CN=${quoteParam(t.organizer.name)}:mailto:${t.organizer.email}`,
    `DUE;VALUE=DATE:${icsUtc(t.due).slice(0, 8)}`,
    `STATUS:${t.status}`,
    'CLASS:PUBLIC',
  );
  if (t.status === 'COMPLETED') ls.push(`COMPLETED:${icsUtc(t.stamp)}`);
  ls.push(`DTSTAMP:${icsUtc(t.stamp)}`, `SEQUENCE:${t.sequence}`, 'END:VTODO', 'END:VCALENDAR');
  return lines(ls);
}

function quoteParam(s: string): string {
  return /[;:,]/.test(s) || !/^[\x20-\x7e]*$/.test(s) ? `"${s.replace(/"/g, "'")}"` : s;
}
