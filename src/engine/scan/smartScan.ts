/**
 * SmartScan and AccountScan over IMAP: for each account, connect, scan (account.ts), log
 * out; under the backup lock, with the root backupstat kept current. A connection failure
 * of one account is reported for it and the others go on.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { parseBackupStat } from '../files/account';
import { finding, type Finding } from '../findings';
import { holdBackupLock, type BackupLock } from '../format/lock';
import { BackupWriter } from '../format/writer';
import { absOf } from '../fsx';
import { connectImap, describeEndpoint, type ImapEndpoint } from '../imap';
import { isCancelled, type ProgressSink } from '../progress';
import { scanAccountId, scanServerId, sourceKey } from './accounts';
import { scanAccount, type AccountScanSummary } from './account';
import { syncFileSystem } from './state';

export const BACKUP_VERSION = '4.0.0';

export interface ScanAccountRequest {
  login: string;
  /** The account's name in the backup (an e-mail address). */
  name: string;
  password: string;
}

export interface ScanOptions {
  root: string;
  endpoint: ImapEndpoint;
  accounts: readonly ScanAccountRequest[];
  /** The command named in the lock (doSmartScan, doAccountScan). */
  command: string;
  deep?: boolean;
  /** Accounts scanned at once (default 1). */
  jobs?: number;
  signal?: AbortSignal;
  progress?: ProgressSink;
  /** false only for benchmarks of the format's cost (no fsync). */
  durable?: boolean;
}

export interface AccountScanFailure {
  login: string;
  name: string;
  zimbraId: string;
  error: Finding;
}

export type AccountScanOutcome = AccountScanSummary | AccountScanFailure;

export interface ScanReport {
  backupPath: string;
  source: string;
  accounts: AccountScanOutcome[];
  findings: Finding[];
  interrupted: boolean;
  /** Whether the backup lock of a dead process was taken over. */
  tookOverStaleLock: boolean;
  durationMs: number;
}

export function isFailure(o: AccountScanOutcome): o is AccountScanFailure {
  return 'error' in o;
}

/**
 * The start of every scan (SmartScan, Account Scan, Real Time Scan): the backup path made,
 * the lock held (or lock.held), a killed scan's temp files swept, an empty report.
 */
export function beginScan(
  opts: Pick<ScanOptions, 'root' | 'endpoint' | 'accounts'>,
  command: string,
): { lock: BackupLock; report: ScanReport } {
  mkdirSync(opts.root, { recursive: true });
  // A killed writer's temp files are swept by holdBackupLock when it takes over the stale lock.
  const { lock, tookOverStale } = holdBackupLock(opts.root, command);
  const report: ScanReport = {
    backupPath: opts.root,
    source: describeEndpoint(opts.endpoint),
    accounts: [],
    findings: [],
    interrupted: false,
    tookOverStaleLock: tookOverStale !== undefined,
    durationMs: 0,
  };
  return { lock, report };
}

/** Takes the lock (or fails with lock.held), scans every account, keeps the root backupstat. */
export async function runScan(opts: ScanOptions): Promise<ScanReport> {
  const t0 = Date.now();
  const { lock, report } = beginScan(opts, opts.command);
  try {
    const writer = new BackupWriter(opts.root, { durable: false });
    const queue = [...opts.accounts];
    const worker = async (): Promise<void> => {
      for (let a = queue.shift(); a; a = queue.shift()) {
        if (opts.signal?.aborted) return;
        const out = await scanOne(opts, writer, a);
        report.accounts.push(out);
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.jobs ?? 1, queue.length)) }, worker));
    } catch (err) {
      if (!isCancelled(err)) throw err;
      report.interrupted = true;
    }
    if (opts.signal?.aborted) report.interrupted = true;
    for (const a of report.accounts) report.findings.push(...(isFailure(a) ? [a.error] : a.findings));
    if (report.accounts.some((a) => !isFailure(a) && a.wrote) || !hasRootBackupStat(opts.root))
      writeRootBackupStat(writer, opts, t0);
    if (opts.durable !== false) syncFileSystem(opts.root);
  } finally {
    lock.release();
  }
  report.durationMs = Date.now() - t0;
  return report;
}

async function scanOne(opts: ScanOptions, writer: BackupWriter, a: ScanAccountRequest): Promise<AccountScanOutcome> {
  const zimbraId = scanAccountId(opts.endpoint, a.login);
  const conn = await connectImap(opts.endpoint, { login: a.login, password: a.password });
  if (!conn.ok) return { login: a.login, name: a.name, zimbraId, error: conn.finding };
  const client = conn.client;
  try {
    return await scanAccount({
      root: opts.root,
      writer,
      client,
      zimbraId,
      login: a.login,
      name: a.name,
      source: sourceKey(opts.endpoint),
      ...(opts.deep ? { deep: true } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.progress ? { progress: opts.progress } : {}),
      ...(opts.durable === false ? { durable: false } : {}),
    });
  } catch (err) {
    if (isCancelled(err)) throw err;
    const x = err as { code?: string; message?: string };
    // A dropped connection or a refused command ends this account's scan; what was written stays (the journal).
    return {
      login: a.login,
      name: a.name,
      zimbraId,
      error: finding('imap.refused', '', `${a.name}: the scan stopped: ${x?.message ?? String(err)}`),
    };
  } finally {
    await client.logout().catch(() => client.close());
  }
}

export function hasRootBackupStat(root: string): boolean {
  try {
    readFileSync(absOf(root, 'backupstat'));
    return true;
  } catch {
    return false;
  }
}

export function writeRootBackupStat(
  writer: BackupWriter,
  opts: Pick<ScanOptions, 'root' | 'endpoint'>,
  t0: number,
): void {
  let first = t0;
  let count = 0;
  try {
    const old = parseBackupStat(readFileSync(absOf(opts.root, 'backupstat')), 'backupstat').value;
    first = old?.firstRunDate ?? t0;
    count = old?.smartScanCount ?? 0;
  } catch {
    /* the first run initialises it */
  }
  writer.writeBackupStat(undefined, {
    firstRunDate: first,
    lastRunDate: t0,
    serverId: scanServerId(opts.endpoint),
    backupVersion: BACKUP_VERSION,
    smartScanCount: count + 1,
  });
}
