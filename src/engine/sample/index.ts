/**
 * A realistic, deterministic sample backup path (docs/sample.md): the same options give
 * a byte-identical tree. Accounts are written one item at a time, so memory stays flat
 * whatever the size; huge samples draw BLOB contents from a bounded pool.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { CancelledError } from '../progress';
import { BackupWriter, serverArchiveRelPath } from '../format';
import {
  AccountGenerator,
  composition,
  minimumItems,
  OUTSIDE_CORRESPONDENTS,
  type AccountPlan,
  type AccountResult,
  type AccountRole,
} from './account';
import { customizationFiles, makeTarGz } from './archive';
import { pickLang, type Correspondent } from './content';
import { SampleContext, type Broadcast, type ContentKind, type PoolConfig } from './context';
import { addFaults, type SampleFault } from './faults';
import { Rng, hashSeed } from './random';
import type { SizeModel } from './sizes';
import { DAY, END_DATE, HOUR, MINUTE, START_DATE } from './timeline';
import { FIRST_NAMES, LAST_NAMES, OUR_DOMAINS, OUTSIDE_DOMAINS, TIME_ZONES, localPart } from './words';

export type { SampleFault } from './faults';
export { START_DATE, END_DATE } from './timeline';
export { decodeWords, encodeWords, quotedPrintable } from './mime';
export { SIZE_MODELS, type SizeModel } from './sizes';

export interface SampleOptions {
  /** Account folders (default 6): one imported, one deleted and one system account among them when there are enough. */
  accounts?: number;
  /** Item files per account (default 120; the system account gets a quarter). */
  itemsPerAccount?: number;
  /** Default 1. */
  seed?: number;
  /** Add the documented damaged files (docs/sample.md). */
  faults?: boolean;
  /**
   * Also write Drive items (accounts/<id>/drive_items/xx/<uuid>, docs/backup-format.md §2.6).
   * Off by default: their `id` is a UUID, which the item parser reports as a schema warning.
   */
  drive?: boolean;
  /**
   * The size model of messages (docs/sample.md, "Sizes"): `small` (the default here, for
   * tests: short messages, a few KB) or `real` (sizes of real mail; the CLI's default).
   */
  sizes?: SizeModel;
}

export interface SampleProgress {
  (done: number, total: number, phase: string): void;
}

export interface SampleResult {
  path: string;
  accounts: { zimbraId: string; name: string; items: number }[];
  /** Item files under accounts/<id>/items (fault files included). */
  items: number;
  /** Files under items/ (the BLOB store, fault files included) and their bytes on disk. */
  blobs: number;
  blobBytes: number;
  faults: SampleFault[];
  sizes: SizeModel;
  /** The timeline: every transaction starts in [startDate, endDate); use endDate as "now". */
  startDate: number;
  endDate: number;
}

/** Above this many item files, BLOB contents come from a bounded pool (see docs/sample.md). */
export const POOL_THRESHOLD = 50_000;
const POOL_BUDGET: Record<ContentKind, number> = {
  message: 40_000,
  contact: 8_000,
  event: 6_000,
  task: 3_000,
  document: 3_000,
};
const SOURCE_SERVER = 'mbox1.legacy.example.net';
const IMPORT_DATE = Date.UTC(2025, 2, 15, 21, 0, 0);
const DELETED_DATE = Date.UTC(2026, 4, 20, 16, 30, 0);

function roleOf(i: number, n: number): AccountRole {
  if (n >= 3 && i === n - 1) return 'system';
  if (n >= 4 && i === n - 2) return 'deleted';
  if (n >= 2 && i === 1) return 'imported';
  return 'regular';
}

