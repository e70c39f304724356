import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { BlobStore, isGzip, verifyBlobBytes as verifyInMemory, type BlobVerification } from '../../src/engine/blobs';
import { computeDigest } from '../../src/engine/digest';

/** These BLOBs are small: verified in memory, never sent to the streamed verification. */
function verifyBlobBytes(bytes: Uint8Array, digest: string): BlobVerification {
  const v = verifyInMemory(bytes, digest);
  assert.notEqual(v, 'stream');
  return v as BlobVerification;
}

/** A message-like content, deterministic, large enough for several deflate blocks. */
function content(n = 40_000): Buffer {
  const head = Buffer.from('From: bob@example.com\r\nTo: alice@example.com\r\nSubject: Quarterly report\r\n\r\n');
  const body = Buffer.alloc(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    // Mostly text with some noise, so that deflate uses both literals and matches.
    body[i] = i % 7 === 0 ? x >>> 24 : 0x61 + ((x >>> 16) % 26);
  }
  return Buffer.concat([head, body]);
}

/** Flip every bit of one byte: setting a fixed value would be a no-op one time in 256. */
function flip(b: Uint8Array, at: number): Buffer {
  const c = Buffer.from(b);
  c[at] = c[at]! ^ 0xff;
  return c;
}

const PLAIN = content();
const DIGEST = computeDigest(PLAIN);
const GZ = gzipSync(PLAIN);
/** RFC 1952: a 10-byte header (no optional fields from Node) and an 8-byte trailer (CRC32, ISIZE). */
const HEADER = 10;
const TRAILER = 8;

