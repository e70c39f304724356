import { strict as assert } from 'node:assert';
import { gzipSync } from 'node:zlib';
import { finding } from '../../src/engine/findings';
import { itemRelPath } from '../../src/engine/layout';
import type { RunCheckRequest } from '../../src/shared/protocol';
import { decodeLastCheck, encodeLastCheck } from '../../src/extension/model/lastCheckStore';

const A = '0f9b3c2e-6a4d-4c55-9b1e-2d7f8a9c0e11';
const result: RunCheckRequest.Result = {
  findings: [finding('item.invalid-json', itemRelPath(A, 300), 'bad JSON')],
  summary: {
    bySeverity: { error: 1, warning: 0, info: 0 },
    byCode: { 'item.invalid-json': 1 },
    filesChecked: 3,
    durationMs: 10,
    interrupted: false,
    truncatedCodes: [],
    maxFindingsPerCode: 1000,
    lostBodies: { items: 0, byAccount: {} },
    unpublished: 0,
  },
};

describe('extension: the last check kept across window reloads (issue 14)', () => {
  const stored = {
    root: '/srv/backup',
    title: 'Coherency check (metadata) — whole backup',
    result,
    finishedAt: 1_700_000_000_000,
  };

  it('reads back what it wrote, for the same backup path', () => {
    assert.deepEqual(decodeLastCheck(encodeLastCheck(stored), '/srv/backup'), stored);
  });

  it('ignores another backup path, another format and damaged bytes', () => {
    assert.equal(decodeLastCheck(encodeLastCheck(stored), '/srv/other'), undefined);
    assert.equal(decodeLastCheck(gzipSync(JSON.stringify({ version: 99, ...stored })), '/srv/backup'), undefined);
    assert.equal(
      decodeLastCheck(gzipSync(JSON.stringify({ version: 1, ...stored, result: {} })), '/srv/backup'),
      undefined,
    );
    assert.equal(decodeLastCheck(new Uint8Array([1, 2, 3]), '/srv/backup'), undefined);
  });
});
