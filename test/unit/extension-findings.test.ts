import { strict as assert } from 'node:assert';
import { finding, type Finding } from '../../src/engine/findings';
import { accountRelPath, itemRelPath } from '../../src/engine/layout';
import type { RunCheckRequest } from '../../src/shared/protocol';
import {
  BACKUP_LEVEL_KEY,
  countBySeverity,
  findingLocation,
  groupFindings,
  groupLostBodies,
  lostBodyFindings,
} from '../../src/extension/model/findingsModel';
import {
  cappedNote,
  checkReportMarkdown,
  checkRequestParams,
  checkSummary,
  checkTitle,
} from '../../src/extension/model/checkReport';
import { OperationsStore, operationDescription } from '../../src/extension/model/operations';

const A = '0f9b3c2e-6a4d-4c55-9b1e-2d7f8a9c0e11';
const B = '1f9b3c2e-6a4d-4c55-9b1e-2d7f8a9c0e12';
const at = (line: number) => ({ range: { start: { line, character: 2 }, end: { line, character: 9 } } });

const FINDINGS: Finding[] = [
  finding('item.invalid-json', itemRelPath(A, 300), 'bad JSON', at(3)),
  finding('item.interval-gap', itemRelPath(A, 301), 'gap', at(10)),
  finding('item.interval-gap', itemRelPath(B, 5), 'gap'),
  finding('blob.missing', 'items/w5/w5JqLTjHOR6pKyxxYySrNIslzaPj8kMG5PIYXWt9M7E=', 'missing'),
  finding('layout.missing-account-info', accountRelPath(B, 'account_info'), 'missing'),
  finding('map.invalid', 'map_abc', 'bad map'),
];

describe('extension findings: grouping', () => {
  const g = groupFindings(FINDINGS, new Map([[A, 'alice@example.com']]));

  it('groups by code, errors first, and counts each group', () => {
    assert.equal(g.total, FINDINGS.length);
    assert.deepEqual(g.byCode.map((x) => x.label).slice(-1), ['item.interval-gap']);
    assert.ok(g.byCode.slice(0, -1).every((x) => x.severity === 'error'));
    const gaps = g.byCode.find((x) => x.label === 'item.interval-gap')!;
    assert.equal(gaps.findings.length, 2);
    assert.match(gaps.description, /^2 · 2 warnings · A gap between two transactions$/);
  });

  it('groups by account, naming accounts and gathering backup-level findings', () => {
    const keys = Object.fromEntries(g.byAccount.map((x) => [x.key, x]));
    assert.equal(keys[`account/${A}`]!.label, 'alice@example.com');
    assert.equal(keys[`account/${B}`]!.label, B, 'an account without a known name shows its zimbraId');
    assert.deepEqual(keys[BACKUP_LEVEL_KEY]!.findings.map((f) => f.code).sort(), ['blob.missing', 'map.invalid']);
    assert.equal(keys[`account/${A}`]!.severity, 'error');
  });

  it('orders findings in a group by path and line', () => {
    const a = g.byAccount.find((x) => x.key === `account/${A}`)!;
    assert.deepEqual(
      a.findings.map((f) => f.path),
      [itemRelPath(A, 300), itemRelPath(A, 301)],
    );
  });

  it('prints where a finding points (1-based line) and counts by severity', () => {
    assert.equal(findingLocation(FINDINGS[0]!), `${itemRelPath(A, 300)}:4`);
    assert.equal(findingLocation(finding('usage.not-a-backup', '', 'x')), '(backup path)');
    assert.equal(countBySeverity(FINDINGS), '4 errors, 2 warnings');
  });
});

