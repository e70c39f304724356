/**
 * Cross-file facts that are cheap for one open item: a digest whose BLOB is missing
 * (blob.missing) and a folder that does not exist at the transaction's time
 * (item.unknown-folder), and item.purge-due. Neighbour files are read through the
 * root's caches. Codes and rules are the coherency check's (src/engine/check/run.ts).
 */
import type { Finding } from '../engine/findings';
import { isFolderReference, missingBlobFinding, purgeDueFinding, unknownFolderFinding } from '../engine/rules';
import { isValidDigest } from '../engine/digest';
import { throwIfCancelled } from '../engine/progress';
import { lifeSpan } from '../engine/item/history';
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
  // One finding per digest the item lost, at the first transaction naming it (as the check).
  const reported = new Set<string>();
  for (const tx of txs) {
    if (!validDigest(tx.digest) || reported.has(tx.digest)) continue;
    reported.add(tx.digest);
    const exists = await digests.get(tx.digest);
    if (exists !== false) continue;
    const node = a.nodeAt([tx.index, 'digest']);
    out.push(missingBlobFinding(path, tx.digest, node && nodeRange(a, node)));
  }
  throwIfCancelled(signal);

  if (accountId === undefined) return out;
  let lookups = 0;
  for (const tx of txs) {
    if (!isFolderReference(tx, a.history.fileItemId)) continue;
    if (++lookups > MAX_LOOKUPS) break;
    const state = await ctx.folders.folderAt(accountId, tx.folderId!, tx.start!);
    if (state.exists) continue;
    const node = a.nodeAt([tx.index, 'folder-id']);
    out.push(unknownFolderFinding(path, tx.folderId!, tx.start!, tx.index, node && nodeRange(a, node)));
    if (lookups % 100 === 0) throwIfCancelled(signal);
  }
  return out;
}

/** item.purge-due for an open item, by the check's rule. */
export function itemPurgeDue(a: ItemAnalysis, retentionDays: number, now = Date.now()): Finding | undefined {
  return purgeDueFinding(a.history.path, lifeSpan(a.history).deletedAt, now, retentionDays);
}