describe('BLOB verification (verifyBlobBytes)', () => {
  it('ok: gzip of the content whose digest is the name', () => {
    assert.deepEqual(verifyBlobBytes(GZ, DIGEST), {
      status: 'ok',
      compressedSize: GZ.length,
      size: PLAIN.length,
      actualDigest: DIGEST,
    });
  });
  it('ok with a SHA-384 name', () => {
    const d = computeDigest(PLAIN, 'sha384');
    assert.equal(verifyBlobBytes(GZ, d).status, 'ok');
  });
  it('ok: the empty content gzipped (a real, empty BLOB)', () => {
    const empty = computeDigest(Buffer.alloc(0));
    assert.equal(verifyBlobBytes(gzipSync(Buffer.alloc(0)), empty).status, 'ok');
  });
  it('ok: a multi-member gzip is one content, as gunzip -c reads it', () => {
    const twoMembers = Buffer.concat([gzipSync(PLAIN.subarray(0, 1000)), gzipSync(PLAIN.subarray(1000))]);
    assert.equal(verifyBlobBytes(twoMembers, DIGEST).status, 'ok');
  });
  it('ok: trailing zero bytes (padding that gzip, Java and zlib ignore)', () => {
    assert.equal(verifyBlobBytes(Buffer.concat([GZ, Buffer.alloc(512)]), DIGEST).status, 'ok');
  });
  it('ok: a content that is itself a gzip file (an attached .gz) is not a double gzip', () => {
    const attachment = gzipSync(Buffer.from('inner file'));
    const r = verifyBlobBytes(gzipSync(attachment), computeDigest(attachment));
    assert.equal(r.status, 'ok');
    assert.equal(r.size, attachment.length);
  });

  it('empty: a zero-byte file', () => {
    assert.equal(verifyBlobBytes(new Uint8Array(0), DIGEST).status, 'empty');
  });
  it('not-gzip: the raw content stored without compression', () => {
    const r = verifyBlobBytes(PLAIN, DIGEST);
    assert.equal(r.status, 'not-gzip');
    assert.equal(r.compressedSize, PLAIN.length);
    assert.equal(verifyBlobBytes(Buffer.from([0x1f]), DIGEST).status, 'not-gzip');
    assert.equal(isGzip(GZ), true);
    assert.equal(isGzip(PLAIN), false);
  });
  it('truncated: cut anywhere after the header', () => {
    for (const keep of [HEADER, HEADER + 1, GZ.length >> 1, GZ.length - TRAILER, GZ.length - 1]) {
      const r = verifyBlobBytes(GZ.subarray(0, keep), DIGEST);
      assert.equal(r.status, 'truncated', `kept ${keep} of ${GZ.length} bytes: ${r.detail}`);
    }
  });
  it('trailing-garbage: bytes after the gzip stream, with the content intact', () => {
    // 1f 8b 08 …: the start of a second member, cut; the first member is still whole.
    const cutMember = gzipSync(Buffer.from('more')).subarray(0, 12);
    for (const tail of [Buffer.from('garbage'), Buffer.from([0x1f, 0x8b, 0x00]), cutMember, Buffer.from([0x42])]) {
      const r = verifyBlobBytes(Buffer.concat([GZ, tail]), DIGEST);
      assert.equal(r.status, 'trailing-garbage', tail.toString('hex'));
      assert.equal(r.actualDigest, DIGEST);
      assert.equal(r.size, PLAIN.length);
    }
  });
  it('double-gzip: gzip of gzip of the content; size is the fully decompressed size', () => {
    const r = verifyBlobBytes(gzipSync(GZ), DIGEST);
    assert.equal(r.status, 'double-gzip');
    assert.equal(r.size, PLAIN.length);
    assert.equal(r.actualDigest, DIGEST);
  });
  it('bad-name: a name that is not a digest is refused before anything is read', () => {
    for (const name of ['', 'abc', '../../etc/passwd', DIGEST.replace(/,/g, '/') + 'x']) {
      assert.deepEqual(verifyBlobBytes(GZ, name), { status: 'bad-name', compressedSize: GZ.length });
    }
  });

  describe('corrupted', () => {
    it('a byte of the content flipped before compression: a good gzip of the wrong content', () => {
      const damaged = flip(PLAIN, 5000);
      const r = verifyBlobBytes(gzipSync(damaged), DIGEST);
      assert.equal(r.status, 'corrupted');
      assert.equal(r.actualDigest, computeDigest(damaged));
      assert.equal(r.size, PLAIN.length);
      assert.match(r.detail ?? '', /content digest is/);
    });
    it('a byte of the CRC or length in the trailer flipped', () => {
      for (const at of [GZ.length - TRAILER, GZ.length - 1]) {
        const r = verifyBlobBytes(flip(GZ, at), DIGEST);
        assert.equal(r.status, 'corrupted', `${at}: ${r.detail}`);
        assert.match(r.detail ?? '', /incorrect (data|length) check/);
      }
    });
    it('any byte of the compressed stream flipped: never ok, and mostly corrupted', () => {
      const small = content(3000);
      const gz = gzipSync(small);
      const digest = computeDigest(small);
      const seen = new Map<string, number>();
      for (let at = HEADER; at < gz.length - TRAILER; at++) {
        const status = verifyBlobBytes(flip(gz, at), digest).status;
        seen.set(status, (seen.get(status) ?? 0) + 1);
      }
      // A flipped Huffman code can make the decoder want more input than there is:
      // zlib then says "unexpected end of file", which we cannot tell from a real cut.
      assert.deepEqual(
        [...seen.keys()].filter((s) => s !== 'corrupted' && s !== 'truncated'),
        [],
      );
      assert.ok((seen.get('corrupted') ?? 0) > 0.9 * (gz.length - HEADER - TRAILER), JSON.stringify([...seen]));
    });
    it('a multi-member gzip whose second member is damaged', () => {
      const second = gzipSync(PLAIN.subarray(1000));
      const r = verifyBlobBytes(
        Buffer.concat([gzipSync(PLAIN.subarray(0, 1000)), flip(second, second.length - 1)]),
        DIGEST,
      );
      assert.equal(r.status, 'corrupted');
    });
    it('header bytes that gzip does not protect (mtime, OS) do not change the content: still ok', () => {
      for (const at of [4, 5, 6, 7, 9]) assert.equal(verifyBlobBytes(flip(GZ, at), DIGEST).status, 'ok', String(at));
    });
    it('a wrong compression method in the header is not ok', () => {
      assert.notEqual(verifyBlobBytes(flip(GZ, 2), DIGEST).status, 'ok');
    });
  });
});

describe('BlobStore on disk', () => {
  let root: string;
  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'zxb-blobs-'));
    await fs.mkdir(path.join(root, 'items', DIGEST.slice(0, 2)), { recursive: true });
    await fs.writeFile(path.join(root, 'items', DIGEST.slice(0, 2), DIGEST), gzipSync(GZ));
  });
  after(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('verify reads the file under items/<two characters>/', async () => {
    const store = new BlobStore(root);
    assert.equal(store.relPath(DIGEST), `items/${DIGEST.slice(0, 2)}/${DIGEST}`);
    assert.equal(await store.exists(DIGEST), true);
    assert.equal((await store.verify(DIGEST)).status, 'double-gzip');
  });
  it('read returns the fully decompressed content of a double gzip', async () => {
    const r = await new BlobStore(root).read(DIGEST);
    assert.ok(r.ok);
    assert.ok(r.content.equals(PLAIN));
  });
  it('a missing BLOB is missing; an invalid digest is never a path', async () => {
    const store = new BlobStore(root);
    const other = computeDigest(Buffer.from('other'));
    assert.equal((await store.verify(other)).status, 'missing');
    assert.equal(await store.exists('../../etc/passwd'), false);
    assert.equal(store.absPath('../../etc/passwd'), undefined);
    assert.equal((await store.verify('../../etc/passwd')).status, 'bad-name');
  });
});
