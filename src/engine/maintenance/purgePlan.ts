/**
 * What a purge removes (docs/backup-format.md §12.3), computed from the files on disk
 * alone, so the dry run and --apply list the same thing. "Due" is the check's rule
 * (purgeDueFinding: the item ends deleted, longer ago than the retention); on top of it
 * nothing is removed that the rest of the backup still needs:
 * - accounts under legal hold (or whose account_info cannot be read) keep everything;
 * - a due folder is kept while a kept item is (or was) filed in it, so no kept item
 *   points at a folder that is not there; the id_mapper.log lines of removed items go
 *   first, for the same reason;
 * - a BLOB goes only when a removed item referenced it and no kept item file, in any
 *   account, does (one that cannot be parsed is searched as text for the digest).
 * Server archives (customizations_*.tar.gz) older than the retention go too, never the newest.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BackupPath, type AccountSummary } from '../backup/backupPath';
import type { Finding } from '../findings';
import { lifeSpan } from '../item/history';
import { isValidDigest } from '../digest';
import { accountRelPath, blobRelPath, ID_MAPPER_FILE } from '../layout';
import { throwIfCancelled, type ProgressSink } from '../progress';
import { isFolderReference, purgeDueFinding } from '../rules/crossFileRules';
import { listServerArchives } from '../serverArchive';
import { SYSTEM_FOLDERS } from '../zimbra';
import { dropIdMapperLines } from './idMapperLines';
import { accountItemFiles, digestsOf, readItemFile, regularFileSize, type ReadItemFile } from './itemFiles';
import { legalHoldOf } from './legalHold';

const DAY = 86_400_000;

export type PurgeKind = 'id-mapper-lines' | 'item' | 'drive-item' | 'blob' | 'archive';

export interface PurgeEntry {
  kind: PurgeKind;
  /** Relative to the backup path. */
  path: string;
  bytes: number;
  /** The zimbraId, for item files. */
  account?: string;
  /** Why it goes, in words. */
  reason: string;
  /** Deletion time (items) or archive date, epoch ms. */
  date?: number;
  /** id-mapper-lines: the destination item ids whose lines go, and the lines. */
  items?: number[];
  lines?: string[];
  /** sha256 of the file as planned (item files and archives; a BLOB is named by its digest). */
  sha256?: string;
}

export type KeptReason = 'legal-hold' | 'legal-hold-unknown' | 'folder-in-use' | 'newest-archive';

export interface KeptEntry {
  path: string;
  account?: string;
  reason: KeptReason;
  /** How many due items this stands for (a held account is one entry). */
  count: number;
}

export interface PurgePlan {
  now: number;
  purgeDays: number;
  entries: PurgeEntry[];
  kept: KeptEntry[];
  /** zimbraIds of the accounts that keep everything. */
  heldAccounts: string[];
  findings: Finding[];
}

