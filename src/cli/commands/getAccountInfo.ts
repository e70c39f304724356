/**
 * zxb getAccountInfo <path> <account>: the account's files (account_info,
 * account_stat, backupstat) and its folder tree at a date, with the names the
 * folders had then and the items in each.
 */
import type { Command } from 'commander';
import { accountStatusAt, buildSnapshot, type Finding, type FolderAtTime } from '../../engine';
import { openBackup, readPointDate, type CliContext, type CommandResult } from '../context';
import { envelope, formatBytes, heading, jsonDate, renderKeyValues, renderTable, showDate } from '../output';
import { accountJson, accountStatJson, backupStatJson, redactSecrets, typeNameOf } from '../present';
import type { AccountInfoJson, FolderJson } from '../shapes';
import type { Runner } from '../runner';

interface Options {
  date?: string;
}

export function registerGetAccountInfo(program: Command, run: Runner): void {
  program
    .command('getAccountInfo')
    .description("show an account's account_info, account_stat, backupstat and its folder tree at a date")
    .argument('<path>', 'the backup path')
    .argument('<account>', 'e-mail address or zimbraId')
    .option('--date <date>', 'dd/MM/yyyy HH:mm:ss, ISO 8601, first or last', 'last')
    .option('--json', 'print JSON (see docs/cli.md)')
    .action((backupPath: string, account: string, opts: Options, cmd: Command) =>
      run(cmd, (ctx) => getAccountInfo(ctx, backupPath, account, opts)),
    );
}

/** Folders depth-first, in the snapshot's order (system folders first, then by name). */
function flatten(roots: readonly FolderAtTime[]): FolderAtTime[] {
  const out: FolderAtTime[] = [];
  const visit = (f: FolderAtTime, depth: number): void => {
    out.push(f);
    if (depth < 256) for (const c of f.children) visit(c, depth + 1);
  };
  for (const r of roots) visit(r, 0);
  return out;
}

export async function getAccountInfo(
  ctx: CliContext,
  root: string,
  accountArg: string,
  opts: Options,
): Promise<CommandResult> {
  const z = ctx.zone;
  const when = readPointDate('--date', opts.date, z);
  const backup = await openBackup(root);
  const account = await backup.requireAccount(accountArg);
  const read = await backup.readAllItems(account.zimbraId, { signal: ctx.signal, progress: ctx.progress });
  const findings: Finding[] = [...account.findings, ...read.findings];
  for (const h of read.items) findings.push(...h.findings);

  const snap = buildSnapshot(read.items, when);
  const deletedByFolder = new Map<number, number>();
  for (const d of snap.deleted)
    if (d.folderId !== undefined) deletedByFolder.set(d.folderId, (deletedByFolder.get(d.folderId) ?? 0) + 1);
  const folders: FolderJson[] = flatten(snap.roots).map((f) => ({
    id: f.id,
    name: f.name,
    path: f.path,
    parentId: f.parentId ?? null,
    typeName: typeNameOf(f.type) ?? 'folder',
    items: f.items.length,
    deletedItems: deletedByFolder.get(f.id) ?? 0,
  }));
  const info = account.info;
  const json: AccountInfoJson = {
    ...envelope('getAccountInfo', z, findings),
    backupPath: backup.root,
    account: accountJson(account, z),
    accountInfo: info
      ? { cos: info.cos ?? null, attributes: redactSecrets(info.attributes), extra: redactSecrets(info.extra) }
      : null,
    accountStat: account.stat ? accountStatJson(account.stat, z) : null,
    backupStat: account.backupStat ? backupStatJson(account.backupStat, z) : null,
    snapshot: {
      date: snap.at === undefined ? 'last' : jsonDate(snap.at, z)!,
      accountStatus: accountStatusAt(account, snap.at),
      itemFiles: read.items.length,
      liveItems: snap.itemCount,
      deletedItems: snap.deleted.length,
      unplacedItems: snap.unplaced.length,
      folders,
    },
  };

  let text = renderKeyValues([
    ['account', account.name],
    ['zimbraId', account.zimbraId],
    ['display name', account.displayName],
    ['status', account.status],
    ...(snap.at !== undefined
      ? ([[`status at ${showDate(snap.at, z)}`, accountStatusAt(account, snap.at)]] as [string, string][])
      : []),
    ['system account', account.isSystem],
    ['class of service', info?.cos],
    ['created', showDate(account.createdDate, z)],
    ['deleted', showDate(account.deletedDate, z)],
  ]);
  const s = account.stat;
  if (s) {
    text +=
      heading('account_stat') +
      renderKeyValues([
        ['item count', s.itemCount],
        ['last item id', s.lastItemId],
        ['last scan', showDate(s.lastScanDate, z)],
        ['first transaction', showDate(s.firstTransactionDate, z)],
        ['last transaction', showDate(s.lastTransactionDate, z)],
        [
          'BLOBs',
          s.blobCount === undefined
            ? undefined
            : `${s.blobCount}${s.blobBytes === undefined ? '' : ` (${formatBytes(s.blobBytes)})`}`,
        ],
      ]);
  }
  const b = account.backupStat;
  if (b) {
    text +=
      heading('backupstat') +
      renderKeyValues([
        ['first run', showDate(b.firstRunDate, z)],
        ['last run', showDate(b.lastRunDate, z)],
        ['server id', b.serverId],
        ['backup version', b.backupVersion],
        ['SmartScan runs', b.smartScanCount],
      ]);
  }
  text += heading(`Folders at ${snap.at === undefined ? 'the latest state' : `${showDate(snap.at, z)} (${z})`}`);
  text += renderTable(
    ['PATH', 'ID', 'ITEMS', 'DELETED'],
    folders.map((f) => [f.path, f.id, f.items, f.deletedItems]),
  );
  text += `\n${read.items.length} item files; at that date ${snap.itemCount} live, ${snap.deleted.length} deleted, ${snap.unplaced.length} in no known folder\n`;
  return { findings, json, text, findingsInOutput: true };
}
