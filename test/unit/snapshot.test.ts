import { strict as assert } from 'node:assert';
import {
  buildSnapshot,
  folderPath,
  resolveAccountInstant,
  type AccountSnapshot,
} from '../../src/engine/backup/snapshot';
import { itemRelPath } from '../../src/engine/layout';
import { parseItemText } from '../../src/engine/item/parse';
import type { ItemHistory } from '../../src/engine/item/types';

const ACCOUNT = '0f9b3c2e-6a4d-4c55-9b1e-2d7f8a9c0e11';
const D0 = Date.UTC(2024, 0, 1); // account set up
const D1 = Date.UTC(2024, 1, 1); // "Projects" renamed "Archive 2023" and moved under "Old"
const D2 = Date.UTC(2024, 2, 1); // message 300 deleted
const FOLDER = 1;
const MESSAGE = 5;

type State = Record<string, unknown> & { from: number };

/** One item file, written as JSON and read by the real parser. */
function item(id: number, type: number, states: State[]): ItemHistory {
  const txs = states.map((s, i) => {
    const { from, ...rest } = s;
    return { 'transaction-id': i + 1, 'start-date': from, 'end-date': states[i + 1]?.from ?? null, id, type, ...rest };
  });
  const h = parseItemText(JSON.stringify(txs), itemRelPath(ACCOUNT, id), { fileItemId: id });
  assert.deepEqual(h.findings, [], `fixture ${id} must be clean`);
  return h;
}

function account(): ItemHistory[] {
  return [
    item(1, FOLDER, [{ from: D0, 'folder-id': 11 }]),
    item(11, FOLDER, [{ from: D0, 'folder-id': 11 }]),
    item(2, FOLDER, [{ from: D0, 'folder-id': 1 }]),
    item(3, FOLDER, [{ from: D0, 'folder-id': 1 }]),
    item(257, FOLDER, [
      { from: D0, 'folder-id': 2, name: 'Projects' },
      { from: D1, 'folder-id': 258, name: 'Archive 2023' },
    ]),
    item(258, FOLDER, [{ from: D0, 'folder-id': 1, name: 'Old' }]),
    item(300, MESSAGE, [
      { from: D0 + 1000, 'folder-id': 257, subject: 'Kick-off' },
      { from: D2, 'folder-id': 3, subject: 'Kick-off', deleted: true },
    ]),
    item(301, MESSAGE, [{ from: D0 + 2000, 'folder-id': 2, subject: 'Welcome' }]),
    // Its folder (999) has no item file: the message cannot be placed.
    item(302, MESSAGE, [{ from: D0 + 3000, 'folder-id': 999, subject: 'Lost' }]),
    // Created after D1: absent before.
    item(303, MESSAGE, [{ from: D1 + 5000, 'folder-id': 257, subject: 'Late' }]),
  ];
}

const at = (t: number) => ({ kind: 'instant' as const, at: t });
const pathsOf = (s: AccountSnapshot) => Object.fromEntries([...s.folders.values()].map((f) => [f.id, f.path]));

