/**
 * runCoherencyCheck: the one engine function behind `zxb doCoherencyCheck`, the
 * language server and the extension. It walks the backup path in directory order,
 * hands file contents to a worker pool, keeps per-file results in a cache outside
 * the backup path, and runs the cross-file checks (missing and orphan BLOBs,
 * unknown folders, id_mapper and map targets, purge due) on the collected facts.
 */
import { promises as fs, type Dirent } from 'node:fs';
import * as os from 'node:os';
import {
  finding,
  say,
  failWith,
  FINDINGS,
  LOST_BODY_CODES,
  messageOf,
  type Finding,
  type FindingCode,
} from '../findings';
import { DEFAULT_RETENTION_DAYS, strayEntryFinding } from '../rules';
import { absOf, listDir, readFileCapped } from '../fsx';
import {
  ACCOUNTS_DIR,
  BLOBS_DIR,
  ID_MAPPER_FILE,
  MAP_PREFIX,
  OWN_ROOT_ENTRIES,
  SERVER_DIRS,
  ACCOUNT_FILES,
  blobRelPath,
  customizationsStamp,
} from '../layout';
import { AccountLedger } from './accountLedger';
import { BlobLedger } from './blobLedger';
import { PendingFindings, resolvePending } from '../item/parse';
import { listArchiveContents } from '../serverArchive';
import { schemasFingerprint, schemasFor, type SchemaValidator } from '../schema';
import { BackupPath } from '../backup/backupPath';
import { isCancelled, throttle, throwIfCancelled, type ProgressSink } from '../progress';
import { CheckCache, defaultCacheDir, type CachedRow } from './cache';
import { FindingCollector } from './collector';
import { FactsBuilder, UNUSABLE_METADATA, unpackNames } from './factsBuilder';
import { applyFix, type FixRequest } from './fix';
import { createPool, type CheckPool, type WorkerEntry } from './pool';
import { describeSample, inSample } from './sample';
import type {
  BatchFacts,
  CheckContext,
  CheckOptions,
  CheckReport,
  FileJob,
  FileKindTag,
  PointedFinding,
  WorkItem,
} from './types';

export { UNUSABLE_METADATA };

const DAY = 86_400_000;
/** BLOBs per work item when they are named one by one (--accounts at level blobs). */
const BLOB_BATCH = 32;
/**
 * BLOB prefix folders per work item, when their BLOBs are verified and when they are
 * only listed. A folder holds ~25 BLOBs per 100k: one folder per message would cost
 * more in messaging than in work (measured: 4096 one-folder items, ~0.4 s).
 */
const BLOB_FOLDERS_VERIFIED = 4;
const BLOB_FOLDERS_LISTED = 32;
/** Item files per work item (see checkItemTree): 100 measured ~0.2 ms of messaging per item, mostly thread switches. */
const ITEM_FILES_PER_WORK = 512;
/** Referencing items named on one damaged BLOB's finding (all are counted in the summary). */
const MAX_RELATED = 50;

