/** The table and finding renderers of src/cli/output.ts (pure functions). */
import { strict as assert } from 'node:assert';
import { finding } from '../../src/engine';
import { paint, renderFindings, renderKeyValues, renderTable, showDate, jsonDate } from '../../src/cli/output';

describe('cli output', () => {
  it('renderTable pads columns, right-aligns numbers and shows "-" for missing cells', () => {
    const text = renderTable(
      ['NAME', 'COUNT', 'NOTE'],
      [
        ['alice', 9, 'ok'],
        ['bartholomew', 120, null],
      ],
    );
    assert.equal(text, ['NAME         COUNT  NOTE', 'alice            9  ok', 'bartholomew    120  -', ''].join('\n'));
  });

  it('renderTable flattens line breaks inside cells so rows stay one line', () => {
    const text = renderTable(['SUBJECT'], [['two\nlines']]);
    assert.equal(text, 'SUBJECT\ntwo lines\n');
  });

  it('renderKeyValues aligns values', () => {
    assert.equal(
      renderKeyValues(
        [
          ['a', 1],
          ['longer', true],
        ],
        '  ',
      ),
      '  a       1\n  longer  yes\n',
    );
  });

  it('renderFindings lists errors and warnings with their position, counts information', () => {
    const f = [
      finding('item.unknown-field', 'a/1', 'unknown key "x" kept as is'),
      finding('item.invalid-json', 'a/2', 'invalid JSON: value expected at line 1', {
        range: { start: { line: 0, character: 4 }, end: { line: 0, character: 5 } },
      }),
      finding('io.symlink', 'a/3', 'a/3 is a symbolic link; not followed'),
    ];
    assert.equal(
      renderFindings(f, paint(false)),
      'error [item.invalid-json] a/2:1:5: invalid JSON: value expected at line 1\n' +
        'warning [io.symlink] a/3 is a symbolic link; not followed\n' +
        '1 informational finding not shown (use --json to see them)\n',
    );
    assert.match(renderFindings(f, paint(true)), /\x1b\[31merror\x1b\[0m/);
  });

  it('dates are printed in the chosen zone', () => {
    const at = Date.UTC(2024, 6, 1, 12, 0, 0);
    assert.equal(showDate(at, 'UTC'), '01/07/2024 12:00:00');
    assert.equal(showDate(at, 'Europe/Rome'), '01/07/2024 14:00:00');
    assert.equal(jsonDate(at, 'Europe/Rome'), '2024-07-01T14:00:00+02:00');
    assert.equal(showDate(undefined, 'UTC'), '-');
    assert.equal(jsonDate(undefined, 'UTC'), null);
  });
});
