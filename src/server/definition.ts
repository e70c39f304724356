/**
 * Go to definition: a digest → the BLOB preview (zxbackup-blob: URI, served by the
 * extension; returned even if this client cannot open it), a folder-id or parent-id
 * → that item's file; an id_mapper.log line → the item file it maps to (idMapper.ts).
 */
import type { Location, Position } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { isValidDigest, absOf, itemRelPath } from '../engine';
import { blobUri } from '../shared/protocol';
import { analyzeItemDocument, textOffset } from './analysis';
import { accountOf, fileUri, type DocumentInfo } from './documents';
import { idMapperDefinition } from './idMapper';
import { propertyAt } from './jsonLocation';
import type { RootContext } from './rootContext';

const ORIGIN = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export async function definition(
  doc: TextDocument,
  info: DocumentInfo,
  pos: Position,
  root: RootContext | undefined,
): Promise<Location[] | null> {
  if (info.kind === 'idmap') return idMapperDefinition(doc, info, pos, root);
  if (info.kind !== 'item' || info.root === undefined || !root) return null;
  const a = analyzeItemDocument(doc, info);
  const tree = a.tree();
  if (!tree) return null;
  const loc = propertyAt(tree, textOffset(a, doc, pos));
  if (!loc || loc.path.length !== 2) return null;
  const value = loc.valueNode.value as unknown;
  if (loc.key === 'digest' && isValidDigest(value)) return [{ uri: blobUri(info.root, value), range: ORIGIN }];
  if (
    (loc.key === 'folder-id' || loc.key === 'parent-id') &&
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value > 0
  ) {
    const accountId = accountOf(info);
    if (accountId === undefined) return null;
    const abs = absOf(info.root, itemRelPath(accountId, value));
    // System folders often have no file of their own: then there is nothing to open.
    if (!(await root.hasFile(abs))) return null;
    return [{ uri: fileUri(abs), range: ORIGIN }];
  }
  return null;
}
