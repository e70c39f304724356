/**
 * bench/check.ts — how fast doCoherencyCheck is, next to the floor, on two shapes.
 *
 *   npx tsx bench/check.ts [--small-items 100000] [--real-items 20000] [--big-items 1000000]
 *                          [--runs 2] [--jobs 2] [--shapes small,real,big]
 *
 * Each backup path is written once by the built CLI (`zxb makeSample`, docs/sample.md) into
 * bench/.data/ (git-ignored) and reused:
 * 1. small: the default sample's shape (--sizes small: many small files) at ≥ --small-items;
 * 2. real: a sample with real mail sizes (--sizes real) of ≥ --real-items;
 * 3. big: the small shape at ≥ --big-items (1M): peak RSS of the blobs level (goal ≤ 256 MB)
 *    and the nightly case: a second, cached run after 1 % of the item files and 1 % of the
 *    BLOBs were rewritten (same bytes, new inode and mtime, as a SmartScan's rewrite) (goal ≤ 15 s).
 *
 * For shapes 1 and 2, in one run, alternating, best of --runs:
 * - ours: the bundled CLI (dist/cli.js, `node scripts/build.mjs`) in a child process under
 *   /usr/bin/time (peak RSS, CPU of all threads): `node dist/cli.js doCoherencyCheck DIR
 *   --level blobs|metadata --json --jobs N --no-cache`. Its start-up counts: the user waits for it.
 * - the floor, in this process: the work no deep check can skip, by the fastest native path
 *   on every core: the main thread lists the account and bucket folders, then `jobs` worker
 *   threads take the next folder from a shared counter, list it and read + JSON.parse every
 *   metadata file in it (id_mapper.log: read only) and, for the blobs floor, readFileSync +
 *   zlib.gunzipSync + SHA-256 of every BLOB; the metadata floor lists the BLOB folders only.
 *   Thread start-up is inside the floor's time; a process start-up is not (Node's own start
 *   is printed apart). The ratio floor / ours is the goal's figure (≥ 0.8).
 * The page cache is warmed first, so every contender reads from memory.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { analyzeItemText, type CheckLevel } from '../src/engine';
import { createSchemaValidator } from '../src/engine/schema';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : def;
};
const CLI = path.join(__dirname, '../dist/cli.js');

interface Measured {
  ms: number;
  cpuMs: number;
  rssMB: number;
  summary: {
    itemsChecked: number;
    blobsChecked: number;
    bytesChecked: number;
    filesFromCache: number;
    bySeverity: Record<string, number>;
    workers: string;
  };
}

/** One check in a child process: the bundled CLI (what users run) under /usr/bin/time for RSS and CPU. */
function measure(level: CheckLevel, root: string, jobs: number, cacheDir?: string, cpuProf?: string): Measured {
  const args = ['-f', '%M %U %S', process.execPath];
  if (cpuProf) args.push('--cpu-prof', '--cpu-prof-dir', cpuProf);
  args.push(CLI, 'doCoherencyCheck', root, '--level', level, '--json', '--jobs', String(jobs));
  if (!cacheDir) args.push('--no-cache');
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', args, {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, ...(cacheDir ? { ZXB_CACHE_DIR: cacheDir } : {}) },
  });
  const ms = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${level} check failed (${r.status}): ${r.stderr}`);
  const [rssKb, user, sys] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  const doc = JSON.parse(r.stdout) as { summary: Measured['summary'] };
  return { ms, cpuMs: (user! + sys!) * 1000, rssMB: rssKb! / 1024, summary: doc.summary };
}

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** A folder for the floor's threads: `m` holds metadata files, `b` BLOBs. */
type Folder = [dir: string, kind: 'm' | 'b'];

/** The floor's walk down to the folders that hold files (the threads list those themselves). */
function floorFolders(root: string): Folder[] {
  const out: Folder[] = [[root, 'm']];
  const sub = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => path.join(d, e.name));
  const accounts = path.join(root, 'accounts');
  for (const a of existsSync(accounts) ? sub(accounts) : []) {
    out.push([a, 'm']);
    for (const tree of sub(a)) for (const bucket of sub(tree)) out.push([bucket, 'm']);
  }
  const store = path.join(root, 'items');
  for (const prefix of existsSync(store) ? sub(store) : []) out.push([prefix, 'b']);
  return out;
}

/**
 * The floor on `n` threads: each takes the next folder from a shared counter, lists it and
 * does the per-file work in the thread (a static split leaves one thread idle at the end).
 */
async function floor(root: string, n: number, blobs: boolean): Promise<{ ms: number; cpuMs: number; files: number }> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { readFileSync, readdirSync } = require('node:fs');
    const { gunzipSync } = require('node:zlib');
    const { createHash } = require('node:crypto');
    const { folders, next, blobs } = workerData;
    const counter = new Int32Array(next);
    let files = 0;
    for (;;) {
      const i = Atomics.add(counter, 0, 1);
      if (i >= folders.length) break;
      const [dir, kind] = folders[i];
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (!e.isFile()) continue;
        const f = dir + '/' + e.name;
        files++;
        if (kind === 'b') {
          if (blobs) createHash('sha256').update(gunzipSync(readFileSync(f))).digest();
        } else if (e.name.endsWith('.log')) readFileSync(f);
        else JSON.parse(readFileSync(f, 'utf8'));
      }
    }
    parentPort.postMessage(files);`;
  const t0 = performance.now();
  const c0 = cpuNow();
  const folders = floorFolders(root);
  const next = new SharedArrayBuffer(4);
  const counts = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(code, { eval: true, workerData: { folders, next, blobs } });
          w.on('message', resolve);
          w.on('error', reject);
        }),
    ),
  );
  return { ms: performance.now() - t0, cpuMs: cpuNow() - c0, files: counts.reduce((a, b) => a + b, 0) };
}

