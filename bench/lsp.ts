/**
 * bench/lsp.ts — how fast the language server answers, and how fast the Backup view
 * gets the first page of a huge folder.
 *
 *   npx tsx bench/lsp.ts [--runs 21] [--transactions 1000] [--folder-items 100000] [--dir bench/.data/lsp] [--catalogue-dir <dir>-catalogue]
 *
 *   --only-diagnostics: section 1 only.
 *
 * 1. Diagnostics latency for a 1,000-transaction item through a real LSP round trip
 *    to dist/server.js (didOpen of a fresh URI + textDocument/diagnostic; the item
 *    lies in a backup path, so cross-file checks run too), median of N — next to
 *    vscode-json-languageservice schema validation alone on the same text, in this
 *    process, median of N.
 * 2. The first page (200 children) of a 100k-item folder with the extension's tree
 *    model (AccountCache.snapshot + treeModel.firstPage): cold in a fresh process
 *    (reads every item file of the account), warm (snapshot cached), and after a
 *    point-in-time change (snapshot rebuilt from loaded items).
 * 3. The same first page from the persistent item catalogue (src/engine/catalogue):
 *    the one-off cold build (every item file read once, in its own process, from an
 *    empty catalogue folder), then in a FRESH process: open the SQLite file + query
 *    the ids + treeModel.firstPageOfIds (the goal, ≤ 200 ms), the folder tree with
 *    counts (what expanding the account costs), warm repeats, and at an instant.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { getLanguageService, TextDocument } from 'vscode-json-languageservice';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import { URI } from 'vscode-uri';
import { BackupPath, accountRelPath, blobRelPath, computeDigest, itemRelPath } from '../src/engine';
import { openCatalogue } from '../src/engine/catalogue';
import { AccountCache } from '../src/extension/model/accountCache';
import { firstPage, firstPageOfIds } from '../src/extension/model/treeModel';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : def;
};
const REPO = path.resolve(__dirname, '..');
const ACCOUNT = '0f9b3c2e-6a4d-4c55-9b1e-2d7f8a9c0e11';
const FOLDER = 257;
const T0 = Date.UTC(2024, 0, 1);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number): string => `${ms.toFixed(1)} ms`;

function write(root: string, rel: string, content: string | Buffer): void {
  const abs = path.join(root, ...rel.split('/'));
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, content);
}

/** A 1,000-transaction item: the message moves between two folders and changes flags; its BLOB exists. */
function bigItemText(itemId: number, transactions: number, digest: string, size: number): string {
  const txs = Array.from({ length: transactions }, (_, i) => ({
    'transaction-id': i + 1,
    'start-date': T0 + i * 3_600_000,
    'end-date': i + 1 < transactions ? T0 + (i + 1) * 3_600_000 : null,
    id: itemId,
    type: 5,
    'folder-id': i % 2 === 0 ? 2 : FOLDER,
    flags: i % 3 === 0 ? 512 : 32,
    tags: [],
    size,
    digest,
    subject: 'Quarterly report',
    sender: 'bob@example.com',
    date: Math.floor(T0 / 1000),
    'change-date': Math.floor((T0 + i * 3_600_000) / 1000),
  }));
  return JSON.stringify(txs, null, 2) + '\n';
}

