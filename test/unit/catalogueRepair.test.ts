/**
 * The catalogue never trusts its file: truncated, garbage, another layout version or another backup at the same
 * path is rebuilt; an incremental refresh after adding, changing and deleting item files equals a rebuild; two
 * processes indexing at once leave the same rows as one.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BackupPath } from '../../src/engine/backup/backupPath';
import { openCatalogue, type Catalogue } from '../../src/engine/catalogue';
import { headerProblem } from '../../src/engine/catalogue/open';
import { itemRelPath } from '../../src/engine/layout';
import { makeSample, type SampleResult } from '../../src/engine/sample/index';
import { openSqlite } from '../../src/engine/sqlite';

const PROJECT = path.resolve(__dirname, '..', '..');

/** Every row of the catalogue, without the file ids (they change on rewrite) or the index time. */
function dump(file: string): string[] {
  const db = openSqlite(file, { readonly: true });
  try {
    const files = db.all<Record<string, unknown>>(
      'SELECT a.account, f.path, f.file_item_id, f.size, f.mtime_ms, f.parsed, f.findings, f.file_type, f.first_start, f.search_text FROM files f JOIN account_ids a ON a.account_no = f.account ORDER BY f.path',
    );
    const txs = db.all<Record<string, unknown>>(
      'SELECT f.path, t.idx, t.item_id, t.start, t.end, t.folder_id, t.type, t.is_folder, t.deleted, t.is_last, t.shadowed, t.flags, t.title, t.name, t.sender, t.digest, t.item_date FROM tx t JOIN files f USING (file_id) ORDER BY f.path, t.idx',
    );
    const accounts = db.all<Record<string, unknown>>('SELECT account, files, skipped FROM accounts ORDER BY account');
    return [...accounts, ...files, ...txs].map((r) => JSON.stringify(r));
  } finally {
    db.close();
  }
}

/** What the FTS index answers for a few needles: file paths, per needle. */
function searches(cat: Catalogue, account: string, needles: readonly string[]): string[] {
  return needles.map(
    (n) =>
      `${n}: ${cat
        .searchItems(account, { text: n, filter: 'all' })
        .map((h) => h.item.path)
        .join(',')}`,
  );
}

async function indexAll(cat: Catalogue, sample: SampleResult): Promise<void> {
  for (const a of sample.accounts) await cat.indexAccount(a.zimbraId);
}