function planAccounts(seed: number, n: number, perAccount: number, serverId: string, drive: boolean): AccountPlan[] {
  const rng = Rng.of(seed, 'accounts');
  const usedNames = new Set<string>();
  const plans: AccountPlan[] = [];
  let secondRegular = false;
  for (let i = 0; i < n; i++) {
    const role = roleOf(i, n);
    const zimbraId = rng.uuid();
    let first: string;
    let last: string;
    let email: string;
    const domain = role === 'system' ? OUR_DOMAINS[0] : OUR_DOMAINS[i % OUR_DOMAINS.length]!;
    if (role === 'system') {
      first = 'Spam';
      last = 'Training';
      email = `spam.${rng.alnum(10)}@${domain}`;
    } else {
      let tries = 0;
      do {
        first = rng.pick(FIRST_NAMES);
        last = rng.pick(LAST_NAMES);
        // Hundreds of accounts exhaust the name pairs: number the mailbox then.
        email = `${localPart(first, last)}${++tries > 20 ? tries : ''}@${domain}`;
      } while (usedNames.has(email));
    }
    usedNames.add(email);
    const tz = rng.pick(TIME_ZONES);
    let createdDate = START_DATE + (i % 40) * 6 * HOUR;
    if (role === 'regular' && i === 3) createdDate = Date.UTC(2025, 5, 2, 9, 0, 0);
    if (role === 'imported') createdDate = IMPORT_DATE;
    if (role === 'system') createdDate = START_DATE;
    const deletedDate = role === 'deleted' ? DELETED_DATE : null;
    const large: number[] = [];
    if (i === 0) large.push(1_150_000, 2_100_000);
    else if (role === 'regular' && !secondRegular) {
      secondRegular = true;
      large.push(1_050_000);
    }
    if (perAccount >= 5000 && role === 'regular') large.push(1_200_000);
    const plan: AccountPlan = {
      index: i,
      role,
      zimbraId,
      owner: { name: role === 'system' ? '' : `${first} ${last}`, email, tzMinutes: tz.minutes },
      first,
      last,
      domain,
      timeZone: tz.id,
      cos: role === 'system' ? 'default' : rng.pick(['default', 'default', 'premium']),
      status: role === 'deleted' ? 'closed' : 'active',
      createdDate,
      deletedDate,
      horizon: deletedDate !== null ? deletedDate - DAY : END_DATE,
      itemCount: Math.max(minimumItems(role), role === 'system' ? Math.floor(perAccount / 4) : perAccount),
      large,
      drive: drive && (i === 0 || role === 'imported'),
      correspondents: [],
      serverId,
    };
    if (role === 'imported') {
      plan.importDate = IMPORT_DATE;
      plan.sourceId = rng.uuid();
    }
    plans.push(plan);
  }
  // Correspondents: people outside, and the other (human) accounts.
  const outside: Correspondent[] = [];
  for (let k = 0; k < OUTSIDE_CORRESPONDENTS; k++) {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    outside.push({
      name: `${first} ${last}`,
      email: `${localPart(first, last)}@${rng.pick(OUTSIDE_DOMAINS)}`,
      tzMinutes: rng.pick(TIME_ZONES).minutes,
      lang: pickLang(rng),
    });
  }
  for (const p of plans) {
    const inside = plans
      .filter((o) => o !== p && o.role !== 'system')
      .map((o): Correspondent => ({ ...o.owner, lang: 'en' }));
    p.correspondents = [...outside, ...inside];
  }
  return plans;
}

function broadcasts(): Broadcast[] {
  const senders = [
    { name: 'Human Resources', email: 'hr@example.com', tzMinutes: 60 },
    { name: 'IT Service Desk', email: 'it-support@example.com', tzMinutes: 60 },
    { name: 'Direzione Generale', email: 'direzione@example.org', tzMinutes: 60 },
  ];
  const n = 8;
  return Array.from({ length: n }, (_, j) => ({
    date: Math.floor((START_DATE + ((j + 0.5) * (END_DATE - START_DATE)) / n) / 1000) * 1000,
    sender: senders[j % senders.length]!,
  }));
}

function ensureEmptyDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
  if (readdirSync(dir).length > 0)
    throw new Error(`${dir} is not empty: a sample is written into a new or empty folder`);
}

