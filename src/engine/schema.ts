/**
 * Validation of JSON metadata against the JSON Schemas in schemas/ (or a user's
 * override folder), with vscode-json-languageservice so that the language server
 * runs exactly the same validation as the CLI.
 *
 * Who reports what: the typed readers (item/parse, files/account, files/maps) own
 * syntax and every shape they understand; the schema adds what they do not check
 * (patterns, minimums, required keys, duplicate keys). `mergeSchemaFindings` drops a
 * schema finding the typed readers already report for the same place and cause:
 * the typed finding wins, because its code and remedy are more precise.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type {
  ASTNode,
  Diagnostic,
  JSONSchema,
  LanguageService,
  SchemaConfiguration,
} from 'vscode-json-languageservice';

type JsonLanguageService = typeof import('vscode-json-languageservice');
/**
 * Loaded with the first validator, not with the module: the CLI's other commands and
 * the bulk check never validate against a schema and start ~20 ms sooner.
 */
let jls: JsonLanguageService | undefined;
import { EngineError, finding, type Finding, type FindingCode, type Range } from './findings';
import { describeIoError } from './fsx';
import { classifyRelPath } from './layout';
import { MAX_NESTING, nestingDepthExceeds, parseItemText } from './item/parse';
import { readJsonObject } from './files/json';
import itemSchema from '../../schemas/item.schema.json';
import accountInfoSchema from '../../schemas/account_info.schema.json';
import accountStatSchema from '../../schemas/account_stat.schema.json';
import backupstatSchema from '../../schemas/backupstat.schema.json';
import mapSchema from '../../schemas/map.schema.json';

export type SchemaKind = 'item' | 'account_info' | 'account_stat' | 'backupstat' | 'map';
export const SCHEMA_KINDS: readonly SchemaKind[] = ['item', 'account_info', 'account_stat', 'backupstat', 'map'];

/** File name of each schema, in schemas/ and in an override folder alike. */
export const SCHEMA_FILES: Readonly<Record<SchemaKind, string>> = {
  item: 'item.schema.json',
  account_info: 'account_info.schema.json',
  account_stat: 'account_stat.schema.json',
  backupstat: 'backupstat.schema.json',
  map: 'map.schema.json',
};

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
  /** Identifier given to the language service ($ref base). */
  uri: string;
  origin: 'built-in' | 'override';
  /** The override file, when origin is 'override'. */
  file?: string;
}

export interface SchemaValidator {
  readonly sources: Readonly<Record<SchemaKind, SchemaSource>>;
  /** A fresh copy of the schema (the language service mutates the objects it is given). */
  schemaFor(kind: SchemaKind): JSONSchema;
  /** Ready for `LanguageService.configure({ schemas })` with SCHEMA_FILE_MATCH patterns. */
  schemaConfigurations(): SchemaConfiguration[];
  /**
   * Findings of `text` (a file of `kind`, at `path` relative to the backup path).
   * Text that is not JSON gets the typed reader's own syntax findings (same code,
   * range and message), so a schema-only caller never sees "valid".
   * `opts.parsed`: the caller's typed reader already accepted the text as JSON no
   * deeper than MAX_NESTING, so that pre-check (a scan and a JSON.parse) is skipped.
   */
  validate(kind: SchemaKind, text: string, path: string, opts?: ValidateOptions): Promise<Finding[]>;
}

export interface ValidateOptions {
  parsed?: boolean;
}

/** The schema kind of a file from its path relative to the backup path, if it has one. */
export function schemaKindOf(relPath: string): SchemaKind | undefined {
  const k = classifyRelPath(relPath);
  switch (k.kind) {
    case 'item':
    case 'drive-item':
      return 'item';
    case 'account-file':
      return k.file;
    case 'root-backupstat':
      return 'backupstat';
    case 'map':
      return 'map';
    default:
      return undefined;
  }
}

/**
 * Loads the schemas (an override folder's file wins over ours, a missing one falls
 * back to ours) and checks that each one resolves. Throws EngineError naming the
 * folder or file when it cannot be used.
 */
