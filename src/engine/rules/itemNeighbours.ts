/**
 * The cross-file rules of one item file, given a view of its neighbours. The language
 * server and `zxb getItem` implement `ItemNeighbours` with lazy, cached reads; the
 * coherency check judges the same rules from its tables (src/engine/check/run.ts), with
 * the same finding builders, so one file gets the same findings on every surface.
 */
import type { Finding, Range } from '../findings';
import { isDigestName } from '../digestName';
import { lifeSpan } from '../item/history';
import { throwIfCancelled } from '../progress';
import type { ItemHistory, JsonPointer } from '../item/types';
import { isFolderReference, missingBlobFinding, purgeDueFinding, unknownFolderFinding } from './crossFileRules';

export interface ItemNeighbours {
  /** Whether the BLOB store holds this (valid) digest. */
  hasBlob(digest: string): Promise<boolean>;
  /** Whether folder `folderId` of the item's account exists at `at`; undefined when the account is unknown. */
  folderExists?(folderId: number, at: number): Promise<boolean>;
}

export interface ItemNeighbourOptions {
  now: number;
  retentionDays: number;
  /** The range of a JSON pointer in the file, when it can be found. */
  rangeOf(pointer: JsonPointer): Range | undefined;
  /** At most this many distinct lookups of each kind, so one huge file cannot stall an editor. */
  maxLookups?: number;
  signal?: AbortSignal;
}

export async function itemNeighbourFindings(
  history: ItemHistory,
  n: ItemNeighbours,
  o: ItemNeighbourOptions,
): Promise<Finding[]> {
  const out: Finding[] = [];
  const path = history.path;
  const max = o.maxLookups ?? Number.POSITIVE_INFINITY;
  // One finding per digest the item lost, at the first transaction naming it.
  const digests = new Map<string, Promise<boolean>>();
  for (const tx of history.transactions) {
    if (typeof tx.digest !== 'string' || digests.has(tx.digest) || digests.size >= max || !isDigestName(tx.digest))
      continue;
    const exists = n.hasBlob(tx.digest);
    digests.set(tx.digest, exists);
    if (!(await exists)) out.push(missingBlobFinding(path, tx.digest, o.rangeOf([tx.index, 'digest'])));
  }
  throwIfCancelled(o.signal);
  if (n.folderExists) {
    let lookups = 0;
    for (const tx of history.transactions) {
      if (!isFolderReference(tx, history.fileItemId)) continue;
      if (++lookups > max) break;
      if (await n.folderExists(tx.folderId!, tx.start!)) continue;
      out.push(unknownFolderFinding(path, tx.folderId!, tx.start!, tx.index, o.rangeOf([tx.index, 'folder-id'])));
      if (lookups % 100 === 0) throwIfCancelled(o.signal);
    }
  }
  const purge = purgeDueFinding(path, lifeSpan(history).deletedAt, o.now, o.retentionDays);
  if (purge) out.push(purge);
  return out;
}
