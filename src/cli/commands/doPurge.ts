/**
 * zxb doPurge <path> [--purge-days N] [--apply]: lists what is past the retention (items
 * deleted longer ago, the BLOBs only they referenced, old server archives); with --apply
 * removes it under the backup lock, journaled in .zxb-state/purge/. A rerun after a crash
 * or Ctrl-C finishes an interrupted purge. --purge-days 0 is infinite retention.
 */
import type { Command } from 'commander';
import { DEFAULT_RETENTION_DAYS, runPurge, type PurgeResult } from '../../engine';
import { readInstant, type CliContext, type CommandResult } from '../context';
import { usageError } from '../errors';
import { envelope, formatBytes, heading, jsonDate, renderKeyValues, renderTable, showDate } from '../output';
import type { Runner } from '../runner';
import type { PurgeJson } from '../shapes';

interface Options {
  purgeDays: string;
  apply?: boolean;
  now?: string;
  json?: boolean;
}

export function registerDoPurge(program: Command, run: Runner): void {
  program
    .command('doPurge')
    .description(
      'list (or with --apply remove) what is past the retention: deleted items, their BLOBs, old server archives',
    )
    .argument('<path>', 'the backup path')
    .option('--purge-days <n>', 'retention in days; 0 = infinite (nothing is purged)', String(DEFAULT_RETENTION_DAYS))
    .option('--apply', 'remove what is listed (journaled in .zxb-state/purge/; without it nothing is written)')
    .option('--now <date>', 'measure the retention from this instant instead of the clock (not in the future)')
    .option('--json', 'print JSON (see docs/cli.md)')
    .action((backupPath: string, opts: Options, cmd: Command) => run(cmd, (ctx) => doPurge(ctx, backupPath, opts)));
}

export async function doPurge(ctx: CliContext, root: string, opts: Options): Promise<CommandResult> {
  const z = ctx.zone;
  if (!/^\d{1,6}$/.test(opts.purgeDays)) usageError(`--purge-days: give a number of days, not "${opts.purgeDays}"`);
  const purgeDays = Number(opts.purgeDays);
  const clock = Date.now();
  const now = readInstant('--now', opts.now, z) ?? clock;
  if (now > clock) usageError('--now: a purge cannot measure the retention from the future', 'usage.bad-date');
  const r = await runPurge(root, {
    purgeDays,
    now,
    zone: z,
    apply: opts.apply === true,
    progress: ctx.progress,
    signal: ctx.signal,
  });
  const json = toJson(r, z);
  return { findings: r.plan.findings, json, text: toText(r, json, z), interrupted: r.interrupted };
}

function toJson(r: PurgeResult, z: string): PurgeJson {
  const entries = r.plan.entries;
  const count = (k: string): number => entries.filter((e) => e.kind === k).length;
  return {
    ...envelope('doPurge', z, r.plan.findings),
    backupPath: r.root,
    purgeDays: r.plan.purgeDays,
    now: jsonDate(r.plan.now, z)!,
    apply: r.applied,
    infiniteRetention: r.infiniteRetention,
    resumedJournals: r.resumed,
    journal: r.journal ?? null,
    entries: entries.map((e) => ({
      kind: e.kind,
      path: e.path,
      bytes: e.bytes,
      account: e.account ?? null,
      date: jsonDate(e.date, z),
      reason: e.reason,
    })),
    kept: r.plan.kept.map((k) => ({ path: k.path, account: k.account ?? null, reason: k.reason, count: k.count })),
    legalHoldAccounts: r.plan.heldAccounts,
    totals: {
      items: count('item') + count('drive-item'),
      blobs: count('blob'),
      archives: count('archive'),
      idMapperFiles: count('id-mapper-lines'),
      bytes: entries.reduce((n, e) => n + e.bytes, 0),
    },
    removed: r.removed,
    gone: r.gone,
    skipped: r.skipped,
    interrupted: r.interrupted,
  };
}

const KEPT_WHY: Record<string, string> = {
  'legal-hold': 'the account is under legal hold',
  'legal-hold-unknown': 'account_info cannot be read: kept as if under legal hold',
  'folder-in-use': 'a kept item is or was filed in this folder',
  'newest-archive': 'the newest server archive is always kept',
};

function toText(r: PurgeResult, j: PurgeJson, z: string): string {
  if (r.infiniteRetention) return 'purge days 0: infinite retention, nothing is ever purged\n';
  const t = j.totals;
  const what = `${t.items} item files, ${t.blobs} BLOBs, ${t.archives} server archives, lines in ${t.idMapperFiles} id_mapper.log (${formatBytes(t.bytes)})`;
  let text = renderKeyValues([
    ['backup path', r.root],
    ['retention', `${r.plan.purgeDays} days before ${showDate(r.plan.now, z)}`],
    [r.applied ? 'removed' : 'would remove', r.applied ? `${r.removed} of ${j.entries.length}: ${what}` : what],
    ...(r.resumed.length > 0
      ? ([['finishes', `the interrupted purge of ${r.resumed.join(', ')}`]] as [string, string][])
      : []),
    ...(r.journal ? ([['journal', r.journal]] as [string, string][]) : []),
    ...(r.gone + r.skipped > 0
      ? ([['not removed', `${r.gone} already gone, ${r.skipped} changed since planned`]] as [string, string][])
      : []),
    ['legal hold', r.plan.heldAccounts.length > 0 ? r.plan.heldAccounts.join(', ') : 'none'],
  ]);
  if (j.entries.length > 0)
    text +=
      heading(r.applied ? 'Removed' : 'Would remove') +
      renderTable(
        ['KIND', 'PATH', 'BYTES', 'DATE'],
        j.entries.map((e, i) => [e.kind, e.path, r.plan.entries[i]!.bytes, showDate(r.plan.entries[i]!.date, z)]),
      );
  if (j.kept.length > 0)
    text +=
      heading('Kept although due') +
      renderTable(
        ['PATH', 'ITEMS', 'WHY'],
        j.kept.map((k) => [k.path, k.count, KEPT_WHY[k.reason] ?? k.reason]),
      );
  if (r.interrupted)
    text += `\ninterrupted: ${r.removed} removed; run zxb doPurge ${r.root}${r.applied ? ' --apply' : ''} again to finish\n`;
  else if (!r.applied && j.entries.length > 0)
    text += `\nremove them with: zxb doPurge ${r.root} --purge-days ${r.plan.purgeDays} --apply\n`;
  return text;
}