export interface CheckIo {
  progress?: ProgressSink;
  signal?: AbortSignal;
  /** Tests only: force the worker entry (or its absence). */
  workerEntry?: WorkerEntry | null;
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
  /** Every BLOB name of the store, with what is known of it, and the rules judged from it. */
  private readonly blobs = new BlobLedger({
    add: (f) => this.add(f),
    point: (p) => this.pointFinding(p),
    lostBody: (rel) => this.countLost(rel),
    misplacedReference: (digest, rel, tx) => {
      // Reported once, as blob.wrong-folder on the BLOB, naming this item; not also as missing.
      const f = this.misplaced.get(digest);
      if (f && (f.related ??= []).length < MAX_RELATED)
        f.related.push({ path: rel, message: `item that references it (transaction ${tx}); move the BLOB home` });
    },
  });
  private blobStorePresent = false;
  /** Item files per bucket folder so far, to size the work items. */
  private readonly filesPerBucket = { folders: 0, files: 0 };
  /**
   * Settles when the first listing of the BLOB store is merged: the accounts' work
   * starts at once, but their facts wait for it (a reference is judged against the
   * whole store). Settles, never rejects: failures surface through drain().
   */
  private listed: Promise<void> = Promise.resolve();
  private readonly fix: FixRequest = { moves: [], rewrites: [] };
  private accountIds = new Set<string>();
  private mapFacts: { rel: string; destinations: [string, number][] }[] = [];
  private account: AccountLedger | undefined;
  private stats = { files: 0, bytes: 0, blobs: 0, items: 0, fromCache: 0 };
  private phase = { name: 'listing', done: 0, total: undefined as number | undefined };
  private quarantine: CheckReport['quarantine'];
  private readonly retentionMs: number;
  /** Bucket folders of the accounts checked, for the pass that finds who referenced a damaged BLOB. */
  private readonly itemTrees: { folders: string[]; drive: boolean }[] = [];
  /** Damaged BLOBs whose body is lost, by digest: their finding when it was kept (to name the items). */
  private readonly damaged = new Map<string, Finding | undefined>();
  /** Items (references) whose message body is lost, per account id: missing or damaged BLOB. */
  private readonly lost = new Map<string, number>();
  /** BLOBs in the wrong prefix folder, by digest: their finding when kept (to name the items that reference them). */
  private readonly misplaced = new Map<string, Finding | undefined>();
  /** With --accounts: the BLOB store's layout findings, kept only for BLOBs those accounts reference. */
  private readonly storeLayout: Finding[] = [];
  private readonly schemas: SchemaValidator;

  constructor(
    readonly root: string,
    readonly opts: CheckOptions,
    io: CheckIo,
  ) {
    this.retentionMs = (opts.retentionDays ?? DEFAULT_RETENTION_DAYS) * DAY;
    this.ctx = {
      root,
      level: opts.level,
      now: opts.now ?? Date.now(),
      fixDoubleGzip: opts.fixDoubleGzip ?? 'check',
      retentionMs: this.retentionMs,
    };
    // Compiled here first: a schema folder that cannot be used is a usage error before any work starts.
    this.schemas = schemasFor(opts.schemaDir);
    if (opts.schemaDir !== undefined) this.ctx.schemaDir = opts.schemaDir;
    this.collector = new FindingCollector(opts.maxFindingsPerCode ?? 1000);
    this.signal = io.signal;
    this.progress = throttle(io.progress, 200);
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
      // zimbraIds or e-mail addresses (README), resolved as every command resolves an account.
      const wanted: string[] = [];
      for (const a of this.opts.accounts) {
        const key = a.trim().toLowerCase();
        const id = this.accountIds.has(key) ? key : (await backup.findAccount(key))?.zimbraId;
        if (id === undefined || !this.accountIds.has(id))
          failWith(
            'usage.unknown-account',
            '',
            `no account ${a.trim()} in accounts/ (give a zimbraId or an e-mail address)`,
          );
        wanted.push(id);
      }
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
    this.keepReferencedStoreFindings();
    this.checkMaps();
    // The second walk verifies the BLOBs (level blobs) and finds orphans; at level metadata,
    // skip it when every BLOB of the store turned out to be referenced.
    const orphansPossible = this.blobs.orphansPossible;
    if (this.opts.level === 'blobs' || (this.opts.level === 'metadata' && orphansPossible))
      await this.walkBlobStore('references');
    await this.checkServerArchives();
    await this.nameDamagedBlobReferences();
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
      const variant = `${this.opts.level}|${this.ctx.fixDoubleGzip === 'skip' ? 'nodg' : 'dg'}|${schemasFingerprint(this.schemas)}`;
      this.cache = new CheckCache(dir, real, variant);
    } catch (err) {
      // A cache that cannot be opened (read-only home, inside the backup path, no SQLite driver in this runtime) only costs time.
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
    const e = {
      phase: this.phase.name,
      done: this.phase.done,
      bytes: this.stats.bytes,
      message: message ?? `${this.stats.files} files`,
    } as Parameters<ProgressSink>[0];
    if (this.phase.total !== undefined) e.total = this.phase.total;
    this.progress(e);
  }

  // --- the root folder