describe('extension coherency check: request and report', () => {
  it('builds the request for each scope', () => {
    assert.deepEqual(checkRequestParams('/b', { kind: 'backup' }, 'metadata'), { root: '/b', level: 'metadata' });
    assert.deepEqual(checkRequestParams('/b', { kind: 'account', zimbraId: A, name: 'alice' }, 'blobs'), {
      root: '/b',
      level: 'blobs',
      accounts: [A],
    });
    assert.deepEqual(checkRequestParams('/b', { kind: 'file', relPath: 'map_x' }, 'structure'), {
      root: '/b',
      level: 'structure',
      file: 'map_x',
    });
    assert.equal(
      checkTitle({ kind: 'account', zimbraId: A, name: 'alice' }, 'blobs'),
      'Coherency check (blobs) — alice',
    );
  });

  it('summarises and reports the result, escaping table cells', () => {
    const result: RunCheckRequest.Result = {
      findings: [...FINDINGS, finding('item.schema', 'accounts/x|y', 'a | b\nc')],
      summary: {
        bySeverity: { error: 4, warning: 3, info: 0 },
        byCode: { 'item.interval-gap': 2, 'item.invalid-json': 1 },
        filesChecked: 12345,
        durationMs: 1500,
        interrupted: false,
        truncatedCodes: [],
        maxFindingsPerCode: 1000,
        lostBodies: { items: 0, byAccount: {} },
        unpublished: 3,
      },
    };
    assert.equal(checkSummary(result), '4 errors, 3 warnings in 12,345 files');
    const md = checkReportMarkdown('Check', result, 3);
    assert.match(md, /\| `item.interval-gap` \| 2 \| A gap between two transactions \|/);
    assert.match(md, /3 findings not published/);
    assert.match(md, /… and 4 more/);
    assert.equal(
      checkSummary({
        ...result,
        findings: [],
        summary: { ...result.summary, bySeverity: { error: 0, warning: 0, info: 0 }, interrupted: true },
      }),
      'PARTIAL (cancelled): no findings in 12,345 files',
    );
    const full = checkReportMarkdown('Check', result);
    assert.ok(full.includes('accounts/x\\|y: a \\| b c'), 'pipes and newlines cannot break the table or list');
  });
});

describe('extension coherency check: the report puts errors first (issue 14)', () => {
  it('lists codes and findings by severity: errors, then warnings, then info', () => {
    // The server's order is by path: here info and warnings come before the errors.
    const findings = [
      finding('item.tags-as-string', itemRelPath(A, 1), 'tags as a string'),
      finding('item.interval-gap', itemRelPath(A, 2), 'gap'),
      finding('item.type-as-name', itemRelPath(A, 3), 'type as a name'),
      finding('item.invalid-json', itemRelPath(A, 4), 'bad JSON'),
      finding('item.interval-gap', itemRelPath(A, 5), 'gap'),
      finding('map.invalid', 'map_abc', 'bad map'),
    ];
    assert.deepEqual(
      findings.map((f) => f.severity),
      ['info', 'warning', 'info', 'error', 'warning', 'error'],
    );
    const result: RunCheckRequest.Result = {
      findings,
      summary: {
        bySeverity: { error: 2, warning: 2, info: 2 },
        byCode: {
          'item.tags-as-string': 9,
          'item.type-as-name': 1,
          'item.interval-gap': 2,
          'item.invalid-json': 1,
          'map.invalid': 1,
        },
        filesChecked: 6,
        durationMs: 1,
        interrupted: false,
        truncatedCodes: [],
        maxFindingsPerCode: 1000,
        lostBodies: { items: 0, byAccount: {} },
        unpublished: 0,
      },
    };
    const md = checkReportMarkdown('Check', result);
    const listed = [...md.matchAll(/^- \*\*(error|warning|info)\*\* `([^`]+)` ([^\s:]+)/gm)].map(
      (m) => `${m[1]} ${m[3]}`,
    );
    assert.deepEqual(listed, [
      `error ${itemRelPath(A, 4)}`,
      'error map_abc',
      `warning ${itemRelPath(A, 2)}`,
      `warning ${itemRelPath(A, 5)}`,
      `info ${itemRelPath(A, 1)}`,
      `info ${itemRelPath(A, 3)}`,
    ]);
    const table = [...md.matchAll(/^\| `([^`]+)` \| (\d+) \|/gm)].map((m) => m[1]);
    assert.deepEqual(table, [
      'item.invalid-json',
      'map.invalid',
      'item.interval-gap',
      'item.tags-as-string',
      'item.type-as-name',
    ]);
    // The cap keeps the errors: two listed of six are the two errors.
    const capped = checkReportMarkdown('Check', result, 2);
    assert.deepEqual(
      [...capped.matchAll(/^- \*\*(\w+)\*\*/gm)].map((m) => m[1]),
      ['error', 'error'],
    );
  });
});

