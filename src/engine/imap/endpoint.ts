/**
 * An IMAP server to read from (scans) or write to (restores): the `imap://[LOGIN@]HOST:PORT`
 * the user gives, how to secure it, and a connection whose failures come back as findings
 * with a stable code (imap.unreachable, imap.tls-failed, imap.auth-failed, imap.refused).
 * The password is passed in, never parsed from the URL, and never put in a message.
 */
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { finding, type Finding } from '../findings';

export type ImapSecurity = 'none' | 'tls' | 'starttls';

export interface ImapEndpoint {
  host: string;
  port: number;
  security: ImapSecurity;
  /** Accept a certificate that does not verify (a test server's self-signed one). */
  insecure: boolean;
  /** The login named in the URL (`imap://LOGIN@HOST:PORT`), if any. */
  login?: string | undefined;
}

export interface ImapCredentials {
  login: string;
  password: string;
}

export type EndpointResult<T> = { ok: true; value: T } | { ok: false; finding: Finding };

/** `imap://[LOGIN@]HOST[:PORT]`; the port defaults to 993 with --tls, else 143. A password in the URL is refused. */
export function parseImapUrl(
  text: string,
  security: ImapSecurity = 'none',
  insecure = false,
): EndpointResult<ImapEndpoint> {
  const bad = (why: string): EndpointResult<ImapEndpoint> => ({
    ok: false,
    finding: finding('usage.bad-argument', '', `${redactUrl(text)}: ${why} (expected imap://[LOGIN@]HOST:PORT)`),
  });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return bad('not a URL');
  }
  if (url.protocol !== 'imap:') return bad(`the scheme must be imap:, not ${url.protocol}`);
  if (url.password) return bad('a password never goes in the URL: use --password-stdin or ZXB_IMAP_PASSWORD');
  if (!url.hostname) return bad('no host');
  if (url.pathname && url.pathname !== '/' && url.pathname !== '') return bad('no path is expected');
  const port = url.port ? Number(url.port) : security === 'tls' ? 993 : 143;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const login = url.username ? decodeURIComponent(url.username) : undefined;
  return { ok: true, value: { host, port, security, insecure, login } };
}

/** The URL as it may be shown: never with a password. */
export function redactUrl(text: string): string {
  return text.replace(/^(imap:\/\/[^:@/]*):[^@/]*@/i, '$1:***@');
}

export function describeEndpoint(e: ImapEndpoint): string {
  const sec = e.security === 'none' ? '' : ` (${e.security}${e.insecure ? ', insecure' : ''})`;
  return `imap://${e.host}:${e.port}${sec}`;
}

export interface ConnectOptions {
  /** Turn off imapflow's automatic IDLE (the Real Time Scan IDLEs explicitly). */
  disableAutoIdle?: boolean;
  /** Milliseconds for TCP connect and greeting (default 10 s). */
  timeoutMs?: number;
}

function clientOptions(e: ImapEndpoint, c: ImapCredentials, o: ConnectOptions): ImapFlowOptions {
  const timeout = o.timeoutMs ?? 10_000;
  return {
    host: e.host,
    port: e.port,
    secure: e.security === 'tls',
    doSTARTTLS: e.security === 'starttls' ? true : e.security === 'none' ? false : undefined,
    tls: { rejectUnauthorized: !e.insecure },
    auth: { user: c.login, pass: c.password },
    logger: false,
    disableAutoIdle: o.disableAutoIdle ?? false,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    qresync: true,
  };
}

const NET_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET']);

/** Turns an imapflow or socket error into a finding; the password is never part of it. */
export function imapFailure(err: unknown, e: ImapEndpoint, login: string | undefined, doing: string): Finding {
  const x = err as {
    code?: string;
    authenticationFailed?: boolean;
    tlsFailed?: boolean;
    responseText?: string;
    message?: string;
  };
  const where = `${describeEndpoint(e)}${login ? ` as ${login}` : ''}`;
  const code = x?.code ?? '';
  if (x?.authenticationFailed) {
    return finding('imap.auth-failed', '', `${where}: login refused${x.responseText ? ` (${x.responseText})` : ''}`);
  }
  if (
    x?.tlsFailed ||
    /^ERR_SSL|CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ClosedAfterConnectTLS|UPGRADE_TIMEOUT/.test(code) ||
    /ssl|tls|certificate/i.test(x?.message ?? '')
  ) {
    return finding('imap.tls-failed', '', `${where}: TLS failed (${code || x?.message || 'handshake'})`);
  }
  if (NET_CODES.has(code) || /TIMEOUT|NoConnection|EConnectionClosed|ClosedAfterConnectText/.test(code)) {
    return finding('imap.unreachable', '', `${where}: cannot connect (${code})`);
  }
  const text = x?.responseText ?? x?.message ?? String(err);
  return finding('imap.refused', '', `${where}: ${doing} failed: ${text}`);
}

export type Connected = { ok: true; client: ImapFlow } | { ok: false; finding: Finding };

/** Connects and logs in; a failure is a finding, never a throw. The caller logs out. */
export async function connectImap(e: ImapEndpoint, c: ImapCredentials, o: ConnectOptions = {}): Promise<Connected> {
  const client = new ImapFlow(clientOptions(e, c, o));
  // imapflow emits 'error' on the client for socket failures after connect; without a listener Node throws.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return { ok: true, client };
  } catch (err) {
    client.close();
    return { ok: false, finding: imapFailure(err, e, c.login, 'login') };
  }
}
