/**
 * The last coherency check kept across window reloads: its result written (gzip JSON) to the
 * extension's workspace storage, outside the backup path, and read back at activation for the
 * same backup path only. Not workspaceState: a damaged backup's findings run to megabytes,
 * which VS Code's state database would load on every start.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { RunCheckRequest } from '../../shared/protocol';

export const LAST_CHECK_FILE = 'last-check.json.gz';
const VERSION = 1;

export interface StoredCheck {
  root: string;
  title: string;
  result: RunCheckRequest.Result;
  finishedAt: number;
}

export function encodeLastCheck(check: StoredCheck): Uint8Array {
  return gzipSync(JSON.stringify({ version: VERSION, ...check }));
}

/** The stored check if it is well formed and of this backup path; undefined otherwise (never throws). */
export function decodeLastCheck(bytes: Uint8Array, root: string): StoredCheck | undefined {
  try {
    const v = JSON.parse(gunzipSync(bytes).toString('utf8')) as Partial<StoredCheck> & { version?: unknown };
    if (v.version !== VERSION || v.root !== root || typeof v.title !== 'string') return undefined;
    if (typeof v.finishedAt !== 'number' || !Number.isFinite(v.finishedAt)) return undefined;
    const r = v.result;
    if (!r || !Array.isArray(r.findings) || typeof r.summary !== 'object' || r.summary === null) return undefined;
    if (typeof r.summary.bySeverity !== 'object' || typeof r.summary.byCode !== 'object') return undefined;
    return { root: v.root, title: v.title, result: r, finishedAt: v.finishedAt };
  } catch {
    return undefined;
  }
}
