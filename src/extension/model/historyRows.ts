/**
 * One item's history as the Item History webview shows it: one row per transaction,
 * each field marked when it differs from the previous transaction (with the value it
 * had there), a folder-id as the folder's path at that transaction's start.
 */
import { parseTree } from 'jsonc-parser';
import {
  FAR_FUTURE,
  describeFlags,
  formatDuration,
  formatZxsuite,
  itemTypeName,
  lastTransaction,
  stateAt,
  LineIndex,
  type Finding,
  type FolderChain,
  type ItemHistory,
} from '../engine';
import { itemTitle } from '../engine';
import type { HistoryField, HistoryPayload, HistoryRow } from '../../shared/webviewProtocol';
import { formatPointInTime, pointInTimeSpec, type PointInTime } from './pointInTime';

/** Shown as their own columns, not as fields. */
const COLUMN_KEYS = new Set(['transaction-id', 'start-date', 'end-date']);
/** A field value longer than this is cut in the row (the state document shows it whole). */
const MAX_VALUE_CHARS = 2000;

/** The path of each transaction's folder at its start, by transaction index; undefined: no such folder then. */
export type TransactionFolderPaths = ReadonlyMap<number, string | undefined>;

/**
 * Asks the engine's evaluator (FolderChain: folderAt and folderPathAt over the folder's
 * chain of parents) where each transaction's folder-id pointed at that transaction's start.
 */
export async function transactionFolderPaths(
  history: ItemHistory,
  chain: FolderChain,
): Promise<TransactionFolderPaths> {
  const out = new Map<number, string | undefined>();
  for (const tx of history.transactions) {
    if (tx.folderId === undefined || tx.start === undefined) continue;
    out.set(tx.index, await chain.pathAt(tx.folderId, { kind: 'instant', at: tx.start }));
  }
  return out;
}

export function historyPayload(
  history: ItemHistory,
  opts: { text?: string; zone: string; at: PointInTime; folderPaths?: TransactionFolderPaths },
): HistoryPayload {
  const { zone } = opts;
  const lines = opts.text !== undefined ? transactionLines(opts.text) : [];
  const current = stateAt(history, pointInTimeSpec(opts.at)).transaction?.index;
  // Keys in order of first appearance across the file, so columns line up row to row.
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const tx of history.transactions) {
    for (const k of Object.keys(tx.raw)) {
      if (COLUMN_KEYS.has(k) || seen.has(k)) continue;
      seen.add(k);
      keys.push(k);
    }
  }

  let previous: Record<string, unknown> | undefined;
  let previousShown = new Map<string, string>();
  const rows: HistoryRow[] = history.transactions.map((tx) => {
    const shown = new Map<string, string>();
    const fields = keys.map((key) => {
      const raw = key in tx.raw ? compact(tx.raw[key]) : '';
      const before = previous === undefined ? undefined : key in previous ? compact(previous[key]) : '';
      const field: HistoryField = {
        key,
        value: raw === '' ? '' : annotate(key, tx.raw[key], raw, zone),
        changed: false,
      };
      if (key === 'folder-id' && raw !== '' && tx.folderId !== undefined && opts.folderPaths?.has(tx.index)) {
        const path = opts.folderPaths.get(tx.index);
        if (path !== undefined) {
          field.value = path;
          field.detail = `folder id ${tx.folderId}`;
        } else field.detail = `no folder ${tx.folderId} at this transaction's start`;
      }
      shown.set(key, field.value);
      if (before !== undefined && before !== raw) {
        field.changed = true;
        field.previous = previousShown.get(key) ?? '';
      }
      return field;
    });
    previous = tx.raw;
    previousShown = shown;
    const end = tx.end;
    return {
      index: tx.index,
      transactionId: tx.transactionId ?? null,
      start: tx.start !== undefined ? formatZxsuite(tx.start, zone) : '(no start-date)',
      end: end === null ? 'still valid' : formatZxsuite(end, zone),
      duration: tx.start === undefined ? '' : end === null ? 'open-ended' : formatDuration(end - tx.start),
      deleted: tx.deleted,
      current: tx.index === current,
      digest: typeof tx.digest === 'string' ? tx.digest : null,
      line: lines[tx.index] ?? null,
      fields,
    };
  });
  const last = lastTransaction(history);
  const id = history.fileItemId ?? last?.itemId;
  const title = last ? itemTitle(last) : '';
  return {
    itemPath: history.path,
    title: `${title || '(no subject)'}${id !== undefined ? ` #${id}` : ''}`,
    zone,
    pointInTime: formatPointInTime(opts.at, zone),
    rows,
    findings: history.findings.map(findingRow),
  };
}

function findingRow(f: Finding): HistoryPayload['findings'][number] {
  return { code: f.code, severity: f.severity, message: f.message, line: f.range ? f.range.start.line : null };
}

/** What a number means, next to it: flag names, the type name, a date in seconds in the zone. */
function annotate(key: string, v: unknown, text: string, zone: string): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return text;
  if (key === 'flags') {
    const { names, unknownBits } = describeFlags(v);
    // describeFlags can return bit 31 as a negative number: show it unsigned.
    const parts = [...names, ...(unknownBits ? [`bits ${unknownBits >>> 0}`] : [])];
    return parts.length ? `${text} (${parts.join(', ')})` : text;
  }
  if (key === 'type') {
    const name = itemTypeName(v);
    return name ? `${text} (${name})` : text;
  }
  if ((key === 'date' || key === 'change-date') && v > 0 && v < FAR_FUTURE / 1000)
    return `${text} (${formatZxsuite(v * 1000, zone)})`;
  return text;
}

function compact(v: unknown): string {
  const s = JSON.stringify(v) ?? 'undefined';
  return s.length > MAX_VALUE_CHARS ? `${s.slice(0, MAX_VALUE_CHARS - 1)}…` : s;
}

/** Zero-based line where each element of the top-level array starts. */
export function transactionLines(text: string): number[] {
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const root = parseTree(t, [], { disallowComments: true });
  if (!root || root.type !== 'array' || !root.children) return [];
  const index = new LineIndex(t);
  return root.children.map((c) => index.position(c.offset).line);
}

/** The transaction's state as pretty JSON, for the read-only "Show state" document. */
export function transactionStateText(history: ItemHistory, index: number, zone: string): string | undefined {
  const tx = history.transactions.find((t) => t.index === index);
  if (!tx) return undefined;
  const header = {
    '//': `${history.path} — transaction ${index + 1} of ${history.transactions.length}`,
    valid: `${tx.start !== undefined ? formatZxsuite(tx.start, zone) : '?'} → ${tx.end === null ? 'still valid' : formatZxsuite(tx.end, zone)} (${zone})`,
  };
  return `${JSON.stringify({ ...header, state: tx.raw }, null, 2)}\n`;
}
