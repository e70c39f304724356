/**
 * doExport: a new, self-consistent backup path holding only some accounts (and, with a
 * window, only the transactions in it) and exactly the BLOBs they reference; the minimal
 * copy a support engineer attaches to a bug report (docs/backup-format.md §12). The
 * source is only read; everything is written through the one format writer.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BackupPath, type AccountSummary } from '../backup/backupPath';
import { parseAccountStat } from '../files/account';
import { parseMapFile } from '../files/maps';
import { failWith, type Finding } from '../findings';
import { BackupWriter } from '../format/writer';
import { serializeObjects } from '../format/item';
import { holdBackupLock } from '../format/lock';
import { readFileCapped } from '../fsx';
import { accountRelPath, blobRelPath, ID_MAPPER_FILE, isZimbraId, MAP_PREFIX } from '../layout';
import { throwIfCancelled, type ProgressSink } from '../progress';
import { dropIdMapperLines } from './idMapperLines';
import { accountItemFiles, digestsOf, readItemFile, regularFileSize, type ReadItemFile } from './itemFiles';
import { windowSpans, type Span, type TimeWindow } from './window';

export interface ExportOptions {
  /** zimbraIds or e-mail addresses. */
  accounts?: readonly string[];
  /** Domains (the part of the address after @); an account is exported when it is named or in a domain. */
  domains?: readonly string[];
  window?: TimeWindow;
}

export interface ExportedAccount {
  zimbraId: string;
  name: string;
  items: number;
  transactions: number;
  /** Distinct BLOBs its kept transactions reference (present or not in the source). */
  blobs: number;
}

export interface ExportReport {
  source: string;
  destination: string;
  window: TimeWindow | null;
  accounts: ExportedAccount[];
  items: number;
  transactions: number;
  /** BLOB files copied, and their bytes on disk. */
  blobs: number;
  blobBytes: number;
  /** Referenced BLOBs the source does not have (its blob.missing findings come along). */
  missingBlobs: number;
  files: number;
  /** Problems met reading the source (an unreadable file is left out, not fatal). */
  findings: Finding[];
}

export interface RunOptions {
  progress?: ProgressSink;
  signal?: AbortSignal;
}

/** Which accounts of the source an export takes; unknown names stop with usage.unknown-account. */
export async function selectAccounts(bp: BackupPath, o: ExportOptions): Promise<AccountSummary[]> {
  const all = await bp.accounts();
  if ((o.accounts?.length ?? 0) === 0 && (o.domains?.length ?? 0) === 0) return all;
  const chosen = new Map<string, AccountSummary>();
  for (const a of o.accounts ?? []) {
    const found = await bp.findAccount(a);
    if (!found) failWith('usage.unknown-account', '', `no account "${a}" in ${bp.root}`);
    chosen.set(found.zimbraId, found);
  }
  for (const d of o.domains ?? []) {
    const want = d.trim().toLowerCase().replace(/^@/, '');
    const inDomain = all.filter((a) => (a.domain ?? a.name.slice(a.name.lastIndexOf('@') + 1)).toLowerCase() === want);
    if (inDomain.length === 0) failWith('usage.unknown-account', '', `no account of domain "${d}" in ${bp.root}`);
    for (const a of inDomain) chosen.set(a.zimbraId, a);
  }
  return [...chosen.values()].sort((a, b) => a.name.localeCompare(b.name) || a.zimbraId.localeCompare(b.zimbraId));
}

