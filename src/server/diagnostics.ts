/**
 * Diagnostics for one open document: the engine's own rules for its kind (the same
 * codes as the coherency check), JSON Schema validation, and cheap cross-file facts.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseTree, findNodeAtLocation } from 'jsonc-parser';
import type { Diagnostic } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import {
  finding,
  say,
  JSON_FILE_READERS,
  parseIdMapper,
  schemaKindOfFile,
  MAX_NESTING,
  nestingDepthExceeds,
  absOf,
  accountRelPath,
  itemRelPath,
  unknownIdmapItemFinding,
  unknownMapAccountFinding,
  wrongBucketOf,
  LineIndex,
  throwIfCancelled,
  type Finding,
  mergeSchemaFindings,
  type JsonFileKind,
  type SchemaKind,
} from '../engine';
import type { ServerSettings } from '../shared/protocol';
import { ANALYSIS_LIMIT_CHARS, SCHEMA_LIMIT_CHARS, analyzeItemDocument, type ItemAnalysis } from './analysis';
import { findingToDiagnostic, SOURCE } from './convert';
import { crossFileItemFindings } from './crossFile';
import { accountOf, type DocumentInfo } from './documents';
import type { RootContexts } from './rootContext';
import { schemaValidator, type ValidatorResult } from './schemaValidation';

/** Beyond this, one summary diagnostic says how many were left out: the Problems panel stays usable. */
export const MAX_DIAGNOSTICS_PER_DOCUMENT = 500;

export interface DiagnosticsContext {
  settings: ServerSettings;
  roots: RootContexts;
  signal?: AbortSignal;
}

export async function computeDiagnostics(
  doc: TextDocument,
  info: DocumentInfo,
  ctx: DiagnosticsContext,
): Promise<Diagnostic[]> {
  // The check never follows a link inside a backup path; an editor did, so say what the check says.
  if (info.root !== undefined && info.fsPath !== undefined && (await isSymlink(info.fsPath))) {
    return [findingToDiagnostic(say('io.symlink', info.rel, { rel: info.rel }))];
  }
  switch (info.kind) {
    case 'item':
      return capped(await itemDiagnostics(doc, info, ctx));
    case 'account':
    case 'map':
      return capped(await jsonFileDiagnostics(doc, info, ctx));
    case 'idmap':
      return capped(await idMapperDiagnostics(doc, info, ctx));
    default:
      return [];
  }
}

function tooLarge(info: DocumentInfo, chars: number, what: string): Diagnostic {
  const mb = (chars / (1024 * 1024)).toFixed(1);
  return findingToDiagnostic(finding('io.too-large', info.rel, `${mb} MB (${chars} characters): ${what}`));
}

async function itemDiagnostics(doc: TextDocument, info: DocumentInfo, ctx: DiagnosticsContext): Promise<Diagnostic[]> {
  const a = analyzeItemDocument(doc, info);
  if (a.tooLarge)
    return [
      tooLarge(
        info,
        a.text.length,
        `over the ${ANALYSIS_LIMIT_CHARS}-character limit for interactive analysis; run the coherency check on this file`,
      ),
    ];
  const findings: Finding[] = [...layoutFindings(info), ...a.history.findings];
  if (a.history.parsed) {
    throwIfCancelled(ctx.signal);
    // The schema service is CPU work, the cross-file facts mostly I/O: run them side by side.
    const [schema, cross] = await Promise.all([
      itemSchemaFindings(a, info, ctx.settings, [...findings]),
      crossFileItemFindings(
        a,
        info.root !== undefined ? ctx.roots.get(info.root) : undefined,
        accountOf(info),
        ctx.settings.retentionDays,
        ctx.signal,
      ),
    ]);
    findings.push(...schema, ...cross);
  }
  return findings.map((f) => findingToDiagnostic(f, a.bomOffset));
}

/** The file's place in the layout, as the coherency check's walk judges it. */
function layoutFindings(info: DocumentInfo): Finding[] {
  const wrong = wrongBucketOf(info.rel, info.file);
  return wrong ? [wrong] : [];
}

/** Schema findings of an item version, per validator and path: a re-pull of an unchanged version (a refresh, another file's change) does not validate again. */
const itemSchemaMemo = new WeakMap<
  ItemAnalysis,
  { validator: ValidatorResult; rel: string; findings: Promise<Finding[]> }
>();

async function itemSchemaFindings(
  a: ItemAnalysis,
  info: DocumentInfo,
  settings: ServerSettings,
  typed: readonly Finding[],
): Promise<Finding[]> {
  const v = await schemaValidator(settings.schemaDirectory);
  const hit = itemSchemaMemo.get(a);
  if (hit && hit.validator === v && hit.rel === info.rel) return hit.findings;
  const findings = schemaFindings('item', a.text, info, v, typed);
  itemSchemaMemo.set(a, { validator: v, rel: info.rel, findings });
  findings.catch(() => itemSchemaMemo.delete(a));
  return findings;
}

/**
 * Schema findings the typed readers do not already explain (mergeSchemaFindings: the
 * tolerant parser says more precisely why, e.g. "date given as a string"). Called
 * only on text the typed reader parsed, so the validator skips its own syntax check.
 */
