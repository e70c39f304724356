/**
 * Item metadata → typed history. Fast path: JSON.parse and plain objects. Only when
 * something is to be reported are positions computed, with jsonc-parser, so a clean
 * file costs little more than JSON.parse and every finding still carries a range.
 */
import { TRANSACTION_FILE_KEYS } from '../format/item';
import { isUtf8 } from 'node:buffer';
import { parseTree, findNodeAtLocation, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { finding, type Finding, type FindingCode, type Range, type Severity } from '../findings';
import { FAR_FUTURE, SECONDS_THRESHOLD, formatMessageDate, parseInstant } from '../dates';
import { itemTypeCode } from '../zimbra';
import { LineIndex } from '../text';
import type { ItemHistory, JsonPointer, Transaction } from './types';

const DRIVE_NODE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Item metadata is a few levels deep; anything past this is corruption (and would overflow naive parsers). */
export const MAX_NESTING = 64;

export interface ParseItemOptions {
  /** The item id expected from the file name, if known. */
  fileItemId?: number;
}

interface Pending {
  code: FindingCode;
  message: string;
  pointer: JsonPointer;
  severity?: Severity;
  /** Point at the key rather than the value (unknown keys). */
  atKey?: boolean;
}

/** Sink for findings with JSON pointers, turned into ranged findings at the end. */
export class PendingFindings {
  readonly items: Pending[] = [];
  add(
    code: FindingCode,
    message: string,
    pointer: JsonPointer,
    extra: { severity?: Severity; atKey?: boolean } = {},
  ): void {
    this.items.push({ code, message, pointer, ...extra });
  }
}

/** The keys the documented format knows: the writer's list (src/engine/format/item.ts), so reader and writer cannot drift. */
const KNOWN_KEYS = TRANSACTION_FILE_KEYS;

export function parseItemBytes(bytes: Uint8Array, path: string, opts: ParseItemOptions = {}): ItemHistory {
  if (!isUtf8(bytes)) {
    const at = firstInvalidUtf8(bytes);
    return failed(path, opts, finding('item.not-utf8', path, `not valid UTF-8 (first bad byte at offset ${at})`));
  }
  return parseItemText(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), path, opts);
}

export function parseItemText(input: string, path: string, opts: ParseItemOptions = {}): ItemHistory {
  return parseItemSource(input, path, opts).history;
}

/** An item file read: its history, and when it parsed, the value and the BOM-less text (what the schema validates). */
export interface ItemSource {
  history: ItemHistory;
  text: string;
  value?: unknown;
}

export function parseItemSource(input: string, path: string, opts: ParseItemOptions = {}): ItemSource {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  // Parse first, scan the text for nesting only when the file is deep or not JSON:
  // the character scan costs as much as JSON.parse and a clean file never needs it.
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { history: failed(path, opts, ...(tooDeep(text, path) ?? syntaxFindings(text, path))), text };
  }
  if (valueDeeperThan(value, MAX_NESTING, 0)) return { history: failed(path, opts, ...tooDeep(text, path)!), text };
  const pending = new PendingFindings();
  const transactions = normaliseHistory(value, pending);
  const history: ItemHistory = { path, transactions, findings: [], parsed: true };
  if (opts.fileItemId !== undefined) history.fileItemId = opts.fileItemId;
  history.findings = resolvePending(text, path, pending);
  return { history, text, value };
}

/** The item.too-deep finding at the first bracket past MAX_NESTING, or undefined when the text is shallow enough. */
function tooDeep(text: string, path: string): Finding[] | undefined {
  const depth = nestingDepthExceeds(text, MAX_NESTING);
  if (depth === undefined) return undefined;
  const pos = new LineIndex(text).range(depth, depth + 1);
  return [finding('item.too-deep', path, `nesting deeper than ${MAX_NESTING} levels`, { range: pos })];
}

/** Whether a parsed value nests arrays/objects more than `limit` levels (the same count as nestingDepthExceeds on its text). */
function valueDeeperThan(value: unknown, limit: number, level: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (level + 1 > limit) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (valueDeeperThan(value[i], limit, level + 1)) return true;
    return false;
  }
  const o = value as Record<string, unknown>;
  for (const k in o) if (valueDeeperThan(o[k], limit, level + 1)) return true;
  return false;
}