describe('extension findings: true counts, partial results, lost bodies', () => {
  const base: RunCheckRequest.Result = {
    findings: [finding('item.interval-gap', itemRelPath(A, 301), 'gap')],
    summary: {
      bySeverity: { error: 5163, warning: 1, info: 0 },
      byCode: { 'blob.missing': 5163, 'item.interval-gap': 1 },
      filesChecked: 10,
      durationMs: 1,
      interrupted: true,
      truncatedCodes: ['blob.missing'],
      maxFindingsPerCode: 1000,
      lostBodies: { items: 5163, byAccount: { [A]: 5163 } },
      unpublished: 0,
    },
  };

  it('counts as the CLI does (the summary), says "partial" and "1,000 of 5,163 listed"', () => {
    assert.equal(checkSummary(base), 'PARTIAL (cancelled): 5,163 errors, 1 warning in 10 files');
    assert.equal(cappedNote(base, 'blob.missing'), '1,000 of 5,163 listed');
    assert.equal(cappedNote(base, 'item.interval-gap'), '');
    const md = checkReportMarkdown('Check', base);
    assert.match(md, /Partial results/);
    assert.match(md, /`blob.missing`: 1,000 of 5,163 listed/);
    assert.match(md, /message bodies lost \(missing or damaged BLOB\): 5163 items/);
  });

  it('ties lost bodies to their items: blob.missing on the item, the items a damaged BLOB names', () => {
    const blob = 'items/Cq/CqRgW0Bv6n8JevSchht7vbVn0W3fUiWBrHr2HxylSVw=';
    const damaged: Finding = {
      ...finding('blob.truncated', blob, 'the gzip stream ends too early'),
      related: [
        { path: itemRelPath(B, 7), message: 'item' },
        { path: itemRelPath(A, 9), message: 'item' },
      ],
    };
    const list = [
      finding('blob.missing', itemRelPath(A, 8), 'BLOB x is not in the BLOB store', at(13)),
      damaged,
      finding('blob.double-gzip', 'items/wi/wi', 'twice'),
    ];
    const lost = lostBodyFindings(list);
    assert.deepEqual(
      lost.map((f) => [f.path, f.code]),
      [
        [itemRelPath(A, 8), 'blob.missing'],
        [itemRelPath(A, 9), 'blob.truncated'],
        [itemRelPath(B, 7), 'blob.truncated'],
      ],
    );
    assert.ok(lost.every((f) => f.message.startsWith('message body lost')));
    assert.ok(lost[1]!.message.includes(blob), 'names the BLOB');
    const groups = groupLostBodies(list, new Map([[A, 'alice@example.com']]));
    assert.deepEqual(
      groups.map((g) => [g.label, g.findings.length, g.description]),
      [
        ['alice@example.com', 2, '2 items lost their body'],
        [B, 1, '1 item lost its body'],
      ],
    );
  });
});

describe('extension operations', () => {
  it('tracks progress, finishes once, and cancels through the callback', () => {
    let now = 1000;
    const store = new OperationsStore(2, () => now);
    const events: (string | undefined)[] = [];
    store.onChange((op) => events.push(op?.id));
    let cancelled = 0;
    const op = store.start('Check', () => cancelled++);
    store.progress(op.id, { percentage: 140, message: 'reading' });
    assert.equal(store.get(op.id)!.percentage, 100);
    now = 4000;
    assert.equal(operationDescription(store.get(op.id)!, now), '100% · reading · 3 s');
    assert.equal(store.cancel(op.id), true);
    assert.equal(cancelled, 1);
    store.finish(op.id, { state: 'cancelled' });
    store.finish(op.id, { state: 'done', summary: 'late' });
    assert.equal(store.get(op.id)!.state, 'cancelled', 'a finished operation stays finished');
    assert.equal(store.cancel(op.id), false);
    assert.equal(operationDescription(store.get(op.id)!, now), 'cancelled · 3 s');
    assert.deepEqual(events, [undefined, op.id, op.id]);
  });

  it('lists running first, then newest, and keeps only the last finished ones', () => {
    let now = 0;
    const store = new OperationsStore(2, () => ++now);
    const ids = [1, 2, 3, 4].map((i) => store.start(`op ${i}`, () => undefined).id);
    for (const id of ids.slice(0, 3)) store.finish(id, { state: 'done', summary: 'ok' });
    store.start('op 5', () => undefined);
    // op 4 and op 5 run; of the finished, op 1 was pruned (keep 2).
    assert.deepEqual(
      store.list().map((o) => o.title),
      ['op 5', 'op 4', 'op 3', 'op 2'],
    );
    const running = store.start('op 6', () => undefined);
    assert.equal(store.list()[0]!.state, 'running');
    assert.ok(store.list().some((o) => o.id === running.id));
  });
});