  private async checkRootEntries(entries: Dirent[]): Promise<void> {
    const files: FileJob[] = [];
    for (const e of entries) {
      const rel = e.name;
      if (OWN_ROOT_ENTRIES.includes(rel)) continue;
      if (e.isSymbolicLink()) this.add(say('io.symlink', rel, { rel: rel }));
      else if (
        e.isDirectory() &&
        (rel === ACCOUNTS_DIR || rel === BLOBS_DIR || (SERVER_DIRS as readonly string[]).includes(rel))
      )
        continue;
      else if (e.isFile() && rel.startsWith(MAP_PREFIX) && rel.length > MAP_PREFIX.length)
        files.push({ rel, kind: 'map' });
      else if (e.isFile() && rel === 'backupstat') files.push({ rel, kind: 'root-backupstat' });
      else this.add(strayEntryFinding(rel, e.name, 'part of the backup layout'));
    }
    if (this.opts.level !== 'structure') await this.submitFiles(files);
  }

  // --- accounts

  private async checkAccount(id: string): Promise<void> {
    this.account = new AccountLedger(id);
    const accRel = `${ACCOUNTS_DIR}/${id}`;
    const listing = await listDir(absOf(this.root, accRel), accRel);
    if (!listing.ok) {
      this.add(listing.finding);
      return;
    }
    const files: FileJob[] = [];
    const names = new Set(listing.entries.map((e) => e.name));
    if (!names.has('account_info'))
      this.add(finding('layout.missing-account-info', `${accRel}/account_info`, `${accRel}/account_info is missing`));
    const subdirs: { rel: string; drive: boolean }[] = [];
    for (const e of listing.entries) {
      const rel = `${accRel}/${e.name}`;
      if (e.isSymbolicLink()) this.add(say('io.symlink', rel, { rel: rel }));
      else if (e.isFile() && (ACCOUNT_FILES as readonly string[]).includes(e.name))
        files.push({ rel, kind: 'account-file' });
      else if (e.isFile() && e.name === ID_MAPPER_FILE) files.push({ rel, kind: 'id-mapper' });
      else if (e.isDirectory() && (e.name === 'items' || e.name === 'drive_items'))
        subdirs.push({ rel, drive: e.name === 'drive_items' });
      else this.add(strayEntryFinding(rel, e.name, 'part of an account folder'));
    }
    if (this.opts.level !== 'structure') await this.submitFiles(files);
    for (const s of subdirs) await this.checkItemTree(s.rel, s.drive);
    // The next account's files go to the workers while this one's last batches finish.
    const acc = this.account;
    this.account = undefined;
    this.track(Promise.all(acc.pending).then(() => this.finishAccount(acc)));
  }

  /**
   * The bucket folders of items/ or drive_items/, listed and checked by the workers a
   * few at a time: enough for ~ITEM_FILES_PER_WORK files per work item (each message
   * costs a thread switch), as the folders seen so far suggest.
   */
  private async checkItemTree(treeRel: string, drive: boolean): Promise<void> {
    const buckets = await listDir(absOf(this.root, treeRel), treeRel);
    if (!buckets.ok) return this.add(buckets.finding);
    const account = this.account!;
    const tree = { folders: [] as string[], drive };
    this.itemTrees.push(tree);
    let folders: string[] = [];
    const flush = async (): Promise<void> => {
      if (folders.length === 0) return;
      const item: WorkItem = {
        type: 'item-folders',
        folders,
        drive,
        read: this.opts.level !== 'structure',
        records: this.cache !== undefined,
      };
      const n = folders.length;
      folders = [];
      await this.submit(item, account, (facts) => {
        this.filesPerBucket.folders += n;
        this.filesPerBucket.files += facts.items;
      });
    };
    for (const b of buckets.entries) {
      throwIfCancelled(this.signal);
      const rel = `${treeRel}/${b.name}`;
      if (b.isSymbolicLink()) this.add(say('io.symlink', rel, { rel: rel }));
      else if (!b.isDirectory()) this.add(strayEntryFinding(rel, b.name, 'a bucket folder'));
      else {
        folders.push(rel);
        tree.folders.push(rel);
        const seen = this.filesPerBucket;
        const perFolder = seen.folders === 0 ? ITEM_FILES_PER_WORK : Math.max(1, seen.files / seen.folders);
        if (folders.length * perFolder >= ITEM_FILES_PER_WORK) await flush();
      }
    }
    await flush();
  }

