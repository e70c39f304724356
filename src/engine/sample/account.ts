/**
 * One account of the sample: account files, system and user folders, tags, and the
 * mailbox items with their histories, written item by item (nothing accumulates).
 */
import type { IdMapperWriter } from '../format';
import { FlagBit, ItemType, SYSTEM_FOLDERS, itemTypeName } from '../zimbra';
import {
  makeBroadcast,
  makeContact,
  makeDocument,
  makeEvent,
  makeMessage,
  makeTask,
  type Correspondent,
  type MessageMeta,
  type MessageRequest,
  type TaskStatus,
} from './content';
import type { ContentKind, SampleContext, Stored } from './context';
import { ItemBuilder, type ItemFields } from './history';
import { MESSAGE_STRUCTURES, type Person } from './mime';
import { Rng } from './random';
import { REAL_MAIL, sharedSlots } from './sizes';
import { CONTENT_START, DAY, END_DATE, HOUR, MINUTE } from './timeline';
import { DOCUMENT_NAMES, FOLDER_NAMES, TAG_NAMES } from './words';

export type AccountRole = 'regular' | 'imported' | 'deleted' | 'system';

export interface AccountPlan {
  index: number;
  role: AccountRole;
  zimbraId: string;
  owner: Person;
  first: string;
  last: string;
  domain: string;
  timeZone: string;
  cos: string;
  status: string;
  createdDate: number;
  deletedDate: number | null;
  /** Every transaction of the account starts before this. */
  horizon: number;
  /** Item files to write under items/. */
  itemCount: number;
  /** Sizes of the attachments of the large (≥ 1 MB) messages to deliver. */
  large: number[];
  drive: boolean;
  /** External import: when, and the account's id on the source server. */
  importDate?: number;
  sourceId?: string;
  correspondents: Correspondent[];
  /** This server's id (backupstat). */
  serverId: string;
}

export interface AccountResult {
  plan: AccountPlan;
  itemCount: number;
  lastItemId: number;
  firstTransactionDate: number;
  lastTransactionDate: number;
  /** Distinct digests referenced by the account's items → bytes on disk. */
  blobs: Map<string, number>;
  /** A message BLOB of the account, for faults that need a valid reference. */
  sampleMessage?: { digest: string; size: number; subject: string; sender: string; recipients: string; date: number };
  driveItems: number;
}

/** System folders written for every account: id → parent. USER_ROOT is its own parent. */
export const SYSTEM_FOLDER_IDS = [1, 2, 3, 4, 5, 6, 7, 8, 10, 13, 15, 16] as const;
export const FIRST_USER_ITEM = 256;
/** planAccounts puts this many people outside the organisation first in every account's correspondents. */
export const OUTSIDE_CORRESPONDENTS = 24;
/** The To of a message several mailboxes receive. */
const SHARED_RECIPIENT: Person = { name: 'Project team', email: 'project-team@example.com', tzMinutes: 60 };

const INBOX = 2;
const TRASH = 3;
const JUNK = 4;
const SENT = 5;
const DRAFTS = 6;
const CONTACTS = 7;
const TAGS_FOLDER = 8;
const CALENDAR = 10;
const EMAILED_CONTACTS = 13;
const TASKS = 15;
const BRIEFCASE = 16;

type LeafKind = 'message' | 'contact' | 'appointment' | 'task' | 'document';
const LEAF_KINDS: readonly LeafKind[] = ['message', 'contact', 'appointment', 'task', 'document'];
const LEAF_WEIGHTS = [66, 10, 9, 5, 10];

/** How many folders and tags an account of `n` item files gets. */
export function composition(
  role: AccountRole,
  n: number,
): { system: number; folders: number; tags: number; leaves: number } {
  const system = SYSTEM_FOLDER_IDS.length;
  const folders = role === 'system' ? 0 : Math.max(3, Math.min(40, Math.floor(n / 25)));
  const tags = role === 'system' ? 0 : Math.max(2, Math.min(TAG_NAMES.length, Math.floor(n / 40)));
  return { system, folders, tags, leaves: n - system - folders - tags };
}

export function minimumItems(role: AccountRole): number {
  return role === 'system' ? SYSTEM_FOLDER_IDS.length + 8 : SYSTEM_FOLDER_IDS.length + 3 + 2 + 7;
}

