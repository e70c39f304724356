// Child processes the harness owns: each in its own process group, so stopping it also stops what it spawned
// (code-server forks its extension host and language servers).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { onCleanup } from './cleanup.mjs';

/** Polls `probe` until it returns a truthy value or the deadline passes; returns the value or throws `what`. */
export async function pollUntil(what, probe, { timeoutMs = 30_000, intervalMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      if (e?.fatal) throw e; // no point waiting: e.g. the process to poll has exited
      lastError = e;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError.message ?? lastError})` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Starts a process group whose output goes to `logFile`; returns { child, stop }. */
export function startGroup(cmd, args, { env, cwd, logFile }) {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(cmd, args, { env, cwd, detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const signalGroup = (sig) => {
    try {
      process.kill(-child.pid, sig);
    } catch {
      /* already gone */
    }
  };
  const stop = onCleanup(async () => {
    if (!alive()) {
      signalGroup('SIGKILL'); // leftovers of an exited leader
      return;
    }
    signalGroup('SIGTERM');
    const timedOut = await Promise.race([
      exited.then(() => false),
      new Promise((r) => setTimeout(() => r(true), 5000)),
    ]);
    signalGroup('SIGKILL'); // the extension host or a language server may outlive the leader
    if (timedOut) await exited;
  });
  return { child, exited, alive, stop };
}
