/**
 * Entry of the integration tests inside the extension host: VS Code calls run() (extensionTestsPath).
 * Mocha is loaded from the project's node_modules (left external by the bundle); test files are required after
 * the BDD globals exist.
 */
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  const grep = process.env.ZXB_E2E_GREP;
  if (grep) mocha.grep(grep);
  mocha.suite.emit('pre-require', globalThis, 'integration', mocha);
  // After pre-require, which sets mocha's globals: an import would be hoisted above it.
  // ZXB_E2E_BENCH=1 (npm run bench:ui-check-e2e): the timing benchmark, which reports figures, instead of the tests.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (process.env.ZXB_E2E_BENCH) require('./checkTiming.bench');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  else require('./extension.test');
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
  });
}
