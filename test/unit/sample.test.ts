import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as tar from 'tar';
import { makeSample, decodeWords, type SampleResult } from '../../src/engine/sample/index';
import { analyzeItemBytes } from '../../src/engine/item/analyze';
import { verifyBlobBytes as verifyInMemory, isGzip, type BlobVerification } from '../../src/engine/blobs';
import { computeDigest, digestAlgorithm, isValidDigest } from '../../src/engine/digest';
import { itemBucket, customizationsStamp, isZimbraId } from '../../src/engine/layout';
import { parseAccountInfo, parseAccountStat, parseBackupStat } from '../../src/engine/files/account';
import { parseIdMapper, parseMapFile } from '../../src/engine/files/maps';
import { isFindingCode } from '../../src/engine/findings';
import type { ItemHistory } from '../../src/engine/item/types';

/** These BLOBs are small: verified in memory, never sent to the streamed verification. */
function verifyBlobBytes(bytes: Uint8Array, digest: string): BlobVerification {
  const v = verifyInMemory(bytes, digest);
  assert.notEqual(v, 'stream');
  return v as BlobVerification;
}

const DAY = 86_400_000;

function walk(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...walk(root, r));
    else out.push(r);
  }
  return out.sort();
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

interface LoadedItem {
  rel: string;
  account: string;
  id: number;
  history: ItemHistory;
}

function loadItems(root: string, files: readonly string[], now: number): LoadedItem[] {
  return files
    .filter((f) => /^accounts\/[^/]+\/items\/\d\d\/\d+$/.test(f))
    .map((rel) => {
      const parts = rel.split('/');
      const id = Number(parts[4]);
      return {
        rel,
        account: parts[1]!,
        id,
        history: analyzeItemBytes(readFileSync(path.join(root, rel)), rel, { fileItemId: id, now }),
      };
    });
}

/** Uses of a folder that does not exist (live) at the transaction's start: what the check reports as item.unknown-folder. */
function unknownFolderUses(items: readonly LoadedItem[]): string[] {
  const live = new Map<string, [number, number | null][]>();
  for (const it of items) {
    for (const t of it.history.transactions) {
      if (t.type !== 1 || t.deleted) continue;
      const key = `${it.account}/${it.id}`;
      live.set(key, [...(live.get(key) ?? []), [t.start!, t.end]]);
    }
  }
  const bad: string[] = [];
  for (const it of items) {
    for (const t of it.history.transactions) {
      if (t.deleted || t.folderId === undefined || t.folderId === it.id) continue;
      const ok = (live.get(`${it.account}/${t.folderId}`) ?? []).some(
        ([s, e]) => s <= t.start! && (e === null || t.start! < e),
      );
      if (!ok) bad.push(`${it.rel} transaction ${t.index + 1}: folder ${t.folderId}`);
    }
  }
  return bad;
}

function blobContent(root: string, digest: string): Buffer {
  return gunzipSync(readFileSync(path.join(root, 'items', digest.slice(0, 2), digest)));
}