  private finishAccount(acc: AccountLedger): void {
    if (this.opts.level === 'structure') return;
    acc.judge({ add: (f) => this.add(f), point: (p) => this.pointFinding(p) });
  }

  private checkMaps(): void {
    for (const m of this.mapFacts) {
      for (const [dest, i] of m.destinations) {
        if (this.accountIds.has(dest.toLowerCase())) continue;
        this.pointFinding({
          code: 'map.unknown-account',
          path: m.rel,
          message: messageOf('map.unknown-account', { index: i, destination: dest }),
          pointer: ['accounts', i, 'destinationId'],
        });
      }
    }
  }

  // --- the BLOB store

  /**
   * Two walks over the BLOB store, in directory order, a few prefix folders per work
   * item. 'list' (before the accounts, not waited for): layout findings and every
   * valid name into the table. 'references' (after the accounts): orphans, and at
   * level blobs the content check (with --accounts: of the BLOBs they reference).
   */
  private async walkBlobStore(pass: 'list' | 'references'): Promise<void> {
    if (!this.blobStorePresent) {
      this.blobs.storeListed = true; // no store: every referenced BLOB is missing
      return;
    }
    const first = pass === 'list';
    const filtered = this.opts.accounts !== undefined;
    const listing = await listDir(absOf(this.root, BLOBS_DIR), BLOBS_DIR);
    if (!listing.ok) {
      if (first) this.add(listing.finding);
      return;
    }
    let complete = true;
    const verify = !first && this.opts.level === 'blobs' && !filtered;
    this.phase = { name: first ? 'listing' : verify ? 'blobs' : 'orphans', done: 0, total: listing.entries.length };
    const handedOut: Promise<void>[] = [];
    const perItem = verify ? BLOB_FOLDERS_VERIFIED : BLOB_FOLDERS_LISTED;
    let folders: string[] = [];
    let sized = false;
    const folderCount = listing.entries.length;
    const flush = async (): Promise<void> => {
      if (folders.length === 0) return;
      const item: WorkItem = {
        type: 'blob-folders',
        folders,
        layout: first,
        verify,
        records: this.cache !== undefined && verify,
      };
      if (this.opts.sample) item.sample = this.opts.sample;
      const n = folders.length;
      folders = [];
      const done = this.submit(item, undefined, (facts) => {
        if (facts.listFailed) complete = false;
        const names = unpackNames(facts.present);
        if (first && !sized) {
          // Digests spread evenly over the prefix folders: size the table once from the first ones.
          sized = true;
          this.blobs.reserve(Math.ceil((names.length / n) * folderCount * 1.1));
        }
        if (first) this.onBlobsPresent(names);
        else this.onBlobsListedAgain(names);
        if (this.phase.name !== 'accounts') this.phase.done += n;
        this.reportProgress(`${this.stats.blobs} BLOBs`);
      });
      handedOut.push((await done).merged);
    };
    for (const p of listing.entries) {
      throwIfCancelled(this.signal);
      const rel = `${BLOBS_DIR}/${p.name}`;
      if (p.isSymbolicLink() || !p.isDirectory()) {
        if (first)
          this.add(
            p.isSymbolicLink()
              ? say('io.symlink', rel, { rel: rel })
              : strayEntryFinding(rel, p.name, 'a BLOB prefix folder'),
          );
        this.phase.done++;
        continue;
      }
      folders.push(p.name);
      if (folders.length >= perItem) await flush();
    }
    await flush();
    if (!first) return this.drain();
    // track() keeps failures in this.failure (its promises never reject): a failed listing item means an incomplete store.
    this.listed = Promise.allSettled(handedOut).then(() => {
      this.blobs.storeListed = complete && this.failure === undefined;
    });
  }

  private onBlobsPresent(names: string[]): void {
    this.blobs.onPresent(names);
    if (this.opts.accounts === undefined) this.stats.blobs += names.length;
  }

