/**
 * The format writer (src/engine/format): what it writes reads back through the real
 * parsers with the same values, passes the coherency check with no finding, appends
 * transactions, stores BLOBs once, and never leaves a half-written file after a crash.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  BackupWriter,
  FormatError,
  TRANSACTION_KEYS,
  appendTransaction,
  chainTransactions,
  serializeItem,
  type TransactionValues,
} from '../../src/engine/format';
import { runCoherencyCheck } from '../../src/engine/check';
import { computeDigest } from '../../src/engine/digest';
import { parseAccountInfo, parseAccountStat, parseBackupStat } from '../../src/engine/files/account';
import { parseIdMapper, parseMapFile } from '../../src/engine/files/maps';
import { parseItemText } from '../../src/engine/item/parse';
import type { Transaction } from '../../src/engine/item/types';
import { blobRelPath, classifyRelPath, itemRelPath } from '../../src/engine/layout';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);
const NOW = T0 + 60 * DAY;
const ACC = '0f9b3c2e-6a4d-4c55-9b1e-2d7f8a9c0e11';
const SERVER = '5a1b2c3d-0000-4000-8000-00000000abcd';

/** The parsed transaction's fields that a writer's TransactionValues names. */
function valuesOf(t: Transaction): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of [
    'transactionId',
    'start',
    'end',
    'itemId',
    'nodeId',
    'type',
    'folderId',
    'parentId',
    'name',
    'subject',
    'sender',
    'recipients',
    'date',
    'size',
    'digest',
    'flags',
    'tags',
    'color',
    'version',
    'modMetadata',
    'modContent',
    'changeDate',
    'metadata',
  ] as const) {
    if (t[k] !== undefined) out[k] = t[k];
  }
  if (t.deleted) out['deleted'] = true;
  if (Object.keys(t.extra).length > 0) out['extra'] = t.extra;
  return out;
}

function files(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...files(root, r));
    else out.push(r);
  }
  return out.sort();
}

