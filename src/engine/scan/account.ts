/**
 * One account's scan over IMAP: the mailbox as the server shows it now, compared with what
 * the backup knows (state.ts), written as transactions through the format writer.
 *
 * 1. LIST with STATUS (UIDVALIDITY, UIDNEXT, MESSAGES, HIGHESTMODSEQ): a folder whose marks
 *    did not move is not opened (a no-change rescan is one command per account). Folders are
 *    matched by path, then by UIDVALIDITY (a rename or a move keeps it), else new or deleted.
 * 2. Each changed folder: CHANGEDSINCE (CONDSTORE) or a flag comparison; new UIDs fetched
 *    whole (BLOB stored at once, deduplicated by digest); UIDs gone are "vanished".
 * 3. New messages are matched to vanished ones by digest and Message-ID: a move (folder
 *    change on the same item), a UIDVALIDITY reset (the same item, new UID, nothing written);
 *    the rest are new items or deletions. A copy is a new item sharing the BLOB.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { ImapFlow, ListResponse } from 'imapflow';
import { verifyBlobBytes } from '../blobs';
import { applyFix } from '../check/fix';
import { computeDigest } from '../digest';
import { finding, type Finding } from '../findings';
import type { BackupWriter } from '../format/writer';
import type { TransactionValues } from '../format/item';
import { absOf } from '../fsx';
import { parseItemBytes } from '../item/parse';
import type { Transaction } from '../item/types';
import { blobRelPath, itemRelPath } from '../layout';
import { throwIfCancelled, type ProgressSink } from '../progress';
import { ItemType, USER_ROOT_ID } from '../zimbra';
import { marksOf, sameMarks, type MessageMarks } from './flags';
import { AccountState, digestsOfAllScans, syncFileSystem, type FolderState, type MessageState } from './state';

export interface AccountScanSummary {
  login: string;
  name: string;
  zimbraId: string;
  /** Messages. */
  new: number;
  changed: number;
  moved: number;
  deleted: number;
  unchanged: number;
  folders: { new: number; changed: number; deleted: number; unchanged: number };
  /** Bytes of files written into the backup path (item files, BLOBs, account files). */
  bytesWritten: number;
  blobsWritten: number;
  /** --deep: BLOBs read back and verified, and those rewritten (missing or damaged). */
  verified: number;
  rewritten: number;
  /** Per-folder and per-message problems (the rest of the account was scanned). */
  findings: Finding[];
  durationMs: number;
  /** false: nothing changed, nothing was written (not even the state or account_stat). */
  wrote: boolean;
}

export interface AccountScanInput {
  root: string;
  writer: BackupWriter;
  client: ImapFlow;
  zimbraId: string;
  login: string;
  name: string;
  /** `host:port`, recorded in the state. */
  source: string;
  deep?: boolean;
  signal?: AbortSignal;
  progress?: ProgressSink;
  /** The scan's instant (epoch ms); default now. */
  now?: number;
  durable?: boolean;
  /** The state kept in memory by a caller that scans again and again (the Real Time Scan); else loaded. */
  state?: AccountState;
}

const SPECIAL_USE_IDS: Readonly<Record<string, number>> = {
  '\\Inbox': 2,
  '\\Trash': 3,
  '\\Junk': 4,
  '\\Sent': 5,
  '\\Drafts': 6,
};

/** A message the server has and the backup does not know at that UID. */
interface Arrival {
  folderId: number;
  uid: number;
  digest: string;
  size: number;
  messageId?: string | undefined;
  marks: MessageMarks;
  first: Omit<TransactionValues, 'transactionId' | 'start' | 'end' | 'itemId'>;
}

const FETCH_WHOLE = { uid: true, flags: true, envelope: true, internalDate: true, size: true, source: true } as const;

/** A summary with nothing counted yet (a scan's start, the Real Time Scan's running total). */
export function emptyScanSummary(login: string, name: string, zimbraId: string): AccountScanSummary {
  return {
    login,
    name,
    zimbraId,
    new: 0,
    changed: 0,
    moved: 0,
    deleted: 0,
    unchanged: 0,
    folders: { new: 0, changed: 0, deleted: 0, unchanged: 0 },
    bytesWritten: 0,
    blobsWritten: 0,
    verified: 0,
    rewritten: 0,
    findings: [],
    durationMs: 0,
    wrote: false,
  };
}