  /** The second listing: orphans; with --accounts, the referenced BLOBs to verify. */
  private onBlobsListedAgain(names: string[]): void {
    const filtered = this.opts.accounts !== undefined;
    const toVerify: FileJob[] = [];
    for (const name of names) {
      const referenced = this.blobs.isReferenced(name);
      const rel = blobRelPath(name)!; // listed as valid: in its prefix folder
      if (!referenced && !filtered) {
        this.add(finding('blob.orphan', rel, `no item metadata references ${name}`));
        this.fixMove(rel, 'blob.orphan');
      }
      if (referenced && filtered) {
        this.stats.blobs++;
        if (this.opts.level === 'blobs') toVerify.push({ rel, kind: 'blob', verify: inSample(name, this.opts.sample) });
      }
    }
    for (let i = 0; i < toVerify.length; i += BLOB_BATCH)
      this.track(this.submitFiles(toVerify.slice(i, i + BLOB_BATCH)));
  }

  private countLost(itemRel: string): void {
    const account = itemRel.split('/')[1] ?? '';
    this.lost.set(account, (this.lost.get(account) ?? 0) + 1);
  }

  /** An account-scoped check reports no other account's BLOB: only a misplaced BLOB the accounts reference. */
  private keepReferencedStoreFindings(): void {
    for (const f of this.storeLayout.splice(0)) {
      const digest = f.path.slice(f.path.lastIndexOf('/') + 1);
      if (this.blobs.isReferenced(digest)) this.add(f);
    }
  }

  private onMisplaced(f: Finding): void {
    const digest = f.path.slice(f.path.lastIndexOf('/') + 1);
    this.blobs.markMisplaced(digest);
    if (!this.misplaced.has(digest)) this.misplaced.set(digest, f);
  }

  private onLostBody(f: Finding): void {
    const digest = f.path.slice(f.path.lastIndexOf('/') + 1);
    if (!this.damaged.has(digest)) this.damaged.set(digest, f);
  }

  /**
   * The items whose body a damaged BLOB held: the references were judged and dropped
   * long before the BLOBs were verified (that keeps memory flat), so the accounts'
   * item files are read once more, only when some BLOB was found damaged. Each
   * referencing item is counted per account and named on the BLOB's finding.
   */
  private async nameDamagedBlobReferences(): Promise<void> {
    if (this.damaged.size === 0 || this.opts.level === 'structure') return;
    this.phase = { name: 'references', done: 0, total: this.itemTrees.length };
    this.reportProgress('items referencing damaged BLOBs');
    const runs: Promise<void>[] = [];
    for (const tree of this.itemTrees) {
      for (let i = 0; i < tree.folders.length; i += 16) {
        throwIfCancelled(this.signal);
        const item: WorkItem = {
          type: 'item-folders',
          folders: tree.folders.slice(i, i + 16),
          drive: tree.drive,
          read: true,
          records: false,
        };
        await this.pool.ready();
        runs.push(this.track(this.pool.run(item).then((facts) => this.onDamagedReferences(facts))));
      }
      this.phase.done++;
    }
    await Promise.all(runs);
    await this.drain();
    for (const f of this.damaged.values()) f?.related?.sort((a, b) => a.path.localeCompare(b.path));
  }