export class AccountGenerator {
  private readonly rng: Rng;
  private readonly zid: string;
  private readonly result: AccountResult;
  /** User folders items may move into (never deleted). */
  private readonly userFolders: number[] = [];
  private readonly tagNames: string[] = [];
  private nextId = FIRST_USER_ITEM;
  private messageOrdinal = 0;
  private documentOrdinal = 0;
  private broadcastIndex = 0;
  private largeIndex = 0;
  private oldDeleteDone = false;
  private undeleteDone = false;
  private recentDeleteDone = false;
  private idMapper: { out: IdMapperWriter; nextSource: number } | undefined;

  constructor(
    private readonly ctx: SampleContext,
    private readonly plan: AccountPlan,
  ) {
    this.rng = Rng.of(ctx.seed, 'account', plan.index);
    this.zid = plan.zimbraId;
    this.result = {
      plan,
      itemCount: 0,
      lastItemId: 0,
      firstTransactionDate: Infinity,
      lastTransactionDate: -Infinity,
      blobs: new Map(),
      driveItems: 0,
    };
  }

  async run(): Promise<AccountResult> {
    const p = this.plan;
    const comp = composition(p.role, p.itemCount);
    const t0 = p.createdDate;
    if (p.role === 'imported') this.openIdMapper();
    try {
      // System folders exist from the account's creation.
      for (const id of SYSTEM_FOLDER_IDS) {
        const b = new ItemBuilder(id, ItemType.FOLDER).create(t0, {
          folderId: 1,
          parentId: 1,
          name: SYSTEM_FOLDERS[id]!,
          flags: 0,
        });
        await this.emit(b, false);
      }
      const itemsStart = t0 + (p.role === 'imported' ? 10 * MINUTE : 3 * DAY);
      await this.writeUserFolders(comp.folders, t0, itemsStart);
      await this.writeTags(comp.tags, t0);
      await this.writeLeaves(comp.leaves, itemsStart);
      if (p.drive) this.writeDriveItems(itemsStart);
      this.idMapper?.out.commit();
      this.idMapper = undefined;
    } finally {
      // Interrupted: no half-made id_mapper.log is left behind.
      this.idMapper?.out.abort();
    }
    this.writeAccountFiles();
    return this.result;
  }

  // --- ids, writing, statistics

  private allocId(): number {
    const id = this.nextId;
    // Conversations and other hidden items use ids too: leave a gap now and then.
    this.nextId += this.rng.chance(0.25) ? 2 : 1;
    return id;
  }

  private async emit(b: ItemBuilder, mapped: boolean): Promise<void> {
    const id = b.id as number;
    this.ctx.writer.writeItem(this.zid, id, b.transactions());
    const r = this.result;
    r.itemCount++;
    if (id > r.lastItemId) r.lastItemId = id;
    const first = b.firstStart!;
    if (first < r.firstTransactionDate) r.firstTransactionDate = first;
    if (b.lastStart > r.lastTransactionDate) r.lastTransactionDate = b.lastStart;
    for (const d of b.digests()) if (!r.blobs.has(d)) r.blobs.set(d, this.ctx.writer.storedSize(d) ?? 0);
    if (mapped && this.idMapper) this.mapId(id, b.type);
    await this.ctx.tick('accounts');
  }

  private openIdMapper(): void {
    const out = this.ctx.writer.openIdMapper(this.zid);
    out.comment(
      `External Import from ${this.plan.sourceId ?? 'unknown'} on ${new Date(this.plan.importDate ?? 0).toISOString()}`,
    );
    out.comment('<sourceItemId> <destinationItemId> <type>');
    this.idMapper = { out, nextSource: 300 + this.rng.int(0, 50) };
  }

  private mapId(id: number, type: number): void {
    const m = this.idMapper!;
    m.out.line({ sourceItemId: m.nextSource, destinationItemId: id, type: itemTypeName(type) ?? type });
    m.nextSource += 1 + (this.rng.chance(0.4) ? this.rng.int(1, 3) : 0);
  }

