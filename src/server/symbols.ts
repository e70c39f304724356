/**
 * Document symbols for item documents: one Event per transaction, named by its time
 * range in the chosen zone, with what changed from the previous transaction as detail.
 */
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { formatZxsuite, describeFlags, type Transaction } from '../engine';
import { analyzeItemDocument, editorRange } from './analysis';
import type { DocumentInfo } from './documents';

export function transactionName(tx: Transaction, zone: string): string {
  const start = tx.start !== undefined ? formatZxsuite(tx.start, zone) : '?';
  const end = tx.end !== null ? formatZxsuite(tx.end, zone) : 'now';
  return `${start} → ${end}`;
}

const IGNORED = new Set(['transaction-id', 'start-date', 'end-date']);

function flagText(mask: unknown): string {
  if (typeof mask !== 'number') return String(mask ?? '∅');
  const names = describeFlags(mask).names;
  return names.length ? names.join(',') : '∅';
}

function short(v: unknown): string {
  if (v === undefined || v === null) return '∅';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 24 ? `${s.slice(0, 23)}…` : s;
}

/** "flags: unread → ∅; folder 2 → 3" — what the transaction changed. */
export function describeChange(prev: Transaction | undefined, tx: Transaction): string {
  if (!prev) return tx.deleted ? 'created deleted' : 'created';
  const parts: string[] = [];
  const keys = new Set([...Object.keys(prev.raw), ...Object.keys(tx.raw)]);
  for (const key of keys) {
    if (IGNORED.has(key)) continue;
    const a = prev.raw[key];
    const b = tx.raw[key];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    if (key === 'flags') parts.push(`flags: ${flagText(a)} → ${flagText(b)}`);
    else if (key === 'folder-id') parts.push(`folder ${short(a)} → ${short(b)}`);
    else if (key === 'deleted') parts.push(b === true ? 'deleted' : 'undeleted');
    else if (key === 'digest') parts.push('content changed');
    else if (key === 'metadata') parts.push('metadata changed');
    else parts.push(`${key}: ${short(a)} → ${short(b)}`);
  }
  return parts.length ? parts.join('; ') : 'no change';
}

export function documentSymbols(doc: TextDocument, info: DocumentInfo, zone: string): DocumentSymbol[] {
  if (info.kind !== 'item') return [];
  const a = analyzeItemDocument(doc, info);
  const txs = a.history.transactions;
  const out: DocumentSymbol[] = [];
  txs.forEach((tx, i) => {
    const node = a.nodeAt([tx.index]);
    if (!node) return;
    const range = editorRange(a, node);
    const startNode = a.nodeAt([tx.index, 'start-date']);
    out.push({
      name: transactionName(tx, zone),
      detail: describeChange(txs[i - 1], tx),
      kind: SymbolKind.Event,
      range,
      selectionRange: startNode ? editorRange(a, startNode) : range,
    });
  });
  return out;
}
