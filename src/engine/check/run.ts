/**
 * runCoherencyCheck: the one engine function behind `zxb doCoherencyCheck`, the
 * language server and the extension. It walks the backup path in directory order,
 * hands file contents to a worker pool, keeps per-file results in a cache outside
 * the backup path, and runs the cross-file checks (missing and orphan BLOBs,
 * unknown folders, id_mapper and map targets, purge due) on the collected facts.
 */
import { promises as fs, type Dirent } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { finding, failWith, FINDINGS, type Finding, type FindingCode } from '../findings';
import { absOf, listDir, readFileCapped } from '../fsx';
import { ACCOUNTS_DIR, BLOBS_DIR, ID_MAPPER_FILE, MAP_PREFIX, SERVER_DIRS, ACCOUNT_FILES, blobRelPath, customizationsStamp, driveBucket, isItemFileName, itemBucket } from '../layout';
import { isDigestName } from '../digestName';
import { DigestFlag, DigestTable } from './digestTable';
import { PendingFindings, resolvePending } from '../item/parse';
import { listArchiveContents } from '../server';
import { SYSTEM_FOLDERS } from '../zimbra';
import { BackupPath } from '../backup/backupPath';
import { isCancelled, throttle, throwIfCancelled, type ProgressSink } from '../progress';
import { CheckCache, defaultCacheDir } from './cache';
import { FindingCollector } from './collector';
import { applyFix, QUARANTINE_DIR, type FixRequest } from './fix';
import { createPool, type CheckPool, type WorkerEntry } from './pool';
import { describeSample, inSample } from './sample';
import type { CheckContext, CheckOptions, CheckReport, FileFacts, FileJob, FileResult, FolderInterval, PointedFinding } from './types';

const DAY = 86_400_000;
/** Files per message to a worker. Batches run across bucket and prefix folders (a folder holds ~25–250 files); 256/64 measured slower. */
const METADATA_BATCH = 128;
/** BLOBs per message to a worker: sizes are unknown before the worker stats them, so batch by count. */
const BLOB_BATCH = 32;
/** BLOB prefix folders listed ahead of the one being handled. */
const LISTING_AHEAD = 8;

/** Metadata so damaged that nothing in it can be used: --fix-backup quarantines such files. */
export const UNUSABLE_METADATA: ReadonlySet<FindingCode> = new Set(['item.not-utf8', 'item.invalid-json', 'item.too-deep', 'item.not-array', 'item.empty-history', 'item.not-object']);

export interface CheckIo {
  progress?: ProgressSink;
  signal?: AbortSignal;
  /** Tests only: force the worker entry (or its absence). */
  workerEntry?: WorkerEntry | null;
}

interface AccountState {
  id: string;
  itemIds: Set<number>;
  folders: Map<number, FolderInterval[]>;
  /** [item path, folder id, instant, transaction index] */
  uses: [string, number, number, number][];
  idmap?: { rel: string; targets: [number, number][] };
  /** The account's batches in flight: its cross-file checks wait for them. */
  pending: Promise<void>[];
}

export async function runCoherencyCheck(rootIn: string, opts: CheckOptions, io: CheckIo = {}): Promise<CheckReport> {
  const started = performance.now();
  const backup = await BackupPath.open(rootIn);
  const root = backup.root;
  const run = new CheckRun(root, opts, io);
  try {
    await run.execute(backup);
  } catch (err) {
    if (!isCancelled(err)) throw err;
    run.interrupted = true;
    // Stop at a safe point: the batches already handed out finish and count.
    await run.drain().catch(() => undefined);
    await run.resolvePointed();
  } finally {
    await run.close();
  }
  return run.report(performance.now() - started);
}