  private writeAccountFiles(): void {
    const p = this.plan;
    const r = this.result;
    const w = this.ctx.writer;
    const rng = Rng.of(this.ctx.seed, 'account-info', p.index);
    const info = {
      zimbraId: p.zimbraId,
      name: p.owner.email,
      displayName: p.owner.name,
      status: p.status,
      isSystem: p.role === 'system',
      cos: p.cos,
      createdDate: p.createdDate,
      deletedDate: p.deletedDate,
      attributes: {
        givenName: p.first,
        sn: p.last,
        userPassword: `{SSHA512}${rng.bytes(72).toString('base64')}`,
        zimbraMailHost: `mbox1.${p.domain}`,
        zimbraMailQuota: p.role === 'system' ? '0' : String(rng.pick([0, 2, 5, 10]) * 1024 ** 3),
        zimbraPrefTimeZoneId: p.timeZone,
        zimbraPrefLocale: rng.pick(['en_US', 'it', 'de', 'fr']),
        zimbraPrefMailSignature: p.role === 'system' ? '' : `--\n${p.owner.name}\n${p.domain}`,
        zimbraHideInGal: p.role === 'system' ? 'TRUE' : 'FALSE',
        ...(p.role === 'system' ? { zimbraIsSystemAccount: 'TRUE', zimbraIsSystemResource: 'TRUE' } : {}),
        ...(p.sourceId ? { zimbraMigrationSourceId: p.sourceId } : {}),
      },
    };
    const lastScan = p.deletedDate ?? END_DATE;
    const stat = {
      lastItemId: r.lastItemId,
      itemCount: r.itemCount,
      lastScanDate: lastScan,
      firstTransactionDate: r.firstTransactionDate,
      lastTransactionDate: r.lastTransactionDate,
      blobCount: r.blobs.size,
      blobBytes: sumValues(r.blobs),
    };
    const backupstat = {
      firstRunDate: p.createdDate,
      lastRunDate: lastScan,
      serverId: p.serverId,
      backupVersion: '4.0.0',
      smartScanCount: Math.max(1, Math.floor((lastScan - p.createdDate) / DAY)),
    };
    w.writeAccountInfo(info);
    w.writeAccountStat(p.zimbraId, stat);
    w.writeBackupStat(p.zimbraId, backupstat);
  }

  // --- folders and tags

  private async writeUserFolders(count: number, t0: number, itemsStart: number): Promise<void> {
    const names = this.rng.sample(FOLDER_NAMES, FOLDER_NAMES.length);
    let nameIndex = 0;
    const used = new Set<string>();
    const freshName = (): string => {
      for (;;) {
        const base = names[nameIndex % names.length]!;
        const round = Math.floor(nameIndex / names.length);
        nameIndex++;
        const name = round === 0 ? base : `${base} ${round + 1}`;
        if (!used.has(name)) {
          used.add(name);
          return name;
        }
      }
    };
    const doomed = count >= 3 ? count - 1 : -1;
    const ids: number[] = [];
    const h = this.plan.horizon;
    for (let k = 0; k < count; k++) {
      const id = this.allocId();
      ids.push(id);
      // Before the first item: an import creates the folders within seconds.
      const created = t0 + (k + 1) * (this.plan.role === 'imported' ? 5_000 : 20 * MINUTE);
      const candidates = [1, 1, INBOX, ...this.userFolders];
      let parent = this.rng.pick(candidates);
      const b = new ItemBuilder(id, ItemType.FOLDER).create(created, {
        folderId: parent,
        parentId: parent,
        name: freshName(),
        flags: 0,
        ...(this.rng.chance(0.4) ? { color: this.rng.int(1, 9) } : {}),
      });
      if (k === doomed) {
        // Emptied, moved to Trash, then deleted (never used by items).
        const trashAt = itemsStart + Math.floor(this.rng.next() * Math.max(DAY, h - itemsStart - 90 * DAY));
        b.change(trashAt, { folderId: TRASH, parentId: TRASH });
        const delAt = trashAt + DAY + Math.floor(this.rng.exp(20 * DAY));
        if (delAt < h) b.change(delAt, { deleted: true });
      } else {
        const n = this.rng.int(1, 3);
        const times: number[] = [];
        for (let i = 0; i < n; i++)
          times.push(itemsStart + DAY + Math.floor(this.rng.next() * Math.max(DAY, h - itemsStart - 2 * DAY)));
        times.sort((a, z) => a - z);
        for (const t of times) {
          if (t >= h - HOUR) break;
          const moveTargets = candidates.filter((c) => c !== parent);
          if (this.rng.chance(0.5) && moveTargets.length > 0) {
            parent = this.rng.pick(moveTargets);
            b.change(t, { folderId: parent, parentId: parent });
          } else b.change(t, { name: freshName() });
        }
        this.userFolders.push(id);
      }
      await this.emit(b, true);
    }
  }

