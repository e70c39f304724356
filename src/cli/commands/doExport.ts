/**
 * zxb doExport <path> <dest>: a new backup path with only some accounts (and, with
 * --from/--to, only the transactions of that window) and exactly the BLOBs they
 * reference. Reads the source only; <dest> must be new or empty.
 */
import type { Command } from 'commander';
import { exportBackup, type TimeWindow } from '../../engine';
import { readInstant, type CliContext, type CommandResult } from '../context';
import { usageError } from '../errors';
import { envelope, formatBytes, heading, jsonDate, renderKeyValues, renderTable, showDate } from '../output';
import type { Runner } from '../runner';
import type { ExportJson } from '../shapes';

interface Options {
  accounts?: string;
  domains?: string;
  from?: string;
  to?: string;
  json?: boolean;
}

export function registerDoExport(program: Command, run: Runner): void {
  program
    .command('doExport')
    .description('copy some accounts (and a window of their history) into a new, self-consistent backup path')
    .argument('<path>', 'the backup path (only read)')
    .argument('<dest>', 'the new backup path: a folder that does not exist or is empty')
    .option('--accounts <list>', 'only these accounts (comma-separated e-mail addresses or zimbraIds)')
    .option('--domains <list>', 'and the accounts of these domains (comma-separated)')
    .option('--from <date>', 'only the transactions valid at or after this date')
    .option('--to <date>', 'only the transactions valid at or before this date')
    .option('--json', 'print JSON (see docs/cli.md)')
    .action((backupPath: string, dest: string, opts: Options, cmd: Command) =>
      run(cmd, (ctx) => doExport(ctx, backupPath, dest, opts)),
    );
}

function list(option: string, text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0) usageError(`${option}: give one or more values separated by commas`);
  return items;
}

export async function doExport(ctx: CliContext, root: string, dest: string, opts: Options): Promise<CommandResult> {
  const z = ctx.zone;
  const from = readInstant('--from', opts.from, z);
  const to = readInstant('--to', opts.to, z);
  if (from !== undefined && to !== undefined && from > to)
    usageError('--from must not be later than --to', 'usage.bad-date');
  const window: TimeWindow | undefined =
    from === undefined && to === undefined
      ? undefined
      : { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
  const accounts = list('--accounts', opts.accounts);
  const domains = list('--domains', opts.domains);
  const r = await exportBackup(
    root,
    dest,
    { ...(accounts ? { accounts } : {}), ...(domains ? { domains } : {}), ...(window ? { window } : {}) },
    { progress: ctx.progress, signal: ctx.signal },
  );
  const json: ExportJson = {
    ...envelope('doExport', z, r.findings),
    backupPath: r.source,
    destination: r.destination,
    window: window ? { from: jsonDate(window.from, z), to: jsonDate(window.to, z) } : null,
    accounts: r.accounts,
    items: r.items,
    transactions: r.transactions,
    blobs: r.blobs,
    blobBytes: r.blobBytes,
    missingBlobs: r.missingBlobs,
    files: r.files,
  };
  let text = renderKeyValues([
    ['backup path', r.source],
    ['exported to', r.destination],
    ['window', window ? `${showDate(window.from, z)} to ${showDate(window.to, z)}` : 'every transaction'],
    ['accounts', r.accounts.length],
    ['item files', r.items],
    ['transactions', r.transactions],
    ['BLOBs', `${r.blobs} (${formatBytes(r.blobBytes)})`],
    ['missing BLOBs', r.missingBlobs > 0 ? `${r.missingBlobs} (missing in the source too)` : 0],
  ]);
  text +=
    heading('Accounts') +
    renderTable(
      ['ACCOUNT', 'ZIMBRA ID', 'ITEMS', 'TRANSACTIONS', 'BLOBS'],
      r.accounts.map((a) => [a.name, a.zimbraId, a.items, a.transactions, a.blobs]),
    );
  text += `\nnext: zxb doCoherencyCheck ${r.destination}\n`;
  return { findings: r.findings, json, text };
}