describe('sample backup generator', function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'zxb-sample-'));
    dirs.push(d);
    return d;
  };
  let a: SampleResult;
  let b: SampleResult;
  let c: SampleResult;
  let f: SampleResult;
  let filesA: string[];
  let items: LoadedItem[];
  const progress: [number, number, string][] = [];

  before(async () => {
    a = await makeSample(tmp(), {}, (done, total, phase) => progress.push([done, total, phase]));
    b = await makeSample(tmp(), {});
    c = await makeSample(tmp(), { seed: 2 });
    f = await makeSample(tmp(), { faults: true });
    filesA = walk(a.path);
    items = loadItems(a.path, filesA, a.endDate);
  });

  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  describe('determinism', () => {
    it('gives byte-identical trees for the same options', () => {
      const filesB = walk(b.path);
      assert.deepEqual(filesB, filesA);
      for (const rel of filesA) assert.equal(sha256(path.join(b.path, rel)), sha256(path.join(a.path, rel)), rel);
      assert.deepEqual({ ...b, path: '' }, { ...a, path: '' });
    });

    it('gives another tree for another seed', () => {
      const filesC = walk(c.path);
      assert.notDeepEqual(filesC, filesA);
      assert.notDeepEqual(
        c.accounts.map((x) => x.zimbraId),
        a.accounts.map((x) => x.zimbraId),
      );
    });

    it('writes gzip with a zero mtime and a fixed timeline', () => {
      const blob = filesA.find((p) => p.startsWith('items/'))!;
      const bytes = readFileSync(path.join(a.path, blob));
      assert.ok(isGzip(bytes));
      assert.equal(bytes.readUInt32LE(4), 0, 'gzip MTIME');
      assert.equal(a.startDate, Date.UTC(2025, 0, 1));
      assert.equal(a.endDate, Date.UTC(2026, 9, 31));
    });

    it('reports progress up to the total', () => {
      const last = progress[progress.length - 1]!;
      assert.equal(last[2], 'done');
      assert.equal(last[0], last[1]);
      assert.ok(progress.some((p) => p[2] === 'accounts' && p[0] > 0 && p[0] < p[1]));
    });
  });

  describe('clean sample', () => {
    it('has the documented accounts', () => {
      assert.equal(a.accounts.length, 6);
      const infos = a.accounts.map((acc) => {
        assert.ok(isZimbraId(acc.zimbraId));
        const rel = `accounts/${acc.zimbraId}/account_info`;
        const parsed = parseAccountInfo(readFileSync(path.join(a.path, rel)), rel, acc.zimbraId);
        assert.deepEqual(parsed.findings, [], rel);
        assert.equal(parsed.value!.name, acc.name);
        return parsed.value!;
      });
      assert.equal(infos.filter((i) => i.deletedDate !== undefined).length, 1);
      assert.equal(infos.filter((i) => i.isSystem).length, 1);
      assert.ok(new Set(infos.map((i) => i.domain)).size >= 3);
      assert.equal(a.items, items.length);
      for (const acc of a.accounts) assert.equal(items.filter((i) => i.account === acc.zimbraId).length, acc.items);
      assert.deepEqual(a.faults, []);
    });

    it('has item files that analyse without errors or warnings', () => {
      assert.ok(items.length > 500);
      for (const it of items) {
        const bad = it.history.findings.filter((x) => x.severity !== 'info');
        assert.deepEqual(bad, [], it.rel);
        assert.equal(it.rel.split('/')[3], itemBucket(it.id));
        assert.ok(
          it.history.transactions.every((t) => t.start! >= a.startDate && t.start! < a.endDate),
          it.rel,
        );
        // Only the documented informational case: an undelete.
        for (const x of it.history.findings) assert.equal(x.code, 'item.live-after-delete', it.rel);
      }
    });

    it('keeps every item in a folder that exists at the time', async () => {
      assert.deepEqual(unknownFolderUses(items), []);
      // Bigger accounts have 40 user folders; the import creates them all before its first item.
      const big = await makeSample(tmp(), { accounts: 3, itemsPerAccount: 1000, seed: 4 });
      const bigItems = loadItems(big.path, walk(big.path), big.endDate);
      assert.deepEqual(unknownFolderUses(bigItems), []);
      for (const it of bigItems)
        assert.deepEqual(
          it.history.findings.filter((x) => x.severity !== 'info'),
          [],
          it.rel,
        );
    });

    it('chains transactions exactly', () => {
      for (const it of items) {
        const txs = it.history.transactions;
        txs.forEach((t, i) => {
          assert.equal(t.transactionId, i + 1);
          assert.equal(t.itemId, it.id);
          assert.equal(t.type, txs[0]!.type);
          assert.equal(t.end, i + 1 < txs.length ? txs[i + 1]!.start : null, it.rel);
        });
      }
    });

    it('has every referenced BLOB, no orphan and no double gzip', () => {
      const referenced = new Map<string, number>();
      for (const it of items)
        for (const t of it.history.transactions) if (typeof t.digest === 'string') referenced.set(t.digest, t.size!);
      const blobs = filesA.filter((p) => p.startsWith('items/'));
      assert.equal(blobs.length, a.blobs);
      assert.equal(
        blobs.reduce((s, p) => s + statSync(path.join(a.path, p)).size, 0),
        a.blobBytes,
      );
      const names = new Set<string>();
      for (const rel of blobs) {
        const [, prefix, digest] = rel.split('/') as [string, string, string];
        assert.ok(isValidDigest(digest), rel);
        assert.equal(prefix, digest.slice(0, 2));
        const gz = readFileSync(path.join(a.path, rel));
        const content = gunzipSync(gz);
        assert.ok(!isGzip(content), `double gzip ${rel}`);
        assert.equal(computeDigest(content), digest, rel);
        assert.equal(verifyBlobBytes(gz, digest).status, 'ok');
        assert.ok(referenced.has(digest), `orphan ${rel}`);
        assert.equal(content.length, referenced.get(digest), `size of ${rel}`);
        names.add(digest);
      }
      for (const d of referenced.keys()) assert.ok(names.has(d), `missing BLOB ${d}`);
      const uncompressed = [...referenced.values()].reduce((s, v) => s + v, 0);
      assert.ok(uncompressed < 20 * 1024 * 1024, `${uncompressed} bytes of BLOBs`);
    });

    it('writes true account_stat summaries', () => {
      for (const acc of a.accounts) {
        const rel = `accounts/${acc.zimbraId}/account_stat`;
        const stat = parseAccountStat(readFileSync(path.join(a.path, rel)), rel);
        assert.deepEqual(stat.findings, []);
        const mine = items.filter((i) => i.account === acc.zimbraId);
        const starts = mine.flatMap((i) => i.history.transactions.map((t) => t.start!));
        const digests = new Set(
          mine.flatMap((i) =>
            i.history.transactions.map((t) => t.digest).filter((d): d is string => typeof d === 'string'),
          ),
        );
        const s = stat.value!;
        assert.equal(s.itemCount, mine.length);
        assert.equal(s.lastItemId, Math.max(...mine.map((i) => i.id)));
        assert.equal(s.firstTransactionDate, Math.min(...starts));
        assert.equal(s.lastTransactionDate, Math.max(...starts));
        assert.equal(s.blobCount, digests.size);
        assert.equal(
          s.blobBytes,
          [...digests].reduce((sum, d) => sum + statSync(path.join(a.path, 'items', d.slice(0, 2), d)).size, 0),
        );
        const bs = parseBackupStat(
          readFileSync(path.join(a.path, `accounts/${acc.zimbraId}/backupstat`)),
          'backupstat',
        );
        assert.deepEqual(bs.findings, []);
      }
      const root = parseBackupStat(readFileSync(path.join(a.path, 'backupstat')), 'backupstat');
      assert.deepEqual(root.findings, []);
      assert.equal(root.value!.firstRunDate, a.startDate);
    });

    it('has a map file and an id_mapper.log that point at what exists', () => {
      const maps = filesA.filter((p) => p.startsWith('map_'));
      assert.equal(maps.length, 1);
      assert.ok(isZimbraId(maps[0]!.slice(4)));
      const map = parseMapFile(readFileSync(path.join(a.path, maps[0]!)), maps[0]!);
      assert.deepEqual(map.findings, []);
      const dest = map.value!.accounts[0]!.destinationId;
      assert.ok(a.accounts.some((x) => x.zimbraId === dest));
      const log = parseIdMapper(
        readFileSync(path.join(a.path, `accounts/${dest}/id_mapper.log`), 'utf8'),
        'id_mapper.log',
      );
      assert.deepEqual(log.findings, []);
      assert.ok(log.mappings.length > 20);
      const ids = new Set(items.filter((i) => i.account === dest).map((i) => i.id));
      for (const m of log.mappings) assert.ok(ids.has(m.destinationItemId), `id_mapper → ${m.destinationItemId}`);
    });

    it('has customizations archives with the server configuration', async () => {
      const archives = filesA.filter((p) => p.startsWith('server/'));
      assert.equal(archives.length, 2);
      for (const rel of archives) {
        assert.ok(customizationsStamp(rel.slice('server/'.length)), rel);
        const entries: string[] = [];
        await tar.t({ file: path.join(a.path, rel), strict: true, onReadEntry: (e) => void entries.push(e.path) });
        assert.ok(entries.includes('opt/zimbra/conf/localconfig.xml'), entries.join());
        assert.ok(entries.includes('opt/zimbra/postfix/conf/main.cf'));
      }
    });
  });

  describe('realistic content', () => {
    const byType = (type: number): LoadedItem[] => items.filter((i) => i.history.transactions[0]!.type === type);

    it('has system folders, renamed and moved user folders, and tags', () => {
      for (const acc of a.accounts) {
        const folders = byType(1).filter((i) => i.account === acc.zimbraId);
        for (const id of [1, 2, 3, 4, 5, 6, 7, 10, 15, 16])
          assert.ok(
            folders.some((x) => x.id === id),
            `folder ${id} of ${acc.name}`,
          );
      }
      const user = byType(1).filter((i) => i.id >= 256);
      const renamed = user.filter((i) => new Set(i.history.transactions.map((t) => t.name)).size > 1);
      const moved = user.filter((i) => new Set(i.history.transactions.map((t) => t.folderId)).size > 1);
      assert.ok(renamed.length > 3 && moved.length > 3, `${renamed.length} renamed, ${moved.length} moved`);
      assert.ok(
        user.some((i) => i.history.transactions.some((t) => t.folderId === 3)),
        'a folder moved to Trash',
      );
      const tags = byType(3);
      assert.ok(tags.length > 5);
      const tagNames = new Set(tags.map((t) => t.history.transactions[0]!.name));
      assert.ok(byType(5).some((m) => m.history.transactions.some((t) => (t.tags ?? []).some((n) => tagNames.has(n)))));
    });

    it('has message histories: read, flagged, moved, deleted long ago and recently, undeleted', () => {
      const msgs = byType(5);
      const txs = (m: LoadedItem) => m.history.transactions;
      assert.ok(
        msgs.some((m) => (txs(m)[0]!.flags! & 512) !== 0 && txs(m).some((t) => (t.flags! & 512) === 0)),
        'unread → read',
      );
      assert.ok(
        msgs.some((m) => txs(m).some((t) => (t.flags! & 32) !== 0)),
        'flagged',
      );
      assert.ok(
        msgs.some((m) => txs(m).some((t) => t.folderId === 3)),
        'moved to Trash',
      );
      assert.ok(
        msgs.some((m) => txs(m).some((t) => (t.folderId ?? 0) >= 256)),
        'moved to a user folder',
      );
      const deletedAt = msgs
        .map((m) => txs(m).at(-1)!)
        .filter((t) => t.deleted && t.end === null)
        .map((t) => t.start!);
      assert.ok(
        deletedAt.some((d) => d < a.endDate - 30 * DAY),
        'purge due',
      );
      assert.ok(
        deletedAt.some((d) => d >= a.endDate - 30 * DAY),
        'recently deleted',
      );
      assert.ok(
        msgs.some((m) =>
          txs(m).some(
            (t, i) =>
              t.deleted &&
              txs(m)
                .slice(i + 1)
                .some((u) => !u.deleted),
          ),
        ),
        'undelete',
      );
    });

    it('shares BLOBs across accounts', () => {
      const owners = new Map<string, Set<string>>();
      for (const it of byType(5))
        for (const t of it.history.transactions)
          if (t.digest) owners.set(t.digest, (owners.get(t.digest) ?? new Set()).add(it.account));
      assert.ok([...owners.values()].some((s) => s.size >= 3));
    });

    it('writes real MIME messages', () => {
      const seen = { alternative: 0, mixed: 0, html: 0, qp: 0, eightBit: 0, encodedWord: 0, base64: 0, large: 0 };
      for (const m of byType(5)) {
        const t0 = m.history.transactions[0]!;
        const raw = blobContent(a.path, t0.digest!);
        if (raw.length >= 1024 * 1024) seen.large++;
        const text = raw.toString('utf8');
        assert.ok(!/[^\r]\n/.test(text), `bare LF in ${m.rel}`);
        const sep = text.indexOf('\r\n\r\n');
        const head = text.slice(0, sep);
        for (const h of ['Date', 'From', 'To', 'Subject', 'Message-ID', 'MIME-Version', 'Content-Type'])
          assert.match(head, new RegExp(`^${h}: `, 'm'), `${h} in ${m.rel}`);
        const subject = /^Subject: (.*(?:\r\n[ \t].*)*)/m.exec(head)![1]!;
        assert.equal(decodeWords(subject), t0.subject, m.rel);
        if (subject.includes('=?UTF-8?B?')) seen.encodedWord++;
        for (const match of text.matchAll(/boundary="([^"]+)"/g)) {
          const bnd = match[1]!;
          assert.ok(text.includes(`\r\n--${bnd}\r\n`), `delimiter ${bnd}`);
          assert.ok(text.includes(`\r\n--${bnd}--\r\n`), `close delimiter ${bnd}`);
        }
        if (/^Content-Type: multipart\/alternative/m.test(text)) seen.alternative++;
        if (/^Content-Type: multipart\/mixed/m.test(head)) seen.mixed++;
        if (/^Content-Type: text\/html/m.test(text)) seen.html++;
        if (/^Content-Transfer-Encoding: quoted-printable/m.test(text)) seen.qp++;
        if (/^Content-Transfer-Encoding: 8bit/m.test(text) && /[^\x00-\x7f]/.test(text)) seen.eightBit++;
        if (/^Content-Transfer-Encoding: 7bit/m.test(head))
          assert.ok(!/[^\x00-\x7f]/.test(text), `8-bit bytes in a 7bit message ${m.rel}`);
        if (!/^Content-Transfer-Encoding: 8bit/m.test(text))
          assert.ok(!/[^\x00-\x7f]/.test(text), `8-bit bytes without 8bit ${m.rel}`);
        if (/^Content-Transfer-Encoding: base64/m.test(text)) seen.base64++;
      }
      for (const [k, v] of Object.entries(seen)) assert.ok(v > 0, `no ${k} message`);
      assert.ok(seen.large >= 3);
    });

    it('decodes attachments to real PNG and PDF-looking files', () => {
      let png = 0;
      let pdf = 0;
      for (const m of byType(5)) {
        const text = blobContent(a.path, m.history.transactions[0]!.digest!).toString('utf8');
        for (const part of text.matchAll(
          /Content-Type: (image\/png|application\/pdf);[\s\S]*?Content-Transfer-Encoding: base64\r\n(?:Content-ID: .*\r\n)?\r\n([A-Za-z0-9+/=\r\n]+)/g,
        )) {
          const data = Buffer.from(part[2]!.replace(/\r\n/g, ''), 'base64');
          if (part[1] === 'image/png') {
            assert.equal(data.subarray(0, 8).toString('hex'), '89504e470d0a1a0a');
            png++;
          } else {
            assert.equal(data.subarray(0, 5).toString('latin1'), '%PDF-');
            assert.ok(data.subarray(-6).toString('latin1').includes('%%EOF'));
            pdf++;
          }
        }
      }
      assert.ok(png > 0 && pdf > 0, `${png} PNG, ${pdf} PDF`);
    });

    it('writes vCards, events, tasks and versioned documents', () => {
      const first = (type: number): string[] =>
        byType(type).map((i) => blobContent(a.path, i.history.transactions[0]!.digest!).toString('utf8'));
      for (const v of first(6)) assert.match(v, /^BEGIN:VCARD\r\nVERSION:3\.0\r\n[\s\S]*\r\nFN:[\s\S]*END:VCARD\r\n$/);
      for (const v of first(11))
        assert.match(
          v,
          /^BEGIN:VCALENDAR\r\n[\s\S]*BEGIN:VEVENT\r\n[\s\S]*DTSTART;[\s\S]*END:VEVENT\r\nEND:VCALENDAR\r\n$/,
        );
      for (const v of first(15))
        assert.match(v, /^BEGIN:VCALENDAR\r\n[\s\S]*BEGIN:VTODO\r\n[\s\S]*END:VTODO\r\nEND:VCALENDAR\r\n$/);
      for (const v of [...first(6), ...first(11), ...first(15)])
        for (const line of v.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, line);
      const docs = byType(8);
      assert.ok(docs.every((d) => d.history.transactions[0]!.folderId === 16));
      const versioned = docs.filter((d) => d.history.transactions.some((t) => (t.version ?? 0) > 1));
      assert.ok(versioned.length > 0);
      for (const d of versioned) {
        const txs = d.history.transactions.filter((t) => t.version !== undefined);
        const digests = new Set(txs.map((t) => t.digest));
        assert.equal(digests.size, new Set(txs.map((t) => t.version)).size, d.rel);
      }
    });
  });

  describe('faults', () => {
    it('documents every fault with a known finding code', () => {
      const doc = readFileSync(path.join(__dirname, '../../docs/sample.md'), 'utf8');
      assert.ok(f.faults.length >= 15);
      assert.equal(new Set(f.faults.map((x) => x.id)).size, f.faults.length);
      for (const x of f.faults) {
        assert.ok(isFindingCode(x.expectedCode), x.expectedCode);
        assert.ok(doc.includes(`\`${x.id}\``), `${x.id} in docs/sample.md`);
        assert.ok(doc.includes(`\`${x.expectedCode}\``), `${x.expectedCode} in docs/sample.md`);
      }
      const codes = new Set(f.faults.map((x) => x.expectedCode));
      for (const code of [
        'item.invalid-json',
        'item.not-utf8',
        'item.interval-overlap',
        'item.bad-transaction-id',
        'layout.item-wrong-folder',
        'item.id-mismatch',
        'blob.missing',
        'blob.orphan',
        'blob.corrupted',
        'blob.double-gzip',
        'blob.bad-name',
        'account.invalid-json',
        'blob.empty',
        'blob.not-gzip',
      ]) {
        assert.ok(codes.has(code), code);
      }
    });

    it('leaves the clean part of the tree as it is without faults', () => {
      const target = f.accounts[0]!.zimbraId;
      const info = f.faults.find((x) => x.id === 'account-invalid-json')!.path;
      const idmap = f.faults.find((x) => x.id === 'idmap-unknown-item')?.path;
      for (const rel of filesA) {
        if (rel === info || rel === idmap || rel === `accounts/${target}/account_stat`) continue;
        assert.equal(sha256(path.join(f.path, rel)), sha256(path.join(a.path, rel)), rel);
      }
    });

    it('damages each file as described', () => {
      const all = walk(f.path);
      const faultItems = loadItems(f.path, all, f.endDate);
      const referenced = new Map<string, number>();
      for (const it of faultItems)
        for (const t of it.history.transactions)
          if (typeof t.digest === 'string' && isValidDigest(t.digest)) referenced.set(t.digest, t.size!);
      for (const x of f.faults) {
        const abs = path.join(f.path, x.path);
        assert.ok(all.includes(x.path), `${x.id}: ${x.path} exists`);
        const name = x.path.slice(x.path.lastIndexOf('/') + 1);
        if (x.expectedCode.startsWith('item.')) {
          const h = analyzeItemBytes(readFileSync(abs), x.path, { fileItemId: Number(name), now: f.endDate });
          assert.ok(
            h.findings.some((y) => y.code === x.expectedCode),
            `${x.id}: ${h.findings.map((y) => y.code).join()}`,
          );
        } else if (x.expectedCode === 'layout.item-wrong-folder') {
          assert.notEqual(x.path.split('/')[3], itemBucket(Number(name)));
        } else if (x.expectedCode === 'blob.missing') {
          const h = analyzeItemBytes(readFileSync(abs), x.path, { fileItemId: Number(name), now: f.endDate });
          const d = h.transactions[0]!.digest!;
          assert.ok(isValidDigest(d));
          assert.ok(!all.includes(`items/${d.slice(0, 2)}/${d}`));
        } else if (x.expectedCode === 'blob.orphan') {
          assert.equal(verifyBlobBytes(readFileSync(abs), name).status, 'ok');
          assert.ok(!referenced.has(name));
        } else if (x.expectedCode === 'blob.bad-name') {
          assert.equal(digestAlgorithm(name), undefined);
          assert.equal(name.length, 44);
        } else if (x.expectedCode === 'blob.wrong-folder') {
          assert.notEqual(x.path.split('/')[1], name.slice(0, 2));
          assert.equal(verifyBlobBytes(readFileSync(abs), name).status, 'ok');
        } else if (x.expectedCode === 'blob.size-mismatch') {
          assert.equal(verifyBlobBytes(readFileSync(abs), name).size! + 1, referenced.get(name));
        } else if (x.expectedCode.startsWith('blob.')) {
          const status = {
            'blob.corrupted': 'corrupted',
            'blob.truncated': 'truncated',
            'blob.double-gzip': 'double-gzip',
            'blob.empty': 'empty',
            'blob.not-gzip': 'not-gzip',
          }[x.expectedCode];
          assert.equal(verifyBlobBytes(readFileSync(abs), name).status, status, x.id);
          assert.ok(referenced.has(name), `${x.id} is referenced`);
        } else if (x.expectedCode === 'account.invalid-json') {
          const parsed = parseAccountInfo(readFileSync(abs), x.path);
          assert.ok(parsed.findings.some((y) => y.code === 'account.invalid-json'));
        } else if (x.expectedCode === 'idmap.unknown-item') {
          const log = parseIdMapper(readFileSync(abs, 'utf8'), x.path);
          const last = log.mappings.at(-1)!;
          const account = x.path.split('/')[1]!;
          assert.ok(!faultItems.some((i) => i.account === account && i.id === last.destinationItemId));
        } else assert.fail(`no check for ${x.expectedCode}`);
      }
      // The corrupted-payload BLOB fails gunzip itself.
      const payload = f.faults.find((x) => x.id === 'blob-corrupted-payload')!;
      assert.throws(() => gunzipSync(readFileSync(path.join(f.path, payload.path))));
    });
  });

  describe('options', () => {
    it('honours an abort signal with an AbortError', async () => {
      const ac = new AbortController();
      await assert.rejects(
        makeSample(
          tmp(),
          { accounts: 3, itemsPerAccount: 2000 },
          (done) => {
            if (done > 300) ac.abort();
          },
          ac.signal,
        ),
        (err: Error) => err.name === 'AbortError',
      );
    });

    it('refuses a folder that is not empty', async () => {
      const d = tmp();
      writeFileSync(path.join(d, 'something'), 'x');
      await assert.rejects(makeSample(d, { accounts: 1 }), /not empty/);
    });

    it('writes Drive items when asked', async () => {
      const r = await makeSample(tmp(), { accounts: 2, itemsPerAccount: 40, drive: true });
      const drive = walk(r.path).filter((p) => p.includes('/drive_items/'));
      assert.ok(drive.length >= 3);
      for (const rel of drive) {
        const [, , , bucket, uuid] = rel.split('/') as [string, string, string, string, string];
        assert.equal(bucket, uuid.slice(-2));
        const txs = JSON.parse(readFileSync(path.join(r.path, rel), 'utf8')) as {
          id: string;
          type: number;
          digest: string;
        }[];
        assert.ok(txs.every((t) => t.id === uuid && t.type === 8));
        for (const t of txs) assert.ok(walk(r.path).includes(`items/${t.digest.slice(0, 2)}/${t.digest}`));
      }
    });

    it('scales the composition down and up', async () => {
      const r = await makeSample(tmp(), { accounts: 1, itemsPerAccount: 1 });
      assert.equal(r.accounts.length, 1);
      assert.ok(r.items >= 20);
      const rel = walk(r.path).filter((p) => /items\/\d\d\/\d+$/.test(p));
      for (const p of rel) {
        const h = analyzeItemBytes(readFileSync(path.join(r.path, p)), p, {
          fileItemId: Number(p.split('/').pop()),
          now: r.endDate,
        });
        assert.deepEqual(
          h.findings.filter((x) => x.severity !== 'info'),
          [],
          p,
        );
      }
    });
  });
});
