/**
 * zxb doRealtimeScan <path> --source imap://HOST:PORT --accounts-file FILE: stays connected
 * and records every change within about a second (CONDSTORE polling, src/engine/scan/realtime.ts)
 * until Ctrl-C, which is its normal end: the summary is printed and the exit code is 0.
 */
import { mkdirSync } from 'node:fs';
import type { Command } from 'commander';
import { runRealtimeScan } from '../../engine';
import type { CliContext, CommandResult } from '../context';
import type { Runner } from '../runner';
import { accountsFromFile, requireSource, scanResult, type ScanCliOptions } from '../scanCommon';
import { endpointOf } from '../imapOptions';
import { addScanOptions } from './doSmartScan';

interface Options extends ScanCliOptions {
  accountsFile?: string;
}

export function registerDoRealtimeScan(program: Command, run: Runner): void {
  addScanOptions(
    program
      .command('doRealtimeScan')
      .description('record every change of the mailboxes as it happens, until Ctrl-C')
      .argument('<path>', 'the backup path (created if needed; run doSmartScan start first)'),
  )
    .requiredOption('--accounts-file <file>', 'one "login" or "login password" a line')
    .option('--json', 'print JSON when it ends (docs/cli.md)')
    .action((backupPath: string, opts: Options, cmd: Command) =>
      run(cmd, (ctx) => doRealtimeScan(ctx, backupPath, opts)),
    );
}

export async function doRealtimeScan(ctx: CliContext, root: string, opts: Options): Promise<CommandResult> {
  const endpoint = endpointOf(requireSource(opts), opts);
  const accounts = await accountsFromFile(opts.accountsFile!, opts);
  mkdirSync(root, { recursive: true });
  const report = await runRealtimeScan({
    root,
    endpoint,
    accounts,
    signal: ctx.signal,
    progress: ctx.progress,
  });
  // Ctrl-C is how a Real Time Scan ends: not an interruption.
  return { ...scanResult(ctx, 'doRealtimeScan', { ...report, interrupted: false }), interrupted: false };
}
