/**
 * A small hand-made backup path following docs/backup-format.md, with a history
 * the CLI tests know by heart: a message that moves and is deleted, a folder that
 * is renamed, a deleted account, a system account, an account created later, and
 * an account whose item files are damaged in several ways.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tar from 'tar';
import { computeDigest, itemRelPath, accountRelPath } from '../../src/engine';
import { history, TestBackup, type Tx } from '../support/backup';

export const T1 = Date.UTC(2024, 0, 10, 9, 0, 0); // 10/01/2024 09:00:00 UTC
export const T2 = Date.UTC(2024, 1, 10, 9, 0, 0); // 10/02/2024 09:00:00 UTC
export const T3 = Date.UTC(2024, 2, 10, 9, 0, 0); // 10/03/2024 09:00:00 UTC

export const ALICE = { id: '0f9b3c2e-6a4d-4c55-9b1e-2d7f8a9c0e11', name: 'alice@example.com' };
/** Deleted from the server on 01/02/2024. */
export const BOB = { id: '1b0b0000-0000-4000-8000-000000000002', name: 'bob@example.com' };
export const GALSYNC = { id: '2a150000-0000-4000-8000-000000000003', name: 'galsync@example.com' };
/** Created on 01/03/2024, in another domain. */
export const CAROL = { id: '3ca40000-0000-4000-8000-000000000004', name: 'carol@example.org' };
export const BROKEN = { id: '4b400000-0000-4000-8000-000000000005', name: 'broken@example.com' };
export const MAP_SERVER_ID = '544d94c6-aaef-4736-8964-56a667f1fe12';
export const UNKNOWN_DESTINATION = '9e990000-0000-4000-8000-000000000009';

export const LUNCH_EML = Buffer.from(
  'From: bob@example.com\r\nTo: alice@example.com\r\nSubject: Lunch\r\n\r\nSee you at noon.\r\n',
);
export const REPORT_EML = Buffer.from(
  'From: bob@example.com\r\nTo: alice@example.com\r\nSubject: Quarterly report\r\n\r\nNumbers attached.\r\n',
);
export const LUNCH_DIGEST = computeDigest(LUNCH_EML);
export const REPORT_DIGEST = computeDigest(REPORT_EML);
/** A valid digest whose BLOB is not in the store. */
export const MISSING_DIGEST = computeDigest(Buffer.from('never stored'));

/** Item ids of the fixture. */
export const ITEM = {
  /** Inbox (t1) → Projects (t2, flagged) → deleted in Trash (t3). */
  lunch: 300,
  /** Live in Inbox since t1, BLOB present. */
  report: 301,
  contact: 400,
  /** Folder "Projects" under Inbox, renamed "Projects 2024" at t2. */
  projects: 257,
  archive: 258,
  invalidJson: 500,
  directory: 501,
  symlink: 502,
  missingBlob: 503,
  unreadable: 504,
} as const;

function folder(id: number, name: string, parent: number, created = T1 - 86_400_000): Tx[] {
  return history(id, 1, { 'folder-id': parent, name, flags: 0, tags: [] }, [[created, {}]]);
}

export interface Fixture {
  root: string;
  file(rel: string): string;
}

