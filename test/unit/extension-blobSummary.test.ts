import { strict as assert } from 'node:assert';
import { randomBytes, randomFillSync } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { BlobStore } from '../../src/engine/blobs';
import { SHOW_BLOB_MAX_BYTES } from '../../src/engine/blobLimits';
import { MAX_DECODED_TEXT_CHARS } from '../../src/engine/message/decode';
import { computeDigest } from '../../src/engine/digest';
import { blobRelPath } from '../../src/engine/layout';
import { blobUri } from '../../src/shared/protocol';
import { writeGzipBomb } from '../check/gzipBomb';
import {
  MAX_SHOWN_BYTES,
  blobDocumentFromStore,
  blobDocumentText,
  blobRefFromUriParts,
  decodeEncodedWords,
  parseHeaders,
} from '../../src/extension/model/blobSummary';

const MESSAGE = [
  'Return-Path: <bob@example.com>',
  'From: =?UTF-8?B?QsOpYSBNw7xsbGVy?= <bea@example.com>',
  'To: alice@example.com,',
  '  carol@example.com',
  'Subject: =?ISO-8859-1?Q?Caf=E9_menu?= =?UTF-8?Q?_=E2=82=AC5?=',
  'Date: Mon, 01 Jan 2024 10:00:00 +0100',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Body line with Subject: not a header',
  '',
].join('\r\n');

describe('extension BLOB summary: headers', () => {
  it('unfolds and decodes RFC 2047 words (B and Q, several charsets, adjacent words joined)', () => {
    const h = parseHeaders(Buffer.from(MESSAGE));
    assert.equal(h.first('from'), 'Béa Müller <bea@example.com>');
    assert.equal(h.first('To'), 'alice@example.com, carol@example.com');
    assert.equal(h.first('subject'), 'Café menu €5');
    assert.equal(h.all.get('subject')!.length, 1, 'the body is not read as headers');
  });

  it('keeps an encoded word it cannot decode, and plain text as is', () => {
    assert.equal(decodeEncodedWords('=?x-unknown-charset?B?QUJD?= rest'), '=?x-unknown-charset?B?QUJD?= rest');
    assert.equal(decodeEncodedWords('plain = text ?'), 'plain = text ?');
    assert.equal(decodeEncodedWords('=?utf-8*en?q?a_b?='), 'a b');
  });

  it('reads 8-bit UTF-8 headers (RFC 6532) and has no headers for content that has none', () => {
    assert.equal(parseHeaders(Buffer.from('Subject: Grüße\n\nx')).first('subject'), 'Grüße');
    assert.equal(parseHeaders(Buffer.from('BEGIN:VCARD\nVERSION:3.0\n')).first('subject'), undefined);
  });
});