export async function scanAccount(input: AccountScanInput): Promise<AccountScanSummary> {
  const t0 = Date.now();
  const { root, writer, client, zimbraId } = input;
  const T = input.now ?? t0;
  const bytes0 = writer.bytesWritten;
  const blobs0 = writer.blobFiles;
  const state =
    input.state ??
    AccountState.load(
      root,
      { zimbraId, login: input.login, name: input.name, source: input.source, createdDate: T },
      { durable: input.durable !== false },
    );
  state.dirty = false;
  const sum = emptyScanSummary(input.login, input.name, zimbraId);
  const startOf = (lastStart: number): number => Math.max(T, lastStart + 1);
  const itemExists = (id: number): boolean => existsSync(absOf(root, itemRelPath(zimbraId, id)));
  const lastTx = (id: number): Transaction | undefined => {
    const rel = itemRelPath(zimbraId, id);
    const h = parseItemBytes(readFileSync(absOf(root, rel)), rel, { fileItemId: id });
    return h.transactions[h.transactions.length - 1];
  };
  const report = (message: string): void => input.progress?.({ phase: `scanning ${input.name}`, done: 0, message });

  try {
    if (!existsSync(absOf(root, `accounts/${zimbraId}/account_info`))) {
      writer.writeAccountInfo({
        zimbraId,
        name: input.name,
        displayName: input.login,
        status: 'active',
        isSystem: false,
        createdDate: state.data.createdDate,
        deletedDate: null,
      });
    }

    // --- 1. folders
    // A selected folder's STATUS is the session's view, not the server's: leave it first (a Real Time Scan pass).
    if (client.mailbox) await client.mailboxClose();
    const listed = await client.list({
      statusQuery: { messages: true, uidNext: true, uidValidity: true, highestModseq: true },
    });
    listed.sort((a, b) => depth(a) - depth(b) || a.path.localeCompare(b.path));
    const live = [...state.folders.values()].filter((f) => !f.deleted);
    const byPath = new Map(live.map((f) => [f.path, f]));
    const matched = new Map<string, FolderState>();
    for (const e of listed) {
      const f = byPath.get(e.path);
      if (f) matched.set(e.path, f);
    }
    const taken = new Set([...matched.values()].map((f) => f.id));
    for (const e of listed) {
      if (matched.has(e.path) || e.status?.uidValidity === undefined) continue;
      const v = String(e.status.uidValidity);
      const renamed = live.filter((f) => !taken.has(f.id) && f.uidValidity === v);
      if (renamed.length === 1) {
        matched.set(e.path, renamed[0]!);
        taken.add(renamed[0]!.id);
      }
    }
    const idOfPath = new Map<string, number>();
    const current: { e: ListResponse; f: FolderState; isNew: boolean }[] = [];
    for (const e of listed) {
      throwIfCancelled(input.signal);
      const parentId = (e.parentPath && idOfPath.get(e.parentPath)) || USER_ROOT_ID;
      const name = e.path.toUpperCase() === 'INBOX' ? 'Inbox' : e.name;
      const old = matched.get(e.path);
      if (old) {
        const next: FolderState = { ...old, path: e.path, name, parentId };
        if (old.name !== name || old.parentId !== parentId) {
          next.lastStart = startOf(old.lastStart);
          state.record({ op: 'folder', folder: next, written: true }, () =>
            writer.appendTransaction(zimbraId, old.id, folderTx(next)),
          );
          sum.folders.changed++;
        } else {
          if (old.path !== e.path) state.record({ op: 'folder', folder: next, written: false });
          sum.folders.unchanged++;
        }
        idOfPath.set(e.path, old.id);
        current.push({ e, f: next, isNew: false });
        continue;
      }
      const special = e.path.toUpperCase() === 'INBOX' ? 2 : e.specialUse ? SPECIAL_USE_IDS[e.specialUse] : undefined;
      const prior = special === undefined ? undefined : state.folders.get(special);
      const id =
        special !== undefined && (prior === undefined || prior.deleted) ? special : state.allocateId(itemExists);
      const lastStart = state.folders.get(id)?.lastStart;
      const f: FolderState = {
        id,
        path: e.path,
        name,
        parentId,
        lastStart: lastStart === undefined ? T : startOf(lastStart),
      };
      state.record({ op: 'folder', folder: f, written: true }, () =>
        writer.appendTransaction(zimbraId, id, folderTx(f)),
      );
      sum.folders.new++;
      idOfPath.set(e.path, id);
      current.push({ e, f, isNew: true });
    }
    const goneFolders = live.filter((f) => !taken.has(f.id));
    // Folders are on disk before any message placed in them.
    state.flush();

    // --- 2. messages, folder by folder
    const byFolder = new Map<number, Map<number, MessageState>>();
    for (const m of state.messages.values()) {
      if (m.deleted) continue;
      let map = byFolder.get(m.folderId);
      if (!map) byFolder.set(m.folderId, (map = new Map()));
      map.set(m.uid, m);
    }
    const vanished: MessageState[] = [];
    for (const f of goneFolders) vanished.push(...(byFolder.get(f.id)?.values() ?? []));
    const arrivals: Arrival[] = [];
    const changes: { m: MessageState; marks: MessageMarks }[] = [];
    const marks = new Map<number, Pick<FolderState, 'uidValidity' | 'modseq' | 'uidNext' | 'messages'>>();
    let seen = 0;

    for (const { e, f } of current) {
      throwIfCancelled(input.signal);
      const known = byFolder.get(f.id) ?? new Map<number, MessageState>();
      if (e.flags.has('\\Noselect') || e.flags.has('\\NonExistent')) {
        vanished.push(...known.values());
        continue;
      }
      const st = e.status;
      const sameValidity = st?.uidValidity !== undefined && f.uidValidity === String(st.uidValidity);
      if (
        !input.deep &&
        sameValidity &&
        st?.highestModseq !== undefined &&
        f.modseq === String(st.highestModseq) &&
        f.uidNext === st.uidNext &&
        f.messages === st.messages
      ) {
        continue;
      }
      report(e.path);
      let lock;
      try {
        lock = await client.getMailboxLock(e.path, { readOnly: true });
      } catch (err) {
        sum.findings.push(
          finding('scan.message-skipped', '', `${input.name}: cannot open folder ${e.path}: ${errText(err)}; skipped`),
        );
        continue;
      }
      try {
        const mb = client.mailbox as Exclude<typeof client.mailbox, false>;
        const validity = String(mb.uidValidity);
        const present = new Set<number>();
        const newUids: number[] = [];
        const compare = (uid: number, flags: Set<string> | undefined): void => {
          present.add(uid);
          const m = known.get(uid);
          if (!m) {
            newUids.push(uid);
            return;
          }
          const now = marksOf(flags ?? []);
          if (!sameMarks(now, m)) changes.push({ m, marks: now });
        };
        const reset = validity !== f.uidValidity;
        if (reset) vanished.push(...known.values());
        if (mb.exists > 0) {
          if (reset || f.uidValidity === undefined) {
            // New folder or UIDVALIDITY reset: every message is an arrival (re-matched below).
            newUids.push(-1);
          } else if (mb.highestModseq !== undefined && f.modseq !== undefined && !input.deep) {
            for (const m of await client.fetchAll(
              '1:*',
              { uid: true, flags: true },
              { uid: true, changedSince: BigInt(f.modseq) },
            ))
              compare(m.uid, m.flags);
            const fresh = newUids.length;
            if (known.size + fresh > mb.exists) {
              const uids = (await client.search({ all: true }, { uid: true })) || [];
              const now = new Set(uids);
              for (const m of known.values()) if (!now.has(m.uid)) vanished.push(m);
            }
          } else {
            for (const m of await client.fetchAll('1:*', { uid: true, flags: true }, { uid: true }))
              compare(m.uid, m.flags);
            for (const m of known.values()) if (!present.has(m.uid)) vanished.push(m);
          }
        } else if (!reset) {
          vanished.push(...known.values());
        }
        if (newUids.length > 0) {
          const range = newUids[0] === -1 ? '1:*' : uidSet(newUids);
          for await (const msg of client.fetch(range, FETCH_WHOLE, { uid: true })) {
            const a = arrivalOf(f.id, msg, writer, state);
            if (a) arrivals.push(a);
            else
              sum.findings.push(
                finding('scan.message-skipped', '', `${input.name}: ${e.path} UID ${msg.uid}: no content`),
              );
            if (++seen % 200 === 0) input.progress?.({ phase: `scanning ${input.name}`, done: seen, message: e.path });
          }
        }
        if (input.deep && !reset) await verifyKnown(client, known, present, writer, sum, input.name, e.path);
        marks.set(f.id, {
          uidValidity: validity,
          modseq: mb.highestModseq === undefined ? undefined : String(mb.highestModseq),
          uidNext: mb.uidNext,
          messages: mb.exists,
        });
      } finally {
        lock.release();
      }
    }

    // --- 3. match arrivals with vanished messages; write
    // The BLOBs are durable before any item that references them.
    if (input.durable !== false && writer.blobFiles > blobs0) syncFileSystem(root);
    const gone = new Set(vanished.map((m) => m.id));
    const byKey = new Map<string, MessageState[]>();
    for (const m of vanished) {
      const k = keyOf(m.digest, m.messageId);
      byKey.set(k, [...(byKey.get(k) ?? []), m]);
    }
    for (const a of arrivals) {
      throwIfCancelled(input.signal);
      const list = byKey.get(keyOf(a.digest, a.messageId));
      const pick = list?.find((m) => m.folderId === a.folderId) ?? list?.[0];
      if (pick) {
        list!.splice(list!.indexOf(pick), 1);
        gone.delete(pick.id);
        const next: MessageState = { ...pick, folderId: a.folderId, uid: a.uid, ...a.marks };
        if (pick.folderId !== a.folderId || !sameMarks(pick, a.marks)) {
          next.lastStart = startOf(pick.lastStart);
          const prev = lastTx(pick.id);
          state.record({ op: 'message', message: next, written: true }, () =>
            writer.appendTransaction(zimbraId, pick.id, {
              ...carry(prev),
              start: next.lastStart,
              end: null,
              folderId: next.folderId,
              flags: next.flags,
              tags: next.tags,
            }),
          );
          if (pick.folderId !== a.folderId) sum.moved++;
          else sum.changed++;
        } else {
          state.record({ op: 'message', message: next, written: false });
        }
        continue;
      }
      const id = state.allocateId(itemExists);
      const m: MessageState = {
        id,
        folderId: a.folderId,
        uid: a.uid,
        digest: a.digest,
        messageId: a.messageId,
        size: a.size,
        ...a.marks,
        lastStart: T,
      };
      state.record({ op: 'message', message: m, written: true }, () =>
        writer.appendTransaction(zimbraId, id, { ...a.first, start: T, end: null }),
      );
      sum.new++;
    }
    for (const { m, marks: now } of changes) {
      throwIfCancelled(input.signal);
      if (gone.has(m.id)) continue;
      const next: MessageState = { ...m, ...now, lastStart: startOf(m.lastStart) };
      const prev = lastTx(m.id);
      state.record({ op: 'message', message: next, written: true }, () =>
        writer.appendTransaction(zimbraId, m.id, {
          ...carry(prev),
          start: next.lastStart,
          end: null,
          flags: now.flags,
          tags: now.tags,
        }),
      );
      sum.changed++;
    }
    for (const id of gone) {
      throwIfCancelled(input.signal);
      const m = state.messages.get(id)!;
      const next: MessageState = { ...m, deleted: true, lastStart: startOf(m.lastStart) };
      const prev = lastTx(id);
      state.record({ op: 'message', message: next, written: true }, () =>
        writer.appendTransaction(zimbraId, id, { ...carry(prev), start: next.lastStart, end: null, deleted: true }),
      );
      sum.deleted++;
    }
    for (const f of goneFolders) {
      const next: FolderState = { ...f, deleted: true, lastStart: startOf(f.lastStart) };
      state.record({ op: 'folder', folder: next, written: true }, () =>
        writer.appendTransaction(zimbraId, f.id, { ...folderTx(f), start: next.lastStart, deleted: true }),
      );
      sum.folders.deleted++;
    }
    state.flush();
    for (const [id, m] of marks) state.setFolderMarks(id, m);
    await quarantineLeftoverBlobs(root, state);
    let liveNow = 0;
    for (const m of state.messages.values()) if (!m.deleted) liveNow++;
    sum.unchanged = liveNow - sum.new - sum.changed - sum.moved;
    if (state.dirty || !existsSync(absOf(root, `accounts/${zimbraId}/account_stat`))) {
      writeAccountStat(writer, state, T);
      if (input.durable !== false) syncFileSystem(root);
      state.save();
      sum.wrote = true;
    }
  } finally {
    state.discardPending();
    state.close();
    sum.bytesWritten = writer.bytesWritten - bytes0;
    sum.blobsWritten = writer.blobFiles - blobs0;
    sum.durationMs = Date.now() - t0;
  }
  return sum;
}