function failed(path: string, opts: ParseItemOptions, ...findings: Finding[]): ItemHistory {
  const h: ItemHistory = { path, transactions: [], findings, parsed: false };
  if (opts.fileItemId !== undefined) h.fileItemId = opts.fileItemId;
  return h;
}

/** Every syntax error jsonc-parser finds in strict JSON mode, with its position. */
export function syntaxFindings(text: string, path: string, code: FindingCode = 'item.invalid-json'): Finding[] {
  const errors: ParseError[] = [];
  parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const lines = new LineIndex(text);
  if (errors.length === 0) {
    // JSON.parse refused what jsonc-parser accepts (e.g. a lone surrogate escape): report at the start.
    return [finding(code, path, 'invalid JSON', { range: lines.range(0, Math.min(1, text.length)) })];
  }
  return errors.slice(0, 20).map((e) =>
    finding(
      code,
      path,
      `invalid JSON: ${describeParseError(printParseErrorCode(e.error))} at line ${lines.position(e.offset).line + 1}`,
      {
        range: lines.range(e.offset, e.offset + Math.max(1, e.length)),
      },
    ),
  );
}

function describeParseError(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** Offset of the first bracket past `limit` levels, or undefined. Strings are skipped. */
export function nestingDepthExceeds(text: string, limit: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > limit) return i;
    } else if (c === 93 || c === 125) depth--;
  }
  return undefined;
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  // The decoder turns the first bad sequence into U+FFFD and everything before it into
  // exact characters, so their UTF-8 length is the bad byte's offset. (Bisecting on
  // isUtf8 of prefixes is wrong: a prefix that cuts a valid character is invalid too.)
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  for (let i = text.indexOf('\uFFFD'); i >= 0; i = text.indexOf('\uFFFD', i + 1)) {
    const at = Buffer.byteLength(text.slice(0, i), 'utf8');
    // A U+FFFD written in the file (EF BF BD) is a real character: look further.
    if (!(bytes[at] === 0xef && bytes[at + 1] === 0xbf && bytes[at + 2] === 0xbd)) return at;
  }
  return 0;
}

/** Shapes the parsed value into transactions, recording tolerance findings as it goes. */
export function normaliseHistory(value: unknown, pending: PendingFindings): Transaction[] {
  if (!Array.isArray(value)) {
    pending.add('item.not-array', `expected a JSON array of transactions, found ${describeType(value)}`, []);
    return [];
  }
  if (value.length === 0) pending.add('item.empty-history', 'the array of transactions is empty', []);
  const out: Transaction[] = [];
  for (let index = 0; index < value.length; index++) {
    const element: unknown = value[index];
    if (element === null || typeof element !== 'object' || Array.isArray(element)) {
      pending.add('item.not-object', `transaction ${index + 1} is ${describeType(element)}, not an object`, [index]);
      continue;
    }
    out.push(normaliseTransaction(element as Record<string, unknown>, index, pending));
  }
  return out;
}

/*
 * The hot path of every check: no closures, no pointer arrays unless a finding is
 * recorded, one pass over the keys. The order of the pending findings is part of
 * the behaviour (test/unit/parse.test.ts): keep it when editing.
 */
