/**
 * bench/uiCheck.ts — the coherency check as the extension runs it (zxbackup/runCheck over a
 * real LSP connection to dist/server.js, the server publishing its diagnostics, then the
 * extension's own work on the result) next to the CLI on the same backup (dist/cli.js
 * doCoherencyCheck), interleaved in the same run, medians (issue 14 §7).
 *
 *   node scripts/build.mjs && npx tsx bench/uiCheck.ts <backup> [--level metadata] [--runs 3]
 *       [--cache cold,warm,none] [--open N]
 *
 * Cache modes, each measured for both contenders:
 *   cold  a fresh (empty) result cache for each run: the first check of a backup;
 *   warm  a cache filled by an unmeasured run first: a second check, nothing changed;
 *   none  no cache (CLI --no-cache; the server with ZXB_SQLITE=none): what the packaged VSIX
 *         does on a Node 20 extension host (code-server 4.100, VS Code ≤ 1.100), which has no
 *         SQLite driver, while a CLI run from a terminal has better-sqlite3.
 * --open N opens N item files in the server before the check (the server also answers
 * their pull diagnostics meanwhile).
 *
 * The server's figure is split with the line it logs ("runCheck phases: check … publish …"),
 * and the extension's work after the response (Findings groups, lost bodies, report) is
 * timed here with the same model functions the extension calls.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspClient, REPO } from '../test/server/lspClient';
import { checkReportMarkdown, checkSummary } from '../src/extension/model/checkReport';
import { groupFindings, groupLostBodies, lostBodyFindings } from '../src/extension/model/findingsModel';
import type { RunCheckRequest } from '../src/shared/protocol';
import { pathToFileURL } from 'node:url';

type Mode = 'cold' | 'warm' | 'none';
const args = process.argv.slice(2);
const root = path.resolve(args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? '');
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] ?? dflt) : dflt;
};
const level = opt('--level', 'metadata');
const runs = Number(opt('--runs', '3'));
const modes = opt('--cache', 'cold,warm,none').split(',') as Mode[];
const openCount = Number(opt('--open', '0'));

function freshCache(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'zxb-bench-cache-'));
}

function cli(mode: Mode, cache: string): { ms: number; engine: number } {
  const t = performance.now();
  const r = spawnSync(
    process.execPath,
    [
      'dist/cli.js',
      'doCoherencyCheck',
      root,
      '--level',
      level,
      '--progress',
      'none',
      '--json',
      ...(mode === 'none' ? ['--no-cache'] : []),
    ],
    { cwd: REPO, encoding: 'utf8', env: { ...process.env, ZXB_CACHE_DIR: cache }, maxBuffer: 1 << 30 },
  );
  const ms = performance.now() - t;
  if (r.status !== 0 && r.status !== 1) throw new Error(r.stderr);
  const summary = (JSON.parse(r.stdout) as { summary: { durationMs: number } }).summary;
  return { ms, engine: summary.durationMs };
}

interface ServerRun {
  ms: number;
  engine: number;
  check: number;
  publish: number;
  published: number;
  progress: number;
  findings: number;
  responseKB: number;
  /** The extension's work on the result: groups, lost bodies, summary, report. */
  after: number;
}

function someItemFiles(n: number): string[] {
  const out: string[] = [];
  const accounts = path.join(root, 'accounts');
  for (const a of readdirSync(accounts)) {
    const items = path.join(accounts, a, 'items');
    let buckets: string[];
    try {
      buckets = readdirSync(items);
    } catch {
      continue;
    }
    for (const b of buckets) {
      for (const f of readdirSync(path.join(items, b))) {
        out.push(path.join(items, b, f));
        if (out.length >= n) return out;
      }
    }
  }
  return out;
}

