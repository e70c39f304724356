/**
 * zxb getAvailableAccounts <path>: the accounts that exist at a date (created by
 * then), from account folders' summary files only. As in zxsuite, system accounts
 * are hidden unless asked for and deleted accounts are listed as deleted.
 */
import type { Command } from 'commander';
import type { AccountSummary, Finding } from '../../engine';
import { openBackup, readPointDate, type CliContext, type CommandResult, type PointSpec } from '../context';
import { envelope, jsonDate, orNull, renderTable, showDate } from '../output';
import { accountJson } from '../present';
import type { AvailableAccountJson, AvailableAccountsJson } from '../shapes';
import type { Runner } from '../runner';

interface Options {
  date?: string;
  domains?: string;
  hideDeleted?: boolean;
  showSystem?: boolean;
}

export function registerGetAvailableAccounts(program: Command, run: Runner): void {
  program
    .command('getAvailableAccounts')
    .description('list the accounts that exist in the backup at a date')
    .argument('<path>', 'the backup path')
    .option('--date <date>', 'dd/MM/yyyy HH:mm:ss, ISO 8601, first or last', 'last')
    .option('--domains <list>', 'only these domains, comma-separated')
    .option('--hide-deleted', 'leave out accounts deleted at that date')
    .option('--show-system', 'include system accounts (hidden by default, as in zxsuite)')
    .option('--json', 'print JSON (see docs/cli.md)')
    .action((backupPath: string, opts: Options, cmd: Command) =>
      run(cmd, (ctx) => getAvailableAccounts(ctx, backupPath, opts)),
    );
}

/** `first` means the earliest account creation; `last` means now. */
function instantOf(when: PointSpec, accounts: readonly AccountSummary[]): number {
  if (when.kind === 'instant') return when.at;
  if (when.kind === 'last') return Date.now();
  const created = accounts.map((a) => a.createdDate).filter((d): d is number => d !== undefined);
  return created.length > 0 ? Math.min(...created) : Date.now();
}

export async function getAvailableAccounts(ctx: CliContext, root: string, opts: Options): Promise<CommandResult> {
  const z = ctx.zone;
  const when = readPointDate('--date', opts.date, z);
  const domains = opts.domains
    ?.split(',')
    .map((d) => d.trim().toLowerCase())
    .filter((d) => d.length > 0);
  const backup = await openBackup(root);
  const all = await backup.accounts();
  const at = instantOf(when, all);
  const findings: Finding[] = [];
  const counts = { listed: 0, deleted: 0, hiddenSystem: 0, hiddenDeleted: 0, notYetCreated: 0, otherDomains: 0 };
  const listed: AvailableAccountJson[] = [];
  const rows: (string | number | boolean | null)[][] = [];
  for (const a of all) {
    findings.push(...a.findings);
    // An account whose creation date is unknown is listed: hiding it would hide a damaged account.
    if (a.createdDate !== undefined && a.createdDate > at) counts.notYetCreated++;
    else if (domains && !domains.includes(a.domain ?? '')) counts.otherDomains++;
    else if (a.isSystem && !opts.showSystem) counts.hiddenSystem++;
    else {
      const deleted = a.deletedDate !== undefined && a.deletedDate <= at;
      if (deleted && opts.hideDeleted) {
        counts.hiddenDeleted++;
        continue;
      }
      if (deleted) counts.deleted++;
      listed.push({
        ...accountJson(a, z),
        deleted,
        itemCount: orNull(a.stat?.itemCount),
        lastTransactionDate: jsonDate(a.stat?.lastTransactionDate, z),
      });
      rows.push([
        a.name,
        a.zimbraId,
        // account_info holds today's status: before a later deletion the status then is not known.
        when.kind !== 'last' && !deleted && a.deletedDate !== undefined
          ? `unknown (now ${a.status ?? '?'})`
          : (a.status ?? null),
        deleted ? `deleted ${showDate(a.deletedDate, z)}` : 'no',
        a.isSystem,
        showDate(a.createdDate, z),
        a.stat?.itemCount ?? null,
      ]);
    }
  }
  counts.listed = listed.length;
  const json: AvailableAccountsJson = {
    ...envelope('getAvailableAccounts', z, findings),
    backupPath: backup.root,
    date: when.kind === 'last' ? 'last' : jsonDate(at, z)!,
    domains: domains ?? null,
    hideDeleted: opts.hideDeleted === true,
    showSystem: opts.showSystem === true,
    accounts: listed,
    counts,
  };
  let text = renderTable(
    ['ACCOUNT', 'ZIMBRA ID', 'STATUS', 'DELETED', 'SYSTEM', 'CREATED', { header: 'ITEMS', align: 'right' }],
    rows,
  );
  const hidden = [
    counts.hiddenSystem && `${counts.hiddenSystem} system (--show-system)`,
    counts.hiddenDeleted && `${counts.hiddenDeleted} deleted (--hide-deleted)`,
    counts.notYetCreated && `${counts.notYetCreated} not yet created`,
    counts.otherDomains && `${counts.otherDomains} in other domains`,
  ].filter(Boolean);
  text += `\n${listed.length} account${listed.length === 1 ? '' : 's'} at ${when.kind === 'last' ? 'the latest state' : showDate(at, z)}${hidden.length ? `; not listed: ${hidden.join(', ')}` : ''}\n`;
  return { findings, json, text, findingsInOutput: true };
}
