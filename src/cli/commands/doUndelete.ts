/**
 * zxb doUndelete <path> <account> <start|first> <end|last> --to DEST: the messages deleted
 * in that range, as they were just before, back into their folder (or one named after the
 * lost folder), tagged undelete_DD_MM_YY with \Deleted removed, as zxsuite does.
 */
import type { Command } from 'commander';
import { planUndelete, undeleteTag } from '../../engine';
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
  to: string;
  targetOriginalFolder: string;
}

export function registerDoUndelete(program: Command, run: Runner): void {
  addRestoreOptions(
    program
      .command('doUndelete')
      .description('restore the messages deleted in a time range, tagged undelete_DD_MM_YY')
      .argument('<path>', 'the backup path')
      .argument('<account>', 'e-mail address or zimbraId')
      .argument('<start>', 'dd/MM/yyyy HH:mm:ss, ISO 8601 or first')
      .argument('<end>', 'dd/MM/yyyy HH:mm:ss, ISO 8601 or last')
      .requiredOption('--to <destination>', DESTINATION_HELP)
      .option(
        '--target-original-folder <bool>',
        'true: each into its folder; false: all into the undelete_DD_MM_YY folder',
        'true',
      ),
  ).action((root: string, account: string, start: string, end: string, opts: Options, cmd: Command) =>
    run(cmd, (ctx) => doUndelete(ctx, root, account, start, end, opts)),
  );
}

export async function doUndelete(
  ctx: CliContext,
  root: string,
  accountArg: string,
  startArg: string,
  endArg: string,
  opts: Options,
): Promise<CommandResult> {
  const from = readPointDate('<start>', startArg, ctx.zone);
  const to = readPointDate('<end>', endArg, ctx.zone);
  if (from.kind === 'last') usageError('<start>: give a date or first, not last');
  if (to.kind === 'first') usageError('<end>: give a date or last, not first');
  if (from.kind === 'instant' && to.kind === 'instant' && from.at > to.at) usageError('<start> is after <end>');
  if (!/^(true|false)$/.test(opts.targetOriginalFolder)) usageError('--target-original-folder: give true or false');
  const destination = readDestination(opts.to);
  const backup = await openBackup(root);
  const account = await backup.requireAccount(accountArg);
  const { items, findings } = await backup.readAllItems(account.zimbraId, {
    signal: ctx.signal,
    progress: ctx.progress,
  });
  const tag = undeleteTag(Date.now(), ctx.zone);
  const originalFolder = opts.targetOriginalFolder === 'true';
  const plan = planUndelete({ zimbraId: account.zimbraId, name: account.name }, items, from, to, {
    originalFolder,
    tag,
  });
  plan.findings.push(...findings);
  return restoreCommand(ctx, 'doUndelete', backup, plan, destination, { from, to, originalFolder }, opts);
}
