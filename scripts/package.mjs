#!/usr/bin/env node
// `npm run package`: builds the bundles, then the VSIX with @vscode/vsce.
// What goes in is decided by .vscodeignore (an allow-list: bundles, schemas, grammars, better-sqlite3's runtime files).
// Prints the VSIX path and size; `--out FILE` chooses the path, `--skip-build` reuses dist/.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Runs a command in the repo; throws with its exit status on failure. */
function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: repo, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

export function vsixPath(out) {
  const manifest = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
  return path.resolve(repo, out ?? `${manifest.name}-${manifest.version}.vsix`);
}

/** Builds (unless told not to) and packages; returns the VSIX path. */
export function packageExtension({ out, build = true } = {}) {
  if (build) run(process.execPath, ['scripts/build.mjs']);
  const manifest = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
  const file = vsixPath(out);
  const args = ['--no-install', 'vsce', 'package', '--out', file, '--no-rewrite-relative-links'];
  // Without a repository URL vsce would stop and ask; the project has none yet.
  if (!manifest.repository) args.push('--allow-missing-repository');
  run('npx', args);
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
