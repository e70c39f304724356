import { strict as assert } from 'node:assert';
import {
  backupRuns,
  effectiveZone,
  formatPointInTime,
  initialInput,
  parsePointInTime,
  pointInTimeChoices,
  pointInTimeSpec,
  statusBarText,
  typedChoice,
  validatePointInTime,
  TYPE_A_DATE,
} from '../../src/extension/model/pointInTime';

describe('extension point in time: the input box', () => {
  it('reads zxsuite dates in the chosen zone', () => {
    assert.deepEqual(parsePointInTime('31/01/2024 12:00:00', 'UTC'), { ok: true, at: Date.UTC(2024, 0, 31, 12) });
    // Rome is UTC+1 in January.
    assert.deepEqual(parsePointInTime('31/01/2024 12:00:00', 'Europe/Rome'), {
      ok: true,
      at: Date.UTC(2024, 0, 31, 11),
    });
  });

  it('reads ISO 8601, with its own offset winning over the zone', () => {
    assert.deepEqual(parsePointInTime('2024-01-31T12:00:00Z', 'Europe/Rome'), {
      ok: true,
      at: Date.UTC(2024, 0, 31, 12),
    });
    assert.deepEqual(parsePointInTime('2024-07-01T00:00:00', 'Europe/Rome'), {
      ok: true,
      at: Date.UTC(2024, 5, 30, 22),
    });
  });

  it('reads "last" as the latest state (null), whatever the case and spacing', () => {
    assert.deepEqual(parsePointInTime('last', 'UTC'), { ok: true, at: null });
    assert.deepEqual(parsePointInTime('  LAST ', 'UTC'), { ok: true, at: null });
  });

  it('refuses "all", empty and unreadable input with a message', () => {
    for (const bad of ['all', '', '   ', '31/02/2024 10:00:00', 'yesterday', '2024-13-01']) {
      const r = parsePointInTime(bad, 'UTC');
      assert.equal(r.ok, false, bad);
      assert.ok(validatePointInTime(bad, 'UTC'), `a message for ${JSON.stringify(bad)}`);
    }
    assert.equal(validatePointInTime('01/01/2024 00:00:00', 'UTC'), undefined);
    assert.equal(validatePointInTime('', 'UTC')?.severity, 'error');
  });

  it('round-trips: the box starts with the current choice, which parses back to it', () => {
    const at = Date.UTC(2023, 10, 5, 8, 9, 10);
    for (const zone of ['UTC', 'Europe/Rome', 'America/New_York']) {
      const text = initialInput(at, zone);
      assert.deepEqual(parsePointInTime(text, zone), { ok: true, at }, `${zone}: ${text}`);
    }
    assert.equal(initialInput(null, 'UTC'), 'last');
  });
});

describe('extension point in time: display and zone', () => {
  it('shows the instant in the zone in the status bar, with the history icon', () => {
    const at = Date.UTC(2024, 0, 31, 11);
    assert.equal(statusBarText(at, 'Europe/Rome').text, '$(history) 31/01/2024 12:00:00');
    assert.match(statusBarText(at, 'Europe/Rome').tooltip, /Europe\/Rome/);
    assert.equal(statusBarText(null, 'UTC').text, '$(history) last');
    assert.equal(formatPointInTime(at, 'UTC'), '31/01/2024 11:00:00 UTC');
  });

  it('falls back to UTC for an unknown zone and says which', () => {
    assert.deepEqual(effectiveZone('Mars/Olympus'), { zone: 'UTC', invalid: 'Mars/Olympus' });
    assert.deepEqual(effectiveZone(''), { zone: 'UTC' });
    assert.deepEqual(effectiveZone(undefined), { zone: 'UTC' });
    assert.deepEqual(effectiveZone(' Asia/Tokyo '), { zone: 'Asia/Tokyo' });
  });

  it('maps the choice to the engine date spec', () => {
    assert.deepEqual(pointInTimeSpec(null), { kind: 'last' });
    assert.deepEqual(pointInTimeSpec(5), { kind: 'instant', at: 5 });
  });
});

