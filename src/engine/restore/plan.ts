/**
 * What a restore writes, decided before anything is written: the folders (with the names
 * they had then) and the messages (flags, keywords, internal date), each state taken from
 * the point-in-time evaluator. Three plans, after zxsuite's strategies: an account at a
 * moment (doRestoreOnNewAccount), the items deleted in a range (doUndelete), one item
 * (doItemRestore).
 */
import { formatZxsuite } from '../dates';
import { finding, type Finding } from '../findings';
import type { ItemHistory, Transaction } from '../item/types';
import { isFolderTransaction, itemAt, type ItemAt, type PointSpec } from '../pointInTime';
import { resolveAccountInstant } from '../backup/snapshot';
import { ItemType } from '../zimbra';
import { FolderTreeAt, folderHistories } from './folders';
import { imapFlagsOf, keywordsOf } from './names';

export type UnrestoredReason = 'missing-blob' | 'damaged-blob' | 'broken-item' | 'refused';

export interface Unrestored {
  itemId: number;
  reason: UnrestoredReason;
  detail: string;
}

export interface PlannedMessage {
  /** Unique within the restore: the item and the state restored. */
  key: string;
  itemId: number;
  folder: string[];
  digest: unknown;
  size?: number;
  flags: string[];
  keywords: string[];
  tags: string[];
  /** Epoch ms: the item's own date (mail_item.date), else the state's start. */
  internalDate: number;
  /** The restored state's start-date. */
  stateStart?: number;
}

export interface RestorePlan {
  kind: 'account' | 'undelete' | 'item';
  account: { zimbraId: string; name: string };
  /** The moment restored (undelete: the end of the range). */
  at: PointSpec;
  /** Every folder to create, parents before children. */
  folders: string[][];
  messages: PlannedMessage[];
  /** Items whose state then is not a message (contacts, appointments, documents…): a mail target cannot hold them. */
  skippedNotMail: number[];
  /** Items known unrestorable before any BLOB is read (unreadable item files). */
  unrestorable: Unrestored[];
  findings: Finding[];
}

export interface AccountRef {
  zimbraId: string;
  name: string;
}

const isMessage = (tx: Transaction): boolean => tx.type === ItemType.MESSAGE;

function internalDateOf(tx: Transaction): number {
  return tx.date !== undefined ? tx.date * 1000 : (tx.start ?? 0);
}

function brokenFiles(items: readonly ItemHistory[]): Unrestored[] {
  return items
    .filter((h) => !h.parsed)
    .map((h) => ({
      itemId: h.fileItemId ?? -1,
      reason: 'broken-item' as const,
      detail: `${h.path}: ${h.findings[0]?.message ?? 'cannot be read'}`,
    }));
}

function planned(it: ItemAt, folder: string[], extraKeywords: string[] = [], stripDeleted = false): PlannedMessage {
  const tx = it.transaction;
  const m: PlannedMessage = {
    key: `${it.id}@${tx.start ?? 'none'}`,
    itemId: it.id,
    folder,
    digest: tx.digest,
    flags: imapFlagsOf(tx.flags, { stripDeleted }),
    keywords: keywordsOf(tx.tags, extraKeywords),
    tags: [...(tx.tags ?? [])],
    internalDate: internalDateOf(tx),
  };
  if (tx.size !== undefined) m.size = tx.size;
  if (tx.start !== undefined) m.stateStart = tx.start;
  return m;
}

/** Folders in `segs` and all their ancestors, parents first, without repeats. */
function withAncestors(segs: readonly string[][]): string[][] {
  const seen = new Set<string>();
  const out: string[][] = [];
  for (const s of segs)
    for (let i = 1; i <= s.length; i++) {
      const p = s.slice(0, i);
      const k = JSON.stringify(p);
      if (!seen.has(k)) {
        seen.add(k);
        out.push(p);
      }
    }
  return out.sort((a, b) => a.length - b.length || a.join('\u0000').localeCompare(b.join('\u0000')));
}

/** A live message in a folder that does not exist then goes to `unknown_<id>`, as zxsuite's doUndelete does. */
const lostFolder = (id: number | undefined): string[] => [`unknown_${id ?? 'none'}`];

/**
 * The account as it was at `whenIn`: every mail folder that existed then, and every live
 * message in it. At `last`, an account with no message warns and names the last moment
 * it had one (the seed: never restore an active account from its latest, empty state).
 */
