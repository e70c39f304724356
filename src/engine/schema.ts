/**
 * Validation of JSON metadata against the JSON Schemas in schemas/ (or a user's
 * override folder): the schemas are the one description of each file's shape. They
 * are compiled once per thread (ajv) and run on the value the typed reader already
 * parsed, so the bulk check, `zxb getItem` and the language server run the same
 * validation at a cost of about a microsecond per item file. A finding's words come
 * from our templates over the validator's structured errors (keyword, parameters),
 * never from a library's English; its range is computed from its JSON Pointer, and
 * only for a file that has findings.
 *
 * Who reports what: the typed readers (item/parse, files/account, files/maps) own
 * syntax and every shape they understand; the schema adds what they do not check
 * (patterns, minimums, required keys, duplicate keys). `mergeSchemaFindings` drops a
 * schema finding the typed readers already report for the same place and cause:
 * the typed finding wins, because its code and remedy are more precise.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { findNodeAtLocation, parseTree, type Node } from 'jsonc-parser';
import type { JSONSchema, SchemaConfiguration } from 'vscode-json-languageservice';
import type { ErrorObject } from 'ajv';
import { EngineError, finding, type Finding, type FindingCode, type Range } from './findings';
import { describeIoError } from './fsx';
import { classifyRelPath } from './layout';
import { schemaKindOfFile } from './fileKinds';
import { MAX_NESTING, nestingDepthExceeds, parseItemText } from './item/parse';
import { readJsonObject } from './files/json';
import { LineIndex } from './text';
import type { JsonPointer } from './item/types';
import { AJV_OPTIONS, SCHEMA_FILES, SCHEMA_KINDS, type SchemaKind } from './schemaFiles';
import * as precompiled from './schemaValidators.generated';
import itemSchema from '../../schemas/item.schema.json';
import accountInfoSchema from '../../schemas/account_info.schema.json';
import accountStatSchema from '../../schemas/account_stat.schema.json';
import backupstatSchema from '../../schemas/backupstat.schema.json';
import mapSchema from '../../schemas/map.schema.json';

export { SCHEMA_FILES, SCHEMA_KINDS, type SchemaKind } from './schemaFiles';

/** Glob patterns of the files each schema describes, for a language service's `fileMatch`. */
export const SCHEMA_FILE_MATCH: Readonly<Record<SchemaKind, readonly string[]>> = {
  item: ['**/accounts/*/items/*/*', '**/accounts/*/drive_items/*/*'],
  account_info: ['**/accounts/*/account_info'],
  account_stat: ['**/accounts/*/account_stat'],
  backupstat: ['**/backupstat'],
  map: ['**/map_*'],
};

/** The finding code of a schema mismatch, per kind (severity comes from the catalogue). */
export const SCHEMA_FINDING_CODE: Readonly<Record<SchemaKind, FindingCode>> = {
  item: 'item.schema',
  account_info: 'account.schema',
  account_stat: 'account.schema',
  backupstat: 'account.schema',
  map: 'map.invalid',
};

const BUILT_IN: Readonly<Record<SchemaKind, unknown>> = {
  item: itemSchema,
  account_info: accountInfoSchema,
  account_stat: accountStatSchema,
  backupstat: backupstatSchema,
  map: mapSchema,
};

export interface SchemaSource {
  kind: SchemaKind;
  /** Identifier of the schema ($ref base). */
  uri: string;
  origin: 'built-in' | 'override';
  /** The override file, when origin is 'override'. */
  file?: string;
}

/** A schema finding; `missing` names the key a "required" mismatch is about (for mergeSchemaFindings, which drops it). */
export type SchemaFinding = Finding & { missing?: string };

