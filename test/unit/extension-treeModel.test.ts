import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTarGz } from '../../src/engine/sample/archive';
import { listArchiveContents } from '../../src/engine/serverArchive';
import { buildSnapshot } from '../../src/engine/backup/snapshot';
import { itemRelPath } from '../../src/engine/layout';
import { parseItemText } from '../../src/engine/item/parse';
import type { ItemHistory } from '../../src/engine/item/types';
import type { AccountSummary } from '../../src/engine/backup/backupPath';
import {
  DEFAULT_LIMITS,
  PagingState,
  accountTopLevel,
  firstPage,
  groupAccountsByDomain,
  accountView,
  archiveListing,
  itemView,
  nodeId,
  sliceChildren,
  type NodeRef,
} from '../../src/extension/model/treeModel';

const ACCOUNT = '0f9b3c2e-6a4d-4c55-9b1e-2d7f8a9c0e11';
const D0 = Date.UTC(2024, 0, 1);
const D1 = Date.UTC(2024, 1, 1);

function item(id: number, type: number, states: Array<Record<string, unknown> & { from: number }>): ItemHistory {
  const txs = states.map((s, i) => {
    const { from, ...rest } = s;
    return { 'transaction-id': i + 1, 'start-date': from, 'end-date': states[i + 1]?.from ?? null, id, type, ...rest };
  });
  return parseItemText(JSON.stringify(txs), itemRelPath(ACCOUNT, id), { fileItemId: id });
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('extension tree model: sliceChildren', () => {
  const limits = { bucketThreshold: 10, pageSize: 4 };

  it('shows a short list in pages with a "more" slot counting what is left', () => {
    const slots = sliceChildren(range(9), { from: 0, to: 9 }, 4, limits);
    assert.deepEqual(
      slots.slice(0, 4).map((s) => (s.type === 'entry' ? s.value : -1)),
      [0, 1, 2, 3],
    );
    assert.deepEqual(slots[4], { type: 'more', from: 0, shown: 4, remaining: 5 });
    assert.equal(sliceChildren(range(9), { from: 0, to: 9 }, 8, limits).filter((s) => s.type === 'entry').length, 8);
    assert.equal(
      sliceChildren(range(9), { from: 0, to: 9 }, 100, limits).some((s) => s.type === 'more'),
      false,
    );
  });

  it('splits a long list into ranges that cover it exactly once', () => {
    const slots = sliceChildren(range(95), { from: 0, to: 95 }, 4, limits);
    assert.ok(slots.every((s) => s.type === 'range'));
    const spans = slots.map((s) => (s.type === 'range' ? [s.from, s.to] : [0, 0]));
    assert.deepEqual(spans[0], [0, 10]);
    assert.deepEqual(spans.at(-1), [90, 95]);
    for (let i = 1; i < spans.length; i++) assert.equal(spans[i]![0], spans[i - 1]![1]);
    const first = slots[0];
    assert.ok(first?.type === 'range' && first.first === 0 && first.last === 9);
  });

  it('nests ranges so no level has more than the threshold', () => {
    const n = 1_000_000;
    const all = range(n);
    const top = sliceChildren(all, { from: 0, to: n }, DEFAULT_LIMITS.pageSize);
    assert.ok(top.length <= DEFAULT_LIMITS.bucketThreshold, `top level has ${top.length}`);
    assert.equal(top.length, 4); // 250,000 each
    const r = top[1]!;
    assert.ok(r.type === 'range');
    const inner = sliceChildren(all, { from: r.from, to: r.to }, DEFAULT_LIMITS.pageSize);
    assert.equal(inner.length, 500);
    const leaf = inner[0]!;
    assert.ok(leaf.type === 'range' && leaf.to - leaf.from === 500);
    const page = sliceChildren(all, { from: leaf.from, to: leaf.to }, DEFAULT_LIMITS.pageSize);
    assert.equal(page.filter((s) => s.type === 'entry').length, DEFAULT_LIMITS.pageSize);
    assert.deepEqual(page.at(-1), { type: 'more', from: 250_000, shown: 200, remaining: 300 });
  });

  it('returns nothing for an empty or inverted span', () => {
    assert.deepEqual(sliceChildren([], { from: 0, to: 0 }, 5), []);
    assert.deepEqual(sliceChildren(range(5), { from: 4, to: 2 }, 5), []);
  });
});

describe('extension tree model: paging state', () => {
  it('adds a page per "Load more…", per owner, list and span, and resets by owner prefix', () => {
    const p = new PagingState({ bucketThreshold: 500, pageSize: 200 });
    assert.equal(p.shownFor('folder/a/2', 'items', 0), 200);
    assert.equal(p.loadMore('folder/a/2', 'items', 0), 400);
    assert.equal(p.shownFor('folder/a/2', 'items', 0), 400);
    assert.equal(p.shownFor('folder/a/2', 'items', 500), 200, 'another range of the same list pages on its own');
    assert.equal(p.shownFor('folder/a/2', 'folders', 0), 200);
    p.loadMore('folder/b/2', 'items', 0);
    p.reset('folder/a/');
    assert.equal(p.shownFor('folder/a/2', 'items', 0), 200);
    assert.equal(p.shownFor('folder/b/2', 'items', 0), 400);
  });
});

describe('extension tree model: node ids', () => {
  const refs: NodeRef[] = [
    { kind: 'servers' },
    { kind: 'map', serverId: 's1', path: 'map_s1' },
    { kind: 'archive', path: 'server/customizations_01_01_24#00_00_00.tar.gz' },
    { kind: 'domain', domain: 'example.com' },
    { kind: 'account', zimbraId: ACCOUNT },
    { kind: 'folder', zimbraId: ACCOUNT, folderId: 2 },
    { kind: 'item', zimbraId: ACCOUNT, itemId: 2, path: 'x' },
    { kind: 'deleted', zimbraId: ACCOUNT },
    { kind: 'unplaced', zimbraId: ACCOUNT },
    { kind: 'blobStore' },
    { kind: 'blobPrefix', prefix: 'ab' },
    { kind: 'blob', digest: 'ab', path: 'items/ab/ab' },
    { kind: 'range', owner: `folder/${ACCOUNT}/2`, list: 'items', from: 0, to: 500 },
    { kind: 'range', owner: `folder/${ACCOUNT}/2`, list: 'folders', from: 0, to: 500 },
    { kind: 'more', owner: `folder/${ACCOUNT}/2`, list: 'items', from: 0, shown: 200, remaining: 5 },
    { kind: 'more', owner: `folder/${ACCOUNT}/2`, list: 'items', from: 500, shown: 200, remaining: 5 },
  ];

  it('are unique across kinds and lists', () => {
    const ids = refs.map(nodeId);
    assert.equal(new Set(ids).size, ids.length, ids.join('\n'));
  });

  it('start with the node kind (the e2e tests read it) and do not depend on the page shown', () => {
    assert.equal(nodeId({ kind: 'item', zimbraId: ACCOUNT, itemId: 7, path: 'a' }).split('/')[0], 'item');
    assert.equal(nodeId({ kind: 'account', zimbraId: ACCOUNT }).split('/')[0], 'account');
    // "Load more" grows `shown`: the node's id must not change with it, or VS Code loses it.
    assert.equal(
      nodeId({ kind: 'more', owner: 'o', list: 'items', from: 0, shown: 200, remaining: 5 }),
      nodeId({ kind: 'more', owner: 'o', list: 'items', from: 0, shown: 400, remaining: 1 }),
    );
  });
});

describe('extension tree model: accounts and folders', () => {
  it('groups accounts by domain, domains sorted, accounts without a domain last', () => {
    const acc = (name: string, domain?: string): AccountSummary => ({
      zimbraId: name,
      name,
      isSystem: false,
      findings: [],
      ...(domain ? { domain } : {}),
    });
    const groups = groupAccountsByDomain([
      acc('zed@b.org', 'b.org'),
      acc('stray'),
      acc('ann@a.com', 'a.com'),
      acc('bob@b.org', 'b.org'),
    ]);
    assert.deepEqual([...groups.keys()], ['a.com', 'b.org', '']);
    assert.deepEqual(
      groups.get('b.org')!.map((a) => a.name),
      ['bob@b.org', 'zed@b.org'],
    );
  });

  it('hides the mailbox roots and shows the folder names of the chosen time', () => {
    const items = [
      item(1, 1, [{ from: D0, 'folder-id': 11 }]),
      item(11, 1, [{ from: D0, 'folder-id': 11 }]),
      item(2, 1, [{ from: D0, 'folder-id': 1 }]),
      item(257, 1, [
        { from: D0, 'folder-id': 2, name: 'Projects' },
        { from: D1, 'folder-id': 1, name: 'Archive' },
      ]),
      item(300, 5, [{ from: D0 + 1, 'folder-id': 257, subject: 'Hello' }]),
    ];
    const before = accountTopLevel(buildSnapshot(items, { kind: 'instant', at: D0 + 10 }));
    assert.deepEqual(
      before.folders.map((f) => f.name),
      ['Inbox'],
    );
    assert.deepEqual(
      before.folders[0]!.children.map((f) => f.name),
      ['Projects'],
    );
    const after = accountTopLevel(buildSnapshot(items, { kind: 'last' }));
    assert.deepEqual(after.folders.map((f) => f.name).sort(), ['Archive', 'Inbox']);
  });

  it('labels items by subject, with id and type, and marks those with a BLOB', () => {
    const snap = buildSnapshot(
      [
        item(2, 1, [{ from: D0, 'folder-id': 1 }]),
        item(300, 5, [
          { from: D0, 'folder-id': 2, subject: 'Q1 report', digest: 'w5JqLTjHOR6pKyxxYySrNIslzaPj8kMG5PIYXWt9M7E=' },
        ]),
      ],
      { kind: 'last' },
    );
    const it = snap.folders.get(2)!.items[0]!;
    const v = itemView(ACCOUNT, it);
    assert.equal(v.label, 'Q1 report');
    assert.equal(v.description, '#300 · message');
    assert.equal(v.contextValue, 'zxbackup.item.withBlob');
    assert.equal(v.path, itemRelPath(ACCOUNT, 300));
    assert.equal(v.id, `item/${ACCOUNT}/300`);
  });
});

describe('extension tree model: rows that say who and when (issue 14)', () => {
  it('shows the sender and the date of the transaction at the point in time, in the row and its tooltip', () => {
    const sent = Date.UTC(2024, 0, 15, 9, 30, 5);
    const items = [
      item(2, 1, [{ from: D0, 'folder-id': 1 }]),
      item(301, 5, [
        { from: D0, 'folder-id': 2, subject: 'Budget', sender: 'Old Name <old@example.com>', date: sent / 1000 },
        { from: D1, 'folder-id': 2, subject: 'Budget', sender: 'Ann Lee <ann@example.com>', date: sent / 1000 },
      ]),
    ];
    const early = buildSnapshot(items, { kind: 'instant', at: D0 + 1 }).folders.get(2)!.items[0]!;
    const v = itemView(ACCOUNT, early, 'Europe/Rome');
    assert.equal(v.description, '#301 · message · Old Name <old@example.com> · 15/01/2024 10:30:05');
    assert.equal(
      v.tooltip,
      `Budget\nFrom: Old Name <old@example.com>\nDate: 15/01/2024 10:30:05 (Europe/Rome)\n#301 · message · ${itemRelPath(ACCOUNT, 301)}`,
    );
    const late = buildSnapshot(items, { kind: 'last' }).folders.get(2)!.items[0]!;
    assert.match(itemView(ACCOUNT, late, 'UTC').description!, /Ann Lee <ann@example\.com> · 15\/01\/2024 09:30:05$/);
  });

  it('gives a deleted account a real codicon, greyed ("person-delete" does not exist)', () => {
    const base = { zimbraId: ACCOUNT, name: 'gone@example.com', isSystem: false, findings: [] };
    const deleted = accountView({ ...base, deletedDate: D1, status: 'closed' }, 'UTC');
    assert.equal(deleted.icon, 'account');
    assert.equal(deleted.iconColor, 'disabledForeground');
    assert.match(deleted.description!, /^deleted 01\/02\/2024 00:00:00 · closed$/);
    const live = accountView(base, 'UTC');
    assert.equal(live.icon, 'account');
    assert.equal(live.iconColor, undefined);
  });
});

describe('extension tree model: a 100k-item folder', function () {
  this.timeout(120_000);

  it('produces its first page fast, as ranges of at most 500 items', () => {
    const n = 100_000;
    const items: ItemHistory[] = [item(2, 1, [{ from: D0, 'folder-id': 1 }])];
    for (let i = 0; i < n; i++) {
      const id = 1000 + i;
      items.push(item(id, 5, [{ from: D0 + i, 'folder-id': 2, subject: `message ${id}` }]));
    }
    const t0 = performance.now();
    const snap = buildSnapshot(items, { kind: 'last' });
    const t1 = performance.now();
    const folderItems = snap.folders.get(2)!.items;
    const page = firstPage(ACCOUNT, 2, folderItems);
    const t2 = performance.now();
    console.log(`      buildSnapshot(100k) ${(t1 - t0).toFixed(1)} ms, firstPage(100k) ${(t2 - t1).toFixed(2)} ms`);
    assert.equal(folderItems.length, n);
    assert.equal(page.length, 200);
    assert.equal(page[0]!.label, '#1000 – #1499');
    assert.equal(page.at(-1)!.label, '#100500 – #100999');
    assert.ok(page.every((v) => v.collapsible && v.contextValue === 'zxbackup.range'));
    // The goal in issue 4 is 200 ms for the first page; the page itself costs far less than that.
    assert.ok(t2 - t1 < 200, `firstPage took ${(t2 - t1).toFixed(1)} ms`);
  });
});

describe('extension tree model: a server archive clicked in the tree (issue 14)', () => {
  it('lists at most the bound, then "… and K more", reading the archive once without keeping the rest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zxb-archive-'));
    try {
      const files = Array.from({ length: 30 }, (_, i) => ({ path: `conf/file-${i}.xml`, content: `<x>${i}</x>` }));
      await writeFile(join(dir, 'a.tar.gz'), makeTarGz(files, D0));
      const listing = await listArchiveContents(dir, 'a.tar.gz', { maxEntries: 10 });
      assert.ok(listing.ok);
      assert.equal(listing.entries.length, 10, 'only the bound is kept');
      assert.ok(listing.total > 30, `every entry is counted (files and the folder): ${listing.total}`);
      const text = archiveListing({ path: 'server/a.tar.gz', size: 1234 }, listing, 'UTC', 5);
      const lines = text.trimEnd().split('\n');
      assert.equal(lines.length, 3 + 5 + 1, 'header, blank line, five entries, the "more" line');
      assert.equal(lines.at(-1), `… and ${listing.total - 5} more`);
      assert.match(lines[1]!, new RegExp(`^1,234 bytes · ${listing.total} entries$`));
      const whole = await listArchiveContents(dir, 'a.tar.gz');
      assert.ok(whole.ok && whole.entries.length === whole.total);
      assert.doesNotMatch(archiveListing({ path: 'a', size: 1 }, whole, 'UTC', 100), /more$/m);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
