/**
 * zxb diff <path> <account> <D1> <D2>: what happened to a mailbox between two moments —
 * items and folders added, deleted, restored, moved, renamed, re-flagged — from the item
 * catalogue (brought up to date first), or from the item files by the point-in-time
 * evaluator where no SQLite driver loads or with --no-catalogue: the same answer.
 */
import type { Command } from 'commander';
import {
  EngineError,
  catalogueDiff,
  historiesDiff,
  openCatalogue,
  type AccountDiff,
  type DiffEntry,
  type DiffSide,
  type Finding,
} from '../../engine';
import { openBackup, readPointDate, type CliContext, type CommandResult } from '../context';
import { envelope, jsonDate, renderTable, showDate } from '../output';
import type { DiffEntryJson, DiffJson, DiffSideJson } from '../shapes';
import type { Runner } from '../runner';

interface Options {
  catalogue: boolean;
}

export function registerDiff(program: Command, run: Runner): void {
  program
    .command('diff')
    .description(
      'what changed in an account between two moments: items and folders added, deleted, moved, renamed, re-flagged',
    )
    .argument('<path>', 'the backup path')
    .argument('<account>', 'e-mail address or zimbraId')
    .argument('<from>', 'the earlier moment: dd/MM/yyyy HH:mm:ss, ISO 8601, first or last')
    .argument('<to>', 'the later moment')
    .option('--no-catalogue', 'read the item files instead of using the item catalogue')
    .option('--json', 'print JSON (see docs/cli.md)')
    .action((backupPath: string, account: string, from: string, to: string, opts: Options, cmd: Command) =>
      run(cmd, (ctx) => diffCommand(ctx, backupPath, account, from, to, opts)),
    );
}

function sideJson(s: DiffSide | undefined): DiffSideJson | null {
  if (!s) return null;
  return {
    status: s.status,
    folderId: s.folderId ?? null,
    folderPath: s.folderPath ?? null,
    name: s.name,
    flags: s.flags ?? null,
  };
}

function entryJson(e: DiffEntry): DiffEntryJson {
  return {
    id: e.id,
    file: e.path,
    type: e.type ?? null,
    typeName: e.typeName,
    changes: e.changes,
    before: sideJson(e.before),
    after: sideJson(e.after),
  };
}

export async function diffCommand(
  ctx: CliContext,
  root: string,
  accountArg: string,
  fromText: string,
  toText: string,
  opts: Options,
): Promise<CommandResult> {
  const z = ctx.zone;
  const from = readPointDate('<from>', fromText, z);
  const to = readPointDate('<to>', toText, z);
  const backup = await openBackup(root);
  const account = await backup.requireAccount(accountArg);
  const findings: Finding[] = [];
  let sourceNote: string | null = opts.catalogue ? null : '--no-catalogue';
  let diff: AccountDiff | undefined;
  let source: 'catalogue' | 'scan' = 'scan';
  if (opts.catalogue) {
    try {
      const cat = await openCatalogue(backup);
      try {
        if (cat.rebuilt) sourceNote = `the catalogue was rebuilt: ${cat.rebuilt.reason}`;
        const r = await cat.indexAccount(account.zimbraId, { signal: ctx.signal, progress: ctx.progress });
        findings.push(...r.findings);
        diff = catalogueDiff(cat, account.zimbraId, from, to);
        source = 'catalogue';
      } finally {
        cat.close();
      }
    } catch (err) {
      if (!(err instanceof EngineError) || err.finding.code !== 'io.cache-unavailable') throw err;
      findings.push(err.finding);
      sourceNote = err.finding.message;
    }
  }
  if (!diff) {
    const { items, findings: read } = await backup.readAllItems(account.zimbraId, {
      signal: ctx.signal,
      progress: ctx.progress,
    });
    findings.push(...read);
    diff = historiesDiff(items, from, to);
  }
  const point = (p: AccountDiff['from']): string => (p.kind === 'instant' ? jsonDate(p.at, z)! : 'last');
  const counts = Object.fromEntries(
    (['added', 'deleted', 'restored', 'moved', 'renamed', 'reflagged'] as const).map((c) => [
      c,
      [...diff.items, ...diff.folders].filter((e) => e.changes.includes(c)).length,
    ]),
  ) as DiffJson['counts'];
  const json: DiffJson = {
    ...envelope('diff', z, findings),
    backupPath: backup.root,
    account: { zimbraId: account.zimbraId, name: account.name },
    from: point(diff.from),
    to: point(diff.to),
    source,
    sourceNote,
    counts,
    folders: diff.folders.map(entryJson),
    items: diff.items.map(entryJson),
  };
  const where = (s: DiffSide | undefined): string | null =>
    s ? (s.folderPath ?? (s.folderId !== undefined ? `(folder ${s.folderId})` : null)) : null;
  const rows = [...diff.folders, ...diff.items].map((e) => [
    e.id,
    e.typeName,
    e.changes.join(', '),
    where(e.before),
    where(e.after),
    e.before && e.after && e.before.name !== e.after.name
      ? `${e.before.name} → ${e.after.name}`
      : (e.after ?? e.before)!.name,
  ]);
  const shown = (p: AccountDiff['from']): string => (p.kind === 'instant' ? showDate(p.at, z) : 'the latest state');
  let text = renderTable(['ID', 'TYPE', 'CHANGES', 'FOLDER BEFORE', 'FOLDER AFTER', 'NAME / SUBJECT'], rows);
  text += `\n${shown(diff.from)} → ${shown(diff.to)}: ${Object.entries(counts)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ')} (${source === 'catalogue' ? 'from the item catalogue' : 'from the item files'})\n`;
  if (rows.length > 0) text += `each item's history: zxb getItem ${backup.root} ${account.name} <ID> --date all\n`;
  if (sourceNote) text += `note: ${sourceNote}\n`;
  return { findings, json, text, findingsInOutput: true };
}
