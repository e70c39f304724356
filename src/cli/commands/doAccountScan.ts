/**
 * zxb doAccountScan <path> <account> --source imap://HOST:PORT: one account, named by its
 * login (or login@DOMAIN) or by the zimbraId an earlier scan gave it; the password from
 * --password-stdin or ZXB_IMAP_PASSWORD.
 */
import * as path from 'node:path';
import type { Command } from 'commander';
import { isZimbraId, runScan, scannedAccounts } from '../../engine';
import type { CliContext, CommandResult } from '../context';
import { usageError } from '../errors';
import { endpointOf, requirePassword } from '../imapOptions';
import type { Runner } from '../runner';
import { nameOf, requireSource, scanResult, type ScanCliOptions } from '../scanCommon';
import { addScanOptions } from './doSmartScan';

export function registerDoAccountScan(program: Command, run: Runner): void {
  addScanOptions(
    program
      .command('doAccountScan')
      .description('scan one mailbox over IMAP into a backup path')
      .argument('<path>', 'the backup path (created if needed)')
      .argument('<account>', 'the login, or the zimbraId an earlier scan gave the account'),
  )
    .option('--deep', 're-read every message and verify its stored BLOB, rewriting a missing or damaged one')
    .option('--json', 'print JSON (docs/cli.md)')
    .action((backupPath: string, account: string, opts: ScanCliOptions, cmd: Command) =>
      run(cmd, (ctx) => doAccountScan(ctx, backupPath, account, opts)),
    );
}

export async function doAccountScan(
  ctx: CliContext,
  root: string,
  account: string,
  opts: ScanCliOptions,
): Promise<CommandResult> {
  const endpoint = endpointOf(requireSource(opts), opts);
  let login = account;
  let name: string | undefined;
  if (isZimbraId(account.toLowerCase())) {
    const known = scannedAccounts(path.resolve(root), [account.toLowerCase()])[0];
    if (!known) usageError(`no scanned account ${account} in ${root}: name it by its login`, 'usage.unknown-account');
    login = known.login;
    name = known.name;
  }
  const password = await requirePassword(opts, login);
  const report = await runScan({
    root,
    endpoint,
    accounts: [{ login, name: name ?? nameOf(login, opts.domain), password }],
    command: 'doAccountScan',
    signal: ctx.signal,
    progress: ctx.progress,
    ...(opts.deep ? { deep: true } : {}),
  });
  return scanResult(ctx, 'doAccountScan', report);
}