/** The backup path: one account, folder 257 with `folderItems` messages, and the big item. */
function ensureBackup(dir: string, folderItems: number): void {
  const marker = path.join(dir, `.complete-${folderItems}`);
  if (existsSync(marker)) return;
  console.log(`generating ${folderItems} items into ${dir} …`);
  const t0 = performance.now();
  write(
    dir,
    accountRelPath(ACCOUNT, 'account_info'),
    JSON.stringify({ zimbraId: ACCOUNT, name: 'bench@example.com', status: 'active', createdDate: T0 }),
  );
  write(
    dir,
    itemRelPath(ACCOUNT, FOLDER),
    JSON.stringify([
      {
        'transaction-id': 1,
        'start-date': T0 - 86_400_000,
        'end-date': null,
        id: FOLDER,
        type: 1,
        'folder-id': 2,
        name: 'Big folder',
      },
    ]),
  );
  for (let i = 0; i < folderItems; i++) {
    const id = 1000 + i;
    write(
      dir,
      itemRelPath(ACCOUNT, id),
      JSON.stringify([
        {
          'transaction-id': 1,
          'start-date': T0 + i,
          'end-date': null,
          id,
          type: 5,
          'folder-id': FOLDER,
          flags: 0,
          subject: `message ${id}`,
        },
      ]),
    );
  }
  writeFileSync(marker, '');
  console.log(`  done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

async function lspDiagnostics(
  root: string,
  textOf: (itemId: number) => string,
  runs: number,
): Promise<{ median: number; min: number; max: number; count: number; lateMedian: number }> {
  const child = spawn(process.execPath, [path.join(REPO, 'dist', 'server.js'), '--stdio'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const conn = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => ({})));
  conn.onRequest('client/registerCapability', () => null);
  conn.listen();
  await conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: { textDocument: { diagnostic: {} }, workspace: { configuration: true } },
  });
  await conn.sendNotification('initialized', {});
  const times: number[] = [];
  let count = 0;
  // Distinct item ids: each round is a fresh document (no analysis cache), same folder and BLOB caches.
  for (let i = 0; i < runs + 2; i++) {
    const uri = URI.file(path.join(root, ...itemRelPath(ACCOUNT, 500 + i).split('/'))).toString();
    const text = textOf(500 + i);
    const t0 = performance.now();
    await conn.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'zxbackup-item', version: 1, text },
    });
    const r = await conn.sendRequest<{ items: unknown[] }>('textDocument/diagnostic', { textDocument: { uri } });
    const ms = performance.now() - t0;
    count = r.items.length;
    if (i >= 2) times.push(ms); // two warm-up rounds (JIT, schema loading)
    await conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }
  await conn.sendRequest('shutdown');
  await conn.sendNotification('exit');
  conn.dispose();
  // The server's JIT and its schema worker's young generation settle over the first ~10 large documents.
  return {
    median: median(times),
    min: Math.min(...times),
    max: Math.max(...times),
    count,
    lateMedian: median(times.slice(Math.floor(times.length / 2))),
  };
}

async function schemaAlone(text: string, runs: number): Promise<number> {
  const schema = JSON.parse(readFileSync(path.join(REPO, 'schemas', 'item.schema.json'), 'utf8'));
  const service = getLanguageService({});
  service.configure({
    validate: true,
    schemas: [{ uri: 'https://zxbackup.invalid/schemas/item.schema.json', fileMatch: ['*.item.json'], schema }],
  });
  const times: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const doc = TextDocument.create(`file:///bench/${i}.item.json`, 'json', 1, text);
    const t0 = performance.now();
    await service.doValidation(doc, service.parseJSONDocument(doc));
    if (i >= 2) times.push(performance.now() - t0);
  }
  return median(times);
}

/** Child process: the tree model's first page of the big folder, cold, then warm and after a time change. */
async function treeChild(root: string): Promise<void> {
  const backup = await BackupPath.open(root);
  const cache = new AccountCache(backup);
  const page = async (at: number | null): Promise<{ ms: number; children: number; items: number }> => {
    const t0 = performance.now();
    const snap = await cache.snapshot(ACCOUNT, at);
    const folder = snap.folders.get(FOLDER)!;
    const views = firstPage(ACCOUNT, FOLDER, folder.items);
    return { ms: performance.now() - t0, children: views.length, items: folder.items.length };
  };
  const cold = await page(null);
  const warm: number[] = [];
  for (let i = 0; i < 9; i++) warm.push((await page(null)).ms);
  const retime: number[] = [];
  for (let i = 0; i < 5; i++) retime.push((await page(T0 + 50_000 + i)).ms);
  process.stdout.write(
    JSON.stringify({ cold, warm: median(warm), retime: median(retime), rssMB: process.resourceUsage().maxRSS / 1024 }) +
      '\n',
  );
}

