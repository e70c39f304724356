#!/usr/bin/env node
// `npm run test:e2e`: the extension in a real VS Code (code-server 4.100.3) driven by Chromium.
//  1. installs code-server / Debian packages on first use, builds, packages the VSIX, generates the sample;
//  2. integration tests inside the extension host (the repo as development extension);
//  3. UI tests through Chromium against the installed VSIX (mocha, test/e2e/ui).
// Options: --only integration|ui, --skip-build. Env: ZXB_E2E_SCREENSHOTS=docs also writes docs/images/*.png;
// ZXB_E2E_GREP=<text> runs only the integration tests whose title has it; ZXB_E2E_WORKSPACE=<backup path> opens that
// backup instead of the sample for the integration tests (e.g. a bigger one for the check timing, docs/check.md).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { runCleanups } from './cleanup.mjs';
import { prepare, runIntegrationTests } from './harness.mjs';
import { REPO } from './paths.mjs';

const argv = process.argv.slice(2);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
const t0 = Date.now();
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const timings = {};
let failed = false;

try {
  const tPrep = Date.now();
  const { vsix, sample } = prepare({ buildFirst: !argv.includes('--skip-build'), vsix: only !== 'integration' });
  timings.prepare = Date.now() - tPrep;

  if (only !== 'ui') {
    const r = await runIntegrationTests({ workspace: process.env.ZXB_E2E_WORKSPACE || sample });
    timings.integration = r.ms;
    console.log(`[e2e] integration tests: exit ${r.code} in ${seconds(r.ms)}`);
    if (r.code !== 0) failed = true;
  }
  if (only !== 'integration') {
    const tUi = Date.now();
    // A process of its own: mocha + tsx, told where the VSIX and the sample are so it does not prepare them again.
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(REPO, 'node_modules/mocha/bin/mocha.js'),
        '--no-config',
        '--timeout',
        '180000',
        '--reporter',
        'spec',
        // ZXB_E2E_BENCH=1 (npm run bench:ui-check-e2e): the timing benchmarks instead of the tests.
        process.env.ZXB_E2E_BENCH ? 'test/e2e/ui/*.bench.mjs' : 'test/e2e/ui/*.test.mjs',
      ],
      { cwd: REPO, stdio: 'inherit', env: { ...process.env, ZXB_E2E_VSIX: vsix, ZXB_E2E_SAMPLE: sample } },
    );
    timings.ui = Date.now() - tUi;
    console.log(`[e2e] UI tests: exit ${r.status} in ${seconds(timings.ui)}`);
    if (r.status !== 0) failed = true;
  }
} catch (e) {
  console.error(`[e2e] ${e instanceof Error ? e.stack : e}`);
  failed = true;
} finally {
  await runCleanups();
}
console.log(
  `[e2e] ${failed ? 'FAILED' : 'passed'}; ${Object.entries(timings)
    .map(([k, v]) => `${k} ${seconds(v)}`)
    .join(', ')}; total ${seconds(Date.now() - t0)}`,
);
process.exit(failed ? 1 : 0);
