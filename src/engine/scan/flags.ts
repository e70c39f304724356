/**
 * IMAP flags and keywords → Zimbra's flag bits and tags (docs/backup-format.md §8.3):
 * \Seen is the absence of unread; \Flagged, \Answered, \Draft, \Deleted, $Forwarded and
 * $MDNSent have bits; other keywords are tags; \Recent (a session flag) is dropped.
 */
import { FLAGS } from '../zimbra';

const bit = (name: string): number => FLAGS.find((f) => f.name === name)!.bit;

const FLAG_BITS: ReadonlyMap<string, number> = new Map([
  ['\\flagged', bit('flagged')],
  ['\\answered', bit('replied')],
  ['\\draft', bit('draft')],
  ['\\deleted', bit('deleted')],
  ['$forwarded', bit('forwarded')],
  ['$mdnsent', bit('notified')],
]);
export const UNREAD_BIT = bit('unread');

export interface MessageMarks {
  flags: number;
  /** Sorted, as a tag list compares. */
  tags: string[];
}

export function marksOf(imapFlags: Iterable<string>): MessageMarks {
  let flags = UNREAD_BIT;
  const tags = new Set<string>();
  for (const f of imapFlags) {
    const lower = f.toLowerCase();
    if (lower === '\\seen') flags &= ~UNREAD_BIT;
    else if (lower === '\\recent') continue;
    else if (FLAG_BITS.has(lower)) flags |= FLAG_BITS.get(lower)!;
    else if (!f.startsWith('\\')) tags.add(f);
  }
  return { flags, tags: [...tags].sort() };
}

export function sameMarks(a: MessageMarks, b: MessageMarks): boolean {
  return a.flags === b.flags && a.tags.length === b.tags.length && a.tags.every((t, i) => t === b.tags[i]);
}
