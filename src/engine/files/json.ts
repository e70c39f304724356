/** Shared reading of small JSON metadata files (account files, map files). */
import { isUtf8 } from 'node:buffer';
import { finding, type Finding, type FindingCode } from '../findings';
import { nestingDepthExceeds, MAX_NESTING, syntaxFindings, describeType, PendingFindings } from '../item/parse';
import { parseInstant, SECONDS_THRESHOLD } from '../dates';
import type { JsonPointer } from '../item/types';

export type JsonObjectRead =
  { ok: true; text: string; value: Record<string, unknown> } | { ok: false; findings: Finding[] };

/** Decodes, depth-checks and parses a JSON object; every failure is a finding with `invalidCode`. */
export function readJsonObject(bytes: Uint8Array | string, path: string, invalidCode: FindingCode): JsonObjectRead {
  let text: string;
  if (typeof bytes === 'string') text = bytes;
  else {
    if (!isUtf8(bytes)) return { ok: false, findings: [finding(invalidCode, path, 'not valid UTF-8')] };
    text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (nestingDepthExceeds(text, MAX_NESTING) !== undefined) {
    return { ok: false, findings: [finding(invalidCode, path, `nesting deeper than ${MAX_NESTING} levels`)] };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, findings: syntaxFindings(text, path, invalidCode) };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      ok: false,
      findings: [finding(invalidCode, path, `expected a JSON object, found ${describeType(value)}`)],
    };
  }
  return { ok: true, text, value: value as Record<string, unknown> };
}

/** Typed field readers that record a finding (with a pointer) when a value has the wrong shape. */
export class FieldReader {
  constructor(
    private readonly obj: Record<string, unknown>,
    private readonly pending: PendingFindings,
    private readonly schemaCode: FindingCode,
    private readonly base: JsonPointer = [],
  ) {}
  private at(key: string): JsonPointer {
    return [...this.base, key];
  }
  private wrong(key: string, expected: string): undefined {
    this.pending.add(
      this.schemaCode,
      `"${key}" should be ${expected}, found ${describeType(this.obj[key])}`,
      this.at(key),
    );
    return undefined;
  }
  string(key: string): string | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    return typeof v === 'string' ? v : this.wrong(key, 'a string');
  }
  int(key: string): number | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    return typeof v === 'number' && Number.isInteger(v) ? v : this.wrong(key, 'an integer');
  }
  bool(key: string): boolean | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    return typeof v === 'boolean' ? v : this.wrong(key, 'true or false');
  }
  /** Epoch ms; epoch seconds and date strings are accepted too. */
  date(key: string): number | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v < SECONDS_THRESHOLD ? v * 1000 : v;
    if (typeof v === 'string') {
      const at = parseInstant(v, 'UTC');
      if (at !== undefined) return at;
    }
    return this.wrong(key, 'a date in epoch milliseconds');
  }
  object(key: string): Record<string, unknown> | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    return typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : this.wrong(key, 'an object');
  }
  array(key: string): unknown[] | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    return Array.isArray(v) ? v : this.wrong(key, 'an array');
  }
  /** Reports keys outside `known` with `unknownCode`, and returns them. */
  unknownKeys(known: ReadonlySet<string>, unknownCode: FindingCode): Record<string, unknown> {
    const extra: Record<string, unknown> = {};
    for (const key of Object.keys(this.obj)) {
      if (!known.has(key)) {
        extra[key] = this.obj[key];
        this.pending.add(unknownCode, `unknown key "${key}" kept as is`, this.at(key), { atKey: true });
      }
    }
    return extra;
  }
}
