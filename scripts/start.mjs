#!/usr/bin/env node
// `npm start`: the sample backup opened in a real VS Code with the extension.
//  - builds, installs code-server on first use (test/e2e/install.mjs), generates the sample with faults into
//    .cache/sample if absent, starts code-server on 127.0.0.1 with the extension, prints the URL, serves until Ctrl-C;
//  - `npm start -- --screenshot FILE`: opens it headless in Chromium, waits until the Backup view lists the accounts,
//    saves the screenshot and exits 0 (for machines without a display);
//  - `--vsix`: installs the packaged VSIX instead of linking the project folder; `--port N` picks the port.
// While the extension is not built yet, it prints `zxb getBackupInfo` and `zxb getAvailableAccounts` of the sample.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const option = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const screenshotFile = option('--screenshot');
const SAMPLE_OPTIONS = { accounts: 6, itemsPerAccount: 150, seed: 1, faults: true };
const say = (msg) => console.log(`[start] ${msg}`);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: repo, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

/** The extension is usable once its bundle exists and package.json contributes its views and commands. */
function extensionReady() {
  const manifest = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
  return (
    fs.existsSync(path.join(repo, manifest.main ?? 'dist/extension.js')) && manifest.contributes?.views !== undefined
  );
}

function accountNames(sample) {
  const dir = path.join(sample, 'accounts');
  return fs.readdirSync(dir).flatMap((id) => {
    try {
      const name = JSON.parse(fs.readFileSync(path.join(dir, id, 'account_info'), 'utf8')).name;
      return typeof name === 'string' ? [name] : [];
    } catch {
      return []; // a damaged account_info (the sample has faults)
    }
  });
}

async function screenshotTree({ url, sample, file }) {
  const { openWorkbench } = await import('../test/e2e/harness.mjs');
  const { expand, openView, parkPointer, rows, until } = await import('../test/e2e/ui/workbench.mjs');
  const browser = await openWorkbench(url);
  try {
    const pane = await openView(browser.page, /^Backup$/);
    const names = accountNames(sample);
    const domains = [...new Set(names.map((n) => n.split('@')[1]))];
    const visible = async (texts) => {
      for (const r of await rows(pane).all()) {
        const t = await r.innerText();
        if (texts.some((x) => t.includes(x))) return r;
      }
      return undefined;
    };
    // Accounts sit under their domain: expand the first domain if the accounts are not shown yet.
    const first = await until(
      'the Backup view to list domains or accounts',
      () => visible([...names, ...domains]),
      120_000,
    );
    if (!(await visible(names))) await expand(first);
    await until('the accounts in the Backup view', () => visible(names), 30_000);
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    await parkPointer(browser.page);
    await browser.page.screenshot({ path: path.resolve(file) });
    say(`screenshot saved to ${file}`);
  } finally {
    await browser.close();
  }
}

async function main() {
  run(process.execPath, ['scripts/build.mjs']);
  const { ensureSample } = await import('../test/e2e/sample.mjs');
  const sample = ensureSample(path.join(repo, '.cache/sample'), SAMPLE_OPTIONS);
  if (!extensionReady()) {
    say('the extension is not built yet: here is the sample through the CLI instead');
    run(process.execPath, ['bin/zxb.js', 'getBackupInfo', sample]);
    run(process.execPath, ['bin/zxb.js', 'getAvailableAccounts', sample]);
    return 0;
  }
  const { ensureInstalled } = await import('../test/e2e/install.mjs');
  const { startHarness, packageVsix } = await import('../test/e2e/harness.mjs');
  const { runCleanups } = await import('../test/e2e/cleanup.mjs');
  ensureInstalled();
  const vsix = argv.includes('--vsix') ? packageVsix() : undefined;
  const server = await startHarness({
    name: 'start',
    workspace: sample,
    vsix,
    linkExtension: vsix ? undefined : repo,
    port: option('--port'),
  });
  const url = server.folderUrl(sample);
  try {
    if (screenshotFile) {
      await screenshotTree({ url, sample, file: screenshotFile });
      return 0;
    }
    say(`Zextras Backup Inspector on the sample backup (${path.relative(repo, sample)}):`);
    console.log(`\n    ${url}\n`);
    say('open it in a browser; Ctrl-C stops the server');
    await new Promise(() => {}); // serve until a signal; the cleanup handlers stop code-server
  } finally {
    await runCleanups();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`[start] ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  },
);
