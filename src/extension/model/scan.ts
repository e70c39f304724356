/**
 * What the "Run SmartScan…", "Run Account Scan…" and "Start/Stop Real Time Scan" commands
 * ask, confirm and show, and the scan they run: the engine's runScan / runRealtimeScan.
 * No VS Code: the password comes in as a value (SecretStorage is the caller's business).
 */
import {
  accountName,
  isFailure,
  parseImapUrl,
  runRealtimeScan,
  runScan,
  type AccountScanSummary,
  type ImapEndpoint,
  type ImapSecurity,
  type ProgressSink,
  type ScanAccountRequest,
  type ScanReport,
} from '../engine';
import { formatSize } from './maintenance';

export type ScanKind = 'smart' | 'account' | 'realtime';

/** What is remembered in workspace state between scans (never a password). */
export interface ScanSource {
  url: string;
  security: ImapSecurity;
  insecure: boolean;
  /** Logins, in the order given; "Run Account Scan…" uses one of them. */
  logins: string[];
  /** The domain of logins without @ (the account is named login@DOMAIN). */
  domain?: string;
}

export const SECURITY_CHOICES: readonly { security: ImapSecurity; insecure: boolean; label: string }[] = [
  { security: 'none', insecure: false, label: 'Plain (no TLS)' },
  { security: 'starttls', insecure: false, label: 'STARTTLS' },
  { security: 'tls', insecure: false, label: 'Implicit TLS (imaps)' },
  { security: 'starttls', insecure: true, label: 'STARTTLS, accept an unverified certificate (test servers)' },
  { security: 'tls', insecure: true, label: 'Implicit TLS, accept an unverified certificate (test servers)' },
];

/** The endpoint of the remembered source, or the message of what is wrong with the URL. */
export function endpointOfSource(
  s: Pick<ScanSource, 'url' | 'security' | 'insecure'>,
): { ok: true; endpoint: ImapEndpoint } | { ok: false; error: string } {
  const p = parseImapUrl(s.url.trim(), s.security, s.insecure);
  return p.ok ? { ok: true, endpoint: p.value } : { ok: false, error: p.finding.message };
}

/** Shown in the InputBox for the source URL; undefined when it is good. */
export function sourceUrlProblem(text: string): string | undefined {
  const r = endpointOfSource({ url: text, security: 'none', insecure: false });
  return r.ok ? undefined : r.error;
}

