/** Scans of a mailbox over IMAP into a backup path: SmartScan, AccountScan, Real Time Scan. No vscode import. */
export * from './accounts';
export * from './flags';
export { emptyScanSummary, scanAccount, uidSet, type AccountScanSummary, type AccountScanInput } from './account';
export * from './smartScan';
export { IMAP_STATE_DIR, stateDirOf, scannedAccounts } from './state';
export { runRealtimeScan, POLL_MS, type RealtimeOptions } from './realtime';