export interface SchemaValidator {
  readonly sources: Readonly<Record<SchemaKind, SchemaSource>>;
  /** A fresh copy of the schema. */
  schemaFor(kind: SchemaKind): JSONSchema;
  /** Ready for a language service's `configure({ schemas })` with SCHEMA_FILE_MATCH patterns. */
  schemaConfigurations(): SchemaConfiguration[];
  /**
   * Findings of `value`, parsed from `text` (BOM-less; a file of `kind`, at `path`
   * relative to the backup path) by a typed reader, which also checked that it nests
   * no deeper than MAX_NESTING. Synchronous: the check's worker threads call it.
   */
  check(kind: SchemaKind, value: unknown, text: string, path: string): SchemaFinding[];
  /**
   * Findings of `text`. Text that is not JSON gets the typed reader's own syntax
   * findings (same code, range and message), so a schema-only caller never sees "valid".
   * `opts.parsed`: the caller's typed reader already accepted the text as JSON no
   * deeper than MAX_NESTING, so that pre-check (a scan) is skipped.
   */
  validate(kind: SchemaKind, text: string, path: string, opts?: ValidateOptions): Promise<SchemaFinding[]>;
}

export interface ValidateOptions {
  parsed?: boolean;
}

/** The schema kind of a file from its path relative to the backup path, if it has one (the file-kind table). */
export function schemaKindOf(relPath: string): SchemaKind | undefined {
  return schemaKindOfFile(classifyRelPath(relPath));
}

/** Compiled validators per schema folder ('' = ours), per thread: compiling costs tens of milliseconds. */
const loaded = new Map<string, SchemaValidator>();

/**
 * The validator of a schema folder (undefined or '': ours), compiled on first use in
 * this thread and kept. Throws EngineError naming the folder or file when it cannot
 * be used.
 */
export function schemasFor(schemaDir: string | undefined): SchemaValidator {
  // The check asks once per file, always with the same folder.
  if (last && last.dir === schemaDir) return last.validator;
  const key = schemaDir === undefined || schemaDir === '' ? '' : path.resolve(schemaDir);
  let v = loaded.get(key);
  if (!v) {
    v = loadSchemaValidator(key === '' ? {} : { schemaDir: key });
    loaded.set(key, v);
  }
  last = { dir: schemaDir, validator: v };
  return v;
}

let last: { dir: string | undefined; validator: SchemaValidator } | undefined;

/** What identifies a validator's schemas (their content), for caches of verdicts. */
export function schemasFingerprint(v: SchemaValidator): string {
  const h = createHash('sha256');
  for (const kind of SCHEMA_KINDS) h.update(JSON.stringify(v.schemaFor(kind))).update('\0');
  return h.digest('hex').slice(0, 16);
}

/** Override files may have changed: compile them again on next use. */
export function forgetCompiledSchemas(): void {
  loaded.clear();
  last = undefined;
}

/** As loadSchemaValidator, for callers that load schemas asynchronously (the language server). */
export async function createSchemaValidator(opts: { schemaDir?: string } = {}): Promise<SchemaValidator> {
  return loadSchemaValidator(opts);
}

/**
 * Loads the schemas (an override folder's file wins over ours, a missing one falls
 * back to ours) and compiles each one. Throws EngineError naming the folder or file
 * when it cannot be used.
 */