describe('extension BLOB summary: the document', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'zxb-blobdoc-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function store(content: Buffer, transform: (gz: Buffer) => Buffer = (g) => g): string {
    const digest = computeDigest(content);
    const rel = blobRelPath(digest)!;
    mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), transform(gzipSync(content)));
    return digest;
  }

  it('puts digest, status, sizes and the decoded headers above the message, from a real BLOB store', async () => {
    const content = Buffer.from(MESSAGE);
    const digest = store(content);
    const read = await new BlobStore(dir).read(digest);
    assert.ok(read.ok);
    const text = blobDocumentText({
      digest,
      relPath: blobRelPath(digest),
      verification: read.verification,
      content: read.content,
      zone: 'UTC',
    });
    const [summary, rawTitle, body] = text.split(/─{72}\n/);
    assert.equal(rawTitle, 'Raw message\n');
    assert.match(summary!, new RegExp(`Digest +${digest.replace(/[+=]/g, '\\$&')} \\(sha256\\)`));
    assert.match(summary!, /Status +ok/);
    assert.match(summary!, new RegExp(`Size +${content.length} bytes \\(\\d+ bytes compressed\\)`));
    assert.match(summary!, /From +Béa Müller <bea@example.com>/);
    assert.match(summary!, /Subject +Café menu €5/);
    assert.match(summary!, /Date +01\/01\/2024 09:00:00 UTC/);
    assert.equal(body, MESSAGE);
  });

  it('decodes a message: text part, attachments (name, type, size), HTML-only text converted', async () => {
    const multipart = [
      'From: Bob <bob@example.com>',
      'To: alice@example.com',
      'Subject: =?UTF-8?Q?Q3_r=C3=A9sum=C3=A9?=',
      'Date: Tue, 02 Jan 2024 08:30:00 +0000',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'See the r=C3=A9sum=C3=A9 attached.',
      '--b1',
      'Content-Type: application/pdf; name="report.pdf"',
      'Content-Disposition: attachment; filename="report.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.alloc(300, 7).toString('base64'),
      '--b1--',
      '',
    ].join('\r\n');
    const digest = store(Buffer.from(multipart));
    const text = await blobDocumentFromStore(new BlobStore(dir), digest, 'UTC');
    assert.match(text, /Subject +Q3 résumé/);
    assert.match(text, /Date +02\/01\/2024 08:30:00 UTC/);
    assert.match(text, /Attachments +1\n +1\. report\.pdf {2}application\/pdf {2}300 bytes/);
    assert.match(text, /─\nText\n─+\nSee the résumé attached\./);

    const html =
      'Subject: hi\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>Hello <b>there</b></p></body></html>\r\n';
    const h = await blobDocumentFromStore(new BlobStore(dir), store(Buffer.from(html)), 'UTC');
    assert.match(h, /Text \(the HTML part, converted to text\)\n─+\nHello there/);
    assert.match(h, /Attachments +none/);
  });

  it('caps the decoded text of a huge message and says so', async () => {
    const long = `Subject: long\r\n\r\n${'word '.repeat(MAX_DECODED_TEXT_CHARS / 2)}\r\n`;
    const text = await blobDocumentFromStore(new BlobStore(dir), store(Buffer.from(long)), 'UTC');
    assert.match(
      text,
      new RegExp(`first ${MAX_DECODED_TEXT_CHARS.toLocaleString('en-US')} of [\\d,]+ characters shown`),
    );
  });

  it('decodes what can be decompressed of a truncated BLOB and names the damage with its finding', async () => {
    // Text that does not compress much, so half the gzip file holds the headers and the start of the body.
    const noise = Array.from({ length: 200 }, () => randomBytes(24).toString('hex')).join('\r\n');
    const long = MESSAGE.replace('Body line', `Body line\r\nmore text of the body\r\n${noise}\r\n`);
    const digest = store(Buffer.from(long), (gz) => gz.subarray(0, Math.floor(gz.length / 2)));
    const read = await new BlobStore(dir).read(digest);
    assert.equal(read.ok, false);
    const text = await blobDocumentFromStore(new BlobStore(dir), digest, 'UTC');
    assert.match(text, /Status +truncated gzip stream/);
    assert.match(text, /Finding +blob\.truncated: the BLOB's gzip stream ends too early/);
    assert.match(text, /only the first [\d,]+ bytes could be decompressed/);
    assert.match(text, /Subject +Café menu €5/);
    assert.match(text, /─\nText\n─+\nBody line\nmore text of the body/);

    const garbage = store(Buffer.from(MESSAGE), (gz) => Buffer.concat([gz.subarray(0, 10), Buffer.alloc(200, 0xff)]));
    const g = await blobDocumentFromStore(new BlobStore(dir), garbage, 'UTC');
    assert.match(g, /Finding +blob\.(corrupted|truncated)/, 'a stream broken from its start: the finding, no crash');

    const missing = computeDigest(Buffer.from('nothing here'));
    const m = await new BlobStore(dir).read(missing);
    assert.match(
      blobDocumentText({ digest: missing, relPath: blobRelPath(missing), verification: m.verification, zone: 'UTC' }),
      /MISSING/,
    );
  });

  it('does not decompress a gzip bomb: says it is not verified and shows no content', async () => {
    const digest = computeDigest(Buffer.from('a message the bomb replaced'));
    const rel = blobRelPath(digest)!;
    mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true });
    await writeGzipBomb(path.join(dir, rel), 128);
    const text = await blobDocumentFromStore(new BlobStore(dir), digest, 'UTC');
    assert.match(text, /Status +NOT VERIFIED: it inflates beyond the bound .* inflates to more than \d+ bytes/);
    assert.match(text, /the content cannot be shown/);
  });

  it('shows a BLOB over SHOW_BLOB_MAX_BYTES by its summary alone, and says why', async () => {
    // Compresses about 50 times, as text does (one repeated byte would be a gzip bomb).
    const big = Buffer.alloc(SHOW_BLOB_MAX_BYTES + 1, 'x');
    for (let at = 0; at < big.length; at += 4096) randomFillSync(big, at, Math.min(64, big.length - at));
    const digest = store(big);
    const text = await blobDocumentFromStore(new BlobStore(dir), digest, 'UTC');
    assert.match(text, /Status +ok/);
    assert.match(text, new RegExp(`cannot be shown: it holds more than ${SHOW_BLOB_MAX_BYTES} bytes`));
  });

  it('shows a double-gzipped BLOB decompressed, and says non-UTF-8 content is shown as Latin-1', async () => {
    const latin = Buffer.from('Subject: caf\xe9\r\n\r\ncaf\xe9\r\n', 'latin1');
    const digest = store(latin, (gz) => gzipSync(gz));
    const read = await new BlobStore(dir).read(digest);
    assert.ok(read.ok);
    const text = blobDocumentText({
      digest,
      relPath: blobRelPath(digest),
      verification: read.verification,
      content: read.content,
      zone: 'UTC',
    });
    assert.match(text, /compressed twice/);
    assert.match(text, /not valid UTF-8/);
    assert.match(text, /Subject +café/);
    assert.ok(text.endsWith('café\r\n'));
  });

  it('cuts a huge message and says so', () => {
    const big = Buffer.alloc(MAX_SHOWN_BYTES + 10, 0x61);
    const text = blobDocumentText({
      digest: 'x',
      relPath: undefined,
      verification: { status: 'ok', size: big.length },
      content: big,
      zone: 'UTC',
    });
    assert.match(text, /first 2,097,152 bytes of 2,097,162 bytes shown; Export to \.eml writes all/);
    assert.ok(text.length < MAX_SHOWN_BYTES + 2000);
  });
});

describe('extension BLOB summary: the document address', () => {
  it('reads back what blobUri writes, as VS Code decodes path and query', () => {
    const root = '/srv/backup path/zextras%1';
    const digest = 'w5JqLTjHOR6pKyxxYySrNIslzaPj8kMG5PIYXWt9M7E=';
    const u = new URL(blobUri(root, digest));
    const ref = blobRefFromUriParts(decodeURIComponent(u.pathname), decodeURIComponent(u.search.slice(1)));
    assert.deepEqual(ref, { root, digest });
    assert.equal(blobRefFromUriParts('/x.txt', 'root=/a'), undefined);
    assert.equal(blobRefFromUriParts('/x.eml', ''), undefined);
  });
});