/** Writes a sample backup path into `dir` (created if needed; it must be empty). */
export async function makeSample(
  dir: string,
  opts: SampleOptions = {},
  onProgress?: SampleProgress,
  signal?: AbortSignal,
): Promise<SampleResult> {
  const root = path.resolve(dir);
  const n = Math.max(1, Math.floor(opts.accounts ?? 6));
  const perAccount = Math.max(1, Math.floor(opts.itemsPerAccount ?? 120));
  const seed = hashSeed('zxbackup-sample', opts.seed ?? 1);
  const serverId = Rng.of(seed, 'server').uuid();
  const plans = planAccounts(seed, n, perAccount, serverId, opts.drive === true);
  const total = plans.reduce((s, p) => s + p.itemCount, 0);
  const pool: PoolConfig = {
    pooled: total > POOL_THRESHOLD,
    caps: Object.fromEntries(
      Object.entries(POOL_BUDGET).map(([k, v]) => [k, Math.max(32, Math.floor(v / n))]),
    ) as Record<ContentKind, number>,
  };
  if (signal?.aborted) throw new CancelledError('sample generation cancelled');
  ensureEmptyDir(root);
  // Not durable (no fsync): an interrupted sample is thrown away anyway, and fsync per file
  // made it several times slower; each file still appears whole or not at all.
  const writer = new BackupWriter(root, { durable: false });
  const ctx = new SampleContext(seed, writer, pool, opts.sizes ?? 'small', broadcasts(), total, onProgress, signal);
  ctx.report('accounts');

  const results: AccountResult[] = [];
  for (const plan of plans) {
    if (composition(plan.role, plan.itemCount).leaves < 1) throw new Error('too few items per account');
    results.push(await new AccountGenerator(ctx, plan).run());
  }

  ctx.checkAbort();
  ctx.report('server');
  writeRootFiles(writer, serverId, plans);

  let faults: SampleFault[] = [];
  const itemsOf = new Map(results.map((r) => [r.plan.zimbraId, r.itemCount]));
  if (opts.faults) {
    ctx.checkAbort();
    ctx.report('faults');
    const target = results[0]!;
    const humans = results.filter((r) => r.plan.role === 'regular');
    const info = humans.length > 1 ? humans[humans.length - 1]! : target;
    const imported = results.find((r) => r.plan.role === 'imported');
    const out = addFaults(writer, seed, { items: target, info, ...(imported ? { imported } : {}) });
    faults = out.faults;
    itemsOf.set(target.plan.zimbraId, target.itemCount + out.itemFiles);
    // The damaged items are item files of the account: account_stat counts them.
    const stat = {
      lastItemId: out.lastItemId,
      itemCount: target.itemCount + out.itemFiles,
      lastScanDate: END_DATE,
      firstTransactionDate: target.firstTransactionDate,
      lastTransactionDate: target.lastTransactionDate,
      blobCount: target.blobs.size,
      blobBytes: [...target.blobs.values()].reduce((s, v) => s + v, 0),
    };
    writer.writeAccountStat(target.plan.zimbraId, stat);
  }
  ctx.report('done');
  const accounts = results.map((r) => ({
    zimbraId: r.plan.zimbraId,
    name: r.plan.owner.email,
    items: itemsOf.get(r.plan.zimbraId) ?? r.itemCount,
  }));
  return {
    path: root,
    accounts,
    items: accounts.reduce((s, a) => s + a.items, 0),
    blobs: writer.blobFiles,
    blobBytes: writer.blobFileBytes,
    faults,
    sizes: opts.sizes ?? 'small',
    startDate: START_DATE,
    endDate: END_DATE,
  };
}

function writeRootFiles(writer: BackupWriter, serverId: string, plans: readonly AccountPlan[]): void {
  writer.writeBackupStat(undefined, {
    firstRunDate: START_DATE,
    lastRunDate: END_DATE,
    serverId,
    backupVersion: '4.0.0',
    smartScanCount: Math.floor((END_DATE - START_DATE) / DAY),
  });
  const imported = plans.filter((p) => p.role === 'imported');
  if (imported.length > 0) {
    writer.writeMap(serverId, {
      sourceServerId: SOURCE_SERVER,
      importDate: IMPORT_DATE,
      accounts: imported.map((p) => ({ sourceId: p.sourceId!, destinationId: p.zimbraId, name: p.owner.email })),
    });
  }
  // One customizations archive a day for the last two days, made at 04:01:14 UTC.
  for (const [i, daysBack] of [2, 1].entries()) {
    const at = END_DATE - daysBack * DAY + 4 * HOUR + MINUTE + 14_000;
    writer.writeFile(serverArchiveRelPath(at, 'UTC'), makeTarGz(customizationFiles('mbox1.example.com', at, i), at));
  }
}
