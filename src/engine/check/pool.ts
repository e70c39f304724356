/**
 * A small pool of worker threads for the per-file checks. It finds its worker both
 * bundled (dist/checkWorker.js next to the bundle) and from sources under tsx
 * (worker.ts with tsx's loader); with neither, or with jobs = 0, it runs in this thread.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { runWorkItem } from './workItem';
import type { BatchFacts, CheckContext, WorkItem } from './types';
import type { WorkerRequest, WorkerResponse } from './worker';

export interface WorkerEntry {
  file: string;
  /** For a TypeScript source: tsx's CommonJS loader, required first in the worker. */
  loader?: string;
}

/** Where the worker code is: the bundle's sibling first, then the TypeScript source with tsx. */
export function findWorkerEntry(dir: string = __dirname): WorkerEntry | undefined {
  const bundled = path.join(dir, 'checkWorker.js');
  if (existsSync(bundled)) return { file: bundled };
  const source = path.join(dir, 'worker.ts');
  const loader = tsxLoader();
  if (existsSync(source) && loader) return { file: source, loader };
  return undefined;
}

function tsxLoader(): string | undefined {
  try {
    return require.resolve('tsx/cjs');
  } catch {
    return undefined;
  }
}

/**
 * A bounded young generation: the workers allocate short-lived buffers (BLOBs, parsed
 * JSON) at a high rate, and V8's default semi-spaces alone cost tens of MB per thread.
 * Measured on 20k items / 200 MB of BLOBs: peak RSS 226 → 135 MB; 16 MB costs less
 * GC time than 4 MB for the same RSS.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 16 };

function startWorker(entry: WorkerEntry, ctx: CheckContext): Worker {
  if (!entry.loader) return new Worker(entry.file, { workerData: ctx, resourceLimits: WORKER_LIMITS });
  // Node 20 workers do not inherit --import hooks: load tsx inside the worker, then the source.
  return new Worker(`require(${JSON.stringify(entry.loader)}); require(${JSON.stringify(entry.file)});`, {
    eval: true,
    workerData: ctx,
    resourceLimits: WORKER_LIMITS,
  });
}

export interface CheckPool {
  /** 'threads' or 'in-process', for the summary and the tests. */
  readonly mode: 'threads' | 'in-process';
  readonly size: number;
  run(item: WorkItem): Promise<BatchFacts>;
  /** Resolves when fewer work items wait than there are workers (backpressure for the walker). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function createPool(
  ctx: CheckContext,
  jobs: number,
  entry: WorkerEntry | undefined = findWorkerEntry(),
): CheckPool {
  if (jobs <= 0 || !entry) return inProcessPool(ctx);
  return new ThreadPool(ctx, jobs, entry);
}

/**
 * One work item at a time, each in its own turn of the event loop: a work item runs
 * synchronously, so the walker must wait for it (and a turn) before handing out the
 * next one, or Ctrl-C, progress timers and the abort signal would wait for the end.
 */
function inProcessPool(ctx: CheckContext): CheckPool {
  let previous: Promise<unknown> = Promise.resolve();
  const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  return {
    mode: 'in-process',
    size: 1,
    run: (item) => {
      const done = previous.then(nextTurn).then(() => runWorkItem(item, ctx));
      previous = done.catch(() => undefined);
      return done;
    },
    ready: () => previous.then(nextTurn),
    close: async () => undefined,
  };
}

interface Pending {
  req: WorkerRequest;
  resolve(r: BatchFacts): void;
  reject(e: Error): void;
}

/**
 * Work items posted to one worker before its previous ones are answered: the worker
 * starts the next one at once instead of idling until this thread, busy merging
 * results, hands it one.
 */
const PER_WORKER = 2;

class ThreadPool implements CheckPool {
  readonly mode = 'threads' as const;
  private readonly workers: Worker[] = [];
  private readonly queue: Pending[] = [];
  /** Batches posted and not yet answered, per worker, by request id. */
  private readonly posted = new Map<Worker, Map<number, Pending>>();
  private waiters: (() => void)[] = [];
  private nextId = 1;
  private failed: Error | undefined;

  constructor(
    ctx: CheckContext,
    readonly size: number,
    entry: WorkerEntry,
  ) {
    for (let i = 0; i < size; i++) {
      const w = startWorker(entry, ctx);
      w.on('message', (msg: WorkerResponse) => this.onMessage(w, msg));
      w.on('error', (err) => this.onFailure(w, err));
      w.on('exit', (code) => {
        if ((this.posted.get(w)?.size ?? 0) > 0) this.onFailure(w, new Error(`check worker exited with code ${code}`));
      });
      this.workers.push(w);
      this.posted.set(w, new Map());
    }
  }

  run(item: WorkItem): Promise<BatchFacts> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.queue.push({ req: { id: this.nextId++, item }, resolve, reject });
      this.pump();
    });
  }

  ready(): Promise<void> {
    if (this.queue.length < this.size) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private pump(): void {
    while (this.queue.length > 0) {
      // The least loaded worker, if it has room.
      let best: Worker | undefined;
      let load = PER_WORKER;
      for (const w of this.workers) {
        const n = this.posted.get(w)!.size;
        if (n < load) {
          best = w;
          load = n;
        }
      }
      if (!best) break;
      const p = this.queue.shift()!;
      this.posted.get(best)!.set(p.req.id, p);
      best.postMessage(p.req);
    }
    if (this.queue.length < this.size && this.waiters.length > 0) {
      const ws = this.waiters;
      this.waiters = [];
      ws.forEach((r) => r());
    }
  }

  private onMessage(w: Worker, msg: WorkerResponse): void {
    const mine = this.posted.get(w)!;
    const p = mine.get(msg.id);
    mine.delete(msg.id);
    if (p) {
      if (msg.facts !== undefined) p.resolve(msg.facts);
      else p.reject(new Error(msg.error ?? 'check worker failed'));
    }
    this.pump();
  }

  private onFailure(w: Worker, err: Error): void {
    this.failed ??= err;
    const mine = this.posted.get(w);
    for (const p of mine?.values() ?? []) p.reject(err);
    mine?.clear();
    for (const q of this.queue.splice(0)) q.reject(err);
    this.waiters.forEach((r) => r());
    this.waiters = [];
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
