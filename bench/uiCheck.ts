/**
 * bench/uiCheck.ts — the coherency check as the extension runs it (zxbackup/runCheck over a
 * real LSP connection to dist/server.js, the server publishing its diagnostics) next to the
 * CLI on the same backup (dist/cli.js doCoherencyCheck), alternating, each with a fresh
 * (empty) result cache, as a first check of a backup runs.
 *
 *   node scripts/build.mjs && npx tsx bench/uiCheck.ts <backup> [--level metadata] [--runs 3]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspClient, REPO } from '../test/server/lspClient';

const args = process.argv.slice(2);
const root = path.resolve(args.find((a) => !a.startsWith('--')) ?? '');
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] ?? dflt) : dflt;
};
const level = opt('--level', 'metadata');
const runs = Number(opt('--runs', '3'));

function cli(): number {
  const t = performance.now();
  const cache = mkdtempSync(path.join(os.tmpdir(), 'zxb-bench-cache-'));
  const r = spawnSync(
    process.execPath,
    ['dist/cli.js', 'doCoherencyCheck', root, '--level', level, '--progress', 'none'],
    {
      cwd: REPO,
      encoding: 'utf8',
      env: { ...process.env, ZXB_CACHE_DIR: cache },
    },
  );
  rmSync(cache, { recursive: true, force: true });
  if (r.status !== 0 && r.status !== 1) throw new Error(r.stderr);
  return performance.now() - t;
}

async function server(): Promise<{ ms: number; check: number }> {
  // The server's check uses its cache folder: a fresh one, as for the CLI.
  const cache = mkdtempSync(path.join(os.tmpdir(), 'zxb-bench-cache-'));
  process.env['ZXB_CACHE_DIR'] = cache;
  const client = await LspClient.start({ settings: {} });
  const started = performance.now();
  const result = await client.request<{ summary: { durationMs: number } }>('zxbackup/runCheck', {
    root,
    level,
    workDoneToken: 'bench',
  });
  const ms = performance.now() - started;
  await client.stop();
  rmSync(cache, { recursive: true, force: true });
  return { ms, check: result.summary.durationMs };
}

async function main(): Promise<void> {
  const c: number[] = [];
  const s: number[] = [];
  const engine: number[] = [];
  for (let i = 0; i < runs; i++) {
    c.push(cli());
    const r = await server();
    s.push(r.ms);
    engine.push(r.check);
  }
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  console.log(`backup ${root}, level ${level}, ${runs} alternating runs`);
  console.log(
    `CLI (process start to exit):            median ${(med(c) / 1000).toFixed(2)} s  [${c.map((x) => (x / 1000).toFixed(2)).join(', ')}]`,
  );
  console.log(
    `server runCheck (request to response):  median ${(med(s) / 1000).toFixed(2)} s  [${s.map((x) => (x / 1000).toFixed(2)).join(', ')}]`,
  );
  console.log(`  of which the engine's own durationMs: median ${(med(engine) / 1000).toFixed(2)} s`);
}

void main();
