import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
  FAR_FUTURE,
  SECONDS_THRESHOLD,
  formatArchiveStamp,
  formatDuration,
  formatIso,
  formatZxsuite,
  isValidTimeZone,
  parseArchiveStamp,
  parseDateSpec,
  parseInstant,
  type DateSpec,
} from '../../src/engine/dates';

const ROME = 'Europe/Rome';
const HOUR = 3_600_000;

function instant(input: string, zone?: string): number {
  const r = parseDateSpec(input, zone);
  assert.ok(r.ok, `expected "${input}" to parse: ${r.ok ? '' : r.error}`);
  assert.equal(r.value.kind, 'instant');
  return (r.value as Extract<DateSpec, { kind: 'instant' }>).at;
}

function refused(input: string, zone?: string, opts?: { allowAll?: boolean }): string {
  const r = parseDateSpec(input, zone, opts);
  assert.ok(!r.ok, `expected "${input}" to be refused`);
  return r.error;
}

describe('dates', () => {
  describe('zxsuite dd/MM/yyyy HH:mm:ss', () => {
    it('reads the full form in UTC by default', () => {
      assert.equal(instant('31/01/2024 12:34:56'), Date.UTC(2024, 0, 31, 12, 34, 56));
    });
    it('reads single-digit day, month and time fields', () => {
      assert.equal(instant('1/2/2024 3:04:05'), Date.UTC(2024, 1, 1, 3, 4, 5));
      assert.equal(instant('5/6/2024 7:8:9'), Date.UTC(2024, 5, 5, 7, 8, 9));
    });
    it('reads the form without seconds and the date alone', () => {
      assert.equal(instant('31/01/2024 12:34'), Date.UTC(2024, 0, 31, 12, 34));
      assert.equal(instant('31/01/2024'), Date.UTC(2024, 0, 31));
    });
    it('ignores surrounding blanks', () => {
      assert.equal(instant('  31/01/2024 12:34:56 \n'), Date.UTC(2024, 0, 31, 12, 34, 56));
    });
    it('reads the wall-clock time in the chosen zone (Rome: +01:00 in winter, +02:00 in summer)', () => {
      assert.equal(instant('31/01/2024 12:00:00', ROME), Date.UTC(2024, 0, 31, 11));
      assert.equal(instant('31/07/2024 12:00:00', ROME), Date.UTC(2024, 6, 31, 10));
    });
    it('moves a time in the spring-forward gap forward by the gap, as java.time does', () => {
      // 31/03/2024 02:30 does not exist in Rome: clocks jump from 02:00 to 03:00 (01:00Z).
      assert.equal(instant('31/03/2024 02:30:00', ROME), Date.UTC(2024, 2, 31, 1, 30));
      assert.equal(instant('31/03/2024 01:59:59', ROME), Date.UTC(2024, 2, 31, 0, 59, 59));
      assert.equal(instant('31/03/2024 03:00:00', ROME), Date.UTC(2024, 2, 31, 1, 0));
    });
    it('reads a time of the repeated autumn hour as one of its two instants', () => {
      const at = instant('27/10/2024 02:30:00', ROME);
      assert.ok([Date.UTC(2024, 9, 27, 0, 30), Date.UTC(2024, 9, 27, 1, 30)].includes(at), new Date(at).toISOString());
    });
  });

  describe('ISO 8601', () => {
    it('takes Z as UTC whatever the chosen zone', () => {
      assert.equal(instant('2024-01-31T12:00:00Z'), Date.UTC(2024, 0, 31, 12));
      assert.equal(instant('2024-01-31T12:00:00Z', ROME), Date.UTC(2024, 0, 31, 12));
      assert.equal(instant('2024-01-31T12:00:00.123Z'), Date.UTC(2024, 0, 31, 12, 0, 0, 123));
    });
    it('honours an explicit offset over the chosen zone', () => {
      assert.equal(instant('2024-01-31T12:00:00+02:00', ROME), Date.UTC(2024, 0, 31, 10));
      assert.equal(instant('2024-01-31T12:00:00-05:30'), Date.UTC(2024, 0, 31, 17, 30));
      assert.equal(instant('2024-01-31T12:00:00+0200'), Date.UTC(2024, 0, 31, 10));
    });
    it('reads a date-time without offset in the chosen zone', () => {
      assert.equal(instant('2024-01-31T12:00:00'), Date.UTC(2024, 0, 31, 12));
      assert.equal(instant('2024-01-31T12:00:00', ROME), Date.UTC(2024, 0, 31, 11));
      assert.equal(instant('2024-07-31T12:00:00', ROME), Date.UTC(2024, 6, 31, 10));
      assert.equal(instant('2024-01-31', ROME), Date.UTC(2024, 0, 30, 23));
    });
    it('moves an ISO time in the DST gap forward like the zxsuite form', () => {
      assert.equal(instant('2024-03-31T02:30:00', ROME), Date.UTC(2024, 2, 31, 1, 30));
    });
  });

  describe('keywords', () => {
    it('first / last and their zxsuite aliases, in any case', () => {
      for (const k of ['first', 'FIRST', ' least_recent ', 'Least_Recent'])
        assert.deepEqual(parseDateSpec(k), { ok: true, value: { kind: 'first' } });
      for (const k of ['last', 'Last', 'most_recent', 'MOST_RECENT', 'now'])
        assert.deepEqual(parseDateSpec(k), { ok: true, value: { kind: 'last' } });
    });
    it('all only where the caller allows it', () => {
      assert.match(refused('all'), /"all" is not accepted here/);
      assert.match(refused('ALL', 'UTC', { allowAll: false }), /not accepted/);
      assert.deepEqual(parseDateSpec('all', 'UTC', { allowAll: true }), { ok: true, value: { kind: 'all' } });
      assert.deepEqual(parseDateSpec(' All ', ROME, { allowAll: true }), { ok: true, value: { kind: 'all' } });
    });
  });

  describe('bad input', () => {
    const bad = [
      '',
      '   ',
      'garbage',
      'yesterday',
      '31/02/2024 00:00:00',
      '30/02/2024',
      '32/01/2024 00:00:00',
      '00/01/2024 00:00:00',
      '31/13/2024 00:00:00',
      '31/01/2024 24:30:00',
      '31/01/2024 23:60:00',
      '31/01/2024 12:00:00 junk',
      '31/01/2024 12:00:00Z',
      '31-01-2024 12:00:00',
      '2024-02-30T00:00:00Z',
      '2024-13-01T00:00:00Z',
      '2024-01-31T12:00:00Zjunk',
      '1706702400000',
      '2024/01/31',
    ];
    for (const input of bad) {
      it(`refuses ${JSON.stringify(input)} with a message that names it and the accepted forms`, () => {
        const error = refused(input);
        assert.ok(error.includes(`"${input}"`), error);
        assert.match(error, /dd\/MM\/yyyy HH:mm:ss/);
        assert.equal(parseInstant(input), undefined);
      });
    }
    it('refuses an unknown time zone for a date, and says which zone', () => {
      assert.equal(isValidTimeZone('Mars/Olympus_Mons'), false);
      assert.equal(isValidTimeZone(ROME), true);
      assert.match(refused('31/01/2024 12:00:00', 'Mars/Olympus_Mons'), /unknown time zone "Mars\/Olympus_Mons"/);
      assert.throws(() => formatZxsuite(0, 'Mars/Olympus_Mons'), RangeError);
      assert.throws(() => formatIso(0, 'Mars/Olympus_Mons'), RangeError);
      assert.throws(() => formatArchiveStamp(0, 'Nowhere'), RangeError);
    });
  });

  describe('formatting and round trips', () => {
    const t = Date.UTC(2024, 0, 31, 12, 34, 56);
    it("formatZxsuite prints zxsuite's form in the zone", () => {
      assert.equal(formatZxsuite(t), '31/01/2024 12:34:56');
      assert.equal(formatZxsuite(t, ROME), '31/01/2024 13:34:56');
      assert.equal(formatZxsuite(Date.UTC(2024, 6, 1, 0, 0, 5), ROME), '01/07/2024 02:00:05');
    });
    it('formatIso prints Z for UTC, the offset otherwise, milliseconds only when present', () => {
      assert.equal(formatIso(t), '2024-01-31T12:34:56Z');
      assert.equal(formatIso(t + 7), '2024-01-31T12:34:56.007Z');
      assert.equal(formatIso(t, ROME), '2024-01-31T13:34:56+01:00');
      assert.equal(formatIso(Date.UTC(2024, 6, 31, 12), ROME), '2024-07-31T14:00:00+02:00');
    });
    it('formatIso → parseInstant gives the same instant in any zone (property)', () => {
      const zones = ['UTC', ROME, 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'];
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: Date.UTC(9999, 0, 1) }),
          fc.constantFrom(...zones),
          fc.constantFrom(...zones),
          (at, outZone, inZone) => {
            assert.equal(parseInstant(formatIso(at, outZone), inZone), at);
          },
        ),
        { numRuns: 500 },
      );
    });
    it('formatZxsuite → parseInstant gives the same second in zones without DST (property)', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: Date.UTC(9999, 0, 1) / 1000 }),
          fc.constantFrom('UTC', 'Asia/Kolkata', 'Asia/Tokyo'),
          (seconds, zone) => {
            const at = seconds * 1000;
            assert.equal(parseInstant(formatZxsuite(at, zone), zone), at);
          },
        ),
        { numRuns: 500 },
      );
    });
    it('formatZxsuite → parseInstant round-trips in Rome outside the repeated autumn hour', () => {
      for (const at of [
        Date.UTC(2024, 0, 15, 8),
        Date.UTC(2024, 6, 15, 8),
        Date.UTC(2024, 2, 31, 1, 0),
        Date.UTC(2024, 9, 27, 2, 0),
      ]) {
        assert.equal(parseInstant(formatZxsuite(at, ROME), ROME), at);
      }
    });
    it('formatDuration', () => {
      assert.equal(formatDuration(0), '0 s');
      assert.equal(formatDuration(999), '0 s');
      assert.equal(formatDuration(59_000), '59 s');
      assert.equal(formatDuration(60_000), '1 min');
      assert.equal(formatDuration(HOUR), '1 h');
      assert.equal(formatDuration(3 * HOUR + 5 * 60_000 + 7_000), '3 h 5 min');
      assert.equal(formatDuration(86_400_000 + 4 * HOUR + 30 * 60_000), '1 d 4 h');
      assert.equal(formatDuration(2 * 86_400_000 + 59 * 60_000), '2 d');
      assert.equal(formatDuration(-90_000), '-1 min');
      assert.equal(formatDuration(-500), '0 s');
      assert.equal(formatDuration(Infinity), 'open-ended');
      assert.equal(formatDuration(Number.NaN), 'open-ended');
    });
    it('parseArchiveStamp reads customizations_dd_MM_yy#HH_mm_ss in the zone', () => {
      assert.equal(parseArchiveStamp('28_02_14#04_01_14'), Date.UTC(2014, 1, 28, 4, 1, 14));
      assert.equal(parseArchiveStamp('28_02_14#04_01_14', ROME), Date.UTC(2014, 1, 28, 3, 1, 14));
      assert.equal(parseArchiveStamp('15_07_24#12_00_00', ROME), Date.UTC(2024, 6, 15, 10));
      for (const bad of ['30_02_14#04_01_14', '28-02-14#04-01-14', '28_02_14#25_00_00', '', 'customizations']) {
        assert.equal(parseArchiveStamp(bad), undefined, bad);
      }
    });
    it('formatArchiveStamp → parseArchiveStamp round-trips to the second (years 2000–2059)', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 946684800, max: 2840140799 }),
          fc.constantFrom('UTC', 'Asia/Kolkata'),
          (seconds, zone) => {
            const at = seconds * 1000;
            assert.equal(parseArchiveStamp(formatArchiveStamp(at, zone), zone), at);
          },
        ),
        { numRuns: 300 },
      );
    });
  });

  describe('thresholds', () => {
    it('SECONDS_THRESHOLD separates 1973 in milliseconds from epoch seconds', () => {
      assert.equal(new Date(SECONDS_THRESHOLD).getUTCFullYear(), 1973);
      assert.ok(Date.UTC(2024, 0, 1) / 1000 < SECONDS_THRESHOLD);
    });
    it('FAR_FUTURE is year 10000 and below Java Long.MAX_VALUE', () => {
      assert.equal(FAR_FUTURE, Date.UTC(10000, 0, 1));
      assert.ok(9223372036854775807n >= BigInt(FAR_FUTURE));
    });
  });
});
