/**
 * One parse per document version, shared by diagnostics, hover, symbols, definition
 * and lenses. The jsonc tree (for positions) is built lazily and never for a document
 * that is too deep or too large: jsonc-parser recurses and would overflow the stack.
 */
import { parseTree, findNodeAtLocation, type Node } from 'jsonc-parser';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeItemText, MAX_NESTING, nestingDepthExceeds, LineIndex, type ItemHistory, type Range } from '../engine';
import type { DocumentInfo } from './documents';

/** Documents past this many characters are not analysed interactively (the coherency check still reads them). */
export const ANALYSIS_LIMIT_CHARS = 16 * 1024 * 1024;
/** The schema service builds a full AST with recursion: it runs only below this size. */
export const SCHEMA_LIMIT_CHARS = 2 * 1024 * 1024;

export interface ItemAnalysis {
  uri: string;
  version: number;
  text: string;
  /** Offset of the text inside the document (1 when a BOM was stripped). */
  bomOffset: number;
  /** Positions in the BOM-less text, as the engine's findings are; convert.ts shifts line 0 back. Built on first use. */
  readonly lines: LineIndex;
  history: ItemHistory;
  tooLarge: boolean;
  /** The jsonc tree, or undefined when the text is not JSON / too deep / too large. */
  tree(): Node | undefined;
  /** The node at a JSON pointer. */
  nodeAt(pointer: (string | number)[]): Node | undefined;
}

const cache = new Map<string, ItemAnalysis>();

export function forgetAnalysis(uri: string): void {
  cache.delete(uri);
}

export function analyzeItemDocument(doc: TextDocument, info: DocumentInfo): ItemAnalysis {
  const hit = cache.get(doc.uri);
  if (hit && hit.version === doc.version) return hit;
  const full = doc.getText();
  const bomOffset = full.charCodeAt(0) === 0xfeff ? 1 : 0;
  const text = bomOffset ? full.slice(1) : full;
  const tooLarge = text.length > ANALYSIS_LIMIT_CHARS;
  const fileItemId = info.file.kind === 'item' ? info.file.itemId : undefined;
  const history: ItemHistory = tooLarge
    ? { path: info.rel, transactions: [], findings: [], parsed: false }
    : analyzeItemText(text, info.rel, fileItemId !== undefined ? { fileItemId } : {});
  let tree: Node | undefined | null = null;
  let lines: LineIndex | undefined;
  const analysis: ItemAnalysis = {
    uri: doc.uri,
    version: doc.version,
    text,
    bomOffset,
    get lines() {
      lines ??= new LineIndex(text);
      return lines;
    },
    history,
    tooLarge,
    tree() {
      if (tree === null) {
        // A parsed history proves the nesting is within bounds; otherwise scan before recursing.
        const shallow = history.parsed || nestingDepthExceeds(text, MAX_NESTING) === undefined;
        tree = !tooLarge && shallow ? parseTree(text, [], { disallowComments: true }) : undefined;
      }
      return tree;
    },
    nodeAt(pointer) {
      const t = analysis.tree();
      return t ? findNodeAtLocation(t, pointer) : undefined;
    },
  };
  cache.set(doc.uri, analysis);
  return analysis;
}

/** Range of a jsonc node in BOM-less coordinates (like engine findings). */
export function nodeRange(a: ItemAnalysis, node: Node): Range {
  return a.lines.range(node.offset, node.offset + node.length);
}

/** The same range in editor coordinates (line 0 shifted past a BOM). */
export function editorRange(a: ItemAnalysis, node: Node): Range {
  const r = nodeRange(a, node);
  if (a.bomOffset === 0) return r;
  const shift = (p: Range['start']) => ({
    line: p.line,
    character: p.line === 0 ? p.character + a.bomOffset : p.character,
  });
  return { start: shift(r.start), end: shift(r.end) };
}

/** Editor offset → offset in the BOM-less text. */
export function textOffset(a: ItemAnalysis, doc: TextDocument, pos: Range['start']): number {
  return Math.max(0, doc.offsetAt(pos) - a.bomOffset);
}
