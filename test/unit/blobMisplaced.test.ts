/**
 * A BLOB in the wrong prefix folder is misplaced, not lost: the check reports blob.wrong-folder on
 * the BLOB and no blob.missing on its items; the language server and getItem ask the same question
 * through BlobStore.existsAnywhere (issue 14 §9, one rule on every surface).
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { BlobStore, blobRelPath, computeDigest } from '../../src/engine';

describe('BlobStore: a BLOB outside its home prefix folder', () => {
  let root: string;
  before(() => (root = mkdtempSync(path.join(os.tmpdir(), 'zxb-misplaced-'))));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('is not at home, is found elsewhere, and counts as existing for the cross-file rules', async () => {
    const body = Buffer.from('From: a@example.com\r\nSubject: misplaced\r\n\r\nhello\r\n');
    const digest = computeDigest(body);
    const home = blobRelPath(digest)!;
    const wrongPrefix = home.split('/')[1] === 'zz' ? 'zy' : 'zz';
    mkdirSync(path.join(root, 'items', wrongPrefix), { recursive: true });
    mkdirSync(path.join(root, 'items', 'aa'), { recursive: true });
    writeFileSync(path.join(root, 'items', wrongPrefix, digest), gzipSync(body));

    const store = new BlobStore(root);
    assert.equal(await store.exists(digest), false);
    assert.equal(await store.misplacedRelPath(digest), `items/${wrongPrefix}/${digest}`);
    assert.equal(await store.existsAnywhere(digest), true);

    const other = computeDigest(Buffer.from('nowhere'));
    assert.equal(await store.misplacedRelPath(other), undefined);
    assert.equal(await store.existsAnywhere(other), false);
  });
});
