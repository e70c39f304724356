// Debian's Chromium driven by playwright-core (no browser download), with a fresh profile per launch.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { onCleanup } from './cleanup.mjs';
import { CHROMIUM, SANDBOX_TMP } from './paths.mjs';

export async function launchBrowser({ viewport = { width: 1400, height: 900 } } = {}) {
  fs.mkdirSync(SANDBOX_TMP, { recursive: true });
  const profile = fs.mkdtempSync(path.join(SANDBOX_TMP, 'chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const close = onCleanup(async () => {
    await context.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  });
  return { context, page, close };
}
