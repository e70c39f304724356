/**
 * A small, deterministic backup path written by the rules of docs/backup-format.md,
 * used while src/engine/sample (makeSample) is not available. Every file is valid: a check finds no error or warning.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { blobRelPath, computeDigest, itemRelPath } from '../../src/engine';

export interface MiniSampleOptions {
  accounts: number;
  itemsPerAccount: number;
  seed: number;
  /** Uncompressed bytes per BLOB (on average). */
  blobBytes?: number;
  /** Start of history (epoch ms); "now" for checks should be a few days after `base + 40 days`. */
  base?: number;
  gzipLevel?: number;
  onProgress?: (done: number, total: number) => void;
}

export const MINI_BASE = Date.UTC(2025, 0, 1);
/** A "now" for checks of a mini sample: after every date in it. */
export const MINI_NOW = MINI_BASE + 60 * 86_400_000;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function accountId(seed: number, i: number): string {
  const hex = (n: number, len: number): string => (n >>> 0).toString(16).padStart(8, '0').slice(-len);
  const r = rng(seed * 1000 + i);
  const h = (): string => hex(Math.floor(r() * 2 ** 32), 8);
  return `${h()}-${h().slice(0, 4)}-4${h().slice(0, 3)}-a${h().slice(0, 3)}-${h()}${h().slice(0, 4)}`;
}

