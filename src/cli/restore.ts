/**
 * What the three restore commands share: the destination argument (imap://… with its
 * password from --password-stdin or $ZXB_IMAP_PASSWORD, or maildir:/mbox:/eml:PATH), the
 * run, and the report, worded like Zextras' restore notification.
 */
import type { Command } from 'commander';
import {
  parseDestination,
  redactUrl,
  runRestore,
  type BackupPath,
  type Destination,
  type RestoreJob,
  type RestorePlan,
  type RestoreReport,
} from '../engine';
import type { CliContext, CommandResult } from './context';
import { usageError } from './errors';
import { addImapOptions, endpointOf, requirePassword, type ImapCliOptions } from './imapOptions';
import { envelope, jsonDate } from './output';
import type { RestoreJson } from './shapes';

export interface RestoreCliOptions extends ImapCliOptions {
  dryRun?: boolean;
}

export function addRestoreOptions(cmd: Command): Command {
  return addImapOptions(cmd)
    .option('--dry-run', 'write nothing: list the folders and messages that would be written')
    .option('--json', 'print JSON (see docs/cli.md)');
}

export const DESTINATION_HELP =
  'imap://LOGIN@HOST:PORT (password from --password-stdin or $ZXB_IMAP_PASSWORD), maildir:PATH, mbox:PATH or eml:PATH';

export function readDestination(text: string): Destination {
  const d = parseDestination(text);
  if (!d) usageError(`${redactUrl(text)}: not a destination; give ${DESTINATION_HELP}`);
  return d;
}

/** Runs the plan into the destination and turns the report into the command's result. */
export async function restoreCommand(
  ctx: CliContext,
  command: RestoreJson['command'],
  backup: BackupPath,
  plan: RestorePlan,
  destination: Destination,
  identity: Record<string, unknown>,
  opts: RestoreCliOptions,
): Promise<CommandResult> {
  const job: RestoreJob = { backup, plan, destination, identity, signal: ctx.signal, progress: ctx.progress };
  if (opts.dryRun) job.dryRun = true;
  if (destination.kind === 'imap') {
    const endpoint = endpointOf(destination.url, opts);
    if (!endpoint.login)
      usageError(`${redactUrl(destination.url)}: name the login to restore into (imap://LOGIN@HOST:PORT)`);
    // A dry run connects to nothing, so it needs no password.
    const password = opts.dryRun ? '' : await requirePassword(opts, endpoint.login);
    job.imap = { endpoint, credentials: { login: endpoint.login, password } };
  }
  const { report, journal } = await runRestore(job);
  const json = restoreJson(ctx, command, backup, plan, report, journal ?? null);
  return {
    findings: report.findings,
    json,
    text: renderRestore(json),
    failed: report.failed || report.unrestored.length > 0,
    interrupted: report.interrupted,
  };
}

function restoreJson(
  ctx: CliContext,
  command: RestoreJson['command'],
  backup: BackupPath,
  plan: RestorePlan,
  r: RestoreReport,
  journal: string | null,
): RestoreJson {
  const z = ctx.zone;
  return {
    ...envelope(command, z, r.findings),
    backupPath: backup.root,
    account: { zimbraId: r.account.zimbraId, name: r.account.name },
    destination: r.destination,
    date: plan.at.kind === 'instant' ? jsonDate(plan.at.at, z)! : plan.at.kind,
    dryRun: r.dryRun,
    stats: { restored: r.restored, skipped: r.skipped, unrestored: r.unrestored.length },
    skippedDetail: { alreadyRestored: r.alreadyRestored, notMail: r.notMail },
    unrestoredItems:
      r.unrestored.length === 0
        ? []
        : [
            {
              account: r.account.name,
              itemIds: r.unrestored.map((u) => u.itemId),
              items: r.unrestored.map((u) => ({ itemId: u.itemId, reason: u.reason, detail: u.detail })),
            },
          ],
    foldersCreated: r.foldersCreated,
    interrupted: r.interrupted,
    journal,
    wouldWrite: r.wouldWrite
      ? {
          folders: r.wouldWrite.folders.map((f) => f.join('/')),
          messages: r.wouldWrite.messages.map((m) => ({
            itemId: m.itemId,
            folder: m.folder.join('/'),
            flags: m.flags,
            keywords: m.keywords,
            internalDate: jsonDate(m.internalDate, z)!,
            size: m.size ?? null,
          })),
        }
      : null,
  };
}

/** Like the notification Zextras sends at the end of a restore (stats, then unrestored items per account). */
function renderRestore(j: RestoreJson): string {
  const lines: string[] = [];
  if (j.dryRun) lines.push(`dry run: nothing was written to ${j.destination}`);
  else lines.push(`restore of ${j.account.name} at ${j.date} into ${j.destination}`);
  if (j.interrupted) lines.push('interrupted: rerun the same command to continue');
  lines.push('- stats -');
  lines.push(`Restored Items: ${j.stats.restored}`);
  lines.push(
    `Skipped Items:  ${j.stats.skipped}${j.stats.skipped ? ` (${j.skippedDetail.alreadyRestored} already restored, ${j.skippedDetail.notMail} not mail)` : ''}`,
  );
  lines.push(`Unrestored Items: ${j.stats.unrestored}`);
  if (j.unrestoredItems.length > 0) {
    lines.push('- unrestored items -');
    for (const a of j.unrestoredItems) {
      lines.push(`account: ${a.account}`);
      lines.push(`unrestored items: ${a.itemIds.join(',')}`);
      for (const i of a.items) lines.push(`  ${i.itemId} ${i.reason}: ${i.detail}`);
    }
  }
  if (j.wouldWrite) {
    lines.push(`- would write -`);
    lines.push(`folders (${j.wouldWrite.folders.length}): ${j.wouldWrite.folders.join(', ')}`);
    lines.push(`messages (${j.wouldWrite.messages.length}):`);
    for (const m of j.wouldWrite.messages)
      lines.push(`  ${m.itemId}  ${m.folder}  ${m.internalDate}  ${m.flags.concat(m.keywords).join(' ') || '-'}`);
  }
  return lines.join('\n') + '\n';
}
