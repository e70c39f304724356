/** Grouping and capping of published check results (pure, no server needed). */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { finding, type Finding } from '../../src/engine';
import { groupFindings } from '../../src/server/publish';

const at = (line: number) => ({ range: { start: { line, character: 2 }, end: { line, character: 9 } } });

describe('server: grouping published check results', () => {
  const a = 'accounts/x/items/00/100';
  const b = 'accounts/x/items/01/101';
  const findings: Finding[] = [
    finding('item.live-after-delete', b, 'undelete', at(3)),
    finding('item.interval-overlap', a, 'overlap 1', at(5)),
    finding('item.interval-overlap', a, 'overlap 2', at(9)),
    finding('item.unknown-field', a, 'unknown key', at(1)),
    finding('usage.not-a-backup', '', 'about the backup path itself'),
  ];

  it('makes one diagnostic per file and code, at the first finding, with the count', () => {
    const { files, unpublished } = groupFindings('/b', findings, 100, () => true);
    assert.equal(unpublished, 1); // the finding on the backup path itself has no file
    assert.deepEqual(
      files.map((f) => f.uri),
      ['file:///b/accounts/x/items/00/100', 'file:///b/accounts/x/items/01/101'],
    );
    const [first] = files;
    assert.deepEqual(
      first!.diagnostics.map((d) => [d.code, d.range.start.line, (d.data as { count: number }).count]),
      [
        ['item.interval-overlap', 5, 2],
        ['item.unknown-field', 1, 1],
      ],
    );
    assert.match(
      first!.diagnostics[0]!.message as string,
      /^Two transactions are valid at the same time \(2×\); first: overlap 1$/,
    );
    assert.equal(first!.diagnostics[1]!.message, 'unknown key');
  });

  it('keeps the worst files first and never more than the cap', () => {
    const { files, unpublished } = groupFindings('/b', findings, 1, () => true);
    assert.equal(files.length, 1);
    assert.deepEqual(
      files[0]!.diagnostics.map((d) => d.code),
      ['item.interval-overlap'],
    );
    assert.equal(unpublished, 1 + 1 + 1); // root finding, the unknown field, the undelete
  });

  it('never publishes on a file that does not exist (VS Code would offer "Create File" in the backup)', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'zxb-publish-'));
    try {
      mkdirSync(path.join(root, 'accounts/x/items/00'), { recursive: true });
      writeFileSync(path.join(root, a), '[]');
      const onMissing: Finding[] = [
        finding('item.interval-overlap', a, 'overlap', at(5)),
        finding('layout.missing-account-info', 'accounts/x/account_info', 'accounts/x/account_info is missing'),
        finding('layout.stray-entry', 'accounts/x/items', 'a folder, not a file'),
      ];
      const { files, unpublished } = groupFindings(root, onMissing, 100);
      assert.deepEqual(
        files.map((f) => f.uri),
        [`file://${root}/${a}`],
      );
      assert.equal(unpublished, 2);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
