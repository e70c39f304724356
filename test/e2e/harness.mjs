// The e2e harness: code-server with a fresh profile, our VSIX (or the dev folder), the sample opened as the
// workspace, Chromium driving it. Everything it starts is stopped by stop(), by runCleanups() and on signals.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';
import { launchBrowser } from './browser.mjs';
import { onCleanup } from './cleanup.mjs';
import { startCodeServer } from './codeServer.mjs';
import { ensureInstalled } from './install.mjs';
import { REPO, RESULTS, VSCODE_TEST } from './paths.mjs';
import { ensureSample } from './sample.mjs';

export const E2E_VSIX = path.join(VSCODE_TEST, 'zxbackup-inspector-e2e.vsix');
export const E2E_SAMPLE = path.join(REPO, '.cache/sample-e2e');
export const WORKBENCH_READY = '.monaco-workbench .part.statusbar';

const log = (msg) => console.error(`[e2e] ${msg}`);

/** Builds the bundles (and the integration-test bundle). */
export function build() {
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed');
}

/** Packages the VSIX the UI tests install (what ships is what is tested). */
export function packageVsix(out = E2E_VSIX) {
  const r = spawnSync(process.execPath, ['scripts/package.mjs', '--skip-build', '--out', out], {
    cwd: REPO,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('npm run package failed');
  return out;
}

/** Everything the tests need on disk: code-server, bundles, VSIX, sample. Steps can be skipped by env (run.mjs did them). */
export function prepare({ buildFirst = true, vsix = true, sampleDir = E2E_SAMPLE } = {}) {
  ensureInstalled();
  if (buildFirst) build();
  const vsixFile = vsix ? packageVsix() : undefined;
  const sample = ensureSample(sampleDir);
  return { vsix: vsixFile, sample };
}

function newRunDir(name) {
  const dir = path.join(VSCODE_TEST, 'runs', `${name}-${process.pid}-${Date.now()}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync(RESULTS, { recursive: true });
  return dir;
}

/**
 * Starts code-server on `workspace` with either the VSIX installed or the dev folder linked (or neither, for the
 * integration tests, which load the dev folder through the workbench payload). Returns the server and stop().
 */
export async function startHarness({ name, workspace, vsix, linkExtension, port, keepRunDir = false }) {
  const runDir = newRunDir(name);
  const logFile = path.join(RESULTS, `${name}-code-server.log`);
  fs.writeFileSync(logFile, '');
  const t0 = Date.now();
  let server;
  try {
    server = await startCodeServer({ runDir, workspace, vsix, linkExtension, logFile, port });
  } catch (e) {
    fs.rmSync(runDir, { recursive: true, force: true });
    throw e;
  }
  log(`code-server for ${name} on ${server.origin} in ${Date.now() - t0} ms (log: ${path.relative(REPO, logFile)})`);
  const stop = onCleanup(async () => {
    await server.stop();
    if (!keepRunDir) fs.rmSync(runDir, { recursive: true, force: true });
  });
  return { ...server, runDir, logFile, stop };
}

/** Opens the workbench on `url` in a fresh Chromium and waits until it has loaded. */
export async function openWorkbench(url, { beforeLoad } = {}) {
  const browser = await launchBrowser();
  try {
    if (beforeLoad) await beforeLoad(browser.page);
    await browser.page.goto(url);
    await browser.page.waitForSelector(WORKBENCH_READY, { timeout: 90_000 });
  } catch (e) {
    await browser.close();
    throw e;
  }
  return browser;
}

/**
 * Runs the integration tests (out/test/e2e/integration/index.js) inside the extension host, with the repo as the
 * development extension, and returns { code, lines, ms }. The workbench reports through codeAutomationLog/Exit.
 */
export async function runIntegrationTests({ workspace, timeoutMs = 10 * 60_000 }) {
  const tests = path.join(REPO, 'out/test/e2e/integration/index');
  if (!fs.existsSync(`${tests}.js`)) throw new Error('out/test/e2e/integration/index.js is missing: run npm run build');
  const server = await startHarness({ name: 'integration', workspace });
  const t0 = Date.now();
  const lines = [];
  const logFile = path.join(RESULTS, 'integration.log');
  let browser;
  try {
    let exit;
    const exited = new Promise((resolve) => (exit = resolve));
    const payload = [
      ['extensionDevelopmentPath', server.remoteUri(REPO)],
      ['extensionTestsPath', server.remoteUri(tests)],
      ['skipWelcome', 'true'],
    ];
    browser = await openWorkbench(server.folderUrl(workspace, payload), {
      beforeLoad: async (page) => {
        await page.exposeFunction('codeAutomationLog', (_type, args) => {
          const line = format(...(Array.isArray(args) ? args : [args])); // console.log(fmt, ...args) from the extension host
          lines.push(line);
          console.log(line);
        });
        await page.exposeFunction('codeAutomationExit', (code) => exit(code));
      },
    });
    let timer;
    const deadline = new Promise((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const code = await Promise.race([exited, deadline]).finally(() => clearTimeout(timer));
    if (code === 'timeout') lines.push(`integration tests did not finish within ${timeoutMs} ms`);
    await browser.page.screenshot({ path: path.join(RESULTS, 'integration.png') }).catch(() => {});
    return { code, lines, ms: Date.now() - t0 };
  } finally {
    fs.writeFileSync(logFile, lines.join('\n') + '\n');
    await browser?.close();
    await server.stop();
  }
}
