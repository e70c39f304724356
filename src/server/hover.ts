/**
 * Hovers on item documents (and dates in account/map files): dates in the chosen time
 * zone with how long the state lasted, flag names, type names, the folder's path at
 * the transaction's time, and a digest's BLOB status.
 */
import type { Hover, Position } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { parseTree } from 'jsonc-parser';
import {
  formatDuration,
  formatIso,
  formatZxsuite,
  SECONDS_THRESHOLD,
  isValidDigest,
  MAX_NESTING,
  nestingDepthExceeds,
  describeFlags,
  itemTypeName,
  verifyBlobStream,
  type Transaction,
  type BlobVerification,
} from '../engine';
import { ANALYSIS_LIMIT_CHARS, analyzeItemDocument, editorRange, textOffset } from './analysis';
import { accountOf, type DocumentInfo } from './documents';
import { idMapperHover } from './idMapper';
import { propertyAt, transactionIndexOf } from './jsonLocation';
import type { RootContext } from './rootContext';

export interface HoverContext {
  timeZone: string;
  /** zxbackup/pointInTime: epoch ms, or null for "last". */
  pointInTime: number | null;
  root?: RootContext;
}

/**
 * BLOBs up to this many compressed bytes are verified on hover (streamed, so memory
 * stays bounded even for a gzip bomb); larger ones are only stat'ed.
 */
const VERIFY_ON_HOVER_BYTES = 256 * 1024;

export function formatInstant(at: number, zone: string): string {
  return `${formatZxsuite(at, zone)} (${zone}) · \`${formatIso(at, 'UTC')}\``;
}

export async function hover(
  doc: TextDocument,
  info: DocumentInfo,
  pos: Position,
  ctx: HoverContext,
): Promise<Hover | null> {
  if (info.kind === 'item') return itemHover(doc, info, pos, ctx);
  if (info.kind === 'account' || info.kind === 'map') return jsonDateHover(doc, pos, ctx);
  if (info.kind === 'idmap') return idMapperHover(doc, info, pos, ctx.root);
  return null;
}

async function itemHover(
  doc: TextDocument,
  info: DocumentInfo,
  pos: Position,
  ctx: HoverContext,
): Promise<Hover | null> {
  const a = analyzeItemDocument(doc, info);
  const tree = a.tree();
  if (!tree) return null;
  const loc = propertyAt(tree, textOffset(a, doc, pos));
  if (!loc) return null;
  const index = transactionIndexOf(loc.path);
  const tx = index === undefined ? undefined : a.history.transactions.find((t) => t.index === index);
  if (!tx || loc.path.length !== 2) return null;
  const value = loc.valueNode.value as unknown;
  const md = await describeItemValue(loc.key, value, tx, info, ctx);
  if (md === undefined) return null;
  return { contents: { kind: 'markdown', value: md }, range: editorRange(a, loc.valueNode) };
}

async function describeItemValue(
  key: string,
  value: unknown,
  tx: Transaction,
  info: DocumentInfo,
  ctx: HoverContext,
): Promise<string | undefined> {
  const zone = ctx.timeZone;
  switch (key) {
    case 'start-date':
    case 'end-date': {
      const at = key === 'start-date' ? tx.start : tx.end;
      const lines: string[] = [];
      if (at === undefined || at === null) lines.push(`**${key}**: none — the state is still valid`);
      else lines.push(`**${key}**: ${formatInstant(at, zone)}`);
      if (tx.start !== undefined) {
        if (tx.end !== null)
          lines.push(
            `State lasted **${formatDuration(tx.end - tx.start)}** (${formatZxsuite(tx.start, zone)} → ${formatZxsuite(tx.end, zone)})`,
          );
        else
          lines.push(
            `State still valid: **${formatDuration(Date.now() - tx.start)}** so far (since ${formatZxsuite(tx.start, zone)})`,
          );
      }
      return lines.join('\n\n');
    }
    case 'date':
    case 'change-date': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
      const ms = value < SECONDS_THRESHOLD ? value * 1000 : value;
      return `**${key}** (epoch ${value < SECONDS_THRESHOLD ? 'seconds' : 'milliseconds'}): ${formatInstant(ms, zone)}`;
    }
    case 'flags': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return undefined;
      const { names, unknownBits } = describeFlags(value);
      const list = names.length ? names.map((n) => `\`${n}\``).join(', ') : '∅ (no flags)';
      return `**flags** ${value}: ${list}${unknownBits ? `\n\nUnknown bits: ${unknownBits}` : ''}`;
    }
    case 'type': {
      const code = tx.type;
      if (code === undefined) return undefined;
      return `**type** ${code}: ${itemTypeName(code) ?? 'unknown type'}`;
    }
    case 'folder-id':
    case 'parent-id':
      return folderHover(key, value, tx, info, ctx);
    case 'digest':
      return digestHover(value, tx, ctx);
    default:
      return undefined;
  }
}

