/** The coherency check: one engine function for the CLI, the language server and the extension. */
export * from './types';
export { runCoherencyCheck, UNUSABLE_METADATA, type CheckIo } from './run';
export { checkFile } from './checkFile';
export { checkFileJob } from './fileCheck';
export { parseSample, inSample, describeSample } from './sample';
export { defaultCacheDir, CHECK_RULES_VERSION } from './cache';
export {
  applyFix,
  undoFix,
  writeFileAtomic,
  QUARANTINE_DIR,
  MANIFEST_NAME,
  type Manifest,
  type ManifestEntry,
  type UndoOutcome,
} from './fix';
export { toSarif } from './sarif';
export { findWorkerEntry } from './pool';
