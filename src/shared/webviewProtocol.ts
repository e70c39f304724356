/**
 * Messages between the extension host and the Item History webview, declared once.
 * Both sides validate what they receive: a webview is a separate, untrusted context,
 * so nothing from it is used before it passes these checks. No `vscode` import.
 */

export const HISTORY_VIEW_TYPE = 'zxbackup.itemHistory';

export interface HistoryField {
  key: string;
  /** The value as compact JSON text ("" when the key is absent). */
  value: string;
  /** Differs from the previous transaction (always false on the first row). */
  changed: boolean;
  /** When changed: the previous transaction's value as shown ("" when the key was absent), for "old → new". */
  previous?: string;
  /** Secondary text beside the value, also its tooltip (a folder-id shown as a path keeps its id here). */
  detail?: string;
}

export interface HistoryRow {
  /** Position of the transaction in the file's array. */
  index: number;
  transactionId: number | null;
  start: string;
  end: string;
  /** How long the state lasted ("open-ended" for the current one). */
  duration: string;
  deleted: boolean;
  /** This transaction holds at the chosen point in time. */
  current: boolean;
  digest: string | null;
  /** Zero-based line of the transaction in the file, for "open at". */
  line: number | null;
  fields: HistoryField[];
}

export interface HistoryFindingRow {
  code: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  line: number | null;
}

export interface HistoryPayload {
  /** Relative to the backup path. */
  itemPath: string;
  title: string;
  zone: string;
  /** "last" or the chosen instant, formatted in the zone. */
  pointInTime: string;
  rows: HistoryRow[];
  findings: HistoryFindingRow[];
}

export type HostToWebview = { type: 'history'; payload: HistoryPayload } | { type: 'error'; message: string };

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'showState'; index: number }
  | { type: 'showBlob'; digest: string }
  | { type: 'openAt'; line: number };

/** What the webview keeps with getState/setState, and what the panel serializer restores from. */
export interface HistoryViewState {
  /** Relative to the backup path: enough for the panel serializer to reload after a window reload. */
  itemPath?: string;
  selected?: number;
  onlyChanged: boolean;
  payload?: HistoryPayload;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isString = (v: unknown, max = 4096): v is string => typeof v === 'string' && v.length <= max;

/** A message from the webview, or undefined when it is not one we know (ignored, never trusted). */
export function parseWebviewMessage(v: unknown): WebviewToHost | undefined {
  if (!isObject(v)) return undefined;
  switch (v['type']) {
    case 'ready':
      return { type: 'ready' };
    case 'showState':
      return isIndex(v['index']) ? { type: 'showState', index: v['index'] } : undefined;
    case 'showBlob':
      return isString(v['digest'], 128) && v['digest'].length > 0
        ? { type: 'showBlob', digest: v['digest'] }
        : undefined;
    case 'openAt':
      return isIndex(v['line']) ? { type: 'openAt', line: v['line'] } : undefined;
    default:
      return undefined;
  }
}

function isField(v: unknown): v is HistoryField {
  return (
    isObject(v) &&
    isString(v['key'], 256) &&
    isString(v['value'], 1_000_000) &&
    typeof v['changed'] === 'boolean' &&
    (v['previous'] === undefined || isString(v['previous'], 1_000_000)) &&
    (v['detail'] === undefined || isString(v['detail'], 4096))
  );
}

const isNullableIndex = (v: unknown): v is number | null => v === null || isIndex(v);

function isRow(v: unknown): v is HistoryRow {
  return (
    isObject(v) &&
    isIndex(v['index']) &&
    (v['transactionId'] === null || (typeof v['transactionId'] === 'number' && Number.isFinite(v['transactionId']))) &&
    isString(v['start']) &&
    isString(v['end']) &&
    isString(v['duration']) &&
    typeof v['deleted'] === 'boolean' &&
    typeof v['current'] === 'boolean' &&
    (v['digest'] === null || isString(v['digest'], 128)) &&
    isNullableIndex(v['line']) &&
    Array.isArray(v['fields']) &&
    v['fields'].every(isField)
  );
}

function isFindingRow(v: unknown): v is HistoryFindingRow {
  return (
    isObject(v) &&
    isString(v['code'], 128) &&
    (v['severity'] === 'error' || v['severity'] === 'warning' || v['severity'] === 'info') &&
    isString(v['message'], 100_000) &&
    isNullableIndex(v['line'])
  );
}

export function isHistoryPayload(v: unknown): v is HistoryPayload {
  return (
    isObject(v) &&
    isString(v['itemPath']) &&
    isString(v['title']) &&
    isString(v['zone'], 128) &&
    isString(v['pointInTime'], 128) &&
    Array.isArray(v['rows']) &&
    v['rows'].every(isRow) &&
    Array.isArray(v['findings']) &&
    v['findings'].every(isFindingRow)
  );
}

/** A message from the host; the webview checks it too (a stale or foreign message must not break the page). */
export function parseHostMessage(v: unknown): HostToWebview | undefined {
  if (!isObject(v)) return undefined;
  if (v['type'] === 'history' && isHistoryPayload(v['payload'])) return { type: 'history', payload: v['payload'] };
  if (v['type'] === 'error' && isString(v['message'], 100_000)) return { type: 'error', message: v['message'] };
  return undefined;
}

/** Saved state from an older page or another version: keep what is valid, drop the rest. */
export function parseViewState(v: unknown): HistoryViewState {
  const state: HistoryViewState = { onlyChanged: false };
  if (!isObject(v)) return state;
  if (typeof v['onlyChanged'] === 'boolean') state.onlyChanged = v['onlyChanged'];
  if (isString(v['itemPath']) && v['itemPath'].length > 0) state.itemPath = v['itemPath'];
  if (isIndex(v['selected'])) state.selected = v['selected'];
  if (isHistoryPayload(v['payload'])) state.payload = v['payload'];
  return state;
}