describe('format writer (src/engine/format)', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'zxb-format-'));
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  describe('round trip through the parsers and the check', () => {
    let root: string;
    let message: TransactionValues[];
    let blob: Buffer;
    before(async () => {
      root = tmp();
      const w = new BackupWriter(root);
      blob = Buffer.from(
        'From: bob@example.com\r\nTo: alice@example.com\r\nSubject: Quarterly report\r\n\r\nHello.\r\n',
      );
      const ref = w.putBlob(blob);
      // System folders the items live in (the check wants every folder-id to exist).
      for (const id of [1, 2, 3]) {
        w.writeItem(ACC, id, [
          {
            transactionId: 1,
            start: T0,
            end: null,
            itemId: id,
            type: 1,
            folderId: 1,
            parentId: 1,
            name: ['', 'USER_ROOT', 'Inbox', 'Trash'][id]!,
            flags: 0,
          },
        ]);
      }
      message = chainTransactions([
        {
          start: T0 + DAY,
          itemId: 260,
          type: 5,
          folderId: 2,
          flags: 512,
          tags: [],
          date: Math.floor((T0 + DAY) / 1000) - 5,
          size: ref.size,
          digest: ref.digest,
          subject: 'Quarterly report',
          sender: 'bob@example.com',
          recipients: 'alice@example.com',
          modMetadata: 110,
          modContent: 110,
          changeDate: Math.floor((T0 + DAY) / 1000),
          color: 3,
          metadata: 'd1:f0:e',
        },
        {
          start: T0 + 2 * DAY,
          itemId: 260,
          type: 5,
          folderId: 3,
          flags: 0,
          tags: ['work', 'q1'],
          size: ref.size,
          digest: ref.digest,
          modMetadata: 111,
        },
        {
          start: T0 + 50 * DAY,
          itemId: 260,
          type: 5,
          folderId: 3,
          flags: 0,
          tags: [],
          size: ref.size,
          digest: ref.digest,
          deleted: true,
          modMetadata: 112,
        },
      ]);
      w.writeItem(ACC, 260, message);
      w.writeItem(ACC, 261, [
        {
          transactionId: 1,
          start: T0 + DAY,
          end: null,
          itemId: 261,
          type: 8,
          folderId: 2,
          name: 'Plan.txt',
          version: 1,
          digest: null,
          size: 0,
        },
      ]);
      w.writeAccountInfo({
        zimbraId: ACC,
        name: 'alice@example.com',
        displayName: 'Alice Liddell',
        status: 'active',
        isSystem: false,
        cos: 'default',
        createdDate: T0,
        deletedDate: null,
        attributes: { zimbraPrefTimeZoneId: 'Europe/Rome' },
      });
      w.writeAccountStat(ACC, {
        lastItemId: 261,
        itemCount: 5,
        lastScanDate: NOW - DAY,
        firstTransactionDate: T0,
        lastTransactionDate: T0 + 50 * DAY,
        blobCount: 1,
        blobBytes: ref.stored,
      });
      w.writeBackupStat(ACC, {
        firstRunDate: T0,
        lastRunDate: NOW - DAY,
        serverId: SERVER,
        backupVersion: '4.0.0',
        smartScanCount: 59,
      });
      w.writeBackupStat(undefined, {
        firstRunDate: T0,
        lastRunDate: NOW - DAY,
        serverId: SERVER,
        backupVersion: '4.0.0',
        smartScanCount: 59,
      });
      w.writeMap(SERVER, {
        sourceServerId: 'mbox1.old.example.com',
        importDate: T0,
        accounts: [{ sourceId: '11111111-2222-4333-8444-555555555555', destinationId: ACC, name: 'alice@example.com' }],
      });
      const idm = w.openIdMapper(ACC);
      idm.comment('External Import');
      idm.line({ sourceItemId: 301, destinationItemId: 260, type: 'message' });
      idm.commit();
      w.appendIdMapper(ACC, [{ sourceItemId: 302, destinationItemId: 261 }]);
    });

    it('writes items the parser reads back with the same values and no finding', () => {
      const h = parseItemText(readFileSync(path.join(root, itemRelPath(ACC, 260)), 'utf8'), 'x', { fileItemId: 260 });
      assert.deepEqual(h.findings, []);
      assert.deepEqual(h.transactions.map(valuesOf), message);
    });

    it('writes every key the parser knows, in the schema order, and keeps extra keys', () => {
      const everything: TransactionValues = {
        transactionId: 1,
        start: T0,
        end: null,
        itemId: 7,
        type: 5,
        folderId: 2,
        parentId: 2,
        name: 'n',
        subject: 's',
        sender: 'a@b.c',
        recipients: 'd@e.f',
        date: 1,
        size: 2,
        digest: computeDigest(Buffer.from('x')),
        flags: 3,
        tags: ['t'],
        color: 4,
        version: 5,
        modMetadata: 6,
        modContent: 7,
        changeDate: 8,
        deleted: true,
        metadata: 'd1:ae',
        extra: { 'x-custom': { a: 1 } },
      };
      const text = serializeItem([everything]);
      const keys = Object.keys((JSON.parse(text) as Record<string, unknown>[])[0]!);
      assert.deepEqual(keys, [...TRANSACTION_KEYS.map(([, k]) => k), 'x-custom']);
      const h = parseItemText(text, 'x');
      assert.deepEqual(
        h.findings.map((f) => f.code),
        ['item.unknown-field'],
      );
      assert.deepEqual(valuesOf(h.transactions[0]!), everything);
    });

    it('writes a Drive item under drive_items/ with its UUID as id', () => {
      const w = new BackupWriter(tmp());
      const uuid = 'a1b2c3d4-e5f6-4789-8abc-def012345678';
      const rel = w.writeDriveItem(ACC, uuid, [
        { transactionId: 1, start: T0, end: null, nodeId: uuid, type: 8, name: 'notes.md' },
      ]);
      assert.equal(rel, `accounts/${ACC}/drive_items/78/${uuid}`);
      assert.deepEqual(classifyRelPath(rel).kind, 'drive-item');
      assert.equal(parseItemText(readFileSync(w.abs(rel), 'utf8'), rel).transactions[0]!.nodeId, uuid);
    });

    it('writes account files, the map and id_mapper.log the parsers read back', () => {
      const info = parseAccountInfo(readFileSync(path.join(root, `accounts/${ACC}/account_info`)), 'account_info', ACC);
      assert.deepEqual(info.findings, []);
      assert.equal(info.value!.displayName, 'Alice Liddell');
      assert.equal(info.value!.domain, 'example.com');
      assert.deepEqual(info.value!.attributes, { zimbraPrefTimeZoneId: 'Europe/Rome' });
      const stat = parseAccountStat(readFileSync(path.join(root, `accounts/${ACC}/account_stat`)), 'account_stat');
      assert.deepEqual(stat.findings, []);
      assert.equal(stat.value!.lastItemId, 261);
      for (const rel of ['backupstat', `accounts/${ACC}/backupstat`]) {
        const b = parseBackupStat(readFileSync(path.join(root, rel)), rel);
        assert.deepEqual(b.findings, []);
        assert.equal(b.value!.serverId, SERVER);
      }
      const map = parseMapFile(readFileSync(path.join(root, `map_${SERVER}`)), 'map');
      assert.deepEqual(map.findings, []);
      assert.deepEqual(map.value!.accounts, [
        { sourceId: '11111111-2222-4333-8444-555555555555', destinationId: ACC, name: 'alice@example.com' },
      ]);
      const idm = parseIdMapper(
        readFileSync(path.join(root, `accounts/${ACC}/id_mapper.log`), 'utf8'),
        'id_mapper.log',
      );
      assert.deepEqual(idm.findings, []);
      assert.deepEqual(
        idm.mappings.map((m) => [m.sourceItemId, m.destinationItemId, m.type]),
        [
          [301, 260, 'message'],
          [302, 261, undefined],
        ],
      );
    });

    it('gives a tree the coherency check finds nothing in (BLOBs verified too)', async () => {
      const r = await runCoherencyCheck(root, { level: 'blobs', now: NOW, cache: false, jobs: 0 });
      assert.deepEqual(
        r.findings.map((f) => `${f.code} ${f.path}: ${f.message}`),
        [],
      );
      assert.equal(r.summary.blobsChecked, 1);
      assert.deepEqual(gunzipSync(readFileSync(path.join(root, blobRelPath(computeDigest(blob))!))), blob);
      assert.ok(!files(root).some((f) => f.includes('.zxb-tmp-')), 'no temp file left');
    });

    it('refuses values the format cannot hold', () => {
      const w = new BackupWriter(tmp());
      const base: TransactionValues = { transactionId: 1, start: T0, end: null, itemId: 9, type: 5 };
      const refused = (f: () => unknown): void =>
        assert.throws(f, (e: unknown) => e instanceof FormatError && e.code === 'format.bad-value');
      refused(() => w.writeItem(ACC, 9, [{ ...base, digest: 'not/a-valid+digest' }]));
      refused(() => w.writeItem(ACC, 9, [{ ...base, size: 1.5 }]));
      refused(() => w.writeItem(ACC, 9, [{ ...base, end: T0 }]));
      refused(() => w.writeItem(ACC, 9, [{ ...base, itemId: 10 }]));
      refused(() => w.writeItem(ACC, 9, [{ ...base, extra: { 'start-date': 1 } }]));
      refused(() => w.writeAccountInfo({ zimbraId: ACC, name: 'no-at-sign' }));
      refused(() => w.writeMap('../x', { accounts: [] }));
      refused(() => w.appendIdMapper(ACC, [{ sourceItemId: -1, destinationItemId: 2 }]));
      assert.deepEqual(files(w.root), []);
    });
  });

  describe('appending a transaction', () => {
    it('closes the previous open transaction at the new start (pure)', () => {
      const one: TransactionValues[] = [{ transactionId: 1, start: T0, end: null, itemId: 5, type: 5, flags: 512 }];
      const two = appendTransaction(one, { start: T0 + DAY, end: null, itemId: 5, type: 5, flags: 0 });
      assert.deepEqual(
        two.map((t) => [t.transactionId, t.start, t.end]),
        [
          [1, T0, T0 + DAY],
          [2, T0 + DAY, null],
        ],
      );
      assert.equal(one[0]!.end, null, 'the input is not changed');
      assert.throws(
        () => appendTransaction(two, { start: T0 + DAY, end: null, type: 5 }),
        (e: unknown) => e instanceof FormatError && e.code === 'format.not-after-last',
      );
    });

    it('appends on disk, keeping the earlier transactions as they are in the file', () => {
      const w = new BackupWriter(tmp());
      const rel = itemRelPath(ACC, 300);
      // A file written by someone else: other key order, an unknown key.
      const original = [
        {
          type: 5,
          id: 300,
          'start-date': T0,
          'transaction-id': 1,
          'end-date': null,
          'folder-id': 2,
          flags: 512,
          'x-vendor': 'kept',
        },
      ];
      mkdirSync(path.dirname(w.abs(rel)), { recursive: true });
      writeFileSync(w.abs(rel), JSON.stringify(original));
      w.appendTransaction(ACC, 300, { start: T0 + DAY, end: null, type: 5, folderId: 2, flags: 0 });
      const tx = w.appendTransaction(ACC, 300, {
        start: T0 + 2 * DAY,
        end: null,
        type: 5,
        folderId: 3,
        flags: 0,
        deleted: true,
      });
      assert.equal(tx.transactionId, 3);
      const text = readFileSync(w.abs(rel), 'utf8');
      const h = parseItemText(text, rel, { fileItemId: 300 });
      assert.deepEqual(
        h.findings.map((f) => f.code),
        ['item.unknown-field'],
      );
      assert.deepEqual(
        h.transactions.map((t) => [t.transactionId, t.start, t.end, t.deleted]),
        [
          [1, T0, T0 + DAY, false],
          [2, T0 + DAY, T0 + 2 * DAY, false],
          [3, T0 + 2 * DAY, null, true],
        ],
      );
      const first = (JSON.parse(text) as Record<string, unknown>[])[0]!;
      assert.deepEqual(Object.keys(first), Object.keys(original[0]!));
      assert.equal(first['x-vendor'], 'kept');
    });

    it('starts a new item file when there is none', () => {
      const w = new BackupWriter(tmp());
      const tx = w.appendTransaction(ACC, 7, { start: T0, end: null, type: 1, folderId: 1, name: 'Work' });
      assert.equal(tx.transactionId, 1);
      assert.deepEqual(
        parseItemText(readFileSync(w.abs(itemRelPath(ACC, 7)), 'utf8'), 'x', { fileItemId: 7 }).findings,
        [],
      );
    });

    it('refuses a start that is not after the last, a gap, and a damaged file, and leaves the file as it was', () => {
      const w = new BackupWriter(tmp());
      w.writeItem(ACC, 8, [{ transactionId: 1, start: T0, end: T0 + DAY, itemId: 8, type: 5 }]);
      const before = readFileSync(w.abs(itemRelPath(ACC, 8)));
      const code = (e: unknown): string | undefined => (e instanceof FormatError ? e.code : undefined);
      assert.throws(
        () => w.appendTransaction(ACC, 8, { start: T0, end: null, type: 5 }),
        (e) => code(e) === 'format.not-after-last',
      );
      assert.throws(
        () => w.appendTransaction(ACC, 8, { start: T0 + 2 * DAY, end: null, type: 5 }),
        (e) => code(e) === 'format.not-after-last',
      );
      assert.deepEqual(readFileSync(w.abs(itemRelPath(ACC, 8))), before);
      // Ends exactly where the new one starts: accepted.
      w.appendTransaction(ACC, 8, { start: T0 + DAY, end: null, type: 5 });
      const damaged = w.abs(itemRelPath(ACC, 9));
      mkdirSync(path.dirname(damaged), { recursive: true });
      writeFileSync(damaged, '[{"transaction-id": 1, "start-date": ');
      assert.throws(
        () => w.appendTransaction(ACC, 9, { start: T0, end: null, type: 5 }),
        (e) => code(e) === 'format.damaged-item',
      );
      assert.equal(readFileSync(damaged, 'utf8'), '[{"transaction-id": 1, "start-date": ');
    });
  });

  describe('BLOBs', () => {
    it('stores a digest once: a second put, even by another writer, writes nothing', () => {
      const root = tmp();
      const content = Buffer.from('the same content, twice');
      const a = new BackupWriter(root).putBlob(content);
      const rel = blobRelPath(a.digest)!;
      assert.equal(rel, `items/${a.digest.slice(0, 2)}/${a.digest}`);
      assert.equal(a.written, true);
      const st = statSync(path.join(root, rel));
      const w = new BackupWriter(root);
      const b = w.putBlob(content);
      assert.deepEqual({ ...b, written: true }, a);
      assert.equal(b.written, false);
      assert.equal(w.putBlob(content).written, false);
      const st2 = statSync(path.join(root, rel));
      assert.equal(st2.ino, st.ino);
      assert.equal(st2.mtimeMs, st.mtimeMs);
      assert.deepEqual(files(root), [rel]);
      assert.equal(w.blobFiles, 0);
    });

    it('verifies an existing BLOB and never overwrites one that holds other content', () => {
      const root = tmp();
      const content = Buffer.from('original content');
      const rel = blobRelPath(computeDigest(content))!;
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), 'not gzip at all');
      assert.throws(
        () => new BackupWriter(root).putBlob(content),
        (e: unknown) => e instanceof FormatError && e.code === 'format.blob-conflict',
      );
      assert.equal(readFileSync(path.join(root, rel), 'utf8'), 'not gzip at all');
    });
  });

  describe('crash safety', () => {
    /** Runs a child that writes through the format module and kills it (SIGKILL) when it prints `signal`. */
    async function killWhen(script: string, signal: string, delayMs = 0): Promise<void> {
      const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
        cwd: path.join(__dirname, '../..'),
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes(signal)) setTimeout(() => child.kill('SIGKILL'), delayMs);
        });
        child.on('exit', (code, sig) =>
          sig === 'SIGKILL'
            ? resolve()
            : reject(new Error(`child ended with ${code ?? sig} before it was killed: ${out}`)),
        );
      });
    }
    const moduleUrl = JSON.stringify(path.join(__dirname, '../../src/engine/format/index.ts'));

    it('a process killed in the middle of a write leaves the old file, not half of the new one', async () => {
      const dir = tmp();
      const target = path.join(dir, 'id_mapper.log');
      writeFileSync(target, 'old content\n');
      const script = `const f = require(${moduleUrl}); const out = f.openAtomicSync(${JSON.stringify(target)}); out.write('1 2 message\\n'.repeat(1000)); process.stdout.write('half'); setInterval(() => {}, 1000);`;
      await killWhen(script, 'half');
      assert.equal(readFileSync(target, 'utf8'), 'old content\n');
      const left = readdirSync(dir).filter((n) => n !== 'id_mapper.log');
      assert.equal(left.length, 1, 'the half-written temp file is the only trace');
      assert.match(left[0]!, /^\.id_mapper\.log\.zxb-tmp-/);
      assert.equal(readFileSync(path.join(dir, left[0]!), 'utf8').length, 12_000);
      // A leftover temp file does not have an item file's name.
      assert.equal(classifyRelPath(`accounts/${ACC}/items/60/.260.zxb-tmp-1-a-1`).kind, 'other');
    });

    it('a process killed at a random moment of rewrites leaves one whole version', async () => {
      const dir = tmp();
      const target = path.join(dir, 'item');
      const a = 'a'.repeat(4 << 20);
      const b = 'b'.repeat(4 << 20);
      writeFileSync(target, a);
      const script = `const f = require(${moduleUrl}); const a = 'a'.repeat(4 << 20), b = 'b'.repeat(4 << 20); process.stdout.write('go'); for (let i = 0; ; i++) f.writeFileAtomicSync(${JSON.stringify(target)}, i % 2 ? a : b);`;
      await killWhen(script, 'go', 150);
      const now = readFileSync(target, 'utf8');
      assert.ok(now === a || now === b, `the target is whole (${now.length} bytes)`);
    });
  });
});
