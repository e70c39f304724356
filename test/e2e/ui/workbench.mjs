// What a person does in the VS Code workbench, as playwright-core steps. Every wait polls with a deadline.
import fs from 'node:fs';
import path from 'node:path';
import { REPO, RESULTS } from '../paths.mjs';

const manifest = () => JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));

/** The contributed command's palette title ("Category: Title") for a title pattern, read from package.json. */
export function paletteTitle(title) {
  const cmd = (manifest().contributes?.commands ?? []).find((c) => title.test(c.title));
  if (!cmd) throw new Error(`package.json contributes no command titled ${title}`);
  return cmd.category ? `${cmd.category}: ${cmd.title}` : cmd.title;
}

/** The activity-bar container that holds the view named `viewName`, and the view's id. */
export function viewContainer(viewName) {
  const c = manifest().contributes ?? {};
  for (const [containerId, views] of Object.entries(c.views ?? {})) {
    const view = views.find((v) => viewName.test(v.name));
    if (!view) continue;
    const container = (c.viewsContainers?.activitybar ?? []).find((x) => x.id === containerId);
    return { view, title: container?.title ?? containerId };
  }
  throw new Error(`package.json contributes no view named ${viewName}`);
}

/** F1, type the command's title, check it is the first match, Enter. */
export async function runFromPalette(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row').filter({ hasText: title }).first();
  await row.waitFor({ timeout: 15_000 });
  await row.click();
}

/** Presses Enter on any quick pick that shows up (the command's default scope / level) until none is left. */
export async function acceptQuickPicks(page, { timeoutMs = 5_000 } = {}) {
  const widget = page.locator('.quick-input-widget');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await widget.isVisible()) {
      await page.keyboard.press('Enter');
      await widget.waitFor({ state: 'hidden', timeout: 2_000 }).catch(() => {});
    } else {
      await widget.waitFor({ state: 'visible', timeout: Math.max(1, deadline - Date.now()) }).catch(() => {});
    }
  }
}

/** Opens the activity-bar container of `viewName` and expands that view's pane; returns the pane locator. */
export async function openView(page, viewName) {
  const { view, title } = viewContainer(viewName);
  const pane = page
    .locator('.pane')
    .filter({ has: page.locator('.pane-header .title', { hasText: new RegExp(`^${view.name}$`, 'i') }) })
    .first();
  if (!(await pane.isVisible())) {
    await page
      .locator(
        `.part.activitybar .action-item a[aria-label^="${title}"], .part.activitybar .action-item [aria-label^="${title}"]`,
      )
      .first()
      .click({ timeout: 30_000 });
  }
  await pane.waitFor({ state: 'visible', timeout: 30_000 });
  const header = pane.locator('.pane-header').first();
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  return pane;
}

export const rows = (pane) => pane.locator('.monaco-list-row');

/**
 * Clicks a collapsed row to expand it and waits until it says so and its first child is shown
 * (children load async). `row` is a locator, looked up afresh each round: a tree refresh
 * re-renders rows (an element handle would go stale), and a row found collapsed again is clicked again.
 */
export async function expand(row) {
  const deadline = Date.now() + 30_000;
  let clickedAt = 0;
  for (;;) {
    const state = await row
      .evaluate((el) => {
        // Rows are positioned absolutely, so DOM order is not list order: look the next row up by its index.
        const next = el.parentElement?.querySelector(
          `.monaco-list-row[data-index="${Number(el.getAttribute('data-index')) + 1}"]`,
        );
        const open = el.getAttribute('aria-expanded') === 'true';
        const shown = !!next && Number(next.getAttribute('aria-level')) > Number(el.getAttribute('aria-level'));
        return open && shown ? 'done' : open ? 'loading' : 'collapsed';
      })
      .catch(() => 'gone');
    if (state === 'done') return;
    if (Date.now() > deadline) throw new Error(`the row did not expand within 30 s (last state: ${state})`);
    // Collapsed: click (again, if a refresh closed it or the click fell on a row being replaced, after 2 s).
    if (state === 'collapsed' && Date.now() - clickedAt > 2_000) {
      await row.click({ timeout: 5_000 }).catch(() => undefined);
      clickedAt = Date.now();
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Waits until the condition holds or fails with `what`; a probe error marked `fatal` fails at once. */
export async function until(what, probe, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch((e) => {
      if (e?.fatal) throw e;
      return undefined;
    });
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Moves the pointer off the side bar so no hover tooltip covers the picture. */
export async function parkPointer(page) {
  const size = page.viewportSize() ?? { width: 1400, height: 900 };
  await page.mouse.move(size.width - 40, size.height / 2);
}

export async function screenshot(page, name) {
  fs.mkdirSync(RESULTS, { recursive: true });
  await parkPointer(page).catch(() => {});
  await page.screenshot({ path: path.join(RESULTS, `${name}.png`) });
  const docs = process.env.ZXB_E2E_SCREENSHOTS === 'docs' ? DOC_IMAGES[name] : undefined;
  if (docs) {
    fs.mkdirSync(path.dirname(docs), { recursive: true });
    await page.screenshot({ path: docs });
  }
}

/** README screenshots (ZXB_E2E_SCREENSHOTS=docs). */
const DOC_IMAGES = {
  'ui-tree': path.join(REPO, 'docs/images/tree.png'),
  'ui-diagnostics': path.join(REPO, 'docs/images/diagnostics.png'),
  'ui-findings': path.join(REPO, 'docs/images/findings.png'),
  'ui-history': path.join(REPO, 'docs/images/history.png'),
};

const DIALOG = '.monaco-dialog-box';

/** Throws (fatally, for until()) when VS Code shows an error dialog, e.g. "command '…' not found". */
export async function failOnErrorDialog(page) {
  const dialog = page.locator(DIALOG);
  if (await dialog.isVisible()) {
    const e = new Error(`VS Code shows a dialog: ${(await dialog.innerText()).replace(/\s+/g, ' ').trim()}`);
    e.fatal = true;
    throw e;
  }
}

/** Closes what an earlier (failed) test may have left open: dialogs, quick inputs. Each test starts clean. */
export async function dismissLeftovers(page) {
  for (let i = 0; i < 4; i++) {
    const open = (await page.locator(DIALOG).isVisible()) || (await page.locator('.quick-input-widget').isVisible());
    if (!open) return;
    await page.keyboard.press('Escape');
    await page
      .locator(`${DIALOG}, .quick-input-widget`)
      .first()
      .waitFor({ state: 'hidden', timeout: 2_000 })
      .catch(() => {});
  }
}
