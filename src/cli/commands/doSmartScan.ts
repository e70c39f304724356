/**
 * zxb doSmartScan start <path> --source imap://HOST:PORT --accounts-file FILE: every account
 * of the file scanned into the backup path (the first run initialises it; later runs add
 * what changed). Exit 0 done, 1 some accounts failed, 2 none could be scanned, 3 interrupted.
 */
import type { Command } from 'commander';
import { runScan } from '../../engine';
import type { CliContext, CommandResult } from '../context';
import { usageError } from '../errors';
import { addImapOptions, endpointOf } from '../imapOptions';
import type { Runner } from '../runner';
import { accountsFromFile, jobsOf, requireSource, scanResult, type ScanCliOptions } from '../scanCommon';

interface Options extends ScanCliOptions {
  accountsFile?: string;
}

export function addScanOptions(cmd: Command): Command {
  return addImapOptions(
    cmd
      .requiredOption('--source <url>', 'the IMAP server: imap://HOST:PORT')
      .option('--domain <domain>', 'the domain of logins without @ (the account is named login@DOMAIN)'),
  );
}

export function registerDoSmartScan(program: Command, run: Runner): void {
  addScanOptions(
    program
      .command('doSmartScan')
      .description('scan mailboxes over IMAP into a backup path (the first run initialises it)')
      .argument('<action>', 'start')
      .argument('<path>', 'the backup path (created if needed)'),
  )
    .requiredOption('--accounts-file <file>', 'one "login" or "login password" a line')
    .option('--deep', 're-read every message and verify its stored BLOB, rewriting a missing or damaged one')
    .option('--jobs <n>', 'accounts scanned at once (default 1)')
    .option('--json', 'print JSON (docs/cli.md)')
    .action((action: string, backupPath: string, opts: Options, cmd: Command) =>
      run(cmd, (ctx) => doSmartScan(ctx, action, backupPath, opts)),
    );
}

export async function doSmartScan(
  ctx: CliContext,
  action: string,
  root: string,
  opts: Options,
): Promise<CommandResult> {
  if (action !== 'start') usageError(`doSmartScan: the action is "start", not "${action}"`);
  const endpoint = endpointOf(requireSource(opts), opts);
  const accounts = await accountsFromFile(opts.accountsFile!, opts);
  const report = await runScan({
    root,
    endpoint,
    accounts,
    command: 'doSmartScan',
    jobs: jobsOf(opts),
    signal: ctx.signal,
    progress: ctx.progress,
    ...(opts.deep ? { deep: true } : {}),
  });
  return scanResult(ctx, 'doSmartScan', report);
}
