/**
 * zxb catalogue <path> [--rebuild] [--status] [--account A]: builds or brings up to date
 * the item catalogue of a backup path (outside it: $ZXB_CACHE_DIR/catalogue or
 * ~/.cache/zxbackup-inspector/catalogue), which doItemSearch, diff and the extension's
 * views then read. Only new or changed item files are read; --rebuild starts empty;
 * --status changes nothing and checks the file.
 */
import type { Command } from 'commander';
import { CATALOGUE_VERSION, openCatalogue, type AccountSummary, type Finding, type IndexResult } from '../../engine';
import { openBackup, type CliContext, type CommandResult } from '../context';
import { envelope, formatBytes, jsonDate, renderKeyValues, renderTable, showDate } from '../output';
import type { CatalogueAccountJson, CatalogueJson } from '../shapes';
import type { Runner } from '../runner';

interface Options {
  rebuild?: boolean;
  status?: boolean;
  account?: string;
}

export function registerCatalogue(program: Command, run: Runner): void {
  program
    .command('catalogue')
    .description('build or refresh the item catalogue of a backup path (kept outside it), or show its status')
    .argument('<path>', 'the backup path')
    .option('--rebuild', 'forget every row and read every item file again')
    .option('--status', 'change nothing: show what is indexed, and check the file (SQLite quick_check)')
    .option('--account <account>', 'only this account (e-mail address or zimbraId)')
    .option('--json', 'print JSON (see docs/cli.md)')
    .action((backupPath: string, opts: Options, cmd: Command) =>
      run(cmd, (ctx) => catalogueCommand(ctx, backupPath, opts)),
    );
}

export async function catalogueCommand(ctx: CliContext, root: string, opts: Options): Promise<CommandResult> {
  const z = ctx.zone;
  const backup = await openBackup(root);
  const accounts: AccountSummary[] = opts.account
    ? [await backup.requireAccount(opts.account)]
    : (await backup.accounts()).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // No driver or an unusable folder: an EngineError (io.cache-unavailable), exit 2 with the reason.
  const cat = await openCatalogue(backup);
  const findings: Finding[] = [];
  let rebuilt = cat.rebuilt?.reason ?? null;
  const runs = new Map<string, IndexResult>();
  let integrity: string | null = null;
  try {
    if (opts.status) integrity = cat.verify();
    else {
      if (opts.rebuild) {
        cat.clear();
        rebuilt ??= '--rebuild';
      }
      for (const a of accounts) {
        const r = await cat.indexAccount(a.zimbraId, {
          signal: ctx.signal,
          progress: (e) => ctx.progress({ ...e, phase: `indexing ${a.name}` }),
        });
        findings.push(...r.findings);
        runs.set(a.zimbraId, r);
      }
    }
    const list: CatalogueAccountJson[] = accounts.map((a) => {
      const info = cat.indexInfo(a.zimbraId);
      const r = runs.get(a.zimbraId);
      return {
        zimbraId: a.zimbraId,
        name: a.name,
        indexed: info !== undefined,
        indexedAt: jsonDate(info?.indexedAt, z),
        files: info?.files ?? null,
        skipped: info?.skipped ?? null,
        refresh: r ? { updated: r.updated, removed: r.removed, durationMs: Math.round(r.durationMs) } : null,
      };
    });
    const json: CatalogueJson = {
      ...envelope('catalogue', z, findings),
      backupPath: backup.root,
      file: cat.file,
      driver: cat.driver,
      fullText: cat.fullText,
      layoutVersion: CATALOGUE_VERSION,
      bytes: cat.bytes(),
      rebuilt,
      integrity,
      accounts: list,
    };
    let text = renderKeyValues([
      ['catalogue', cat.file],
      ['driver', `${cat.driver}${cat.fullText ? ' (FTS5)' : ' (no FTS5: text searches scan)'}`],
      ['size', formatBytes(json.bytes)],
      ...(rebuilt ? [['rebuilt', rebuilt] as [string, string]] : []),
      ...(integrity !== null ? [['integrity', integrity] as [string, string]] : []),
    ]);
    text +=
      '\n' +
      renderTable(
        ['ACCOUNT', 'INDEXED', `AT (${z})`, 'FILES', 'UNREADABLE', ...(opts.status ? [] : ['READ', 'REMOVED', 'MS'])],
        list.map((a) => [
          a.name,
          a.indexed,
          a.indexedAt === null ? null : showDate(Date.parse(a.indexedAt), z),
          a.files,
          a.skipped,
          ...(opts.status
            ? []
            : [a.refresh?.updated ?? null, a.refresh?.removed ?? null, a.refresh?.durationMs ?? null]),
        ]),
      );
    return { findings, json, text, findingsInOutput: true };
  } finally {
    cat.close();
  }
}
