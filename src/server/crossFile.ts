/**
 * The cross-file rules of one open item (missing BLOB, unknown folder, purge due), by
 * the engine's itemNeighbourFindings; neighbour files are read through the root's caches.
 */
import { itemNeighbourFindings, type Finding } from '../engine';
import type { ItemAnalysis } from './analysis';
import { nodeRange } from './analysis';
import type { RootContext } from './rootContext';

/** At most this many distinct neighbour lookups per document, so one huge file cannot stall the server. */
const MAX_LOOKUPS = 5000;

export function crossFileItemFindings(
  a: ItemAnalysis,
  ctx: RootContext | undefined,
  accountId: string | undefined,
  retentionDays: number,
  signal?: AbortSignal,
): Promise<Finding[]> {
  const neighbours = {
    hasBlob: (digest: string) => (ctx ? ctx.hasBlob(digest) : Promise.resolve(true)),
    ...(ctx && accountId !== undefined
      ? {
          folderExists: async (folderId: number, at: number) =>
            (await ctx.folders.folderAt(accountId, folderId, at)).exists,
        }
      : {}),
  };
  return itemNeighbourFindings(a.history, neighbours, {
    now: Date.now(),
    retentionDays,
    maxLookups: MAX_LOOKUPS,
    rangeOf: (pointer) => {
      const node = a.nodeAt([...pointer]);
      return node && nodeRange(a, node);
    },
    ...(signal ? { signal } : {}),
  });
}