  private async writeTags(count: number, t0: number): Promise<void> {
    const names = this.rng.sample(TAG_NAMES, count);
    for (let k = 0; k < names.length; k++) {
      const id = this.allocId();
      const name = names[k]!;
      this.tagNames.push(name);
      const at = this.plan.role === 'imported' ? t0 + 5 * MINUTE + k * 1000 : t0 + DAY + k * MINUTE;
      const b = new ItemBuilder(id, ItemType.TAG).create(at, {
        folderId: TAGS_FOLDER,
        name,
        color: this.rng.int(1, 9),
      });
      await this.emit(b, true);
    }
  }

  // --- leaves: messages, contacts, appointments, tasks, documents

  private async writeLeaves(count: number, itemsStart: number): Promise<void> {
    const p = this.plan;
    const end = p.horizon - 2 * DAY;
    const burst = p.role === 'imported' ? Math.floor(count * 0.6) : 0;
    const burstStep = 700;
    const restStart = burst > 0 ? itemsStart + burst * burstStep + 2 * DAY : itemsStart;
    const rest = count - burst;
    const width = (end - restStart) / Math.max(1, rest);
    for (let i = 0; i < count; i++) {
      const imported = i < burst;
      const created = imported
        ? itemsStart + i * burstStep
        : Math.floor(restStart + (i - burst + 0.05 + 0.9 * this.rng.next()) * width);
      // Original date of imported items: spread from CONTENT_START to a month before the import.
      const originalDate = imported
        ? Math.floor(CONTENT_START + ((i + this.rng.next()) / burst) * (itemsStart - 30 * DAY - CONTENT_START))
        : undefined;
      const forced = p.role === 'system' ? 'message' : LEAF_KINDS[i];
      const kind: LeafKind = p.role === 'system' ? 'message' : (forced ?? LEAF_KINDS[this.rng.weighted(LEAF_WEIGHTS)]!);
      const id = this.allocId();
      const irng = Rng.of(this.ctx.seed, 'item', p.index, id);
      let b: ItemBuilder;
      switch (kind) {
        case 'message':
          b = this.message(id, irng, created, originalDate);
          break;
        case 'contact':
          b = this.contact(id, irng, created);
          break;
        case 'appointment':
          b = this.appointment(id, irng, created);
          break;
        case 'task':
          b = this.task(id, irng, created);
          break;
        case 'document':
          b = this.document(id, irng, created);
          break;
      }
      await this.emit(b, imported);
    }
  }

  /** The pool key of a content: unique per item, or a time slot of a bounded pool. */
  private contentKey(kind: ContentKind, unique: string, at: number): { key: string; cache: boolean; at: number } {
    const pool = this.ctx.pool;
    if (!pool.pooled) return { key: `${this.plan.index}:${unique}`, cache: false, at };
    const cap = pool.caps[kind];
    const span = END_DATE - CONTENT_START;
    const slot = Math.max(0, Math.min(cap - 1, Math.floor(((at - CONTENT_START) / span) * cap)));
    const slotAt = Math.floor((CONTENT_START + (slot * span) / cap) / 1000) * 1000;
    return { key: `${this.plan.index}:${kind}:p${slot}`, cache: true, at: slotAt };
  }

  private stored<M>(
    k: { key: string; cache: boolean },
    suffix: string,
    make: () => { bytes: Buffer; meta: M },
  ): Stored<M> {
    return this.ctx.store(k.cache ? `${k.key}${suffix}` : undefined, make);
  }

