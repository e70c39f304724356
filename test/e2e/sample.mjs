// The backup path the e2e tests open: generated once per option set into a cache folder, then reused.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO } from './paths.mjs';

export const E2E_SAMPLE_OPTIONS = { accounts: 6, itemsPerAccount: 1500, seed: 7, faults: true }; // big enough that a check runs for seconds (cancellation)

/** Makes `dir` hold a sample for `options` (regenerating when the options or the generator changed); returns dir. */
export function ensureSample(dir, options = E2E_SAMPLE_OPTIONS) {
  const stamp = `${dir}.sample.json`; // beside the backup path, not inside it: it would be a stray entry there
  const generator = 'makeSample';
  const wanted = JSON.stringify({ generator, options });
  if (fs.existsSync(dir) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === wanted) return dir;
  fs.rmSync(dir, { recursive: true, force: true }); // our own generated cache, never a customer's backup path
  fs.rmSync(stamp, { force: true });
  const t0 = Date.now();
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(REPO, 'test/e2e/makeSample.mjs'), dir, JSON.stringify(options)],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`sample generation into ${dir} failed (exit ${r.status})`);
  fs.writeFileSync(stamp, wanted);
  console.error(`[e2e] sample (${generator}) written to ${path.relative(REPO, dir)} in ${Date.now() - t0} ms`);
  return dir;
}
