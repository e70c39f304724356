/**
 * Turns per-file results into the compact BatchFacts a work item yields. The same
 * code runs in a worker (fresh results) and in the main thread (results taken from
 * the cache), so both reach the cross-file checks in one shape.
 */
import type { FindingCode } from '../findings';
import { purgeDueFinding } from '../rules';
import { SYSTEM_FOLDERS } from '../zimbra';
import type { BatchFacts, CheckContext, FileResult } from './types';

const DAY = 86_400_000;

/** Metadata so damaged that nothing in it can be used: --fix-backup quarantines such files. */
export const UNUSABLE_METADATA: ReadonlySet<FindingCode> = new Set([
  'item.not-utf8',
  'item.invalid-json',
  'item.too-deep',
  'item.not-array',
  'item.empty-history',
  'item.not-object',
]);

/**
 * Digest names as one string: a thread boundary copies one string far faster than
 * thousands. Valid digest names are base64 only, so a newline cannot occur in them.
 */
export function packNames(names: readonly string[]): string {
  return names.join('\n');
}

export function unpackNames(packed: string): string[] {
  return packed === '' ? [] : packed.split('\n');
}

function emptyFacts(): BatchFacts {
  return {
    files: 0,
    bytes: 0,
    findings: [],
    unusable: [],
    digests: '',
    digestSizes: [],
    digestRefs: [],
    refRels: [],
    folderDefs: [],
    useRels: [],
    uses: [],
    sizedBlobs: '',
    blobSizes: [],
    rewrites: [],
    idmaps: [],
    maps: [],
    itemIds: [],
    items: 0,
    present: '',
    listFailed: false,
    unchanged: [],
    records: [],
  };
}

export class FactsBuilder {
  /** Everything but the names, which `finish` packs. */
  readonly out: BatchFacts = emptyFacts();
  private readonly digests: string[] = [];
  private readonly sizedBlobs: string[] = [];
  /** Valid BLOB names of listed folders. */
  readonly present: string[] = [];

  constructor(private readonly ctx: CheckContext) {}

  finish(): BatchFacts {
    this.out.digests = packNames(this.digests);
    this.out.sizedBlobs = packNames(this.sizedBlobs);
    this.out.present = packNames(this.present);
    return this.out;
  }

  /**
   * One file's result. `record`: also keep it for the cache (fresh results only;
   * a BLOB that was only stat'ed is not worth remembering).
   */
  add(r: FileResult, record: boolean): void {
    const o = this.out;
    o.files++;
    o.bytes += r.stat?.size ?? r.bytes;
    let unusable: FindingCode | undefined;
    for (const f of r.findings) {
      o.findings.push(f);
      if (UNUSABLE_METADATA.has(f.code)) unusable ??= f.code;
    }
    if ((r.kind === 'item' || r.kind === 'drive-item') && unusable) o.unusable.push([r.rel, unusable]);
    const facts = r.facts;
    switch (facts.kind) {
      case 'item': {
        let refIndex = -1;
        for (const [digest, size, tx] of facts.digests) {
          if (refIndex < 0) refIndex = o.refRels.push(r.rel) - 1;
          this.digests.push(digest);
          o.digestSizes.push(size);
          o.digestRefs.push(refIndex, tx);
        }
        for (const def of facts.folderDefs) o.folderDefs.push(def);
        let relIndex = -1;
        // System folders always exist: their uses would only cost memory.
        for (const [folderId, at, tx] of facts.folderUses) {
          if (SYSTEM_FOLDERS[folderId] !== undefined) continue;
          if (relIndex < 0) relIndex = o.useRels.push(r.rel) - 1;
          o.uses.push(relIndex, folderId, at, tx);
        }
        const retention = this.ctx.retentionMs;
        const purge =
          retention === undefined ? undefined : purgeDueFinding(r.rel, facts.deletedAt, this.ctx.now, retention / DAY);
        if (purge) o.findings.push(purge);
        break;
      }
      case 'id-mapper':
        o.idmaps.push({ rel: r.rel, targets: facts.targets });
        break;
      case 'map':
        o.maps.push({ rel: r.rel, destinations: facts.destinations });
        break;
      case 'blob':
        if (facts.status === 'double-gzip' && this.ctx.fixDoubleGzip === 'fix') o.rewrites.push(r.rel);
        // Only a readable content has a real size to compare with the declared one.
        if (
          facts.size !== undefined &&
          (facts.status === 'ok' || facts.status === 'double-gzip' || facts.status === 'trailing-garbage')
        ) {
          this.sizedBlobs.push(r.rel.slice(r.rel.lastIndexOf('/') + 1));
          o.blobSizes.push(facts.size);
        }
        break;
      case 'none':
        break;
    }
    // A "future" date stops being one as time passes: such a verdict is made afresh each run.
    if (
      record &&
      r.stat &&
      !(facts.kind === 'blob' && !facts.sampled) &&
      !r.findings.some((f) => f.code === 'item.future-date')
    ) {
      o.records.push([
        r.rel,
        r.stat.size,
        r.stat.mtimeMs,
        r.stat.ino,
        JSON.stringify(r.findings),
        JSON.stringify(facts),
      ]);
    }
  }
}
