/** The restore wizards' inputs, preview and report (src/extension/model/restore.ts), on real restores of a generated sample. */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  BackupPath,
  itemRelPath,
  planAccountRestore,
  runRestore,
  type RestoreJob,
  type RestoreOutcome,
  type RestorePlan,
} from '../../src/engine';
import { makeSample, type SampleResult } from '../../src/engine/sample';
import {
  dateChoices,
  localDestination,
  previewCounts,
  readImapDestination,
  readRestoreDate,
  restoreConfirmation,
  restorePreviewMarkdown,
  restoreReportMarkdown,
  restoreSummary,
  secretKey,
} from '../../src/extension/model/restore';

describe('extension model: restore wizards', function () {
  this.timeout(120_000);
  let work: string;
  let sample: SampleResult;
  let backup: BackupPath;
  let plan: RestorePlan;
  let preview: RestoreOutcome;
  let done: RestoreOutcome;
  const itemFile = (id: number): string => backup.abs(itemRelPath(plan.account.zimbraId, id));

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'zxb-ext-restore-'));
    sample = await makeSample(path.join(work, 's'), { accounts: 2, itemsPerAccount: 80, faults: true });
    backup = await BackupPath.open(sample.path);
    // The account with the most unrestorable items, so the report has some to list.
    let best: { plan: RestorePlan; bad: number } | undefined;
    for (const a of sample.accounts) {
      const { items } = await backup.readAllItems(a.zimbraId);
      const p = planAccountRestore({ zimbraId: a.zimbraId, name: a.name }, items, { kind: 'last' }, { zone: 'UTC' });
      const o = await runRestore(job(p, path.join(work, `probe-${a.zimbraId}`), true));
      if (!best || o.report.unrestored.length > best.bad) best = { plan: p, bad: o.report.unrestored.length };
    }
    plan = best!.plan;
    const dest = path.join(work, 'maildir');
    preview = await runRestore(job(plan, dest, true));
    done = await runRestore(job(plan, dest, false));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  function job(p: RestorePlan, dest: string, dryRun: boolean): RestoreJob {
    const j: RestoreJob = {
      backup,
      plan: p,
      destination: localDestination('maildir', dest),
      identity: { at: p.at },
      cacheDir: path.join(work, 'cache'),
    };
    if (dryRun) j.dryRun = true;
    return j;
  }

  it('offers the tree point in time first and reads dates through the one parser', () => {
    const at = Date.UTC(2026, 2, 1, 10);
    const rows = dateChoices(at, 'Europe/Rome', { first: true });
    assert.deepEqual(
      rows.map((r) => r.label),
      ['01/03/2026 11:00:00', 'last', 'first', 'Another date…'],
    );
    assert.deepEqual(rows[0]!.spec, { kind: 'instant', at });
    assert.deepEqual(
      dateChoices(null, 'UTC', { last: false }).map((r) => r.label),
      ['Another date…'],
    );
    assert.deepEqual(readRestoreDate('01/03/2026 10:00:00', 'UTC', {}), {
      ok: true,
      spec: { kind: 'instant', at },
    });
    assert.deepEqual(readRestoreDate('2026-03-01T11:00:00+01:00', 'UTC', {}), {
      ok: true,
      spec: { kind: 'instant', at },
    });
    assert.equal(readRestoreDate('first', 'UTC', {}).ok, false);
    assert.equal(readRestoreDate('first', 'UTC', { first: true }).ok, true);
    assert.equal(readRestoreDate('last', 'UTC', { last: false }).ok, false);
    assert.equal(readRestoreDate('all', 'UTC', {}).ok, false);
    assert.equal(readRestoreDate('32/13/2026', 'UTC', {}).ok, false);
  });

  it('reads an IMAP destination with its login and never keeps a password in it', () => {
    const r = readImapDestination('imap://restored@mail.example.com:1143', 'starttls');
    assert.ok(r.ok);
    assert.equal(r.login, 'restored');
    assert.deepEqual([r.endpoint.host, r.endpoint.port, r.endpoint.security], ['mail.example.com', 1143, 'starttls']);
    assert.equal(secretKey(r.endpoint, r.login), 'zxbackup.imap/mail.example.com:1143/restored');
    const withPassword = readImapDestination('imap://restored:hunter2@mail.example.com:143');
    assert.ok(!withPassword.ok);
    assert.ok(!withPassword.error.includes('hunter2'), withPassword.error);
    assert.match((readImapDestination('imap://mail.example.com:143') as { error: string }).error, /name the login/);
    assert.deepEqual(localDestination('eml', '/tmp/x'), { kind: 'eml', path: '/tmp/x' });
  });

  it('previews exactly what the dry run would write, and asks before writing', () => {
    const w = preview.report.wouldWrite!;
    assert.ok(w.messages.length > 0 && w.folders.length > 0);
    const md = restorePreviewMarkdown(plan, preview.report, 'UTC', itemFile, w.messages.length);
    assert.match(md, /^# Preview: Restore of .+ as it was at last/);
    assert.match(md, /Nothing has been written yet/);
    for (const f of w.folders) assert.ok(md.includes(`- ${f.join('/')}\n`), f.join('/'));
    for (const m of w.messages) assert.ok(md.includes(`| ${m.itemId} | ${m.folder.join('/')} |`), String(m.itemId));
    const short = restorePreviewMarkdown(plan, preview.report, 'UTC', itemFile, 3);
    assert.match(short, new RegExp(`…and ${w.messages.length - 3} more`));
    assert.equal(previewCounts(preview.report), `${w.messages.length} messages in ${w.folders.length} folders`);
    assert.match(restoreConfirmation(plan, preview.report, 'UTC'), /^Write \d+ messages in \d+ folders into maildir:/);
    assert.match(restoreSummary(preview.report), /^would write /);
  });

  it('reports the restore like Zextras does, each unrestored item with its item file', () => {
    const r = done.report;
    assert.equal(r.restored, preview.report.wouldWrite!.messages.length);
    assert.ok(r.unrestored.length > 0, 'the faulty sample has unrestorable items');
    const md = restoreReportMarkdown(plan, r, 'UTC', itemFile, done.journal);
    assert.match(md, new RegExp(`- Restored Items: ${r.restored}\\n`));
    assert.match(md, new RegExp(`- Unrestored Items: ${r.unrestored.length}\\n`));
    for (const u of r.unrestored) {
      const file = itemFile(u.itemId);
      assert.ok(md.includes(`| ${u.itemId} | ${u.reason} | [${file}](file://`), String(u.itemId));
    }
    assert.ok(md.includes(`Journal: \`${done.journal}\``));
    assert.match(
      restoreSummary(r),
      new RegExp(`^${r.restored} restored, \\d+ skipped, ${r.unrestored.length} unrestored`),
    );
    // The maildir holds one file per restored message.
    let files = 0;
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true }))
        if (e.isDirectory()) walk(path.join(d, e.name));
        else if (path.basename(d) === 'cur' || path.basename(d) === 'new') files++;
    };
    walk(path.join(work, 'maildir'));
    assert.equal(files, r.restored);
  });
});