class CheckRun {
  readonly ctx: CheckContext;
  readonly collector: FindingCollector;
  interrupted = false;
  private readonly pool: CheckPool;
  private cache: CheckCache | undefined;
  /** Why the cache is not used, for the summary; undefined when it is, or was turned off. */
  private cacheNote: string | undefined;
  private readonly progress: ReturnType<typeof throttle>;
  private readonly signal: AbortSignal | undefined;
  private readonly inflight = new Set<Promise<void>>();
  private failure: unknown;
  /** Every BLOB name of the store, with what is known of it (present, referenced, real or declared size). */
  private readonly blobTable = new DigestTable();
  private blobStorePresent = false;
  /** The whole store was listed: a digest not in the table is really missing (not in an unreadable folder). */
  private blobStoreListed = false;
  private presentBlobs = 0;
  private referencedPresent = 0;
  private readonly pointed: PointedFinding[] = [];
  private readonly fix: FixRequest = { moves: [], rewrites: [] };
  private accountIds = new Set<string>();
  private mapFacts: { rel: string; destinations: [string, number][] }[] = [];
  private account: AccountState | undefined;
  private stats = { files: 0, bytes: 0, blobs: 0, items: 0, fromCache: 0 };
  private phase = { name: 'listing', done: 0, total: undefined as number | undefined };
  private quarantine: CheckReport['quarantine'];
  private readonly retentionMs: number;

  constructor(readonly root: string, readonly opts: CheckOptions, io: CheckIo) {
    this.ctx = { root, level: opts.level, now: opts.now ?? Date.now(), fixDoubleGzip: opts.fixDoubleGzip ?? 'check' };
    this.collector = new FindingCollector(opts.maxFindingsPerCode ?? 1000);
    this.signal = io.signal;
    this.progress = throttle(io.progress, 200);
    this.retentionMs = (opts.retentionDays ?? 30) * DAY;
    const jobs = opts.jobs ?? os.availableParallelism();
    this.pool = io.workerEntry === null ? createPool(this.ctx, 0) : createPool(this.ctx, jobs, io.workerEntry);
  }

  async execute(backup: BackupPath): Promise<void> {
    await this.openCache();
    const rootListing = await listDir(this.root, '');
    if (!rootListing.ok) failWith('io.unreadable', '', rootListing.finding.message);
    const folders = await backup.accountFolders();
    folders.findings.forEach((f) => this.add(f));
    this.accountIds = new Set(folders.ids);
    let accounts = folders.ids;
    if (this.opts.accounts) {
      const wanted = this.opts.accounts.map((a) => a.trim().toLowerCase());
      for (const a of wanted) if (!this.accountIds.has(a)) failWith('usage.unknown-account', '', `no account folder ${a} in accounts/`);
      accounts = folders.ids.filter((id) => wanted.includes(id));
    }
    await this.checkRootEntries(rootListing.entries);
    // BLOB names first: then every digest an item references is judged as it comes
    // (missing, size mismatch) and nothing but a compact table is kept per BLOB.
    this.blobStorePresent = rootListing.entries.some((e) => e.name === BLOBS_DIR && e.isDirectory());
    await this.walkBlobStore('list');
    this.phase = { name: 'accounts', done: 0, total: accounts.length };
    for (const id of accounts) {
      throwIfCancelled(this.signal);
      await this.checkAccount(id);
      this.phase.done++;
      this.reportProgress();
    }
    await this.drain();
    this.checkMaps();
    // The second listing finds orphans (and, with --accounts, the BLOBs to verify); skip it when
    // every BLOB of the store turned out to be referenced.
    const orphansPossible = this.referencedPresent < this.presentBlobs;
    if (this.opts.level !== 'structure' && (orphansPossible || (this.opts.accounts && this.opts.level === 'blobs'))) await this.walkBlobStore('references');
    await this.checkServerArchives();
    await this.resolvePointed();
    if (!this.interrupted && (this.fix.moves.length > 0 || this.fix.rewrites.length > 0)) {
      this.phase = { name: 'fixing', done: 0, total: undefined };
      this.reportProgress();
      const out = await applyFix(this.root, this.fix, this.ctx.now);
      this.quarantine = { manifest: out.manifest, moved: out.moved, rewritten: out.rewritten };
    }
  }

