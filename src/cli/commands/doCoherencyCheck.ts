/**
 * zxb doCoherencyCheck <path>: every kind of damage in a backup path, read-only
 * unless --fix-backup / --fix-double-gzip fix. Exit codes: 0 no errors, 1 errors
 * found, 2 usage or I/O error, 3 interrupted (the partial results are printed).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import type { Command } from 'commander';
import { CHECK_LEVELS, parseSample, runCoherencyCheck, toSarif, type CheckLevel, type CheckOptions, type CheckReport, type DoubleGzipMode, type ProgressEvent, type ProgressSink } from '../../engine';
import type { CliContext, CommandResult } from '../context';
import { usageError } from '../errors';
import { envelope, formatBytes, renderKeyValues, renderTable } from '../output';
import type { Runner } from '../runner';

export const CHECK_EXIT = { OK: 0, ERRORS: 1, USAGE: 2, INTERRUPTED: 3 } as const;
const PROGRESS_MODES = ['auto', 'json', 'none'] as const;
type ProgressMode = (typeof PROGRESS_MODES)[number] | 'lines';

interface Options {
  accounts?: string;
  level: string;
  sample?: string;
  json?: boolean;
  sarif?: string;
  progress?: string | boolean;
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
    .option('--accounts <ids>', 'only these accounts (comma-separated zimbraIds) and the BLOBs they reference')
    .option('--level <level>', 'structure | metadata | blobs', 'metadata')
    .option('--sample <spec>', 'verify a slice of the BLOBs: n/t (deterministic) or x% (random)')
    .option('--json', 'print JSON: findings and summary (see docs/check.md)')
    .option('--sarif <file>', 'also write SARIF 2.1.0 to this file')
    .option('--progress <mode>', 'auto (a bar on a terminal) | json (JSON lines on stderr) | none')
    .option('--jobs <n>', 'worker threads (default: the number of cores; 0: none)')
    .option('--no-cache', 'ignore the results of earlier runs')
    .option('--cache-dir <dir>', 'where results are remembered (default $ZXB_CACHE_DIR or ~/.cache/zxbackup-inspector)')
    .option('--fix-backup', 'move unusable item metadata and orphan BLOBs into a quarantine folder with a manifest')
    .option('--fix-double-gzip <mode>', 'skip | check | fix (rewrite crash-safely, original kept in the quarantine)', 'check')
    .option('--retention-days <n>', 'items deleted longer ago are reported as purge due', '30')
    // The program's own --progress flag takes no value, so `--progress json` reaches us as an extra operand.
    .allowExcessArguments(true)
    .action((backupPath: string, opts: Options, cmd: Command) => run(cmd, (ctx) => doCoherencyCheck(ctx, backupPath, opts, cmd)));
}

export async function doCoherencyCheck(ctx: CliContext, root: string, opts: Options, cmd?: Command): Promise<CommandResult> {
  const checkOpts = readOptions(opts);
  // This process only walks and collects: small semi-spaces keep its peak RSS low (docs/check.md).
  v8.setFlagsFromString('--max-semi-space-size=1');
  const mode = progressMode(opts, cmd);
  const view = progressReporter(mode);
  let report: CheckReport;
  try {
    report = await runCoherencyCheck(root, checkOpts, { progress: view.sink, signal: ctx.signal });
  } finally {
    view.done();
  }
  if (opts.sarif) {
    const sarif = toSarif(report, { name: 'zxb doCoherencyCheck', version: '0.1.0', informationUri: 'https://github.com/zxbackup-tools/zxbackup-inspector' });
    await fs.writeFile(path.resolve(opts.sarif), JSON.stringify(sarif, null, 2) + '\n');
  }
  const s = report.summary;
  const json = { ...envelope('doCoherencyCheck', ctx.zone, report.findings), backupPath: report.root, summary: s, quarantine: report.quarantine ?? null };
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
    ['interrupted', s.interrupted ? 'yes: partial results' : 'no'],
  ]);
  if (codes.length > 0) text += '\n' + renderTable(['CODE', 'COUNT'], codes.map(([c, n]) => [c, n]));
  if (s.truncatedCodes.length > 0) text += `\nonly the first ${s.maxFindingsPerCode} findings of ${s.truncatedCodes.join(', ')} are listed (all are counted)\n`;
  if (report.quarantine) text += `\nquarantine: ${report.quarantine.moved} moved, ${report.quarantine.rewritten} rewritten; manifest ${report.quarantine.manifest}\nundo with: zxb undoFix ${report.root} ${report.quarantine.manifest}\n`;
  if (s.nextCommand) text += `\nnext: ${s.nextCommand}\n`;
  const exitCode = s.interrupted ? CHECK_EXIT.INTERRUPTED : s.bySeverity.error > 0 ? CHECK_EXIT.ERRORS : CHECK_EXIT.OK;
  return { findings: report.findings, json, text, exitCode };
}

function readOptions(opts: Options): CheckOptions {
  if (!(CHECK_LEVELS as readonly string[]).includes(opts.level)) usageError(`--level: use structure, metadata or blobs, not "${opts.level}"`);
  const out: CheckOptions = { level: opts.level as CheckLevel, cache: opts.cache };
  if (opts.cache && opts.cacheDir) out.cache = { dir: path.resolve(opts.cacheDir) };
  if (opts.accounts !== undefined) {
    const ids = opts.accounts.split(',').map((a) => a.trim()).filter((a) => a.length > 0);
    if (ids.length === 0) usageError('--accounts: give one or more zimbraIds separated by commas');
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
  if (!['skip', 'check', 'fix'].includes(opts.fixDoubleGzip)) usageError(`--fix-double-gzip: use skip, check or fix, not "${opts.fixDoubleGzip}"`);
  out.fixDoubleGzip = opts.fixDoubleGzip as DoubleGzipMode;
  if (!/^\d{1,6}$/.test(opts.retentionDays)) usageError(`--retention-days: give a number of days, not "${opts.retentionDays}"`);
  out.retentionDays = Number(opts.retentionDays);
  if (opts.fixBackup) out.fixBackup = true;
  return out;
}

function progressMode(opts: Options, cmd: Command | undefined): ProgressMode {
  const extra = cmd ? cmd.args.slice(1) : [];
  let value = opts.progress;
  if (value === undefined && cmd) {
    const globalFlag = cmd.optsWithGlobals<{ progress?: boolean | string }>().progress;
    if (globalFlag === true && extra[0] !== undefined && (PROGRESS_MODES as readonly string[]).includes(extra[0])) value = extra.shift();
    else if (globalFlag === true) value = 'lines';
  }
  if (extra.length > 0) usageError(`unexpected argument "${extra[0]}"`);
  if (value === undefined || value === true) return 'auto';
  if (value === 'lines' || (PROGRESS_MODES as readonly string[]).includes(value as string)) return value as ProgressMode;
  usageError(`--progress: use auto, json or none, not "${String(value)}"`);
}

/** Progress on stderr: a bar with an ETA on a terminal, JSON lines, plain lines, or nothing. */
function progressReporter(mode: ProgressMode): { sink: ProgressSink; done(): void } {
  const tty = process.stderr.isTTY === true;
  if (mode === 'none' || (mode === 'auto' && !tty)) return { sink: () => undefined, done: () => undefined };
  const started = Date.now();
  let phaseStart = started;
  let phase = '';
  let drawn = false;
  const sink: ProgressSink = (e: ProgressEvent) => {
    if (e.phase !== phase) {
      phase = e.phase;
      phaseStart = Date.now();
    }
    const elapsed = Date.now() - phaseStart;
    const eta = e.total && e.done > 0 && e.done < e.total ? Math.round(((elapsed / e.done) * (e.total - e.done)) / 1000) : undefined;
    if (mode === 'json') {
      process.stderr.write(JSON.stringify({ type: 'progress', ...e, elapsedMs: Date.now() - started, ...(eta !== undefined ? { etaSeconds: eta } : {}) }) + '\n');
      return;
    }
    const frac = e.total ? Math.min(1, e.done / e.total) : undefined;
    const bar = frac === undefined ? '' : `[${'#'.repeat(Math.round(frac * 24)).padEnd(24, '.')}] `;
    const line = `${e.phase} ${bar}${e.done}${e.total !== undefined ? `/${e.total}` : ''}${e.bytes ? ` ${formatBytes(e.bytes)}` : ''}${e.message ? ` ${e.message}` : ''}${eta !== undefined ? ` ETA ${eta} s` : ''}`;
    if (mode === 'lines') process.stderr.write(`progress: ${line}\n`);
    else {
      process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns ?? 100) - 1)}`);
      drawn = true;
    }
  };
  return {
    sink,
    done: () => {
      if (drawn) process.stderr.write('\r\x1b[2K');
    },
  };
}