export async function createSchemaValidator(opts: { schemaDir?: string } = {}): Promise<SchemaValidator> {
  const sources = {} as Record<SchemaKind, SchemaSource>;
  const schemas = {} as Record<SchemaKind, JSONSchema>;
  const dir = opts.schemaDir === undefined || opts.schemaDir === '' ? undefined : path.resolve(opts.schemaDir);
  if (dir !== undefined) await assertFolder(dir);
  for (const kind of SCHEMA_KINDS) {
    const loaded = dir === undefined ? undefined : await loadOverride(path.join(dir, SCHEMA_FILES[kind]));
    if (loaded) {
      schemas[kind] = loaded.schema;
      sources[kind] = { kind, uri: pathToFileURL(loaded.file).href, origin: 'override', file: loaded.file };
    } else {
      schemas[kind] = BUILT_IN[kind] as JSONSchema;
      sources[kind] = { kind, uri: `https://zxbackup.invalid/schemas/${SCHEMA_FILES[kind]}`, origin: 'built-in' };
    }
  }

  jls ??= await import('vscode-json-languageservice');
  const service = jls.getLanguageService({});
  service.configure({
    validate: true,
    allowComments: false,
    schemas: SCHEMA_KINDS.map((kind) => ({
      uri: sources[kind].uri,
      fileMatch: [validationUri(kind)],
      schema: structuredClone(schemas[kind]),
    })),
  });
  for (const kind of SCHEMA_KINDS) await assertResolves(service, kind, sources[kind]);

  let version = 0;
  return {
    sources,
    schemaFor: (kind) => structuredClone(schemas[kind]),
    schemaConfigurations: () =>
      SCHEMA_KINDS.map((kind) => ({
        uri: sources[kind].uri,
        fileMatch: [...SCHEMA_FILE_MATCH[kind]],
        schema: structuredClone(schemas[kind]),
      })),
    validate: (kind, text, filePath, opts = {}) => validateWith(service, kind, text, filePath, ++version, opts),
  };
}

/** A document URI only the validator's own association matches, whatever the file's real name. */
function validationUri(kind: SchemaKind): string {
  return `file:///zxbackup-validate/${kind}.json`;
}

