/**
 * Worker-thread entry of the coherency check (bundled to dist/checkWorker.js).
 * It receives batches of files and answers with their findings and facts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { checkFileJob, checkFileJobSync } from './fileCheck';
import type { CheckContext, FileJob, FileResult } from './types';

export interface WorkerRequest {
  id: number;
  jobs: FileJob[];
}
export interface WorkerResponse {
  id: number;
  /** FileResult[] as JSON: one string clones much faster than thousands of small objects. */
  results?: string;
  error?: string;
}

if (parentPort) {
  const port = parentPort;
  const ctx = workerData as CheckContext;
  port.on('message', (req: WorkerRequest) => {
    void (async () => {
      try {
        const results: FileResult[] = [];
        for (const job of req.jobs) {
          const r = checkFileJobSync(job, ctx);
          results.push(r === 'stream' ? await checkFileJob(job, ctx) : r);
        }
        port.postMessage({ id: req.id, results: JSON.stringify(results) } satisfies WorkerResponse);
      } catch (err) {
        port.postMessage({ id: req.id, error: (err as Error).stack ?? String(err) } satisfies WorkerResponse);
      }
    })();
  });
}