  private async openCache(): Promise<void> {
    const c = this.opts.cache ?? true;
    if (c === false) return;
    const dir = typeof c === 'object' ? c.dir : defaultCacheDir();
    try {
      const real = await fs.realpath(this.root);
      const variant = `${this.opts.level}|${this.ctx.fixDoubleGzip === 'skip' ? 'nodg' : 'dg'}`;
      this.cache = new CheckCache(dir, real, variant);
    } catch (err) {
      // A cache that cannot be opened (read-only home, inside the backup path, better-sqlite3 built for another runtime) only costs time.
      this.cache = undefined;
      this.cacheNote = `io.cache-unavailable: ran without the cache (${err instanceof Error ? err.message : String(err)})`;
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
    this.cache?.close();
  }

  private add(f: Finding): void {
    this.collector.add(f);
  }

  private reportProgress(message?: string): void {
    const e = { phase: this.phase.name, done: this.phase.done, bytes: this.stats.bytes, message: message ?? `${this.stats.files} files` } as Parameters<ProgressSink>[0];
    if (this.phase.total !== undefined) e.total = this.phase.total;
    this.progress(e);
  }

  // --- the root folder

  private async checkRootEntries(entries: Dirent[]): Promise<void> {
    const jobs: FileJob[] = [];
    for (const e of entries) {
      const rel = e.name;
      if (rel === QUARANTINE_DIR) continue;
      if (e.isSymbolicLink()) this.add(finding('io.symlink', rel, `${rel} is a symbolic link; not followed`));
      else if (e.isDirectory() && (rel === ACCOUNTS_DIR || rel === BLOBS_DIR || (SERVER_DIRS as readonly string[]).includes(rel))) continue;
      else if (e.isFile() && rel.startsWith(MAP_PREFIX) && rel.length > MAP_PREFIX.length) jobs.push({ rel, kind: 'map' });
      else if (e.isFile() && rel === 'backupstat') jobs.push({ rel, kind: 'root-backupstat' });
      else this.add(finding('layout.stray-entry', rel, `${rel} is not part of the backup layout`));
    }
    if (this.opts.level !== 'structure') await this.submit(jobs);
  }

  // --- accounts

  private async checkAccount(id: string): Promise<void> {
    this.account = { id, itemIds: new Set(), folders: new Map(), uses: [], pending: [] };
    const accRel = `${ACCOUNTS_DIR}/${id}`;
    const listing = await listDir(absOf(this.root, accRel), accRel);
    if (!listing.ok) {
      this.add(listing.finding);
      return;
    }
    const jobs: FileJob[] = [];
    const names = new Set(listing.entries.map((e) => e.name));
    if (!names.has('account_info')) this.add(finding('layout.missing-account-info', `${accRel}/account_info`, `${accRel}/account_info is missing`));
    const subdirs: { rel: string; drive: boolean }[] = [];
    for (const e of listing.entries) {
      const rel = `${accRel}/${e.name}`;
      if (e.isSymbolicLink()) this.add(finding('io.symlink', rel, `${rel} is a symbolic link; not followed`));
      else if (e.isFile() && (ACCOUNT_FILES as readonly string[]).includes(e.name)) jobs.push({ rel, kind: 'account-file' });
      else if (e.isFile() && e.name === ID_MAPPER_FILE) jobs.push({ rel, kind: 'id-mapper' });
      else if (e.isDirectory() && (e.name === 'items' || e.name === 'drive_items')) subdirs.push({ rel, drive: e.name === 'drive_items' });
      else this.add(finding('layout.stray-entry', rel, `${rel} is not part of an account folder`));
    }
    if (this.opts.level !== 'structure') await this.submit(jobs);
    for (const s of subdirs) await this.checkItemTree(s.rel, s.drive);
    // The next account's files go to the workers while this one's last batches finish.
    const acc = this.account;
    this.account = undefined;
    this.track(Promise.all(acc.pending).then(() => this.finishAccount(acc)));
  }

  private async checkItemTree(treeRel: string, drive: boolean): Promise<void> {
    const buckets = await listDir(absOf(this.root, treeRel), treeRel);
    if (!buckets.ok) return this.add(buckets.finding);
    let batch: FileJob[] = [];
    for (const b of buckets.entries) {
      throwIfCancelled(this.signal);
      const bucketRel = `${treeRel}/${b.name}`;
      if (b.isSymbolicLink()) {
        this.add(finding('io.symlink', bucketRel, `${bucketRel} is a symbolic link; not followed`));
        continue;
      }
      if (!b.isDirectory()) {
        this.add(finding('layout.stray-entry', bucketRel, `${bucketRel} is not a bucket folder`));
        continue;
      }
      const files = await listDir(absOf(this.root, bucketRel), bucketRel);
      if (!files.ok) {
        this.add(files.finding);
        continue;
      }
      for (const f of files.entries) {
        const rel = `${bucketRel}/${f.name}`;
        if (f.isSymbolicLink()) {
          this.add(finding('io.symlink', rel, `${rel} is a symbolic link; not followed`));
          continue;
        }
        if (!f.isFile()) {
          this.add(finding('layout.stray-entry', rel, `${rel} is not an item file`));
          continue;
        }
        if (drive) {
          if (driveBucket(f.name) !== b.name) this.add(finding('layout.item-wrong-folder', rel, `${f.name} belongs in drive_items/${driveBucket(f.name)}/, not ${b.name}/`));
        } else {
          if (!isItemFileName(f.name)) {
            this.add(finding('layout.bad-item-name', rel, `${f.name} is not a decimal item id`));
            continue;
          }
          const itemId = Number(f.name);
          this.account!.itemIds.add(itemId);
          if (itemBucket(itemId) !== b.name) this.add(finding('layout.item-wrong-folder', rel, `item ${itemId} belongs in items/${itemBucket(itemId)}/, not ${b.name}/`));
        }
        this.stats.items++;
        if (this.opts.level === 'structure') {
          this.stats.files++;
          continue;
        }
        batch.push({ rel, kind: drive ? 'drive-item' : 'item' });
        if (batch.length >= METADATA_BATCH) {
          await this.submit(batch);
          batch = [];
        }
      }
      this.reportProgress();
    }
    await this.submit(batch);
  }

  private finishAccount(acc: AccountState): void {
    if (this.opts.level === 'structure') return;
    for (const [rel, folderId, at, tx] of acc.uses) {
      if (folderExistsAt(acc.folders, folderId, at)) continue;
      this.pointFinding({ code: 'item.unknown-folder', path: rel, message: `folder ${folderId} does not exist at ${new Date(at).toISOString()} (transaction ${tx + 1})`, pointer: [tx, 'folder-id'] });
    }
    if (acc.idmap) {
      for (const [dest, line] of acc.idmap.targets) {
        if (acc.itemIds.has(dest)) continue;
        this.add(finding('idmap.unknown-item', acc.idmap.rel, `line ${line + 1} maps to item ${dest}, which is not in the account`, { range: { start: { line, character: 0 }, end: { line: line + 1, character: 0 } } }));
      }
    }
  }

  private checkMaps(): void {
    for (const m of this.mapFacts) {
      for (const [dest, i] of m.destinations) {
        if (this.accountIds.has(dest.toLowerCase())) continue;
        this.pointFinding({ code: 'map.unknown-account', path: m.rel, message: `accounts[${i}] maps to ${dest}, which has no folder in accounts/`, pointer: ['accounts', i, 'destinationId'] });
      }
    }
  }

  // --- the BLOB store

  /**
   * Two passes over the BLOB store, in directory order. 'list': layout findings, every
   * valid name into the table and, at level blobs (all accounts), the content check.
   * 'references' (after the accounts): orphans, and with --accounts the content check
   * of the BLOBs those accounts reference.
   */
  private async walkBlobStore(pass: 'list' | 'references'): Promise<void> {
    if (!this.blobStorePresent) {
      this.blobStoreListed = true; // no store: every referenced BLOB is missing
      return;
    }
    const level = this.opts.level;
    const filtered = this.opts.accounts !== undefined;
    const listing = await listDir(absOf(this.root, BLOBS_DIR), BLOBS_DIR);
    if (!listing.ok) {
      if (pass === 'list') this.add(listing.finding);
      return;
    }
    const first = pass === 'list';
    let complete = true;
    this.phase = { name: first ? 'blobs' : 'orphans', done: 0, total: listing.entries.length };
    // Up to LISTING_AHEAD folders are listed ahead (the thread pool does the syscalls in parallel).
    const folders = listing.entries;
    const ahead = new Map<number, ReturnType<typeof listDir>>();
    const listAt = (i: number): ReturnType<typeof listDir> | undefined => {
      for (let j = i; j < Math.min(folders.length, i + LISTING_AHEAD); j++) {
        const e = folders[j]!;
        if (!ahead.has(j) && e.isDirectory() && !e.isSymbolicLink()) ahead.set(j, listDir(absOf(this.root, `${BLOBS_DIR}/${e.name}`), `${BLOBS_DIR}/${e.name}`));
      }
      const out = ahead.get(i);
      ahead.delete(i);
      return out;
    };
    let batch: FileJob[] = [];
    for (let i = 0; i < folders.length; i++) {
      const p = folders[i]!;
      if (this.signal?.aborted) await Promise.all(ahead.values()); // no listing left behind
      throwIfCancelled(this.signal);
      const prefixRel = `${BLOBS_DIR}/${p.name}`;
      const pending = listAt(i);
      if (!pending) {
        if (first) this.add(p.isSymbolicLink() ? finding('io.symlink', prefixRel, `${prefixRel} is a symbolic link; not followed`) : finding('layout.stray-entry', prefixRel, `${prefixRel} is not a BLOB prefix folder`));
        continue;
      }
      const files = await pending;
      if (!files.ok) {
        if (first) this.add(files.finding);
        complete = false;
        continue;
      }
      for (const f of files.entries) {
        const rel = `${prefixRel}/${f.name}`;
        const valid = f.isFile() && !f.isSymbolicLink() && isDigestName(f.name) && f.name.slice(0, 2) === p.name;
        if (first && !valid) {
          if (f.isSymbolicLink()) this.add(finding('io.symlink', rel, `${rel} is a symbolic link; not followed`));
          else if (!f.isFile()) this.add(finding('layout.stray-entry', rel, `${rel} is not a BLOB`));
          else if (!isDigestName(f.name)) this.add(finding('blob.bad-name', rel, `${f.name} is not a valid digest`));
          else this.add(finding('blob.wrong-folder', rel, `${f.name} belongs in ${BLOBS_DIR}/${f.name.slice(0, 2)}/, not ${p.name}/`));
        }
        if (!valid) continue;
        let verify = false;
        if (first) {
          const slot = this.blobTable.slot(f.name);
          if ((this.blobTable.flagsAt(slot) & DigestFlag.Present) === 0) this.presentBlobs++;
          this.blobTable.setFlags(slot, DigestFlag.Present);
          if (!filtered) this.stats.blobs++;
          verify = level === 'blobs' && !filtered;
        } else {
          const slot = this.blobTable.lookup(f.name);
          const referenced = slot >= 0 && (this.blobTable.flagsAt(slot) & DigestFlag.Referenced) !== 0;
          if (!referenced && !filtered) {
            this.add(finding('blob.orphan', rel, `no item metadata references ${f.name}`));
            this.fixMove(rel, 'blob.orphan');
          }
          if (referenced && filtered) this.stats.blobs++;
          verify = level === 'blobs' && filtered && referenced;
        }
        if (!verify) continue;
        batch.push({ rel, kind: 'blob', verify: inSample(f.name, this.opts.sample) });
        if (batch.length >= BLOB_BATCH) {
          await this.submit(batch);
          batch = [];
        }
      }
      this.phase.done++;
      this.reportProgress(`${this.stats.blobs} BLOBs`);
    }
    await this.submit(batch);
    await this.drain();
    if (first) this.blobStoreListed = complete;
  }

  /** An item references `digest`: missing and size mismatch are judged at once against the table. */
  private onReference(digest: string, declared: number): void {
    const t = this.blobTable;
    const slot = t.slot(digest);
    const flags = t.flagsAt(slot);
    t.setFlags(slot, DigestFlag.Referenced);
    if ((flags & (DigestFlag.Present | DigestFlag.Referenced)) === DigestFlag.Present) this.referencedPresent++;
    if ((flags & DigestFlag.Present) === 0) {
      if (this.blobStoreListed && (flags & DigestFlag.Reported) === 0) {
        const rel = blobRelPath(digest) ?? `${BLOBS_DIR}/${digest}`;
        this.add(finding('blob.missing', rel, `${rel} is referenced by item metadata but missing from the BLOB store`));
        t.setFlags(slot, DigestFlag.Reported);
      }
      return;
    }
    if (declared < 0) return;
    if (flags & DigestFlag.RealSize) this.checkSize(digest, slot, declared, t.valueAt(slot));
    else if ((flags & DigestFlag.DeclaredSize) === 0) {
      t.setValue(slot, declared);
      t.setFlags(slot, DigestFlag.DeclaredSize);
    }
  }

  private checkSize(digest: string, slot: number, declared: number, real: number): void {
    if (declared === real || (this.blobTable.flagsAt(slot) & DigestFlag.Reported) !== 0) return;
    const rel = blobRelPath(digest)!;
    this.add(finding('blob.size-mismatch', rel, `item metadata declares ${declared} bytes, the BLOB holds ${real}`));
    this.blobTable.setFlags(slot, DigestFlag.Reported);
  }

  private async checkServerArchives(): Promise<void> {
    for (const dir of SERVER_DIRS) {
      const listing = await listDir(absOf(this.root, dir), dir);
      if (!listing.ok) {
        if (!listing.missing) this.add(listing.finding);
        continue;
      }
      for (const e of listing.entries) {
        const rel = `${dir}/${e.name}`;
        if (e.isSymbolicLink()) this.add(finding('io.symlink', rel, `${rel} is a symbolic link; not followed`));
        else if (!e.isFile() || !customizationsStamp(e.name)) this.add(finding('server.bad-archive-name', rel, `${e.name} is not a customizations_dd_MM_yy#HH_mm_ss.tar.gz archive`));
        else if (this.opts.level === 'blobs') {
          throwIfCancelled(this.signal);
          const r = await listArchiveContents(this.root, rel);
          if (!r.ok) this.add(r.finding);
        }
      }
    }
  }

  // --- dispatch and results

  private async submit(jobs: FileJob[]): Promise<void> {
    if (jobs.length === 0) return;
    throwIfCancelled(this.signal);
    const cached = new Map<string, NonNullable<ReturnType<CheckCache['get']>>>();
    if (this.cache) {
      for (const j of jobs) {
        const c = this.cache.get(j.rel);
        if (c && (c.facts.kind !== 'blob' || c.facts.sampled || j.verify === false)) {
          j.expect = c.stat;
          cached.set(j.rel, c);
        }
      }
    }
    await this.pool.ready();
    const account = this.account;
    const p = this.pool.run(jobs).then((results) => {
      for (const r of results) {
        const c = r.unchanged ? cached.get(r.rel) : undefined;
        if (c) {
          r.findings = c.findings;
          r.facts = c.facts;
          this.stats.fromCache++;
        } else if (this.cache && r.stat && !(r.facts.kind === 'blob' && !r.facts.sampled)) {
          this.cache.put(r.rel, r.stat, r.findings, r.facts);
        }
        this.onResult(r, account);
      }
    });
    const tracked = this.track(p);
    account?.pending.push(tracked);
  }

  /** Failures are kept and rethrown by drain(), never left as unhandled rejections. */
  private track(p: Promise<void>): Promise<void> {
    const tracked: Promise<void> = p
      .catch((err: unknown) => {
        this.failure ??= err;
      })
      .finally(() => this.inflight.delete(tracked));
    this.inflight.add(tracked);
    return tracked;
  }

  /** Waits for every batch in flight: the safe point where results are complete. */
  async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
    if (this.failure !== undefined) throw this.failure;
  }