/** The destination must not exist or be an empty folder, and must not overlap the source. */
export async function prepareDestination(source: string, dest: string): Promise<string> {
  const abs = path.resolve(dest);
  const inside = (a: string, b: string): boolean => a === b || a.startsWith(b + path.sep);
  if (inside(abs, source) || inside(source, abs))
    failWith('usage.bad-argument', abs, `the destination ${abs} overlaps the backup path ${source}`);
  let entries: string[] | undefined;
  try {
    const st = await fs.lstat(abs);
    if (!st.isDirectory()) failWith('usage.bad-argument', abs, `the destination ${abs} exists and is not a folder`);
    entries = await fs.readdir(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (entries !== undefined && entries.length > 0)
    failWith('usage.bad-argument', abs, `the destination ${abs} is not empty: give a new or empty folder`);
  await fs.mkdir(abs, { recursive: true });
  return abs;
}

export async function exportBackup(
  sourceRoot: string,
  destRoot: string,
  o: ExportOptions,
  run: RunOptions = {},
): Promise<ExportReport> {
  const bp = await BackupPath.open(sourceRoot);
  const accounts = await selectAccounts(bp, o);
  const dest = await prepareDestination(bp.root, destRoot);
  const { lock } = holdBackupLock(dest, 'doExport', { path: dest });
  try {
    return await exportInto(bp, dest, accounts, o.window, run);
  } finally {
    lock.release();
  }
}

async function exportInto(
  bp: BackupPath,
  dest: string,
  accounts: readonly AccountSummary[],
  window: TimeWindow | undefined,
  run: RunOptions,
): Promise<ExportReport> {
  // Not durable (as the sample generator): an interrupted export is thrown away, never used.
  const w = new BackupWriter(dest, { durable: false });
  const report: ExportReport = {
    source: bp.root,
    destination: dest,
    window: window ?? null,
    accounts: [],
    items: 0,
    transactions: 0,
    blobs: 0,
    blobBytes: 0,
    missingBlobs: 0,
    files: 0,
    findings: [],
  };
  const copied = new Set<string>();
  const exportedIds = new Set<string>();
  let done = 0;
  for (const account of accounts) {
    throwIfCancelled(run.signal);
    run.progress?.({ phase: 'exporting accounts', done, total: accounts.length, message: account.name });
    report.accounts.push(await exportAccount(bp, w, account, window, copied, report, run));
    exportedIds.add(account.zimbraId);
    done++;
  }
  await copyRootFiles(bp, w, exportedIds, report);
  run.progress?.({ phase: 'exporting accounts', done, total: accounts.length });
  report.files = w.files;
  return report;
}

async function exportAccount(
  bp: BackupPath,
  w: BackupWriter,
  account: AccountSummary,
  window: TimeWindow | undefined,
  copied: Set<string>,
  report: ExportReport,
  run: RunOptions,
): Promise<ExportedAccount> {
  const id = account.zimbraId;
  const files: ReadItemFile[] = [];
  for await (const ref of accountItemFiles(bp, id, run.signal, report.findings)) {
    const f = await readItemFile(bp, ref, report.findings);
    if (f) files.push(f);
    if (files.length % 200 === 0) throwIfCancelled(run.signal);
  }
  const spans: (Span | undefined)[] = window
    ? windowSpans(
        files.map((f) => ({ history: f.history, ...(f.itemId !== undefined ? { itemId: f.itemId } : {}) })),
        window,
      )
    : files.map((f) => ({ lo: 0, hi: f.history.transactions.length - 1 }));
  const out: ExportedAccount = { zimbraId: id, name: account.name, items: 0, transactions: 0, blobs: 0 };
  const itemIds = new Set<number>();
  const digests = new Set<string>();
  let firstTx: number | undefined;
  let lastTx: number | undefined;
  let lastItemId: number | undefined;
  for (let i = 0; i < files.length; i++) {
    const f = files[i]!;
    const span = spans[i];
    if (!span) continue;
    const txs = f.history.transactions;
    const whole = span.lo <= 0 && span.hi >= txs.length - 1;
    if (whole) w.writeFile(f.rel, f.bytes);
    else {
      const objects = txs.slice(span.lo, span.hi + 1).map((t) => ({ ...t.raw }));
      // Later states are not exported: the last kept one reads as the item's state at the end of the window.
      if (span.hi < txs.length - 1) objects[objects.length - 1]!['end-date'] = null;
      w.writeFile(f.rel, serializeObjects(objects));
    }
    out.items++;
    out.transactions += whole ? txs.length : span.hi - span.lo + 1;
    if (f.itemId !== undefined) {
      itemIds.add(f.itemId);
      if (!f.drive) lastItemId = Math.max(lastItemId ?? f.itemId, f.itemId);
    }
    for (let k = Math.max(0, span.lo); k <= Math.min(span.hi, txs.length - 1); k++) {
      const s = txs[k]!.start;
      if (s === undefined) continue;
      firstTx = Math.min(firstTx ?? s, s);
      lastTx = Math.max(lastTx ?? s, s);
    }
    for (const d of digestsOf(f.history, Math.max(0, span.lo), span.hi)) digests.add(d);
    if (i % 50 === 0) throwIfCancelled(run.signal);
  }
  out.blobs = digests.size;
  let blobBytes = 0;
  for (const d of [...digests].sort()) {
    const rel = blobRelPath(d)!;
    if (copied.has(rel)) {
      blobBytes += (await regularFileSize(bp.abs(rel))) ?? 0;
      continue;
    }
    let at = rel;
    let read = await readFileCapped(bp.abs(rel), rel, Number.MAX_SAFE_INTEGER);
    if (!read.ok && read.missing) {
      // A BLOB in another prefix folder (blob.wrong-folder in the source) goes to the same wrong place:
      // the export reproduces the source's findings, it does not repair them.
      const elsewhere = await bp.blobs.misplacedRelPath(d);
      if (elsewhere !== undefined) {
        at = elsewhere;
        read = await readFileCapped(bp.abs(at), at, Number.MAX_SAFE_INTEGER);
      }
    }
    if (!read.ok) {
      if (read.missing) report.missingBlobs++;
      else report.findings.push(read.finding);
      continue;
    }
    w.writeFile(at, read.bytes);
    copied.add(rel);
    report.blobs++;
    report.blobBytes += read.bytes.length;
    blobBytes += read.bytes.length;
    throwIfCancelled(run.signal);
  }
  report.items += out.items;
  report.transactions += out.transactions;
  await copyAccountFiles(bp, w, account, window, itemIds, {
    itemCount: out.items,
    blobCount: digests.size,
    blobBytes,
    ...(lastItemId !== undefined ? { lastItemId } : {}),
    ...(firstTx !== undefined ? { firstTransactionDate: firstTx } : {}),
    ...(lastTx !== undefined ? { lastTransactionDate: lastTx } : {}),
  });
  return out;
}

interface StatNumbers {
  itemCount: number;
  blobCount: number;
  blobBytes: number;
  lastItemId?: number;
  firstTransactionDate?: number;
  lastTransactionDate?: number;
}

/** account_info and backupstat as they are; account_stat recounted for a window; id_mapper.log lines of exported items. */
async function copyAccountFiles(
  bp: BackupPath,
  w: BackupWriter,
  account: AccountSummary,
  window: TimeWindow | undefined,
  itemIds: ReadonlySet<number>,
  stat: StatNumbers,
): Promise<void> {
  const id = account.zimbraId;
  for (const name of ['account_info', 'backupstat'] as const) {
    const rel = accountRelPath(id, name);
    const read = await readFileCapped(bp.abs(rel), rel);
    if (read.ok) w.writeFile(rel, read.bytes);
  }
  const statRel = accountRelPath(id, 'account_stat');
  const statRead = await readFileCapped(bp.abs(statRel), statRel);
  if (statRead.ok) {
    const parsed = window ? parseAccountStat(statRead.bytes, statRel) : undefined;
    // A clean account_stat describes what the export holds; a damaged one is copied as it is (its findings too).
    if (parsed?.value && parsed.findings.length === 0) {
      const { extra: _extra, ...kept } = parsed.value;
      w.writeAccountStat(id, { ...kept, ...stat });
    } else w.writeFile(statRel, statRead.bytes);
  }
  const mapRel = accountRelPath(id, ID_MAPPER_FILE);
  const mapRead = await readFileCapped(bp.abs(mapRel), mapRel);
  if (mapRead.ok) {
    // Without a window every item is exported: the file is copied as it is.
    const out = window
      ? dropIdMapperLines(mapRead.bytes.toString('utf8'), mapRel, (item) => !itemIds.has(item))
      : undefined;
    w.writeFile(mapRel, out === undefined || out.removed.length === 0 ? mapRead.bytes : out.text);
  }
}

/** The root backupstat as it is; map files with the entries of exported accounts only. */
async function copyRootFiles(
  bp: BackupPath,
  w: BackupWriter,
  exported: ReadonlySet<string>,
  report: ExportReport,
): Promise<void> {
  const bs = await readFileCapped(bp.abs('backupstat'), 'backupstat');
  if (bs.ok) w.writeFile('backupstat', bs.bytes);
  for (const m of await bp.mapFiles()) {
    const read = await readFileCapped(bp.abs(m.path), m.path);
    if (!read.ok) {
      report.findings.push(read.finding);
      continue;
    }
    const parsed = parseMapFile(read.bytes, m.path);
    const map = parsed.value;
    if (!map || parsed.findings.length > 0) {
      // Damaged: copied as it is when it may concern an exported account.
      if (!map || map.accounts.some((a) => exported.has(a.destinationId) || !isZimbraId(a.destinationId)))
        w.writeFile(m.path, read.bytes);
      continue;
    }
    const accounts = map.accounts.filter((a) => exported.has(a.destinationId));
    if (accounts.length === 0) continue;
    if (accounts.length === map.accounts.length) w.writeFile(m.path, read.bytes);
    else
      w.writeMap(m.path.slice(MAP_PREFIX.length), {
        ...(map.sourceServerId !== undefined ? { sourceServerId: map.sourceServerId } : {}),
        ...(map.importDate !== undefined ? { importDate: map.importDate } : {}),
        accounts: accounts.map((a) => ({
          sourceId: a.sourceId,
          destinationId: a.destinationId,
          ...(a.name !== undefined ? { name: a.name } : {}),
        })),
      });
  }
}