export function loadSchemaValidator(opts: { schemaDir?: string } = {}): SchemaValidator {
  const sources = {} as Record<SchemaKind, SchemaSource>;
  const schemas = {} as Record<SchemaKind, JSONSchema>;
  const compiled = {} as Record<SchemaKind, Validate>;
  const dir = opts.schemaDir === undefined || opts.schemaDir === '' ? undefined : path.resolve(opts.schemaDir);
  if (dir !== undefined) assertFolder(dir);
  for (const kind of SCHEMA_KINDS) {
    const override = dir === undefined ? undefined : loadOverride(path.join(dir, SCHEMA_FILES[kind]));
    if (override) {
      schemas[kind] = override.schema;
      sources[kind] = { kind, uri: pathToFileURL(override.file).href, origin: 'override', file: override.file };
    } else {
      schemas[kind] = BUILT_IN[kind] as JSONSchema;
      sources[kind] = { kind, uri: `https://zxbackup.invalid/schemas/${SCHEMA_FILES[kind]}`, origin: 'built-in' };
    }
    // Ours were compiled ahead of time; a user's schema now, so that one that cannot be used fails before any work.
    compiled[kind] = override ? compile(schemas[kind], sources[kind]) : (precompiled[kind] as Validate);
  }
  const check = (kind: SchemaKind, value: unknown, text: string, filePath: string): SchemaFinding[] =>
    findingsOf(kind, compiled[kind], value, text, filePath);
  return {
    sources,
    schemaFor: (kind) => structuredClone(schemas[kind]),
    schemaConfigurations: () =>
      SCHEMA_KINDS.map((kind) => ({
        uri: sources[kind].uri,
        fileMatch: [...SCHEMA_FILE_MATCH[kind]],
        schema: structuredClone(schemas[kind]),
      })),
    check,
    validate: async (kind, input, filePath, opts = {}) => {
      // Same basis as the typed readers: a BOM is not part of the text (editors drop it too).
      const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
      const syntax = opts.parsed === true ? undefined : syntaxOnly(kind, text, filePath);
      if (syntax) return syntax;
      return check(kind, JSON.parse(text), text, filePath);
    },
  };
}

/** A compiled schema: true when the value matches, else false with the errors in `errors`. */
interface Validate {
  (value: unknown): boolean;
  errors?: ErrorObject[] | null;
}

type AjvClass = new (opts: Record<string, unknown>) => { compile(schema: unknown): Validate };

/** The validator class for the draft a schema names (draft-07 for one that names none). */
function ajvClassFor(schema: JSONSchema): AjvClass {
  // Required only for a user's schema folder: ours are compiled ahead of time.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const draft = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (draft.includes('2020-12')) return (require('ajv/dist/2020') as { default: AjvClass }).default;
  if (draft.includes('2019-09')) return (require('ajv/dist/2019') as { default: AjvClass }).default;
  return (require('ajv') as { default: AjvClass }).default;
  /* eslint-enable @typescript-eslint/no-require-imports */
}

function compile(schema: JSONSchema, source: SchemaSource): Validate {
  const copy = structuredClone(schema) as JSONSchema & Record<string, unknown>;
  // A draft this validator has no meta-schema for (draft-04, -06) is read as draft-07, its nearest.
  if (typeof copy.$schema === 'string' && !/draft-07|2019-09|2020-12/.test(copy.$schema)) delete copy.$schema;
  const Ajv = ajvClassFor(copy);
  try {
    return new Ajv({ ...AJV_OPTIONS }).compile(copy);
  } catch (err) {
    const name = source.file ?? SCHEMA_FILES[source.kind];
    throw new EngineError(
      finding('usage.bad-schema', name, `the schema ${name} cannot be used: ${(err as Error).message}`),
    );
  }
}

function assertFolder(dir: string): void {
  try {
    const st = statSync(dir);
    if (!st.isDirectory())
      throw new EngineError(finding('usage.bad-argument', dir, `the schema folder ${dir} is not a folder`));
  } catch (err) {
    if (err instanceof EngineError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const f = code === 'ENOENT' ? 'io.not-found' : 'io.unreadable';
    throw new EngineError(finding(f, dir, `cannot use the schema folder ${dir}: ${describeIoError(err)}`));
  }
}

function loadOverride(file: string): { file: string; schema: JSONSchema } | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EngineError(finding('io.unreadable', file, `cannot read the schema ${file}: ${describeIoError(err)}`));
  }
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    throw new EngineError(
      finding('usage.bad-schema', file, `the schema ${file} is not valid JSON: ${(err as Error).message}`),
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new EngineError(finding('usage.bad-schema', file, `the schema ${file} is not a JSON object`));
  }
  return { file, schema: value as JSONSchema };
}