export function planAccountRestore(
  account: AccountRef,
  items: readonly ItemHistory[],
  whenIn: PointSpec,
  opts: { zone?: string; undeleteFrom?: PointSpec } = {},
): RestorePlan {
  const when = resolveAccountInstant(items, whenIn);
  const tree = new FolderTreeAt(folderHistories(items), when);
  const messages: PlannedMessage[] = [];
  const skippedNotMail: number[] = [];
  const folderSegs: string[][] = tree.mailFolderIds().map((id) => tree.segments(id)!);
  for (const h of items) {
    const it = itemAt(h, when);
    if (!it || it.status !== 'live' || isFolderTransaction(it.transaction)) continue;
    if (!isMessage(it.transaction)) {
      if (it.transaction.type !== ItemType.TAG) skippedNotMail.push(it.id);
      continue;
    }
    const fid = it.transaction.folderId;
    const segs = (fid !== undefined ? tree.segments(fid) : undefined) ?? lostFolder(fid);
    messages.push(planned(it, segs));
  }
  const findings: Finding[] = [];
  if (opts.undeleteFrom) {
    // --undelete: also the messages deleted between undeleteFrom and the moment restored.
    const to = when.kind === 'instant' ? when.at : Number.MAX_SAFE_INTEGER;
    const from = resolveAccountInstant(items, opts.undeleteFrom);
    const fromAt = from.kind === 'instant' ? from.at : to;
    const extra = undeletedMessages(items, fromAt, to, { originalFolder: true, tag: undefined, into: when });
    const have = new Set(messages.map((m) => m.itemId));
    for (const m of extra.messages) if (!have.has(m.itemId)) messages.push(m);
    folderSegs.push(...extra.messages.map((m) => m.folder));
  }
  for (const m of messages) folderSegs.push(m.folder);
  if (whenIn.kind === 'last' && messages.length === 0) {
    const lastFull = lastMomentWithMail(items);
    findings.push(
      finding(
        'restore.empty-at-last',
        '',
        lastFull === undefined
          ? `${account.name} holds no message in its latest state, nor at any earlier moment`
          : `${account.name} holds no message in its latest state; the last moment it held mail is ${formatZxsuite(lastFull, opts.zone)} (${new Date(lastFull).toISOString()}): restore at that date instead`,
      ),
    );
  }
  messages.sort((a, b) => a.itemId - b.itemId);
  return {
    kind: 'account',
    account,
    at: when,
    folders: withAncestors(folderSegs),
    messages,
    skippedNotMail: skippedNotMail.sort((a, b) => a - b),
    unrestorable: brokenFiles(items),
    findings,
  };
}

/** The latest instant at which a message of the account is live (its state's last millisecond), by the evaluator. */
export function lastMomentWithMail(items: readonly ItemHistory[]): number | undefined {
  let best: number | undefined;
  for (const h of items)
    for (const tx of h.transactions) {
      if (tx.deleted || !isMessage(tx) || tx.start === undefined || tx.end === null || tx.end <= tx.start) continue;
      const t = tx.end - 1;
      if (best !== undefined && t <= best) continue;
      if (itemAt(h, { kind: 'instant', at: t })?.status === 'live') best = t;
    }
  return best;
}

/** `undelete_DD_MM_YY`, zxsuite's tag on undeleted items, for the day `at` in `zone`. */
export function undeleteTag(at: number, zone?: string): string {
  const [d, m, y] = formatZxsuite(at, zone).slice(0, 10).split('/');
  return `undelete_${d}_${m}_${y!.slice(2)}`;
}

interface UndeleteOptions {
  /** true: into the folder the message was in (its name at `into`, or then if it is gone); false: into a folder named after the tag. */
  originalFolder: boolean;
  tag: string | undefined;
  /** The moment whose folder tree receives the messages (doUndelete: now; an account restore: its moment). */
  into: PointSpec;
}

