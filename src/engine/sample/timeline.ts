/** The sample's fixed timeline (never the clock): transactions from 2025-01-01 to 2026-10-31 UTC. */
export const START_DATE = Date.UTC(2025, 0, 1, 0, 0, 0);
/** "Now" for the sample: the last SmartScan; every transaction starts before it. */
export const END_DATE = Date.UTC(2026, 9, 31, 0, 0, 0);
/** Imported mailboxes hold messages dated back to here. */
export const CONTENT_START = Date.UTC(2023, 0, 1, 0, 0, 0);
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** Deleted items older than this are due for purge (the check's default retention). */
export const RETENTION_DAYS = 30;
