/**
 * The Real Time Scan: stays connected to every account and records each change within
 * about a second. Every POLL_MS it asks the server for each folder's HIGHESTMODSEQ, UIDNEXT
 * and MESSAGES in one LIST-STATUS (CONDSTORE polling: it sees changes made by any client,
 * folder renames included, and costs one command when nothing happened); when one moved,
 * the incremental scan of account.ts writes the changes. A dropped connection or a restarted
 * server: reconnect with backoff (0.5 s doubling to 10 s), then the same incremental scan
 * catches up, so nothing is lost or written twice. Runs under the backup lock until aborted.
 */
import { finding, type Finding } from '../findings';
import { BackupWriter } from '../format/writer';
import { connectImap, type ImapEndpoint } from '../imap';
import { isCancelled, type ProgressSink } from '../progress';
import type { ImapFlow } from 'imapflow';
import { scanAccountId, sourceKey } from './accounts';
import { emptyScanSummary, scanAccount, type AccountScanSummary } from './account';
import { AccountState, syncFileSystem } from './state';
import {
  beginScan,
  hasRootBackupStat,
  writeRootBackupStat,
  type ScanAccountRequest,
  type ScanReport,
} from './smartScan';

export const POLL_MS = 1000;
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 10_000;

export interface RealtimeOptions {
  root: string;
  endpoint: ImapEndpoint;
  accounts: readonly ScanAccountRequest[];
  /** Stops the scan (Ctrl-C); it ends at a safe point and returns what it recorded. */
  signal: AbortSignal;
  progress?: ProgressSink;
  pollMs?: number;
  /** Called after each pass that wrote something. */
  onChange?: (s: AccountScanSummary) => void;
  /** Called when a connection is lost or cannot be made (it is retried). */
  onDisconnect?: (f: Finding) => void;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export async function runRealtimeScan(opts: RealtimeOptions): Promise<ScanReport> {
  const t0 = Date.now();
  const { lock, report } = beginScan(opts, 'doRealtimeScan');
  const writer = new BackupWriter(opts.root, { durable: false });
  let wrote = false;
  try {
    const totals = await Promise.all(
      opts.accounts.map((a) =>
        watchAccount(opts, writer, a, report.findings, () => {
          wrote = true;
        }),
      ),
    );
    report.accounts.push(...totals);
    if (wrote || !hasRootBackupStat(opts.root)) {
      writeRootBackupStat(writer, opts, t0);
      syncFileSystem(opts.root);
    }
  } finally {
    lock.release();
  }
  report.durationMs = Date.now() - t0;
  return report;
}

async function watchAccount(
  opts: RealtimeOptions,
  writer: BackupWriter,
  a: ScanAccountRequest,
  findings: Finding[],
  wrote: () => void,
): Promise<AccountScanSummary> {
  const zimbraId = scanAccountId(opts.endpoint, a.login);
  const total = emptyScanSummary(a.login, a.name, zimbraId);
  let client: ImapFlow | undefined;
  let state: AccountState | undefined;
  let backoff = BACKOFF_FIRST_MS;
  let down = false;
  const lost = (f: Finding): void => {
    if (!down) {
      findings.push(f);
      opts.onDisconnect?.(f);
    }
    down = true;
  };
  while (!opts.signal.aborted) {
    if (client && !client.usable) {
      lost(finding('imap.unreachable', '', `${a.name}: connection lost; reconnecting`));
      client.close();
      client = undefined;
      state = undefined;
    }
    if (!client) {
      const conn = await connectImap(opts.endpoint, { login: a.login, password: a.password });
      if (!conn.ok) {
        lost(conn.finding);
        await sleep(backoff, opts.signal);
        backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
        continue;
      }
      client = conn.client;
      down = false;
      backoff = BACKOFF_FIRST_MS;
    }
    try {
      state ??= AccountState.load(opts.root, {
        zimbraId,
        login: a.login,
        name: a.name,
        source: sourceKey(opts.endpoint),
        createdDate: Date.now(),
      });
      const s = await scanAccount({
        root: opts.root,
        writer,
        client,
        zimbraId,
        login: a.login,
        name: a.name,
        source: sourceKey(opts.endpoint),
        signal: opts.signal,
        state,
      });
      for (const k of ['new', 'changed', 'moved', 'deleted', 'bytesWritten', 'blobsWritten'] as const) total[k] += s[k];
      for (const k of ['new', 'changed', 'deleted'] as const) total.folders[k] += s.folders[k];
      total.unchanged = s.unchanged;
      total.findings.push(...s.findings);
      findings.push(...s.findings);
      if (s.wrote) {
        total.wrote = true;
        wrote();
        opts.onChange?.(s);
        opts.progress?.({
          phase: `watching ${a.name}`,
          done: total.new + total.changed + total.moved + total.deleted,
          message: `${s.new} new, ${s.changed} changed, ${s.moved} moved, ${s.deleted} deleted`,
        });
      }
    } catch (err) {
      if (isCancelled(err)) break;
      // The connection dropped (or the server restarted) mid-pass: what was written is journaled; reload and reconnect.
      lost(finding('imap.unreachable', '', `${a.name}: connection lost (${(err as Error).message}); reconnecting`));
      client.close();
      client = undefined;
      state = undefined;
      continue;
    }
    await sleep(opts.pollMs ?? POLL_MS, opts.signal);
  }
  if (client) await client.logout().catch(() => client?.close());
  return total;
}
