import { isUtf8 } from 'node:buffer';
import { parseItemBytes, parseItemText, PendingFindings, resolvePending, type ParseItemOptions } from './parse';
import { checkHistory, type HistoryRuleContext } from './rules';
import type { ItemHistory } from './types';

export type AnalyzeItemOptions = ParseItemOptions & Partial<HistoryRuleContext>;

/**
 * Parse and check one item file: the single entry point for the CLI, the
 * coherency check and the language server.
 */
export function analyzeItemText(input: string, path: string, opts: AnalyzeItemOptions = {}): ItemHistory {
  const history = parseItemText(input, path, opts);
  if (!history.parsed) return history;
  const pending = new PendingFindings();
  const ctx: HistoryRuleContext = { now: opts.now ?? Date.now() };
  if (opts.futureToleranceMs !== undefined) ctx.futureToleranceMs = opts.futureToleranceMs;
  checkHistory(history, pending, ctx);
  if (pending.items.length > 0) {
    const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
    history.findings.push(...resolvePending(text, path, pending));
  }
  return history;
}

export function analyzeItemBytes(bytes: Uint8Array, path: string, opts: AnalyzeItemOptions = {}): ItemHistory {
  if (!isUtf8(bytes)) return parseItemBytes(bytes, path, opts);
  return analyzeItemText(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), path, opts);
}