function depth(e: ListResponse): number {
  return e.parent.length;
}

function keyOf(digest: string, messageId: string | undefined): string {
  return `${digest}\n${messageId ?? ''}`;
}

function errText(err: unknown): string {
  const x = err as { responseText?: string; message?: string };
  return x?.responseText ?? x?.message ?? String(err);
}

function folderTx(f: FolderState): TransactionValues {
  return {
    transactionId: 0,
    start: f.lastStart,
    end: null,
    itemId: f.id,
    type: ItemType.FOLDER,
    folderId: f.parentId,
    parentId: f.parentId,
    name: f.name,
    flags: 0,
  };
}

/** The values of the last transaction a new one repeats (a transaction is a whole snapshot). */
function carry(t: Transaction | undefined): Omit<TransactionValues, 'transactionId' | 'start' | 'end'> {
  if (!t) throw new Error('item file without transactions');
  const out: Omit<TransactionValues, 'transactionId' | 'start' | 'end'> = { type: t.type ?? ItemType.MESSAGE };
  const keys = [
    'itemId',
    'folderId',
    'parentId',
    'name',
    'subject',
    'sender',
    'recipients',
    'date',
    'size',
    'digest',
    'flags',
    'tags',
    'color',
  ] as const;
  for (const k of keys) if (t[k] !== undefined) (out as Record<string, unknown>)[k] = t[k];
  return out;
}