async function schemaFindings(
  kind: SchemaKind,
  text: string,
  info: DocumentInfo,
  v: ValidatorResult,
  typed: readonly Finding[],
): Promise<Finding[]> {
  if (text.length > SCHEMA_LIMIT_CHARS) {
    return [
      finding(
        'io.too-large',
        info.rel,
        `schema validation skipped: the document is over ${SCHEMA_LIMIT_CHARS} characters`,
        { severity: 'info' },
      ),
    ];
  }
  if (!v.ok)
    return [finding('usage.bad-schema', info.rel, `schema validation skipped: ${v.error}`, { severity: 'info' })];
  const schema = await v.validator.validate(kind, text, info.rel, { parsed: true });
  return mergeSchemaFindings(typed, schema).slice(typed.length);
}

/** The file's schema by its place in the backup path (the file-kind table), or for a copy elsewhere by its name and language. */
function schemaNameOf(info: DocumentInfo): JsonFileKind | undefined {
  const byPath = schemaKindOfFile(info.file);
  if (byPath !== undefined) return byPath === 'item' ? undefined : byPath;
  if (info.kind === 'map') return 'map';
  const base = path.basename(info.fsPath ?? info.rel);
  if (base === 'account_info' || base === 'account_stat' || base === 'backupstat') return base;
  return undefined;
}

async function jsonFileDiagnostics(
  doc: TextDocument,
  info: DocumentInfo,
  ctx: DiagnosticsContext,
): Promise<Diagnostic[]> {
  const full = doc.getText();
  const bom = full.charCodeAt(0) === 0xfeff ? 1 : 0;
  const text = bom ? full.slice(1) : full;
  if (text.length > ANALYSIS_LIMIT_CHARS) return [tooLarge(info, text.length, 'not analysed interactively')];
  const name = schemaNameOf(info);
  if (name === undefined) return [];
  const accountId = accountOf(info);
  const parsed = JSON_FILE_READERS[name](text, info.rel, accountId);
  const findings = [...parsed.findings];
  if (parsed.value !== undefined) {
    findings.push(
      ...(await schemaFindings(name, text, info, await schemaValidator(ctx.settings.schemaDirectory), findings)),
    );
    if (name === 'map' && info.root !== undefined) findings.push(...(await mapAccountFindings(text, info, ctx)));
  }
  return findings.map((f) => findingToDiagnostic(f, bom));
}

/**
 * map.unknown-account: a destinationId with no folder under accounts/. Called only
 * once parseMapFile accepted the text (so it is JSON, not too deep); entries are
 * read raw to keep their index for the pointer, as the coherency check does.
 */
async function mapAccountFindings(text: string, info: DocumentInfo, ctx: DiagnosticsContext): Promise<Finding[]> {
  if (info.root === undefined || nestingDepthExceeds(text, MAX_NESTING) !== undefined) return [];
  const tree = parseTree(text, [], { disallowComments: true });
  const lines = new LineIndex(text);
  const raw = JSON.parse(text) as { accounts?: unknown[] };
  const out: Finding[] = [];
  const list = Array.isArray(raw.accounts) ? raw.accounts : [];
  for (let i = 0; i < list.length && i < 5000; i++) {
    const entry = list[i] as { destinationId?: unknown } | null;
    const dest = entry && typeof entry === 'object' ? entry.destinationId : undefined;
    if (typeof dest !== 'string') continue;
    if (await dirExists(absOf(info.root, accountRelPath(dest.toLowerCase())))) continue;
    const node = tree ? findNodeAtLocation(tree, ['accounts', i, 'destinationId']) : undefined;
    out.push(unknownMapAccountFinding(info.rel, i, dest, node && lines.range(node.offset, node.offset + node.length)));
    throwIfCancelled(ctx.signal);
  }
  return out;
}

async function isSymlink(abs: string): Promise<boolean> {
  try {
    return (await fs.lstat(abs)).isSymbolicLink();
  } catch {
    return false;
  }
}

async function dirExists(abs: string): Promise<boolean> {
  try {
    return (await fs.stat(abs)).isDirectory();
  } catch {
    return false;
  }
}

async function idMapperDiagnostics(
  doc: TextDocument,
  info: DocumentInfo,
  ctx: DiagnosticsContext,
): Promise<Diagnostic[]> {
  const text = doc.getText();
  if (text.length > ANALYSIS_LIMIT_CHARS) return [tooLarge(info, text.length, 'not analysed interactively')];
  const parsed = parseIdMapper(text, info.rel);
  const findings = [...parsed.findings];
  const accountId = accountOf(info);
  if (info.root !== undefined && accountId !== undefined) {
    const root = ctx.roots.get(info.root);
    let lookups = 0;
    for (const m of parsed.mappings) {
      if (++lookups > 5000) break;
      if (await root.hasFile(absOf(info.root, itemRelPath(accountId, m.destinationItemId)))) continue;
      const [from, to] = m.destinationColumns;
      findings.push(
        unknownIdmapItemFinding(info.rel, m.line, m.destinationItemId, {
          start: { line: m.line, character: from },
          end: { line: m.line, character: to },
        }),
      );
      if (lookups % 200 === 0) throwIfCancelled(ctx.signal);
    }
  }
  return findings.map((f) => findingToDiagnostic(f));
}

function capped(diagnostics: Diagnostic[]): Diagnostic[] {
  if (diagnostics.length <= MAX_DIAGNOSTICS_PER_DOCUMENT) return diagnostics;
  const kept = diagnostics.slice(0, MAX_DIAGNOSTICS_PER_DOCUMENT);
  kept.push({
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
    severity: 3,
    source: SOURCE,
    message: `${diagnostics.length - MAX_DIAGNOSTICS_PER_DOCUMENT} more diagnostics not shown (run the coherency check for the full list)`,
  });
  return kept;
}
