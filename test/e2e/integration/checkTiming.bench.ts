/**
 * Issue 14 §7: the check from VS Code against the CLI on the same backup, measured in the same run, interleaved,
 * medians of 3. The UI figure runs from the command to the Findings view built; it is split into the server's
 * share (the runCheck request, of which the engine) and the extension's own (the rest). Two cache set-ups:
 * both with a fresh result cache, and the server with no SQLite driver (ZXB_SQLITE=none) as the packaged
 * VSIX runs on a Node 20 extension host (code-server 4.100), against a CLI with a fresh cache.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { LastCheck } from '../../../src/extension/ctx';
import { activeApi, backupRoot, commandId, extension, waitFor, type TestApi } from './support';

interface UiRun {
  total: number;
  request: number;
  engine: number;
}

type ShownTree = { shown?: { check: LastCheck; at: number } };

async function uiCheck(api: TestApi): Promise<UiRun> {
  const tree = api.findingsTree as unknown as ShownTree;
  const before = tree.shown?.check;
  const started = Date.now();
  await vscode.commands.executeCommand(commandId(/Run Coherency Check/i), 'backup', 'metadata');
  const shown = await waitFor(
    'the Findings view to list the new check',
    () => (tree.shown && tree.shown.check !== before ? tree.shown : undefined),
    120_000,
  );
  return {
    total: shown.at - started,
    request: shown.check.requestMs ?? NaN,
    engine: shown.check.result.summary.durationMs,
  };
}

function cliCheck(cacheDir: string): Promise<number> {
  const cli = join(extension().extensionPath, 'dist', 'cli.js');
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [cli, 'doCoherencyCheck', backupRoot(), '--level', 'metadata', '--json', '--progress', 'none'],
      { env: { ...process.env, ZXB_CACHE_DIR: cacheDir, ZXB_SQLITE: '' }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 || code === 1 ? resolve(Date.now() - started) : reject(new Error(`CLI exit ${code}: ${err}`)),
    );
  });
}

/** The server is a child of this extension host: it takes the environment as it is when it (re)starts. */
async function restartServerWith(env: Record<string, string | undefined>): Promise<void> {
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await vscode.commands.executeCommand(commandId(/Restart Server/i));
}

const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

describe('the coherency check from VS Code against the CLI (issue 14 §7)', function () {
  this.timeout(600_000);
  const saved = { ZXB_CACHE_DIR: process.env.ZXB_CACHE_DIR, ZXB_SQLITE: process.env.ZXB_SQLITE };
  after(() => restartServerWith(saved));

  for (const setup of ['fresh cache for both', 'server without SQLite (VSIX on Node 20), CLI with a fresh cache']) {
    it(`takes no more than the CLI's time, within a margin: ${setup}`, async () => {
      const api = await activeApi();
      const ui: UiRun[] = [];
      const cli: number[] = [];
      for (let round = 0; round < 3; round++) {
        const serverCache = mkdtempSync(join(os.tmpdir(), 'zxb-e2e-cache-'));
        const cliCache = mkdtempSync(join(os.tmpdir(), 'zxb-e2e-cache-'));
        try {
          await restartServerWith({
            ZXB_CACHE_DIR: serverCache,
            ZXB_SQLITE: setup.startsWith('server without') ? 'none' : undefined,
          });
          // Alternate which goes first: a loaded machine favours neither.
          if (round % 2 === 0) {
            ui.push(await uiCheck(api));
            cli.push(await cliCheck(cliCache));
          } else {
            cli.push(await cliCheck(cliCache));
            ui.push(await uiCheck(api));
          }
        } finally {
          rmSync(serverCache, { recursive: true, force: true });
          rmSync(cliCache, { recursive: true, force: true });
        }
      }
      const s = (ms: number): string => (ms / 1000).toFixed(2);
      const total = median(ui.map((r) => r.total));
      const request = median(ui.map((r) => r.request));
      const engine = median(ui.map((r) => r.engine));
      console.log(
        `check (metadata) ${setup}: UI ${s(total)} s [${ui.map((r) => s(r.total)).join(', ')}] ` +
          `(runCheck request ${s(request)} s, of which the engine ${s(engine)} s; the extension's own ${s(total - request)} s), ` +
          `CLI ${s(median(cli))} s [${cli.map(s).join(', ')}]`,
      );
      console.log(`ratio UI / CLI (${setup}): ${(total / median(cli)).toFixed(2)}`);
    });
  }
});
