/**
 * Cross-file facts that are cheap for one open item: a digest whose BLOB is missing
 * (blob.missing) and a folder that does not exist at the transaction's time
 * (item.unknown-folder), and item.purge-due. Neighbour files are read through the
 * root's caches. Codes and rules are the coherency check's (src/engine/check/run.ts).
 */
import { finding, formatIso, isValidDigest, throwIfCancelled, lifeSpan, type Finding } from '../engine';
import type { ItemAnalysis } from './analysis';
import { nodeRange } from './analysis';
import type { RootContext } from './rootContext';

/** At most this many distinct neighbour lookups per document, so one huge file cannot stall the server. */
const MAX_LOOKUPS = 5000;

export async function crossFileItemFindings(a: ItemAnalysis, ctx: RootContext, accountId: string | undefined, signal?: AbortSignal): Promise<Finding[]> {
  const out: Finding[] = [];
  const path = a.history.path;
  const txs = a.history.transactions;

  // isValidDigest decodes base64; a long history repeats one digest, so judge each once.
  const valid = new Map<string, boolean>();
  const validDigest = (d: string | null | undefined): d is string => {
    if (typeof d !== 'string') return false;
    let ok = valid.get(d);
    if (ok === undefined) valid.set(d, (ok = isValidDigest(d)));
    return ok;
  };
  const digests = new Map<string, Promise<boolean>>();
  for (const tx of txs) {
    if (!validDigest(tx.digest) || digests.has(tx.digest) || digests.size >= MAX_LOOKUPS) continue;
    digests.set(tx.digest, ctx.hasBlob(tx.digest));
  }
  for (const tx of txs) {
    if (!validDigest(tx.digest)) continue;
    const exists = await digests.get(tx.digest);
    if (exists !== false) continue;
    const node = a.nodeAt([tx.index, 'digest']);
    const extra = node ? { range: nodeRange(a, node) } : {};
    out.push(finding('blob.missing', path, `BLOB ${tx.digest} is not in the BLOB store (items/${tx.digest.slice(0, 2)}/)`, extra));
  }
  throwIfCancelled(signal);

  if (accountId === undefined) return out;
  let lookups = 0;
  for (const tx of txs) {
    // As the coherency check: live transactions only; a root folder is its own parent.
    if (tx.folderId === undefined || tx.start === undefined || tx.deleted) continue;
    if (tx.folderId === (tx.itemId ?? a.history.fileItemId)) continue;
    if (++lookups > MAX_LOOKUPS) break;
    const state = await ctx.folders.folderAt(accountId, tx.folderId, tx.start);
    if (state.exists) continue;
    const node = a.nodeAt([tx.index, 'folder-id']);
    const extra = node ? { range: nodeRange(a, node) } : {};
    out.push(finding('item.unknown-folder', path, `folder ${tx.folderId} does not exist at ${formatIso(tx.start)} (transaction ${tx.index + 1}): ${state.reason}`, extra));
    if (lookups % 100 === 0) throwIfCancelled(signal);
  }
  return out;
}

const DAY = 86_400_000;

/** item.purge-due, as the coherency check reports it: deleted longer ago than the retention. */
export function purgeDueFinding(a: ItemAnalysis, retentionDays: number, now = Date.now()): Finding | undefined {
  const deletedAt = lifeSpan(a.history).deletedAt;
  if (deletedAt === undefined || deletedAt >= now - retentionDays * DAY) return undefined;
  const days = Math.floor((now - deletedAt) / DAY);
  return finding('item.purge-due', a.history.path, `deleted ${days} days ago (${new Date(deletedAt).toISOString()}), longer than the ${retentionDays}-day retention`);
}