async function server(mode: Mode, cache: string): Promise<ServerRun> {
  process.env['ZXB_CACHE_DIR'] = cache;
  if (mode === 'none') process.env['ZXB_SQLITE'] = 'none';
  else delete process.env['ZXB_SQLITE'];
  const client = await LspClient.start({ settings: {} });
  for (const file of someItemFiles(openCount)) {
    const uri = pathToFileURL(file).toString();
    await client.open(uri, readFileSync(file, 'latin1'));
    void client.diagnostics(uri);
  }
  let published = 0;
  client.conn.onNotification('textDocument/publishDiagnostics', () => {
    published++;
  });
  const progressBefore = client.progress.length;
  const started = performance.now();
  const result = await client.request<RunCheckRequest.Result>('zxbackup/runCheck', {
    root,
    level,
    workDoneToken: 'bench',
  });
  const ms = performance.now() - started;
  const a = performance.now();
  checkSummary(result);
  groupFindings(result.findings, new Map());
  groupLostBodies(result.findings, new Map());
  lostBodyFindings(result.findings);
  checkReportMarkdown('bench', result);
  const after = performance.now() - a;
  const line = await client.waitFor('the phase log line', () =>
    client.logs.find((l) => l.includes('runCheck phases:')),
  );
  const num = (re: RegExp): number => Number(re.exec(line)?.[1] ?? NaN);
  const run: ServerRun = {
    ms,
    engine: result.summary.durationMs,
    check: num(/check (\d+) ms/),
    publish: num(/publish (\d+) ms/),
    published: num(/\((\d+) files\)/),
    progress: client.progress.length - progressBefore,
    findings: result.findings.length,
    responseKB: Math.round(JSON.stringify(result).length / 1024),
    after,
  };
  // The notifications sent before the response are all in by now; count what the client saw.
  run.published = Math.max(run.published, published);
  await client.stop();
  return run;
}

const med = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const s = (ms: number): string => (ms / 1000).toFixed(2);
const list = (a: number[]): string => a.map(s).join(', ');

async function main(): Promise<void> {
  console.log(`backup ${root}, level ${level}, ${runs} interleaved runs, cache modes ${modes.join(',')}`);
  for (const mode of modes) {
    const c: { ms: number; engine: number }[] = [];
    const v: ServerRun[] = [];
    const warmCli = mode === 'warm' ? freshCache() : undefined;
    const warmServer = mode === 'warm' ? freshCache() : undefined;
    if (warmCli && warmServer) {
      cli(mode, warmCli);
      await server(mode, warmServer);
    }
    for (let i = 0; i < runs; i++) {
      // Alternate which one goes first: a loaded machine favours neither.
      const one = async (which: 'cli' | 'server'): Promise<void> => {
        const cache = which === 'cli' ? (warmCli ?? freshCache()) : (warmServer ?? freshCache());
        if (which === 'cli') c.push(cli(mode, cache));
        else v.push(await server(mode, cache));
        if (mode !== 'warm') rmSync(cache, { recursive: true, force: true });
      };
      if (i % 2 === 0) {
        await one('cli');
        await one('server');
      } else {
        await one('server');
        await one('cli');
      }
    }
    for (const d of [warmCli, warmServer]) if (d) rmSync(d, { recursive: true, force: true });
    const ratio = med(v.map((x) => x.ms)) / med(c.map((x) => x.ms));
    console.log(`\n[${mode} cache]`);
    console.log(
      `  CLI (process start to exit):           median ${s(med(c.map((x) => x.ms)))} s  [${list(c.map((x) => x.ms))}]; engine ${s(med(c.map((x) => x.engine)))} s`,
    );
    console.log(
      `  server runCheck (request to response): median ${s(med(v.map((x) => x.ms)))} s  [${list(v.map((x) => x.ms))}]  server/CLI ${ratio.toFixed(2)}`,
    );
    const last = v[v.length - 1]!;
    console.log(
      `    check ${s(med(v.map((x) => x.check)))} s (engine ${s(med(v.map((x) => x.engine)))} s), publish ${med(v.map((x) => x.publish))} ms for ${last.published} publishDiagnostics, ` +
        `${last.progress} $/progress, ${last.findings} findings in a ${last.responseKB} KB response`,
    );
    console.log(
      `    the extension's work on the result (groups, lost bodies, report): ${med(v.map((x) => x.after)).toFixed(0)} ms`,
    );
  }
}

void main();
