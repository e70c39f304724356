/** Export to .eml (engine): the decompressed message, crash-safe, never inside the backup path, never half of a damaged BLOB. */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BlobStore, exportBlobAsEml } from '../../src/engine';
import { BLOBS_DIR } from '../../src/engine/layout';
import { makeSample } from '../../src/engine/sample/index';

describe('exportBlobAsEml', function () {
  this.timeout(120_000);
  let tmp: string;
  let root: string;
  const byStatus = new Map<string, string>();

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'zxb-eml-'));
    root = (await makeSample(path.join(tmp, 'backup'), { accounts: 2, itemsPerAccount: 60, seed: 3, faults: true }))
      .path;
    const store = new BlobStore(root);
    for (const d of readdirSync(path.join(root, BLOBS_DIR)))
      for (const name of readdirSync(path.join(root, BLOBS_DIR, d))) {
        const v = await store.verify(name);
        if (!byStatus.has(v.status)) byStatus.set(v.status, name);
      }
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('writes the decompressed message, byte for byte, where asked', async () => {
    const digest = byStatus.get('ok')!;
    const target = path.join(tmp, 'out', 'message.eml');
    const out = await exportBlobAsEml(root, digest, target);
    assert.ok(out.ok, JSON.stringify(out));
    const expected = gunzipSync(readFileSync(new BlobStore(root).absPath(digest)!));
    assert.deepEqual(readFileSync(target), expected);
    assert.equal(out.bytes, expected.length);
    assert.deepEqual(
      readdirSync(path.dirname(target)).filter((n) => n.includes('zxb-tmp')),
      [],
      'no temp file left',
    );
  });

  it('both layers of a double gzip are removed', async () => {
    const digest = byStatus.get('double-gzip');
    assert.ok(digest, 'the sample has its double-gzip fault');
    const target = path.join(tmp, 'double.eml');
    const out = await exportBlobAsEml(root, digest, target);
    assert.ok(out.ok, JSON.stringify(out));
    assert.deepEqual(readFileSync(target), gunzipSync(gunzipSync(readFileSync(new BlobStore(root).absPath(digest)!))));
  });

  it('refuses a target inside the backup path, and a damaged BLOB, writing nothing', async () => {
    const inside = path.join(root, 'accounts', 'x.eml');
    const r1 = await exportBlobAsEml(root, byStatus.get('ok')!, inside);
    assert.deepEqual([r1.ok, !r1.ok && r1.reason], [false, 'inside-backup']);
    assert.equal(existsSync(inside), false);
    // Through a symlink into the backup path: inside it all the same.
    symlinkSync(path.join(root, 'accounts'), path.join(tmp, 'link-into-backup'));
    const viaLink = path.join(tmp, 'link-into-backup', 'new', 'y.eml');
    const r3 = await exportBlobAsEml(root, byStatus.get('ok')!, viaLink);
    assert.deepEqual([r3.ok, !r3.ok && r3.reason], [false, 'inside-backup']);
    assert.equal(existsSync(path.join(root, 'accounts', 'new')), false);
    const truncated = byStatus.get('truncated');
    assert.ok(truncated, 'the sample has its truncated-BLOB fault');
    const target = path.join(tmp, 'truncated.eml');
    const r2 = await exportBlobAsEml(root, truncated, target);
    assert.equal(r2.ok, false);
    if (!r2.ok) {
      assert.equal(r2.reason, 'unreadable-blob');
      assert.match(r2.message, /is truncated/);
    }
    assert.equal(existsSync(target), false);
  });
});
