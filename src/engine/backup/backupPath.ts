/**
 * An opened backup path, described lazily: nothing here reads item files unless
 * asked for one account's items. Listing accounts reads account folders' small files.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { finding, say, failWith, type Finding } from '../findings';
import { absOf, listDir, notRegularFileFinding, readFileCapped } from '../fsx';
import {
  ACCOUNTS_DIR,
  BLOBS_DIR,
  MAP_PREFIX,
  accountRelPath,
  isItemFileName,
  isZimbraId,
  itemBucket,
  itemRelPath,
  ID_MAPPER_FILE,
} from '../layout';
import {
  parseAccountInfo,
  salvageAccountName,
  parseAccountStat,
  parseBackupStat,
  type AccountInfo,
  type AccountStat,
  type BackupStat,
} from '../files/account';
import { parseMapFile, parseIdMapper, type MapFile, type IdMapping } from '../files/maps';
import { analyzeItemBytes, type AnalyzeItemOptions } from '../item/analyze';
import type { ItemHistory } from '../item/types';
import { BlobStore } from '../blobs';
import { throwIfCancelled, type ProgressSink } from '../progress';

export interface AccountSummary {
  zimbraId: string;
  /** The e-mail address, or the zimbraId when account_info cannot be read. */
  name: string;
  domain?: string;
  displayName?: string;
  status?: string;
  isSystem: boolean;
  createdDate?: number;
  deletedDate?: number;
  info?: AccountInfo;
  stat?: AccountStat;
  backupStat?: BackupStat;
  findings: Finding[];
}

export interface MapFileSummary {
  serverId: string;
  path: string;
  map?: MapFile;
  findings: Finding[];
}

export interface ItemFileRef {
  itemId: number;
  /** Relative to the backup path. */
  path: string;
  bucket: string;
}

export class BackupPath {
  readonly blobs: BlobStore;
  private accountsCache: Promise<AccountSummary[]> | undefined;

  private constructor(readonly root: string) {
    this.blobs = new BlobStore(root);
  }

  /** Opens a backup path; fails with a finding if it is not one. */
  static async open(root: string): Promise<BackupPath> {
    const abs = path.resolve(root);
    let st;
    try {
      st = await fs.stat(abs);
    } catch {
      failWith('io.not-found', abs, `${abs} does not exist`);
    }
    if (!st.isDirectory()) failWith('usage.not-a-backup', abs, `${abs} is not a folder`);
    const listing = await listDir(abs, '');
    if (!listing.ok) throw new Error(listing.finding.message);
    const names = new Set(listing.entries.map((e) => e.name));
    const looksLikeBackup =
      names.has(ACCOUNTS_DIR) || names.has(BLOBS_DIR) || [...names].some((n) => n.startsWith(MAP_PREFIX));
    if (!looksLikeBackup) failWith('usage.not-a-backup', abs, `${abs} holds no accounts/, items/ or map_* file`);
    return new BackupPath(abs);
  }

  abs(rel: string): string {
    return absOf(this.root, rel);
  }

  async mapFiles(): Promise<MapFileSummary[]> {
    const listing = await listDir(this.root, '');
    if (!listing.ok) return [];
    const out: MapFileSummary[] = [];
    for (const e of listing.entries) {
      if (!e.name.startsWith(MAP_PREFIX) || e.name.length === MAP_PREFIX.length) continue;
      out.push(await this.readMapFile(e.name));
    }
    return out;
  }

  async readMapFile(rel: string): Promise<MapFileSummary> {
    const name = rel.split('/').pop() ?? rel;
    const summary: MapFileSummary = { serverId: name.slice(MAP_PREFIX.length), path: rel, findings: [] };
    const read = await readFileCapped(this.abs(rel), rel);
    if (!read.ok) summary.findings.push(read.finding);
    else {
      const parsed = parseMapFile(read.bytes, rel);
      if (parsed.value) summary.map = parsed.value;
      summary.findings.push(...parsed.findings);
    }
    return summary;
  }

  async rootBackupStat(): Promise<{ value?: BackupStat; findings: Finding[] }> {
    const read = await readFileCapped(this.abs('backupstat'), 'backupstat');
    if (!read.ok) return { findings: read.missing ? [] : [read.finding] };
    return parseBackupStat(read.bytes, 'backupstat');
  }

