/**
 * Carries out a restore plan against a target: folders first, then every message, each
 * bracketed by the journal. It goes on past a damaged item (one unrestored entry) and
 * stops at a safe point on cancellation, reporting what it did. `dryRun` writes nothing
 * and lists what would be written.
 */
import type { BlobStore } from '../blobs';
import { finding, type Finding } from '../findings';
import { throttle, type ProgressSink } from '../progress';
import { readMessageContent, type ContentResult } from './content';
import type { RestoreJournal } from './journal';
import type { PlannedMessage, RestorePlan, Unrestored } from './plan';
import { TargetRefusal, type RestoreTarget } from './target';

export interface RestoreReport {
  kind: RestorePlan['kind'];
  account: RestorePlan['account'];
  destination: string;
  dryRun: boolean;
  /** Messages written by this run (or found written by an interrupted one). */
  restored: number;
  /** Messages a previous run restored, plus items a mail target cannot hold. */
  skipped: number;
  alreadyRestored: number;
  notMail: number;
  unrestored: Unrestored[];
  foldersCreated: number;
  /** Dry run: the folders and messages that would be written. */
  wouldWrite?: { folders: string[][]; messages: PlannedMessage[] };
  interrupted: boolean;
  /** The target failed as a whole (connection lost…): the rest was not attempted. */
  failed: boolean;
  findings: Finding[];
}

export interface ExecuteOptions {
  dryRun?: boolean;
  signal?: AbortSignal;
  progress?: ProgressSink;
  /** Relative path of an item's file, for the unrestored finding. */
  itemPath?: (itemId: number) => string;
}

function describeError(err: unknown): string {
  const e = err as { responseText?: string; message?: string; code?: string };
  return e.responseText ?? e.message ?? String(err);
}

/** The report of a restore that could not start (the target refused the connection…). */
export function failedReport(plan: RestorePlan, destination: string, why: Finding): RestoreReport {
  return {
    kind: plan.kind,
    account: plan.account,
    destination,
    dryRun: false,
    restored: 0,
    skipped: 0,
    alreadyRestored: 0,
    notMail: 0,
    unrestored: [],
    foldersCreated: 0,
    interrupted: false,
    failed: true,
    findings: [...plan.findings, why],
  };
}

export async function executeRestore(
  plan: RestorePlan,
  blobs: BlobStore,
  target: RestoreTarget | undefined,
  journal: RestoreJournal | undefined,
  opts: ExecuteOptions = {},
): Promise<RestoreReport> {
  const dryRun = opts.dryRun === true || target === undefined;
  const report: RestoreReport = {
    kind: plan.kind,
    account: plan.account,
    destination: target?.description ?? '',
    dryRun,
    restored: 0,
    skipped: plan.skippedNotMail.length,
    alreadyRestored: 0,
    notMail: plan.skippedNotMail.length,
    unrestored: [...plan.unrestorable],
    foldersCreated: 0,
    interrupted: false,
    failed: false,
    findings: [...plan.findings],
  };
  const would: { folders: string[][]; messages: PlannedMessage[] } = { folders: [], messages: [] };
  const refusedFolders = new Map<string, string>();
  const fk = (f: readonly string[]): string => JSON.stringify(f);
  const done: PlannedMessage[] = [];
  const tick = throttle(opts.progress);
  const total = plan.messages.length;
  try {
    for (const f of plan.folders) {
      if (opts.signal?.aborted) break;
      if (dryRun) {
        would.folders.push(f);
        continue;
      }
      try {
        if (await target!.ensureFolder(f)) report.foldersCreated++;
      } catch (err) {
        if (!(err instanceof TargetRefusal)) throw err;
        refusedFolders.set(fk(f), err.message);
      }
    }
    let n = 0;
    // The next message's BLOB is read while the target takes this one (an APPEND's round trip).
    let prefetched: { key: string; content: Promise<ContentResult> } | undefined;
    const contentOf = (m: PlannedMessage): Promise<ContentResult> =>
      prefetched?.key === m.key ? prefetched.content : readMessageContent(blobs, m.digest);
    const prefetch = (i: number): void => {
      const next = plan.messages[i];
      // Only a network target leaves time to fill; a local one writes at once.
      if (!next || target?.kind !== 'imap' || journal?.done.has(next.key)) return;
      // setImmediate: after the write has reached the socket, so reading overlaps the server's work.
      const content = new Promise<ContentResult>((resolve, reject) =>
        setImmediate(() => readMessageContent(blobs, next.digest).then(resolve, reject)),
      );
      content.catch(() => undefined);
      prefetched = { key: next.key, content };
    };
    for (const [i, m] of plan.messages.entries()) {
      if (opts.signal?.aborted) {
        report.interrupted = true;
        break;
      }
      tick({ phase: 'restoring', done: n++, total });
      if (journal?.done.has(m.key)) {
        report.alreadyRestored++;
        done.push(m);
        continue;
      }
      const content = await contentOf(m);
      if (!content.ok) {
        report.unrestored.push({ itemId: m.itemId, reason: content.reason, detail: content.detail });
        continue;
      }
      if (dryRun) {
        would.messages.push(m);
        continue;
      }
      const refusedFolder = refusedFolders.get(fk(m.folder));
      if (refusedFolder !== undefined) {
        report.unrestored.push({ itemId: m.itemId, reason: 'refused', detail: refusedFolder });
        continue;
      }
      const begun = journal?.begun.get(m.key);
      if (begun) {
        const ref = await target!.findBegun(m, begun, content.bytes);
        if (ref !== undefined) {
          journal!.markDone(m.key, ref);
          report.restored++;
          done.push(m);
          continue;
        }
      }
      journal?.begin(m.key, await target!.prepare(m));
      try {
        const writing = target!.write(m, content.bytes);
        prefetch(i + 1);
        const ref = await writing;
        journal?.markDone(m.key, ref);
        report.restored++;
        done.push(m);
      } catch (err) {
        if (!(err instanceof TargetRefusal)) throw err;
        report.unrestored.push({ itemId: m.itemId, reason: 'refused', detail: err.message });
      }
    }
    if (!dryRun) await target!.finish(done);
  } catch (err) {
    report.failed = true;
    report.findings.push(
      finding(
        'restore.target-failed',
        '',
        `${target?.description ?? 'the target'}: ${describeError(err)}; rerun the same command to continue`,
      ),
    );
  } finally {
    tick.flush({ phase: 'restoring', done: report.restored + report.alreadyRestored, total });
    journal?.close(!report.interrupted && !report.failed && !dryRun);
  }
  report.skipped = report.notMail + report.alreadyRestored;
  if (dryRun) report.wouldWrite = would;
  for (const u of report.unrestored)
    report.findings.push(
      finding(
        'restore.unrestored',
        opts.itemPath && u.itemId >= 0 ? opts.itemPath(u.itemId) : '',
        `item ${u.itemId} of ${plan.account.name} not restored (${u.reason}): ${u.detail}`,
      ),
    );
  return report;
}