/** Every file under `rel`, for warming the page cache and counting. */
function listFiles(root: string, rel: string, out: string[] = []): string[] {
  for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const r = `${rel}/${e.name}`;
    if (e.isDirectory()) listFiles(root, r, out);
    else if (e.isFile()) out.push(path.join(root, r));
  }
  return out;
}

/** The CLI's sample writer: accounts and items per account for at least `items` item files. */
function ensureSample(sizes: 'small' | 'real', items: number): string {
  const accounts = Math.max(6, Math.ceil(items / 10_000));
  // The system account gets a quarter of the others' items.
  const perAccount = Math.ceil(items / (accounts - 0.75) / 100) * 100;
  const dir = path.resolve(`bench/.data/sample-${sizes}-${accounts}x${perAccount}`);
  if (!existsSync(path.join(dir, 'backupstat'))) {
    rmSync(dir, { recursive: true, force: true });
    console.log(`generating ${dir} (zxb makeSample --sizes ${sizes}) …`);
    const t0 = performance.now();
    const r = spawnSync(
      process.execPath,
      [
        CLI,
        'makeSample',
        dir,
        '--accounts',
        String(accounts),
        '--items-per-account',
        String(perAccount),
        '--sizes',
        sizes,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (r.status !== 0) throw new Error(`makeSample failed (${r.status})`);
    console.log(`  generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return dir;
}

const sec = (ms: number): string => (ms / 1000).toFixed(2).padStart(7);
const row = (name: string, m: { ms: number; cpuMs: number }, extra = ''): void =>
  console.log(`${name.padEnd(52)} ${sec(m.ms)} s wall ${sec(m.cpuMs)} s CPU  ${extra}`);
const ratio = (name: string, floorMs: number, oursMs: number): void =>
  console.log(
    `${`  ratio floor / ours (goal ≥ 0.8): ${name}`.padEnd(52)} ${(floorMs / oursMs).toFixed(2).padStart(7)}`,
  );
const best = <T extends { ms: number }>(xs: T[]): T => xs.reduce((a, b) => (b.ms < a.ms ? b : a));
/** The machine is shared: the ratio of each alternating pair shows the spread. */
const pairs = (num: { ms: number }[], den: { ms: number }[]): string => {
  const r = num.map((n, i) => n.ms / den[i]!.ms).sort((a, b) => a - b);
  return `median ${r[Math.floor(r.length / 2)]!.toFixed(2)} (${r.map((x) => x.toFixed(2)).join(', ')})`;
};

/** Shapes 1 and 2: both levels next to their floors, alternating, best of `runs`. */
async function shape(name: string, dir: string, jobs: number, runs: number): Promise<void> {
  const blobFiles = listFiles(dir, 'items');
  const metaFiles = listFiles(dir, 'accounts');
  let blobBytes = 0;
  for (const f of blobFiles) blobBytes += readFileSync(f).length; // also warms the page cache
  for (const f of metaFiles) readFileSync(f);
  const mb = blobBytes / 1e6;
  console.log(
    `\n== shape ${name}: ${dir}\n   ${metaFiles.length} metadata files, ${blobFiles.length} BLOBs, ${mb.toFixed(0)} MB of BLOBs on disk (${(blobBytes / Math.max(1, blobFiles.length) / 1000).toFixed(1)} KB each), ${jobs} jobs, ${os.availableParallelism()} cores`,
  );
  const FB: { ms: number; cpuMs: number }[] = [];
  const B: Measured[] = [];
  const FM: { ms: number; cpuMs: number }[] = [];
  const M: Measured[] = [];
  const loads: number[] = [];
  for (let r = 0; r < runs; r++) {
    loads.push(os.loadavg()[0]!);
    FB.push(await floor(dir, jobs, true));
    B.push(measure('blobs', dir, jobs));
    FM.push(await floor(dir, jobs, false));
    M.push(measure('metadata', dir, jobs));
  }
  const [fb, blobs, fm, meta] = [best(FB), best(B), best(FM), best(M)];
  const items = blobs.summary.itemsChecked;
  console.log(`   best of ${runs} alternating runs; 1-min load average: ${loads.map((l) => l.toFixed(1)).join(', ')}`);
  row('floor: walk + read/JSON.parse + gunzip/SHA-256', fb, `${(mb / (fb.ms / 1000)).toFixed(0)} MB/s of BLOBs`);
  row(
    `zxb doCoherencyCheck --level blobs (${blobs.summary.workers})`,
    blobs,
    `${(items / (blobs.ms / 1000)).toFixed(0)} items/s  ${(mb / (blobs.ms / 1000)).toFixed(0)} MB/s  peak RSS ${blobs.rssMB.toFixed(0)} MB`,
  );
  ratio('blobs, wall', fb.ms, blobs.ms);
  row('floor: walk + read/JSON.parse (metadata)', fm, `${(metaFiles.length / (fm.ms / 1000)).toFixed(0)} files/s`);
  row(
    `zxb doCoherencyCheck --level metadata (${meta.summary.workers})`,
    meta,
    `${(meta.summary.itemsChecked / (meta.ms / 1000)).toFixed(0)} items/s  peak RSS ${meta.rssMB.toFixed(0)} MB`,
  );
  ratio('metadata, wall', fm.ms, meta.ms);
  console.log(`   ratio per alternating run, wall: blobs ${pairs(FB, B)}; metadata ${pairs(FM, M)}`);
  console.log(`   findings (blobs level): ${JSON.stringify(blobs.summary.bySeverity)}`);
}

/** Rewrites every `step`-th file with the same bytes through a temp file: new inode and mtime. */
function rewriteEvery(files: string[], step: number): number {
  let n = 0;
  for (let i = 0; i < files.length; i += step) {
    const f = files[i]!;
    writeFileSync(`${f}.tmp`, readFileSync(f));
    renameSync(`${f}.tmp`, f);
    n++;
  }
  return n;
}

/** Shape 3: peak RSS at ~1M items, and the nightly case (a second run after 1 % changed). */
function big(dir: string, jobs: number): void {
  const itemFiles = listFiles(dir, 'accounts').filter((f) => /\/items\/\d\d\/\d+$/.test(f));
  const blobFiles = listFiles(dir, 'items');
  for (const f of blobFiles) readFileSync(f);
  console.log(`\n== shape big: ${dir}\n   ${itemFiles.length} item files, ${blobFiles.length} BLOBs`);
  const cacheDir = path.join(os.tmpdir(), `zxb-bench-cache-${process.pid}`);
  try {
    const first = measure('blobs', dir, jobs, cacheDir);
    row(
      `--level blobs, first run filling the cache`,
      first,
      `${first.summary.itemsChecked} items  peak RSS ${first.rssMB.toFixed(0)} MB (goal ≤ 256)`,
    );
    const same = measure('blobs', dir, jobs, cacheDir);
    row('--level blobs, second run, nothing changed', same, `peak RSS ${same.rssMB.toFixed(0)} MB`);
    const items = rewriteEvery(itemFiles, 100);
    const blobs = rewriteEvery(blobFiles, 100);
    const nightly = measure('blobs', dir, jobs, cacheDir);
    row(
      `nightly: after ${items} item files + ${blobs} BLOBs rewritten (1 %)`,
      nightly,
      `${nightly.summary.filesFromCache} files from the cache  peak RSS ${nightly.rssMB.toFixed(0)} MB (goal ≤ 15 s)`,
    );
    const meta = measure('metadata', dir, jobs);
    row('--level metadata, no cache', meta, `peak RSS ${meta.rssMB.toFixed(0)} MB (goal ≤ 256)`);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

/** Why the bulk check uses the typed parser: per-file cost of each way to validate an item, in this process. */
async function compareValidators(files: string[]): Promise<void> {
  const texts = files.map((f) => ({ text: readFileSync(f, 'utf8'), id: Number(path.basename(f)), rel: f }));
  const validator = await createSchemaValidator();
  const per = (ms: number): string => `${((ms * 1000) / texts.length).toFixed(1)} µs`;
  let parse = Infinity;
  let typed = Infinity;
  let schema = Infinity;
  for (let r = 0; r < 3; r++) {
    let t0 = performance.now();
    for (const t of texts) JSON.parse(t.text);
    parse = Math.min(parse, performance.now() - t0);
    t0 = performance.now();
    for (const t of texts) analyzeItemText(t.text, t.rel, { fileItemId: t.id });
    typed = Math.min(typed, performance.now() - t0);
    t0 = performance.now();
    for (const t of texts) await validator.validate('item', t.text, t.rel);
    schema = Math.min(schema, performance.now() - t0);
  }
  console.log(
    `per item file (${texts.length} files, best of 3): JSON.parse ${per(parse)}, typed parser + rules ${per(typed)}, JSON Schema (schema.ts) ${per(schema)}`,
  );
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error('run `node scripts/build.mjs` first: the benchmark measures dist/cli.js');
  const jobs = Number(opt('jobs', String(os.availableParallelism())));
  const runs = Number(opt('runs', '2'));
  const shapes = opt('shapes', 'small,real,big').split(',');
  const t0 = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  const nodeStart = performance.now() - t0;
  const t1 = performance.now();
  spawnSync(process.execPath, [CLI, '--version']);
  console.log(
    `start-up: node -e 0 ${(nodeStart / 1000).toFixed(2)} s, node dist/cli.js --version ${((performance.now() - t1) / 1000).toFixed(2)} s (inside every "ours" below)`,
  );
  let small: string | undefined;
  if (shapes.includes('small')) {
    small = ensureSample('small', Number(opt('small-items', '100000')));
    await shape('1, default sample (--sizes small)', small, jobs, runs);
  }
  if (shapes.includes('real'))
    await shape(
      '2, real mail sizes (--sizes real)',
      ensureSample('real', Number(opt('real-items', '20000'))),
      jobs,
      runs,
    );
  if (shapes.includes('big')) big(ensureSample('small', Number(opt('big-items', '1000000'))), jobs);
  if (small)
    await compareValidators(
      listFiles(small, 'accounts')
        .filter((f) => /\/items\/\d\d\/\d+$/.test(f))
        .slice(0, 5000),
    );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
