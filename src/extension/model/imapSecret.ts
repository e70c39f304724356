/**
 * The SecretStorage key of an IMAP password: one per login and server (host and port,
 * case-folded), whichever command asked for it — a scan reading from a server and a restore
 * writing to it share the password. Never the password itself.
 */
import type { ImapEndpoint } from '../engine';

export function imapSecretKey(endpoint: Pick<ImapEndpoint, 'host' | 'port'>, login: string): string {
  return `zxbackup.imap/${endpoint.host.toLowerCase()}:${endpoint.port}/${login.toLowerCase()}`;
}
