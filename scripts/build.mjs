// Bundles each entry point with esbuild. The engine is bundled into every entry;
// better-sqlite3 stays external (a native module loaded from node_modules).
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';

// The one source of the version: `zxb --version` and the SARIF tool version (src/cli/version.ts).
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external: ['vscode', 'better-sqlite3'],
  // jsonc-parser's (and vscode-json-languageservice's) UMD "main" requires its own files dynamically, which a bundle cannot follow.
  mainFields: ['module', 'main'],
  logLevel: 'warning',
  define: { __ZXB_VERSION__: JSON.stringify(version) },
};
const entries = [
  { in: 'src/cli/main.ts', out: 'dist/cli.js' },
  { in: 'src/server/main.ts', out: 'dist/server.js' },
  { in: 'src/extension/main.ts', out: 'dist/extension.js' },
  { in: 'src/engine/check/worker.ts', out: 'dist/checkWorker.js' },
  { in: 'src/server/schemaWorker.ts', out: 'dist/schemaWorker.js' },
].filter((e) => existsSync(e.in));

await Promise.all(entries.map((e) => build({ ...common, entryPoints: [e.in], outfile: e.out })));
if (existsSync('webview/history/main.ts')) {
  await build({
    ...common,
    platform: 'browser',
    format: 'iife',
    external: [],
    entryPoints: ['webview/history/main.ts'],
    outfile: 'dist/webview/history.js',
  });
}
// Integration tests run inside VS Code's extension host (test/e2e); mocha is loaded from node_modules there.
if (existsSync('test/e2e/integration/index.ts')) {
  await build({
    ...common,
    external: [...common.external, 'mocha'],
    entryPoints: ['test/e2e/integration/index.ts'],
    outfile: 'out/test/e2e/integration/index.js',
  });
}
if (!watch) console.log(`built ${entries.map((e) => e.out).join(', ')}`);