  private onResult(r: FileResult, account: AccountState | undefined): void {
    this.stats.files++;
    this.stats.bytes += r.stat?.size ?? 0;
    let unusable: FindingCode | undefined;
    for (const f of r.findings) {
      this.add(f);
      if (UNUSABLE_METADATA.has(f.code)) unusable ??= f.code;
    }
    const facts: FileFacts = r.facts;
    if ((r.kind === 'item' || r.kind === 'drive-item') && unusable) this.fixMove(r.rel, unusable);
    switch (facts.kind) {
      case 'item':
        this.onItemFacts(r.rel, facts, account);
        break;
      case 'id-mapper':
        if (account) account.idmap = { rel: r.rel, targets: facts.targets };
        break;
      case 'map':
        this.mapFacts.push({ rel: r.rel, destinations: facts.destinations });
        break;
      case 'blob': {
        if (facts.status === 'double-gzip' && this.opts.fixDoubleGzip === 'fix') this.fix.rewrites.push(r.rel);
        // Only a readable content has a real size to compare with the declared one.
        if (facts.size === undefined || !(facts.status === 'ok' || facts.status === 'double-gzip' || facts.status === 'trailing-garbage')) break;
        const digest = r.rel.slice(r.rel.lastIndexOf('/') + 1);
        const slot = this.blobTable.slot(digest);
        if (this.blobTable.flagsAt(slot) & DigestFlag.DeclaredSize) this.checkSize(digest, slot, this.blobTable.valueAt(slot), facts.size);
        else {
          this.blobTable.setValue(slot, facts.size);
          this.blobTable.setFlags(slot, DigestFlag.RealSize);
        }
        break;
      }
      case 'none':
        break;
    }
  }

