/** Export and purge: the commands that copy a backup path or take out of it (docs/backup-format.md §12). */
export { exportBackup, selectAccounts, type ExportOptions, type ExportReport, type ExportedAccount } from './export';
export { meetsWindow, windowSpans, isWindowable, type TimeWindow, type Span } from './window';
export { legalHoldOf, type HoldVerdict } from './legalHold';
export {
  planPurge,
  type PurgePlan,
  type PurgeEntry,
  type PurgeKind,
  type KeptEntry,
  type KeptReason,
  type PlanOptions,
} from './purgePlan';
export { runPurge, type PurgeOptions, type PurgeResult } from './purge';
export { PURGE_JOURNAL_DIR, readJournal, unfinishedJournals, type JournalRead, type JournalLine } from './purgeJournal';
