/**
 * zxb doCoherencyCheck <path>: every kind of damage in a backup path, read-only
 * unless --fix-backup / --fix-double-gzip fix. Exit codes (errors.ts): 0 no errors,
 * 1 errors found, 2 usage or I/O error, 3 interrupted (the partial results are printed).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import type { Command } from 'commander';
import {
  BackupPath,
  CHECK_LEVELS,
  parseSample,
  runCoherencyCheck,
  toSarif,
  type CheckLevel,
  type CheckOptions,
  type DoubleGzipMode,
} from '../../engine';
import type { CliContext, CommandResult } from '../context';
import { usageError } from '../errors';
import { envelope, formatBytes, renderKeyValues, renderTable } from '../output';
import type { Runner } from '../runner';
import { VERSION } from '../version';

interface Options {
  accounts?: string;
  level: string;
  sample?: string;
  json?: boolean;
  sarif?: string;
  jobs?: string;
  cache: boolean;
  cacheDir?: string;
  fixBackup?: boolean;
  fixDoubleGzip: string;
  retentionDays: string;
}

export function registerDoCoherencyCheck(program: Command, run: Runner): void {
  program
    .command('doCoherencyCheck')
    .description('check a backup path for every kind of damage (read-only unless a --fix option is given)')
    .argument('<path>', 'the backup path')
    .option(
      '--accounts <ids>',
      'only these accounts (comma-separated zimbraIds or e-mail addresses) and the BLOBs they reference',
    )
    .option('--level <level>', 'structure | metadata | blobs', 'metadata')
    .option('--sample <spec>', 'verify a slice of the BLOBs: n/t (deterministic) or x% (random)')
    .option('--json', 'print JSON: findings and summary (see docs/check.md)')
    .option('--sarif <file>', 'also write SARIF 2.1.0 to this file')
    .option('--jobs <n>', 'worker threads (default: the number of cores; 0: none)')
    .option('--no-cache', 'ignore the results of earlier runs')
    .option('--cache-dir <dir>', 'where results are remembered (default $ZXB_CACHE_DIR or ~/.cache/zxbackup-inspector)')
    .option('--fix-backup', 'move unusable item metadata and orphan BLOBs into a quarantine folder with a manifest')
    .option(
      '--fix-double-gzip <mode>',
      'skip | check | fix (rewrite crash-safely, original kept in the quarantine)',
      'check',
    )
    .option('--retention-days <n>', 'items deleted longer ago are reported as purge due', '30')
    .action((backupPath: string, opts: Options, cmd: Command) =>
      run(cmd, (ctx) => doCoherencyCheck(ctx, backupPath, opts)),
    );
}

export async function doCoherencyCheck(ctx: CliContext, root: string, opts: Options): Promise<CommandResult> {
  const checkOpts = readOptions(opts);
  if (ctx.schemaDir !== undefined) checkOpts.schemaDir = ctx.schemaDir;
  const sarifFile = opts.sarif === undefined ? undefined : await checkSarifTarget(opts.sarif);
  // This process only walks and collects: small semi-spaces keep its peak RSS low (docs/check.md).
  v8.setFlagsFromString('--max-semi-space-size=1');
  const report = await runCoherencyCheck(root, checkOpts, { progress: ctx.progress, signal: ctx.signal });
  const names = await accountNames(report.root, Object.keys(report.summary.lostBodies.byAccount));
  if (sarifFile !== undefined) {
    const sarif = toSarif(report, {
      name: 'zxb doCoherencyCheck',
      version: VERSION,
      informationUri: 'https://github.com/zxbackup-tools/zxbackup-inspector',
    });
    try {
      await fs.writeFile(sarifFile, JSON.stringify(sarif, null, 2) + '\n');
    } catch (err) {
      usageError(`--sarif: cannot write ${sarifFile}: ${(err as Error).message}`, 'usage.bad-argument', sarifFile);
    }
  }
  const s = report.summary;
  const json = {
    ...envelope('doCoherencyCheck', ctx.zone, report.findings),
    backupPath: report.root,
    summary: s,
    quarantine: report.quarantine ?? null,
  };
  const codes = Object.entries(s.byCode) as [string, number][];
  let text = renderKeyValues([
    ['backup path', report.root],
    ['level', s.level],
    ['files checked', `${s.filesChecked} (${s.filesFromCache} from the cache)`],
    ['item files', s.itemsChecked],
    ['BLOBs', s.blobsChecked],
    ['bytes read', formatBytes(s.bytesChecked)],
    ['duration', `${(s.durationMs / 1000).toFixed(1)} s`],
    ['errors / warnings / info', `${s.bySeverity.error} / ${s.bySeverity.warning} / ${s.bySeverity.info}`],
    ['interrupted', s.interrupted ? 'yes: partial results (counts cover only what was checked)' : 'no'],
  ]);
  if (s.sampled) text += `\nBLOB contents: a sample only (--sample ${s.sampled}): the other BLOBs were not verified\n`;
  if (s.lostBodies.items > 0)
    text +=
      `\nmessage bodies lost (missing or damaged BLOB): ${s.lostBodies.items} item${s.lostBodies.items === 1 ? '' : 's'}\n` +
      renderTable(
        ['ACCOUNT', 'ITEMS'],
        Object.entries(s.lostBodies.byAccount).map(([id, n]) => [names.get(id) ?? id, n]),
      );
  if (codes.length > 0)
    text +=
      '\n' +
      renderTable(
        ['CODE', 'COUNT'],
        codes.map(([c, n]) => [c, n]),
      );
  if (s.truncatedCodes.length > 0)
    text += `\n${s.truncatedCodes.map((c) => `${c}: ${s.byCode[c] ?? 0} found, the first ${s.maxFindingsPerCode} listed`).join('\n')} (the counts above are complete)\n`;
  if (report.quarantine)
    text += `\nquarantine: ${report.quarantine.moved} moved, ${report.quarantine.rewritten} rewritten; manifest ${report.quarantine.manifest}\nundo with: zxb undoFix ${report.root} ${report.quarantine.manifest}\n`;
  if (s.nextCommand) text += `\nnext: ${s.nextCommand}\n`;
  return { findings: report.findings, json, text, failed: s.bySeverity.error > 0, interrupted: s.interrupted };
}

/** E-mail addresses of the accounts named in the summary (their zimbraId where account_info is unreadable). */
async function accountNames(root: string, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  try {
    const backup = await BackupPath.open(root);
    return new Map((await backup.accounts()).map((a) => [a.zimbraId, a.name]));
  } catch {
    return new Map();
  }
}

