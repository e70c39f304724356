// UI tests: the installed VSIX in code-server, used through Chromium as a support engineer would.
// Run by `npm run test:e2e` (which passes ZXB_E2E_VSIX / ZXB_E2E_SAMPLE), or alone:
//   node --import tsx node_modules/mocha/bin/mocha.js --no-config --timeout 180000 test/e2e/ui/ui.test.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCleanups } from '../cleanup.mjs';
import { openWorkbench, prepare, startHarness } from '../harness.mjs';
import { engine, sampleFacts } from './sampleFacts.mjs';
import {
  acceptQuickPicks,
  dismissLeftovers,
  expand,
  failOnErrorDialog,
  openView,
  paletteTitle,
  rows,
  runFromPalette,
  screenshot,
  until,
} from './workbench.mjs';

const { FINDINGS, formatZxsuite, parseBackupStat, parseAccountStat, BackupPath, FolderChain } = engine;

/** The run dates the sample's backupstat and account_stat files record (engine parsers), oldest first. */
function runDates(root) {
  const read = (rel) => {
    try {
      return fs.readFileSync(path.join(root, rel), 'utf8');
    } catch {
      return undefined;
    }
  };
  const dates = [];
  const stat = (rel) => {
    const t = read(rel);
    const v = t === undefined ? undefined : parseBackupStat(t, rel).value;
    dates.push(v?.firstRunDate, v?.lastRunDate);
  };
  stat('backupstat');
  for (const id of fs.readdirSync(path.join(root, 'accounts'))) {
    stat(`accounts/${id}/backupstat`);
    const t = read(`accounts/${id}/account_stat`);
    dates.push(t === undefined ? undefined : parseAccountStat(t, 'account_stat').value?.lastScanDate);
  }
  return dates.filter((d) => typeof d === 'number').sort((a, b) => a - b);
}

/** Quick Open by path, as a person pasting the path from a ticket; resolves when its tab is active. */
async function openByPath(page, rel) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(rel);
  await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
  await page
    .locator('.tabs-container .tab.active')
    .filter({ hasText: rel.split('/').pop() })
    .waitFor({ timeout: 30_000 });
}

