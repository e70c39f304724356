/** The one JSON Lines journal mechanism (purge, restore and scan journals). */
import { strict as assert } from 'node:assert';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { JsonLinesWriter, readJsonLines } from '../../src/engine/format/jsonLines';

describe('format/jsonLines: append-only journals', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'zxb-jsonl-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a missing journal is empty; the folder is made on the first append, with the mode asked for', () => {
    const file = path.join(dir, 'a', 'b', 'j.jsonl');
    assert.deepEqual(readJsonLines(file), []);
    const w = new JsonLinesWriter<{ n: number }>(file, 0o600);
    w.append({ n: 1 });
    w.sync();
    w.close();
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readJsonLines(file), [{ n: 1 }]);
  });

  it('skips a line torn by a crash and blank lines, keeps the order', () => {
    const file = path.join(dir, 'j.jsonl');
    const w = new JsonLinesWriter<{ n: number }>(file);
    w.append({ n: 1 });
    w.append({ n: 2 });
    w.close();
    appendFileSync(file, '\n{"n":3}\n{"n":4, "cut');
    assert.deepEqual(readJsonLines(file), [{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('appends after a close reopen the same file (a scan journals again after saving its state)', () => {
    const file = path.join(dir, 'j.jsonl');
    const w = new JsonLinesWriter<string>(file);
    w.append('a');
    w.close();
    w.close();
    w.append('b');
    w.close();
    assert.equal(readFileSync(file, 'utf8'), '"a"\n"b"\n');
  });

  it('throws a read error other than a missing file (the caller names the file)', () => {
    assert.throws(() => readJsonLines(dir), /EISDIR/);
  });
});