  private onItemFacts(rel: string, facts: Extract<FileFacts, { kind: 'item' }>, account: AccountState | undefined): void {
    if (this.opts.level !== 'structure') for (const [digest, size] of facts.digests) this.onReference(digest, size);
    if (account) {
      for (const [id, start, end] of facts.folderDefs) {
        const list = account.folders.get(id);
        if (list) list.push([id, start, end]);
        else account.folders.set(id, [[id, start, end]]);
      }
      // System folders always exist (folderExistsAt): keeping their uses would only cost memory.
      for (const [folderId, at, tx] of facts.folderUses) if (SYSTEM_FOLDERS[folderId] === undefined) account.uses.push([rel, folderId, at, tx]);
    }
    if (facts.deletedAt !== undefined && facts.deletedAt < this.ctx.now - this.retentionMs) {
      const days = Math.floor((this.ctx.now - facts.deletedAt) / DAY);
      this.add(finding('item.purge-due', rel, `deleted ${days} days ago (${new Date(facts.deletedAt).toISOString()}), longer than the ${this.retentionMs / DAY}-day retention`));
    }
  }

  private fixMove(rel: string, reason: FindingCode): void {
    if (this.opts.fixBackup) this.fix.moves.push({ rel, reason });
  }

  private pointFinding(p: PointedFinding): void {
    if (this.collector.wouldKeep(p.code)) this.pointed.push(p);
    this.collector.count(p.code, FINDINGS[p.code].severity);
  }

