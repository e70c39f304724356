/**
 * The legal-hold marker of an account (docs/backup-format.md §3.1). Zextras documents the
 * command (`carbonio backup legalHold set|unset`: "all backup states will be kept
 * forever") but not where the hold is stored, so the marker is our choice, read
 * tolerantly: a purge that wrongly thinks an account is held keeps data; the opposite
 * would lose it.
 */
import type { AccountSummary } from '../backup/backupPath';

export type HoldVerdict =
  | { held: false }
  | { held: true; why: 'marker'; key: string }
  /** account_info missing or unreadable: whether the account is held cannot be known, so it is. */
  | { held: true; why: 'unknown' };

const TRUE_WORDS = new Set(['true', 'yes', 'on', '1', 'set']);

function truthy(v: unknown): boolean {
  if (v === true) return true;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return TRUE_WORDS.has(v.trim().toLowerCase());
  return false;
}

/** A key naming a legal hold, whatever its casing or separators: legalHold, zimbraBackupLegalHold, legal_hold. */
function isHoldKey(key: string): boolean {
  return key
    .toLowerCase()
    .replace(/[^a-z]/g, '')
    .endsWith('legalhold');
}

export function legalHoldOf(account: AccountSummary): HoldVerdict {
  const info = account.info;
  if (!info) return { held: true, why: 'unknown' };
  for (const [where, obj] of [
    ['attributes', info.attributes],
    ['', info.extra],
  ] as const) {
    for (const [k, v] of Object.entries(obj)) {
      if (isHoldKey(k) && truthy(v)) return { held: true, why: 'marker', key: where ? `${where}.${k}` : k };
    }
  }
  return { held: false };
}