/** The typed reader's findings when the text is not JSON (or too deep to hand to a recursive parser). */
function syntaxOnly(kind: SchemaKind, text: string, filePath: string): Finding[] | undefined {
  if (kind === 'item') {
    if (nestingDepthExceeds(text, MAX_NESTING) === undefined && parsesAsJson(text)) return undefined;
    return parseItemText(text, filePath).findings;
  }
  // Account and map files must be objects; readJsonObject says so in the typed reader's words.
  const read = readJsonObject(text, filePath, kind === 'map' ? 'map.invalid' : 'account.invalid-json');
  return read.ok ? undefined : read.findings;
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

// --- from the validator's errors to findings

/** Where a finding points: the value, its key (a property not allowed), or its first character (a missing key). */
type Anchor = 'value' | 'key' | 'start';

interface Problem {
  pointer: JsonPointer;
  anchor: Anchor;
  message: string;
  missing?: string;
  /** Offset and length, when known already (a duplicate key: the pointer names its first occurrence only). */
  at?: [number, number];
}

function findingsOf(
  kind: SchemaKind,
  validate: Validate,
  value: unknown,
  text: string,
  filePath: string,
): SchemaFinding[] {
  const problems: Problem[] = [];
  if (!validate(value)) problems.push(...problemsOf(validate.errors ?? []));
  problems.push(...duplicateKeys(text, value));
  if (problems.length === 0) return [];
  const locate = new Locator(text);
  const code = SCHEMA_FINDING_CODE[kind];
  return problems.map((p) => {
    const where = p.pointer.length === 0 ? 'at the root' : `at ${toPointer(p.pointer)}`;
    const range = p.at ? locate.of(p.at[0], p.at[1]) : locate.range(p.pointer, p.anchor);
    const f: SchemaFinding = finding(code, filePath, `${where}: ${p.message}`, range ? { range } : {});
    if (p.missing !== undefined) f.missing = p.missing;
    return f;
  });
}

/** Each error in our words. An anyOf/oneOf that failed is one problem, not one per alternative that failed. */
function problemsOf(errors: readonly ErrorObject[]): Problem[] {
  const combinators = errors
    .filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
    .map((e) => `${e.schemaPath}/`);
  const out: Problem[] = [];
  for (const e of errors) {
    if (combinators.some((c) => e.schemaPath.startsWith(c))) continue;
    const pointer = fromPointer(e.instancePath);
    const p = e.params as Record<string, unknown>;
    if (e.keyword === 'required' || e.keyword === 'dependencies' || e.keyword === 'dependentRequired') {
      const missing = String(p['missingProperty']);
      const message =
        e.keyword === 'required'
          ? `Missing property "${missing}".`
          : `Object is missing property ${missing} required by property ${String(p['property'])}.`;
      out.push({ pointer, anchor: 'start', message, missing });
    } else if (e.keyword === 'additionalProperties' || e.keyword === 'unevaluatedProperties') {
      const key = String(p[e.keyword === 'additionalProperties' ? 'additionalProperty' : 'unevaluatedProperty']);
      out.push({ pointer: [...pointer, key], anchor: 'key', message: `Property ${key} is not allowed.` });
    } else out.push({ pointer, anchor: 'value', message: messageOf(e) });
  }
  return out;
}

const json = (v: unknown): string => JSON.stringify(v);

/** The words of one validation error, from its keyword and parameters. */
function messageOf(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type': {
      const types = Array.isArray(p['type']) ? (p['type'] as unknown[]).map(String) : String(p['type']).split(',');
      return types.length > 1
        ? `Incorrect type. Expected one of ${types.join(', ')}.`
        : `Incorrect type. Expected "${types[0]}".`;
    }
    case 'minimum':
      return `Value is below the minimum of ${String(p['limit'])}.`;
    case 'maximum':
      return `Value is above the maximum of ${String(p['limit'])}.`;
    case 'exclusiveMinimum':
      return `Value is below the exclusive minimum of ${String(p['limit'])}.`;
    case 'exclusiveMaximum':
      return `Value is above the exclusive maximum of ${String(p['limit'])}.`;
    case 'multipleOf':
      return `Value is not divisible by ${String(p['multipleOf'])}.`;
    case 'pattern':
      return `String does not match the pattern of "${String(p['pattern'])}".`;
    case 'minLength':
      return `String is shorter than the minimum length of ${String(p['limit'])}.`;
    case 'maxLength':
      return `String is longer than the maximum length of ${String(p['limit'])}.`;
    case 'enum':
      return `Value is not accepted. Valid values: ${(p['allowedValues'] as unknown[]).map(json).join(', ')}.`;
    case 'const':
      return `Value must be ${json(p['allowedValue'])}.`;
    case 'minItems':
      return `Array has too few items. Expected ${String(p['limit'])} or more.`;
    case 'maxItems':
      return `Array has too many items. Expected ${String(p['limit'])} or fewer.`;
    case 'uniqueItems':
      return 'Array has duplicate items.';
    case 'contains':
      return 'Array does not contain required item.';
    case 'minProperties':
      return `Object has fewer properties than the required number of ${String(p['limit'])}.`;
    case 'maxProperties':
      return `Object has more properties than limit of ${String(p['limit'])}.`;
    case 'oneOf':
      return p['passingSchemas'] === null
        ? 'Matches none of the allowed schemas.'
        : 'Matches multiple schemas when only one must validate.';
    case 'anyOf':
      return 'Matches none of the allowed schemas.';
    case 'not':
    case 'false schema':
      return 'Matches a schema that is not allowed.';
    default:
      return `Does not match the schema (${e.keyword}).`;
  }
}