async function assertFolder(dir: string): Promise<void> {
  try {
    const st = await fs.stat(dir);
    if (!st.isDirectory())
      throw new EngineError(finding('usage.bad-argument', dir, `the schema folder ${dir} is not a folder`));
  } catch (err) {
    if (err instanceof EngineError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const f = code === 'ENOENT' ? 'io.not-found' : 'io.unreadable';
    throw new EngineError(finding(f, dir, `cannot use the schema folder ${dir}: ${describeIoError(err)}`));
  }
}

async function loadOverride(file: string): Promise<{ file: string; schema: JSONSchema } | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
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

/** Unresolvable $refs are reported by the service on every document: probe once, fail early. */
async function assertResolves(service: LanguageService, kind: SchemaKind, source: SchemaSource): Promise<void> {
  const doc = jls!.TextDocument.create(validationUri(kind), 'json', 0, 'null');
  const diagnostics = await service.doValidation(doc, service.parseJSONDocument(doc));
  const broken = diagnostics.find((d) => d.code === jls!.ErrorCode.SchemaResolveError);
  if (broken) {
    const name = source.file ?? SCHEMA_FILES[kind];
    throw new EngineError(
      finding('usage.bad-schema', name, `the schema ${name} cannot be used: ${messageText(broken)}`),
    );
  }
}

async function validateWith(
  service: LanguageService,
  kind: SchemaKind,
  input: string,
  filePath: string,
  version: number,
  opts: ValidateOptions,
): Promise<Finding[]> {
  // Same basis as the typed readers: a BOM is not part of the text (editors drop it too).
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const syntax = opts.parsed === true ? undefined : syntaxOnly(kind, text, filePath);
  if (syntax) return syntax;

  let doc = jls!.TextDocument.create(validationUri(kind), 'json', version, text);
  let json = service.parseJSONDocument(doc);
  // The service would validate against the schema a "$schema" key names instead of ours:
  // hide the key under a name of the same length, so ranges stay right.
  const own =
    json.root?.type === 'object'
      ? json.root.properties.find((p) => p.keyNode.value === '$schema' && p.keyNode.length === 9)
      : undefined;
  if (own) {
    const at = own.keyNode.offset;
    doc = jls!.TextDocument.create(
      validationUri(kind),
      'json',
      version,
      `${text.slice(0, at)}"_schema"${text.slice(at + own.keyNode.length)}`,
    );
    json = service.parseJSONDocument(doc);
  }
  const diagnostics = await service.doValidation(doc, json);
  const code = SCHEMA_FINDING_CODE[kind];
  const out: Finding[] = [];
  for (const d of diagnostics) {
    const where = pointerAtOffset(json.root, doc.offsetAt(d.range.start));
    out.push(finding(code, filePath, `${where}: ${describeDiagnostic(d)}`, { range: toRange(d) }));
  }
  return out;
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

function describeDiagnostic(d: Diagnostic): string {
  if (d.code === jls!.ErrorCode.DuplicateKey) return 'duplicate key; JSON readers keep only the last value';
  return messageText(d);
}

function messageText(d: Diagnostic): string {
  return typeof d.message === 'string' ? d.message : d.message.value;
}

function toRange(d: Diagnostic): Range {
  return {
    start: { line: d.range.start.line, character: d.range.start.character },
    end: { line: d.range.end.line, character: d.range.end.character },
  };
}

/**
 * "at /0/size": a JSON Pointer (RFC 6901) to the innermost value (or key) holding
 * `offset`, the node JSONDocument.getNodeFromOffset(offset, true) finds. Children are
 * in text order, so each level is a binary search: a file with thousands of
 * transactions and as many diagnostics stays linear.
 */
function pointerAtOffset(root: ASTNode | undefined, offset: number): string {
  const parts: string[] = [];
  if (root === undefined || !holds(root, offset)) return 'at the root';
  for (let node: ASTNode = root; ;) {
    const children = node.children ?? [];
    const i = childAt(children, offset);
    const child = children[i];
    if (child === undefined) break;
    if (child.type === 'property') parts.push(child.keyNode.value.replace(/~/g, '~0').replace(/\//g, '~1'));
    else if (node.type === 'array') parts.push(String(i));
    node = child;
  }
  return parts.length === 0 ? 'at the root' : `at /${parts.join('/')}`;
}

/** Index of the first child holding `offset` (right bound included), or -1. */
function childAt(children: readonly ASTNode[], offset: number): number {
  let lo = 0;
  let hi = children.length - 1;
  let last = -1; // the last child starting at or before offset
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (children[mid]!.offset <= offset) {
      last = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  // A child ending exactly at offset comes first, as in getNodeFromOffset's scan.
  if (last > 0 && holds(children[last - 1]!, offset)) return last - 1;
  return last >= 0 && holds(children[last]!, offset) ? last : -1;
}

function holds(node: ASTNode, offset: number): boolean {
  return offset >= node.offset && offset <= node.offset + node.length;
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

const MISSING_PROPERTY = /Missing property "([^"]+)"/;

/**
 * Typed findings plus the schema findings they do not already explain. A schema
 * finding is dropped when a typed finding of the same file
 * - is the same finding (code, range, message): the syntax findings of invalid JSON;
 * - has a shape code and exactly the same range (e.g. "type": "message" is
 *   item.type-as-name, not also a schema type mismatch);
 * - for "Missing property K" (reported on an object's first character): has a shape
 *   code, starts at that object and names "K" (item.missing-start-date for start-date).
 */
export function mergeSchemaFindings(typed: readonly Finding[], schema: readonly Finding[]): Finding[] {
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
  const explained = (s: Finding): boolean => {
    if (same.has(sameKey(s)) || shapeRanges.has(`${s.path}\0${rangeKey(s.range)}`)) return true;
    const missing = MISSING_PROPERTY.exec(s.message)?.[1];
    if (missing === undefined || s.range === undefined) return false;
    return (
      shapeStarts.get(`${s.path}\0${positionKey(s.range.start)}`)?.some((m) => m.includes(`"${missing}"`)) === true
    );
  };
  return [...typed, ...schema.filter((s) => !explained(s))];
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