  private onDamagedReferences(facts: BatchFacts): void {
    unpackNames(facts.digests).forEach((digest, i) => {
      if (!this.damaged.has(digest)) return;
      const rel = facts.refRels[facts.digestRefs[2 * i]!]!;
      const tx = facts.digestRefs[2 * i + 1]!;
      this.countLost(rel);
      const f = this.damaged.get(digest);
      if (!f) return;
      const related = (f.related ??= []);
      if (related.length < MAX_RELATED)
        related.push({ path: rel, message: `item whose message body is lost (transaction ${tx} references it)` });
    });
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
        if (e.isSymbolicLink()) this.add(say('io.symlink', rel, { rel: rel }));
        else if (!e.isFile() || !customizationsStamp(e.name))
          this.add(
            finding(
              'server.bad-archive-name',
              rel,
              `${e.name} is not a customizations_dd_MM_yy#HH_mm_ss.tar.gz archive`,
            ),
          );
        else if (this.opts.level === 'blobs') {
          throwIfCancelled(this.signal);
          const r = await listArchiveContents(this.root, rel);
          if (!r.ok) this.add(r.finding);
        }
      }
    }
  }

  // --- dispatch and results

  /** Named files: root and account files, the BLOBs of a filtered check. */
  private async submitFiles(files: FileJob[]): Promise<void> {
    if (files.length > 0) await this.submit({ type: 'files', files, records: this.cache !== undefined }, this.account);
  }

  /**
   * The cached rows of the files a work item covers, with what the worker needs to
   * skip those still unchanged (`expect`): one query per folder, or per named file.
   */
  private cachedRows(item: WorkItem): Map<string, CachedRow> | undefined {
    const cache = this.cache;
    if (!cache) return undefined;
    if (item.type === 'files') {
      const rows = new Map<string, CachedRow>();
      for (const j of item.files) {
        const row = cache.row(j.rel);
        if (!row) continue;
        j.expect = { size: row.size, mtimeMs: row.mtime, ino: row.ino };
        rows.set(j.rel, row);
      }
      return rows;
    }
    if (!(item.type === 'item-folders' ? item.read : item.verify)) return undefined;
    const rows = cache.folders(
      item.type === 'item-folders' ? item.folders : item.folders.map((name) => `${BLOBS_DIR}/${name}`),
    );
    if (rows.size > 0) {
      const rels: string[] = [];
      const stats = new Float64Array(3 * rows.size);
      let i = 0;
      for (const [rel, row] of rows) {
        rels.push(rel);
        stats[i++] = row.size;
        stats[i++] = row.mtime;
        stats[i++] = row.ino;
      }
      item.expect = { rels, stats };
    }
    return rows;
  }

  /**
   * Hands a work item to the pool and, when it is done, merges its facts and those of
   * the files whose cached result still stands. The account's checks wait for it.
   */
  private async submit(
    item: WorkItem,
    account: AccountLedger | undefined,
    then?: (facts: BatchFacts) => void,
  ): Promise<{ merged: Promise<void> }> {
    throwIfCancelled(this.signal);
    const cached = this.cachedRows(item);
    await this.pool.ready();
    const listing = item.type === 'blob-folders' && item.layout;
    const listed = this.listed;
    const p = this.pool.run(item).then(async (facts) => {
      if (!listing) await listed;
      if (cached && facts.unchanged.length > 0) this.merge(this.fromCache(item, facts.unchanged, cached), account);
      this.cache?.putRecords(facts.records);
      this.merge(facts, account);
      then?.(facts);
      if (item.type === 'item-folders') this.reportProgress();
    });
    const tracked = this.track(p);
    account?.pending.push(tracked);
    return { merged: tracked };
  }

  /** The cached results of files that have not changed, folded like fresh ones. */
  private fromCache(item: WorkItem, rels: string[], cached: Map<string, CachedRow>): BatchFacts {
    const kinds = item.type === 'files' ? new Map(item.files.map((j) => [j.rel, j.kind])) : undefined;
    const kindOf = (rel: string): FileKindTag =>
      kinds?.get(rel) ??
      (item.type === 'blob-folders' ? 'blob' : item.type === 'item-folders' && item.drive ? 'drive-item' : 'item');
    const b = new FactsBuilder(this.ctx);
    for (const rel of rels) {
      const row = cached.get(rel);
      if (!row) continue;
      const c = this.cache!.decode(row);
      b.add({ rel, kind: kindOf(rel), stat: c.stat, findings: c.findings, facts: c.facts, bytes: 0 }, false);
    }
    this.stats.fromCache += b.out.files;
    return b.finish();
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

  /** A work item's facts into the run: findings, references, folder lifetimes and uses, sizes. */
  private merge(f: BatchFacts, account: AccountLedger | undefined): void {
    this.stats.files += f.files;
    this.stats.bytes += f.bytes;
    this.stats.items += f.items;
    for (const x of f.findings) {
      if (LOST_BODY_CODES.has(x.code)) this.onLostBody(x);
      else if (x.code === 'blob.wrong-folder') this.onMisplaced(x);
      // An account-scoped check judges the store's layout findings once it knows what the accounts reference.
      if (this.opts.accounts !== undefined && x.path.startsWith(`${BLOBS_DIR}/`) && !LOST_BODY_CODES.has(x.code))
        this.storeLayout.push(x);
      else this.add(x);
    }
    for (const [rel, code] of f.unusable) this.fixMove(rel, code);
    unpackNames(f.digests).forEach((digest, i) =>
      this.blobs.onReference(digest, f.digestSizes[i]!, f.refRels[f.digestRefs[2 * i]!]!, f.digestRefs[2 * i + 1]!),
    );
    unpackNames(f.sizedBlobs).forEach((digest, i) => this.blobs.onRealSize(digest, f.blobSizes[i]!));
    for (const rel of f.rewrites) this.fix.rewrites.push(rel);
    for (const m of f.maps) this.mapFacts.push(m);
    account?.merge(f);
  }

  private fixMove(rel: string, reason: FindingCode): void {
    if (this.opts.fixBackup) this.fix.moves.push({ rel, reason });
  }

  private pointFinding(p: PointedFinding): void {
    this.collector.addPointed(p, FINDINGS[p.code].severity);
  }

  /** Cross-file findings get their range by re-reading their file (only the kept ones). */
  async resolvePointed(): Promise<void> {
    const byPath = new Map<string, PointedFinding[]>();
    for (const p of this.collector.takePointed()) {
      const list = byPath.get(p.path);
      if (list) list.push(p);
      else byPath.set(p.path, [p]);
    }
    for (const [rel, list] of byPath) {
      const read = await readFileCapped(absOf(this.root, rel), rel);
      const text = read.ok ? read.bytes.toString('utf8').replace(/^\uFEFF/, '') : '';
      const pending = new PendingFindings();
      for (const p of list) pending.add(p.code, p.message, p.pointer);
      const resolved = read.ok
        ? resolvePending(text, rel, pending)
        : list.map((p) => finding(p.code, p.path, p.message));
      resolved.forEach((f) => this.collector.addResolved(f));
    }
  }

  report(durationMs: number): CheckReport {
    const findings = this.collector.kept;
    findings.sort(
      (a, b) =>
        a.path.localeCompare(b.path) ||
        a.code.localeCompare(b.code) ||
        (a.range?.start.line ?? -1) - (b.range?.start.line ?? -1),
    );
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
        lostBodies: {
          items: [...this.lost.values()].reduce((a, b) => a + b, 0),
          byAccount: Object.fromEntries([...this.lost].sort(([a], [b]) => a.localeCompare(b))),
        },
        level: this.opts.level,
        workers: this.pool.mode === 'threads' ? `threads:${this.pool.size}` : 'in-process',
        cacheFile: this.cache?.file ?? null,
        nextCommand: this.nextCommand(),
      },
    };
    if (this.quarantine) report.quarantine = this.quarantine;
    if (this.cacheNote !== undefined) report.summary.cacheNote = this.cacheNote;
    if (this.opts.sample && this.opts.level === 'blobs') report.summary.sampled = describeSample(this.opts.sample);
    return report;
  }

  private nextCommand(): string {
    const base = `zxb doCoherencyCheck ${shellQuote(this.root)}`;
    const by = this.collector.byCode;
    const has = (c: FindingCode): boolean => (by.get(c) ?? 0) > 0;
    if (this.interrupted) return `${base} --level ${this.opts.level} (resumes quickly from the cache)`;
    if (!this.opts.fixBackup && (has('blob.orphan') || [...UNUSABLE_METADATA].some(has)))
      return `${base} --level ${this.opts.level} --fix-backup`;
    if (this.opts.fixDoubleGzip !== 'fix' && has('blob.double-gzip'))
      return `${base} --level blobs --fix-double-gzip fix`;
    if (this.opts.level !== 'blobs')
      return `${base} --level blobs${this.opts.level === 'structure' ? '' : ' --sample 1/7'}`;
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
