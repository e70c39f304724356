import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BackupPath, FolderChain } from '../../src/engine';
import { itemRelPath } from '../../src/engine/layout';
import { analyzeItemText } from '../../src/engine/item/analyze';
import {
  historyPayload,
  transactionFolderPaths,
  transactionLines,
  transactionStateText,
} from '../../src/extension/model/historyRows';
import {
  isHistoryPayload,
  parseHostMessage,
  parseViewState,
  parseWebviewMessage,
} from '../../src/shared/webviewProtocol';
import { changeSummary, fieldText, fieldTooltip, visibleFields } from '../../webview/history/rows';

const ACCOUNT = '0f9b3c2e-6a4d-4c55-9b1e-2d7f8a9c0e11';
const D0 = Date.UTC(2024, 0, 1);
const D1 = Date.UTC(2024, 0, 2, 6);
const D2 = Date.UTC(2024, 0, 5);
const DIGEST = 'w5JqLTjHOR6pKyxxYySrNIslzaPj8kMG5PIYXWt9M7E=';

const TEXT = JSON.stringify(
  [
    {
      'transaction-id': 1,
      'start-date': D0,
      'end-date': D1,
      id: 300,
      type: 5,
      'folder-id': 2,
      flags: 512,
      subject: 'Hello',
      digest: DIGEST,
    },
    {
      'transaction-id': 2,
      'start-date': D1,
      'end-date': D2,
      id: 300,
      type: 5,
      'folder-id': 257,
      flags: 0,
      subject: 'Hello',
      digest: DIGEST,
    },
    {
      'transaction-id': 3,
      'start-date': D2,
      'end-date': null,
      id: 300,
      type: 5,
      'folder-id': 3,
      flags: 0,
      subject: 'Hello',
      digest: DIGEST,
      deleted: true,
    },
  ],
  null,
  2,
);
const history = () => analyzeItemText(TEXT, itemRelPath(ACCOUNT, 300), { fileItemId: 300, now: D2 + 1 });

