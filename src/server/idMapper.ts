/**
 * Hover and go to definition on id_mapper.log (docs/backup-format.md §6): a line maps an
 * item id of the source server (an external restore's) to the id it got in this account.
 * Only the line under the cursor is parsed, so a long log costs nothing per hover.
 */
import { promises as fs } from 'node:fs';
import type { Hover, Location, Position } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { absOf, itemRelPath, itemTypeName, parseIdMapper, parseItemBytes, type IdMapping } from '../engine';
import { accountOf, fileUri, type DocumentInfo } from './documents';
import type { RootContext } from './rootContext';

/** Item files up to this size are read to name the item on hover; larger ones are only stat'ed. */
const DESCRIBE_ITEM_MAX_BYTES = 1024 * 1024;

const ORIGIN = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** The mapping on the cursor's line, or undefined on a comment, a blank or a malformed line. */
function mappingAt(doc: TextDocument, pos: Position): IdMapping | undefined {
  const text = doc.getText({ start: { line: pos.line, character: 0 }, end: { line: pos.line + 1, character: 0 } });
  const m = parseIdMapper(text, '').mappings[0];
  return m && { ...m, line: pos.line };
}

/** The item file a mapping names, or undefined outside a backup path's account folder. */
function itemFileOf(info: DocumentInfo, m: IdMapping): { rel: string; abs: string } | undefined {
  const accountId = accountOf(info);
  if (info.root === undefined || accountId === undefined) return undefined;
  const rel = itemRelPath(accountId, m.destinationItemId);
  return { rel, abs: absOf(info.root, rel) };
}

export async function idMapperHover(
  doc: TextDocument,
  info: DocumentInfo,
  pos: Position,
  root: RootContext | undefined,
): Promise<Hover | null> {
  const m = mappingAt(doc, pos);
  if (!m) return null;
  const lines = [
    `**id_mapper.log** line ${m.line + 1}: item **${m.sourceItemId}** of the source server → item **${m.destinationItemId}** in this account${m.type !== undefined ? ` (${m.type})` : ''}`,
  ];
  const file = itemFileOf(info, m);
  if (!file || !root) lines.push('Not inside a backup path: the item file cannot be looked up.');
  else if (await root.hasFile(file.abs)) lines.push(`Item file \`${file.rel}\`: present${await describeItem(file)}`);
  else
    lines.push(
      `Item file \`${file.rel}\`: **missing** — the line maps to an item the account does not have (idmap.unknown-item)`,
    );
  const lineLength = doc
    .getText({ start: { line: m.line, character: 0 }, end: { line: m.line + 1, character: 0 } })
    .replace(/\r?\n$/, '').length;
  return {
    contents: { kind: 'markdown', value: lines.join('\n\n') },
    range: { start: { line: m.line, character: 0 }, end: { line: m.line, character: lineLength } },
  };
}

/** "; last state: message “Quarterly report”", from the item's last transaction ('' when unknown). */
async function describeItem(file: { rel: string; abs: string }): Promise<string> {
  try {
    const st = await fs.stat(file.abs);
    if (st.size > DESCRIBE_ITEM_MAX_BYTES) return '';
    const history = parseItemBytes(await fs.readFile(file.abs), file.rel);
    const last = history.transactions[history.transactions.length - 1];
    if (!last) return '';
    const type = last.type !== undefined ? (itemTypeName(last.type) ?? `type ${last.type}`) : 'item';
    const title = last.subject ?? last.name;
    return `; last state: ${type}${title !== undefined ? ` “${title}”` : ''}${last.end === null ? '' : ' (deleted)'}`;
  } catch {
    // Naming the item is a convenience: the line already says it exists.
    return '';
  }
}

export async function idMapperDefinition(
  doc: TextDocument,
  info: DocumentInfo,
  pos: Position,
  root: RootContext | undefined,
): Promise<Location[] | null> {
  const m = mappingAt(doc, pos);
  const file = m && itemFileOf(info, m);
  if (!file || !root || !(await root.hasFile(file.abs))) return null;
  return [{ uri: fileUri(file.abs), range: ORIGIN }];
}
