/**
 * doPurge: plans (purgePlan.ts), and with `apply` removes what the plan lists, under the
 * backup lock, journaled (purgeJournal.ts). Item files go first, then the BLOBs only they
 * referenced, then old server archives: a crash at any point leaves a backup whose kept
 * items all find their BLOBs and folders, and the journal lets the next purge finish.
 * Removal is a real delete (unlink): a purge exists to free space; what went is in the journal.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { failWith } from '../findings';
import { fsyncDirSync } from '../format/atomic';
import { BackupWriter } from '../format/writer';
import { holdBackupLock } from '../format/lock';
import { absOf } from '../fsx';
import { analyzeItemBytes } from '../item/analyze';
import { isCancelled, type ProgressSink } from '../progress';
import { dropIdMapperLines } from './idMapperLines';
import { digestsOf } from './itemFiles';
import { planPurge, type PurgeEntry, type PurgePlan } from './purgePlan';
import { JournalWriter, unfinishedJournals, type JournalRead } from './purgeJournal';

export interface PurgeOptions {
  /** 0: infinite retention, nothing is ever due (the purge returns at once). */
  purgeDays: number;
  /** The instant the retention is measured from (epoch ms). */
  now: number;
  zone: string;
  apply: boolean;
  progress?: ProgressSink;
  signal?: AbortSignal;
}

export interface PurgeResult {
  root: string;
  infiniteRetention: boolean;
  applied: boolean;
  plan: PurgePlan;
  /** Journals of interrupted purges this run takes over (relative paths). */
  resumed: string[];
  /** This run's journal, when it removed anything. */
  journal?: string;
  removed: number;
  removedBytes: number;
  /** Planned entries found already gone, or changed since planned (kept). */
  gone: number;
  skipped: number;
  interrupted: boolean;
}

export async function runPurge(root: string, o: PurgeOptions): Promise<PurgeResult> {
  const abs = path.resolve(root);
  const empty: PurgePlan = {
    now: o.now,
    purgeDays: o.purgeDays,
    entries: [],
    kept: [],
    heldAccounts: [],
    findings: [],
  };
  const result: PurgeResult = {
    root: abs,
    infiniteRetention: o.purgeDays === 0,
    applied: o.apply,
    plan: empty,
    resumed: [],
    removed: 0,
    removedBytes: 0,
    gone: 0,
    skipped: 0,
    interrupted: false,
  };
  if (o.purgeDays === 0) return result;
  const lock = o.apply ? holdBackupLock(abs, 'doPurge', { path: abs }).lock : undefined;
  try {
    const pending = unfinishedJournals(abs);
    result.resumed = pending.map((j) => j.rel);
    const extra = pending.flatMap((j) => j.entries.filter((e) => e.kind === 'blob').map((e) => path.basename(e.path)));
    try {
      result.plan = await planPurge(abs, {
        purgeDays: o.purgeDays,
        now: o.now,
        zone: o.zone,
        extraBlobCandidates: extra,
        ...(o.progress ? { progress: o.progress } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
      });
    } catch (err) {
      if (!isCancelled(err)) throw err;
      result.interrupted = true;
      return result;
    }
    if (o.apply) await apply(abs, result, pending, o);
    return result;
  } finally {
    lock?.release();
  }
}

async function apply(root: string, result: PurgeResult, pending: JournalRead[], o: PurgeOptions): Promise<void> {
  const entries = result.plan.entries;
  if (entries.length === 0 && pending.length === 0) return;
  const journal = JournalWriter.create(root, { backupPath: root, now: o.now, purgeDays: o.purgeDays }, entries);
  result.journal = journal.rel;
  try {
    // The new plan holds what is left of the interrupted ones: close them, saying what they had already done.
    for (const j of pending) await supersede(root, j, journal.rel);
    const writer = new BackupWriter(root);
    const changed = new Set<string>();
    const dirs = new Set<string>();
    let phase: PurgeEntry['kind'] | undefined;
    for (let n = 0; n < entries.length; n++) {
      const e = entries[n]!;
      if (o.signal?.aborted) {
        result.interrupted = true;
        return;
      }
      // Reaching the BLOBs: make the items' removal durable before what they named goes.
      if (phase !== e.kind && (e.kind === 'blob' || e.kind === 'archive')) flushDirs(dirs);
      phase = e.kind;
      o.progress?.({ phase: 'removing', done: n, total: entries.length, message: e.path });
      const file = absOf(root, e.path);
      const at = (): string => new Date().toISOString();
      if (e.kind === 'blob' && changed.has(path.basename(e.path))) {
        journal.write({ type: 'skipped', n, at: at(), note: 'an item changed since planned references it' });
        result.skipped++;
        continue;
      }
      if (e.kind === 'id-mapper-lines') {
        const text = (await readOrUndefined(file))?.toString('utf8');
        const drop = new Set(e.items ?? []);
        const out = text === undefined ? undefined : dropIdMapperLines(text, e.path, (item) => drop.has(item));
        if (out === undefined || out.removed.length === 0) {
          journal.write({ type: 'gone', n, at: at() });
          result.gone++;
        } else {
          writer.writeFile(e.path, out.text);
          journal.write({ type: 'removed', n, at: at() });
          result.removed++;
          result.removedBytes += e.bytes;
        }
        continue;
      }
      if (e.kind === 'item' || e.kind === 'drive-item') {
        const now = await readOrUndefined(file);
        if (now !== undefined && e.sha256 !== undefined && sha256(now) !== e.sha256) {
          // Written since the plan (by something that ignores our lock): not ours to remove.
          for (const d of digestsOf(analyzeItemBytes(now, e.path))) changed.add(d);
          journal.write({ type: 'skipped', n, at: at(), note: 'changed since planned' });
          result.skipped++;
          continue;
        }
      }
      try {
        await fs.unlink(file);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // The journal stays open-ended: a rerun (once the cause is fixed) finishes the purge.
        if (code !== 'ENOENT') failWith('io.unreadable', e.path, `cannot remove ${e.path}: ${code ?? String(err)}`);
        journal.write({ type: 'gone', n, at: at() });
        result.gone++;
        continue;
      }
      dirs.add(path.dirname(file));
      journal.write({ type: 'removed', n, at: at() });
      result.removed++;
      result.removedBytes += e.bytes;
    }
    flushDirs(dirs);
    o.progress?.({ phase: 'removing', done: entries.length, total: entries.length });
    journal.write({ type: 'end', status: 'done', at: new Date().toISOString() });
  } finally {
    journal.close();
  }
}

async function supersede(root: string, j: JournalRead, by: string): Promise<void> {
  const w = JournalWriter.append(root, j.rel);
  try {
    for (const e of j.entries) {
      if (j.settled.has(e.n)) continue;
      if ((await readOrUndefined(absOf(root, e.path))) === undefined)
        w.write({ type: 'gone', n: e.n, at: new Date().toISOString(), note: 'found removed on resume' });
    }
    w.write({ type: 'end', status: 'superseded', at: new Date().toISOString(), by });
  } finally {
    w.close();
  }
}

function flushDirs(dirs: Set<string>): void {
  for (const d of dirs) {
    try {
      fsyncDirSync(d);
    } catch {
      /* a folder that vanished has nothing to flush */
    }
  }
  dirs.clear();
}

async function readOrUndefined(abs: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(abs);
  } catch {
    return undefined;
  }
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}
