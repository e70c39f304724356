/**
 * The sample's size models (docs/sample.md, "Sizes"): `small` is the default and what
 * tests get; `real` gives messages of real mail's sizes with real base64 attachments of
 * the right compressibility, shared copies across mailboxes, and still a clean backup.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { makeSample, type SampleResult } from '../../src/engine/sample/index';
import { ATTACHMENT_TYPES, REAL_MAIL } from '../../src/engine/sample/sizes';
import { runCoherencyCheck } from '../../src/engine/check';

function walk(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...walk(root, r));
    else out.push(r);
  }
  return out.sort();
}

function treeHash(root: string): string {
  const h = createHash('sha256');
  for (const rel of walk(root)) h.update(rel).update(readFileSync(path.join(root, rel)));
  return h.digest('hex');
}

interface Part {
  headers: string;
  body: string;
}

/** The leaf parts of a MIME message (enough for the sample's own messages). */
function leafParts(raw: string): Part[] {
  const split = (text: string): [string, string] => {
    const i = text.indexOf('\r\n\r\n');
    return i < 0 ? [text, ''] : [text.slice(0, i), text.slice(i + 4)];
  };
  const walkPart = (text: string): Part[] => {
    const [headers, body] = split(text);
    const b = /boundary="([^"]+)"/i.exec(headers);
    if (!/^Content-Type: multipart\//im.test(headers) || !b) return [{ headers, body }];
    return body
      .split(`--${b[1]}`)
      .slice(1, -1)
      .flatMap((p) => walkPart(p.replace(/^\r\n/, '')));
  };
  return walkPart(raw);
}

describe('sample size models', function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'zxb-sizes-'));
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('small is the default: the same tree byte for byte', async () => {
    const opts = { accounts: 2, itemsPerAccount: 40, seed: 9, faults: true };
    const a = await makeSample(tmp(), opts);
    const b = await makeSample(tmp(), { ...opts, sizes: 'small' });
    assert.equal(a.sizes, 'small');
    assert.equal(treeHash(b.path), treeHash(a.path));
  });

  describe('real', () => {
    let r: SampleResult;
    /** Distinct message BLOBs, uncompressed, with their gzip size. */
    const messages: { raw: Buffer; gz: number }[] = [];
    before(async () => {
      r = await makeSample(tmp(), { accounts: 4, itemsPerAccount: 150, seed: 3, sizes: 'real' });
      for (const rel of walk(r.path).filter((p) => p.startsWith('items/'))) {
        const gz = readFileSync(path.join(r.path, rel));
        const raw = gunzipSync(gz);
        if (raw.subarray(0, 12).toString('latin1') === 'Return-Path:') messages.push({ raw, gz: gz.length });
      }
    });

    it('is deterministic', async () => {
      const opts = { accounts: 2, itemsPerAccount: 40, seed: 3, sizes: 'real' as const };
      const [x, y] = [await makeSample(tmp(), opts), await makeSample(tmp(), opts)];
      assert.equal(treeHash(x.path), treeHash(y.path));
    });

    it('has sizes of real mail: median of a few KB, mean of tens of KB, a long tail', () => {
      const sizes = messages.map((m) => m.raw.length).sort((x, y) => x - y);
      const median = sizes[sizes.length >> 1]!;
      const mean = sizes.reduce((s, x) => s + x, 0) / sizes.length;
      assert.ok(messages.length > 200, `${messages.length} messages`);
      assert.ok(median > 5_000 && median < 20_000, `median ${median}`);
      assert.ok(mean > 35_000 && mean < 150_000, `mean ${mean}`);
      assert.ok(sizes[sizes.length - 1]! > 1_000_000, 'a message of more than 1 MB');
    });

    it('attaches real base64 parts to about the documented share; binary formats do not compress, text does', () => {
      let withAttachments = 0;
      const seen = new Set<string>();
      for (const m of messages) {
        const parts = leafParts(m.raw.toString('latin1')).filter((p) =>
          /Content-Disposition: attachment/i.test(p.headers),
        );
        if (parts.length > 0) withAttachments++;
        for (const p of parts) {
          assert.match(p.headers, /Content-Transfer-Encoding: base64/);
          const b64 = p.body.replace(/\r\n/g, '');
          assert.match(b64, /^[A-Za-z0-9+/]*={0,2}$/);
          for (const line of p.body.split('\r\n')) assert.ok(line.length <= 76);
          const data = Buffer.from(b64, 'base64');
          const type = ATTACHMENT_TYPES.find((t) => p.headers.includes(`Content-Type: ${t.contentType};`));
          if (!type || data.length < 4000) continue;
          seen.add(type.ext);
          const ratio = data.length / gzipSync(data).length;
          if (type.content === 'binary') assert.ok(ratio < 1.02, `${type.ext} compresses ${ratio.toFixed(2)}:1`);
          else assert.ok(ratio > 2, `${type.ext} compresses only ${ratio.toFixed(2)}:1`);
          if (type.ext === 'pdf') assert.equal(data.subarray(0, 5).toString('latin1'), '%PDF-');
          if (type.ext === 'jpg') assert.equal(data.readUInt16BE(0), 0xffd8);
          if (type.ext === 'zip' || type.ext === 'docx' || type.ext === 'xlsx')
            assert.equal(data.subarray(0, 4).toString('latin1'), 'PK\x03\x04');
        }
      }
      const share = withAttachments / messages.length;
      assert.ok(Math.abs(share - REAL_MAIL.attachmentShare) < 0.08, `share with attachments ${share.toFixed(3)}`);
      assert.ok(seen.has('pdf') && seen.size >= 3, [...seen].join(' '));
    });

    it('keeps one BLOB for a message several mailboxes hold', () => {
      const accountsOf = new Map<string, Set<string>>();
      for (const rel of walk(r.path).filter((p) => /^accounts\/[^/]+\/items\/\d\d\/\d+$/.test(p))) {
        const txs = JSON.parse(readFileSync(path.join(r.path, rel), 'utf8')) as { type: number; digest?: string }[];
        for (const t of txs)
          if (t.type === 5 && t.digest) {
            const s = accountsOf.get(t.digest) ?? new Set<string>();
            s.add(rel.split('/')[1]!);
            accountsOf.set(t.digest, s);
          }
      }
      const inSeveral = [...accountsOf.values()].filter((s) => s.size > 1).length;
      // More than the eight organisation-wide announcements.
      assert.ok(inSeveral >= 8 + 4, `${inSeveral} message BLOBs in more than one account`);
    });

    it('is a clean backup for the deep check', async () => {
      const report = await runCoherencyCheck(r.path, { level: 'blobs', cache: false, jobs: 0, now: r.endDate });
      assert.equal(report.summary.bySeverity.error, 0, JSON.stringify(report.summary.byCode));
      assert.equal(report.summary.bySeverity.warning, 0, JSON.stringify(report.summary.byCode));
      for (const code of Object.keys(report.summary.byCode))
        assert.ok(['item.live-after-delete', 'item.purge-due'].includes(code), code);
    });
  });
});
