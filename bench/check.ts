/**
 * bench/check.ts — how fast doCoherencyCheck is, next to the floor.
 *
 *   npx tsx bench/check.ts [--items 100000] [--blob-gb 1] [--accounts 10] [--jobs 2] [--dir bench/.data/check-…]
 *
 * From one run on one generated backup path (reused under bench/.data/, git-ignored):
 * - blobs level: items/s and MB/s, next to the floor = gunzip + SHA-256 of the same
 *   BLOBs on every core by the fastest native path we found (worker_threads pulling
 *   chunks of 64 files from a shared counter, each readFileSync + zlib.gunzipSync +
 *   crypto SHA-256 in the thread; `gzip -dc | sha256sum` costs a process per BLOB and
 *   is far slower), and the ratio (goal ≥ 0.8);
 * - metadata level: items/s next to a bare readFileSync + JSON.parse loop over the
 *   same metadata files (goal ≥ 0.7), and next to the same loop on `jobs` threads
 *   (like with like: the check uses every core);
 * - the second run's time with the cache;
 * - peak RSS and CPU time of each check: the bundled CLI (dist/cli.js, npm run build)
 *   in a child process under /usr/bin/time, worker threads included.
 * The page cache is warmed first, so every contender reads from memory.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { analyzeItemText, type CheckLevel } from '../src/engine';
import { createSchemaValidator } from '../src/engine/schema';
import { makeMiniSample } from '../test/check/miniSample';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : def;
};

function listFiles(root: string, rel: string, out: string[] = []): string[] {
  for (const e of readdirSync(path.join(root, rel), { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    const r = `${rel}/${e.name}`;
    if (e.isDirectory()) listFiles(root, r, out);
    else if (e.isFile()) out.push(path.join(root, r));
  }
  return out;
}

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
function measure(level: CheckLevel, root: string, jobs: number, cacheDir?: string): Measured {
  const cli = path.join(__dirname, '../dist/cli.js');
  if (!existsSync(cli)) throw new Error('run `npm run build` first: the benchmark measures dist/cli.js');
  const args = [
    '-f',
    '%M %U %S',
    process.execPath,
    cli,
    'doCoherencyCheck',
    root,
    '--level',
    level,
    '--json',
    '--jobs',
    String(jobs),
  ];
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

/**
 * The same files on `n` threads, each taking the next chunk of 64 from a shared counter
 * (a static split leaves one thread idle at the end), reading in the thread itself:
 * the fastest native path on every core. `work` is the per-file body.
 */
