/**
 * bench/open.ts — how fast a big backup path opens.
 *
 *   npx tsx bench/open.ts [--items 1000000] [--accounts 10] [--runs 3] [--dir bench/.data/open]
 *
 * Prints, from one run on the same tree: the time of `getBackupInfo` (describeBackup)
 * and of listing accounts, next to a bare recursive readdir of the same tree (the
 * floor: any lazy description must at least list the folders it counts), and the
 * peak RSS of each, measured in a child process of its own.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BackupPath, describeBackup } from '../src/engine';
import { makeSample } from '../src/engine/sample';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : def;
};

async function bareReaddir(dir: string): Promise<number> {
  let n = 0;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop()!;
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      n++;
      if (e.isDirectory()) stack.push(path.join(d, e.name));
    }
  }
  return n;
}

/** Runs one measured task in this process and prints a JSON line: {ms, rssMB, result}. */
async function child(task: string, root: string): Promise<void> {
  const t0 = performance.now();
  let result: unknown;
  if (task === 'readdir') result = { entries: await bareReaddir(root) };
  else if (task === 'describe') {
    const info = await describeBackup(await BackupPath.open(root), { zone: 'UTC' });
    result = { accounts: info.accounts.total, items: info.items.count, blobs: info.blobs.count };
  } else if (task === 'accounts') {
    const accounts = await (await BackupPath.open(root)).accounts();
    result = { accounts: accounts.length };
  }
  const ms = performance.now() - t0;
  process.stdout.write(JSON.stringify({ ms, rssMB: process.resourceUsage().maxRSS / 1024, result }) + '\n');
}

function measure(task: string, root: string): { ms: number; rssMB: number; result: unknown } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child', task, root], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${task} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  if (args[0] === '--child') return child(args[1]!, args[2]!);
  const items = Number(opt('items', '1000000'));
  const accounts = Number(opt('accounts', '10'));
  const runs = Number(opt('runs', '3'));
  const dir = path.resolve(opt('dir', `bench/.data/open-${items}`));
  if (!existsSync(path.join(dir, 'accounts'))) {
    console.log(`generating ${items} items in ${accounts} accounts into ${dir} …`);
    const t0 = performance.now();
    // The generator gives its system account a quarter of the items: ask for 10 % more to reach the target.
    const result = await makeSample(dir, { accounts, itemsPerAccount: Math.ceil((items * 1.1) / accounts), seed: 7 });
    console.log(
      `generated ${result.items} items, ${result.blobs} BLOBs in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
  // Warm the page cache once so every contender reads the same cached tree.
  measure('readdir', dir);
  const rows: [string, { ms: number; rssMB: number; result: unknown }[]][] = [
    ['bare recursive readdir (baseline)', []],
    ['getBackupInfo (describeBackup)', []],
    ['list accounts (getAvailableAccounts)', []],
  ];
  const tasks = ['readdir', 'describe', 'accounts'];
  for (let r = 0; r < runs; r++) tasks.forEach((t, i) => rows[i]![1].push(measure(t, dir)));
  console.log(`\nbackup path: ${dir} (${runs} runs each, median; each run in a fresh process)`);
  const base = median(rows[0]![1].map((m) => m.ms));
  for (const [name, ms] of rows) {
    const t = median(ms.map((m) => m.ms));
    const rss = Math.max(...ms.map((m) => m.rssMB));
    console.log(
      `${name.padEnd(40)} ${t.toFixed(0).padStart(7)} ms  ×${(t / base).toFixed(2)} of readdir  peak RSS ${rss.toFixed(0)} MB  ${JSON.stringify(ms[0]!.result)}`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