/** Messages whose deletion starts in [from, to], each as it was just before its last deletion there. */
function undeletedMessages(
  items: readonly ItemHistory[],
  from: number,
  to: number,
  o: UndeleteOptions,
): { messages: PlannedMessage[]; unrestorable: Unrestored[] } {
  const folders = folderHistories(items);
  const trees = new Map<string, FolderTreeAt>();
  const treeAt = (when: PointSpec): FolderTreeAt => {
    const k = when.kind === 'instant' ? String(when.at) : when.kind;
    let t = trees.get(k);
    if (!t) trees.set(k, (t = new FolderTreeAt(folders, when)));
    return t;
  };
  const now = treeAt(o.into);
  const messages: PlannedMessage[] = [];
  const unrestorable: Unrestored[] = [];
  for (const h of items) {
    let deletion: Transaction | undefined;
    for (const tx of h.transactions)
      if (tx.deleted && tx.start !== undefined && tx.start >= from && tx.start <= to)
        if (!deletion || tx.start >= deletion.start!) deletion = tx;
    if (!deletion || (deletion.type !== undefined && !isMessage(deletion))) continue;
    const before: PointSpec = { kind: 'instant', at: deletion.start! - 1 };
    const prior = itemAt(h, before);
    // The state just before the deletion; a deletion recorded as an item's only state restores that state.
    const it: ItemAt | undefined =
      prior && prior.status === 'live' && isMessage(prior.transaction)
        ? prior
        : deletion.digest !== undefined && isMessage(deletion)
          ? { id: deletion.itemId ?? h.fileItemId ?? -1, status: 'deleted', transaction: deletion }
          : undefined;
    if (!it) {
      unrestorable.push({
        itemId: deletion.itemId ?? h.fileItemId ?? -1,
        reason: 'broken-item',
        detail: `${h.path}: no message state before its deletion`,
      });
      continue;
    }
    const fid = it.transaction.folderId;
    let segs: string[];
    if (!o.originalFolder) segs = [o.tag ?? 'undelete'];
    else if (fid !== undefined && now.exists(fid) && now.isMailFolder(fid)) segs = now.segments(fid)!;
    else segs = (fid !== undefined ? treeAt(before).segments(fid) : undefined) ?? lostFolder(fid);
    messages.push(planned(it, segs, o.tag ? [o.tag] : [], true));
  }
  return { messages, unrestorable };
}

/** The messages deleted in [from, to], back into their folders, tagged `tag` (doUndelete). */
export function planUndelete(
  account: AccountRef,
  items: readonly ItemHistory[],
  fromIn: PointSpec,
  toIn: PointSpec,
  opts: { originalFolder: boolean; tag: string },
): RestorePlan {
  const fromSpec = resolveAccountInstant(items, fromIn);
  const from = fromSpec.kind === 'instant' ? fromSpec.at : Number.MIN_SAFE_INTEGER;
  const to = toIn.kind === 'instant' ? toIn.at : Number.MAX_SAFE_INTEGER;
  const found = undeletedMessages(items, fromIn.kind === 'first' ? Number.MIN_SAFE_INTEGER : from, to, {
    originalFolder: opts.originalFolder,
    tag: opts.tag,
    into: { kind: 'last' },
  });
  found.messages.sort((a, b) => a.itemId - b.itemId);
  return {
    kind: 'undelete',
    account,
    at: toIn,
    folders: withAncestors(found.messages.map((m) => m.folder)),
    messages: found.messages,
    skippedNotMail: [],
    unrestorable: [...brokenFiles(items), ...found.unrestorable],
    findings: [],
  };
}

export type ItemPlanResult = { ok: true; plan: RestorePlan } | { ok: false; why: string };

/** One item as it was at `when`, into its folder then or `restoreFolder` (doItemRestore). */
export function planItemRestore(
  account: AccountRef,
  item: ItemHistory,
  folderItems: readonly ItemHistory[],
  whenIn: PointSpec,
  restoreFolder?: string[],
): ItemPlanResult {
  const when = resolveAccountInstant([item], whenIn);
  if (!item.parsed) return { ok: false, why: `${item.path} cannot be read: ${item.findings[0]?.message ?? ''}` };
  const it = itemAt(item, when);
  if (!it) return { ok: false, why: 'the item has no state at that date' };
  if (it.status === 'deleted')
    return { ok: false, why: 'the item is deleted at that date: give a date before its deletion, or use doUndelete' };
  if (!isMessage(it.transaction))
    return { ok: false, why: 'the item is not a message: a mail target holds messages only' };
  const tree = new FolderTreeAt(folderHistories(folderItems), when);
  const fid = it.transaction.folderId;
  const segs = restoreFolder ?? (fid !== undefined ? tree.segments(fid) : undefined) ?? lostFolder(fid);
  const m = planned(it, segs);
  return {
    ok: true,
    plan: {
      kind: 'item',
      account,
      at: when,
      folders: withAncestors([segs]),
      messages: [m],
      skippedNotMail: [],
      unrestorable: [],
      findings: [],
    },
  };
}