/** "alice, bob@example.org carol": logins separated by commas or spaces, no duplicates. */
export function parseLogins(text: string): { ok: true; logins: string[] } | { ok: false; error: string } {
  const logins = text
    .split(/[\s,;]+/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (logins.length === 0) return { ok: false, error: 'Give at least one login.' };
  const seen = new Set<string>();
  for (const l of logins) {
    const k = l.toLowerCase();
    if (seen.has(k)) return { ok: false, error: `${l} is listed twice.` };
    seen.add(k);
  }
  return { ok: true, logins };
}

/** Whether a domain must be asked: some login has no @. */
export function needsDomain(logins: readonly string[]): boolean {
  return logins.some((l) => accountName(l, undefined) === undefined);
}

export function domainProblem(text: string): string | undefined {
  return /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i.test(text.trim())
    ? undefined
    : 'A domain such as example.com (the account is named login@DOMAIN).';
}

/** The SecretStorage key of a login's password on a source: the one the restores use too. */
export { imapSecretKey as secretKey } from './imapSecret';

/** The scan requests for the logins, with their passwords; throws nothing, names a login without a name. */
export function scanRequests(
  logins: readonly string[],
  domain: string | undefined,
  passwords: ReadonlyMap<string, string>,
): { ok: true; accounts: ScanAccountRequest[] } | { ok: false; error: string } {
  const accounts: ScanAccountRequest[] = [];
  for (const login of logins) {
    const name = accountName(login, domain);
    if (!name) return { ok: false, error: `${login} has no @: give a domain to name the account (login@DOMAIN).` };
    const password = passwords.get(login);
    if (password === undefined) return { ok: false, error: `No password for ${login}.` };
    accounts.push({ login, name, password });
  }
  return { ok: true, accounts };
}

const TITLES: Record<ScanKind, string> = {
  smart: 'SmartScan',
  account: 'Account Scan',
  realtime: 'Real Time Scan',
};

export function scanTitle(kind: ScanKind, accounts: readonly { name: string }[]): string {
  const who = accounts.length === 1 ? accounts[0]!.name : `${accounts.length} accounts`;
  return `${TITLES[kind]} of ${who}`;
}

/** The modal confirmation before the first write: it names the backup path. */
export function scanConfirmation(
  kind: ScanKind,
  root: string,
  source: string,
  accounts: readonly { name: string }[],
  initialises: boolean,
): string {
  const names = accounts.map((a) => a.name).join(', ');
  const what =
    kind === 'realtime'
      ? `Record every change of ${names} on ${source} as it happens into the backup path ${root}, until stopped?`
      : `Scan ${names} from ${source} into the backup path ${root}?`;
  const init = initialises ? ' It is not a backup path yet: the scan initialises it.' : '';
  return `${what}${init} The scan writes item files, BLOBs and its own state there, under the backup lock.`;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** One line per account: "alice@ex.org: 3 new, 1 changed, … (12.0 KiB written)" or its error. */
export function accountLines(r: ScanReport): string[] {
  return r.accounts.map((a) =>
    isFailure(a)
      ? `${a.name}: failed: ${a.error.message}`
      : `${a.name}: ${a.new} new, ${a.changed} changed, ${a.moved} moved, ${a.deleted} deleted, ${a.unchanged} unchanged (${formatSize(a.bytesWritten)} written)`,
  );
}

/** The Operations entry's summary line. */
export function scanSummary(r: ScanReport): string {
  const failed = r.accounts.filter(isFailure).length;
  const ok = r.accounts.length - failed;
  const done = r.accounts.filter((a): a is AccountScanSummary => !isFailure(a));
  const sum = (k: 'new' | 'changed' | 'moved' | 'deleted'): number => done.reduce((s, a) => s + a[k], 0);
  const bytes = done.reduce((s, a) => s + a.bytesWritten, 0);
  const head = `${r.interrupted ? 'interrupted: ' : ''}${plural(ok, 'account')} scanned${failed > 0 ? `, ${failed} failed` : ''}`;
  return `${head}: ${sum('new')} new, ${sum('changed')} changed, ${sum('moved')} moved, ${sum('deleted')} deleted (${formatSize(bytes)} written)`;
}

/** The report document: one row per account, then each account's problems. */
export function scanMarkdown(kind: ScanKind, r: ScanReport): string {
  const rows = r.accounts.map((a) =>
    isFailure(a)
      ? `| ${a.name} | failed | | | | | | |`
      : `| ${a.name} | scanned | ${a.new} | ${a.changed} | ${a.moved} | ${a.deleted} | ${a.unchanged} | ${formatSize(a.bytesWritten)} |`,
  );
  const lines = [
    `# ${TITLES[kind]} of ${r.source}`,
    '',
    `Into **${r.backupPath}** in ${(r.durationMs / 1000).toFixed(1)} s.`,
    '',
    '| account | status | new | changed | moved | deleted | unchanged | written |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ];
  for (const a of r.accounts) {
    if (isFailure(a)) lines.push(`- **${a.name}**: ${a.error.message}`);
    else for (const f of a.findings) lines.push(`- ${a.name}: ${f.message}`);
  }
  for (const f of r.findings) lines.push(`- ${f.message}`);
  if (r.interrupted)
    lines.push('', '**Interrupted**: what was scanned is in the backup; the next scan goes on from there.');
  lines.push('', `Check it with \`zxb doCoherencyCheck ${r.backupPath} --level blobs\`.`, '');
  return lines.join('\n');
}

export interface ScanRun {
  kind: ScanKind;
  root: string;
  endpoint: ImapEndpoint;
  accounts: readonly ScanAccountRequest[];
  signal: AbortSignal;
  progress?: ProgressSink;
  /** Real Time Scan: after each pass that wrote something (the caller refreshes the views). */
  onChange?: (s: AccountScanSummary) => void;
}

/** The scan itself: a SmartScan or Account Scan ends by itself; a Real Time Scan when `signal` aborts. */
export async function runExtensionScan(run: ScanRun): Promise<ScanReport> {
  const common = {
    root: run.root,
    endpoint: run.endpoint,
    accounts: run.accounts,
    signal: run.signal,
    ...(run.progress ? { progress: run.progress } : {}),
  };
  if (run.kind === 'realtime') {
    const r = await runRealtimeScan({ ...common, ...(run.onChange ? { onChange: run.onChange } : {}) });
    // Stopping is how a Real Time Scan ends: not an interruption.
    return { ...r, interrupted: false };
  }
  return runScan({ ...common, command: run.kind === 'smart' ? 'doSmartScan' : 'doAccountScan' });
}

/** The logins the server refused: their stored passwords are wrong and are forgotten, so the next scan asks again. */
export function refusedLogins(r: ScanReport): string[] {
  return r.accounts.filter(isFailure).flatMap((a) => (a.error.code === 'imap.auth-failed' ? [a.login] : []));
}