  private messageContent(
    irng: Rng,
    created: number,
    originalDate: number | undefined,
  ): { s: Stored<MessageMeta>; spam: boolean; remake?: (revision: number, at: number) => Stored<MessageMeta> } {
    const p = this.plan;
    const ordinal = this.messageOrdinal++;
    const seed = this.ctx.seed;
    const mailHost = `mail.${p.domain}`;
    // A message to the whole organisation: the same BLOB in every mailbox.
    if (p.role !== 'system') {
      const bc = this.ctx.broadcasts;
      while (this.broadcastIndex < bc.length && p.role !== 'imported' && bc[this.broadcastIndex]!.date < p.createdDate)
        this.broadcastIndex++;
      const next = bc[this.broadcastIndex];
      if (next && next.date <= created && ordinal > 2) {
        const j = this.broadcastIndex++;
        const s = this.ctx.store(`broadcast:${j}`, () =>
          makeBroadcast(seed, j, next.date, next.sender, `mail.${next.sender.email.split('@')[1]}`),
        );
        return { s, spam: false };
      }
      const large = p.large[this.largeIndex];
      if (large !== undefined && ordinal >= 5 + 7 * this.largeIndex) {
        this.largeIndex++;
        const date = Math.floor((created - irng.int(60, 3600) * 1000) / 1000) * 1000;
        const s = this.ctx.store(undefined, () =>
          makeMessage(seed, `${p.index}:large:${this.largeIndex}`, {
            owner: p.owner,
            mailHost,
            correspondents: p.correspondents,
            date,
            kind: 'large',
            outgoing: false,
            attachmentBytes: large,
          }),
        );
        return { s, spam: false };
      }
    }
    const spam = p.role === 'system' ? irng.chance(0.7) : irng.chance(0.05);
    const date =
      originalDate !== undefined
        ? Math.floor(originalDate / 1000) * 1000
        : Math.floor((created - irng.int(5, 7200) * 1000) / 1000) * 1000;
    const shared = this.sharedMessage(ordinal, spam, originalDate, date);
    if (shared) return { s: shared, spam: false };
    const k = this.contentKey('message', `m${ordinal}`, date);
    const forcedStructure =
      !this.ctx.pool.pooled && p.role !== 'system' && ordinal < MESSAGE_STRUCTURES.length
        ? MESSAGE_STRUCTURES[ordinal]
        : undefined;
    const key = `${k.key}${spam ? ':spam' : ''}`;
    const req: MessageRequest = {
      owner: p.owner,
      mailHost,
      correspondents: p.correspondents,
      date: k.at,
      kind: spam ? 'spam' : 'normal',
      ...(forcedStructure ? { structure: forcedStructure } : {}),
      ...(p.role === 'system' ? { outgoing: false } : {}),
      sizes: this.ctx.sizes,
    };
    const s = this.stored(k, spam ? ':spam' : '', () => makeMessage(seed, key, req));
    // A later save of a draft: the same message with a longer body (pooled: a date fixed by the slot).
    const remake = (revision: number, at: number): Stored<MessageMeta> => {
      const date = k.cache ? k.at + revision * 10 * MINUTE : Math.floor(at / 1000) * 1000;
      return this.stored(k, `${spam ? ':spam' : ''}:draft${revision}`, () =>
        makeMessage(seed, key, { ...req, date, revision }),
      );
    };
    return { s, spam, remake };
  }

  /**
   * Real sizes: a share of received messages is a copy of one message that several
   * mailboxes of the server hold (a team thread, an internal list): one BLOB, deduplicated.
   * A time slot names it, so its Date is never after the items that use it.
   */
  private sharedMessage(
    ordinal: number,
    spam: boolean,
    originalDate: number | undefined,
    date: number,
  ): Stored<MessageMeta> | undefined {
    const p = this.plan;
    if (this.ctx.sizes !== 'real' || this.ctx.pool.pooled || p.role === 'system' || spam) return undefined;
    if (originalDate !== undefined || ordinal < MESSAGE_STRUCTURES.length) return undefined;
    if (!Rng.of(this.ctx.seed, 'sizes', 'shared', p.index, ordinal).chance(REAL_MAIL.sharedShare)) return undefined;
    const slots = sharedSlots(this.ctx.total);
    const span = END_DATE - CONTENT_START;
    const slot = Math.max(0, Math.min(slots - 1, Math.floor(((date - CONTENT_START) / span) * slots)));
    const at = Math.floor((CONTENT_START + (slot * span) / slots) / 1000) * 1000;
    const key = `shared:${slot}`;
    return this.ctx.store(key, () =>
      makeMessage(this.ctx.seed, key, {
        owner: SHARED_RECIPIENT,
        mailHost: 'mail.example.com',
        // The outside correspondents come first and are the same for every account.
        correspondents: p.correspondents.slice(0, OUTSIDE_CORRESPONDENTS),
        date: at,
        kind: 'normal',
        outgoing: false,
        sizes: 'real',
      }),
    );
  }