describe('extension point in time: first, now and the backup runs', () => {
  const DAY = 86_400_000;
  const t0 = Date.UTC(2024, 0, 1, 2, 0, 0);
  const root = { firstRunDate: t0, lastRunDate: t0 + 30 * DAY, extra: {} };
  const accounts = [
    { name: 'a@x.test', backupStat: { firstRunDate: t0, lastRunDate: t0 + 30 * DAY, extra: {} } },
    {
      name: 'b@x.test',
      backupStat: { firstRunDate: t0 + 5 * DAY, lastRunDate: t0 + 20 * DAY, extra: {} },
      stat: { lastScanDate: t0 + 20 * DAY, extra: {} },
    },
  ];
  const runs = backupRuns(root, accounts);

  it('collects run dates from backupstat and account_stat, latest first, one row per instant', () => {
    assert.equal(runs.first, t0);
    assert.equal(runs.last, t0 + 30 * DAY);
    assert.deepEqual(
      runs.dates.map((d) => d.at),
      [t0 + 30 * DAY, t0 + 20 * DAY, t0 + 5 * DAY, t0],
    );
    assert.match(runs.dates[0]!.what, /last run of the backup; last run of a@x\.test/);
    assert.match(runs.dates[1]!.what, /last run of b@x\.test; last scan of b@x\.test/);
    assert.match(runs.dates[2]!.what, /first run of b@x\.test/);
    assert.deepEqual(backupRuns(undefined, []), { dates: [] });
  });

  it('names two accounts per run date and counts the rest', () => {
    const many = Array.from({ length: 5 }, (_, i) => ({
      name: `u${i}@x.test`,
      backupStat: { firstRunDate: t0, extra: {} },
    }));
    assert.equal(backupRuns(undefined, many).dates[0]!.what, 'first run of u0@x.test, u1@x.test and 3 more');
  });

  it('accepts "first" as the first backup run, and "now" as the latest state, through the engine parser', () => {
    assert.deepEqual(parsePointInTime('first', 'UTC', runs), { ok: true, at: t0 });
    assert.deepEqual(parsePointInTime(' First ', 'UTC', runs), { ok: true, at: t0 });
    assert.deepEqual(parsePointInTime('now', 'UTC', runs), { ok: true, at: null });
    assert.deepEqual(parsePointInTime('last', 'UTC', runs), { ok: true, at: null });
    const none = parsePointInTime('first', 'UTC', { dates: [] });
    assert.equal(none.ok, false);
    assert.match(!none.ok ? none.error : '', /no backupstat/);
  });

  it('accepts a date after the last run with a warning naming the last run; before the first, likewise', () => {
    const after = parsePointInTime('01/06/2024 00:00:00', 'UTC', runs);
    assert.ok(after.ok && after.at === Date.UTC(2024, 5, 1));
    assert.match(after.ok ? (after.warning ?? '') : '', /After the last backup run \(31\/01\/2024 02:00:00 UTC\)/);
    assert.deepEqual(validatePointInTime('01/06/2024 00:00:00', 'UTC', runs)?.severity, 'warning');
    const before = parsePointInTime('2023-12-31T00:00:00Z', 'UTC', runs);
    assert.match(before.ok ? (before.warning ?? '') : '', /Before the first backup run \(01\/01\/2024 02:00:00 UTC\)/);
    const within = parsePointInTime('10/01/2024 00:00:00', 'UTC', runs);
    assert.deepEqual(within, { ok: true, at: Date.UTC(2024, 0, 10) });
    assert.equal(validatePointInTime('10/01/2024 00:00:00', 'UTC', runs), undefined);
  });

  it('offers last, first, every run date and "Type a date…", each row accepted by the parser', () => {
    const rows = pointInTimeChoices(t0 + 20 * DAY, 'UTC', runs);
    assert.deepEqual(
      rows.map((r) => r.label),
      ['last', 'first', ...runs.dates.map((d) => initialInput(d.at, 'UTC')), TYPE_A_DATE],
    );
    for (const r of rows.filter((x) => x.input !== undefined))
      assert.ok(parsePointInTime(r.input!, 'UTC', runs).ok, `${r.label} parses`);
    assert.match(rows.find((r) => r.label === initialInput(t0 + 20 * DAY, 'UTC'))!.description, /\(current\)$/);
    assert.equal(rows[rows.length - 1]!.input, undefined);
  });

  it('makes a row of what is typed: where it lands, the warning, or why not', () => {
    assert.equal(typedChoice('first', 'UTC', runs).description, '01/01/2024 02:00:00 UTC');
    assert.match(typedChoice('01/06/2024 00:00:00', 'UTC', runs).description, /⚠ After the last backup run/);
    const bad = typedChoice('yesterday', 'UTC', runs);
    assert.equal(bad.ok, false);
    assert.equal(bad.input, undefined);
  });

  it('marks a point after the last run in the status bar and says why in the tooltip', () => {
    const late = Date.UTC(2024, 5, 1);
    assert.equal(statusBarText(late, 'UTC', runs).text, '$(history) 01/06/2024 00:00:00 $(warning)');
    assert.match(statusBarText(late, 'UTC', runs).tooltip, /After the last backup run/);
    assert.equal(statusBarText(t0 + DAY, 'UTC', runs).text, '$(history) 02/01/2024 02:00:00');
    assert.match(statusBarText(t0, 'UTC', runs).tooltip, /the first backup run/);
  });
});
