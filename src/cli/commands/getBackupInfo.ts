/** zxb getBackupInfo <path>: what a backup path holds, from listings and summary files. */
import type { Command } from 'commander';
import { describeBackup } from '../../engine';
import { openBackup, type CliContext, type CommandResult } from '../context';
import { envelope, formatBytes, heading, jsonDate, renderKeyValues, renderTable, showDate } from '../output';
import { archiveJson } from '../present';
import type { BackupInfoJson } from '../shapes';
import type { Runner } from '../runner';

export function registerGetBackupInfo(program: Command, run: Runner): void {
  program
    .command('getBackupInfo')
    .description('show what a backup path holds: map files, server archives, domains, accounts, items, BLOBs, dates')
    .argument('<path>', 'the backup path')
    .option('--json', 'print JSON (see docs/cli.md)')
    .action((backupPath: string, _opts: unknown, cmd: Command) => run(cmd, (ctx) => getBackupInfo(ctx, backupPath)));
}

export async function getBackupInfo(ctx: CliContext, root: string): Promise<CommandResult> {
  const backup = await openBackup(root);
  const info = await describeBackup(backup, { zone: ctx.zone, signal: ctx.signal, progress: ctx.progress });
  const perDomain = new Map<string, number>();
  for (const a of await backup.accounts()) if (a.domain) perDomain.set(a.domain, (perDomain.get(a.domain) ?? 0) + 1);
  const z = ctx.zone;
  const json: BackupInfoJson = {
    ...envelope('getBackupInfo', z, info.findings),
    backupPath: info.path,
    mapFiles: info.mapFiles.map((m) => ({
      serverId: m.serverId,
      path: m.path,
      sourceServerId: m.sourceServerId ?? null,
      accounts: m.accounts,
    })),
    serverArchives: info.serverArchives.map((a) => archiveJson(a, z)),
    domains: info.domains.map((name) => ({ name, accounts: perDomain.get(name) ?? 0 })),
    accounts: info.accounts,
    items: info.items,
    blobs: info.blobs,
    firstRunDate: jsonDate(info.firstRunDate, z),
    lastRunDate: jsonDate(info.lastRunDate, z),
    firstTransactionDate: jsonDate(info.firstTransactionDate, z),
    lastTransactionDate: jsonDate(info.lastTransactionDate, z),
  };

  let text = renderKeyValues([
    ['backup path', info.path],
    ['time zone', z],
    [
      'accounts',
      `${info.accounts.total} (active ${info.accounts.active}, deleted ${info.accounts.deleted}, system ${info.accounts.system})`,
    ],
    ['domains', info.domains.length],
    ['item files', info.items.count],
    ['BLOBs', `${info.blobs.count} (${formatBytes(info.blobs.bytes)})`],
    ['first run', showDate(info.firstRunDate, z)],
    ['last run', showDate(info.lastRunDate, z)],
    ['first transaction', showDate(info.firstTransactionDate, z)],
    ['last transaction', showDate(info.lastTransactionDate, z)],
  ]);
  if (json.domains.length > 0)
    text +=
      heading('Domains') +
      renderTable(
        ['DOMAIN', 'ACCOUNTS'],
        json.domains.map((d) => [d.name, d.accounts]),
      );
  if (info.mapFiles.length > 0) {
    text +=
      heading('Map files') +
      renderTable(
        ['FILE', 'SOURCE SERVER', 'ACCOUNTS'],
        info.mapFiles.map((m) => [m.path, m.sourceServerId, m.accounts]),
      );
  }
  if (info.serverArchives.length > 0) {
    text +=
      heading('Server archives') +
      renderTable(
        ['NAME', 'KIND', 'DATE', 'SIZE'],
        info.serverArchives.map((a) => [a.name, a.kind, showDate(a.date, z), formatBytes(a.size)]),
      );
  }
  return { findings: info.findings, json, text, findingsInOutput: true };
}