  private message(id: number, irng: Rng, created: number, originalDate: number | undefined): ItemBuilder {
    const p = this.plan;
    const h = p.horizon;
    const { s, spam, remake } = this.messageContent(irng, created, originalDate);
    const m = s.meta;
    if (!this.result.sampleMessage && !spam)
      this.result.sampleMessage = {
        digest: s.ref.digest,
        size: s.ref.size,
        subject: m.subject,
        sender: m.sender,
        recipients: m.recipients,
        date: m.date,
      };
    let folder: number;
    let flags = 0;
    const draft = m.outgoing && irng.chance(0.12);
    if (p.role === 'system') folder = INBOX;
    else if (spam) folder = JUNK;
    else if (draft) folder = DRAFTS;
    else if (m.outgoing) folder = SENT;
    else folder = INBOX;
    if (draft) flags |= FlagBit.DRAFT;
    else if (m.outgoing) flags |= FlagBit.FROM_ME;
    else flags |= FlagBit.UNREAD;
    if (m.attachments) flags |= FlagBit.ATTACHED;
    if (m.highPriority) flags |= FlagBit.HIGH_PRIORITY;
    const b = new ItemBuilder(id, ItemType.MESSAGE).create(created, {
      folderId: folder,
      subject: m.subject,
      sender: m.sender,
      recipients: m.recipients,
      date: Math.floor(m.date / 1000),
      size: s.ref.size,
      digest: s.ref.digest,
      flags,
      tags: [],
    });
    let t = created;
    const step = (mean: number): boolean => {
      t += MINUTE + Math.floor(irng.exp(mean));
      return t < h - HOUR;
    };
    const cur = (): ItemFields => b.last!;
    const original = folder;

    // Forced histories, once per account: an old deletion (purge due), an undelete, a recent deletion.
    const eligible = p.role !== 'system' && folder === INBOX && !spam;
    const recent =
      eligible &&
      p.deletedDate === null &&
      !this.recentDeleteDone &&
      created > END_DATE - 150 * DAY &&
      created < END_DATE - 40 * DAY;
    if (eligible && (!this.oldDeleteDone || !this.undeleteDone || recent) && created + 12 * DAY < h) {
      b.change(t + HOUR, { flags: cur().flags! & ~FlagBit.UNREAD });
      if (recent) {
        this.recentDeleteDone = true;
        b.change(END_DATE - 25 * DAY, { folderId: TRASH });
        b.change(END_DATE - irng.int(2, 15) * DAY - irng.int(0, 86_399) * 1000, { deleted: true });
      } else {
        const undelete = this.oldDeleteDone;
        if (undelete) this.undeleteDone = true;
        else this.oldDeleteDone = true;
        b.change(t + 2 * DAY, { folderId: TRASH });
        b.change(t + 3 * DAY, { deleted: true });
        if (undelete) b.change(t + 10 * DAY, { folderId: original });
      }
      return b;
    }

    if (spam) {
      if (irng.chance(p.role === 'system' ? 0.2 : 0.15) && step(2 * DAY))
        b.change(t, { flags: cur().flags! & ~FlagBit.UNREAD });
      if (irng.chance(0.6) && step(10 * DAY)) b.change(t, { deleted: true });
      return b;
    }
    if (draft) {
      // Each save of a draft is new content.
      let rev = 1;
      while (irng.chance(0.5) && step(2 * HOUR)) {
        rev++;
        const d = remake ? remake(rev, t) : s;
        b.change(t, {
          subject: d.meta.subject,
          recipients: d.meta.recipients,
          date: Math.floor(d.meta.date / 1000),
          size: d.ref.size,
          digest: d.ref.digest,
          flags: (cur().flags! & ~FlagBit.ATTACHED) | (d.meta.attachments ? FlagBit.ATTACHED : 0),
        });
      }
      if (irng.chance(0.5) && step(DAY)) b.change(t, { deleted: true });
      return b;
    }
    if (!m.outgoing) {
      if (irng.chance(0.88) && step(8 * HOUR)) b.change(t, { flags: cur().flags! & ~FlagBit.UNREAD });
      if (irng.chance(0.15) && step(HOUR)) b.change(t, { flags: cur().flags! | FlagBit.REPLIED });
      if (irng.chance(0.12) && step(2 * DAY)) {
        b.change(t, { flags: cur().flags! | FlagBit.FLAGGED });
        if (irng.chance(0.4) && step(20 * DAY)) b.change(t, { flags: cur().flags! & ~FlagBit.FLAGGED });
      }
    }
    if (this.tagNames.length > 0 && irng.chance(0.2) && step(3 * DAY))
      b.change(t, { tags: irng.sample(this.tagNames, irng.int(1, 2)) });
    if (this.userFolders.length > 0 && irng.chance(m.outgoing ? 0.1 : 0.3) && step(10 * DAY))
      b.change(t, { folderId: irng.pick(this.userFolders) });
    if (irng.chance(0.14) && step(30 * DAY)) {
      const before = cur().folderId!;
      b.change(t, { folderId: TRASH });
      if (irng.chance(0.75) && step(15 * DAY)) {
        b.change(t, { deleted: true });
        if (irng.chance(0.2) && step(5 * DAY)) b.change(t, { folderId: before });
      }
    }
    return b;
  }

