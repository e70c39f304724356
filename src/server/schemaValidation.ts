/**
 * The engine's schema validator (src/engine/schema.ts, compiled JSON Schemas), one
 * per schema folder setting: the same validation as `zxb --schema-dir`. A folder
 * that cannot be used is remembered as an error and said in a diagnostic.
 *
 * Large documents are validated in a worker thread (dist/schemaWorker.js, next to the
 * bundle). The reasons were measured on a 1,000-transaction item (bench/lsp.ts) when
 * validation used vscode-json-languageservice; with the compiled schemas the cost is
 * mostly JSON.parse of the text, and the worker mainly keeps hovers unqueued:
 * the language service's AST and validation allocate tens of MB per document, and
 * with the main thread's default young generation about a third of the time went to
 * scavenges copying the half-built AST; the worker's young generation is sized so
 * one document's garbage dies young. It also runs beside the typed analysis and the
 * cross-file lookups, and hovers are not queued behind a long validation. Without
 * the bundle (sources under tsx) or after the worker failed, validation runs here.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createSchemaValidator, EngineError, type SchemaValidator, type Finding } from '../engine';
import type { SchemaWorkerRequest, SchemaWorkerResponse } from './schemaWorker';

export type ValidatorResult = { ok: true; validator: SchemaValidator } | { ok: false; error: string };

/** Below this many characters the round trip to the worker is not worth it. */
export const OFFLOAD_MIN_CHARS = 64 * 1024;
/**
 * The worker's young generation (V8 splits it into semi-spaces). Measured on a
 * 1,000-transaction item (384 KB), scavenge time per document: main thread (default)
 * 12 ms, 96 MB 10 ms, 128 MB 2 ms, 192 MB 1 ms. 128 MB costs about 100 MB of RSS
 * once grown; a smaller one buys nothing.
 */
const WORKER_YOUNG_GENERATION_MB = 128;
/** An idle worker ends (its grown young generation is ~100 MB of RSS); the next large document starts one again. */
const WORKER_IDLE_MS = 120_000;
/** After this many worker crashes, validation stays in this thread. */
const MAX_WORKER_FAILURES = 3;

const validators = new Map<string, Promise<ValidatorResult>>();
let generation = 0;

export function schemaValidator(schemaDirectory: string): Promise<ValidatorResult> {
  let p = validators.get(schemaDirectory);
  if (!p) {
    const gen = generation;
    p = createSchemaValidator(schemaDirectory === '' ? {} : { schemaDir: schemaDirectory }).then(
      (validator): ValidatorResult => ({ ok: true, validator: offloading(validator, schemaDirectory, gen) }),
      (err: unknown): ValidatorResult => ({ ok: false, error: err instanceof EngineError ? err.message : String(err) }),
    );
    validators.set(schemaDirectory, p);
  }
  return p;
}

/** Schema files may have changed (a user editing an override): load them again next time, here and in the worker. */
export function forgetSchemas(): void {
  validators.clear();
  generation++;
}

/** The same validator, with large texts sent to the worker (this thread's validator loaded the same files and said they are usable). */
function offloading(local: SchemaValidator, schemaDirectory: string, gen: number): SchemaValidator {
  return {
    sources: local.sources,
    schemaFor: (kind) => local.schemaFor(kind),
    schemaConfigurations: () => local.schemaConfigurations(),
    check: (kind, value, text, filePath) => local.check(kind, value, text, filePath),
    validate: async (kind, text, filePath, opts = {}) => {
      const worker = text.length >= OFFLOAD_MIN_CHARS ? schemaWorker() : undefined;
      if (worker) {
        const findings = await worker.validate({
          generation: gen,
          schemaDirectory,
          kind,
          text,
          path: filePath,
          parsed: opts.parsed === true,
        });
        if (findings) return findings;
      }
      return local.validate(kind, text, filePath, opts);
    },
  };
}

/** dist/schemaWorker.js next to this bundle (dist/server.js or dist/cli.js), if there is one. */
export function findSchemaWorker(dir: string = __dirname): string | undefined {
  const bundled = path.join(dir, 'schemaWorker.js');
  return existsSync(bundled) ? bundled : undefined;
}

let shared: SchemaWorkerClient | undefined;
let failures = 0;

function schemaWorker(): SchemaWorkerClient | undefined {
  if (shared?.alive) return shared;
  const file = failures < MAX_WORKER_FAILURES ? findSchemaWorker() : undefined;
  if (file === undefined) return undefined;
  shared = new SchemaWorkerClient(file, (cause) => {
    failures++;
    console.warn(
      `the schema validation worker stopped (${cause}); validating in the server thread${failures < MAX_WORKER_FAILURES ? ' until the next large document' : ' from now on'}`,
    );
  });
  // console.* goes to the client's log (runSafe.installProcessGuards).
  console.info(
    `schema validation of documents over ${OFFLOAD_MIN_CHARS / 1024} KB runs in a worker thread (${path.basename(file)})`,
  );
  return shared;
}

/** One worker thread; every answer is matched to its request by id. */
class SchemaWorkerClient {
  alive = true;
  private readonly worker: Worker;
  private readonly pending = new Map<number, (findings: Finding[] | undefined) => void>();
  private nextId = 0;
  private idle: NodeJS.Timeout | undefined;

  constructor(file: string, onFailure: (cause: string) => void) {
    this.worker = new Worker(file, { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    this.worker.unref(); // never what keeps the server process alive
    this.worker.on('message', (res: SchemaWorkerResponse) => {
      const resolve = this.pending.get(res.id);
      this.pending.delete(res.id);
      resolve?.('findings' in res ? res.findings : undefined);
      if (this.pending.size === 0) this.retireWhenIdle();
    });
    const fail = (cause: unknown): void => {
      if (!this.alive) return;
      this.alive = false;
      onFailure(cause instanceof Error ? cause.message : `exit code ${String(cause)}`);
      // Whatever was waiting is validated in process by the caller.
      for (const resolve of this.pending.values()) resolve(undefined);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', fail);
  }

  private retireWhenIdle(): void {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      if (this.pending.size > 0) return;
      this.alive = false; // before terminate: its exit is not a failure
      void this.worker.terminate();
    }, WORKER_IDLE_MS);
    this.idle.unref();
  }

  /** The worker's findings, or undefined when it could not answer (the caller validates itself). */
  validate(req: Omit<SchemaWorkerRequest, 'id'>): Promise<Finding[] | undefined> {
    if (!this.alive) return Promise.resolve(undefined);
    clearTimeout(this.idle);
    const id = ++this.nextId;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage({ ...req, id } satisfies SchemaWorkerRequest);
    });
  }
}
