import { say, type Finding } from '../findings';
import type { BlobVerification } from '../blobs';
import type { ItemHistory } from '../item/types';
import { isDigestName } from '../digestName';

/**
 * The finding a BLOB's verification amounts to, on the BLOB's path; undefined for a
 * sound BLOB, for an invalid name (reported where the name is: blob.bad-name or
 * item.bad-digest), for a missing BLOB (a reference rule: missingBlobFinding), and for
 * a double gzip when the run was told to skip them.
 */
export function blobStatusFinding(
  rel: string,
  v: BlobVerification,
  opts: { reportDoubleGzip?: boolean } = {},
): Finding | undefined {
  switch (v.status) {
    case 'ok':
    case 'bad-name':
    case 'missing':
      return undefined;
    case 'unreadable':
      return say('io.unreadable', rel, { rel, detail: v.detail ?? 'unreadable' });
    case 'symlink':
      return say('io.symlink', rel, { rel });
    case 'empty':
      return say('blob.empty', rel, {});
    case 'not-gzip':
      return say('blob.not-gzip', rel, { detail: v.detail });
    case 'truncated':
      return say('blob.truncated', rel, { detail: v.detail });
    case 'trailing-garbage':
      return say('blob.trailing-garbage', rel, {});
    case 'double-gzip':
      return opts.reportDoubleGzip === false ? undefined : say('blob.double-gzip', rel, {});
    case 'corrupted':
      return say('blob.corrupted', rel, { detail: v.detail });
    case 'inflate-limit':
      return say('blob.inflate-limit', rel, { detail: v.detail });
  }
}

/** blob.size-mismatch: judged only when the BLOB could be read to its end. */
export function sizeMismatchFinding(
  blobRel: string,
  declared: number | undefined,
  real: number | undefined,
): Finding | undefined {
  if (declared === undefined || declared < 0 || real === undefined || declared === real) return undefined;
  return say('blob.size-mismatch', blobRel, { declared, real });
}

/** The statuses whose content was read to the end, so the real size is known. */
export function hasRealSize(v: BlobVerification): boolean {
  return v.status === 'ok' || v.status === 'double-gzip' || v.status === 'trailing-garbage';
}

/** A digest an item references: the size it declares for it (-1: none) and the first transaction naming it. */
export interface BlobReference {
  digest: string;
  declared: number;
  tx: number;
}

/**
 * The BLOBs an item references, once each, with the size it declares: the last
 * transaction's in file order (the item's latest word on its content). The check's facts
 * and getItem's size mismatch both use it, so both compare the same declared size.
 */
export function blobReferences(history: ItemHistory): BlobReference[] {
  // An item references one or a few digests: a list beats a Map at this size.
  const refs: BlobReference[] = [];
  for (const tx of history.transactions) {
    const digest = tx.digest;
    if (typeof digest !== 'string' || !isDigestName(digest)) continue;
    const declared = tx.size ?? -1;
    const known = refs.find((r) => r.digest === digest);
    if (known) known.declared = declared;
    else refs.push({ digest, declared, tx: tx.index });
  }
  return refs;
}