  /** Account folder names (zimbraIds and strays), sorted. */
  async accountFolders(): Promise<{ ids: string[]; findings: Finding[] }> {
    const listing = await listDir(this.abs(ACCOUNTS_DIR), ACCOUNTS_DIR);
    if (!listing.ok) return { ids: [], findings: listing.missing ? [] : [listing.finding] };
    const ids: string[] = [];
    const findings: Finding[] = [];
    for (const e of listing.entries) {
      const rel = `${ACCOUNTS_DIR}/${e.name}`;
      if (e.isSymbolicLink()) findings.push(say('io.symlink', rel, { rel: rel }));
      else if (!e.isDirectory()) findings.push(say('layout.stray-entry', rel, { rel, expected: 'an account folder' }));
      else if (!isZimbraId(e.name))
        findings.push(finding('layout.bad-account-folder', rel, `${e.name} is not a zimbraId`));
      else ids.push(e.name);
    }
    return { ids, findings };
  }

  /** Every account with its account_info, account_stat and backupstat; cached. */
  accounts(): Promise<AccountSummary[]> {
    this.accountsCache ??= this.loadAccounts();
    return this.accountsCache;
  }

  private async loadAccounts(): Promise<AccountSummary[]> {
    const { ids } = await this.accountFolders();
    const out: AccountSummary[] = [];
    // Small files, many accounts: a little concurrency hides latency without flooding the disk.
    const queue = [...ids];
    const workers = Array.from({ length: Math.min(16, queue.length) }, async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) out.push(await this.readAccount(id));
    });
    await Promise.all(workers);
    out.sort((a, b) => a.name.localeCompare(b.name) || a.zimbraId.localeCompare(b.zimbraId));
    return out;
  }

  async readAccount(zimbraId: string): Promise<AccountSummary> {
    const summary: AccountSummary = { zimbraId, name: zimbraId, isSystem: false, findings: [] };
    const infoRel = accountRelPath(zimbraId, 'account_info');
    const info = await readFileCapped(this.abs(infoRel), infoRel);
    if (!info.ok) {
      summary.findings.push(
        info.missing ? finding('layout.missing-account-info', infoRel, `${infoRel} is missing`) : info.finding,
      );
    } else {
      const parsed = parseAccountInfo(info.bytes, infoRel, zimbraId);
      summary.findings.push(...parsed.findings);
      const v = parsed.value;
      if (v) {
        summary.info = v;
        if (v.name) summary.name = v.name;
        if (v.domain) summary.domain = v.domain;
        if (v.displayName) summary.displayName = v.displayName;
        if (v.status) summary.status = v.status;
        summary.isSystem = v.isSystem;
        if (v.createdDate !== undefined) summary.createdDate = v.createdDate;
        if (v.deletedDate !== undefined) summary.deletedDate = v.deletedDate;
      } else {
        // A damaged file often still holds a readable "name": show the account by its address, not its zimbraId.
        const name = salvageAccountName(info.bytes);
        if (name !== undefined) {
          summary.name = name;
          summary.domain = name.slice(name.lastIndexOf('@') + 1).toLowerCase();
        }
      }
    }
    const statRel = accountRelPath(zimbraId, 'account_stat');
    const stat = await readFileCapped(this.abs(statRel), statRel);
    if (stat.ok) {
      const parsed = parseAccountStat(stat.bytes, statRel);
      if (parsed.value) summary.stat = parsed.value;
      summary.findings.push(...parsed.findings);
    } else if (!stat.missing) summary.findings.push(stat.finding);
    const bsRel = accountRelPath(zimbraId, 'backupstat');
    const bs = await readFileCapped(this.abs(bsRel), bsRel);
    if (bs.ok) {
      const parsed = parseBackupStat(bs.bytes, bsRel);
      if (parsed.value) summary.backupStat = parsed.value;
      summary.findings.push(...parsed.findings);
    } else if (!bs.missing) summary.findings.push(bs.finding);
    return summary;
  }

  /** Accepts an e-mail address (case-insensitive) or a zimbraId. */
  async findAccount(nameOrId: string): Promise<AccountSummary | undefined> {
    const key = nameOrId.trim().toLowerCase();
    if (isZimbraId(key)) {
      const cached = (await this.accounts()).find((a) => a.zimbraId === key);
      if (cached) return cached;
      try {
        if ((await fs.stat(this.abs(accountRelPath(key)))).isDirectory()) return this.readAccount(key);
      } catch {
        return undefined;
      }
    }
    return (await this.accounts()).find((a) => a.name.toLowerCase() === key);
  }

  async requireAccount(nameOrId: string): Promise<AccountSummary> {
    const account = await this.findAccount(nameOrId);
    if (!account) failWith('usage.unknown-account', '', `no account "${nameOrId}" in ${this.root}`);
    return account;
  }

  /** Item files of one account, bucket by bucket (never all in memory at once for the caller that streams). */
  async *itemFiles(zimbraId: string, signal?: AbortSignal, findings?: Finding[]): AsyncGenerator<ItemFileRef> {
    const itemsRel = `${accountRelPath(zimbraId)}/items`;
    const buckets = await listDir(this.abs(itemsRel), itemsRel);
    if (!buckets.ok) {
      if (!buckets.missing) findings?.push(buckets.finding);
      return;
    }
    for (const b of buckets.entries) {
      throwIfCancelled(signal);
      const bucketRel = `${itemsRel}/${b.name}`;
      if (!b.isDirectory()) continue;
      const files = await listDir(this.abs(bucketRel), bucketRel);
      if (!files.ok) {
        findings?.push(files.finding);
        continue;
      }
      for (const f of files.entries) {
        if (!isItemFileName(f.name)) continue;
        // An item name that is not a regular file cannot be read: say so rather than skip it silently.
        const rel = `${bucketRel}/${f.name}`;
        if (f.isSymbolicLink()) findings?.push(say('io.symlink', rel, { rel: rel }));
        else if (!f.isFile()) findings?.push(notRegularFileFinding(rel));
        if (!f.isFile()) continue;
        yield { itemId: Number(f.name), path: `${bucketRel}/${f.name}`, bucket: b.name };
      }
    }
  }

  /** Reads and analyses one item file by account and id. */
  async readItem(zimbraId: string, itemId: number, opts: AnalyzeItemOptions = {}): Promise<ItemHistory | undefined> {
    return this.readItemAt(itemRelPath(zimbraId, itemId), { fileItemId: itemId, ...opts });
  }

  /** Reads and analyses an item file by relative path. Undefined if the file does not exist. */
  async readItemAt(rel: string, opts: AnalyzeItemOptions = {}): Promise<ItemHistory | undefined> {
    const read = await readFileCapped(this.abs(rel), rel);
    if (!read.ok) {
      if (read.missing) return undefined;
      const h: ItemHistory = { path: rel, transactions: [], findings: [read.finding], parsed: false };
      if (opts.fileItemId !== undefined) h.fileItemId = opts.fileItemId;
      return h;
    }
    return analyzeItemBytes(read.bytes, rel, opts);
  }

  /** Every item history of an account. Memory grows with the account: for one account's view, not the whole backup. */
  async readAllItems(
    zimbraId: string,
    opts: { signal?: AbortSignal; progress?: ProgressSink; analyze?: AnalyzeItemOptions } = {},
  ): Promise<{ items: ItemHistory[]; findings: Finding[] }> {
    const items: ItemHistory[] = [];
    const findings: Finding[] = [];
    let done = 0;
    for await (const ref of this.itemFiles(zimbraId, opts.signal, findings)) {
      const h = await this.readItemAt(ref.path, { ...opts.analyze, fileItemId: ref.itemId });
      if (h) items.push(h);
      if (++done % 200 === 0) {
        throwIfCancelled(opts.signal);
        opts.progress?.({ phase: 'reading items', done });
      }
    }
    return { items, findings };
  }

  async idMapper(zimbraId: string): Promise<{ mappings: IdMapping[]; findings: Finding[] } | undefined> {
    const rel = accountRelPath(zimbraId, ID_MAPPER_FILE);
    const read = await readFileCapped(this.abs(rel), rel);
    if (!read.ok) return read.missing ? undefined : { mappings: [], findings: [read.finding] };
    return parseIdMapper(read.bytes.toString('utf8'), rel);
  }

  itemBucket(itemId: number): string {
    return itemBucket(itemId);
  }
}