/** Child process: builds the catalogue from nothing (the one-off cost the first expand of an account pays). */
async function catalogueBuildChild(root: string, cacheDir: string): Promise<void> {
  rmSync(cacheDir, { recursive: true, force: true });
  const t0 = performance.now();
  const cat = await openCatalogue(root, { dir: cacheDir });
  const r = await cat.indexAccount(ACCOUNT);
  const ms = performance.now() - t0;
  cat.close();
  const bytes = readdirSync(cacheDir).reduce((n, f) => n + statSync(path.join(cacheDir, f)).size, 0);
  process.stdout.write(
    JSON.stringify({
      ms,
      files: r.files,
      updated: r.updated,
      dbMB: bytes / 1e6,
      rssMB: process.resourceUsage().maxRSS / 1024,
    }) + '\n',
  );
}

/** Child process: the first page from the persisted catalogue, in a process that has not touched it yet. */
async function cataloguePageChild(root: string, cacheDir: string): Promise<void> {
  const last = { kind: 'last' } as const;
  const t0 = performance.now();
  const cat = await openCatalogue(root, { dir: cacheDir });
  if (!cat.isIndexed(ACCOUNT)) throw new Error('the catalogue is not built');
  const tOpen = performance.now() - t0;
  const page = (when: { kind: 'last' } | { kind: 'instant'; at: number }) => {
    const ids = cat.idsInFolderAt(ACCOUNT, FOLDER, when);
    const views = firstPageOfIds(ACCOUNT, FOLDER, ids, (after, limit) =>
      cat.itemsInFolderAt(ACCOUNT, FOLDER, when, after === undefined ? { limit } : { after, limit }),
    );
    return { children: views.length, items: ids.length };
  };
  const first = page(last);
  const cold = performance.now() - t0;
  const t1 = performance.now();
  const tree = cat.foldersAt(ACCOUNT, last);
  const folders = performance.now() - t1;
  const warm: number[] = [];
  for (let i = 0; i < 9; i++) {
    const t = performance.now();
    page(last);
    warm.push(performance.now() - t);
  }
  const instant: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    page({ kind: 'instant', at: T0 + 50_000 + i });
    instant.push(performance.now() - t);
  }
  // A page deep inside the folder (what expanding a range costs): keyset from the middle.
  const t2 = performance.now();
  const mid = cat.itemsInFolderAt(ACCOUNT, FOLDER, last, { after: 1000 + 50_000, limit: 200 }).length;
  const deep = performance.now() - t2;
  cat.close();
  process.stdout.write(
    JSON.stringify({
      open: tOpen,
      cold,
      first,
      folders,
      folderCount: tree.counts.get(FOLDER) ?? 0,
      warm: median(warm),
      instant: median(instant),
      deep,
      mid,
    }) + '\n',
  );
}

