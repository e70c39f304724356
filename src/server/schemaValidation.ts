/**
 * The engine's schema validator (src/engine/schema.ts, vscode-json-languageservice),
 * one per schema folder setting: the same validation as `zxb --schema-dir`. A folder
 * that cannot be used is remembered as an error and said in a diagnostic.
 */
import { createSchemaValidator, type SchemaValidator } from '../engine/schema';
import { EngineError } from '../engine/findings';

export type ValidatorResult = { ok: true; validator: SchemaValidator } | { ok: false; error: string };

const validators = new Map<string, Promise<ValidatorResult>>();

export function schemaValidator(schemaDirectory: string): Promise<ValidatorResult> {
  let p = validators.get(schemaDirectory);
  if (!p) {
    p = createSchemaValidator(schemaDirectory === '' ? {} : { schemaDir: schemaDirectory }).then(
      (validator): ValidatorResult => ({ ok: true, validator }),
      (err: unknown): ValidatorResult => ({ ok: false, error: err instanceof EngineError ? err.message : String(err) }),
    );
    validators.set(schemaDirectory, p);
  }
  return p;
}

/** Schema files may have changed (a user editing an override): load them again next time. */
export function forgetSchemas(): void {
  validators.clear();
}
