/**
 * zxb doItemSearch <path> <account|all>: served from the item catalogue (brought up to
 * date incrementally first; FTS5 for the text), or, where no SQLite driver loads or with
 * --no-catalogue, from a scan of the item files: the same results either way
 * (src/engine/catalogue/search.ts). Text matches case-insensitively the subject, name,
 * sender or recipients of any transaction; type, deletion and dates are judged on the
 * state at --date. Defaults follow zxsuite: messages only, deleted only.
 */
import { Option, type Command } from 'commander';
import {
  EngineError,
  itemTypeCode,
  openCatalogue,
  searchAccountItems,
  type AccountSummary,
  type Catalogue,
  type Finding,
  type ItemSearchQuery,
  type ItemSearchResult,
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
  /** false with --no-catalogue: scan the item files. */
  catalogue: boolean;
  /** --search-filter was not given: say that only deleted items were searched. */
  filterIsDefault?: boolean;
}

export function registerDoItemSearch(program: Command, run: Runner): void {
  program
    .command('doItemSearch')
    .description("search an account's items (from the item catalogue, else a scan of its item files)")
    .argument('<path>', 'the backup path')
    .argument('<account>', 'e-mail address or zimbraId, or all')
    .option('--search-string <text>', 'case-insensitive text in the subject, name, sender or recipients of any state')
    .addOption(new Option('--type <type>', 'item type').choices(SEARCH_TYPES).default('message'))
    .option('--before <date>', 'item date before this (dd/MM/yyyy HH:mm:ss or ISO 8601)')
    .option('--after <date>', 'item date at or after this')
    .addOption(
      new Option('--search-filter <filter>', 'deletion state at --date').choices(SEARCH_FILTERS).default('deleted'),
    )
    .option('--date <date>', 'the date whose state is judged: dd/MM/yyyy HH:mm:ss, ISO 8601, first or last', 'last')
    .option('--no-catalogue', 'scan the item files instead of using the item catalogue')
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
  const typeCode = opts.type === 'all' ? undefined : itemTypeCode(opts.type);
  const backup = await openBackup(root);
  const accounts: AccountSummary[] =
    accountArg === 'all' ? await allAccounts(backup) : [await backup.requireAccount(accountArg)];
  const q: ItemSearchQuery = { filter: opts.searchFilter, when: whenArg };
  if (opts.searchString) q.text = opts.searchString;
  if (typeCode !== undefined) q.type = typeCode;
  if (before !== undefined) q.before = before;
  if (after !== undefined) q.after = after;

  const findings: Finding[] = [];
  let catalogue: Catalogue | undefined;
  let sourceNote: string | null = opts.catalogue ? null : '--no-catalogue';
  if (opts.catalogue) {
    try {
      catalogue = await openCatalogue(backup);
      if (catalogue.rebuilt) sourceNote = `the catalogue was rebuilt: ${catalogue.rebuilt.reason}`;
    } catch (err) {
      if (!(err instanceof EngineError)) throw err;
      // No SQLite here, or an unusable cache folder: the scan gives the same answers, slower.
      findings.push(err.finding);
      sourceNote = err.finding.message;
    }
  }
  const per: { account: AccountSummary; r: ItemSearchResult }[] = [];
  try {
    for (const account of accounts) {
      const r = await searchAccountItems(backup, account.zimbraId, q, {
        ...(catalogue ? { catalogue } : {}),
        signal: ctx.signal,
        progress: (e) => ctx.progress({ ...e, phase: `${e.phase}${accounts.length > 1 ? ` (${account.name})` : ''}` }),
      });
      findings.push(...r.findings);
      per.push({ account, r });
    }
  } finally {
    catalogue?.close();
  }
  const results: SearchResultJson[] = per.flatMap(({ account, r }) =>
    r.hits.map((h) => ({
      id: h.item.id,
      account: account.zimbraId,
      type: h.item.type ?? null,
      typeName: typeNameOf(h.item.type) ?? 'unknown',
      folderId: h.item.folderId ?? null,
      folderPath: h.folderPath ?? null,
      date: jsonDate(h.date, z),
      deleted: h.item.status === 'deleted',
      subject: h.item.title,
      file: h.item.path,
    })),
  );
  const scanned = per.reduce((n, p) => n + p.r.files, 0);
  // One account: its resolved point; several: `first` is per account, so the date asked is shown.
  const when: PointSpec = per.length === 1 ? per[0]!.r.when : whenArg;
  const source = per[0]?.r.source ?? (catalogue ? 'catalogue' : 'scan');

  const json: ItemSearchJson = {
    ...envelope('doItemSearch', z, findings),
    backupPath: backup.root,
    account: accountArg === 'all' ? null : { zimbraId: accounts[0]!.zimbraId, name: accounts[0]!.name },
    query: {
      searchString: opts.searchString ?? null,
      type: opts.type,
      before: jsonDate(before, z),
      after: jsonDate(after, z),
      searchFilter: opts.searchFilter,
      date: when.kind === 'instant' ? jsonDate(when.at, z)! : when.kind,
    },
    source,
    sourceNote,
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
  const at =
    when.kind === 'instant' ? showDate(when.at, z) : when.kind === 'last' ? 'the latest date' : 'the first date';
  text += `\n${results.length} of ${scanned} item files match (${what}, state at ${at}; ${source === 'catalogue' ? 'from the item catalogue' : 'scanned'})\n`;
  if (sourceNote) text += `${source === 'scan' ? 'scanned' : 'note'}: ${sourceNote}\n`;
  if (opts.filterIsDefault)
    text +=
      'only deleted items are searched by default, as in zxsuite: --search-filter all for every item, not_deleted for the live ones\n';
  return { findings, json, text, findingsInOutput: true };
}

/** `all`: every account folder of the backup path, system accounts included (their items can be searched too). */
async function allAccounts(backup: Awaited<ReturnType<typeof openBackup>>): Promise<AccountSummary[]> {
  return (await backup.accounts()).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
