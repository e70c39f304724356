/**
 * zxb makeSample <dir>: writes a synthetic backup path (docs/sample.md) for tests,
 * demos and benchmarks. The only zxb command that writes, and only into a new or
 * empty folder.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { CliContext, CommandResult } from '../context';
import { usageError } from '../errors';
import { envelope, formatBytes, heading, jsonDate, renderKeyValues, renderTable } from '../output';
import type { SampleJson } from '../shapes';
import type { Runner } from '../runner';

interface Options {
  accounts: string;
  itemsPerAccount: string;
  seed: string;
  faults?: boolean;
  sizes: string;
}

export function registerMakeSample(program: Command, run: Runner): void {
  program
    .command('makeSample')
    .description('write a synthetic backup path (docs/sample.md) into a new or empty folder')
    .argument('<dir>', 'the folder to write; created if needed, must be empty')
    .option('--accounts <n>', 'number of accounts', '6')
    .option('--items-per-account <n>', 'item files per account', '120')
    .option('--seed <n>', 'random seed: the same options give the same tree', '1')
    .option('--faults', 'add the documented damaged files (docs/sample.md)')
    .option(
      '--sizes <model>',
      'message sizes: real (of real mail, docs/sample.md) or small (a few KB, quick tests)',
      'real',
    )
    .option('--json', 'print JSON (see docs/cli.md)')
    .action((dir: string, opts: Options, cmd: Command) => run(cmd, (ctx) => makeSample(ctx, dir, opts)));
}

function positiveInt(option: string, text: string, min: number): number {
  if (!/^\d{1,9}$/.test(text.trim()) || Number(text) < min)
    usageError(`${option}: "${text}" is not a whole number ≥ ${min}`);
  return Number(text);
}

/** The generator wants a new or empty folder; say so as a usage error rather than fail inside it. */
async function checkTarget(abs: string): Promise<void> {
  let entries: string[];
  try {
    entries = await fs.readdir(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    usageError(
      code === 'ENOTDIR' ? `${abs} is a file, not a folder` : `cannot use ${abs}: ${(err as Error).message}`,
      'usage.bad-argument',
      abs,
    );
  }
  if (entries.length > 0)
    usageError(`${abs} is not empty: a sample is written into a new or empty folder`, 'usage.bad-argument', abs);
}

export async function makeSample(ctx: CliContext, dir: string, opts: Options): Promise<CommandResult> {
  const z = ctx.zone;
  const accounts = positiveInt('--accounts', opts.accounts, 1);
  const itemsPerAccount = positiveInt('--items-per-account', opts.itemsPerAccount, 1);
  const seed = positiveInt('--seed', opts.seed, 0);
  const sizes = opts.sizes.trim();
  if (sizes !== 'real' && sizes !== 'small') usageError(`--sizes: "${opts.sizes}" is not real or small`);
  const abs = path.resolve(dir);
  await checkTarget(abs);
  // The generator (word lists, MIME and archive writers) loads for this command only: the others start faster.
  const { makeSample: generateSample } = await import('../../engine/sample/index.js');
  const result = await generateSample(
    abs,
    { accounts, itemsPerAccount, seed, faults: opts.faults === true, sizes },
    (done, total, phase) => ctx.progress({ phase: phase === 'accounts' ? 'writing items' : phase, done, total }),
    ctx.signal,
  );
  const json: SampleJson = {
    ...envelope('makeSample', z, []),
    dir: result.path,
    seed,
    sizes: result.sizes,
    accounts: result.accounts,
    items: result.items,
    blobs: result.blobs,
    blobBytes: result.blobBytes,
    faults: result.faults.map((f) => ({
      id: f.id,
      path: f.path,
      expectedCode: f.expectedCode,
      description: f.description,
    })),
    startDate: jsonDate(result.startDate, z)!,
    endDate: jsonDate(result.endDate, z)!,
  };
  let text = renderKeyValues([
    ['sample', result.path],
    ['seed', seed],
    ['sizes', result.sizes],
    ['accounts', result.accounts.length],
    ['item files', result.items],
    ['BLOBs', `${result.blobs} (${formatBytes(result.blobBytes)})`],
    ['faults', result.faults.length],
    ['timeline', `${jsonDate(result.startDate, z)} to ${jsonDate(result.endDate, z)}`],
  ]);
  text +=
    heading('Accounts') +
    renderTable(
      ['ACCOUNT', 'ZIMBRA ID', 'ITEMS'],
      result.accounts.map((a) => [a.name, a.zimbraId, a.items]),
    );
  if (result.faults.length > 0)
    text +=
      heading('Faults') +
      renderTable(
        ['FAULT', 'EXPECTED FINDING', 'PATH'],
        result.faults.map((f) => [f.id, f.expectedCode, f.path]),
      );
  return { findings: [], json, text };
}
