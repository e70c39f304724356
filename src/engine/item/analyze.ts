import { isUtf8 } from 'node:buffer';
import type { SchemaValidator } from '../schema';
import { mergeSchemaFindings } from '../schema';
import { parseItemBytes, parseItemSource, PendingFindings, resolvePending, type ParseItemOptions } from './parse';
import { checkHistory, type HistoryRuleContext } from './rules';
import type { ItemHistory } from './types';

export type AnalyzeItemOptions = ParseItemOptions &
  Partial<HistoryRuleContext> & {
    /** Also validate against the item schema (the findings the typed reader does not already explain). */
    schema?: SchemaValidator;
  };

/**
 * Parse, check and (with `opts.schema`) validate one item file: the single entry
 * point for the CLI, the coherency check and the language server.
 */
export function analyzeItemText(input: string, path: string, opts: AnalyzeItemOptions = {}): ItemHistory {
  const { history, text, value } = parseItemSource(input, path, opts);
  if (!history.parsed) return history;
  const pending = new PendingFindings();
  const ctx: HistoryRuleContext = { now: opts.now ?? Date.now() };
  if (opts.futureToleranceMs !== undefined) ctx.futureToleranceMs = opts.futureToleranceMs;
  checkHistory(history, pending, ctx);
  if (pending.items.length > 0) history.findings.push(...resolvePending(text, path, pending));
  if (opts.schema)
    history.findings = mergeSchemaFindings(history.findings, opts.schema.check('item', value, text, path));
  return history;
}

export function analyzeItemBytes(bytes: Uint8Array, path: string, opts: AnalyzeItemOptions = {}): ItemHistory {
  if (!isUtf8(bytes)) return parseItemBytes(bytes, path, opts);
  return analyzeItemText(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), path, opts);
}
