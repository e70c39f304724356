// ESLint (flat config): typescript-eslint's recommended rules without type information
// (a type-aware lint would run the type checker a second time; `npm run typecheck` does that),
// and the import boundaries between the engine and its adapters (README, "Layout").
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/**
 * Sub-entry points of the engine an adapter may import besides its index, each because an
 * adapter loads it on first use (and the index does not re-export it): the sample generator,
 * for `zxb makeSample` only.
 */
const ENGINE_SUB_ENTRIES = ['sample'];
const LSP = [
  'vscode-languageserver',
  'vscode-languageserver/*',
  'vscode-languageserver-*',
  'vscode-languageclient',
  'vscode-languageclient/*',
];
const ADAPTERS = ['server', 'extension', 'cli'];
// Folders between src/ and an engine file: src/engine/x.ts, src/engine/check/x.ts, anything deeper.
const ENGINE_DEPTHS = [1, 2, 3];

const engineIndexOnly = {
  group: ['**/engine/**', ...ENGINE_SUB_ENTRIES.flatMap((e) => [`!**/engine/${e}`, `!**/engine/${e}/index.js`])],
  message: 'Import the engine from its index (src/engine/index.ts); add the export there if it is missing.',
};
/** Dynamic import() is not covered by no-restricted-imports. */
const engineIndexOnlyDynamic = {
  selector: `ImportExpression[source.value=/(^|\\/)engine\\/(?!(${ENGINE_SUB_ENTRIES.join('|')})\\/index\\.js$)/]`,
  message: `A lazily loaded part of the engine is one of its sub-entry points (${ENGINE_SUB_ENTRIES.map((e) => `engine/${e}/index.js`).join(', ')}).`,
};

/** Node's globals, for the plain JavaScript files (scripts, e2e harness), which tsc does not check. */
const NODE_GLOBALS = readonly(
  'process console Buffer URL URLSearchParams AbortController AbortSignal TextEncoder TextDecoder fetch performance ' +
    'setTimeout clearTimeout setInterval clearInterval setImmediate clearImmediate queueMicrotask structuredClone ' +
    'require module __dirname __filename',
);
const MOCHA_GLOBALS = readonly('describe it before after beforeEach afterEach');

function readonly(names) {
  return Object.fromEntries(names.split(' ').map((g) => [g, 'readonly']));
}

export default defineConfig(
  {
    ignores: [
      'dist/**',
      'out/**',
      'node_modules/**',
      '.vscode-test/**',
      'test-results/**',
      'bench/.data/**',
      '.cache/**',
      '**/*.d.ts',
      // Written by scripts/gen-schema-validators.ts (ajv's standalone code).
      '**/*.generated.ts',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Control characters in patterns are the point where they occur: NUL in binary content, ANSI escapes in terminal output.
      'no-control-regex': 'off',
      // The SQLite drivers are required on first use, synchronously, so that a runtime that cannot load one fails there only.
      '@typescript-eslint/no-require-imports': ['error', { allow: ['^better-sqlite3$', '^node:sqlite$'] }],
      // `_`-prefixed parameters and destructured leftovers are deliberate (callbacks with a fixed signature, omitting a key).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: NODE_GLOBALS },
  },
  {
    // bin/zxb.js and the like: CommonJS, where require() is how a file imports.
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.mjs'],
    languageOptions: { globals: MOCHA_GLOBALS },
  },
  {
    // A request's method, params and result under one name, the idiom of vscode-languageserver-protocol.
    files: ['src/shared/**'],
    rules: { '@typescript-eslint/no-namespace': 'off' },
  },
  {
    // Adapters and the contracts they share reach the engine through its public entry points only.
    files: ['src/server/**', 'src/extension/**', 'src/cli/**', 'src/shared/**', 'webview/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [engineIndexOnly] }],
      'no-restricted-syntax': ['error', engineIndexOnlyDynamic],
    },
  },
  {
    // The contracts are read by both sides of the wire (and the webview's browser code): no runtime of either side.
    files: ['src/shared/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'src/shared is read by the server and the webview too.' }],
          patterns: [
            engineIndexOnly,
            { group: LSP, message: 'src/shared holds contracts only, no LSP runtime.' },
            {
              group: ADAPTERS.map((a) => `../${a}`).concat(ADAPTERS.map((a) => `../${a}/**`)),
              message: 'src/shared imports no adapter.',
            },
          ],
        },
      ],
    },
  },
  // The engine knows no editor and no adapter. Its own src/engine/server.ts is also "../server", so
  // the adapter folders are matched by their exact relative path, one block per folder depth.
  ...ENGINE_DEPTHS.map((depth) => {
    const up = '../'.repeat(depth);
    const files =
      depth === ENGINE_DEPTHS.length
        ? ['src/engine/' + '*/'.repeat(depth - 1) + '**']
        : ['src/engine/' + '*/'.repeat(depth - 1) + '*.ts'];
    return {
      files,
      rules: {
        '@typescript-eslint/no-restricted-imports': [
          'error',
          {
            paths: [
              { name: 'vscode', message: 'The engine runs without VS Code (CLI, language server, worker threads).' },
            ],
            patterns: [
              { group: LSP, message: 'The engine speaks no LSP: the language server (src/server) adapts it.' },
              {
                group: ADAPTERS.flatMap((a) => [`${up}${a}`, `${up}${a}/**`]),
                message: 'The engine imports no adapter (src/server, src/extension, src/cli).',
              },
            ],
          },
        ],
      },
    };
  }),
);
