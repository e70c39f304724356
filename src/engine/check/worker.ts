/**
 * Worker-thread entry of the coherency check (bundled to dist/checkWorker.js).
 * It receives work items (named files, or a folder to list and check) and answers
 * with their BatchFacts: a few arrays per folder rather than an object per file.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runWorkItem } from './workItem';
import type { BatchFacts, CheckContext, WorkItem } from './types';

export interface WorkerRequest {
  id: number;
  item: WorkItem;
}
export interface WorkerResponse {
  id: number;
  facts?: BatchFacts;
  error?: string;
}

if (parentPort) {
  const port = parentPort;
  const ctx = workerData as CheckContext;
  port.on('message', (req: WorkerRequest) => {
    runWorkItem(req.item, ctx).then(
      (facts) => port.postMessage({ id: req.id, facts } satisfies WorkerResponse),
      (err: unknown) =>
        port.postMessage({ id: req.id, error: (err as Error).stack ?? String(err) } satisfies WorkerResponse),
    );
  });
}
