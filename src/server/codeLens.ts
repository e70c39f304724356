/**
 * Code lenses on each transaction: "Show state" and "Restore this state…", both the
 * extension's commands with the same arguments (the item file and the transaction's index).
 */
import type { CodeLens } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { Commands, type TransactionCommandArgs } from '../shared/protocol';
import { analyzeItemDocument, editorRange } from './analysis';
import type { DocumentInfo } from './documents';

export const RESTORE_LENS_TITLE = 'Restore this state…';

export function codeLenses(doc: TextDocument, info: DocumentInfo): CodeLens[] {
  if (info.kind !== 'item') return [];
  const a = analyzeItemDocument(doc, info);
  const out: CodeLens[] = [];
  for (const tx of a.history.transactions) {
    const node = a.nodeAt([tx.index]);
    if (!node) continue;
    const r = editorRange(a, node);
    const range = { start: r.start, end: r.start };
    const args: TransactionCommandArgs[] = [{ uri: doc.uri, transactionIndex: tx.index }];
    out.push({ range, command: { title: 'Show state', command: Commands.showState, arguments: args } });
    out.push({ range, command: { title: RESTORE_LENS_TITLE, command: Commands.restoreState, arguments: args } });
  }
  return out;
}