describe('extension item history: rows', () => {
  it('has one row per transaction with the changed fields marked against the previous one', () => {
    const p = historyPayload(history(), { text: TEXT, zone: 'UTC', at: null });
    assert.equal(p.rows.length, 3);
    assert.equal(p.title, 'Hello #300');
    const changed = p.rows.map((r) => r.fields.filter((f) => f.changed).map((f) => f.key));
    assert.deepEqual(changed, [[], ['folder-id', 'flags'], ['folder-id', 'deleted']]);
    assert.equal(p.rows[2]!.fields.find((f) => f.key === 'deleted')!.value, 'true');
    assert.equal(
      p.rows[1]!.fields.find((f) => f.key === 'deleted')!.value,
      '',
      'absent keys are empty, not "undefined"',
    );
  });

  it('says what flags, the type and second-based dates mean, without changing what counts as a change', () => {
    const p = historyPayload(history(), { text: TEXT, zone: 'UTC', at: null });
    const field = (row: number, key: string) => p.rows[row]!.fields.find((f) => f.key === key)!;
    assert.equal(field(0, 'flags').value, '512 (unread)');
    assert.equal(field(1, 'flags').value, '0');
    assert.equal(field(0, 'type').value, '5 (message)');
    assert.equal(field(1, 'type').changed, false);
    const withDate = analyzeItemText(
      JSON.stringify([
        {
          'transaction-id': 1,
          'start-date': D0,
          'end-date': null,
          id: 9,
          type: 5,
          date: 1704103195,
          flags: 1 + 32 + 2 ** 31,
        },
      ]),
      itemRelPath(ACCOUNT, 9),
      { fileItemId: 9, now: D2 },
    );
    const row = historyPayload(withDate, { zone: 'UTC', at: null }).rows[0]!;
    assert.equal(row.fields.find((f) => f.key === 'date')!.value, '1704103195 (01/01/2024 09:59:55)');
    assert.match(row.fields.find((f) => f.key === 'flags')!.value, /^\d+ \(from_me, flagged, bits \d+\)$/);
  });

  it('formats the validity in the zone and says how long each state lasted', () => {
    const p = historyPayload(history(), { text: TEXT, zone: 'Europe/Rome', at: null });
    assert.equal(p.rows[0]!.start, '01/01/2024 01:00:00');
    assert.equal(p.rows[0]!.duration, '1 d 6 h');
    assert.equal(p.rows[2]!.end, 'still valid');
    assert.equal(p.rows[2]!.duration, 'open-ended');
    assert.equal(p.rows[2]!.deleted, true);
    assert.equal(p.zone, 'Europe/Rome');
  });

  it('marks the transaction that holds at the point in time', () => {
    const current = (at: number | null) =>
      historyPayload(history(), { zone: 'UTC', at }).rows.findIndex((r) => r.current);
    assert.equal(current(D1 + 1000), 1);
    assert.equal(current(null), 2);
    assert.equal(current(D0 - 1), -1);
  });

  it('gives each transaction the line it starts on, and the digest for "BLOB"', () => {
    assert.deepEqual(transactionLines(TEXT), [1, 12, 23]);
    const p = historyPayload(history(), { text: TEXT, zone: 'UTC', at: null });
    assert.deepEqual(
      p.rows.map((r) => r.line),
      [1, 12, 23],
    );
    assert.equal(p.rows[0]!.digest, DIGEST);
    assert.deepEqual(transactionLines('not json'), []);
  });

  it('carries the findings of a damaged file with their lines, and a payload the webview accepts', () => {
    const bad = TEXT.replace('"transaction-id": 2', '"transaction-id": 1');
    const p = historyPayload(analyzeItemText(bad, itemRelPath(ACCOUNT, 300), { fileItemId: 300, now: D2 + 1 }), {
      text: bad,
      zone: 'UTC',
      at: null,
    });
    const f = p.findings.find((x) => x.code === 'item.bad-transaction-id');
    assert.ok(f, JSON.stringify(p.findings));
    assert.equal(f.line, 13);
    assert.ok(isHistoryPayload(p));
    assert.deepEqual(parseHostMessage({ type: 'history', payload: p }), { type: 'history', payload: p });
  });

  it('renders one transaction state as JSON with its validity', () => {
    const text = transactionStateText(history(), 1, 'UTC')!;
    const parsed = JSON.parse(text) as { valid: string; state: Record<string, unknown> };
    assert.equal(parsed.state['folder-id'], 257);
    assert.equal(parsed.valid, '02/01/2024 06:00:00 → 05/01/2024 00:00:00 (UTC)');
    assert.equal(transactionStateText(history(), 9, 'UTC'), undefined);
  });
});

describe('extension item history: page helpers', () => {
  const p = historyPayload(history(), { text: TEXT, zone: 'UTC', at: null });

  it('shows every field of the first row, and only the changed ones later when asked', () => {
    assert.equal(visibleFields(p.rows[0]!, 0, true).length, p.rows[0]!.fields.filter((f) => f.value !== '').length);
    assert.deepEqual(
      visibleFields(p.rows[1]!, 1, true).map((f) => f.key),
      ['folder-id', 'flags'],
    );
    assert.ok(visibleFields(p.rows[1]!, 1, false).length > 2);
    assert.equal(changeSummary(p.rows[2]!, 2), 'changed: folder-id, deleted');
    assert.equal(changeSummary(p.rows[0]!, 0), 'first state');
  });
});

