/** State shared by the generators of one sample run. */
import type { Correspondent, MessageMeta } from './content';
import type { Person } from './mime';
import { CancelledError } from '../progress';
import type { BackupWriter, BlobRef } from '../format';
import type { SizeModel } from './sizes';

export type ContentKind = 'message' | 'contact' | 'event' | 'task' | 'document';

export interface PoolConfig {
  /** Whether BLOB contents come from a bounded pool (huge samples) or are unique per item. */
  pooled: boolean;
  /** Pool slots per account and kind, when pooled. */
  caps: Record<ContentKind, number>;
}

export interface Stored<M> {
  ref: BlobRef;
  meta: M;
}

export interface Broadcast {
  date: number;
  sender: Person;
}

export class SampleContext {
  /** Contents already stored, by key: the pool (bounded) and the broadcasts. */
  private readonly cache = new Map<string, Stored<unknown>>();
  done = 0;
  private lastReport = 0;

  constructor(
    readonly seed: number,
    readonly writer: BackupWriter,
    readonly pool: PoolConfig,
    readonly sizes: SizeModel,
    readonly broadcasts: readonly Broadcast[],
    readonly total: number,
    private readonly onProgress: ((done: number, total: number, phase: string) => void) | undefined,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** Stores generated content once per key (`key` undefined: always new content). */
  store<M>(key: string | undefined, make: () => { bytes: Buffer; meta: M }): Stored<M> {
    if (key !== undefined) {
      const hit = this.cache.get(key);
      if (hit) return hit as Stored<M>;
    }
    const g = make();
    const s: Stored<M> = { ref: this.writer.putBlob(g.bytes), meta: g.meta };
    if (key !== undefined) this.cache.set(key, s);
    return s;
  }

  checkAbort(): void {
    if (this.signal?.aborted) throw new CancelledError('sample generation cancelled');
  }

  /** One more unit of work done: reports progress, honours the signal and lets the event loop run now and then. */
  async tick(phase: string): Promise<void> {
    this.done++;
    if (this.done - this.lastReport >= 256 || this.done === this.total) {
      this.lastReport = this.done;
      this.checkAbort();
      this.onProgress?.(this.done, this.total, phase);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  report(phase: string): void {
    this.onProgress?.(this.done, this.total, phase);
  }
}

export type { Correspondent, MessageMeta };
