/**
 * zxb doItemSearch <path> <account>: a scan over the account's item files (no index
 * yet). Text matches case-insensitively the subject, name, sender or recipients of
 * any transaction; type, deletion and dates are judged on the state at --date.
 * Defaults follow zxsuite: messages only, deleted only.
 */
import { Option, type Command } from 'commander';
import {
  FOLDER_LIKE_TYPES,
  buildSnapshot,
  firstTransaction,
  folderPath,
  itemTitle,
  itemTypeCode,
  stateAt,
  throwIfCancelled,
  type Finding,
  type ItemHistory,
} from '../../engine';
import { usageError } from '../errors';
import {
  openBackup,
  readInstant,
  readPointDate,
  type CliContext,
  type CommandResult,
  type PointSpec,
} from '../context';
import { envelope, jsonDate, renderTable, showDate } from '../output';
import { typeNameOf } from '../present';
import {
  SEARCH_FILTERS,
  SEARCH_TYPES,
  type ItemSearchJson,
  type SearchFilter,
  type SearchResultJson,
  type SearchType,
} from '../shapes';
import type { Runner } from '../runner';

interface Options {
  searchString?: string;
  type: SearchType;
  before?: string;
  after?: string;
  searchFilter: SearchFilter;
  date?: string;
  /** --search-filter was not given: say that only deleted items were searched. */
  filterIsDefault?: boolean;
}

export function registerDoItemSearch(program: Command, run: Runner): void {
  program
    .command('doItemSearch')
    .description("search an account's items (a scan of its item files)")
    .argument('<path>', 'the backup path')
    .argument('<account>', 'e-mail address or zimbraId')
    .option('--search-string <text>', 'case-insensitive text in the subject, name, sender or recipients of any state')
    .addOption(new Option('--type <type>', 'item type').choices(SEARCH_TYPES).default('message'))
    .option('--before <date>', 'item date before this (dd/MM/yyyy HH:mm:ss or ISO 8601)')
    .option('--after <date>', 'item date at or after this')
    .addOption(
      new Option('--search-filter <filter>', 'deletion state at --date').choices(SEARCH_FILTERS).default('deleted'),
    )
    .option('--date <date>', 'the date whose state is judged: dd/MM/yyyy HH:mm:ss, ISO 8601, first or last', 'last')
    .option('--json', 'print JSON (see docs/cli.md)')
    .action((backupPath: string, account: string, opts: Options, cmd: Command) =>
      run(cmd, (ctx) =>
        doItemSearch(ctx, backupPath, account, {
          ...opts,
          filterIsDefault: cmd.getOptionValueSource('searchFilter') === 'default',
        }),
      ),
    );
}

/** What is known of a matching item before folder paths are resolved. */
interface Hit {
  result: SearchResultJson;
  folderId?: number;
}

function matchesText(h: ItemHistory, needle: string | undefined): boolean {
  if (!needle) return true;
  return h.transactions.some((tx) =>
    [tx.subject, tx.name, tx.sender, tx.recipients].some((v) => v !== undefined && v.toLowerCase().includes(needle)),
  );
}

