/**
 * zxb doItemRestore <path> <account> <itemId> --to DEST [--date D] [--restore-folder NAME]:
 * one message as it was at that date, into its folder then or the one named.
 */
import type { Command } from 'commander';
import { planItemRestore } from '../../engine';
import { openBackup, readItemId, readPointDate, type CliContext, type CommandResult } from '../context';
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
  to: string;
  date?: string;
  restoreFolder?: string;
}

export function registerDoItemRestore(program: Command, run: Runner): void {
  addRestoreOptions(
    program
      .command('doItemRestore')
      .description('restore one message as it was at a date')
      .argument('<path>', 'the backup path')
      .argument('<account>', 'e-mail address or zimbraId')
      .argument('<itemId>', 'the item id')
      .requiredOption('--to <destination>', DESTINATION_HELP)
      .option('--date <date>', 'dd/MM/yyyy HH:mm:ss, ISO 8601, first or last', 'last')
      .option('--restore-folder <name>', 'the folder to restore into ("/" separates levels), instead of its own then'),
  ).action((root: string, account: string, itemId: string, opts: Options, cmd: Command) =>
    run(cmd, (ctx) => doItemRestore(ctx, root, account, itemId, opts)),
  );
}

export async function doItemRestore(
  ctx: CliContext,
  root: string,
  accountArg: string,
  itemArg: string,
  opts: Options,
): Promise<CommandResult> {
  const when = readPointDate('--date', opts.date, ctx.zone);
  const itemId = readItemId(itemArg);
  let folder: string[] | undefined;
  if (opts.restoreFolder !== undefined) {
    folder = opts.restoreFolder.split('/').filter(Boolean);
    if (folder.length === 0) usageError('--restore-folder: give a folder name');
    if (folder[0]!.toUpperCase() === 'INBOX') folder[0] = 'INBOX';
  }
  const destination = readDestination(opts.to);
  const backup = await openBackup(root);
  const account = await backup.requireAccount(accountArg);
  const item = await backup.readItem(account.zimbraId, itemId);
  if (!item) usageError(`no item ${itemId} in account ${account.name}`, 'usage.unknown-item');
  // The folder's path at that date needs the folders' own files: all items are read, folders kept.
  const { items } = await backup.readAllItems(account.zimbraId, { signal: ctx.signal });
  const planned = planItemRestore({ zimbraId: account.zimbraId, name: account.name }, item, items, when, folder);
  if (!planned.ok) usageError(`item ${itemId}: ${planned.why}`, 'usage.bad-argument');
  return restoreCommand(
    ctx,
    'doItemRestore',
    backup,
    planned.plan,
    destination,
    { itemId, at: planned.plan.at, folder: folder ?? null },
    opts,
  );
}