describe('Zextras Backup Inspector in VS Code (UI)', function () {
  this.timeout(180_000);
  let harness, browser, page, facts, sample;
  let shot; // the screenshot name of the running test

  before(async function () {
    this.timeout(15 * 60_000);
    let vsix = process.env.ZXB_E2E_VSIX;
    sample = process.env.ZXB_E2E_SAMPLE;
    if (!vsix || !sample) ({ vsix, sample } = prepare());
    facts = sampleFacts(sample);
    harness = await startHarness({ name: 'ui', workspace: sample, vsix });
    browser = await openWorkbench(harness.folderUrl(sample));
    page = browser.page;
  });

  beforeEach(async () => {
    if (page) await dismissLeftovers(page);
  });

  afterEach(async function () {
    if (page) await screenshot(page, shot ?? `ui-${this.currentTest.title.replace(/\W+/g, '-')}`);
    shot = undefined;
  });

  after(async () => {
    await browser?.close();
    await harness?.stop();
    await runCleanups();
  });

  it('opens the Backup view and expands an account down to an item', async function () {
    shot = 'ui-tree';
    const account = [...facts].filter((a) => a.name).sort((a, b) => b.items.length - a.items.length)[0];
    assert.ok(account, 'the sample has an account with a name');
    const titles = new Set(account.items.flatMap((i) => i.titles));
    const pane = await openView(page, /^Backup$/);
    const domain = account.name.split('@')[1];
    // Accounts appear once the extension has read the backup path (activation + server start).
    const accountRow = rows(pane).filter({ hasText: account.name }).first();
    await until(
      `the account ${account.name} or its domain in the tree`,
      async () => (await accountRow.isVisible()) || (await rows(pane).filter({ hasText: domain }).first().isVisible()),
      90_000,
    );
    if (!(await accountRow.isVisible())) await expand(rows(pane).filter({ hasText: domain }).first());
    await accountRow.waitFor({ timeout: 20_000 });
    await expand(accountRow);
    const accountLevel = Number(await accountRow.getAttribute('aria-level'));
    // Expand the account's first collapsed descendants (folders, ranges) until an item of this account shows.
    const clicked = new Set();
    const itemRow = async () => {
      for (const r of await rows(pane).all()) {
        if ((await r.getAttribute('aria-expanded')) !== null) continue; // items are leaves
        const text = (await r.innerText()).split('\n')[0] ?? '';
        if ([...titles].some((t) => text.includes(t.slice(0, 40)))) return r;
      }
      return undefined;
    };
    // Folders may appear only after a first indexing ("Indexing…" row): poll, expanding one new folder per round.
    const found = await until(
      'an item row of the account',
      async () => {
        const hit = await itemRow();
        if (hit) return hit;
        if (clicked.size >= 12) return undefined;
        for (const r of await rows(pane).all()) {
          const level = Number(await r.getAttribute('aria-level'));
          const label = (await r.innerText()).split('\n')[0] ?? '';
          if (level > accountLevel && (await r.getAttribute('aria-expanded')) === 'false' && !clicked.has(label)) {
            clicked.add(label);
            await expand(r);
            break;
          }
        }
        return undefined;
      },
      90_000,
    );
    assert.ok(
      Number(await found.getAttribute('aria-level')) > accountLevel + 1,
      'the item sits below a folder of the account',
    );
  });

  it('opens a damaged item and shows its diagnostic in the Problems panel', async function () {
    shot = 'ui-diagnostics';
    const damaged = facts
      .flatMap((a) => a.items)
      .find((i) => i.history.findings.some((f) => f.severity === 'error' && f.range));
    assert.ok(damaged, 'the sample with faults has an item with an error finding');
    const codes = damaged.history.findings.filter((f) => f.severity === 'error').map((f) => f.code);
    // Quick Open by path, as a person pasting the path from a ticket.
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill(damaged.rel);
    await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    const fileName = damaged.rel.split('/').pop();
    await page.locator('.tabs-container .tab.active').filter({ hasText: fileName }).waitFor({ timeout: 30_000 });
    await runFromPalette(page, 'Focus on Problems View');
    const markers = page.locator('.markers-panel .monaco-list-row');
    const row = await until(
      `a problem with code ${codes.join(' or ')}`,
      async () => {
        const texts = await markers.allInnerTexts();
        return texts.find((t) => codes.some((c) => t.includes(c)));
      },
      60_000,
    );
    assert.ok(row);
  });

  it('opens item files read-only: typing and saving leave the file on disk unchanged', async function () {
    shot = 'ui-readonly';
    const item = facts.flatMap((a) => a.items).find((i) => i.history.transactions.length >= 1);
    assert.ok(item);
    const file = path.join(sample, item.rel);
    const before = fs.readFileSync(file);
    await openByPath(page, item.rel);
    const tab = page.locator('.tabs-container .tab.active').filter({ hasText: item.rel.split('/').pop() });
    await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
    await page.keyboard.type('zz');
    await page.keyboard.press('Enter');
    await page.keyboard.press('ControlOrMeta+S');
    await page.waitForTimeout(1_500); // longer than autosave's default delay
    assert.equal(await tab.evaluate((el) => el.classList.contains('dirty')), false, 'the tab is not dirty');
    assert.ok(fs.readFileSync(file).equals(before), `${item.rel} is unchanged on disk`);
  });

  it('runs "Zextras Backup: Run Coherency Check" from the command palette and lists findings', async function () {
    shot = 'ui-findings';
    await runFromPalette(page, paletteTitle(/Run Coherency Check/i));
    await acceptQuickPicks(page);
    const pane = await openView(page, /^Findings$/);
    const codes = Object.keys(FINDINGS);
    const texts = await until(
      'findings in the Findings view',
      async () => {
        await failOnErrorDialog(page);
        const t = await rows(pane).allInnerTexts();
        return t.some((x) => codes.some((c) => x.includes(c))) ? t : undefined;
      },
      150_000,
    );
    assert.ok(texts.length > 0);
  });

  it('keeps the findings of the last check after a window reload, marked with when it ran', async function () {
    shot = 'ui-findings-after-reload';
    // The previous test ran a check; a reload starts a new window and extension host.
    await page.reload();
    await page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: 90_000 });
    const pane = await openView(page, /^Findings$/);
    const codes = Object.keys(FINDINGS);
    const texts = await until(
      'findings in the Findings view after the reload',
      async () => {
        await failOnErrorDialog(page);
        const t = await rows(pane).allInnerTexts();
        return t.some((x) => codes.some((c) => x.includes(c))) ? t : undefined;
      },
      60_000,
    );
    assert.ok(texts.length > 0);
    const header = await pane.locator('.pane-header').first().innerText();
    assert.match(header, /ran \d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d/, `the view says when that check ran: ${header}`);
  });

  it('sets the point in time from the status bar', async function () {
    shot = 'ui-point-in-time';
    const starts = facts
      .flatMap((a) => a.items)
      .flatMap((i) => i.history.transactions.map((t) => t.start))
      .filter((s) => typeof s === 'number')
      .sort((a, b) => a - b);
    const middle = starts[Math.floor(starts.length / 2)];
    const wanted = formatZxsuite(middle, 'UTC');
    const item = page
      .locator('.part.statusbar .statusbar-item')
      .filter({ has: page.locator('.codicon-history') })
      .first();
    await item.waitFor({ timeout: 30_000 });
    await item.click();
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill(wanted);
    await page.keyboard.press('Enter');
    await until(
      `the status bar to show ${wanted}`,
      async () => {
        await failOnErrorDialog(page);
        return (await item.innerText()).includes(wanted.slice(0, 10));
      },
      20_000,
    );
  });

  it('lists the backup run dates and accepts a date after the last run with a warning naming it', async function () {
    shot = 'ui-point-in-time-runs';
    const dates = runDates(sample);
    assert.ok(dates.length > 0, 'the sample records backup runs');
    const last = dates[dates.length - 1];
    const status = page
      .locator('.part.statusbar .statusbar-item')
      .filter({ has: page.locator('.codicon-history') })
      .first();
    await status.click();
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    const list = page.locator('.quick-input-list .monaco-list-row');
    const texts = await until(
      'the pick to list last, first and the last run date',
      async () => {
        const t = await list.allInnerTexts();
        // A row's text is its label then its description (on one line or two).
        const starts = (w) => t.some((x) => x.trim().startsWith(w));
        return starts('last') && starts('first') && t.some((x) => x.includes(formatZxsuite(last, 'UTC')))
          ? t
          : undefined;
      },
      15_000,
    );
    assert.ok(texts.length >= 3);
    const later = formatZxsuite(last + 40 * 86_400_000, 'UTC');
    await input.fill(later);
    await until(
      'the typed date to say it is after the last run',
      async () =>
        (await list.allInnerTexts()).some(
          (x) => x.includes('After the last backup run') && x.includes(formatZxsuite(last, 'UTC')),
        ),
      10_000,
    );
    await page.keyboard.press('Enter');
    await until(
      `the status bar to show ${later} with a warning`,
      async () => {
        await failOnErrorDialog(page);
        return (
          (await status.innerText()).includes(later.slice(0, 10)) &&
          (await status.locator('.codicon-warning').count()) > 0
        );
      },
      20_000,
    );
    // Back to the latest state, typed as a support engineer would: "first" and "now" are accepted too.
    for (const word of ['first', 'now']) {
      await status.click();
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      await input.fill(word);
      // Enter once the extension has made the typed row (it answers each keystroke).
      await until(`a row for the typed "${word}"`, async () =>
        (await list.allInnerTexts()).some((x) => x.trim().startsWith(word) && /UTC|latest state/.test(x)),
      );
      await page.keyboard.press('Enter');
      await input.waitFor({ state: 'hidden', timeout: 10_000 });
      await failOnErrorDialog(page);
    }
    await until('the status bar to show last', async () => (await status.innerText()).includes('last'), 20_000);
  });

  it('shows the history of an item in a webview, folders as paths then, old → new with only changed fields', async function () {
    shot = 'ui-history';
    const backup = await BackupPath.open(sample);
    // An item filed in a user folder (id > 256) at some transaction, whose path the engine knows then.
    let item;
    let expected;
    for (const i of facts.flatMap((a) => a.items)) {
      if (i.history.transactions.length < 2 || i.history.findings.some((f) => f.severity === 'error')) continue;
      const tx = i.history.transactions.find((t) => t.folderId > 256 && typeof t.start === 'number');
      if (!tx) continue;
      const p = await new FolderChain(backup, i.rel.split('/')[1]).pathAt(tx.folderId, {
        kind: 'instant',
        at: tx.start,
      });
      if (p && p !== '/') {
        item = i;
        expected = { path: p, id: tx.folderId };
        break;
      }
    }
    assert.ok(item, 'the sample has an item in a user folder');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill(item.rel);
    await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    await page
      .locator('.tabs-container .tab.active')
      .filter({ hasText: item.rel.split('/').pop() })
      .waitFor({ timeout: 30_000 });
    await runFromPalette(page, paletteTitle(/Show Item History/i));
    await acceptQuickPicks(page, { timeoutMs: 2_000 });
    const frame = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    await until(
      `the history webview to show the folder as ${expected.path} (folder id ${expected.id})`,
      async () => {
        await failOnErrorDialog(page);
        const text = await frame.locator('body').innerText();
        return text.includes(expected.path) && text.includes(`folder id ${expected.id}`);
      },
      30_000,
    );
    await frame.locator('vscode-checkbox').first().click();
    await until(
      'changed fields shown as old → new',
      async () => (await frame.locator('.field.changed').allInnerTexts()).some((t) => t.includes(' → ')),
      10_000,
    );
  });
});
