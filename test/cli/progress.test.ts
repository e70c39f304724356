/** The one progress renderer of the long commands (src/cli/progressView.ts), and --progress through the CLI. */
import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import { EngineError } from '../../src/engine';
import { attachProgressValue, progressView, readProgressMode } from '../../src/cli/progressView';
import { BIG, addBigAccount, makeFixture, type Fixture } from './fixture';
import { ensureBuilt, zxb } from './run';

function recorder(mode: Parameters<typeof progressView>[0], stderrIsTty: boolean) {
  let t = 1_000;
  const written: string[] = [];
  const view = progressView(mode, (s) => written.push(s), { stderrIsTty, now: () => t, intervalMs: 100, columns: 200 });
  return { view, written, tick: (ms: number) => (t += ms) };
}

describe('progress renderer', () => {
  it('on a terminal: one line redrawn in place, a bar and an ETA when the total is known', () => {
    const r = recorder('auto', true);
    r.view.sink({ phase: 'reading items', done: 0, total: 100 });
    r.tick(1000);
    r.view.sink({ phase: 'reading items', done: 25, total: 100 });
    assert.equal(r.written.length, 2);
    assert.ok(r.written.every((w) => w.startsWith('\r\x1b[2K') && !w.includes('\n')));
    // 25 done in 1 s: 75 more take 3 s.
    assert.equal(r.written[1], '\r\x1b[2Kreading items [######..................] 25/100 ETA 3 s');
    r.view.clear();
    assert.equal(r.written.at(-1), '\r\x1b[2K');
    assert.equal(r.view.lastDone(), 'reading items 25/100');
  });

  it('without a total: no bar, no ETA; events closer than the interval are dropped, a new phase never', () => {
    const r = recorder('auto', true);
    r.view.sink({ phase: 'scanning items', done: 200 });
    r.tick(10);
    r.view.sink({ phase: 'scanning items', done: 400 });
    r.tick(10);
    r.view.sink({ phase: 'blobs', done: 1, total: 2 });
    assert.deepEqual(r.written, ['\r\x1b[2Kscanning items 200', '\r\x1b[2Kblobs [############............] 1/2']);
    assert.equal(r.view.lastDone(), 'blobs 1/2');
  });

  it('piped (auto, not a terminal) and none: nothing written, but the last event is remembered', () => {
    for (const [mode, tty] of [
      ['auto', false],
      ['none', true],
    ] as const) {
      const r = recorder(mode, tty);
      r.view.sink({ phase: 'reading items', done: 5, total: 10 });
      r.view.clear();
      assert.deepEqual(r.written, [], mode);
      assert.equal(r.view.lastDone(), 'reading items 5/10');
    }
  });

  it('lines and json: one line per shown event, for logs and for machines', () => {
    const lines = recorder('lines', false);
    lines.view.sink({ phase: 'reading items', done: 0, total: 10 });
    assert.deepEqual(lines.written, ['progress: reading items 0/10\n']);
    const json = recorder('json', true);
    json.view.sink({ phase: 'reading items', done: 0, total: 10 });
    json.tick(500);
    json.view.sink({ phase: 'reading items', done: 5, total: 10 });
    assert.deepEqual(
      json.written.map((l) => JSON.parse(l) as unknown),
      [
        { type: 'progress', phase: 'reading items', done: 0, total: 10, elapsedMs: 0 },
        { type: 'progress', phase: 'reading items', done: 5, total: 10, elapsedMs: 500, etaSeconds: 1 },
      ],
    );
  });

  it('--progress takes its value only when it is a mode, so it may stand before a command name', () => {
    assert.deepEqual(attachProgressValue(['--progress', 'getItem', 'p']), ['--progress=lines', 'getItem', 'p']);
    assert.deepEqual(attachProgressValue(['doCoherencyCheck', 'p', '--progress', 'json']), [
      'doCoherencyCheck',
      'p',
      '--progress=json',
    ]);
    assert.deepEqual(attachProgressValue(['x', '--', '--progress', 'json']), ['x', '--', '--progress', 'json']);
    assert.equal(readProgressMode(undefined), 'auto');
    assert.equal(readProgressMode(true), 'lines');
    assert.throws(
      () => readProgressMode('bar'),
      (e: unknown) => e instanceof EngineError && /--progress: use auto, lines, json, none, not "bar"/.test(e.message),
    );
  });
});

describe('zxb --progress', function () {
  this.timeout(120_000);
  let fx: Fixture;
  before(async () => {
    await ensureBuilt();
    fx = makeFixture();
    addBigAccount(fx.root, 3_000);
  });
  after(() => rmSync(fx.root, { recursive: true, force: true }));

  it('json lines on stderr for any long command, the same as the check', async () => {
    const info = await zxb('getAccountInfo', fx.root, BIG.name, '--json', '--progress', 'json');
    assert.equal(info.code, 0, info.stderr);
    const events = info.stderr
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as { type: string; phase: string; done: number });
    assert.ok(events.length > 0, info.stderr);
    assert.ok(events.every((e) => e.type === 'progress' && typeof e.done === 'number'));
    const check = await zxb('doCoherencyCheck', fx.root, '--json', '--no-cache', '--jobs', '0', '--progress', 'json');
    const checkEvents = check.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { type: string });
    assert.ok(checkEvents.length > 0 && checkEvents.every((e) => e.type === 'progress'), check.stderr);
  });

  it('nothing on stderr when piped without --progress; a bad mode is a usage error', async () => {
    const r = await zxb('doItemSearch', fx.root, BIG.name, '--search-filter', 'all', '--json');
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    const bad = await zxb('getAccountInfo', fx.root, BIG.name, '--progress=bar');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--progress: use auto, lines, json, none, not "bar"/);
    // Without "=", a word that is not a mode is an operand: the parser's complaint gets a hint.
    const word = await zxb('getAccountInfo', fx.root, BIG.name, '--progress', 'bar');
    assert.equal(word.code, 2);
    assert.match(word.stderr, /too many arguments/);
    assert.match(word.stderr, /hint: --progress takes auto, lines, json, none \(or nothing, for lines\), not "bar"/);
  });
});