async function onThreads(files: string[], n: number, work: 'blob' | 'json'): Promise<{ ms: number; cpuMs: number }> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { readFileSync } = require('node:fs');
    const { gunzipSync } = require('node:zlib');
    const { createHash } = require('node:crypto');
    const { files, next, work } = workerData;
    const counter = new Int32Array(next);
    let n = 0;
    for (;;) {
      const from = Atomics.add(counter, 0, 64);
      if (from >= files.length) break;
      for (const f of files.slice(from, from + 64)) {
        if (work === 'blob') createHash('sha256').update(gunzipSync(readFileSync(f))).digest();
        else if (JSON.parse(readFileSync(f, 'utf8')) !== null) n++;
      }
    }
    parentPort.postMessage(n);`;
  const next = new SharedArrayBuffer(4);
  const t0 = performance.now();
  const c0 = cpuNow();
  await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(code, { eval: true, workerData: { files, next, work } });
          w.on('message', resolve);
          w.on('error', reject);
        }),
    ),
  );
  return { ms: performance.now() - t0, cpuMs: cpuNow() - c0 };
}

/** The floor: gunzip + SHA-256 of every BLOB, nothing else, on `n` threads. */
function floor(files: string[], n: number): Promise<{ ms: number; cpuMs: number }> {
  return onThreads(files, n, 'blob');
}

function bareJsonLoop(files: string[]): { ms: number; cpuMs: number } {
  const t0 = performance.now();
  const c0 = cpuNow();
  let n = 0;
  for (const f of files) {
    const v = JSON.parse(readFileSync(f, 'utf8')) as unknown;
    if (v !== null) n++;
  }
  if (n === 0) throw new Error('nothing parsed');
  return { ms: performance.now() - t0, cpuMs: cpuNow() - c0 };
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
  const items = Number(opt('items', '100000'));
  const gb = Number(opt('blob-gb', '1'));
  const accounts = Number(opt('accounts', '10'));
  const jobs = Number(opt('jobs', String(os.availableParallelism())));
  const dir = path.resolve(opt('dir', `bench/.data/check-${items}-${gb}gb`));
  if (!existsSync(path.join(dir, 'accounts'))) {
    // Base64 text compresses to about 3/4: size the BLOBs so the store holds `gb` GB on disk.
    const blobBytes = Math.round((gb * 1e9) / items / 0.76);
    console.log(`generating ${items} items, ~${gb} GB of BLOBs (${blobBytes} B each before gzip) into ${dir} …`);
    const t0 = performance.now();
    makeMiniSample(dir, {
      accounts,
      itemsPerAccount: Math.ceil(items / accounts),
      seed: 7,
      blobBytes,
      gzipLevel: 1,
      onProgress: (d, t) => process.stdout.write(`\r  account ${d}/${t}`),
    });
    console.log(`\ngenerated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const blobFiles = listFiles(dir, 'items');
  const metaFiles = listFiles(dir, 'accounts').filter((f) => !f.endsWith('id_mapper.log'));
  let blobBytes = 0;
  for (const f of blobFiles) blobBytes += readFileSync(f).length; // also warms the page cache
  for (const f of metaFiles) readFileSync(f);
  const mb = blobBytes / 1e6;
  console.log(
    `backup path: ${dir}\n  ${metaFiles.length} metadata files, ${blobFiles.length} BLOBs, ${mb.toFixed(0)} MB of BLOBs on disk, ${jobs} jobs, ${os.availableParallelism()} cores\n`,
  );

  // The machine may be shared: contenders alternate, each run `runs` times; the best run counts.
  const runs = Number(opt('runs', '2'));
  const best = <T extends { ms: number }>(xs: T[]): T => xs.reduce((a, b) => (b.ms < a.ms ? b : a));
  const F: { ms: number; cpuMs: number }[] = [];
  const B: Measured[] = [];
  const J: { ms: number; cpuMs: number }[] = [];
  const JT: { ms: number; cpuMs: number }[] = [];
  const M: Measured[] = [];
  const loads: number[] = [];
  for (let r = 0; r < runs; r++) {
    loads.push(os.loadavg()[0]!);
    F.push(await floor(blobFiles, jobs));
    B.push(measure('blobs', dir, jobs));
    J.push(bareJsonLoop(metaFiles));
    JT.push(await onThreads(metaFiles, jobs, 'json'));
    M.push(measure('metadata', dir, jobs));
  }
  const cacheDir = path.join(os.tmpdir(), `zxb-bench-cache-${process.pid}`);
  const firstCached = measure('blobs', dir, jobs, cacheDir);
  const second = measure('blobs', dir, jobs, cacheDir);
  rmSync(cacheDir, { recursive: true, force: true });
  const [f, blobs, bare, bareThreads, meta] = [best(F), best(B), best(J), best(JT), best(M)];

  const itemsN = blobs.summary.itemsChecked;
  const sec = (ms: number): string => (ms / 1000).toFixed(2).padStart(7);
  const row = (name: string, m: { ms: number; cpuMs: number }, extra = ''): void =>
    console.log(`${name.padEnd(50)} ${sec(m.ms)} s wall ${sec(m.cpuMs)} s CPU  ${extra}`);
  console.log(
    `best of ${runs} alternating runs; 1-min load average during them: ${loads.map((l) => l.toFixed(1)).join(', ')}\n`,
  );
  row(
    'floor: gunzip + SHA-256, worker_threads',
    f,
    `${(blobFiles.length / (f.ms / 1000)).toFixed(0)} BLOBs/s  ${(mb / (f.ms / 1000)).toFixed(0)} MB/s`,
  );
  row(
    `zxb doCoherencyCheck --level blobs (${blobs.summary.workers})`,
    blobs,
    `${(itemsN / (blobs.ms / 1000)).toFixed(0)} items/s  ${(mb / (blobs.ms / 1000)).toFixed(0)} MB/s  peak RSS ${blobs.rssMB.toFixed(0)} MB`,
  );
  console.log(
    `${'  ratio floor / ours (goal ≥ 0.8): wall, CPU'.padEnd(50)} ${(f.ms / blobs.ms).toFixed(2).padStart(7)}        ${(f.cpuMs / blobs.cpuMs).toFixed(2).padStart(7)}`,
  );
  // The blobs level does the floor's work plus the metadata level's: on fully used cores its
  // ratio cannot exceed floor CPU / (floor CPU + metadata-level CPU), whatever the overhead.
  console.log(
    `${'  ceiling: floor CPU / (floor + metadata-level) CPU'.padEnd(50)} ${(f.cpuMs / (f.cpuMs + best(M).cpuMs)).toFixed(2).padStart(7)}`,
  );
  row(
    'bare readFileSync + JSON.parse loop (metadata)',
    bare,
    `${(metaFiles.length / (bare.ms / 1000)).toFixed(0)} files/s`,
  );
  row(
    `zxb doCoherencyCheck --level metadata (${meta.summary.workers})`,
    meta,
    `${(meta.summary.itemsChecked / (meta.ms / 1000)).toFixed(0)} items/s  peak RSS ${meta.rssMB.toFixed(0)} MB`,
  );
  console.log(
    `${'  ratio bare / ours (goal ≥ 0.7): wall, CPU'.padEnd(50)} ${(bare.ms / meta.ms).toFixed(2).padStart(7)}        ${(bare.cpuMs / meta.cpuMs).toFixed(2).padStart(7)}`,
  );
  // Like with like: the check uses every core, so the bare loop on the same threads too.
  row(
    `bare read + JSON.parse, ${jobs} worker_threads`,
    bareThreads,
    `${(metaFiles.length / (bareThreads.ms / 1000)).toFixed(0)} files/s`,
  );
  console.log(
    `${'  ratio bare on threads / ours: wall, CPU'.padEnd(50)} ${(bareThreads.ms / meta.ms).toFixed(2).padStart(7)}        ${(bareThreads.cpuMs / meta.cpuMs).toFixed(2).padStart(7)}`,
  );
  row('--level blobs, first run filling the cache', firstCached, `peak RSS ${firstCached.rssMB.toFixed(0)} MB`);
  row(
    '--level blobs, second run (cache)',
    second,
    `${second.summary.filesFromCache} files from the cache  peak RSS ${second.rssMB.toFixed(0)} MB`,
  );
  // The machine is shared: "best" of each side may pair a lucky baseline with an unlucky check.
  // The ratio of each alternating pair (run r of both) shows the spread.
  const pairs = (num: { ms: number }[], den: { ms: number }[]): string => {
    const r = num.map((n, i) => n.ms / den[i]!.ms).sort((a, b) => a - b);
    return `median ${r[Math.floor(r.length / 2)]!.toFixed(2)} (${r.map((x) => x.toFixed(2)).join(', ')})`;
  };
  console.log(
    `\nratio per alternating run, wall: blobs floor / ours ${pairs(F, B)}; metadata bare / ours ${pairs(J, M)}`,
  );
  console.log(`findings (blobs level): ${JSON.stringify(blobs.summary.bySeverity)}; times include process start-up`);
  await compareValidators(metaFiles.filter((f) => /\/items\/\d\d\/\d+$/.test(f)).slice(0, 5000));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
