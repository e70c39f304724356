/**
 * Where a restore writes: one small interface, four kinds (IMAP, Maildir++, mboxrd, .eml
 * files). A write is bracketed by the journal: `prepare` says what to remember before it
 * (where the message would land), `findBegun` looks there after a crash.
 */
export interface TargetMessage {
  key: string;
  itemId: number;
  folder: string[];
  flags: string[];
  keywords: string[];
  /** The Zimbra tag names the keywords come from. */
  tags?: string[];
  internalDate: number;
}

export interface RestoreTarget {
  readonly kind: 'imap' | 'maildir' | 'mbox' | 'eml';
  /** For the report: the destination as the user may see it (never a password). */
  readonly description: string;
  /** Creates the folder (and its parents) unless it exists; true when it was created now. */
  ensureFolder(folder: string[]): Promise<boolean>;
  /** What the journal records before the write, to find the message after a crash. */
  prepare(msg: TargetMessage): Promise<Record<string, unknown>>;
  /** Writes one message; its reference in the target (a UID, a file name). Throws a TargetRefusal when refused. */
  write(msg: TargetMessage, content: Buffer): Promise<string>;
  /** A write that began (with `info` from prepare) and was not recorded as done: its reference if it landed. */
  findBegun(msg: TargetMessage, info: Record<string, unknown>, content: Buffer): Promise<string | undefined>;
  /** Called once at the end (also after an interruption) with every message restored by any run. */
  finish(restored: readonly TargetMessage[]): Promise<void>;
  close(): Promise<void>;
}

/** The target refused one message (an IMAP NO, a name it cannot hold): that message is unrestored, the rest goes on. */
export class TargetRefusal extends Error {}

/** A destination argument: `imap://…` or `maildir:PATH`, `mbox:PATH`, `eml:PATH`. */
export type Destination = { kind: 'imap'; url: string } | { kind: 'maildir' | 'mbox' | 'eml'; path: string };

export function parseDestination(text: string): Destination | undefined {
  if (/^imaps?:\/\//i.test(text)) return { kind: 'imap', url: text };
  const m = /^(maildir|mbox|eml):(.+)$/i.exec(text);
  if (!m) return undefined;
  return { kind: m[1]!.toLowerCase() as 'maildir' | 'mbox' | 'eml', path: m[2]! };
}
