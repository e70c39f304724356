/**
 * The engine as the extension host uses it: reading and browsing; checks run in the
 * language server. Its public index, as for every adapter (eslint.config.mjs). The
 * index also exports the coherency check and the catalogue, which load a SQLite driver
 * (src/engine/sqlite.ts: node:sqlite in VS Code ≥ 1.101) only when they open a database,
 * and esbuild leaves out what the extension does not use, so the bundle stays free of
 * the check.
 */
export * from '../engine';
