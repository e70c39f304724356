/**
 * bench/catalogue.ts — the item catalogue at scale, with each SQLite driver.
 *
 *   npx tsx bench/catalogue.ts [--items 1000000] [--accounts 10] [--dir bench/.data/catalogue] [--drivers both]
 *
 * Per driver (better-sqlite3 in this Node; node:sqlite in this Node if it has it, else in the Node 24 of
 * test/support/node24.mjs), each in a child process of its own, on the same sample:
 * - build: indexing every account from scratch, items/s, next to a raw batch insert of the very same rows into
 *   an empty catalogue in the same run (the floor for writing them; goal: build rate ≥ 0.5 × raw rate);
 * - query p95 over a fixed set of 50 queries (text searches, folder pages and counts, deleted items, at the
 *   latest state and at an instant; goal ≤ 50 ms);
 * - refresh after 1 % of the item files changed (new mtime: they are read again), next to the build (goal ≤ 10 %);
 * - the database size.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, utimesSync } from 'node:fs';
import * as path from 'node:path';
import { BackupPath } from '../src/engine/backup/backupPath';
import { openCatalogue, type Catalogue, type CatalogueWhen } from '../src/engine/catalogue';
import { makeSample } from '../src/engine/sample';
import { openSqlite, sqliteDriver } from '../src/engine/sqlite';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : def;
};

interface Figures {
  driver: string;
  node: string;
  items: number;
  txRows: number;
  buildMs: number;
  rawInsertMs: number;
  queryP50: number;
  queryP95: number;
  refreshMs: number;
  refreshed: number;
  bytes: number;
}

const pct = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

/** The 50 queries: the same for every driver (needles and folders drawn from the catalogue by a fixed rule). */
function queries(cat: Catalogue, accounts: string[], mid: number): (() => unknown)[] {
  const out: (() => unknown)[] = [];
  const db = cat.sql;
  const words = db
    .column<string>("SELECT DISTINCT title FROM tx WHERE title <> '' ORDER BY title LIMIT 2000")
    .flatMap((t) => t.split(/\s+/))
    .filter((w) => w.length >= 4);
  const needles = Array.from({ length: 20 }, (_, i) => words[Math.floor((i * words.length) / 20)]!.toLowerCase());
  const last: CatalogueWhen = { kind: 'last' };
  const at: CatalogueWhen = { kind: 'instant', at: mid };
  for (let i = 0; i < 20; i++) {
    const a = accounts[i % accounts.length]!;
    out.push(() => cat.searchItems(a, { text: needles[i]!, filter: 'all', when: i % 2 ? at : last, limit: 200 }));
  }
  for (let i = 0; i < 10; i++) {
    const a = accounts[i % accounts.length]!;
    const counts = [...cat.countsByFolderAt(a, last).entries()].sort((x, y) => y[1] - x[1]);
    const folder = counts[i % Math.max(1, counts.length)]?.[0] ?? 2;
    out.push(() => cat.itemsInFolderAt(a, folder, i % 2 ? at : last, { limit: 100 }));
    out.push(() => cat.countInFolderAt(a, folder, i % 2 ? at : last));
  }
  for (let i = 0; i < 10; i++) {
    const a = accounts[i % accounts.length]!;
    out.push(() => (i % 2 ? cat.deletedAt(a, i % 4 ? at : last, { limit: 100 }) : cat.foldersAt(a, i % 4 ? at : last)));
  }
  return out;
}

/** Re-inserts exactly the rows of `from` into an empty catalogue at `to`, in batches: the floor of a build. */
function rawInsert(from: string, to: string): number {
  rmSync(path.dirname(to), { recursive: true, force: true });
  mkdirSync(path.dirname(to), { recursive: true });
  const src = openSqlite(from, { readonly: true });
  const dst = openSqlite(to);
  try {
    const schema = src.column<string>(
      "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'search_%'",
    );
    dst.exec('PRAGMA journal_mode = WAL');
    dst.exec('PRAGMA synchronous = NORMAL');
    for (const sql of schema) dst.exec(sql);
    const files = src.all<Record<string, number | string | null>>('SELECT * FROM files');
    const txs = src.all<Record<string, number | string | null>>('SELECT * FROM tx');
    const t0 = performance.now();
    const insert = (table: string, rows: Record<string, number | string | null>[]): void => {
      if (rows.length === 0) return;
      const cols = Object.keys(rows[0]!);
      const sql = `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`;
      for (let i = 0; i < rows.length; i += 1000 * 8)
        dst.transaction(() => {
          for (const r of rows.slice(i, i + 8000)) dst.run(sql, r);
        });
    };
    insert('files', files);
    dst.transaction(() => {
      for (const f of files)
        if (f['search_text'])
          dst.run('INSERT INTO search (rowid, text) VALUES (?, ?)', [f['file_id']!, f['search_text']!]);
    });
    insert('tx', txs);
    return performance.now() - t0;
  } finally {
    src.close();
    dst.close();
  }
}