describe('account snapshot at a point in time', () => {
  const items = account();

  it('before the rename: the folder has its old name and place', () => {
    const s = buildSnapshot(items, at(D1 - 1));
    assert.equal(folderPath(s, 257), '/Inbox/Projects');
    assert.deepEqual(pathsOf(s), { 1: '/', 11: '/', 2: '/Inbox', 3: '/Trash', 257: '/Inbox/Projects', 258: '/Old' });
    assert.deepEqual(
      s.folders.get(257)?.items.map((i) => i.title),
      ['Kick-off'],
    );
    assert.equal(s.at, D1 - 1);
  });

  it('after the rename and move: a different path for the same folder id', () => {
    const s = buildSnapshot(items, at(D1));
    assert.equal(folderPath(s, 257), '/Old/Archive 2023');
    assert.deepEqual(
      s.folders.get(258)?.children.map((c) => c.id),
      [257],
    );
    assert.deepEqual(
      s.folders.get(2)?.children.map((c) => c.id),
      [],
    );
    assert.deepEqual(
      s.folders.get(257)?.items.map((i) => i.id),
      [300],
    );
  });

  it('items created later are absent before their first start-date', () => {
    assert.equal(buildSnapshot(items, at(D1)).itemCount, 3);
    const later = buildSnapshot(items, at(D1 + 5000));
    assert.deepEqual(
      later.folders.get(257)?.items.map((i) => i.id),
      [300, 303],
    );
    assert.equal(later.itemCount, 4);
  });

  it('deleted items are listed as deleted, not in their folder', () => {
    const s = buildSnapshot(items, at(D2));
    assert.deepEqual(
      s.deleted.map((i) => [i.id, i.status, i.title, i.folderId]),
      [[300, 'deleted', 'Kick-off', 3]],
    );
    assert.ok(![...s.folders.values()].some((f) => f.items.some((i) => i.id === 300)));
    assert.deepEqual(
      s.folders.get(257)?.items.map((i) => i.id),
      [303],
    );
  });

  it('live items whose folder does not exist are unplaced, and still counted', () => {
    const s = buildSnapshot(items, at(D2));
    assert.deepEqual(
      s.unplaced.map((i) => i.id),
      [302],
    );
    assert.equal(s.itemCount, 3);
  });

  it('first: the earliest transaction of the account', () => {
    assert.deepEqual(resolveAccountInstant(items, { kind: 'first' }), at(D0));
    const s = buildSnapshot(items, { kind: 'first' });
    assert.equal(s.at, D0);
    assert.equal(s.itemCount, 0);
    assert.equal(folderPath(s, 257), '/Inbox/Projects');
  });

  it('last: the latest state, with no instant', () => {
    const s = buildSnapshot(items, { kind: 'last' });
    assert.equal(s.at, undefined);
    assert.equal(folderPath(s, 257), '/Old/Archive 2023');
    assert.deepEqual(
      s.deleted.map((i) => i.id),
      [300],
    );
  });

  it('the roots are the mailbox root folders, children sorted (system folders by id)', () => {
    const s = buildSnapshot(items, at(D2));
    assert.deepEqual(
      s.roots.map((r) => r.id),
      [11],
    );
    assert.deepEqual(
      s.folders.get(1)?.children.map((c) => c.id),
      [2, 3, 258],
    );
  });

  it('a system folder without a name gets its Zimbra name', () => {
    const s = buildSnapshot(items, at(D2));
    assert.equal(s.folders.get(2)?.name, 'Inbox');
    assert.equal(s.folders.get(3)?.name, 'Trash');
  });

  it('a cycle in folder parents does not hang, and every folder still gets a path', () => {
    const cyclic = [
      ...account(),
      item(400, FOLDER, [{ from: D0, 'folder-id': 401, name: 'A' }]),
      item(401, FOLDER, [{ from: D0, 'folder-id': 402, name: 'B' }]),
      item(402, FOLDER, [{ from: D0, 'folder-id': 400, name: 'C' }]),
      item(403, FOLDER, [{ from: D0, 'folder-id': 403, name: 'Self' }]),
      // Below a cycle, not in it: stays under its parent.
      item(404, FOLDER, [{ from: D0, 'folder-id': 400, name: 'D' }]),
      item(500, MESSAGE, [{ from: D0, 'folder-id': 401, subject: 'in a cycle' }]),
    ];
    const started = Date.now();
    const s = buildSnapshot(cyclic, at(D2));
    assert.ok(Date.now() - started < 5000);
    for (const id of [400, 401, 402, 403]) {
      const p = folderPath(s, id);
      assert.ok(p !== undefined && p.startsWith('/') && p.length < 100, `${id}: ${p}`);
    }
    assert.equal(folderPath(s, 403), '/Self');
    assert.equal(folderPath(s, 404), `${folderPath(s, 400)}/D`);
    assert.deepEqual(
      s.folders.get(401)?.items.map((i) => i.id),
      [500],
    );
  });
});
