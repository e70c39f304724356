/**
 * BLOBs above 32 MB are verified as a stream (verifyBlobStream); every other one in
 * memory (verifyBlobBytes). Both must judge the same bytes the same way.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { verifyBlobBytes as verifyInMemory, verifyBlobStream, type BlobVerification } from '../../src/engine/blobs';
import { computeDigest } from '../../src/engine/digest';
import { tempDir } from './helpers';

/** These BLOBs are small: verified in memory, never sent to the streamed verification. */
function verifyBlobBytes(bytes: Uint8Array, digest: string): BlobVerification {
  const v = verifyInMemory(bytes, digest);
  assert.notEqual(v, 'stream');
  return v as BlobVerification;
}

function flip(b: Buffer, at: number): Buffer {
  const c = Buffer.from(b);
  c[at] = c[at]! ^ 0xff;
  return c;
}

const TEXT = Buffer.from('Subject: streamed\r\n\r\n' + 'a quarterly report, line after line\r\n'.repeat(3000));
const GZ = gzipSync(TEXT);

describe('streamed BLOB verification agrees with the in-memory one', () => {
  let dir: string;
  before(() => (dir = tempDir('stream-blob')));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const cases: [string, Buffer, Buffer][] = [
    ['ok', TEXT, GZ],
    ['ok: two members', TEXT, Buffer.concat([gzipSync(TEXT.subarray(0, 1000)), gzipSync(TEXT.subarray(1000))])],
    ['ok: zero padding after the stream', TEXT, Buffer.concat([GZ, Buffer.alloc(64)])],
    ['trailing garbage', TEXT, Buffer.concat([GZ, Buffer.from('garbage after the stream')])],
    [
      'trailing garbage after two members',
      TEXT,
      Buffer.concat([gzipSync(TEXT.subarray(0, 1000)), gzipSync(TEXT.subarray(1000)), Buffer.from('xyz')]),
    ],
    ['double gzip', TEXT, gzipSync(GZ)],
    ['truncated', TEXT, GZ.subarray(0, GZ.length - 20)],
    ['trailer CRC flipped', TEXT, flip(GZ, GZ.length - 6)],
    ['content flipped before compression', TEXT, gzipSync(flip(TEXT, 100))],
    ['not gzip', TEXT, TEXT],
    ['empty', TEXT, Buffer.alloc(0)],
  ];

  for (const [name, plain, bytes] of cases) {
    it(name, async () => {
      const digest = computeDigest(plain);
      const file = path.join(dir, name.replace(/\W+/g, '-'));
      writeFileSync(file, bytes);
      const inMemory = verifyBlobBytes(bytes, digest);
      const streamed = await verifyBlobStream(file, digest);
      assert.equal(streamed.status, inMemory.status);
      assert.equal(streamed.size, inMemory.size);
      assert.equal(streamed.actualDigest, inMemory.actualDigest);
    });
  }

  it('trailing garbage when the trailer straddles two reads of the search', async () => {
    // Random content is stored, not compressed: its gzip size is its size plus a fixed overhead,
    // so the trailer can be placed across the 1 MB boundary of the trailer search.
    const boundary = 10 + (1 << 20); // deflate data starts after the 10-byte header
    let size = 1 << 20;
    let plain = randomBytes(size);
    let gz = gzipSync(plain);
    for (let i = 0; i < 5 && gz.length - 8 !== boundary - 4; i++) {
      size += boundary - 4 - (gz.length - 8);
      plain = randomBytes(size);
      gz = gzipSync(plain);
    }
    const trailerAt = gz.length - 8;
    assert.ok(trailerAt < boundary && boundary < trailerAt + 8, `trailer at ${trailerAt}, boundary ${boundary}`);
    const file = path.join(dir, 'straddle');
    writeFileSync(file, Buffer.concat([gz, Buffer.from('tail')]));
    const r = await verifyBlobStream(file, computeDigest(plain));
    assert.equal(r.status, 'trailing-garbage');
    assert.equal(r.size, plain.length);
  });
});