/** "/0/a~1b" → [0, "a/b"]: array indexes as numbers, so that the locator can walk arrays. */
function fromPointer(pointer: string): JsonPointer {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
}

function toPointer(pointer: JsonPointer): string {
  return `/${pointer.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

/** Pointer → range over one text; the tree is parsed on first use (only files with findings pay for it). */
class Locator {
  private root: Node | undefined | null = null;
  private lines: LineIndex | undefined;
  constructor(private readonly text: string) {}

  tree(): Node | undefined {
    if (this.root === null) this.root = parseTree(this.text, [], { disallowComments: true });
    return this.root;
  }

  range(pointer: JsonPointer, anchor: Anchor): Range | undefined {
    const root = this.tree();
    const node = root ? findNodeAtLocation(root, pointer as (string | number)[]) : undefined;
    if (!node) return undefined;
    const key = node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
    // A missing key is shown on the key of the object that lacks it, or on its first character.
    if (anchor === 'key' || (anchor === 'start' && key)) return key ? this.of(key.offset, key.length) : undefined;
    return this.of(node.offset, anchor === 'start' ? 1 : node.length);
  }

  of(offset: number, length: number): Range {
    this.lines ??= new LineIndex(this.text);
    return this.lines.range(offset, offset + length);
  }
}

/**
 * Every occurrence of a key that an object has more than once (JSON.parse keeps the
 * last value silently). The text is only parsed for them when its member count is
 * larger than the parsed value's key count, i.e. almost never.
 */
function duplicateKeys(text: string, value: unknown): Problem[] {
  if (membersInText(text) === keysInValue(value)) return [];
  const root = parseTree(text, [], { disallowComments: true });
  const out: Problem[] = [];
  const walk = (node: Node, at: (string | number)[]): void => {
    if (node.type === 'array') node.children?.forEach((c, i) => walk(c, [...at, i]));
    if (node.type !== 'object') return;
    const count = new Map<string, number>();
    for (const prop of node.children ?? []) {
      const k = prop.children?.[0]?.value as string;
      count.set(k, (count.get(k) ?? 0) + 1);
    }
    for (const prop of node.children ?? []) {
      const keyNode = prop.children?.[0];
      const k = keyNode?.value as string;
      if (keyNode && count.get(k)! > 1) {
        const message = 'duplicate key; JSON readers keep only the last value';
        out.push({ pointer: [...at, k], anchor: 'key', message, at: [keyNode.offset, keyNode.length] });
      }
      const child = prop.children?.[1];
      if (child) walk(child, [...at, k]);
    }
  };
  if (root) walk(root, []);
  return out;
}

/** Strings followed by a colon: the members of every object in the text (valid JSON). */
function membersInText(text: string): number {
  let n = 0;
  for (let i = text.indexOf('"'); i !== -1; i = text.indexOf('"', i + 1)) {
    // The closing quote: the first one not escaped by an odd run of backslashes.
    let j = text.indexOf('"', i + 1);
    for (;;) {
      if (j === -1) return n;
      let bs = 0;
      while (text.charCodeAt(j - 1 - bs) === 92) bs++;
      if (bs % 2 === 0) break;
      j = text.indexOf('"', j + 1);
    }
    let k = j + 1;
    while (isJsonSpace(text.charCodeAt(k))) k++;
    if (text.charCodeAt(k) === 58 /* : */) n++;
    i = j;
  }
  return n;
}

function isJsonSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function keysInValue(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  let n = 0;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) n += keysInValue(v[i]);
    return n;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) n += 1 + keysInValue(o[k]);
  return n;
}

/** Typed codes that judge the shape of the very value (or object) they point at. */
const SHAPE_CODES: ReadonlySet<FindingCode> = new Set<FindingCode>([
  'item.invalid-json',
  'item.too-deep',
  'item.not-array',
  'item.empty-history',
  'item.not-object',
  'item.missing-start-date',
  'item.bad-transaction-id',
  'item.unknown-type',
  'item.bad-digest',
  'item.schema',
  'item.date-as-string',
  'item.end-date-sentinel',
  'item.type-as-name',
  'item.tags-as-string',
  'account.invalid-json',
  'account.schema',
  'map.invalid',
]);

/**
 * Typed findings plus the schema findings they do not already explain. A schema
 * finding is dropped when a typed finding of the same file
 * - is the same finding (code, range, message): the syntax findings of invalid JSON;
 * - has a shape code and exactly the same range (e.g. "type": "message" is
 *   item.type-as-name, not also a schema type mismatch);
 * - for a missing key K (reported on the object's first character or its key): has a
 *   shape code, starts there and names "K" (item.missing-start-date for start-date).
 */
export function mergeSchemaFindings(typed: readonly Finding[], schema: readonly SchemaFinding[]): Finding[] {
  // Typed findings indexed by what they can explain: a file full of findings on both
  // sides stays linear instead of comparing every pair.
  const same = new Set<string>();
  const shapeRanges = new Set<string>();
  const shapeStarts = new Map<string, string[]>();
  for (const t of typed) {
    same.add(sameKey(t));
    if (!SHAPE_CODES.has(t.code)) continue;
    shapeRanges.add(`${t.path}\0${rangeKey(t.range)}`);
    if (t.range === undefined) continue;
    const at = `${t.path}\0${positionKey(t.range.start)}`;
    const messages = shapeStarts.get(at);
    if (messages) messages.push(t.message);
    else shapeStarts.set(at, [t.message]);
  }
  const explained = (s: SchemaFinding): boolean => {
    if (same.has(sameKey(s)) || shapeRanges.has(`${s.path}\0${rangeKey(s.range)}`)) return true;
    const missing = s.missing;
    if (missing === undefined || s.range === undefined) return false;
    return (
      shapeStarts.get(`${s.path}\0${positionKey(s.range.start)}`)?.some((m) => m.includes(`"${missing}"`)) === true
    );
  };
  const kept: Finding[] = [];
  for (const s of schema) {
    if (explained(s)) continue;
    const { missing: _missing, ...f } = s;
    kept.push(f);
  }
  return [...typed, ...kept];
}

function sameKey(f: Finding): string {
  return `${f.path}\0${f.code}\0${rangeKey(f.range)}\0${f.message}`;
}

function rangeKey(r: Range | undefined): string {
  return r === undefined ? '-' : `${positionKey(r.start)}-${positionKey(r.end)}`;
}

function positionKey(p: Range['start']): string {
  return `${p.line}:${p.character}`;
}