export async function doItemSearch(
  ctx: CliContext,
  root: string,
  accountArg: string,
  opts: Options,
): Promise<CommandResult> {
  const z = ctx.zone;
  const whenArg = readPointDate('--date', opts.date, z);
  const before = readInstant('--before', opts.before, z);
  const after = readInstant('--after', opts.after, z);
  // Items are kept when after ≤ date < before: with after ≥ before none can be.
  if (before !== undefined && after !== undefined && after >= before) {
    usageError(
      `--after ${showDate(after, z)} is not earlier than --before ${showDate(before, z)}: no item can match; swap them?`,
      'usage.bad-date',
    );
  }
  const needle = opts.searchString?.toLowerCase();
  const typeCode = opts.type === 'all' ? undefined : itemTypeCode(opts.type);
  const backup = await openBackup(root);
  const account = await backup.requireAccount(accountArg);

  const findings: Finding[] = [];
  const folderHistories: ItemHistory[] = [];
  const candidates: ItemHistory[] = [];
  let scanned = 0;
  let firstStart: number | undefined;
  for await (const ref of backup.itemFiles(account.zimbraId, ctx.signal, findings)) {
    const h = await backup.readItemAt(ref.path, { fileItemId: ref.itemId });
    if (++scanned % 200 === 0) {
      throwIfCancelled(ctx.signal);
      ctx.progress({ phase: 'scanning items', done: scanned });
    }
    if (!h) continue;
    findings.push(...h.findings);
    const start = firstTransaction(h)?.start;
    if (start !== undefined && (firstStart === undefined || start < firstStart)) firstStart = start;
    const type = h.transactions.find((t) => t.type !== undefined)?.type;
    if (type !== undefined && FOLDER_LIKE_TYPES.has(type)) folderHistories.push(h);
    if ((typeCode === undefined || type === typeCode) && matchesText(h, needle)) candidates.push(h);
  }
  // `first` is the account's first transaction, known only once every file was read.
  const when: Exclude<PointSpec, { kind: 'first' }> =
    whenArg.kind === 'first'
      ? firstStart === undefined
        ? { kind: 'last' }
        : { kind: 'instant', at: firstStart }
      : whenArg;

  const hits: Hit[] = [];
  for (const h of candidates) {
    const state = stateAt(h, when);
    const tx = state.transaction;
    if (!tx || (state.status !== 'live' && state.status !== 'deleted')) continue;
    const deleted = state.status === 'deleted';
    if ((opts.searchFilter === 'deleted' && !deleted) || (opts.searchFilter === 'not_deleted' && deleted)) continue;
    const date = tx.date !== undefined ? tx.date * 1000 : firstTransaction(h)?.start;
    if (before !== undefined && (date === undefined || date >= before)) continue;
    if (after !== undefined && (date === undefined || date < after)) continue;
    const id = tx.itemId ?? h.fileItemId ?? -1;
    const hit: Hit = {
      result: {
        id,
        type: tx.type ?? null,
        typeName: typeNameOf(tx.type) ?? 'unknown',
        folderId: tx.folderId ?? null,
        folderPath: null,
        date: jsonDate(date, z),
        deleted,
        subject: itemTitle(tx),
        file: h.path,
      },
    };
    if (tx.folderId !== undefined) hit.folderId = tx.folderId;
    hits.push(hit);
  }
  const folders = buildSnapshot(folderHistories, when);
  for (const hit of hits)
    if (hit.folderId !== undefined) hit.result.folderPath = folderPath(folders, hit.folderId) ?? null;
  const results = hits.map((h) => h.result).sort((a, b) => a.id - b.id);

  const json: ItemSearchJson = {
    ...envelope('doItemSearch', z, findings),
    backupPath: backup.root,
    account: { zimbraId: account.zimbraId, name: account.name },
    query: {
      searchString: opts.searchString ?? null,
      type: opts.type,
      before: jsonDate(before, z),
      after: jsonDate(after, z),
      searchFilter: opts.searchFilter,
      date: when.kind === 'instant' ? jsonDate(when.at, z)! : 'last',
    },
    scannedItems: scanned,
    results,
  };
  let text = renderTable(
    ['ID', 'TYPE', 'FOLDER', `DATE (${z})`, 'DELETED', 'SUBJECT'],
    results.map((r) => [
      r.id,
      r.typeName,
      r.folderPath ?? (r.folderId === null ? null : `(folder ${r.folderId})`),
      r.date === null ? null : showDate(Date.parse(r.date), z),
      r.deleted,
      r.subject,
    ]),
  );
  const what = `${opts.type === 'all' ? 'items' : `${opts.type} items`}, ${opts.searchFilter === 'all' ? 'deleted or not' : opts.searchFilter.replace('_', ' ')}`;
  text += `\n${results.length} of ${scanned} item files match (${what}, state at ${when.kind === 'last' ? 'the latest date' : showDate(when.at, z)})\n`;
  if (opts.filterIsDefault)
    text +=
      'only deleted items are searched by default, as in zxsuite: --search-filter all for every item, not_deleted for the live ones\n';
  return { findings, json, text, findingsInOutput: true };
}
