/**
 * The part of the engine the extension host uses: reading and browsing only.
 * Imported module by module rather than from src/engine/index.ts because the index
 * also exports the coherency check, which loads better-sqlite3 — a native module
 * that would have to match the editor's Electron ABI. Checks run in the language
 * server (a plain Node process), so the extension bundle stays free of it.
 */
export * from '../engine/findings';
export * from '../engine/dates';
export * from '../engine/digest';
export * from '../engine/layout';
export * from '../engine/zimbra';
export * from '../engine/progress';
export * from '../engine/text';
export * from '../engine/blobs';
export * from '../engine/serverArchive';
export * from '../engine/item/types';
export * from '../engine/item/history';
export * from '../engine/item/analyze';
export * from '../engine/backup/backupPath';
export * from '../engine/backup/snapshot';
export { listDir, readFileCapped } from '../engine/fsx';