  private contact(id: number, irng: Rng, created: number): ItemBuilder {
    const p = this.plan;
    const ordinal = id;
    const k = this.contentKey('contact', `c${ordinal}`, created);
    const v1 = this.stored(k, '#1', () => makeContact(this.ctx.seed, k.key, 1, k.at, p.correspondents));
    const folder = irng.chance(0.2) ? EMAILED_CONTACTS : CONTACTS;
    const b = new ItemBuilder(id, ItemType.CONTACT).create(created, {
      folderId: folder,
      name: v1.meta.name,
      date: Math.floor(created / 1000),
      size: v1.ref.size,
      digest: v1.ref.digest,
      flags: 0,
      tags: [],
    });
    let t = created;
    const h = p.horizon - HOUR;
    const edits = irng.pick([0, 0, 0, 1, 1, 2]);
    for (let v = 2; v <= edits + 1; v++) {
      t += HOUR + Math.floor(irng.exp(40 * DAY));
      if (t >= h) return b;
      const c = this.stored(k, `#${v}`, () => makeContact(this.ctx.seed, k.key, v, k.at + v * DAY, p.correspondents));
      b.change(t, {
        size: c.ref.size,
        digest: c.ref.digest,
        ...(folder === EMAILED_CONTACTS && irng.chance(0.5) ? { folderId: CONTACTS } : {}),
      });
    }
    if (this.tagNames.length > 0 && irng.chance(0.1)) {
      t += HOUR + Math.floor(irng.exp(20 * DAY));
      if (t < h) b.change(t, { tags: [irng.pick(this.tagNames)] });
    }
    if (irng.chance(0.08)) {
      t += HOUR + Math.floor(irng.exp(60 * DAY));
      if (t < h) b.change(t, { folderId: TRASH });
      t += HOUR + Math.floor(irng.exp(10 * DAY));
      if (t < h) b.change(t, { deleted: true });
    }
    return b;
  }

  private appointment(id: number, irng: Rng, created: number): ItemBuilder {
    const p = this.plan;
    const k = this.contentKey('event', `e${id}`, created);
    const v1 = this.stored(k, '#1', () => makeEvent(this.ctx.seed, k.key, 1, k.at, p.owner, p.correspondents));
    const b = new ItemBuilder(id, ItemType.APPOINTMENT).create(created, {
      folderId: CALENDAR,
      subject: v1.meta.summary,
      date: Math.floor(created / 1000),
      size: v1.ref.size,
      digest: v1.ref.digest,
      flags: 0,
      tags: [],
    });
    let t = created;
    const h = p.horizon - HOUR;
    const changes = irng.pick([0, 0, 1, 1, 2]);
    for (let v = 2; v <= changes + 1; v++) {
      t += HOUR + Math.floor(irng.exp(5 * DAY));
      if (t >= h) return b;
      const e = this.stored(k, `#${v}`, () =>
        makeEvent(this.ctx.seed, k.key, v, k.at + v * HOUR, p.owner, p.correspondents),
      );
      b.change(t, { size: e.ref.size, digest: e.ref.digest });
    }
    if (irng.chance(0.1)) {
      t += HOUR + Math.floor(irng.exp(10 * DAY));
      if (t < h) b.change(t, { deleted: true });
    }
    return b;
  }

  private task(id: number, irng: Rng, created: number): ItemBuilder {
    const p = this.plan;
    const k = this.contentKey('task', `t${id}`, created);
    const statuses: TaskStatus[] = ['NEEDS-ACTION'];
    if (irng.chance(0.5)) statuses.push('IN-PROCESS');
    if (irng.chance(0.6)) statuses.push('COMPLETED');
    const first = this.stored(k, '#1', () => makeTask(this.ctx.seed, k.key, 1, 'NEEDS-ACTION', k.at, p.owner));
    const b = new ItemBuilder(id, ItemType.TASK).create(created, {
      folderId: TASKS,
      subject: first.meta.summary,
      date: Math.floor(created / 1000),
      size: first.ref.size,
      digest: first.ref.digest,
      flags: 0,
      tags: [],
    });
    let t = created;
    const h = p.horizon - HOUR;
    for (let v = 2; v <= statuses.length; v++) {
      t += HOUR + Math.floor(irng.exp(7 * DAY));
      if (t >= h) return b;
      const status = statuses[v - 1]!;
      const s = this.stored(k, `#${v}`, () => makeTask(this.ctx.seed, k.key, v, status, k.at + v * DAY, p.owner));
      b.change(t, { size: s.ref.size, digest: s.ref.digest });
    }
    if (irng.chance(0.05)) {
      t += HOUR + Math.floor(irng.exp(30 * DAY));
      if (t < h) b.change(t, { deleted: true });
    }
    return b;
  }

