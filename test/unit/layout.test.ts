import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import fc from 'fast-check';
import { computeDigest } from '../../src/engine/digest';
import {
  accountRelPath,
  blobRelPath,
  classifyRelPath,
  customizationsStamp,
  driveBucket,
  isItemFileName,
  isZimbraId,
  itemBucket,
  itemRelPath,
  toRelPath,
  type FileKind,
} from '../../src/engine/layout';
import { tempPathFor, tempTargetOf } from '../../src/engine/format/atomic';
import { interruptedWriteFinding, strayEntryFinding } from '../../src/engine/rules';

const ACCOUNT = '0f9b3c2e-6a4d-4c55-9b1e-2d7f8a9c0e11';
const DIGEST = computeDigest(Buffer.from(''));

describe('layout', () => {
  describe('itemBucket: the last two decimal digits, zero-padded', () => {
    const cases: [number, string][] = [
      [0, '00'],
      [2, '02'],
      [9, '09'],
      [10, '10'],
      [57, '57'],
      [100, '00'],
      [101, '01'],
      [257, '57'],
      [2057, '57'],
      [1_000_099, '99'],
    ];
    for (const [id, bucket] of cases) it(`${id} → ${bucket}`, () => assert.equal(itemBucket(id), bucket));
    it('itemRelPath puts the file in its bucket (docs: 2057 → items/57/2057, 2 → items/02/2)', () => {
      assert.equal(itemRelPath(ACCOUNT, 2057), `accounts/${ACCOUNT}/items/57/2057`);
      assert.equal(itemRelPath(ACCOUNT, 2), `accounts/${ACCOUNT}/items/02/2`);
    });
    it('classifyRelPath(itemRelPath(id)) gives the id and bucket back (property)', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (id) => {
          assert.deepEqual(classifyRelPath(itemRelPath(ACCOUNT, id)), {
            kind: 'item',
            accountId: ACCOUNT,
            bucket: itemBucket(id),
            itemId: id,
          });
        }),
      );
    });
  });

  describe('classifyRelPath', () => {
    const cases: [string, FileKind][] = [
      [`accounts/${ACCOUNT}/items/57/2057`, { kind: 'item', accountId: ACCOUNT, bucket: '57', itemId: 2057 }],
      // The bucket is reported as found; the check compares it with itemBucket (layout.item-wrong-folder).
      [`accounts/${ACCOUNT}/items/12/2057`, { kind: 'item', accountId: ACCOUNT, bucket: '12', itemId: 2057 }],
      [
        `accounts/${ACCOUNT}/drive_items/ab/5e7c-11ab`,
        { kind: 'drive-item', accountId: ACCOUNT, bucket: 'ab', name: '5e7c-11ab' },
      ],
      [`accounts/${ACCOUNT}/account_info`, { kind: 'account-file', accountId: ACCOUNT, file: 'account_info' }],
      [`accounts/${ACCOUNT}/account_stat`, { kind: 'account-file', accountId: ACCOUNT, file: 'account_stat' }],
      [`accounts/${ACCOUNT}/backupstat`, { kind: 'account-file', accountId: ACCOUNT, file: 'backupstat' }],
      [`accounts/${ACCOUNT}/id_mapper.log`, { kind: 'id-mapper', accountId: ACCOUNT }],
      ['map_mbox1.example.com', { kind: 'map', serverId: 'mbox1.example.com' }],
      ['backupstat', { kind: 'root-backupstat' }],
      [`items/47/${DIGEST}`, { kind: 'blob', prefix: '47', digest: DIGEST }],
      [
        'server/customizations_28_02_14#04_01_14.tar.gz',
        { kind: 'server-archive', dir: 'server', name: 'customizations_28_02_14#04_01_14.tar.gz' },
      ],
      ['servers/notes.txt', { kind: 'server-archive', dir: 'servers', name: 'notes.txt' }],
      // Windows separators and doubled or leading slashes are the same path.
      [`accounts\\${ACCOUNT}\\items\\02\\2`, { kind: 'item', accountId: ACCOUNT, bucket: '02', itemId: 2 }],
      [`/accounts//${ACCOUNT}/account_info`, { kind: 'account-file', accountId: ACCOUNT, file: 'account_info' }],
    ];
    for (const [rel, kind] of cases) it(`${rel} → ${kind.kind}`, () => assert.deepEqual(classifyRelPath(rel), kind));

    const others = [
      '',
      'map_',
      'README.txt',
      'accounts',
      `accounts/${ACCOUNT}`,
      `accounts/${ACCOUNT}/notes.txt`,
      `accounts/${ACCOUNT}/items/02/02`,
      `accounts/${ACCOUNT}/items/02/2.json`,
      `accounts/${ACCOUNT}/items/02/-2`,
      `accounts/${ACCOUNT}/items/02/12345678901`,
      `accounts/${ACCOUNT}/items/02`,
      `accounts/${ACCOUNT}/items/02/2/extra`,
      `accounts/${ACCOUNT}/drive_items/ab`,
      `accounts/${ACCOUNT}/account_info/x`,
      'items/47',
      `items/47/${DIGEST}/x`,
      'server',
      'server/sub/file.tar.gz',
      'other/map_x',
      'sub/backupstat',
    ];
    for (const rel of others)
      it(`${JSON.stringify(rel)} → other`, () => assert.deepEqual(classifyRelPath(rel), { kind: 'other' }));
  });

  describe('names', () => {
    it('isZimbraId accepts only a lowercase 8-4-4-4-12 UUID', () => {
      assert.equal(isZimbraId(ACCOUNT), true);
      for (const bad of [ACCOUNT.toUpperCase(), ACCOUNT.slice(1), `${ACCOUNT}x`, ACCOUNT.replace(/-/g, ''), '', '../x'])
        assert.equal(isZimbraId(bad), false, bad);
    });
    it('isItemFileName accepts plain decimal ids of at most ten digits', () => {
      for (const ok of ['0', '2', '2057', '4294967295']) assert.equal(isItemFileName(ok), true, ok);
      for (const bad of ['', '02', '-1', '1e3', '12345678901', ' 2', '2 ', '２'])
        assert.equal(isItemFileName(bad), false, bad);
    });
    it('driveBucket is the last two characters, lowercase', () => {
      assert.equal(driveBucket('5E7C-11AB'), 'ab');
    });
    it('accountRelPath', () => {
      assert.equal(accountRelPath(ACCOUNT), `accounts/${ACCOUNT}`);
      assert.equal(accountRelPath(ACCOUNT, 'account_info'), `accounts/${ACCOUNT}/account_info`);
    });
    it('customizationsStamp reads only customizations_dd_MM_yy#HH_mm_ss.tar.gz', () => {
      assert.equal(customizationsStamp('customizations_28_02_14#04_01_14.tar.gz'), '28_02_14#04_01_14');
      for (const bad of [
        'customizations_28_02_14#04_01_14.tar',
        'customizations_28_02_2014#04_01_14.tar.gz',
        'x_customizations_28_02_14#04_01_14.tar.gz',
      ]) {
        assert.equal(customizationsStamp(bad), undefined, bad);
      }
    });
    it('blobRelPath agrees with classifyRelPath', () => {
      assert.deepEqual(classifyRelPath(blobRelPath(DIGEST)!), {
        kind: 'blob',
        prefix: DIGEST.slice(0, 2),
        digest: DIGEST,
      });
    });
  });

  describe('toRelPath', () => {
    it('strips the root and uses forward slashes', () => {
      assert.equal(toRelPath('/data/bk', '/data/bk/accounts/x/account_info'), 'accounts/x/account_info');
      assert.equal(toRelPath('/data/bk/', '/data/bk/items/47/x'), 'items/47/x');
      assert.equal(toRelPath('/data/bk', '/data/bk'), '');
      assert.equal(toRelPath('C:\\bk', 'C:\\bk\\accounts\\x'), 'accounts/x');
    });
    it('does not treat a sibling folder with the same prefix as inside the root', () => {
      assert.notEqual(toRelPath('/data/bk', '/data/bk-copy/items/47/x'), '-copy/items/47/x');
      assert.notEqual(toRelPath('/data/b', '/data/bk/items/47/x'), 'k/items/47/x');
    });
  });
});

describe('a temp file of the crash-safe writer is recognised as an interrupted write', () => {
  it('tempPathFor and tempTargetOf agree; other dot files are not ours', () => {
    const tmp = path.basename(tempPathFor('/b/accounts/x/items/60/260'));
    assert.equal(tempTargetOf(tmp), '260');
    assert.equal(tempTargetOf(path.basename(tempPathFor('/b/map_mbox1.example.com'))), 'map_mbox1.example.com');
    for (const name of ['.260', '260', '.260.zxb-tmp-', '.260.zxb-tmp-12-xyz-1', 'x.260.zxb-tmp-1-0a1b2c-1'])
      assert.equal(tempTargetOf(name), undefined, name);
    const rel = `accounts/x/items/60/${tmp}`;
    assert.deepEqual(
      interruptedWriteFinding(rel, tmp)?.message,
      `${rel} is the temporary file of an interrupted write of accounts/x/items/60/260`,
    );
    assert.equal(strayEntryFinding('README', 'README', 'part of the backup layout').code, 'layout.stray-entry');
    assert.equal(strayEntryFinding(rel, tmp, 'an item file').code, 'layout.interrupted-write');
  });
});
