/**
 * Gzip bombs: a BLOB of about 1 MB that inflates to 1 GiB. Every decompression stops
 * at the bound of src/engine/blobLimits.ts with blob.inflate-limit, in bounded memory;
 * a genuine BLOB past the in-memory bound is still verified, as a stream.
 */
import { strict as assert } from 'node:assert';
import { randomFillSync } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  BlobStore,
  blobRelPath,
  computeDigest,
  IN_MEMORY_INFLATE_BYTES,
  inflateLimit,
  runCoherencyCheck,
  verifyBlobBytes,
  verifyBlobStream,
} from '../../src/engine';
import { blobOf } from './fixtures';
import { writeGzipBomb } from './gzipBomb';
import { makeMiniSample, MINI_NOW } from './miniSample';
import { tempDir } from './helpers';

const MiB = 1024 * 1024;
/** The peak resident memory of this process so far, in bytes. */
const peakRss = (): number => process.resourceUsage().maxRSS * 1024;

describe('gzip bombs: every decompression is bounded', function () {
  this.timeout(60_000);
  let work: string;
  let root: string;
  let bomb: { rel: string; digest: string; abs: string; compressedSize: number };

  before(async () => {
    work = tempDir('bomb');
    root = path.join(work, 'backup');
    makeMiniSample(root, { accounts: 1, itemsPerAccount: 6, seed: 5 });
    const b = blobOf(root);
    const abs = path.join(root, b.rel);
    bomb = { rel: b.rel, digest: b.digest, abs, compressedSize: await writeGzipBomb(abs, 1024) };
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('the bomb is real: about 1 MB on disk for 1 GiB, far past its bound', () => {
    assert.ok(bomb.compressedSize < 2 * MiB, String(bomb.compressedSize));
    assert.ok(inflateLimit(bomb.compressedSize) < 1024 * MiB);
  });

  it('the check reports blob.inflate-limit, in process and in the worker threads, without holding the content', async () => {
    const before = peakRss();
    for (const jobs of [0, 2]) {
      const started = Date.now();
      const r = await runCoherencyCheck(root, { level: 'blobs', now: MINI_NOW, cache: false, jobs });
      const onBomb = r.findings.filter((f) => f.path === bomb.rel);
      assert.deepEqual(
        onBomb.map((f) => f.code),
        ['blob.inflate-limit'],
        `jobs ${jobs}: ${JSON.stringify(onBomb)}`,
      );
      assert.match(onBomb[0]!.message, /inflates to more than \d+ bytes/);
      assert.ok(Date.now() - started < 15_000, `jobs ${jobs}: ${Date.now() - started} ms`);
    }
    // Unbounded, the in-process check alone holds the whole GiB.
    assert.ok(peakRss() - before < 512 * MiB, `peak memory grew by ${Math.round((peakRss() - before) / MiB)} MiB`);
  });

  it('in memory, a bomb stops at IN_MEMORY_INFLATE_BYTES: judged at once when that is its bound, else sent to the stream', async () => {
    assert.equal(verifyBlobBytes(readFileSync(bomb.abs), bomb.digest), 'stream');
    const small = path.join(work, 'small.gz');
    const size = await writeGzipBomb(small, 128);
    assert.equal(inflateLimit(size), IN_MEMORY_INFLATE_BYTES);
    const v = verifyBlobBytes(readFileSync(small), bomb.digest);
    assert.notEqual(v, 'stream');
    assert.equal(v !== 'stream' && v.status, 'inflate-limit');
    assert.equal((await verifyBlobStream(small, bomb.digest)).status, 'inflate-limit');
  });

  it('BlobStore.verify and read (getItem, Show BLOB) are bounded and decompress nothing to show', async () => {
    // read verifies first (BlobStore.verify), then decompresses only what the verification sized.
    const read = await new BlobStore(root).read(bomb.digest);
    assert.equal(read.ok, false);
    assert.equal(read.verification.status, 'inflate-limit');
    assert.equal(read.verification.size, undefined);
  });

  it('a genuine BLOB that inflates past the in-memory bound is still verified, as a stream', async () => {
    // 72 MiB that compress about 50 times: a few random bytes per 4 KiB page.
    const content = Buffer.alloc(72 * MiB);
    for (let at = 0; at < content.length; at += 4096) randomFillSync(content, at, 64);
    const digest = computeDigest(content);
    const gz = gzipSync(content, { level: 1 });
    assert.ok(content.length > IN_MEMORY_INFLATE_BYTES && content.length <= inflateLimit(gz.length));
    const rel = blobRelPath(digest)!;
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), gz);
    try {
      assert.equal(verifyBlobBytes(gz, digest), 'stream');
      assert.deepEqual(await new BlobStore(root).verify(digest), {
        status: 'ok',
        compressedSize: gz.length,
        size: content.length,
        actualDigest: digest,
      });
      const r = await runCoherencyCheck(root, { level: 'blobs', now: MINI_NOW, cache: false, jobs: 0 });
      assert.deepEqual(
        r.findings.filter((f) => f.path === rel).map((f) => f.code),
        ['blob.orphan'],
      );
    } finally {
      rmSync(path.join(root, rel));
    }
  });
});