export interface PlanOptions {
  purgeDays: number;
  now: number;
  /** Time zone the archive names are read in. */
  zone: string;
  /** Digests an interrupted purge planned to remove (their items may be gone already). */
  extraBlobCandidates?: Iterable<string>;
  progress?: ProgressSink;
  signal?: AbortSignal;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function planPurge(root: string, o: PlanOptions): Promise<PurgePlan> {
  const bp = await BackupPath.open(root);
  const plan: PurgePlan = { now: o.now, purgeDays: o.purgeDays, entries: [], kept: [], heldAccounts: [], findings: [] };
  /** Digests some kept item file names. */
  const referenced = new Set<string>();
  /** Digests of removed item files: BLOB candidates. */
  const candidates = new Set<string>(o.extraBlobCandidates ?? []);
  /** Kept files that did not parse: searched as text for the candidates at the end. */
  const unparsed: string[] = [];
  const { ids } = await bp.accountFolders();
  let done = 0;
  for (const id of ids) {
    throwIfCancelled(o.signal);
    o.progress?.({ phase: 'planning', done, total: ids.length, message: id });
    await planAccount(bp, await bp.readAccount(id), o, plan, referenced, candidates, unparsed);
    done++;
  }
  o.progress?.({ phase: 'planning', done, total: ids.length });
  await planBlobs(bp, plan, referenced, candidates, unparsed, o.signal);
  await planArchives(bp, plan, o);
  return plan;
}

async function planAccount(
  bp: BackupPath,
  account: AccountSummary,
  o: PlanOptions,
  plan: PurgePlan,
  referenced: Set<string>,
  candidates: Set<string>,
  unparsed: string[],
): Promise<void> {
  const id = account.zimbraId;
  const hold = legalHoldOf(account);
  const files: ReadItemFile[] = [];
  for await (const ref of accountItemFiles(bp, id, o.signal, plan.findings)) {
    const f = await readItemFile(bp, ref, plan.findings);
    if (f) files.push(f);
    if (files.length % 200 === 0) throwIfCancelled(o.signal);
  }
  const due = new Set<ReadItemFile>();
  for (const f of files) {
    const deletedAt = lifeSpan(f.history).deletedAt;
    if (purgeDueFinding(f.rel, deletedAt, o.now, o.purgeDays)) due.add(f);
  }
  if (hold.held) {
    plan.heldAccounts.push(id);
    if (due.size > 0)
      plan.kept.push({
        path: `accounts/${id}`,
        account: id,
        reason: hold.why === 'marker' ? 'legal-hold' : 'legal-hold-unknown',
        count: due.size,
      });
    due.clear();
  }
  // Due items the rest of the account still points at stay, and so do the folders they point at in turn.
  const dueById = new Map<number, ReadItemFile>();
  for (const f of due) if (f.itemId !== undefined && !f.drive) dueById.set(f.itemId, f);
  const keep = (f: ReadItemFile, reason: KeptReason, queue: ReadItemFile[]): void => {
    if (!due.delete(f)) return;
    dueById.delete(f.itemId!);
    plan.kept.push({ path: f.rel, account: id, reason, count: 1 });
    queue.push(f);
  };
  const queue: ReadItemFile[] = files.filter((f) => !due.has(f));
  while (queue.length > 0) {
    const f = queue.pop()!;
    for (const tx of f.history.transactions) {
      if (!isFolderReference(tx, f.history.fileItemId) || SYSTEM_FOLDERS[tx.folderId!] !== undefined) continue;
      const target = dueById.get(tx.folderId!);
      if (target) keep(target, 'folder-in-use', queue);
    }
  }
  // id_mapper.log lines that map to a removed item go first (a line pointing at nothing is a finding).
  const idmapRel = accountRelPath(id, ID_MAPPER_FILE);
  const idmapText = dueById.size > 0 ? readTextOrUndefined(bp.abs(idmapRel)) : undefined;
  if (idmapText !== undefined) {
    const dropItems = new Set<number>();
    const { removed } = dropIdMapperLines(idmapText, idmapRel, (item) => {
      const hit = dueById.has(item);
      if (hit) dropItems.add(item);
      return hit;
    });
    if (removed.length > 0)
      plan.entries.push({
        kind: 'id-mapper-lines',
        path: idmapRel,
        bytes: removed.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0),
        account: id,
        reason: 'lines mapping to removed items',
        items: [...dropItems].sort((a, b) => a - b),
        lines: removed,
      });
  }
  for (const f of files) {
    if (due.has(f)) {
      for (const d of digestsOf(f.history)) candidates.add(d);
      plan.entries.push({
        kind: f.drive ? 'drive-item' : 'item',
        path: f.rel,
        bytes: f.bytes.length,
        account: id,
        reason: `deleted longer ago than the ${o.purgeDays}-day retention`,
        ...dateOf(lifeSpan(f.history).deletedAt),
        sha256: sha256(f.bytes),
      });
    } else {
      for (const d of digestsOf(f.history)) referenced.add(d);
      if (!f.history.parsed) unparsed.push(f.rel);
    }
  }
}

function readTextOrUndefined(abs: string): string | undefined {
  try {
    return readFileSync(abs, 'utf8');
  } catch {
    return undefined;
  }
}

function dateOf(at: number | undefined): { date?: number } {
  return at === undefined ? {} : { date: at };
}

async function planBlobs(
  bp: BackupPath,
  plan: PurgePlan,
  referenced: ReadonlySet<string>,
  candidates: ReadonlySet<string>,
  unparsed: readonly string[],
  signal?: AbortSignal,
): Promise<void> {
  let free = [...candidates].filter((d) => isValidDigest(d) && !referenced.has(d));
  // A kept file we could not parse may still name a digest: never remove what it might reference.
  for (const rel of unparsed) {
    if (free.length === 0) break;
    throwIfCancelled(signal);
    let text = '';
    try {
      text = readFileSync(bp.abs(rel), 'latin1');
    } catch {
      // Unreadable: it may reference anything.
      free = [];
      break;
    }
    free = free.filter((d) => !text.includes(d));
  }
  for (const d of free.sort()) {
    const rel = blobRelPath(d)!;
    const bytes = await regularFileSize(bp.abs(rel));
    if (bytes === undefined) continue;
    plan.entries.push({ kind: 'blob', path: rel, bytes, reason: 'referenced only by removed items' });
  }
}

async function planArchives(bp: BackupPath, plan: PurgePlan, o: PlanOptions): Promise<void> {
  const { archives, findings } = await listServerArchives(bp.root, o.zone);
  plan.findings.push(...findings);
  const dated = archives.filter((a) => a.kind === 'customizations' && a.date !== undefined);
  if (dated.length === 0) return;
  const newest = dated.reduce((a, b) => (b.date! > a.date! ? b : a));
  const limit = o.now - o.purgeDays * DAY;
  for (const a of dated) {
    if (a.date! >= limit) continue;
    if (a === newest) {
      plan.kept.push({ path: a.path, reason: 'newest-archive', count: 1 });
      continue;
    }
    let hash: string | undefined;
    try {
      hash = sha256(readFileSync(bp.abs(a.path)));
    } catch {
      hash = undefined;
    }
    plan.entries.push({
      kind: 'archive',
      path: a.path,
      bytes: a.size,
      reason: `server archive older than the ${o.purgeDays}-day retention`,
      date: a.date!,
      ...(hash !== undefined ? { sha256: hash } : {}),
    });
  }
}
