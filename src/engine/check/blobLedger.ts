/**
 * The check's BLOB ledger: every BLOB name of the store with what is known of it
 * (present, referenced, declared and real size), and the rules judged from it as the
 * facts come in: a reference to a BLOB the store does not have (blob.missing, on the
 * item, at its digest) and a declared size the content contradicts (blob.size-mismatch).
 * Orphans are what the second listing finds unreferenced (isReferenced).
 */
import { messageOf, type Finding } from '../findings';
import { BLOBS_DIR, blobRelPath } from '../layout';
import { sizeMismatchFinding } from '../rules';
import { DigestFlag, DigestTable } from './digestTable';
import type { PointedFinding } from './types';

export interface BlobLedgerSink {
  add(f: Finding): void;
  /** A finding whose range is resolved later by re-reading its file. */
  point(p: PointedFinding): void;
  /** An item whose message body is lost (its BLOB is missing), for the per-account count. */
  lostBody(itemRel: string): void;
  /** An item referencing a BLOB found only in the wrong prefix folder (reported as blob.wrong-folder, not missing). */
  misplacedReference(digest: string, itemRel: string, tx: number): void;
}

export class BlobLedger {
  private readonly table = new DigestTable();
  /** The whole store was listed: a digest not in the table is really missing (not in an unreadable folder). */
  storeListed = false;
  private presentCount = 0;
  private referencedPresent = 0;
  /** Declared sizes of a BLOB besides the first, until its real size is known. */
  private readonly otherDeclaredSizes = new Map<string, Set<number>>();
  /** `digest declared` of every size mismatch reported. */
  private readonly reportedSizes = new Set<string>();

  constructor(private readonly sink: BlobLedgerSink) {}

  /** Sizes the table once, from the first listed folders (digests spread evenly over the prefix folders). */
  reserve(n: number): void {
    this.table.reserve(n);
  }

  /** Some BLOB present may be referenced by no item (the second walk is needed to find orphans). */
  get orphansPossible(): boolean {
    return this.referencedPresent < this.presentCount;
  }

  onPresent(names: readonly string[]): void {
    const t = this.table;
    for (const name of names) {
      const slot = t.slot(name);
      if ((t.flagsAt(slot) & DigestFlag.Present) === 0) this.presentCount++;
      t.setFlags(slot, DigestFlag.Present);
    }
  }

  /** The BLOB was found in another prefix folder than its home one. */
  markMisplaced(digest: string): void {
    this.table.setFlags(this.table.slot(digest), DigestFlag.Misplaced);
  }

  isReferenced(name: string): boolean {
    const slot = this.table.lookup(name);
    return slot >= 0 && (this.table.flagsAt(slot) & DigestFlag.Referenced) !== 0;
  }

  /**
   * Item `itemRel` references `digest` (first in transaction `tx`) and declares `declared`
   * (-1: no size): missing and size mismatch are judged at once against the table. A
   * missing BLOB is reported on each item that lost it, at its digest, as the language
   * server and getItem do.
   */
  onReference(digest: string, declared: number, itemRel: string, tx: number): void {
    const t = this.table;
    const slot = t.slot(digest);
    const flags = t.flagsAt(slot);
    t.setFlags(slot, DigestFlag.Referenced);
    if ((flags & (DigestFlag.Present | DigestFlag.Referenced)) === DigestFlag.Present) this.referencedPresent++;
    if ((flags & DigestFlag.Present) === 0 && (flags & DigestFlag.Misplaced) !== 0) {
      this.sink.misplacedReference(digest, itemRel, tx);
      return;
    }
    if ((flags & DigestFlag.Present) === 0) {
      if (this.storeListed) {
        this.sink.lostBody(itemRel);
        const blobRel = blobRelPath(digest) ?? `${BLOBS_DIR}/${digest}`;
        this.sink.point({
          code: 'blob.missing',
          path: itemRel,
          message: messageOf('blob.missing', { digest, blobRel }),
          pointer: [tx, 'digest'],
        });
      }
      return;
    }
    if (declared < 0) return;
    if (flags & DigestFlag.RealSize) this.checkSize(digest, declared, t.valueAt(slot));
    else if ((flags & DigestFlag.DeclaredSize) === 0) {
      t.setValue(slot, declared);
      t.setFlags(slot, DigestFlag.DeclaredSize);
    } else if (t.valueAt(slot) !== declared) {
      // Items that declare another size (rare): each is judged when the real size is known, as getItem judges it.
      const other = this.otherDeclaredSizes.get(digest);
      if (other) other.add(declared);
      else this.otherDeclaredSizes.set(digest, new Set([declared]));
    }
  }

  /** The BLOB's content was read to its end: its real size. */
  onRealSize(digest: string, size: number): void {
    const t = this.table;
    const slot = t.slot(digest);
    if (t.flagsAt(slot) & DigestFlag.DeclaredSize) {
      this.checkSize(digest, t.valueAt(slot), size);
      for (const declared of this.otherDeclaredSizes.get(digest) ?? []) this.checkSize(digest, declared, size);
      this.otherDeclaredSizes.delete(digest);
    } else {
      t.setValue(slot, size);
      t.setFlags(slot, DigestFlag.RealSize);
    }
  }

  /** One finding per BLOB and declared size: what getItem says of each item that declares it. */
  private checkSize(digest: string, declared: number, real: number): void {
    if (declared === real) return;
    const key = `${digest} ${declared}`;
    if (this.reportedSizes.has(key)) return;
    this.reportedSizes.add(key);
    this.sink.add(sizeMismatchFinding(blobRelPath(digest)!, declared, real)!);
  }
}
