/**
 * A small hand-made backup path for the server tests (docs/backup-format.md): one
 * account with a folder, a message that moves between folders and changes flags,
 * a message whose BLOB is missing, a map file and an id_mapper.log. Items are
 * pretty-printed so positions in them are easy to find by searching the text.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { URI } from 'vscode-uri';
import { accountRelPath, blobRelPath, computeDigest, itemRelPath } from '../../src/engine';
import { buildOnce, LspClient, type ClientOptions } from './lspClient';
import { itemText as supportItemText, TestBackup } from '../support/backup';

export const T0 = Date.UTC(2023, 11, 1, 8, 0, 0);
export const T1 = Date.UTC(2024, 0, 10, 9, 0, 0); // 10/01/2024 09:00:00 UTC
export const T2 = Date.UTC(2024, 1, 10, 9, 0, 0); // 10/02/2024 09:00:00 UTC
export const T3 = Date.UTC(2024, 2, 10, 9, 30, 0); // 10/03/2024 09:30:00 UTC

export const ACCOUNT = '0f9b3c2e-6a4d-4c55-9b1e-2d7f8a9c0e11';
export const MISSING_ACCOUNT = '9e990000-0000-4000-8000-000000000009';
export const REPORT_EML = Buffer.from(
  'From: bob@example.com\r\nTo: alice@example.com\r\nSubject: Quarterly report\r\n\r\nNumbers attached.\r\n',
);
export const REPORT_DIGEST = computeDigest(REPORT_EML);
export const MISSING_DIGEST = computeDigest(Buffer.from('never stored'));

export const ITEM = { projects: 257, report: 300, lost: 301 } as const;

type Tx = Record<string, unknown>;

export function reportHistory(): Tx[] {
  const base = {
    id: ITEM.report,
    type: 5,
    tags: [],
    size: REPORT_EML.length,
    digest: REPORT_DIGEST,
    subject: 'Quarterly report',
    date: Math.floor(T1 / 1000) - 60,
  };
  return [
    { 'transaction-id': 1, 'start-date': T1, 'end-date': T2, ...base, 'folder-id': 2, flags: 512 },
    { 'transaction-id': 2, 'start-date': T2, 'end-date': T3, ...base, 'folder-id': ITEM.projects, flags: 0 },
    { 'transaction-id': 3, 'start-date': T3, 'end-date': null, ...base, 'folder-id': ITEM.projects, flags: 32 },
  ];
}

export function itemText(history: unknown): string {
  return supportItemText(history, true);
}

export interface Fixture {
  root: string;
  abs(rel: string): string;
  /** file: URI of a relative path, as VS Code would send it. */
  uri(rel: string): string;
}

export function makeFixture(): Fixture {
  const backup = TestBackup.temp('server');
  const root = backup.root;
  const abs = (rel: string): string => backup.abs(rel);
  const write = (rel: string, content: string | Buffer): void => backup.write(rel, content);
  write(
    accountRelPath(ACCOUNT, 'account_info'),
    JSON.stringify(
      {
        zimbraId: ACCOUNT,
        name: 'alice@example.com',
        status: 'active',
        isSystem: false,
        createdDate: T0,
        deletedDate: null,
        attributes: {},
      },
      null,
      2,
    ),
  );
  write(
    accountRelPath(ACCOUNT, 'account_stat'),
    JSON.stringify({ lastItemId: 301, itemCount: 3, lastScanDate: T3 }, null, 2),
  );
  write(
    accountRelPath(ACCOUNT, 'id_mapper.log'),
    `# source destination type\n1200 ${ITEM.report} message\n1201 999 message\n`,
  );
  write(
    itemRelPath(ACCOUNT, ITEM.projects),
    itemText([
      {
        'transaction-id': 1,
        'start-date': T0,
        'end-date': null,
        id: ITEM.projects,
        type: 1,
        'folder-id': 2,
        name: 'Projects',
        flags: 0,
        tags: [],
      },
    ]),
  );
  write(itemRelPath(ACCOUNT, ITEM.report), itemText(reportHistory()));
  write(
    itemRelPath(ACCOUNT, ITEM.lost),
    itemText([
      {
        'transaction-id': 1,
        'start-date': T1,
        'end-date': null,
        id: ITEM.lost,
        type: 5,
        'folder-id': 2,
        flags: 0,
        tags: [],
        size: 12,
        digest: MISSING_DIGEST,
        subject: 'Lost',
      },
    ]),
  );
  backup.blob(REPORT_EML);
  write(
    'map_544d94c6-aaef-4736-8964-56a667f1fe12',
    JSON.stringify(
      {
        sourceServerId: 'mbox1.old.example.com',
        importDate: T0,
        accounts: [
          { sourceId: 'a1', destinationId: ACCOUNT },
          { sourceId: 'a2', destinationId: MISSING_ACCOUNT },
        ],
      },
      null,
      2,
    ),
  );
  return { root, abs, uri: (rel) => URI.file(abs(rel)).toString() };
}

/** Zero-based line/character of the n-th occurrence (0-based) of `needle` in `text`. */
export function positionOf(
  text: string,
  needle: string,
  occurrence = 0,
  delta = 0,
): { line: number; character: number } {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" (occurrence ${occurrence}) not in text`);
  }
  const offset = at + delta;
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** Adds a bucket of plain items (for a bigger check). */
export function addManyItems(f: Fixture, count: number, firstId = 1000): void {
  for (let i = 0; i < count; i++) {
    const id = firstId + i;
    const eml = Buffer.from(`Subject: item ${id}\r\n\r\nbody ${id} ${'x'.repeat(2000)}\r\n`);
    const digest = computeDigest(eml);
    const rel = itemRelPath(ACCOUNT, id);
    mkdirSync(path.dirname(f.abs(rel)), { recursive: true });
    writeFileSync(
      f.abs(rel),
      itemText([
        {
          'transaction-id': 1,
          'start-date': T1,
          'end-date': null,
          id,
          type: 5,
          'folder-id': 2,
          flags: 0,
          tags: [],
          size: eml.length,
          digest,
          subject: `item ${id}`,
        },
      ]),
    );
    const blob = blobRelPath(digest)!;
    mkdirSync(path.dirname(f.abs(blob)), { recursive: true });
    writeFileSync(f.abs(blob), gzipSync(eml));
  }
}

/**
 * The usual set-up of a describe block: the bundle built, a fresh fixture backup and a
 * started server, handed to `ready`; both are stopped and removed after the block.
 */
export function withFixtureServer(
  ready: (f: Fixture, client: LspClient) => void | Promise<void>,
  opts?: ClientOptions,
): void {
  let f: Fixture | undefined;
  let client: LspClient | undefined;
  before(async function () {
    this.timeout(120_000);
    buildOnce();
    f = makeFixture();
    client = await LspClient.start(opts);
    await ready(f, client);
  });
  after(async () => {
    await client?.stop();
    if (f) rmSync(f.root, { recursive: true, force: true });
  });
}