function runWorker(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'catalogueWorker.ts'), ...args], {
      cwd: PROJECT,
      env: process.env,
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('item catalogue: trust, refresh and two processes', function () {
  this.timeout(180_000);
  let tmp: string;
  let sample: SampleResult;
  let backup: BackupPath;

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'zxb-catrepair-'));
    sample = await makeSample(path.join(tmp, 'backup'), { accounts: 2, itemsPerAccount: 120, seed: 11, faults: true });
    backup = await BackupPath.open(sample.path);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  for (const damage of ['truncated', 'garbage', 'a bare header', 'of another version', 'of another backup'] as const) {
    it(`a catalogue file that is ${damage} is rebuilt, not trusted, and answers as a fresh one`, async () => {
      const dir = path.join(tmp, `cache-${damage.replace(' ', '-')}`);
      const cat = await openCatalogue(backup, { dir });
      await indexAll(cat, sample);
      const file = cat.file;
      const good = dump(file);
      const account = sample.accounts[0]!.zimbraId;
      const answers = searches(cat, account, ['the', 'ab', 'über']);
      cat.close();
      if (damage === 'truncated') {
        const size = readFileSync(file).length;
        assert.ok(size > 8192, `catalogue too small to truncate meaningfully: ${size}`);
        truncateSync(file, Math.floor(size / 2));
        assert.match(headerProblem(file) ?? '', /truncated/);
      } else if (damage === 'garbage') {
        writeFileSync(file, Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7919) % 251)));
      } else if (damage === 'a bare header') {
        writeFileSync(file, 'SQLite');
      } else {
        const db = openSqlite(file);
        db.run(
          'UPDATE meta SET v = ? WHERE k = ?',
          damage === 'of another version' ? ['1', 'version'] : ['/elsewhere', 'identity'],
        );
        db.close();
      }
      const again = await openCatalogue(backup, { dir });
      try {
        assert.ok(again.rebuilt, 'says it rebuilt');
        const why = {
          truncated: /truncated/,
          garbage: /not a SQLite file/,
          'a bare header': /shorter than a SQLite header/,
          'of another version': /layout version 1/,
          'of another backup': /another backup/,
        }[damage];
        assert.match(again.rebuilt.reason, why);
        assert.equal(again.isIndexed(account), false, 'nothing of the old file is trusted');
        await indexAll(again, sample);
        assert.deepEqual(dump(again.file), good);
        assert.deepEqual(searches(again, account, ['the', 'ab', 'über']), answers);
      } finally {
        again.close();
      }
      // And a sound file is not rebuilt.
      const third = await openCatalogue(backup, { dir });
      assert.equal(third.rebuilt, undefined);
      assert.equal(third.isIndexed(account), true);
      third.close();
    });
  }

  it('an incremental refresh after adding, changing, touching and deleting item files equals a rebuild', async () => {
    const dir = path.join(tmp, 'cache-incremental');
    const cat = await openCatalogue(backup, { dir });
    try {
      await indexAll(cat, sample);
      const account = sample.accounts[1]!.zimbraId;
      const { items } = await backup.readAllItems(account);
      const parsed = items.filter((h) => h.parsed && h.fileItemId !== undefined && h.transactions.length > 0);
      // Added: a copy of an item under a new id. Changed: a new subject. Touched: same bytes, new mtime. Deleted.
      const [src, changed, touched, deleted] = [parsed[0]!, parsed[1]!, parsed[2]!, parsed[3]!];
      const newId = 900_001;
      const added = itemRelPath(account, newId);
      const srcJson = JSON.parse(readFileSync(backup.abs(src.path), 'utf8')) as Record<string, unknown>[];
      for (const tx of srcJson) tx['id'] = newId;
      srcJson[srcJson.length - 1]!['subject'] = 'Ajouté après coup — Nachtrag';
      writeFileSync(backup.abs(added), JSON.stringify(srcJson));
      const json = JSON.parse(readFileSync(backup.abs(changed.path), 'utf8')) as Record<string, unknown>[];
      json[json.length - 1]!['subject'] = 'Changed: 変更された件名';
      writeFileSync(backup.abs(changed.path), JSON.stringify(json));
      const later = new Date(Date.now() + 60_000);
      utimesSync(backup.abs(touched.path), later, later);
      unlinkSync(backup.abs(deleted.path));

      const r = await cat.indexAccount(account);
      assert.equal(r.updated, 3, 'the added, the changed and the touched file are read; nothing else');
      assert.equal(r.removed, 1);
      const other = await cat.indexAccount(sample.accounts[0]!.zimbraId);
      assert.equal(other.updated, 0, 'the other account is untouched');
      const incremental = dump(cat.file);
      const needles = ['nachtrag', '変更', 'ajouté', 'changed:'];
      const incAnswers = searches(cat, account, needles);
      assert.ok(incAnswers[0]!.includes(added) && incAnswers[1]!.includes(changed.path));

      const fresh = await openCatalogue(backup, { dir: path.join(tmp, 'cache-rebuild') });
      try {
        await indexAll(fresh, sample);
        assert.deepEqual(incremental, dump(fresh.file));
        assert.deepEqual(incAnswers, searches(fresh, account, needles));
      } finally {
        fresh.close();
      }
      // Put the sample back for the other tests.
      unlinkSync(backup.abs(added));
      copyFileSync(backup.abs(src.path), backup.abs(deleted.path));
    } finally {
      cat.close();
    }
    const db = openSqlite(path.join(dir, path.basename(cat.file)));
    try {
      // FTS5's own consistency check of the index against its rows.
      db.run("INSERT INTO search (search) VALUES ('integrity-check')");
    } finally {
      db.close();
    }
  });

  it('two processes indexing the same backup at once both succeed and leave the rows one would', async () => {
    const dir = path.join(tmp, 'cache-two');
    const args = [sample.path, dir, ...sample.accounts.map((a) => a.zimbraId)];
    const [a, b] = await Promise.all([runWorker(args), runWorker(args)]);
    assert.equal(a.code, 0, a.out);
    assert.equal(b.code, 0, b.out);
    const cat = await openCatalogue(backup, { dir });
    const both = dump(cat.file);
    cat.close();
    const one = await openCatalogue(backup, { dir: path.join(tmp, 'cache-one') });
    try {
      await indexAll(one, sample);
      assert.deepEqual(both, dump(one.file));
    } finally {
      one.close();
    }
  });
});