describe('extension item history: folders as paths at each transaction, old → new', () => {
  let root: string;
  // Folder 257 is "Projects" under Inbox until D1 + 1 h, then renamed "Archive 2023" (same id).
  const folder257 = JSON.stringify([
    {
      'transaction-id': 1,
      'start-date': D0 - 1000,
      'end-date': D1 + 3_600_000,
      id: 257,
      type: 1,
      'folder-id': 2,
      name: 'Projects',
    },
    {
      'transaction-id': 2,
      'start-date': D1 + 3_600_000,
      'end-date': null,
      id: 257,
      type: 1,
      'folder-id': 2,
      name: 'Archive 2023',
    },
  ]);
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'zxb-history-'));
    for (const [id, text] of [
      [257, folder257],
      [300, TEXT],
    ] as const) {
      const file = join(root, itemRelPath(ACCOUNT, id));
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const payload = async () => {
    const h = history();
    const chain = new FolderChain(await BackupPath.open(root), ACCOUNT);
    return historyPayload(h, {
      text: TEXT,
      zone: 'UTC',
      at: null,
      folderPaths: await transactionFolderPaths(h, chain),
    });
  };

  it('shows the folder path as it was at each transaction, with the id as secondary text', async () => {
    const p = await payload();
    const folder = p.rows.map((r) => r.fields.find((f) => f.key === 'folder-id')!);
    assert.deepEqual(
      folder.map((f) => f.value),
      ['/Inbox', '/Inbox/Projects', '/Trash'],
      'the path at the start of each transaction (Projects was renamed later)',
    );
    assert.deepEqual(
      folder.map((f) => f.detail),
      ['folder id 2', 'folder id 257', 'folder id 3'],
    );
    assert.ok(isHistoryPayload(p));
  });

  it('keeps the id and says so when the folder does not exist at that transaction', async () => {
    const h = history();
    const p = historyPayload(h, { zone: 'UTC', at: null, folderPaths: new Map([[1, undefined]]) });
    const f = p.rows[1]!.fields.find((x) => x.key === 'folder-id')!;
    assert.equal(f.value, '257');
    assert.match(f.detail ?? '', /no folder 257/);
  });

  it('with only changed fields, shows old → new (folders as paths), never hiding the old value', async () => {
    const p = await payload();
    const text = (row: number) =>
      visibleFields(p.rows[row]!, row, true).map((f) => `${f.key}: ${fieldText(f, row, true)}`);
    assert.deepEqual(text(1), ['folder-id: /Inbox → /Inbox/Projects', 'flags: 512 (unread) → 0']);
    assert.deepEqual(text(2), ['folder-id: /Inbox/Projects → /Trash', 'deleted: (none) → true']);
    // All fields: the value alone, the old one in the tooltip.
    const flags = p.rows[1]!.fields.find((f) => f.key === 'flags')!;
    assert.equal(fieldText(flags, 1, false), '0');
    assert.match(fieldTooltip(flags), /was 512 \(unread\)/);
    assert.equal(
      fieldText(
        p.rows[0]!.fields.find((f) => f.key === 'flags')!,
        0,
        true,
      ),
      '512 (unread)',
    );
  });
});

describe('extension webview messages', () => {
  it('accepts the messages of the protocol', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseWebviewMessage({ type: 'showState', index: 2 }), { type: 'showState', index: 2 });
    assert.deepEqual(parseWebviewMessage({ type: 'showBlob', digest: DIGEST }), { type: 'showBlob', digest: DIGEST });
    assert.deepEqual(parseWebviewMessage({ type: 'openAt', line: 0 }), { type: 'openAt', line: 0 });
  });

  it('drops extra properties instead of passing them on', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'showState', index: 1, command: 'rm -rf' }), {
      type: 'showState',
      index: 1,
    });
  });

  it('rejects anything else', () => {
    for (const bad of [
      null,
      'ready',
      42,
      [],
      {},
      { type: 'nope' },
      { type: 'showState' },
      { type: 'showState', index: -1 },
      { type: 'showState', index: 1.5 },
      { type: 'showState', index: '1' },
      { type: 'showBlob', digest: '' },
      { type: 'showBlob', digest: 'x'.repeat(200) },
      { type: 'openAt', line: Number.NaN },
    ]) {
      assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad));
    }
    assert.equal(parseHostMessage({ type: 'history', payload: { rows: 'x' } }), undefined);
    assert.equal(parseHostMessage({ type: 'error' }), undefined);
    assert.deepEqual(parseHostMessage({ type: 'error', message: 'm' }), { type: 'error', message: 'm' });
  });

  it('restores saved state, keeping the valid parts of an old or damaged one', () => {
    const payload = historyPayload(history(), { zone: 'UTC', at: null });
    const state = { itemPath: 'accounts/x/items/00/300', selected: 1, onlyChanged: true, payload };
    assert.deepEqual(parseViewState(JSON.parse(JSON.stringify(state))), state);
    assert.deepEqual(parseViewState(undefined), { onlyChanged: false });
    assert.deepEqual(parseViewState({ onlyChanged: 'yes', selected: -3, itemPath: 7, payload: { rows: [] } }), {
      onlyChanged: false,
    });
  });
});