async function folderHover(
  key: string,
  value: unknown,
  tx: Transaction,
  info: DocumentInfo,
  ctx: HoverContext,
): Promise<string | undefined> {
  if (typeof value !== 'number' || !Number.isInteger(value)) return undefined;
  const accountId = accountOf(info);
  if (!ctx.root || accountId === undefined)
    return `**${key}** ${value} (not inside a backup path: the folder cannot be looked up)`;
  const lines: string[] = [];
  const at = tx.start ?? ctx.pointInTime;
  const when = at === null ? 'in the latest state' : `at ${formatZxsuite(at, ctx.timeZone)}`;
  const path = await ctx.root.folders.folderPath(accountId, value, at);
  if (path !== undefined) lines.push(`**${key}** ${value}: \`${path}\` ${when}`);
  else {
    const state = await ctx.root.folders.folderAt(accountId, value, at);
    lines.push(`**${key}** ${value}: no such folder ${when}${state.exists ? '' : ` (${state.reason})`}`);
  }
  if (tx.start !== undefined && ctx.pointInTime !== null && ctx.pointInTime !== tx.start) {
    const then = await ctx.root.folders.folderPath(accountId, value, ctx.pointInTime);
    lines.push(
      `At the chosen time (${formatZxsuite(ctx.pointInTime, ctx.timeZone)}): ${then !== undefined ? `\`${then}\`` : 'no such folder'}`,
    );
  }
  return lines.join('\n\n');
}

async function digestHover(value: unknown, tx: Transaction, ctx: HoverContext): Promise<string | undefined> {
  if (typeof value !== 'string') return undefined;
  if (!isValidDigest(value)) return `**digest**: not a valid Zimbra digest — the BLOB cannot be located`;
  const size = tx.size !== undefined ? `; metadata size ${tx.size} bytes` : '';
  if (!ctx.root) return `**digest** \`${value}\`${size}`;
  const st = await ctx.root.blobs.stat(value);
  if (!st) return `**digest** \`${value}\`\n\nBLOB **missing** from items/${value.slice(0, 2)}/${size}`;
  const lines = [`**digest** \`${value}\``, `BLOB present: ${st.compressedSize} bytes compressed${size}`];
  if (st.compressedSize <= VERIFY_ON_HOVER_BYTES) {
    const v = await verifyStreamed(ctx.root, value);
    lines.push(
      `Verification: **${v.status}**${v.size !== undefined ? `, ${v.size} bytes uncompressed` : ''}${v.detail ? ` (${v.detail})` : ''}`,
    );
  } else lines.push('Not verified on hover (large BLOB): run the coherency check at level "blobs".');
  return lines.join('\n\n');
}

async function verifyStreamed(root: RootContext, digest: string): Promise<BlobVerification> {
  const abs = root.blobs.absPath(digest);
  if (abs === undefined) return { status: 'bad-name' };
  try {
    return await verifyBlobStream(abs, digest);
  } catch (err) {
    return { status: 'unreadable', detail: err instanceof Error ? err.message : String(err) };
  }
}

/** Account and map files: keys ending in "Date" are epoch dates. */
function jsonDateHover(doc: TextDocument, pos: Position, ctx: HoverContext): Hover | null {
  const text = doc.getText();
  if (text.length > ANALYSIS_LIMIT_CHARS || nestingDepthExceeds(text, MAX_NESTING) !== undefined) return null;
  const tree = parseTree(text, [], { disallowComments: true });
  if (!tree) return null;
  const loc = propertyAt(tree, doc.offsetAt(pos));
  if (!loc || !/Date$/.test(loc.key) || typeof loc.valueNode.value !== 'number') return null;
  const v = loc.valueNode.value as number;
  const ms = v < SECONDS_THRESHOLD ? v * 1000 : v;
  const range = {
    start: doc.positionAt(loc.valueNode.offset),
    end: doc.positionAt(loc.valueNode.offset + loc.valueNode.length),
  };
  return { contents: { kind: 'markdown', value: `**${loc.key}**: ${formatInstant(ms, ctx.timeZone)}` }, range };
}
