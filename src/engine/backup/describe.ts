/**
 * getBackupInfo: what a backup path holds, without reading item files. Counts come
 * from directory listings; dates from account_stat and backupstat summaries.
 */
import { promises as fs } from 'node:fs';
import type { Finding } from '../findings';
import { listDir } from '../fsx';
import { BLOBS_DIR, accountRelPath, isItemFileName } from '../layout';
import { listServerArchives, type ServerArchive } from '../serverArchive';
import { throwIfCancelled, type ProgressSink } from '../progress';
import type { BackupPath } from './backupPath';

export interface BackupInfo {
  path: string;
  mapFiles: { serverId: string; path: string; sourceServerId?: string; accounts: number }[];
  serverArchives: ServerArchive[];
  domains: string[];
  accounts: { total: number; active: number; deleted: number; system: number };
  items: { count: number };
  blobs: { count: number; bytes: number };
  firstRunDate?: number;
  lastRunDate?: number;
  firstTransactionDate?: number;
  lastTransactionDate?: number;
  findings: Finding[];
}

export async function describeBackup(
  backup: BackupPath,
  opts: { zone: string; signal?: AbortSignal; progress?: ProgressSink },
): Promise<BackupInfo> {
  const findings: Finding[] = [];
  const [maps, accounts, server, rootStat] = await Promise.all([
    backup.mapFiles(),
    backup.accounts(),
    listServerArchives(backup.root, opts.zone),
    backup.rootBackupStat(),
  ]);
  findings.push(...maps.flatMap((m) => m.findings), ...server.findings, ...rootStat.findings);
  for (const a of accounts) findings.push(...a.findings);

  const info: BackupInfo = {
    path: backup.root,
    mapFiles: maps.map((m) => {
      const o: BackupInfo['mapFiles'][number] = {
        serverId: m.serverId,
        path: m.path,
        accounts: m.map?.accounts.length ?? 0,
      };
      if (m.map?.sourceServerId) o.sourceServerId = m.map.sourceServerId;
      return o;
    }),
    serverArchives: server.archives,
    domains: [...new Set(accounts.map((a) => a.domain).filter((d): d is string => d !== undefined))].sort(),
    accounts: {
      total: accounts.length,
      active: accounts.filter((a) => a.deletedDate === undefined && !a.isSystem).length,
      deleted: accounts.filter((a) => a.deletedDate !== undefined).length,
      system: accounts.filter((a) => a.isSystem).length,
    },
    items: { count: 0 },
    blobs: { count: 0, bytes: 0 },
    findings,
  };
  const minMax = (key: 'first' | 'last', v: number | undefined): void => {
    if (v === undefined) return;
    const k = key === 'first' ? 'firstTransactionDate' : 'lastTransactionDate';
    const cur = info[k];
    if (cur === undefined || (key === 'first' ? v < cur : v > cur)) info[k] = v;
  };
  const runs = [rootStat.value, ...accounts.map((a) => a.backupStat)];
  for (const r of runs) {
    if (r?.firstRunDate !== undefined && (info.firstRunDate === undefined || r.firstRunDate < info.firstRunDate))
      info.firstRunDate = r.firstRunDate;
    if (r?.lastRunDate !== undefined && (info.lastRunDate === undefined || r.lastRunDate > info.lastRunDate))
      info.lastRunDate = r.lastRunDate;
  }
  for (const a of accounts) {
    minMax('first', a.stat?.firstTransactionDate);
    minMax('last', a.stat?.lastTransactionDate);
  }

  let done = 0;
  for (const a of accounts) {
    throwIfCancelled(opts.signal);
    info.items.count += await countItemFiles(backup, a.zimbraId, findings);
    opts.progress?.({ phase: 'counting items', done: ++done, total: accounts.length });
  }
  const blobs = await countBlobs(backup, findings, opts.signal, opts.progress);
  info.blobs = blobs;
  return info;
}

async function countItemFiles(backup: BackupPath, zimbraId: string, findings: Finding[]): Promise<number> {
  const itemsRel = `${accountRelPath(zimbraId)}/items`;
  const buckets = await listDir(backup.abs(itemsRel), itemsRel);
  if (!buckets.ok) {
    if (!buckets.missing) findings.push(buckets.finding);
    return 0;
  }
  const counts = await Promise.all(
    buckets.entries
      .filter((b) => b.isDirectory())
      .map(async (b) => {
        const rel = `${itemsRel}/${b.name}`;
        const files = await listDir(backup.abs(rel), rel);
        if (!files.ok) {
          findings.push(files.finding);
          return 0;
        }
        let n = 0;
        for (const f of files.entries) if (f.isFile() && isItemFileName(f.name)) n++;
        return n;
      }),
  );
  return counts.reduce((s, n) => s + n, 0);
}

async function countBlobs(
  backup: BackupPath,
  findings: Finding[],
  signal?: AbortSignal,
  progress?: ProgressSink,
): Promise<{ count: number; bytes: number }> {
  const prefixes = await listDir(backup.abs(BLOBS_DIR), BLOBS_DIR);
  if (!prefixes.ok) {
    if (!prefixes.missing) findings.push(prefixes.finding);
    return { count: 0, bytes: 0 };
  }
  let count = 0;
  let bytes = 0;
  let done = 0;
  const dirs = prefixes.entries.filter((p) => p.isDirectory());
  const queue = [...dirs];
  const worker = async (): Promise<void> => {
    for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
      throwIfCancelled(signal);
      const rel = `${BLOBS_DIR}/${p.name}`;
      const files = await listDir(backup.abs(rel), rel);
      if (!files.ok) {
        findings.push(files.finding);
        continue;
      }
      for (const f of files.entries) {
        if (!f.isFile()) continue;
        count++;
        try {
          // Await first: `bytes += await …` reads `bytes` before the await and loses the other workers' additions.
          const size = (await fs.lstat(backup.abs(`${rel}/${f.name}`))).size;
          bytes += size;
        } catch {
          // Vanished or unreadable: counted, size unknown; the coherency check reports it.
        }
      }
      progress?.({ phase: 'counting BLOBs', done: ++done, total: dirs.length });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return { count, bytes };
}
