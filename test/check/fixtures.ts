/**
 * One damaged backup path per kind of damage, made from a clean generated sample.
 * Bit rot flips ALL bits of a byte (XOR 0xff), never writes a fixed value; other
 * damage (truncation, a moved file, an edited value) is what real incidents do.
 *
 *   npx tsx test/check/fixtures.ts <outDir>   writes every fixture under <outDir>/<name>/
 */
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { computeDigest, blobRelPath, itemRelPath, type CheckLevel, type FindingCode } from '../../src/engine';
import { makeMiniSample, MINI_NOW } from './miniSample';
import { END_DATE } from '../../src/engine/sample/timeline';

/** "Now" for checks of either generator: makeSample's END_DATE (its last SmartScan), after every date of the mini sample too. */
export const SAMPLE_NOW = Math.max(END_DATE, MINI_NOW);
const DAY = 86_400_000;

/** The clean sample: makeSample (src/engine/sample) once it exists, else the mini writer. */
export async function makeCleanSample(
  dir: string,
  size = { accounts: 2, itemsPerAccount: 40 },
  seed = 11,
): Promise<{ generator: 'makeSample' | 'mini' }> {
  rmSync(dir, { recursive: true, force: true });
  const samplePath = path.join(__dirname, '../../src/engine/sample/index.ts');
  if (existsSync(samplePath) && process.env['ZXB_FIXTURES_MINI'] !== '1') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(samplePath) as {
      makeSample?: (dir: string, o: { accounts: number; itemsPerAccount: number; seed: number }) => Promise<unknown>;
    };
    if (mod.makeSample) {
      await mod.makeSample(dir, { ...size, seed });
      return { generator: 'makeSample' };
    }
  }
  makeMiniSample(dir, { ...size, seed });
  return { generator: 'mini' };
}

// --- finding things to damage in whatever sample was generated

export function listFiles(root: string, relDir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    let entries;
    try {
      entries = readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) out.push(r);
    }
  };
  walk(relDir);
  return out;
}

export function accountIds(root: string): string[] {
  return readdirSync(path.join(root, 'accounts'))
    .filter((n) => /^[0-9a-f-]{36}$/.test(n))
    .sort();
}

type Tx = Record<string, unknown>;
function readJson<T>(root: string, rel: string): T {
  return JSON.parse(readFileSync(path.join(root, rel), 'utf8')) as T;
}
function writeJson(root: string, rel: string, v: unknown): void {
  writeFileSync(path.join(root, rel), JSON.stringify(v, null, 2));
}

/** The first item file (sorted) whose history matches, with its parsed transactions. */
export function findItem(root: string, pred: (txs: Tx[]) => boolean): { rel: string; txs: Tx[] } {
  for (const acc of accountIds(root)) {
    for (const rel of listFiles(root, `accounts/${acc}/items`)) {
      try {
        const txs = readJson<Tx[]>(root, rel);
        if (Array.isArray(txs) && pred(txs)) return { rel, txs };
      } catch {
        // not JSON: not a candidate
      }
    }
  }
  throw new Error('no matching item in the sample');
}

const isMessage = (txs: Tx[]): boolean =>
  txs.length >= 1 &&
  typeof txs[0]!['digest'] === 'string' &&
  txs.every((t) => t['digest'] === txs[0]!['digest']) &&
  typeof txs[0]!['size'] === 'number' &&
  !txs.some((t) => t['deleted'] === true) &&
  txs[0]!['type'] === 5;
const singleLive = (txs: Tx[]): boolean => isMessage(txs) && txs.length === 1 && txs[0]!['end-date'] === null;

/** The BLOB of a single-transaction message (BLOBs are deduplicated: other items may share it). */
export function blobOf(root: string): { item: { rel: string; txs: Tx[] }; digest: string; rel: string } {
  const item = findItem(root, singleLive);
  const digest = item.txs[0]!['digest'] as string;
  return { item, digest, rel: blobRelPath(digest)! };
}

