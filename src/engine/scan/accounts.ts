/**
 * Which mailboxes a scan reads: the accounts file (`login password` or `login` alone per
 * line), the name an account gets in the backup (`login@DOMAIN` when the login has no `@`)
 * and its zimbraId, derived from the source and the login so every scan finds the same one.
 */
import { createHash } from 'node:crypto';
import type { ImapEndpoint } from '../imap';

export interface AccountEntry {
  login: string;
  /** From the file; undefined: the shared password (--password-stdin or the environment). */
  password?: string | undefined;
  /** 1-based line in the file, for messages. */
  line: number;
}

export type AccountsParse = { ok: true; accounts: AccountEntry[] } | { ok: false; line: number; why: string };

/**
 * One account per line: `login` or `login password` (blanks between; the password is the
 * rest of the line). Blank lines and lines starting with `#` are skipped. A login appears once.
 */
export function parseAccountsFile(text: string): AccountsParse {
  const accounts: AccountEntry[] = [];
  const seen = new Set<string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const m = /^(\S+)(?:\s+(.*))?$/.exec(raw)!;
    const login = m[1]!;
    if (seen.has(login.toLowerCase())) return { ok: false, line: i + 1, why: `${login} is listed twice` };
    seen.add(login.toLowerCase());
    accounts.push({ login, password: m[2] === undefined || m[2] === '' ? undefined : m[2], line: i + 1 });
  }
  if (accounts.length === 0) return { ok: false, line: 0, why: 'no account in it' };
  return { ok: true, accounts };
}

/** The account's e-mail address in the backup, or undefined when it has no `@` and no domain is given. */
export function accountName(login: string, domain: string | undefined): string | undefined {
  if (login.includes('@')) return login.toLowerCase();
  return domain ? `${login}@${domain}`.toLowerCase() : undefined;
}

/** The source as it names accounts: host and port (the same server over TLS or not is the same source). */
export function sourceKey(e: Pick<ImapEndpoint, 'host' | 'port'>): string {
  return `${e.host.toLowerCase()}:${e.port}`;
}

/** A name-based UUID (RFC 4122 version 5 layout, SHA-256 based) from the parts. */
export function derivedUuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\0')).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** The zimbraId of the account `login` of `source`: the same on every scan. */
export function scanAccountId(source: Pick<ImapEndpoint, 'host' | 'port'>, login: string): string {
  return derivedUuid('zxb-imap-account', sourceKey(source), login.toLowerCase());
}

/** The serverId of a backup path made from `source` (root backupstat). */
export function scanServerId(source: Pick<ImapEndpoint, 'host' | 'port'>): string {
  return derivedUuid('zxb-imap-server', sourceKey(source));
}
