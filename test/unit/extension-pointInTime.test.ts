import { strict as assert } from 'node:assert';
import {
  effectiveZone,
  formatPointInTime,
  initialInput,
  parsePointInTime,
  pointInTimeSpec,
  statusBarText,
  validatePointInTime,
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

  it('refuses "first", "all", empty and unreadable input with a message', () => {
    for (const bad of ['first', 'all', '', '   ', '31/02/2024 10:00:00', 'yesterday', '2024-13-01']) {
      const r = parsePointInTime(bad, 'UTC');
      assert.equal(r.ok, false, bad);
      assert.ok(validatePointInTime(bad, 'UTC'), `a message for ${JSON.stringify(bad)}`);
    }
    assert.equal(validatePointInTime('01/01/2024 00:00:00', 'UTC'), undefined);
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