function flipByte(root: string, rel: string, offset: number): void {
  const abs = path.join(root, rel);
  const bytes = readFileSync(abs);
  const at = offset < 0 ? bytes.length + offset : offset;
  bytes[at] = bytes[at]! ^ 0xff;
  writeFileSync(abs, bytes);
}

/** Offset of the first byte of a string value in the file (inside the quotes). */
function offsetOfValue(root: string, rel: string, key: string): number {
  const text = readFileSync(path.join(root, rel), 'latin1');
  const m = new RegExp(`"${key}"\\s*:\\s*"`).exec(text);
  if (!m) throw new Error(`no string "${key}" in ${rel}`);
  return m.index + m[0].length;
}

function move(root: string, from: string, to: string): void {
  mkdirSync(path.dirname(path.join(root, to)), { recursive: true });
  renameSync(path.join(root, from), path.join(root, to));
}

export interface Fixture {
  name: string;
  /** The code the check must report. */
  code: FindingCode;
  /** The lowest level that finds it. */
  level: CheckLevel;
  damage(root: string): void;
}

/** Every fixture's damage. "Outside" files (removed BLOBs) go next to the backup path, never deleted. */
export const FIXTURES: Fixture[] = [
  // --- item metadata
  {
    name: 'item-not-utf8',
    code: 'item.not-utf8',
    level: 'metadata',
    damage: (r) => {
      const i = findItem(r, isMessage);
      flipByte(r, i.rel, offsetOfValue(r, i.rel, 'subject'));
    },
  },
  {
    name: 'item-invalid-json',
    code: 'item.invalid-json',
    level: 'metadata',
    damage: (r) => {
      const i = findItem(r, isMessage);
      const abs = path.join(r, i.rel);
      truncateSync(abs, Math.floor(readFileSync(abs).length / 2));
    },
  },
  {
    name: 'item-not-array',
    code: 'item.not-array',
    level: 'metadata',
    damage: (r) => {
      const i = findItem(r, isMessage);
      writeJson(r, i.rel, i.txs[0]);
    },
  },
  {
    name: 'item-not-object',
    code: 'item.not-object',
    level: 'metadata',
    damage: (r) => {
      const i = findItem(r, isMessage);
      writeJson(r, i.rel, [...i.txs, 42]);
    },
  },
  {
    name: 'item-empty-history',
    code: 'item.empty-history',
    level: 'metadata',
    damage: (r) => {
      const i = findItem(r, isMessage);
      writeJson(r, i.rel, []);
    },
  },
  {
    name: 'item-too-deep',
    code: 'item.too-deep',
    level: 'metadata',
    damage: (r) => {
      const i = findItem(r, isMessage);
      writeFileSync(path.join(r, i.rel), '['.repeat(100_000) + ']'.repeat(100_000));
    },
  },
  {
    name: 'item-missing-start-date',
    code: 'item.missing-start-date',
    level: 'metadata',
    damage: (r) => {
      const i = findItem(r, singleLive);
      delete i.txs[0]!['start-date'];
      writeJson(r, i.rel, i.txs);
    },
  },
  {
    name: 'item-missing-end-date',
    code: 'item.missing-end-date',
    level: 'metadata',
    damage: (r) => {
      const i = findItem(r, (t) => isMessage(t) && t.length >= 2);
      i.txs[0]!['end-date'] = null;
      writeJson(r, i.rel, i.txs);
    },
  },
  {
    name: 'item-end-before-start',
    code: 'item.end-before-start',
    level: 'metadata',
    damage: (r) => {
      const i = findItem(r, singleLive);
      i.txs[0]!['end-date'] = (i.txs[0]!['start-date'] as number) - 1000;
      writeJson(r, i.rel, i.txs);
    },
  },
  {
    name: 'item-interval-gap',
    code: 'item.interval-gap',
    level: 'metadata',
    damage: (r) => {
      const i = findItem(r, (t) => isMessage(t) && t.length >= 2);
      i.txs[1]!['start-date'] = (i.txs[0]!['end-date'] as number) + 60_000;
      writeJson(r, i.rel, i.txs);
    },
  },
  {
    name: 'item-interval-overlap',
    code: 'item.interval-overlap',
    level: 'metadata',
    damage: (r) => {
      const i = findItem(r, (t) => isMessage(t) && t.length >= 2);
      i.txs[1]!['start-date'] = (i.txs[0]!['end-date'] as number) - 500;
      writeJson(r, i.rel, i.txs);
    },
  },
  {
    name: 'item-duplicate-transaction-id',
    code: 'item.bad-transaction-id',
    level: 'metadata',
    damage: (r) => {
      const i = findItem(r, (t) => isMessage(t) && t.length >= 2);
      i.txs[1]!['transaction-id'] = i.txs[0]!['transaction-id'];
      writeJson(r, i.rel, i.txs);
    },
  },
  {
    name: 'item-id-mismatch',
    code: 'item.id-mismatch',
    level: 'metadata',
    damage: (r) => {
      const i = findItem(r, singleLive);
      i.txs[0]!['id'] = (i.txs[0]!['id'] as number) + 100;
      writeJson(r, i.rel, i.txs);
    },
  },
  {
    name: 'item-unknown-type',
    code: 'item.unknown-type',
    level: 'metadata',
    damage: (r) => {
      const i = findItem(r, singleLive);
      i.txs[0]!['type'] = 97;
      writeJson(r, i.rel, i.txs);
    },
  },
  {
    name: 'item-bad-digest',
    code: 'item.bad-digest',
    level: 'metadata',
    damage: (r) => {
      const i = findItem(r, singleLive);
      i.txs[0]!['digest'] = '../../etc/passwd';
      writeJson(r, i.rel, i.txs);
    },
  },
  {
    name: 'item-unknown-folder',
    code: 'item.unknown-folder',
    level: 'metadata',
    damage: (r) => {
      const i = findItem(r, singleLive);
      i.txs[0]!['folder-id'] = 987654;
      writeJson(r, i.rel, i.txs);
    },
  },
  {
    name: 'item-live-after-delete',
    code: 'item.live-after-delete',
    level: 'metadata',
    damage: (r) => {
      const i = findItem(r, (t) => isMessage(t) && t.length >= 2);
      i.txs[0]!['deleted'] = true;
      writeJson(r, i.rel, i.txs);
    },
  },
  {
    name: 'item-future-date',
    code: 'item.future-date',
    level: 'metadata',
    damage: (r) => {
      const i = findItem(r, singleLive);
      i.txs[0]!['start-date'] = SAMPLE_NOW + 400 * DAY;
      writeJson(r, i.rel, i.txs);
    },
  },
  {
    name: 'item-schema',
    code: 'item.schema',
    level: 'metadata',
    damage: (r) => {
      const i = findItem(r, singleLive);
      i.txs[0]!['flags'] = 'unread';
      writeJson(r, i.rel, i.txs);
    },
  },
  // Damage only the JSON Schema sees (the typed reader accepts the value): held equal on every surface by the parity test.
  {
    name: 'item-schema-only',
    code: 'item.schema',
    level: 'metadata',
    damage: (r) => {
      const i = findItem(r, singleLive);
      i.txs[0]!['flags'] = -1;
      writeJson(r, i.rel, i.txs);
    },
  },
  {
    name: 'item-duplicate-key',
    code: 'item.schema',
    level: 'metadata',
    damage: (r) => {
      const i = findItem(r, singleLive);
      const text = JSON.stringify(i.txs, null, 2);
      // A second "subject" in the first transaction: JSON.parse keeps the last one silently.
      writeFileSync(path.join(r, i.rel), text.replace('{\n', '{\n    "subject": "an earlier subject",\n'));
    },
  },
  {
    name: 'item-purge-due',
    code: 'item.purge-due',
    level: 'metadata',
    damage: (r) => {
      const acc = accountIds(r)[0]!;
      writeJson(r, ensureDir(r, itemRelPath(acc, 999_999)), [
        {
          'transaction-id': 1,
          'start-date': SAMPLE_NOW - 200 * DAY,
          'end-date': SAMPLE_NOW - 100 * DAY,
          id: 999_999,
          type: 6,
          'folder-id': 7,
        },
        {
          'transaction-id': 2,
          'start-date': SAMPLE_NOW - 100 * DAY,
          'end-date': null,
          id: 999_999,
          type: 6,
          'folder-id': 7,
          deleted: true,
        },
      ]);
    },
  },
  // --- layout
  {
    name: 'item-wrong-folder',
    code: 'layout.item-wrong-folder',
    level: 'structure',
    damage: (r) => {
      const i = findItem(r, singleLive);
      const parts = i.rel.split('/');
      const other = parts[3] === '00' ? '01' : '00';
      move(r, i.rel, [...parts.slice(0, 3), other, parts[4]].join('/'));
    },
  },
  {
    name: 'item-bad-name',
    code: 'layout.bad-item-name',
    level: 'structure',
    damage: (r) => {
      const i = findItem(r, singleLive);
      writeFileSync(path.join(r, path.dirname(i.rel), 'notes.txt'), 'hello');
    },
  },
  {
    name: 'stray-entry',
    code: 'layout.stray-entry',
    level: 'structure',
    damage: (r) => writeFileSync(path.join(r, 'README.txt'), 'copied here by hand'),
  },
  {
    // A crash-safe write of ours stopped between writing its temp file and the rename.
    name: 'interrupted-write',
    code: 'layout.interrupted-write',
    level: 'structure',
    damage: (r) => {
      const i = findItem(r, singleLive);
      const name = i.rel.slice(i.rel.lastIndexOf('/') + 1);
      const tmp = `${i.rel.slice(0, i.rel.lastIndexOf('/') + 1)}.${name}.zxb-tmp-4242-0a1b2c-1`;
      writeFileSync(path.join(r, tmp), JSON.stringify(i.txs).slice(0, 40));
      const acc = accountIds(r)[0]!;
      writeFileSync(path.join(r, `accounts/${acc}/.account_stat.zxb-tmp-4242-0a1b2c-2`), '{"lastItemId"');
    },
  },
  {
    name: 'symlink',
    code: 'io.symlink',
    level: 'structure',
    damage: (r) => {
      const i = findItem(r, singleLive);
      symlinkSync('/etc/passwd', path.join(r, path.dirname(i.rel), '12345699'));
      symlinkSync('..', path.join(r, 'accounts', 'loop'));
    },
  },
  {
    name: 'bad-account-folder',
    code: 'layout.bad-account-folder',
    level: 'structure',
    damage: (r) => mkdirSync(path.join(r, 'accounts', 'old-copy-of-alice')),
  },
  {
    name: 'missing-account-info',
    code: 'layout.missing-account-info',
    level: 'structure',
    damage: (r) => move(r, `accounts/${accountIds(r)[0]}/account_info`, '../outside-account_info'),
  },
  // --- account and server files
  {
    name: 'account-invalid-json',
    code: 'account.invalid-json',
    level: 'metadata',
    damage: (r) => {
      const rel = `accounts/${accountIds(r)[0]}/account_info`;
      truncateSync(path.join(r, rel), 20);
    },
  },
  {
    name: 'account-info-bit-flip',
    code: 'account.invalid-json',
    level: 'metadata',
    damage: (r) => {
      const rel = `accounts/${accountIds(r)[0]}/account_info`;
      flipByte(r, rel, 0);
    },
  },
  {
    name: 'account-schema',
    code: 'account.schema',
    level: 'metadata',
    damage: (r) => {
      const rel = `accounts/${accountIds(r)[0]}/account_info`;
      const v = readJson<Tx>(r, rel);
      v['status'] = 'sleeping';
      writeJson(r, rel, v);
    },
  },
  {
    name: 'account-schema-only',
    code: 'account.schema',
    level: 'metadata',
    damage: (r) => {
      const rel = `accounts/${accountIds(r)[0]}/account_stat`;
      const v = readJson<Tx>(r, rel);
      v['itemCount'] = -1;
      writeJson(r, rel, v);
    },
  },
  {
    name: 'account-id-mismatch',
    code: 'account.id-mismatch',
    level: 'metadata',
    damage: (r) => {
      const [a, b] = accountIds(r);
      const rel = `accounts/${a}/account_info`;
      const v = readJson<Tx>(r, rel);
      v['zimbraId'] = b ?? '00000000-0000-4000-a000-000000000000';
      writeJson(r, rel, v);
    },
  },
  {
    name: 'account-stat-invalid',
    code: 'account.invalid-json',
    level: 'metadata',
    damage: (r) => {
      const acc = accountIds(r)[0]!;
      writeFileSync(path.join(r, `accounts/${acc}/account_stat`), '{"lastItemId": 12,');
    },
  },
  {
    name: 'map-invalid',
    code: 'map.invalid',
    level: 'metadata',
    damage: (r) => writeFileSync(path.join(r, 'map_mbox9.example.com'), '{"accounts": 3'),
  },
  {
    name: 'map-unknown-account',
    code: 'map.unknown-account',
    level: 'metadata',
    damage: (r) =>
      writeJson(r, 'map_mbox9.example.com', {
        sourceServerId: 'old',
        importDate: SAMPLE_NOW - DAY,
        accounts: [{ sourceId: 'a', destinationId: '11111111-2222-4333-a444-555555555555' }],
      }),
  },
  {
    name: 'idmap-bad-line',
    code: 'idmap.bad-line',
    level: 'metadata',
    damage: (r) =>
      appendFileSync(path.join(r, `accounts/${accountIds(r)[0]}/id_mapper.log`), 'this is not a mapping\n'),
  },
  {
    name: 'idmap-unknown-item',
    code: 'idmap.unknown-item',
    level: 'metadata',
    damage: (r) => appendFileSync(path.join(r, `accounts/${accountIds(r)[0]}/id_mapper.log`), '4242 8888888\n'),
  },
  {
    // The target's file exists, but not where the item lives (its home bucket): the account does not have it.
    name: 'idmap-target-wrong-bucket',
    code: 'idmap.unknown-item',
    level: 'metadata',
    damage: (r) => {
      const i = findItem(r, singleLive);
      const [, acc, , bucket, id] = i.rel.split('/');
      const other = bucket === '00' ? '01' : '00';
      move(r, i.rel, `accounts/${acc}/items/${other}/${id}`);
      appendFileSync(path.join(r, `accounts/${acc}/id_mapper.log`), `4243 ${id}\n`);
    },
  },
  {
    name: 'server-bad-archive-name',
    code: 'server.bad-archive-name',
    level: 'structure',
    damage: (r) => {
      mkdirSync(path.join(r, 'server'), { recursive: true });
      writeFileSync(path.join(r, 'server', 'notes.bin'), 'x');
    },
  },
  {
    name: 'server-bad-archive',
    code: 'server.bad-archive',
    level: 'blobs',
    damage: (r) => {
      mkdirSync(path.join(r, 'server'), { recursive: true });
      writeFileSync(
        path.join(r, 'server', 'customizations_02_01_25#04_00_00.tar.gz'),
        gzipSync(Buffer.from('not a tar archive at all, only text')),
      );
    },
  },
  // --- BLOBs
  {
    name: 'blob-missing',
    code: 'blob.missing',
    level: 'metadata',
    damage: (r) => {
      const b = blobOf(r);
      move(r, b.rel, `../outside-${path.basename(r)}-blob`);
    },
  },
  {
    name: 'blob-orphan',
    code: 'blob.orphan',
    level: 'metadata',
    damage: (r) => {
      const content = Buffer.from('an attachment nobody references');
      writeFileSync(path.join(r, ensureDir(r, blobRelPath(computeDigest(content))!)), gzipSync(content));
    },
  },
  { name: 'blob-corrupted-crc', code: 'blob.corrupted', level: 'blobs', damage: (r) => flipByte(r, blobOf(r).rel, -6) },
  {
    name: 'blob-corrupted-content',
    code: 'blob.corrupted',
    level: 'blobs',
    damage: (r) =>
      writeFileSync(path.join(r, blobOf(r).rel), gzipSync(Buffer.from('other content under the same name'))),
  },
  { name: 'blob-not-gzip', code: 'blob.not-gzip', level: 'blobs', damage: (r) => flipByte(r, blobOf(r).rel, 0) },
  {
    name: 'blob-truncated',
    code: 'blob.truncated',
    level: 'blobs',
    damage: (r) => {
      const abs = path.join(r, blobOf(r).rel);
      truncateSync(abs, Math.max(12, Math.floor(readFileSync(abs).length / 2)));
    },
  },
  {
    name: 'blob-trailing-garbage',
    code: 'blob.trailing-garbage',
    level: 'blobs',
    damage: (r) => appendFileSync(path.join(r, blobOf(r).rel), Buffer.from('garbage after the stream')),
  },
  {
    name: 'blob-double-gzip',
    code: 'blob.double-gzip',
    level: 'blobs',
    damage: (r) => {
      const abs = path.join(r, blobOf(r).rel);
      writeFileSync(abs, gzipSync(readFileSync(abs)));
    },
  },
  {
    name: 'blob-empty',
    code: 'blob.empty',
    level: 'blobs',
    damage: (r) => truncateSync(path.join(r, blobOf(r).rel), 0),
  },
  {
    name: 'blob-wrong-folder',
    code: 'blob.wrong-folder',
    level: 'structure',
    damage: (r) => {
      const b = blobOf(r);
      const other = b.digest.slice(0, 2) === 'zz' ? 'yy' : 'zz';
      move(r, b.rel, `items/${other}/${b.digest}`);
    },
  },
  {
    name: 'blob-bad-name',
    code: 'blob.bad-name',
    level: 'structure',
    damage: (r) => {
      const b = blobOf(r);
      writeFileSync(path.join(r, path.dirname(b.rel), 'copy-of-blob.gz'), readFileSync(path.join(r, b.rel)));
    },
  },
  {
    name: 'blob-size-mismatch',
    code: 'blob.size-mismatch',
    level: 'blobs',
    damage: (r) => {
      const b = blobOf(r);
      b.item.txs[0]!['size'] = (b.item.txs[0]!['size'] as number) + 1;
      writeJson(r, b.item.rel, b.item.txs);
    },
  },
];

function ensureDir(root: string, rel: string): string {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  return rel;
}

/** Copies the clean template and applies one fixture's damage. */
export function makeFixture(template: string, dir: string, fixture: Fixture): void {
  rmSync(dir, { recursive: true, force: true });
  cpSync(template, dir, { recursive: true, verbatimSymlinks: true });
  fixture.damage(dir);
}

if (require.main === module) {
  void (async () => {
    const out = path.resolve(process.argv[2] ?? 'test-results/check-fixtures');
    const template = path.join(out, 'clean');
    const { generator } = await makeCleanSample(template);
    for (const f of FIXTURES) makeFixture(template, path.join(out, f.name), f);
    console.log(`${FIXTURES.length} fixtures (clean sample by ${generator}) in ${out}`);
  })();
}
