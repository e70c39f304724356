/** Runs the built CLI (bin/zxb.js → dist/cli.js) as a child process, as a user would. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

export const PROJECT = path.resolve(__dirname, '..', '..');
const BIN = path.join(PROJECT, 'bin', 'zxb.js');

let built: Promise<void> | undefined;

/** Builds dist/ once per test run, whichever CLI test file asks first. */
export function ensureBuilt(): Promise<void> {
  built ??= new Promise((resolve, reject) => {
    execFile(process.execPath, ['scripts/build.mjs'], { cwd: PROJECT }, (err, _out, stderr) =>
      err ? reject(new Error(`build failed: ${stderr}`)) : resolve(),
    );
  });
  return built;
}

export interface ZxbResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stdoutBytes: Buffer;
  stderr: string;
}

export function startZxb(args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: PROJECT,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function collect(child: ChildProcess): Promise<ZxbResult> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (b: Buffer) => out.push(b));
  child.stderr!.on('data', (b: Buffer) => err.push(b));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const stdoutBytes = Buffer.concat(out);
      resolve({
        code,
        signal,
        stdout: stdoutBytes.toString('utf8'),
        stdoutBytes,
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

export function zxb(...args: string[]): Promise<ZxbResult> {
  return collect(startZxb(args));
}

/** Runs with --json and parses stdout; fails loudly with stderr when stdout is not JSON. */
export async function zxbJson<T>(...args: string[]): Promise<{ code: number | null; json: T; stderr: string }> {
  const r = await zxb(...args, '--json');
  try {
    return { code: r.code, json: JSON.parse(r.stdout) as T, stderr: r.stderr };
  } catch {
    throw new Error(`stdout is not JSON (exit ${r.code}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
}

/** Polls until `check` holds or the deadline passes. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