/** `1,3:5,9` from UIDs. */
export function uidSet(uids: readonly number[]): string {
  const s = [...uids].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length;) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    parts.push(i === j ? `${s[i]}` : `${s[i]}:${s[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

function addresses(
  list: { name?: string | undefined; address?: string | undefined }[] | undefined,
): string | undefined {
  const out = (list ?? []).map((a) => a.address ?? a.name ?? '').filter((a) => a !== '');
  return out.length === 0 ? undefined : out.join(', ');
}

type Fetched = {
  uid: number;
  source?: Buffer | undefined;
  flags?: Set<string> | undefined;
  internalDate?: Date | string | undefined;
  envelope?:
    | {
        subject?: string | undefined;
        messageId?: string | undefined;
        from?: { name?: string | undefined; address?: string | undefined }[] | undefined;
        to?: { name?: string | undefined; address?: string | undefined }[] | undefined;
        cc?: { name?: string | undefined; address?: string | undefined }[] | undefined;
      }
    | undefined;
};

/** Stores the BLOB at once and keeps what the item's first transaction needs. */
function arrivalOf(folderId: number, msg: Fetched, writer: BackupWriter, state: AccountState): Arrival | undefined {
  const src = msg.source;
  if (!src) return undefined;
  const digest = computeDigest(src);
  if (!writer.hasBlob(digest) && !existsSync(writer.abs(blobRelPath(digest)!))) state.noteNewBlob(digest);
  const blob = writer.putBlob(src, digest);
  const env = msg.envelope ?? {};
  const marks = marksOf(msg.flags ?? []);
  const internal = msg.internalDate === undefined ? undefined : new Date(msg.internalDate).getTime();
  const first: Arrival['first'] = {
    type: ItemType.MESSAGE,
    folderId,
    size: src.length,
    digest: blob.digest,
    flags: marks.flags,
    tags: marks.tags,
  };
  if (env.subject !== undefined) first.subject = env.subject;
  const sender = addresses(env.from);
  if (sender !== undefined) first.sender = sender;
  const recipients = addresses([...(env.to ?? []), ...(env.cc ?? [])]);
  if (recipients !== undefined) first.recipients = recipients;
  if (internal !== undefined && Number.isFinite(internal)) first.date = Math.floor(internal / 1000);
  return {
    folderId,
    uid: msg.uid,
    digest: blob.digest,
    size: src.length,
    messageId: env.messageId,
    marks,
    first,
  };
}

/** --deep: every known message of the folder read again; its BLOB verified, rewritten when missing or damaged. */
async function verifyKnown(
  client: ImapFlow,
  known: ReadonlyMap<number, MessageState>,
  present: ReadonlySet<number>,
  writer: BackupWriter,
  sum: AccountScanSummary,
  account: string,
  folder: string,
): Promise<void> {
  const uids = [...known.keys()].filter((u) => present.has(u));
  if (uids.length === 0) return;
  for await (const msg of client.fetch(uidSet(uids), { uid: true, source: true }, { uid: true })) {
    const m = known.get(msg.uid);
    if (!m || !msg.source) continue;
    sum.verified++;
    if (computeDigest(msg.source) !== m.digest) {
      sum.findings.push(
        finding(
          'scan.message-skipped',
          '',
          `${account}: ${folder} UID ${msg.uid}: the server's bytes no longer match the recorded digest`,
        ),
      );
      continue;
    }
    const rel = blobRelPath(m.digest)!;
    let ok: boolean;
    try {
      const v = verifyBlobBytes(readFileSync(writer.abs(rel)), m.digest);
      ok = v === 'stream' || v.status === 'ok';
    } catch {
      ok = false;
    }
    if (ok) continue;
    // A damaged BLOB goes to the quarantine (never deleted), then the server's bytes are stored again.
    if (existsSync(writer.abs(rel)))
      await applyFix(writer.root, { moves: [{ rel, reason: 'blob.corrupted' }], rewrites: [] }, Date.now(), {
        lockHeld: true,
      });
    writer.putBlob(msg.source);
    sum.rewritten++;
    sum.findings.push(
      finding('scan.blob-rewritten', rel, `${account}: ${rel} was missing or damaged; rewritten from ${folder}`),
    );
  }
}

