/** The Export Accounts… and Purge… wizards' checks, previews and reports (src/extension/model/maintenance.ts), on a real purge plan. */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runPurge, type PurgeResult } from '../../src/engine';
import { makeSample } from '../../src/engine/sample';
import {
  DEFAULT_PURGE_DAYS,
  exportConfirmation,
  purgeConfirmation,
  purgeDaysProblem,
  purgeMarkdown,
  purgeSummary,
  readWindowEnd,
  windowText,
} from '../../src/extension/model/maintenance';

describe('extension model: export and purge wizards', function () {
  this.timeout(120_000);
  let work: string;
  let plan: PurgeResult;
  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'zxb-ext-maint-'));
    const s = await makeSample(path.join(work, 's'), { accounts: 3, itemsPerAccount: 60 });
    plan = await runPurge(s.path, { purgeDays: 30, now: s.endDate + 31 * 86_400_000, zone: 'UTC', apply: false });
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('checks the retention and window inputs', () => {
    assert.equal(DEFAULT_PURGE_DAYS, '30');
    assert.equal(purgeDaysProblem('30'), undefined);
    assert.equal(purgeDaysProblem('0'), undefined);
    assert.match(purgeDaysProblem('thirty')!, /number of days/);
    assert.deepEqual(readWindowEnd('', 'UTC'), { ok: true });
    assert.deepEqual(readWindowEnd('01/03/2026 10:00:00', 'UTC'), { ok: true, at: Date.UTC(2026, 2, 1, 10) });
    assert.deepEqual(readWindowEnd('2026-03-01T10:00:00+01:00', 'UTC'), { ok: true, at: Date.UTC(2026, 2, 1, 9) });
    assert.equal(readWindowEnd('last', 'UTC').ok, false);
    assert.equal(readWindowEnd('32/13/2026', 'UTC').ok, false);
    assert.equal(windowText(undefined, 'UTC'), 'every transaction');
    assert.equal(
      windowText({ from: Date.UTC(2026, 0, 1) }, 'Europe/Rome'),
      'the transactions valid from 01/01/2026 01:00:00 to …',
    );
    assert.match(
      exportConfirmation(['a@example.com'], undefined, '/tmp/x', 'UTC'),
      /^Export 1 account \(every transaction\) into \/tmp\/x/,
    );
  });

  it('previews exactly the planned removals and says they are deleted and journaled', () => {
    const n = plan.plan.entries.length;
    assert.ok(n > 0);
    const md = purgeMarkdown(plan, 'UTC', n);
    for (const e of plan.plan.entries) assert.ok(md.includes(`| ${e.kind} | ${e.path} | ${e.bytes} |`), e.path);
    assert.match(md, /^# Purge preview of /);
    const short = purgeMarkdown(plan, 'UTC', 3);
    assert.match(short, new RegExp(`…and ${n - 3} more`));
    assert.match(purgeConfirmation(plan), /deleted, not moved; every removal is recorded in \.zxb-state\/purge\//);
    assert.match(purgeSummary(plan), /^would remove \d+ item files?, \d+ BLOBs?, 1 server archive/);
  });
});
