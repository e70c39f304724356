/**
 * zxb getServerConfig <path> customizations: the server archives under server/
 * and the contents of the one valid at a date (or of all of them).
 */
import type { Command } from 'commander';
import {
  archiveAt,
  listArchiveContents,
  listServerArchives,
  throwIfCancelled,
  type Finding,
  type ServerArchive,
} from '../../engine';
import { openBackup, readDate, type CliContext, type CommandResult } from '../context';
import { usageError } from '../errors';
import { envelope, formatBytes, heading, jsonDate, renderTable, showDate } from '../output';
import { archiveJson } from '../present';
import type { ServerConfigJson } from '../shapes';
import type { Runner } from '../runner';

interface Options {
  date?: string;
}

export function registerGetServerConfig(program: Command, run: Runner): void {
  program
    .command('getServerConfig')
    .description('list the server archives and the contents of the one valid at a date')
    .argument('<path>', 'the backup path')
    .argument('<section>', 'customizations (the only section kept as files in a backup path)')
    .option('--date <date>', 'dd/MM/yyyy HH:mm:ss, ISO 8601, first, last or all', 'last')
    .option('--json', 'print JSON (see docs/cli.md)')
    .action((backupPath: string, section: string, opts: Options, cmd: Command) =>
      run(cmd, (ctx) => getServerConfig(ctx, backupPath, section, opts)),
    );
}

export async function getServerConfig(
  ctx: CliContext,
  root: string,
  section: string,
  opts: Options,
): Promise<CommandResult> {
  const z = ctx.zone;
  if (section !== 'customizations') {
    usageError(`section "${section}" is not supported: only "customizations" archives are files in a backup path`);
  }
  const spec = readDate('--date', opts.date, z);
  const backup = await openBackup(root);
  const listing = await listServerArchives(backup.root, z);
  const findings: Finding[] = [...listing.findings];
  const customizations = listing.archives.filter((a) => a.kind === 'customizations' && a.date !== undefined);
  let chosen: ServerArchive[];
  if (spec.kind === 'all') chosen = customizations;
  else if (spec.kind === 'first') chosen = customizations.slice(0, 1);
  else if (spec.kind === 'last') chosen = customizations.slice(-1);
  else {
    const a = archiveAt(customizations, spec.at);
    chosen = a ? [a] : [];
  }

  const selected: ServerConfigJson['selected'] = [];
  for (const a of chosen) {
    throwIfCancelled(ctx.signal);
    const contents = await listArchiveContents(backup.root, a.path);
    if (!contents.ok) findings.push(contents.finding);
    selected.push({
      ...archiveJson(a, z),
      entries: contents.ok
        ? contents.entries.map((e) => ({ path: e.path, size: e.size, type: e.type, mtime: jsonDate(e.mtime, z) }))
        : null,
    });
  }
  const json: ServerConfigJson = {
    ...envelope('getServerConfig', z, findings),
    backupPath: backup.root,
    section: 'customizations',
    date: spec.kind === 'instant' ? jsonDate(spec.at, z)! : spec.kind,
    archives: listing.archives.map((a) => archiveJson(a, z)),
    selected,
  };

  let text = renderTable(
    ['ARCHIVE', 'KIND', `DATE (${z})`, 'SIZE'],
    listing.archives.map((a) => [a.path, a.kind, showDate(a.date, z), formatBytes(a.size)]),
  );
  if (listing.archives.length === 0) text = 'no server archives in server/ or servers/\n';
  if (chosen.length === 0 && customizations.length > 0 && spec.kind === 'instant')
    text += `\nno customizations archive was made at or before ${showDate(spec.at, z)}\n`;
  for (const s of selected) {
    text += heading(`${s.path} (${showDate(customizations.find((c) => c.path === s.path)?.date, z)})`);
    text += s.entries
      ? renderTable(
          ['ENTRY', 'TYPE', 'SIZE'],
          s.entries.map((e) => [e.path, e.type, e.size]),
        )
      : 'cannot be read (see the findings)\n';
  }
  // Exit 1 when an archive asked for cannot be read; other archives' findings are only reported.
  return { findings, json, text, failed: selected.some((s) => s.entries === null) };
}