export function makeMiniSample(
  root: string,
  o: MiniSampleOptions,
): { accounts: string[]; items: number; blobs: number; blobBytes: number } {
  const r = rng(o.seed);
  const base = o.base ?? MINI_BASE;
  const day = 86_400_000;
  const dirs = new Set<string>();
  const write = (rel: string, data: string | Uint8Array): void => {
    const dir = path.dirname(path.join(root, rel));
    if (!dirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      dirs.add(dir);
    }
    writeFileSync(path.join(root, rel), data);
  };
  const blobs = new Set<string>();
  let blobBytes = 0;
  const putBlob = (content: Buffer): string => {
    const digest = computeDigest(content);
    if (!blobs.has(digest)) {
      const gz = gzipSync(content, { level: o.gzipLevel ?? 6 });
      write(blobRelPath(digest)!, gz);
      blobs.add(digest);
      blobBytes += gz.length;
    }
    return digest;
  };
  const words = [
    'report',
    'meeting',
    'invoice',
    'budget',
    'travel',
    'draft',
    'review',
    'plan',
    'update',
    'offer',
    'contract',
    'agenda',
  ];
  const ids: string[] = [];
  let items = 0;
  // Base64 text, like attachments: slices of one seeded pool keep big samples fast to write.
  const poolBytes = Buffer.alloc(Math.max(3 * 1024 * 1024, Math.ceil((o.blobBytes ?? 600) * 2)));
  for (let i = 0; i < poolBytes.length; i++) poolBytes[i] = Math.floor(r() * 256);
  const pool = Buffer.from(poolBytes.toString('base64'), 'latin1');
  write(
    'backupstat',
    JSON.stringify({
      firstRunDate: base,
      lastRunDate: base + 40 * day,
      serverId: 'mbox1.example.com',
      backupVersion: '4.0.0',
      smartScanCount: 40,
    }),
  );
  for (let a = 0; a < o.accounts; a++) {
    const id = accountId(o.seed, a);
    ids.push(id);
    const acc = `accounts/${id}`;
    write(
      `${acc}/account_info`,
      JSON.stringify(
        {
          zimbraId: id,
          name: `user${a}@example.com`,
          displayName: `User ${a}`,
          status: 'active',
          isSystem: false,
          cos: 'default',
          createdDate: base - day,
          deletedDate: null,
          attributes: { zimbraPrefTimeZoneId: 'UTC' },
        },
        null,
        2,
      ),
    );
    write(
      `${acc}/backupstat`,
      JSON.stringify({
        firstRunDate: base,
        lastRunDate: base + 40 * day,
        serverId: 'mbox1.example.com',
        backupVersion: '4.0.0',
        smartScanCount: 40,
      }),
    );
    // A user folder, created on day 0 under Inbox.
    const folderId = 257;
    write(
      itemRelPath(id, folderId),
      JSON.stringify(
        [
          {
            'transaction-id': 1,
            'start-date': base,
            'end-date': null,
            id: folderId,
            type: 1,
            'folder-id': 2,
            name: 'Projects',
            flags: 0,
            tags: [],
          },
        ],
        null,
        2,
      ),
    );
    let lastId = folderId;
    for (let i = 0; i < o.itemsPerAccount; i++) {
      const itemId = 300 + i;
      lastId = itemId;
      const subject = `${words[Math.floor(r() * words.length)]} ${words[Math.floor(r() * words.length)]} ${i}`;
      const size = Math.max(64, Math.round((o.blobBytes ?? 600) * (0.5 + r())));
      // Base64 text like an attachment: compresses about as real mail does.
      const at = Math.floor(r() * (pool.length - size));
      const body = Buffer.from(
        `From: user${a}@example.com\r\nSubject: ${subject}\r\n\r\n` + pool.toString('latin1', at, at + size),
      );
      const digest = putBlob(body);
      const start = base + Math.floor(r() * 10 * day);
      const folder = r() < 0.3 ? folderId : 2;
      const tx = (n: number, s: number, e: number | null, extra: Record<string, unknown>): Record<string, unknown> => ({
        'transaction-id': n,
        'start-date': s,
        'end-date': e,
        id: itemId,
        type: 5,
        'folder-id': folder,
        flags: 0,
        tags: [],
        date: Math.floor(start / 1000) - 5,
        size: body.length,
        digest,
        subject,
        sender: `user${a}@example.com`,
        recipients: 'bob@example.com',
        ...extra,
      });
      const history: Record<string, unknown>[] = [];
      const kind = r();
      if (kind < 0.6) history.push(tx(1, start, null, { flags: 512 }));
      else if (kind < 0.85) {
        const t2 = start + Math.floor(r() * 5 * day) + 1000;
        history.push(tx(1, start, t2, { flags: 512 }), tx(2, t2, null, { flags: 0 }));
      } else {
        // Deleted: recently (within the retention) or long ago (purge due, info).
        const t2 = start + Math.floor(r() * 5 * day) + 1000;
        history.push(tx(1, start, t2, {}), tx(2, t2, null, { deleted: true }));
      }
      write(itemRelPath(id, itemId), JSON.stringify(history, null, 2));
      items++;
    }
    write(
      `${acc}/account_stat`,
      JSON.stringify({
        lastItemId: lastId,
        itemCount: o.itemsPerAccount + 1,
        lastScanDate: base + 40 * day,
        firstTransactionDate: base,
        lastTransactionDate: base + 20 * day,
        blobCount: o.itemsPerAccount,
        blobBytes,
      }),
    );
    if (a === 0)
      write(
        `${acc}/id_mapper.log`,
        `# source destination type\n1300 300 message\n1301 ${o.itemsPerAccount > 1 ? 301 : 300} message\n`,
      );
    o.onProgress?.(a + 1, o.accounts);
  }
  if (ids.length > 0)
    write(
      'map_mbox2.example.com',
      JSON.stringify(
        {
          sourceServerId: 'mbox1.old.example.com',
          importDate: base,
          accounts: [
            { sourceId: '0f9b3c2e-6a4d-4c55-9b1e-2d7f8a9c0e11', destinationId: ids[0], name: 'user0@example.com' },
          ],
        },
        null,
        2,
      ),
    );
  write('server/customizations_01_01_25#04_00_00.tar.gz', tinyTarGz('conf/localconfig.xml', '<localconfig/>\n'));
  return { accounts: ids, items, blobs: blobs.size, blobBytes };
}

/** A one-file ustar archive, gzipped: enough for a server archive that lists cleanly. */
function tinyTarGz(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const header = Buffer.alloc(512);
  const put = (text: string, at: number, len: number): void => void header.write(text.slice(0, len), at, 'ascii');
  const octal = (n: number, len: number): string => n.toString(8).padStart(len - 1, '0') + '\0';
  put(name, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(data.length, 12), 124, 12);
  put(octal(1735704000, 12), 136, 12);
  header.fill(0x20, 148, 156);
  put('0', 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const b of header) sum += b;
  put(octal(sum, 7) + ' ', 148, 8);
  const body = Buffer.alloc(Math.ceil(data.length / 512) * 512);
  data.copy(body);
  return gzipSync(Buffer.concat([header, body, Buffer.alloc(1024)]));
}