function normaliseTransaction(raw: Record<string, unknown>, index: number, pending: PendingFindings): Transaction {
  const tx: Transaction = { index, end: null, deleted: false, extra: {}, raw };

  const tid = intAt(raw, 'transaction-id', index, pending);
  if (tid !== undefined) tx.transactionId = tid;
  const rawStart = raw['start-date'];
  const start =
    typeof rawStart === 'number' && rawStart >= SECONDS_THRESHOLD && rawStart < FAR_FUTURE
      ? Math.round(rawStart)
      : readDate(rawStart, index, 'start-date', pending, false);
  if (start !== undefined && start !== null) tx.start = start;
  else
    pending.add(
      'item.missing-start-date',
      `transaction ${index + 1} has no valid "start-date"`,
      rawStart === undefined ? [index] : [index, 'start-date'],
    );
  const rawEnd = raw['end-date'];
  if (rawEnd === null || rawEnd === undefined) tx.end = null;
  else if (typeof rawEnd === 'number' && rawEnd >= SECONDS_THRESHOLD && rawEnd < FAR_FUTURE)
    tx.end = Math.round(rawEnd);
  else tx.end = readDate(rawEnd, index, 'end-date', pending, true) ?? null;

  // Drive items (drive_items/xx/<uuid>) carry the node UUID as their id (docs/backup-format.md §2.6).
  const rawId = raw['id'];
  if (typeof rawId === 'string' && DRIVE_NODE_ID.test(rawId)) tx.nodeId = rawId;
  else {
    const id = intAt(raw, 'id', index, pending);
    if (id !== undefined) tx.itemId = id;
  }
  const type = raw['type'];
  if (typeof type === 'string') {
    const code = itemTypeCode(type);
    if (code !== undefined) {
      tx.type = code;
      pending.add('item.type-as-name', `type "${type}" read as code ${code}`, [index, 'type']);
    } else pending.add('item.unknown-type', `unknown item type "${type}"`, [index, 'type']);
  } else {
    const t = intAt(raw, 'type', index, pending);
    if (t !== undefined) tx.type = t;
  }
  let n: number | undefined;
  let v: string | undefined;
  if ((n = intAt(raw, 'folder-id', index, pending)) !== undefined) tx.folderId = n;
  if ((n = intAt(raw, 'parent-id', index, pending)) !== undefined) tx.parentId = n;
  if ((v = strAt(raw, 'name', index, pending)) !== undefined) tx.name = v;
  if ((v = strAt(raw, 'subject', index, pending)) !== undefined) tx.subject = v;
  if ((v = strAt(raw, 'sender', index, pending)) !== undefined) tx.sender = v;
  if ((v = strAt(raw, 'recipients', index, pending)) !== undefined) tx.recipients = v;
  if ((n = intAt(raw, 'date', index, pending)) !== undefined) tx.date = n;
  if ((n = intAt(raw, 'size', index, pending)) !== undefined) tx.size = n;
  if ((n = intAt(raw, 'flags', index, pending)) !== undefined) tx.flags = n;
  if ((n = intAt(raw, 'color', index, pending)) !== undefined) tx.color = n;
  if ((n = intAt(raw, 'version', index, pending)) !== undefined) tx.version = n;
  if ((n = intAt(raw, 'mod-metadata', index, pending)) !== undefined) tx.modMetadata = n;
  if ((n = intAt(raw, 'mod-content', index, pending)) !== undefined) tx.modContent = n;
  if ((n = intAt(raw, 'change-date', index, pending)) !== undefined) tx.changeDate = n;
  if ((v = strAt(raw, 'metadata', index, pending)) !== undefined) tx.metadata = v;
  const digest = raw['digest'];
  if (digest === null) tx.digest = null;
  else if ((v = strAt(raw, 'digest', index, pending)) !== undefined) tx.digest = v;
  const tags = raw['tags'];
  if (Array.isArray(tags)) {
    if (allStrings(tags)) tx.tags = tags;
    else pending.add('item.schema', '"tags" should be an array of strings', [index, 'tags']);
  } else if (typeof tags === 'string') {
    tx.tags = tags
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t.length > 0);
    pending.add('item.tags-as-string', 'tags given as a string, split on commas', [index, 'tags']);
  } else if (tags !== undefined && tags !== null)
    pending.add('item.schema', `"tags" should be an array, found ${describeType(tags)}`, [index, 'tags']);
  const deleted = raw['deleted'];
  if (typeof deleted === 'boolean') tx.deleted = deleted;
  else if (deleted !== undefined && deleted !== null)
    pending.add('item.schema', `"deleted" should be true or false, found ${describeType(deleted)}`, [index, 'deleted']);

  for (const key in raw) {
    if (!KNOWN_KEYS.has(key)) {
      tx.extra[key] = raw[key];
      pending.add('item.unknown-field', `unknown key "${key}" kept as is`, [index, key], { atKey: true });
    }
  }
  return tx;
}

