/**
 * Worker-thread entry of schema validation (bundled to dist/schemaWorker.js, used by
 * schemaValidation.ts for large documents). The engine's validator, one per schema
 * folder and generation: a generation bump (settings changed) loads the files again.
 */
import { parentPort } from 'node:worker_threads';
import { createSchemaValidator, type SchemaKind, type SchemaValidator, type Finding } from '../engine';

export interface SchemaWorkerRequest {
  id: number;
  generation: number;
  schemaDirectory: string;
  kind: SchemaKind;
  text: string;
  path: string;
  parsed: boolean;
}

export type SchemaWorkerResponse = { id: number; findings: Finding[] } | { id: number; error: string };

let generation = -1;
const validators = new Map<string, Promise<SchemaValidator>>();

async function answer(req: SchemaWorkerRequest): Promise<SchemaWorkerResponse> {
  try {
    if (req.generation !== generation) {
      validators.clear();
      generation = req.generation;
    }
    let v = validators.get(req.schemaDirectory);
    if (!v) {
      v = createSchemaValidator(req.schemaDirectory === '' ? {} : { schemaDir: req.schemaDirectory });
      validators.set(req.schemaDirectory, v);
    }
    return { id: req.id, findings: await (await v).validate(req.kind, req.text, req.path, { parsed: req.parsed }) };
  } catch (err) {
    // The main thread validates in process instead (and says why a folder is unusable).
    return { id: req.id, error: err instanceof Error ? err.message : String(err) };
  }
}

parentPort?.on('message', (req: SchemaWorkerRequest) => {
  void answer(req).then((res) => parentPort?.postMessage(res));
});