  /** Cross-file findings get their range by re-reading their file (only the kept ones). */
  async resolvePointed(): Promise<void> {
    const byPath = new Map<string, PointedFinding[]>();
    for (const p of this.pointed) {
      const list = byPath.get(p.path);
      if (list) list.push(p);
      else byPath.set(p.path, [p]);
    }
    for (const [rel, list] of byPath) {
      const read = await readFileCapped(absOf(this.root, rel), rel);
      const text = read.ok ? read.bytes.toString('utf8').replace(/^\uFEFF/, '') : '';
      const pending = new PendingFindings();
      for (const p of list) pending.add(p.code, p.message, p.pointer);
      const resolved = read.ok ? resolvePending(text, rel, pending) : list.map((p) => finding(p.code, p.path, p.message));
      resolved.forEach((f) => this.collector.kept.push(f));
    }
    this.pointed.length = 0;
  }

  report(durationMs: number): CheckReport {
    const findings = this.collector.kept;
    findings.sort((a, b) => a.path.localeCompare(b.path) || a.code.localeCompare(b.code) || (a.range?.start.line ?? -1) - (b.range?.start.line ?? -1));
    const byCode: CheckReport['summary']['byCode'] = {};
    for (const [c, n] of [...this.collector.byCode].sort(([a], [b]) => a.localeCompare(b))) byCode[c] = n;
    const report: CheckReport = {
      root: this.root,
      findings,
      summary: {
        byCode,
        bySeverity: { ...this.collector.bySeverity },
        filesChecked: this.stats.files,
        bytesChecked: this.stats.bytes,
        blobsChecked: this.stats.blobs,
        itemsChecked: this.stats.items,
        filesFromCache: this.stats.fromCache,
        durationMs: Math.round(durationMs),
        interrupted: this.interrupted,
        truncatedCodes: this.collector.truncatedCodes(),
        maxFindingsPerCode: this.collector.cap,
        level: this.opts.level,
        workers: this.pool.mode === 'threads' ? `threads:${this.pool.size}` : 'in-process',
        cacheFile: this.cache?.file ?? null,
        nextCommand: this.nextCommand(),
      },
    };
    if (this.quarantine) report.quarantine = this.quarantine;
    if (this.cacheNote !== undefined) report.summary.cacheNote = this.cacheNote;
    return report;
  }