/** The SARIF file's folder must exist before an hour-long check starts, not fail after it. */
async function checkSarifTarget(file: string): Promise<string> {
  const abs = path.resolve(file);
  const dir = path.dirname(abs);
  const stat = (p: string) => fs.stat(p).catch(() => undefined);
  const parent = await stat(dir);
  if (!parent)
    usageError(
      `--sarif: the folder ${dir} does not exist (create it, or write ${path.basename(abs)} elsewhere)`,
      'io.not-found',
      dir,
    );
  if (!parent.isDirectory()) usageError(`--sarif: ${dir} is not a folder`, 'usage.bad-argument', dir);
  if ((await stat(abs))?.isDirectory())
    usageError(`--sarif: ${abs} is a folder; give a file name`, 'usage.bad-argument', abs);
  return abs;
}

function readOptions(opts: Options): CheckOptions {
  if (!(CHECK_LEVELS as readonly string[]).includes(opts.level))
    usageError(`--level: use structure, metadata or blobs, not "${opts.level}"`);
  const out: CheckOptions = { level: opts.level as CheckLevel, cache: opts.cache };
  if (opts.cache && opts.cacheDir) out.cache = { dir: path.resolve(opts.cacheDir) };
  if (opts.accounts !== undefined) {
    const ids = opts.accounts
      .split(',')
      .map((a) => a.trim())
      .filter((a) => a.length > 0);
    if (ids.length === 0) usageError('--accounts: give one or more zimbraIds or e-mail addresses separated by commas');
    out.accounts = ids;
  }
  if (opts.sample !== undefined) {
    const sample = parseSample(opts.sample);
    if (!sample) usageError(`--sample: use n/t (1 ≤ n ≤ t) or x% (0 < x ≤ 100), not "${opts.sample}"`);
    out.sample = sample;
  }
  if (opts.jobs !== undefined) {
    if (!/^\d{1,3}$/.test(opts.jobs)) usageError(`--jobs: give a number of worker threads, not "${opts.jobs}"`);
    out.jobs = Number(opts.jobs);
  }
  if (!['skip', 'check', 'fix'].includes(opts.fixDoubleGzip))
    usageError(`--fix-double-gzip: use skip, check or fix, not "${opts.fixDoubleGzip}"`);
  out.fixDoubleGzip = opts.fixDoubleGzip as DoubleGzipMode;
  if (!/^\d{1,6}$/.test(opts.retentionDays))
    usageError(`--retention-days: give a number of days, not "${opts.retentionDays}"`);
  out.retentionDays = Number(opts.retentionDays);
  if (opts.fixBackup) out.fixBackup = true;
  return out;
}