function child<T>(flag: string, ...rest: string[]): T {
  const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, flag, ...rest], {
    cwd: REPO,
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`${flag} child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}

async function main(): Promise<void> {
  if (args[0] === '--child-tree') return treeChild(args[1]!);
  if (args[0] === '--child-catalogue-build') return catalogueBuildChild(args[1]!, args[2]!);
  if (args[0] === '--child-catalogue-page') return cataloguePageChild(args[1]!, args[2]!);
  const runs = Number(opt('runs', '21'));
  const transactions = Number(opt('transactions', '1000'));
  const folderItems = Number(opt('folder-items', '100000'));
  const dir = path.resolve(opt('dir', 'bench/.data/lsp'));

  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`);
  ensureBackup(dir, folderItems);
  const eml = Buffer.from('From: bob@example.com\r\nSubject: Quarterly report\r\n\r\nNumbers.\r\n');
  const digest = computeDigest(eml);
  write(dir, blobRelPath(digest)!, gzipSync(eml));
  const textOf = (itemId: number): string => bigItemText(itemId, transactions, digest, eml.length);
  const text = textOf(500);

  // --only-catalogue: just section 3 (the catalogue is rebuilt), for iterating on it.
  const onlyCatalogue = args.includes('--only-catalogue');
  type InMemoryTree = {
    cold: { ms: number; children: number; items: number };
    warm: number;
    retime: number;
    rssMB: number;
  };
  let tree: InMemoryTree | undefined;
  if (!onlyCatalogue) {
    const lsp = await lspDiagnostics(dir, textOf, runs);
    const schema = await schemaAlone(text, runs);
    console.log(
      `\nload average: ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${os.availableParallelism()} cores`,
    );
    console.log(
      `\nDiagnostics, ${transactions}-transaction item (${(text.length / 1024).toFixed(0)} KB), median of ${runs}:`,
    );
    console.log(
      `  LSP round trip (didOpen + textDocument/diagnostic, dist/server.js): ${fmt(lsp.median)}  [min ${fmt(lsp.min)}, max ${fmt(lsp.max)}; ${lsp.count} diagnostics]  goal ≤ 50 ms`,
    );
    console.log(`    the same, second half of the rounds only (server warmed up):      ${fmt(lsp.lateMedian)}`);
    console.log(`  vscode-json-languageservice schema validation alone (in process):  ${fmt(schema)}`);
    // --only-diagnostics: just section 1, for iterating on the server.
    if (args.includes('--only-diagnostics')) return;

    const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child-tree', dir], {
      cwd: REPO,
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    if (r.status !== 0) throw new Error(`tree child failed: ${r.stderr}`);
    tree = JSON.parse(r.stdout.trim().split('\n').pop()!) as InMemoryTree;
    console.log(
      `\nFirst page of a ${tree.cold.items}-item folder (AccountCache.snapshot + treeModel.firstPage, ${tree.cold.children} children):`,
    );
    console.log(
      `  cold (fresh process, reads the account's ${folderItems + 1} item files): ${fmt(tree.cold.ms)}  goal ≤ 200 ms`,
    );
    console.log(`  warm (snapshot cached):                                     ${fmt(tree.warm)}`);
    console.log(`  after a point-in-time change (snapshot rebuilt in memory):  ${fmt(tree.retime)}`);
    console.log(`  peak RSS of that process: ${tree.rssMB.toFixed(0)} MB`);
  }

  // Outside the backup path, as the real default (~/.cache/zxbackup-inspector/catalogue) is.
  const cacheDir = path.resolve(opt('catalogue-dir', `${dir}-catalogue`));
  type Build = { ms: number; files: number; dbMB: number; rssMB: number };
  type Page = {
    open: number;
    cold: number;
    first: { children: number; items: number };
    folders: number;
    folderCount: number;
    warm: number;
    instant: number;
    deep: number;
    mid: number;
  };
  const built = child<Build>('--child-catalogue-build', dir, cacheDir);
  const pages = Array.from({ length: 7 }, () => child<Page>('--child-catalogue-page', dir, cacheDir)).sort(
    (a, b) => a.cold - b.cold,
  );
  const p = pages[Math.floor(pages.length / 2)]!;
  const colds = pages.map((x) => x.cold);
  console.log(
    `\nFirst page of the same folder from the item catalogue (src/engine/catalogue, ${p.first.children} children, ${p.first.items} items):`,
  );
  console.log(
    `  catalogue build, one-off cold (own process, ${built.files} item files read): ${(built.ms / 1000).toFixed(1)} s  [${built.dbMB.toFixed(0)} MB SQLite, peak RSS ${built.rssMB.toFixed(0)} MB]`,
  );
  console.log(
    `  first page in a FRESH process (open DB + ids + firstPageOfIds): median ${fmt(p.cold)} of ${pages.length} processes [min ${fmt(Math.min(...colds))}, max ${fmt(Math.max(...colds))}; of the median: open ${fmt(p.open)}, query + page ${fmt(p.cold - p.open)}]  goal ≤ 200 ms`,
  );
  console.log(
    `  folder tree with counts (expanding the account), same process:  ${fmt(p.folders)}  (${p.folderCount} items counted)`,
  );
  console.log(`  warm (DB open, same query again):                             ${fmt(p.warm)}`);
  console.log(`  at an instant (point in time set):                            ${fmt(p.instant)}`);
  console.log(`  a page from the middle (keyset, 200 items):                   ${fmt(p.deep)}  (${p.mid} items)`);
  if (tree) console.log(`  for comparison, the in-memory path: cold ${fmt(tree.cold.ms)}, warm ${fmt(tree.warm)}`);
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
