#!/usr/bin/env node
// Installs what the e2e harness needs, idempotently:
//  1. Debian packages (Chromium, ripgrep, headers for code-server's native modules), with apt-get when root;
//  2. code-server 4.100.3 from npm into .vscode-test/ (first run ≈ minutes, later runs reuse it);
//  3. checks that playwright-core (a devDependency) resolves.
// Nothing is downloaded from anywhere but the npm registry and Debian: @vscode/ripgrep's GitHub download is
// pre-seeded with Debian's /usr/bin/rg, and node-gyp uses the system Node headers (nodedir=/usr).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CS_ENTRY,
  CS_MARKER,
  CS_PREFIX,
  CS_VERSION,
  REPO,
  SANDBOX_HOME,
  SANDBOX_TMP,
  VSCODE_TEST,
  sandboxEnv,
} from './paths.mjs';

export const DEBIAN_PACKAGES = [
  'chromium',
  'ripgrep',
  'libkrb5-dev',
  'libx11-dev',
  'libxkbfile-dev',
  'libsecret-1-dev',
  'pkg-config',
];

const log = (msg) => console.error(`[e2e:install] ${msg}`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  return r;
}

function missingDebianPackages() {
  return DEBIAN_PACKAGES.filter((p) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

function ensureDebianPackages() {
  const missing = missingDebianPackages();
  if (missing.length === 0) return;
  const cmd = `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages: ${missing.join(', ')}. Run as root:\n  sudo sh -c '${cmd}'`);
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', ...missing], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

/** npm settings for the code-server install; the real npm cache and user config are kept (HOME is redirected). */
function npmEnv() {
  const realHome = os.homedir();
  return {
    ...sandboxEnv(),
    npm_config_cache: process.env.npm_config_cache || path.join(realHome, '.npm'),
    npm_config_userconfig: process.env.npm_config_userconfig || path.join(realHome, '.npmrc'),
    npm_config_nodedir: '/usr', // system Node headers: node-gyp must not ask nodejs.org
    npm_config_unsafe_perm: 'true', // code-server's postinstall refuses to run as root without it
    npm_config_yes: 'true', // node-pty's postinstall runs `npx node-gyp`, which would prompt
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  };
}

/** @vscode/ripgrep's postinstall downloads rg from GitHub; give it Debian's rg in the cache it looks at first. */
function preseedRipgrepCache(env) {
  const work = fs.mkdtempSync(path.join(SANDBOX_TMP, 'rgseed-'));
  try {
    run('npm', ['pack', '-q', `code-server@${CS_VERSION}`], { cwd: work, env, stdio: ['ignore', 'ignore', 'inherit'] });
    run('tar', ['xzf', `code-server-${CS_VERSION}.tgz`, 'package/lib/vscode/npm-shrinkwrap.json'], { cwd: work });
    const shrink = JSON.parse(fs.readFileSync(path.join(work, 'package/lib/vscode/npm-shrinkwrap.json'), 'utf8'));
    const rgVersion = shrink.packages?.['node_modules/@vscode/ripgrep']?.version;
    if (!rgVersion) return; // newer code-server: @vscode/ripgrep-universal, no download
    run('npm', ['pack', '-q', `@vscode/ripgrep@${rgVersion}`], {
      cwd: work,
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const post = spawnSync('tar', ['xzf', `vscode-ripgrep-${rgVersion}.tgz`, 'package/lib/postinstall.js', '-O'], {
      cwd: work,
      encoding: 'utf8',
    });
    const tag = /^const VERSION = '(.*)';/m.exec(post.stdout)?.[1];
    if (!tag) throw new Error(`cannot read the ripgrep tag from @vscode/ripgrep@${rgVersion}`);
    const cache = path.join(SANDBOX_TMP, `vscode-ripgrep-cache-${rgVersion}`);
    fs.mkdirSync(path.join(work, 'rg'), { recursive: true });
    fs.mkdirSync(cache, { recursive: true });
    fs.copyFileSync('/usr/bin/rg', path.join(work, 'rg/rg'));
    run('tar', [
      'czf',
      path.join(cache, `ripgrep-${tag}-x86_64-unknown-linux-musl.tar.gz`),
      '-C',
      path.join(work, 'rg'),
      'rg',
    ]);
    log(`ripgrep cache pre-seeded for @vscode/ripgrep ${rgVersion} (${tag})`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function codeServerInstalled() {
  try {
    return JSON.parse(fs.readFileSync(CS_MARKER, 'utf8')).version === CS_VERSION && fs.existsSync(CS_ENTRY);
  } catch {
    return false;
  }
}

function installCodeServer() {
  const t0 = Date.now();
  for (const d of [CS_PREFIX, SANDBOX_HOME, SANDBOX_TMP]) fs.mkdirSync(d, { recursive: true });
  const env = npmEnv();
  preseedRipgrepCache(env);
  fs.writeFileSync(
    path.join(CS_PREFIX, 'package.json'),
    JSON.stringify({ name: 'code-server-host', private: true }) + '\n',
  );
  const logFile = path.join(CS_PREFIX, 'install.log');
  log(
    `installing code-server ${CS_VERSION} into ${path.relative(REPO, CS_PREFIX)} (log: ${path.relative(REPO, logFile)})`,
  );
  const out = fs.openSync(logFile, 'w');
  const r = spawnSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--foreground-scripts', `code-server@${CS_VERSION}`],
    { cwd: CS_PREFIX, env, stdio: ['ignore', out, out] },
  );
  fs.closeSync(out);
  if (r.status !== 0 || !fs.existsSync(CS_ENTRY)) {
    const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
    throw new Error(`code-server install failed (exit ${r.status}); last lines of ${logFile}:\n${tail}`);
  }
  const seconds = Math.round((Date.now() - t0) / 1000);
  fs.writeFileSync(
    CS_MARKER,
    JSON.stringify({ version: CS_VERSION, installedAt: new Date().toISOString(), seconds }) + '\n',
  );
  log(`code-server ${CS_VERSION} installed in ${seconds}s`);
}

function ensurePlaywright() {
  try {
    createRequire(path.join(REPO, 'package.json')).resolve('playwright-core');
  } catch {
    throw new Error('playwright-core is missing: run `npm ci` (it is a devDependency)');
  }
}

/** Makes sure everything is there; returns the path of code-server's entry script. */
export function ensureInstalled() {
  const t0 = Date.now();
  fs.mkdirSync(VSCODE_TEST, { recursive: true });
  ensureDebianPackages();
  ensurePlaywright();
  if (codeServerInstalled()) log(`code-server ${CS_VERSION} already installed (reused)`);
  else installCodeServer();
  log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  return CS_ENTRY;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    ensureInstalled();
  } catch (e) {
    console.error(`[e2e:install] ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  }
}
