/**
 * What a scan remembers between runs (docs/backup-format.md §11, ours): for each account,
 * its folders (item id, path, UIDVALIDITY, HIGHESTMODSEQ) and its messages (item id,
 * folder, UID, digest, Message-ID, flags, tags, last transaction start).
 *
 * Kept as a snapshot (`state.json`, written crash-safely at the end of a scan) plus a
 * journal (`journal.jsonl`) of every change the scan is about to write into an item file,
 * appended and flushed *before* the item file is written. Loading replays the journal and
 * keeps a record only if the item file shows it was written (its last transaction starts
 * at the record's start): a scan killed at any moment loses nothing and, on the next run,
 * writes nothing twice.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomicSync } from '../format/atomic';
import { JsonLinesWriter, readJsonLines } from '../format/jsonLines';
import { parseItemBytes } from '../item/parse';
import { itemRelPath, STATE_DIR } from '../layout';
import { absOf } from '../fsx';

export const STATE_VERSION = 1;
/** Under STATE_DIR: one folder per scanned account. */
export const IMAP_STATE_DIR = `${STATE_DIR}/imap`;

export interface FolderState {
  id: number;
  /** The mailbox path on the server (`/`-separated as the server's delimiter gives it). */
  path: string;
  name: string;
  parentId: number;
  /** UIDVALIDITY and HIGHESTMODSEQ as decimal strings (they are 32- and 63-bit). */
  uidValidity?: string | undefined;
  modseq?: string | undefined;
  uidNext?: number | undefined;
  messages?: number | undefined;
  deleted?: boolean | undefined;
  lastStart: number;
}

export interface MessageState {
  id: number;
  folderId: number;
  uid: number;
  digest: string;
  messageId?: string | undefined;
  size: number;
  flags: number;
  tags: string[];
  deleted?: boolean | undefined;
  lastStart: number;
}

export interface AccountStateData {
  version: number;
  zimbraId: string;
  login: string;
  name: string;
  source: string;
  createdDate: number;
  nextId: number;
  folders: FolderState[];
  messages: MessageState[];
}

type JournalRecord =
  | { op: 'folder'; folder: FolderState; written: boolean }
  | { op: 'message'; message: MessageState; written: boolean }
  /** A BLOB new to the store is about to be written (its item may never be, if the scan is killed). */
  | { op: 'blob'; digest: string };

/** Records written per group commit. */
const BATCH = 500;

/**
 * Makes everything written so far durable: syncfs(2) of the file system holding `root`
 * (coreutils `sync -f`), one flush for a whole batch of files instead of an fsync per file.
 */
export function syncFileSystem(root: string): void {
  const r = spawnSync('sync', ['-f', root], { stdio: 'ignore' });
  if (r.error || r.status !== 0) throw new Error(`sync -f ${root} failed: ${r.error?.message ?? `exit ${r.status}`}`);
}

export function stateDirOf(zimbraId: string): string {
  return `${IMAP_STATE_DIR}/${zimbraId}`;
}

/** The account's scan state in memory, with indexes, and its journal. */
export class AccountState {
  readonly folders = new Map<number, FolderState>();
  readonly messages = new Map<number, MessageState>();
  /** `${folderId}:${uid}` → message id, for live messages. */
  private readonly byUid = new Map<string, number>();
  private readonly journalFile: JsonLinesWriter<JournalRecord>;
  private pending: { r: Exclude<JournalRecord, { op: 'blob' }>; write: (() => void) | undefined }[] = [];
  /** BLOBs an interrupted scan stored for messages it may not have recorded (journal 'blob' records). */
  readonly pendingBlobs = new Set<string>();
  /** Whether this run changed anything (a scan that found nothing writes nothing, not even the state). */
  dirty = false;
  private readonly dirAbs: string;

  private constructor(
    readonly root: string,
    public data: Omit<AccountStateData, 'folders' | 'messages'>,
    private readonly durable: boolean,
  ) {
    this.dirAbs = absOf(root, stateDirOf(data.zimbraId));
    this.journalFile = new JsonLinesWriter(path.join(this.dirAbs, 'journal.jsonl'));
  }

  /** Loads the state of an account (replaying an interrupted scan's journal), or starts an empty one. */
  static load(
    root: string,
    init: Omit<AccountStateData, 'folders' | 'messages' | 'version' | 'nextId'>,
    opts: { durable?: boolean } = {},
  ): AccountState {
    const dir = absOf(root, stateDirOf(init.zimbraId));
    let snap: AccountStateData | undefined;
    try {
      snap = JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')) as AccountStateData;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const { folders, messages, ...rest }: AccountStateData = snap ?? {
      ...init,
      version: STATE_VERSION,
      nextId: 256,
      folders: [],
      messages: [],
    };
    const s = new AccountState(root, rest, opts.durable !== false);
    for (const f of folders) s.folders.set(f.id, f);
    for (const m of messages) s.putMessage(m);
    s.replayJournal(path.join(dir, 'journal.jsonl'));
    return s;
  }

  private replayJournal(file: string): void {
    // A cut last line (a killed scan) is skipped: its item file was not written yet.
    for (const r of readJsonLines<JournalRecord>(file)) {
      if (r.op === 'blob') {
        this.pendingBlobs.add(r.digest);
        continue;
      }
      const v = r.op === 'folder' ? r.folder : r.message;
      this.data.nextId = Math.max(this.data.nextId, v.id + 1);
      // A record whose transaction is the item file's last one was written; a state-only record (a UID remap) always holds.
      if (r.written && this.lastStartOnDisk(v.id) !== v.lastStart) continue;
      if (r.op === 'folder') this.folders.set(r.folder.id, r.folder);
      else this.putMessage(r.message);
    }
  }