  private document(id: number, irng: Rng, created: number): ItemBuilder {
    const p = this.plan;
    const n = this.documentOrdinal++;
    const base = DOCUMENT_NAMES[n % DOCUMENT_NAMES.length]!;
    const round = Math.floor(n / DOCUMENT_NAMES.length);
    const dot = base.lastIndexOf('.');
    const ext = base.slice(dot);
    let name = round === 0 ? base : `${base.slice(0, dot)} ${round + 1}${ext}`;
    const k = this.contentKey('document', `d${n}`, created);
    const contentKey = k.cache ? `${k.key}${ext}` : `${k.key}:${name}`;
    const version = (v: number): Stored<null> =>
      this.stored(k, `${ext}#${v}`, () => ({
        bytes: makeDocument(this.ctx.seed, contentKey, k.cache ? `document${ext}` : name, v),
        meta: null,
      }));
    const v1 = version(1);
    const b = new ItemBuilder(id, ItemType.DOCUMENT).create(created, {
      folderId: BRIEFCASE,
      name,
      sender: p.owner.email,
      date: Math.floor(created / 1000),
      size: v1.ref.size,
      digest: v1.ref.digest,
      flags: 0,
      tags: [],
      version: 1,
    });
    let t = created;
    const h = p.horizon - HOUR;
    const versions = 1 + irng.pick([0, 1, 1, 2, 3]);
    for (let v = 2; v <= versions; v++) {
      t += HOUR + Math.floor(irng.exp(15 * DAY));
      if (t >= h) return b;
      const s = version(v);
      b.change(t, { size: s.ref.size, digest: s.ref.digest, version: v, date: Math.floor(t / 1000) });
    }
    if (irng.chance(0.12)) {
      t += HOUR + Math.floor(irng.exp(30 * DAY));
      if (t >= h) return b;
      name = `${name.slice(0, name.lastIndexOf('.'))} (final)${ext}`;
      b.change(t, { name });
    }
    if (irng.chance(0.08)) {
      t += HOUR + Math.floor(irng.exp(30 * DAY));
      if (t < h) b.change(t, { folderId: TRASH });
      t += HOUR + Math.floor(irng.exp(10 * DAY));
      if (t < h) b.change(t, { deleted: true });
    }
    return b;
  }

  // --- Drive (docs/backup-format.md §2.6)

  private writeDriveItems(start: number): void {
    const p = this.plan;
    const rng = Rng.of(this.ctx.seed, 'drive', p.index);
    const names = ['Drive notes.md', 'Shared budget.csv', 'Handbook.txt'];
    for (const name of names) {
      const uuid = rng.uuid();
      const b = new ItemBuilder(uuid, ItemType.DOCUMENT);
      let t = start + DAY + Math.floor(rng.next() * 60 * DAY);
      const versions = rng.int(1, 3);
      for (let v = 1; v <= versions && t < p.horizon - HOUR; v++) {
        const s = this.ctx.store(undefined, () => ({
          bytes: makeDocument(this.ctx.seed, `drive:${uuid}`, name, v),
          meta: null,
        }));
        const fields: ItemFields = {
          name,
          sender: p.owner.email,
          date: Math.floor(t / 1000),
          size: s.ref.size,
          digest: s.ref.digest,
          version: v,
        };
        if (v === 1) b.create(t, fields);
        else b.change(t, fields);
        t += HOUR + Math.floor(rng.exp(20 * DAY));
      }
      if (b.txs.length === 0) continue;
      this.ctx.writer.writeDriveItem(p.zimbraId, uuid, b.transactions());
      this.result.driveItems++;
    }
  }
}

function sumValues(m: Map<string, number>): number {
  let s = 0;
  for (const v of m.values()) s += v;
  return s;
}