  private nextCommand(): string {
    const base = `zxb doCoherencyCheck ${shellQuote(this.root)}`;
    const by = this.collector.byCode;
    const has = (c: FindingCode): boolean => (by.get(c) ?? 0) > 0;
    if (this.interrupted) return `${base} --level ${this.opts.level} (resumes quickly from the cache)`;
    if (!this.opts.fixBackup && (has('blob.orphan') || [...UNUSABLE_METADATA].some(has))) return `${base} --level ${this.opts.level} --fix-backup`;
    if (this.opts.fixDoubleGzip !== 'fix' && has('blob.double-gzip')) return `${base} --level blobs --fix-double-gzip fix`;
    if (this.opts.level !== 'blobs') return `${base} --level blobs${this.opts.level === 'structure' ? '' : ' --sample 1/7'}`;
    if (this.opts.sample) return `${base} --level blobs --sample ${nextSlice(describeSample(this.opts.sample))}`;
    return '';
  }
}

function nextSlice(s: string): string {
  const m = /^(\d+)\/(\d+)$/.exec(s);
  if (!m) return s;
  const n = Number(m[1]);
  const t = Number(m[2]);
  return `${(n % t) + 1}/${t}`;
}

function shellQuote(s: string): string {
  return /^[\w./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** System folders always exist; a user folder exists while one of its live transactions holds `at`. */
function folderExistsAt(folders: Map<number, FolderInterval[]>, id: number, at: number): boolean {
  if (SYSTEM_FOLDERS[id] !== undefined) return true;
  const list = folders.get(id);
  if (!list) return false;
  return list.some(([, s, e]) => s <= at && (e === null || at < e));
}