  private lastStartOnDisk(id: number): number | undefined {
    const rel = itemRelPath(this.data.zimbraId, id);
    let bytes: Buffer;
    try {
      bytes = readFileSync(absOf(this.root, rel));
    } catch {
      return undefined;
    }
    const h = parseItemBytes(bytes, rel, { fileItemId: id });
    return h.transactions[h.transactions.length - 1]?.start;
  }

  get zimbraId(): string {
    return this.data.zimbraId;
  }

  allocateId(exists: (id: number) => boolean): number {
    let id = this.data.nextId;
    // Never reuse the id of an item file already there (a state folder removed by hand must not overwrite histories).
    while (exists(id)) id++;
    this.data.nextId = id + 1;
    return id;
  }

  messageAt(folderId: number, uid: number): MessageState | undefined {
    const id = this.byUid.get(`${folderId}:${uid}`);
    return id === undefined ? undefined : this.messages.get(id);
  }

  liveMessagesIn(folderId: number): MessageState[] {
    return [...this.messages.values()].filter((m) => !m.deleted && m.folderId === folderId);
  }

  private putMessage(m: MessageState): void {
    const old = this.messages.get(m.id);
    if (old) this.byUid.delete(`${old.folderId}:${old.uid}`);
    this.messages.set(m.id, m);
    if (!m.deleted) this.byUid.set(`${m.folderId}:${m.uid}`, m.id);
  }

  /**
   * Records a change: journaled (and flushed) first; then `write` puts the transaction in
   * the item file (written = true), or nothing is written (a UID remap: written = false).
   */
  record(r: Exclude<JournalRecord, { op: 'blob' }>, write?: () => void): void {
    this.dirty = true;
    this.journal(r);
    this.pending.push({ r, write });
    if (this.pending.length >= BATCH) this.flush();
  }

  /**
   * Group commit: the journal lines of the batch are flushed first (one fdatasync), then the
   * item files are written, then made durable together (one syncfs of the backup path's file
   * system, sync -f). A crash or a power cut anywhere leaves records the replay judges by the files.
   */
  flush(): void {
    if (this.pending.length === 0) return;
    if (this.durable) this.journalFile.sync();
    const batch = this.pending;
    this.pending = [];
    for (const { r, write } of batch) {
      write?.();
      if (r.op === 'folder') this.folders.set(r.folder.id, r.folder);
      else this.putMessage(r.message);
    }
    if (this.durable) syncFileSystem(this.root);
  }

  /** Drops the records not flushed yet (a cancelled scan): their files were not written, the replay skips them. */
  discardPending(): void {
    this.pending = [];
  }

  /** Journals a BLOB about to be stored for the first time, so a killed scan's leftover can be found. */
  noteNewBlob(digest: string): void {
    this.dirty = true;
    this.pendingBlobs.add(digest);
    // Not flushed: after a power cut a lost line costs at most an orphan BLOB (a warning), never a record.
    this.journal({ op: 'blob', digest });
  }

  /** Updates a folder's sync marks (UIDVALIDITY, HIGHESTMODSEQ…): state only, saved with the snapshot. */
  setFolderMarks(id: number, marks: Pick<FolderState, 'uidValidity' | 'modseq' | 'uidNext' | 'messages'>): void {
    const f = this.folders.get(id);
    if (!f) return;
    const next = { ...f, ...marks };
    if (
      next.uidValidity !== f.uidValidity ||
      next.modseq !== f.modseq ||
      next.uidNext !== f.uidNext ||
      next.messages !== f.messages
    )
      this.dirty = true;
    this.folders.set(id, next);
  }

  private journal(r: JournalRecord): void {
    this.journalFile.append(r);
  }

  /** Writes the snapshot crash-safely, then drops the journal it includes. */
  save(): void {
    this.flush();
    mkdirSync(this.dirAbs, { recursive: true });
    const data: AccountStateData = {
      ...this.data,
      version: STATE_VERSION,
      folders: [...this.folders.values()],
      messages: [...this.messages.values()],
    };
    writeFileAtomicSync(path.join(this.dirAbs, 'state.json'), JSON.stringify(data) + '\n', {
      durable: this.durable,
    });
    this.close();
    rmSync(path.join(this.dirAbs, 'journal.jsonl'), { force: true });
  }

  close(): void {
    this.journalFile.close();
  }
}

/** Every digest the scan states of the backup path reference (all accounts scanned into it). */
export function digestsOfAllScans(root: string): Set<string> {
  const out = new Set<string>();
  let ids: string[];
  try {
    ids = readdirSync(absOf(root, IMAP_STATE_DIR));
  } catch {
    return out;
  }
  for (const id of ids) {
    try {
      const d = JSON.parse(readFileSync(absOf(root, `${stateDirOf(id)}/state.json`), 'utf8')) as AccountStateData;
      for (const m of d.messages) out.add(m.digest);
    } catch {
      /* no snapshot yet */
    }
  }
  return out;
}

/** The zimbraIds and logins of the accounts scanned into a backup path (to name an account by either). */
export function scannedAccounts(
  root: string,
  ids: readonly string[],
): { zimbraId: string; login: string; name: string }[] {
  const out: { zimbraId: string; login: string; name: string }[] = [];
  for (const id of ids) {
    try {
      const d = JSON.parse(readFileSync(absOf(root, `${stateDirOf(id)}/state.json`), 'utf8')) as AccountStateData;
      out.push({ zimbraId: d.zimbraId, login: d.login, name: d.name });
    } catch {
      /* not scanned from IMAP, or never finished a scan */
    }
  }
  return out;
}