function intAt(raw: Record<string, unknown>, key: string, index: number, pending: PendingFindings): number | undefined {
  const v = raw[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  pending.add('item.schema', `"${key}" should be an integer, found ${describeType(v)}`, [index, key]);
  return undefined;
}

function strAt(raw: Record<string, unknown>, key: string, index: number, pending: PendingFindings): string | undefined {
  const v = raw[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  pending.add('item.schema', `"${key}" should be a string, found ${describeType(v)}`, [index, key]);
  return undefined;
}

function allStrings(xs: unknown[]): xs is string[] {
  for (let i = 0; i < xs.length; i++) if (typeof xs[i] !== 'string') return false;
  return true;
}

/** A date value: epoch ms (documented), epoch s, or a date string. null/sentinels → null when `open` is allowed. */
function readDate(
  v: unknown,
  index: number,
  key: string,
  pending: PendingFindings,
  open: boolean,
): number | null | undefined {
  const pointer: JsonPointer = [index, key];
  if (v === undefined || v === null) return open ? null : undefined;
  if (typeof v === 'number' && Number.isFinite(v)) {
    if (open && (v === -1 || v === 0 || v >= FAR_FUTURE)) {
      pending.add('item.end-date-sentinel', `end-date ${v} read as "still valid"`, pointer);
      return null;
    }
    if (v < 0) {
      // Not silently "still valid": an end-date of -5 is damage, not a sentinel.
      pending.add('item.schema', `expected a date (epoch milliseconds), found ${describeType(v)}`, pointer);
      return undefined;
    }
    if (v < SECONDS_THRESHOLD) {
      pending.add(
        'item.date-in-seconds',
        `${v} looks like epoch seconds; read as ${formatMessageDate(v * 1000)}`,
        pointer,
      );
      return Math.round(v * 1000);
    }
    return Math.round(v);
  }
  if (typeof v === 'string') {
    const at = parseInstant(v, 'UTC');
    if (at !== undefined) {
      pending.add('item.date-as-string', `date string "${v}" read as ${formatMessageDate(at)}`, pointer);
      return at;
    }
  }
  pending.add('item.schema', `expected a date (epoch milliseconds), found ${describeType(v)}`, pointer);
  return undefined;
}

export function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `a string ("${v.length > 30 ? v.slice(0, 30) + '…' : v}")`;
  return `${typeof v} ${String(v)}`;
}

/** Turns pointer findings into ranged findings; parses positions only if there is something to report. */
export function resolvePending(text: string, path: string, pending: PendingFindings): Finding[] {
  if (pending.items.length === 0) return [];
  const root = parseTree(text, [], { disallowComments: true });
  const lines = new LineIndex(text);
  return pending.items.map((p) => {
    const extra: { range?: Range; severity?: Severity } = {};
    const node = root ? locate(root, p.pointer, p.atKey === true) : undefined;
    if (node) extra.range = lines.range(node.offset, node.offset + node.length);
    if (p.severity) extra.severity = p.severity;
    return finding(p.code, path, p.message, extra);
  });
}

/** A JSON pointer → range function over `text` (BOM-less); the tree is parsed on first use, and only if the text is shallow enough. */
export function pointerLocator(text: string): (pointer: JsonPointer) => Range | undefined {
  let root: Node | undefined | null = null;
  let lines: LineIndex | undefined;
  return (pointer) => {
    if (root === null)
      root =
        nestingDepthExceeds(text, MAX_NESTING) === undefined
          ? parseTree(text, [], { disallowComments: true })
          : undefined;
    const node = root ? findNodeAtLocation(root, pointer as (string | number)[]) : undefined;
    if (!node) return undefined;
    lines ??= new LineIndex(text);
    return lines.range(node.offset, node.offset + node.length);
  };
}

function locate(root: Node, pointer: JsonPointer, atKey: boolean): Node | undefined {
  const node = findNodeAtLocation(root, pointer as (string | number)[]);
  if (!node) return pointer.length > 0 ? locate(root, pointer.slice(0, -1), false) : root;
  if (atKey && node.parent?.type === 'property') return node.parent.children?.[0] ?? node;
  return node;
}