export function makeFixture(): Fixture {
  const backup = TestBackup.temp('cli');
  const root = backup.root;
  const abs = (rel: string): string => backup.abs(rel);
  const write = (rel: string, content: string | Buffer): void => backup.write(rel, content);
  const writeJson = (rel: string, value: unknown): void => backup.writeJson(rel, value);
  const item = (account: string, id: number, txs: Tx[]): void => backup.item(account, id, txs);

  const account = (a: { id: string; name: string }, extra: Tx, itemCount: number): void => {
    writeJson(accountRelPath(a.id, 'account_info'), {
      zimbraId: a.id,
      name: a.name,
      displayName: a.name.split('@')[0],
      status: 'active',
      isSystem: false,
      cos: 'default',
      createdDate: Date.UTC(2023, 10, 1),
      deletedDate: null,
      attributes: { zimbraPrefTimeZoneId: 'Europe/Rome', userPassword: '{SSHA}secret-hash' },
      ...extra,
    });
    writeJson(accountRelPath(a.id, 'account_stat'), {
      lastItemId: 504,
      itemCount,
      lastScanDate: T3,
      firstTransactionDate: T1 - 86_400_000,
      lastTransactionDate: T3,
      blobCount: 2,
      blobBytes: 200,
    });
    writeJson(accountRelPath(a.id, 'backupstat'), {
      firstRunDate: Date.UTC(2023, 10, 1, 4),
      lastRunDate: Date.UTC(2024, 2, 11, 4),
      serverId: 'mbox1',
      backupVersion: '4.0.0',
      smartScanCount: 130,
    });
  };

  // --- accounts
  account(ALICE, {}, 9);
  account(BOB, { deletedDate: Date.UTC(2024, 1, 1) }, 0);
  account(GALSYNC, { isSystem: true }, 0);
  account(CAROL, { createdDate: Date.UTC(2024, 2, 1) }, 0);
  account(BROKEN, {}, 5);

  // --- alice: folders
  item(ALICE.id, 1, folder(1, 'USER_ROOT', 11));
  item(ALICE.id, 2, folder(2, 'Inbox', 1));
  item(ALICE.id, 3, folder(3, 'Trash', 1));
  item(ALICE.id, 7, folder(7, 'Contacts', 1));
  item(
    ALICE.id,
    ITEM.projects,
    history(ITEM.projects, 1, { 'folder-id': 2, flags: 0 }, [
      [T1, { name: 'Projects' }],
      [T2, { name: 'Projects 2024' }],
    ]),
  );
  item(ALICE.id, ITEM.archive, folder(ITEM.archive, 'Archive', 1, T1));

  // --- alice: messages and a contact
  const message = { sender: 'bob@example.com', recipients: 'alice@example.com', tags: [] };
  item(
    ALICE.id,
    ITEM.lunch,
    history(
      ITEM.lunch,
      5,
      {
        ...message,
        subject: 'Lunch',
        date: T1 / 1000 - 60,
        size: LUNCH_EML.length,
        digest: LUNCH_DIGEST,
        'mod-metadata': 110,
        'mod-content': 110,
        'change-date': T1 / 1000,
      },
      [
        [T1, { 'folder-id': 2, flags: 512 }],
        [T2, { 'folder-id': ITEM.projects, flags: 32 }],
        [T3, { 'folder-id': 3, flags: 32, deleted: true }],
      ],
    ),
  );
  item(
    ALICE.id,
    ITEM.report,
    history(
      ITEM.report,
      5,
      {
        ...message,
        subject: 'Quarterly report',
        date: T1 / 1000,
        size: REPORT_EML.length,
        digest: REPORT_DIGEST,
        'folder-id': 2,
        flags: 0,
      },
      [[T1, {}]],
    ),
  );
  item(ALICE.id, ITEM.contact, history(ITEM.contact, 6, { 'folder-id': 7, name: 'Bob Builder', flags: 0 }, [[T1, {}]]));

  // --- BLOB store
  backup.blob(LUNCH_EML);
  backup.blob(REPORT_EML);

  // --- broken: one kind of damage per item
  item(BROKEN.id, 2, folder(2, 'Inbox', 1));
  write(itemRelPath(BROKEN.id, ITEM.invalidJson), '[{"transaction-id": 1, "start-date": 1704877200000, "id": 500,');
  mkdirSync(abs(itemRelPath(BROKEN.id, ITEM.directory)), { recursive: true });
  mkdirSync(path.dirname(abs(itemRelPath(BROKEN.id, ITEM.symlink))), { recursive: true });
  symlinkSync(abs(itemRelPath(ALICE.id, ITEM.report)), abs(itemRelPath(BROKEN.id, ITEM.symlink)));
  item(
    BROKEN.id,
    ITEM.missingBlob,
    history(ITEM.missingBlob, 5, { ...message, subject: 'Gone', digest: MISSING_DIGEST, 'folder-id': 2, flags: 0 }, [
      [T1, {}],
    ]),
  );
  item(
    BROKEN.id,
    ITEM.unreadable,
    history(ITEM.unreadable, 5, { ...message, subject: 'Locked', 'folder-id': 2, flags: 0 }, [[T1, {}]]),
  );
  chmodSync(abs(itemRelPath(BROKEN.id, ITEM.unreadable)), 0o000);

  // --- map file: one account in the backup, one not
  writeJson(`map_${MAP_SERVER_ID}`, {
    sourceServerId: 'mbox1.old.example.com',
    importDate: Date.UTC(2023, 11, 1),
    accounts: [
      { sourceId: 'aaaa0000-0000-4000-8000-00000000000a', destinationId: ALICE.id, name: 'alice@old.example.com' },
      {
        sourceId: 'bbbb0000-0000-4000-8000-00000000000b',
        destinationId: UNKNOWN_DESTINATION,
        name: 'dave@old.example.com',
      },
    ],
  });

  // --- server archives: 01/01/2024 and 01/02/2024 at 02:00 (names read in the chosen zone)
  const staging = mkdtempSync(path.join(tmpdir(), 'zxb-conf-'));
  mkdirSync(path.join(staging, 'conf'), { recursive: true });
  writeFileSync(path.join(staging, 'conf', 'localconfig.xml'), '<localconfig/>\n');
  mkdirSync(path.join(root, 'server'), { recursive: true });
  tar.c({ gzip: true, file: abs('server/customizations_01_01_24#02_00_00.tar.gz'), cwd: staging, sync: true }, [
    'conf',
  ]);
  mkdirSync(path.join(staging, 'postfix', 'conf'), { recursive: true });
  writeFileSync(path.join(staging, 'postfix', 'conf', 'main.cf'), 'myhostname = mail.example.com\n');
  tar.c({ gzip: true, file: abs('server/customizations_01_02_24#02_00_00.tar.gz'), cwd: staging, sync: true }, [
    'conf',
    'postfix',
  ]);

  return { root, file: abs };
}

export const BIG = { id: '5b160000-0000-4000-8000-000000000006', name: 'big@example.com' };

/** An account with `count` messages in its Inbox, for progress and Ctrl-C tests. */
export function addBigAccount(root: string, count: number): void {
  const backup = new TestBackup(root);
  backup.writeJson(
    accountRelPath(BIG.id, 'account_info'),
    {
      zimbraId: BIG.id,
      name: BIG.name,
      status: 'active',
      isSystem: false,
      createdDate: T1,
      deletedDate: null,
      attributes: {},
    },
    0,
  );
  for (let b = 0; b < 100; b++)
    mkdirSync(backup.abs(`${accountRelPath(BIG.id)}/items/${String(b).padStart(2, '0')}`), { recursive: true });
  const txs = (id: number): Tx[] =>
    history(id, 5, { 'folder-id': 2, subject: `Message ${id}`, sender: 'x@example.com', flags: 0 }, [[T1, {}]]);
  const compact = (t: Tx[]): string => JSON.stringify(t);
  backup.item(BIG.id, 2, folder(2, 'Inbox', 1), compact);
  for (let id = 1000; id < 1000 + count; id++) backup.item(BIG.id, id, txs(id), compact);
}