async function child(root: string, work: string, mid: number): Promise<void> {
  const pick = sqliteDriver();
  if ('reason' in pick) throw new Error(pick.reason);
  const dir = path.join(work, pick.driver.replace(':', '-'));
  rmSync(dir, { recursive: true, force: true });
  const backup = await BackupPath.open(root);
  const accounts = (await backup.accounts()).map((a) => a.zimbraId);
  const cat = await openCatalogue(backup, { dir });
  let items = 0;
  const t0 = performance.now();
  for (const a of accounts) items += (await cat.indexAccount(a)).files;
  const buildMs = performance.now() - t0;
  const txRows = cat.sql.value<number>('SELECT COUNT(*) FROM tx')!;
  const qs = queries(cat, accounts, mid);
  for (const q of qs) q(); // warm the page cache once: the figure is a query's, not the disk's
  const times = qs.map((q) => {
    const s = performance.now();
    q();
    return performance.now() - s;
  });
  // 1 %: every 100th file gets a new mtime.
  const paths = cat.sql.column<string>('SELECT path FROM files ORDER BY file_id');
  const later = new Date(Date.now() + 3_600_000 + Math.floor(Math.random() * 1000));
  let touched = 0;
  for (let i = 0; i < paths.length; i += 100) {
    utimesSync(backup.abs(paths[i]!), later, later);
    touched++;
  }
  const r0 = performance.now();
  let refreshed = 0;
  for (const a of accounts) refreshed += (await cat.indexAccount(a)).updated;
  const refreshMs = performance.now() - r0;
  if (refreshed !== touched) throw new Error(`refresh read ${refreshed} files, ${touched} were touched`);
  const bytes = cat.bytes();
  cat.close();
  const rawInsertMs = rawInsert(cat.file, path.join(dir, 'raw', 'raw.sqlite'));
  const figures: Figures = {
    driver: pick.driver,
    node: process.version,
    items,
    txRows,
    buildMs,
    rawInsertMs,
    queryP50: pct(times, 0.5),
    queryP95: pct(times, 0.95),
    refreshMs,
    refreshed,
    bytes,
  };
  process.stdout.write(JSON.stringify(figures) + '\n');
}

async function main(): Promise<void> {
  if (args[0] === '--child') return child(args[1]!, args[2]!, Number(args[3]));
  const items = Number(opt('items', '1000000'));
  const accounts = Number(opt('accounts', '10'));
  const dir = path.resolve(opt('dir', `bench/.data/catalogue-${items}`));
  const root = path.join(dir, 'backup');
  if (!existsSync(path.join(root, 'accounts'))) {
    const t = performance.now();
    console.log(`generating ${items} items in ${accounts} accounts into ${root}…`);
    await makeSample(root, { accounts, itemsPerAccount: Math.ceil(items / accounts), seed: 1 });
    console.log(`  ${Math.round((performance.now() - t) / 1000)} s`);
  }
  const work = path.join(dir, 'catalogues');
  // The sample's timeline (docs/sample.md): 2025-01-01 … 2026-10-31; its middle.
  const mid = Date.UTC(2025, 11, 1);
  const runs: { driver: string; bin: string }[] = [];
  const wanted = opt('drivers', 'both');
  if (wanted !== 'node:sqlite') runs.push({ driver: 'better-sqlite3', bin: process.execPath });
  if (wanted !== 'better-sqlite3') {
    const here = 'driver' in sqliteDriver({ ZXB_SQLITE: 'node:sqlite' });
    const { ensureNode24 } = (await import('../test/support/node24.mjs')) as { ensureNode24: () => string };
    runs.push({ driver: 'node:sqlite', bin: here ? process.execPath : ensureNode24() });
  }
  for (const r of runs) {
    const out = spawnSync(r.bin, ['--import', 'tsx', __filename, '--child', root, work, String(mid)], {
      encoding: 'utf8',
      env: { ...process.env, ZXB_SQLITE: r.driver },
      maxBuffer: 1 << 26,
    });
    if (out.status !== 0) throw new Error(`${r.driver}: ${out.stderr}`);
    const f = JSON.parse(out.stdout.trim().split('\n').pop()!) as Figures;
    const buildRate = f.items / (f.buildMs / 1000);
    const rawRate = f.items / (f.rawInsertMs / 1000);
    console.log(`\n${f.driver} (Node ${f.node}): ${f.items} item files, ${f.txRows} transactions`);
    console.log(
      `  build         ${(f.buildMs / 1000).toFixed(1)} s = ${Math.round(buildRate)} items/s; raw batch insert of the same rows ${Math.round(rawRate)} items/s; ratio ${(buildRate / rawRate).toFixed(2)} (goal ≥ 0.5)`,
    );
    console.log(
      `  queries       p50 ${f.queryP50.toFixed(1)} ms, p95 ${f.queryP95.toFixed(1)} ms over 50 (goal p95 ≤ 50 ms)`,
    );
    console.log(
      `  refresh 1 %   ${f.refreshed} files in ${(f.refreshMs / 1000).toFixed(2)} s = ${((100 * f.refreshMs) / f.buildMs).toFixed(1)} % of the build (goal ≤ 10 %)`,
    );
    console.log(
      `  size          ${(f.bytes / 1048576).toFixed(1)} MiB (${Math.round(f.bytes / f.items)} B per item file)`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
