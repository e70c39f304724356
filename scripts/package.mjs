#!/usr/bin/env node
// `npm run package`: builds the bundles, then the VSIX with @vscode/vsce.
// What goes in is decided by .vscodeignore (an allow-list: bundles, schemas, grammars; no native module).
// Prints the VSIX path and size; `--out FILE` chooses the path, `--skip-build` reuses dist/.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Runs a command in the repo; throws with its exit status on failure. */
function run(cmd, args, cwd = repo) {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

export function vsixPath(out) {
  const manifest = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
  return path.resolve(repo, out ?? `${manifest.name}-${manifest.version}.vsix`);
}

/**
 * The top-level entries the VSIX can contain, read from .vscodeignore's `!` lines (its allow-list), plus the files
 * vsce always takes. vsce walks and matches every file under its working folder — in the repo that is
 * .vscode-test/ (code-server, ~100k files), .git and the samples: minutes. So it runs in a staging folder holding only
 * these entries (hard links or copies) and a link to node_modules for its dependency listing.
 */
function stagedEntries() {
  const allow = fs
    .readFileSync(path.join(repo, '.vscodeignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('!'))
    .map((l) => l.slice(1).split('/')[0]);
  const tops = new Set(['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore']);
  for (const name of fs.readdirSync(repo)) {
    if (name === 'node_modules') continue;
    if (allow.some((a) => new RegExp(`^${a.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(name)))
      tops.add(name);
  }
  return [...tops].filter((n) => fs.existsSync(path.join(repo, n)));
}

function stage() {
  const dir = path.join(repo, '.vscode-test', 'vsix-stage');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const name of stagedEntries())
    fs.cpSync(path.join(repo, name), path.join(dir, name), { recursive: true, dereference: true });
  fs.symlinkSync(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/** Builds (unless told not to) and packages; returns the VSIX path. */
export function packageExtension({ out, build = true } = {}) {
  if (build) run(process.execPath, ['scripts/build.mjs']);
  const manifest = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
  const file = vsixPath(out);
  const dir = stage();
  const args = [
    path.join(repo, 'node_modules/@vscode/vsce/vsce'),
    'package',
    '--out',
    file,
    '--no-rewrite-relative-links',
  ];
  // Without a repository URL vsce would stop and ask; the project has none yet.
  if (!manifest.repository) args.push('--allow-missing-repository');
  try {
    run(process.execPath, args, dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return file;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const outIdx = process.argv.indexOf('--out');
  const out = outIdx > 0 ? process.argv[outIdx + 1] : undefined;
  try {
    const file = packageExtension({ out, build: !process.argv.includes('--skip-build') });
    const bytes = fs.statSync(file).size;
    console.log(`VSIX: ${path.relative(process.cwd(), file)} (${(bytes / 1024).toFixed(0)} KiB, ${bytes} bytes)`);
  } catch (e) {
    console.error(`package: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  }
}
