import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import {
  EngineError,
  FINDINGS,
  compareFindings,
  failWith,
  finding,
  hasErrors,
  isFindingCode,
  type Finding,
  type FindingCode,
} from '../../src/engine/findings';
import { FINDINGS_DOC, PREFIX_SECTIONS, prefixOf, renderFindingsDoc } from '../../scripts/gen-findings-doc';

const CODES = Object.keys(FINDINGS) as FindingCode[];
const KEBAB_CODE = /^[a-z]+\.[a-z0-9]+(-[a-z0-9]+)*$/;

/** Codes in the doc's tables, read from the Markdown itself (not from the renderer). */
function documentedCodes(doc: string): string[] {
  return [...doc.matchAll(/^\| `([^`]+)` \| (error|warning|info) \|/gm)].map((m) => m[1]!);
}

describe('findings catalogue', () => {
  it('codes are <prefix>.<kebab-case> with a documented prefix', () => {
    for (const code of CODES) {
      assert.match(code, KEBAB_CODE, code);
      assert.ok(
        prefixOf(code) in PREFIX_SECTIONS,
        `${code}: add its prefix to PREFIX_SECTIONS in scripts/gen-findings-doc.ts`,
      );
    }
  });
  it('every code has a severity, a title and a non-empty remedy', () => {
    for (const code of CODES) {
      const e = FINDINGS[code];
      assert.ok(['error', 'warning', 'info'].includes(e.severity), code);
      assert.ok(e.title.trim().length > 0, `${code} has no title`);
      assert.ok(e.remedy.trim().length > 0, `${code} has no remedy`);
    }
  });

  describe('docs/findings.md', () => {
    const doc = readFileSync(FINDINGS_DOC, 'utf8');
    it("lists exactly the catalogue's codes, each once", () => {
      const listed = documentedCodes(doc);
      const missing = CODES.filter((c) => !listed.includes(c));
      const extra = listed.filter((c) => !isFindingCode(c));
      assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, 'run npm run docs:findings');
      assert.equal(listed.length, new Set(listed).size, 'a code is listed twice');
    });
    it('gives each code its catalogue severity and remedy', () => {
      for (const code of CODES) {
        const row = doc.split('\n').find((l) => l.startsWith(`| \`${code}\` |`));
        assert.ok(row, code);
        assert.ok(row.startsWith(`| \`${code}\` | ${FINDINGS[code].severity} |`), row);
        assert.ok(
          row.includes(FINDINGS[code].remedy.replace(/\|/g, '\\|')),
          `${code}: remedy differs, run npm run docs:findings`,
        );
      }
    });
    it('is exactly what npm run docs:findings writes', () => {
      assert.ok(doc === renderFindingsDoc(), 'docs/findings.md is out of date: run npm run docs:findings');
    });
    it('has one section per prefix and explains the finding model and exit codes', () => {
      const prefixes = [...new Set(CODES.map(prefixOf))];
      for (const p of prefixes) assert.match(doc, new RegExp(`^## .*\\(\`${p}\\.\\*\`\\)$`, 'm'), p);
      for (const field of ['code', 'severity', 'path', 'range', 'message', 'remedy'])
        assert.match(doc, new RegExp(`^\\| \`${field}\` \\|`, 'm'), field);
      assert.match(doc, /## Exit codes/);
      for (const exit of ['0', '1', '2']) assert.match(doc, new RegExp(`^\\| ${exit} \\|`, 'm'));
    });
  });
});

describe('finding helpers', () => {
  it('finding() takes severity and remedy from the catalogue unless overridden', () => {
    const f = finding('item.interval-gap', 'a/b', 'gap');
    assert.deepEqual(f, {
      code: 'item.interval-gap',
      severity: 'warning',
      path: 'a/b',
      message: 'gap',
      remedy: FINDINGS['item.interval-gap'].remedy,
    });
    assert.ok(!('range' in f));
    const range = { start: { line: 1, character: 2 }, end: { line: 1, character: 5 } };
    const g = finding('item.interval-gap', 'a/b', 'gap', { range, severity: 'error', remedy: 'other' });
    assert.deepEqual([g.severity, g.remedy, g.range], ['error', 'other', range]);
  });
  it('isFindingCode knows only catalogue codes (not inherited keys)', () => {
    assert.equal(isFindingCode('item.schema'), true);
    for (const bad of ['toString', '__proto__', 'item', 'item.nope', '']) assert.equal(isFindingCode(bad), false, bad);
  });
  it('hasErrors', () => {
    assert.equal(hasErrors([]), false);
    assert.equal(hasErrors([finding('item.unknown-field', '', 'x')]), false);
    assert.equal(hasErrors([finding('item.unknown-field', '', 'x'), finding('item.invalid-json', '', 'y')]), true);
    assert.equal(hasErrors([finding('item.invalid-json', '', 'y', { severity: 'warning' })]), false);
  });
  it('compareFindings orders by path, line, character, severity, code', () => {
    const r = (line: number, character: number) => ({ start: { line, character }, end: { line, character } });
    const list: Finding[] = [
      finding('item.unknown-field', 'b', 'x', { range: r(0, 0) }),
      finding('item.schema', 'a', 'x', { range: r(2, 0) }),
      finding('item.unknown-field', 'a', 'x', { range: r(1, 5) }),
      finding('item.invalid-json', 'a', 'x', { range: r(1, 5) }),
      finding('item.not-array', 'a', 'x'),
      finding('item.bad-digest', 'a', 'x', { range: r(1, 5) }),
    ];
    const sorted = [...list].sort(compareFindings).map((f) => `${f.path}:${f.range?.start.line ?? '-'}:${f.code}`);
    assert.deepEqual(sorted, [
      'a:-:item.not-array',
      'a:1:item.bad-digest',
      'a:1:item.invalid-json',
      'a:1:item.unknown-field',
      'a:2:item.schema',
      'b:0:item.unknown-field',
    ]);
  });
  it('failWith throws an EngineError carrying the finding, its message naming the path', () => {
    assert.throws(
      () => failWith('io.not-found', 'accounts/x', 'no such folder'),
      (err: unknown) =>
        err instanceof EngineError &&
        err.finding.code === 'io.not-found' &&
        err.message === 'accounts/x: no such folder',
    );
  });
});
