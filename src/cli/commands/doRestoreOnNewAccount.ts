/**
 * zxb doRestoreOnNewAccount <path> <sourceAccount> <destination> <date|last>: the account
 * as it was at that moment (folders with the names they had, every message with its
 * flags, tags and date) into an IMAP account, a Maildir, mbox files or .eml files.
 */
import type { Command } from 'commander';
import { planAccountRestore, type DateSpec } from '../../engine';
import { openBackup, readPointDate, type CliContext, type CommandResult } from '../context';
import { usageError } from '../errors';
import {
  DESTINATION_HELP,
  addRestoreOptions,
  readDestination,
  restoreCommand,
  type RestoreCliOptions,
} from '../restore';
import type { Runner } from '../runner';

interface Options extends RestoreCliOptions {
  undelete?: boolean;
  undeleteStartDate?: string;
}

export function registerDoRestoreOnNewAccount(program: Command, run: Runner): void {
  addRestoreOptions(
    program
      .command('doRestoreOnNewAccount')
      .description('restore an account as it was at a date into a new mailbox (IMAP, Maildir, mbox or .eml files)')
      .argument('<path>', 'the backup path')
      .argument('<sourceAccount>', 'e-mail address or zimbraId in the backup')
      .argument('<destination>', DESTINATION_HELP)
      .argument('<date>', 'dd/MM/yyyy HH:mm:ss, ISO 8601, first or last')
      .option('--undelete', 'also restore the messages deleted between --undelete-start-date and the date')
      .option('--undelete-start-date <date>', 'with --undelete: from this date (or first)', 'first'),
  ).action((root: string, account: string, dest: string, date: string, opts: Options, cmd: Command) =>
    run(cmd, (ctx) => doRestoreOnNewAccount(ctx, root, account, dest, date, opts)),
  );
}

export async function doRestoreOnNewAccount(
  ctx: CliContext,
  root: string,
  accountArg: string,
  dest: string,
  dateArg: string,
  opts: Options,
): Promise<CommandResult> {
  const when = readPointDate('<date>', dateArg, ctx.zone);
  let undeleteFrom: DateSpec | undefined;
  if (opts.undelete) undeleteFrom = readPointDate('--undelete-start-date', opts.undeleteStartDate, ctx.zone);
  else if (opts.undeleteStartDate !== 'first') usageError('--undelete-start-date needs --undelete');
  const destination = readDestination(dest);
  const backup = await openBackup(root);
  const account = await backup.requireAccount(accountArg);
  const { items, findings } = await backup.readAllItems(account.zimbraId, {
    signal: ctx.signal,
    progress: ctx.progress,
  });
  const planOpts: Parameters<typeof planAccountRestore>[3] = { zone: ctx.zone };
  if (undeleteFrom && undeleteFrom.kind !== 'all') planOpts.undeleteFrom = undeleteFrom;
  const plan = planAccountRestore({ zimbraId: account.zimbraId, name: account.name }, items, when, planOpts);
  plan.findings.push(...findings);
  return restoreCommand(
    ctx,
    'doRestoreOnNewAccount',
    backup,
    plan,
    destination,
    { at: plan.at, undeleteFrom: planOpts.undeleteFrom ?? null },
    opts,
  );
}
