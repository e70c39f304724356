/**
 * The IMAP options every command that talks to a mail server shares (scans read from one,
 * restores write to one): --tls / --starttls / --insecure, and where the password comes from.
 * A password never comes from argv: --password-stdin or the environment variable ZXB_IMAP_PASSWORD.
 */
import type { Command } from 'commander';
import { parseImapUrl, type ImapEndpoint, type ImapSecurity, failWith } from '../engine';
import { usageError } from './errors';

export const PASSWORD_ENV = 'ZXB_IMAP_PASSWORD';

export interface ImapCliOptions {
  tls?: boolean;
  starttls?: boolean;
  insecure?: boolean;
  passwordStdin?: boolean;
}

export function addImapOptions(cmd: Command): Command {
  return cmd
    .option('--tls', 'implicit TLS (imaps, port 993 by default)')
    .option('--starttls', 'plain connection upgraded with STARTTLS (refused if the server does not offer it)')
    .option('--insecure', 'accept a TLS certificate that does not verify (test servers only)')
    .option('--password-stdin', `read the password from stdin (else from $${PASSWORD_ENV})`);
}

export function securityOf(o: ImapCliOptions): ImapSecurity {
  if (o.tls && o.starttls) usageError('--tls and --starttls exclude each other');
  return o.tls ? 'tls' : o.starttls ? 'starttls' : 'none';
}

/** The endpoint of an `imap://…` argument, or a usage error (exit 2) naming what is wrong. */
export function endpointOf(url: string, o: ImapCliOptions): ImapEndpoint {
  const parsed = parseImapUrl(url, securityOf(o), o.insecure === true);
  if (!parsed.ok) failWith(parsed.finding.code, '', parsed.finding.message);
  return parsed.value;
}

let stdinPassword: Promise<string> | undefined;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  // One line: the password; a trailing newline (echo, here-string) is not part of it.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/**
 * The password for logins that have none of their own: from stdin with --password-stdin (read
 * once per process), else from $ZXB_IMAP_PASSWORD; undefined when neither is given.
 */
export async function sharedPassword(o: ImapCliOptions): Promise<string | undefined> {
  if (o.passwordStdin) {
    stdinPassword ??= readStdin();
    const pw = await stdinPassword;
    if (pw === '') usageError('--password-stdin: stdin held no password');
    return pw;
  }
  const env = process.env[PASSWORD_ENV];
  return env === undefined || env === '' ? undefined : env;
}

/** Like `sharedPassword`, but a usage error when there is none. */
export async function requirePassword(o: ImapCliOptions, login: string): Promise<string> {
  const pw = await sharedPassword(o);
  if (pw === undefined) usageError(`no password for ${login}: use --password-stdin or set $${PASSWORD_ENV}`);
  return pw;
}