/**
 * A BLOB a killed scan stored for a message it never recorded, and that message is gone from
 * the server since: nothing references it. Moved to the quarantine (never deleted), once no
 * scan state of the backup path references it (BLOBs are shared across accounts).
 */
async function quarantineLeftoverBlobs(root: string, state: AccountState): Promise<void> {
  if (state.pendingBlobs.size === 0) return;
  const mine = new Set([...state.messages.values()].map((m) => m.digest));
  const candidates = [...state.pendingBlobs].filter((d) => !mine.has(d));
  state.pendingBlobs.clear();
  if (candidates.length === 0) return;
  const others = digestsOfAllScans(root);
  const moves = candidates
    .filter((d) => !others.has(d) && existsSync(absOf(root, blobRelPath(d)!)))
    .map((d) => ({ rel: blobRelPath(d)!, reason: 'blob.orphan' as const }));
  if (moves.length > 0) await applyFix(root, { moves, rewrites: [] }, Date.now(), { lockHeld: true });
}

function writeAccountStat(writer: BackupWriter, state: AccountState, T: number): void {
  let last = state.data.createdDate;
  let blobBytes = 0;
  const digests = new Set<string>();
  for (const m of state.messages.values()) {
    if (!digests.has(m.digest)) {
      digests.add(m.digest);
      blobBytes += m.size;
    }
    last = Math.max(last, m.lastStart);
  }
  for (const f of state.folders.values()) last = Math.max(last, f.lastStart);
  writer.writeAccountStat(state.zimbraId, {
    lastItemId: state.data.nextId - 1,
    itemCount: state.messages.size + state.folders.size,
    lastScanDate: T,
    firstTransactionDate: state.data.createdDate,
    lastTransactionDate: last,
    blobCount: digests.size,
    blobBytes,
  });
}
