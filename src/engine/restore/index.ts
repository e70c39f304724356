/**
 * Restores (zxsuite's strategies): an account as it was at a moment, the items deleted in a
 * range, one item, into IMAP, Maildir++, mboxrd or .eml files. Plan (plan.ts, from the
 * point-in-time evaluator) → target (target.ts) → run with a journal (run.ts, journal.ts).
 */
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { BackupPath } from '../backup/backupPath';
import { isInside } from '../cacheDir';
import { failWith, finding, type Finding } from '../findings';
import { connectImap, describeEndpoint, type ImapCredentials, type ImapEndpoint } from '../imap/endpoint';
import { itemRelPath } from '../layout';
import type { ProgressSink } from '../progress';
import { RestoreJournal } from './journal';
import { executeRestore, failedReport, type RestoreReport } from './run';
import type { RestorePlan } from './plan';
import type { Destination, RestoreTarget } from './target';
import { EmlTarget } from './targets/eml';
import { ImapTarget } from './targets/imap';
import { MaildirTarget } from './targets/maildir';
import { MboxTarget } from './targets/mbox';

export * from './names';
export * from './plan';
export * from './content';
export * from './journal';
export * from './run';
export * from './target';
export { FolderTreeAt, folderHistories } from './folders';
export {
  MaildirTarget,
  maildirFolderDir,
  maildirSegment,
  maildirFlagsOf,
  parseDovecotKeywords,
} from './targets/maildir';
export { MboxTarget, mboxFile, readMboxrd, asctime, type MboxMessage } from './targets/mbox';
export { EmlTarget, EML_INDEX, emlFolderDir, type EmlIndex, type EmlIndexEntry } from './targets/eml';
export { ImapTarget } from './targets/imap';

export interface RestoreJob {
  backup: BackupPath;
  plan: RestorePlan;
  destination: Destination;
  /** For an imap:// destination. */
  imap?: { endpoint: ImapEndpoint; credentials: ImapCredentials };
  /** What makes two restores the same one (beyond backup, account, plan kind and destination): dates, options. */
  identity: Record<string, unknown>;
  dryRun?: boolean;
  cacheDir?: string;
  signal?: AbortSignal;
  progress?: ProgressSink;
}

export interface RestoreOutcome {
  report: RestoreReport;
  journal: string | undefined;
}

/** The destination as a stable string (for the journal's identity and the report). */
export function destinationKey(d: Destination, imap?: RestoreJob['imap']): string {
  if (d.kind !== 'imap') return `${d.kind}:${path.resolve(d.path)}`;
  return imap ? `imap://${imap.credentials.login}@${imap.endpoint.host}:${imap.endpoint.port}` : d.url;
}

type Opened = { ok: true; target: RestoreTarget } | { ok: false; finding: Finding };

async function openTarget(job: RestoreJob, salt: string): Promise<Opened> {
  const d = job.destination;
  if (d.kind === 'imap') {
    if (!job.imap)
      return {
        ok: false,
        finding: finding('usage.bad-argument', '', 'an imap:// destination needs a login and a password'),
      };
    const c = await connectImap(job.imap.endpoint, job.imap.credentials, { disableAutoIdle: true });
    if (!c.ok) return c;
    return {
      ok: true,
      target: new ImapTarget(c.client, `${describeEndpoint(job.imap.endpoint)} as ${job.imap.credentials.login}`),
    };
  }
  const root = path.resolve(d.path);
  if (d.kind === 'maildir') return { ok: true, target: new MaildirTarget(root, salt) };
  if (d.kind === 'mbox') return { ok: true, target: new MboxTarget(root) };
  return { ok: true, target: new EmlTarget(root, job.plan.account.name) };
}

/** Runs one restore end to end: journal, target, plan, report. A failure to start is a finding in the report. */
export async function runRestore(job: RestoreJob): Promise<RestoreOutcome> {
  const d = job.destination;
  if (d.kind !== 'imap' && isInside(path.resolve(d.path), job.backup.root))
    failWith(
      'usage.bad-argument',
      '',
      `the destination ${d.path} lies inside the backup path: a restore never writes there`,
    );
  const identity = {
    v: 1,
    kind: job.plan.kind,
    backup: job.backup.root,
    account: job.plan.account.zimbraId,
    destination: destinationKey(d, job.imap),
    ...job.identity,
  };
  const forbidden = [job.backup.root, ...(d.kind !== 'imap' ? [path.resolve(d.path)] : [])];
  const opts: { cacheDir?: string; forbidden: string[]; readOnly: boolean } = {
    forbidden,
    readOnly: job.dryRun === true,
  };
  if (job.cacheDir !== undefined) opts.cacheDir = job.cacheDir;
  const journal = RestoreJournal.open(identity, opts);
  const salt = createHash('sha256').update(journal.file).digest('hex').slice(0, 16);
  let target: RestoreTarget | undefined;
  if (!job.dryRun) {
    const opened = await openTarget(job, salt);
    if (!opened.ok) {
      journal.close(false);
      return { report: failedReport(job.plan, destinationKey(d, job.imap), opened.finding), journal: journal.file };
    }
    target = opened.target;
  }
  try {
    const exec: Parameters<typeof executeRestore>[4] = {
      dryRun: job.dryRun === true,
      itemPath: (id) => itemRelPath(job.plan.account.zimbraId, id),
    };
    if (job.signal) exec.signal = job.signal;
    if (job.progress) exec.progress = job.progress;
    const report = await executeRestore(job.plan, job.backup.blobs, target, journal, exec);
    if (!target) report.destination = destinationKey(d, job.imap);
    return { report, journal: job.dryRun ? undefined : journal.file };
  } finally {
    await target?.close();
  }
}
