/**
 * `imap://LOGIN@HOST:PORT`: CREATE the folders, APPEND each message with its flags,
 * keywords and internal date. Before an APPEND the journal records the folder's
 * UIDVALIDITY and UIDNEXT; after a crash the messages from that UID on are compared with
 * the one that was being written (SHA-256), so a rerun never appends it twice.
 */
import { createHash } from 'node:crypto';
import type { ImapFlow } from 'imapflow';
import { INBOX } from '../names';
import { TargetRefusal, type RestoreTarget, type TargetMessage } from '../target';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

export class ImapTarget implements RestoreTarget {
  readonly kind = 'imap';
  private existing: Set<string> | undefined;
  private delimiter = '/';
  private readonly uidNext = new Map<string, { uidNext: number | null; uidValidity: string | null }>();

  constructor(
    private readonly client: ImapFlow,
    readonly description: string,
  ) {}

  /** The mailbox path on this server: its hierarchy delimiter, a name's own delimiter written as `_`. */
  pathOf(folder: readonly string[]): string {
    if (folder.length === 1 && folder[0] === INBOX) return INBOX;
    const prefix = this.client.namespace?.prefix ?? '';
    const joined = folder.map((s) => s.split(this.delimiter).join('_')).join(this.delimiter);
    return folder[0] === INBOX || joined.startsWith(prefix) ? joined : prefix + joined;
  }

  private async known(): Promise<Set<string>> {
    if (!this.existing) {
      this.delimiter = this.client.namespace?.delimiter ?? '/';
      const list = await this.client.list();
      this.existing = new Set(list.map((m) => (m.path.toUpperCase() === INBOX ? INBOX : m.path)));
    }
    return this.existing;
  }

  async ensureFolder(folder: string[]): Promise<boolean> {
    const known = await this.known();
    const p = this.pathOf(folder);
    if (known.has(p)) return false;
    try {
      await this.client.mailboxCreate(p);
    } catch (err) {
      const e = err as { responseText?: string; message?: string };
      // Created meanwhile, or it exists under another case: the LIST below settles it.
      if (!/ALREADYEXISTS|exists/i.test(`${e.responseText ?? ''} ${e.message ?? ''}`))
        throw new TargetRefusal(`CREATE ${p}: ${e.responseText ?? e.message ?? String(err)}`);
    }
    known.add(p);
    return true;
  }

  /**
   * A lower bound of the UID the next APPEND gets: STATUS once per folder, then one past
   * the last APPENDUID (any lower bound is enough: findBegun compares every message from it on).
   */
  async prepare(msg: TargetMessage): Promise<Record<string, unknown>> {
    const p = this.pathOf(msg.folder);
    let next = this.uidNext.get(p);
    if (!next) {
      const st = await this.client.status(p, { uidNext: true, uidValidity: true });
      if (!st) throw new TargetRefusal(`STATUS ${p}: refused`);
      next = { uidNext: st.uidNext ?? null, uidValidity: st.uidValidity?.toString() ?? null };
      this.uidNext.set(p, next);
    }
    return { ...next };
  }

  async write(msg: TargetMessage, content: Buffer): Promise<string> {
    const p = this.pathOf(msg.folder);
    let res;
    try {
      res = await this.client.append(p, content, [...msg.flags, ...msg.keywords], new Date(msg.internalDate));
    } catch (err) {
      const e = err as { responseText?: string; message?: string; code?: string };
      if (e.responseText !== undefined) throw new TargetRefusal(`APPEND to ${p}: ${e.responseText}`);
      throw err;
    }
    if (!res) throw new TargetRefusal(`APPEND to ${p}: refused`);
    const next = this.uidNext.get(p);
    if (next && res.uid !== undefined && res.uidValidity?.toString() === next.uidValidity)
      next.uidNext = Math.max(next.uidNext ?? 0, res.uid + 1);
    else this.uidNext.delete(p);
    return `${p};UIDVALIDITY=${res.uidValidity ?? '?'};UID=${res.uid ?? '?'}`;
  }

  async findBegun(msg: TargetMessage, info: Record<string, unknown>, content: Buffer): Promise<string | undefined> {
    const p = this.pathOf(msg.folder);
    const from = info['uidNext'];
    if (typeof from !== 'number') return undefined;
    const lock = await this.client.getMailboxLock(p);
    try {
      const mb = this.client.mailbox;
      if (mb && typeof mb !== 'boolean' && String(mb.uidValidity) !== info['uidValidity']) return undefined;
      const want = sha(content);
      // Sizes first (imapflow runs one command at a time: no FETCH inside another's loop), then the candidates' bytes.
      const candidates: number[] = [];
      for await (const m of this.client.fetch(`${from}:*`, { uid: true, size: true }, { uid: true }))
        if (m.uid >= from && m.size === content.length) candidates.push(m.uid);
      for (const uid of candidates) {
        const full = await this.client.fetchOne(String(uid), { source: true }, { uid: true });
        if (full && full.source && sha(full.source) === want)
          return `${p};UIDVALIDITY=${info['uidValidity']};UID=${uid}`;
      }
      return undefined;
    } finally {
      lock.release();
    }
  }

  async finish(): Promise<void> {}

  async close(): Promise<void> {
    try {
      await this.client.logout();
    } catch {
      this.client.close();
    }
  }
}
