/** The backup lock: one writer at a time, stale locks of dead processes recognised, foreign ones respected. */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireBackupLock, readLock } from '../../src/engine/format';
import { holdBackupLock } from '../../src/engine/format/lock';
import { BLOBS_DIR, LOCK_FILE } from '../../src/engine/layout';

describe('format/lock: the backup lock', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(path.join(os.tmpdir(), 'zxb-lock-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('lets one holder in and names it to the next', () => {
    const first = acquireBackupLock(root, 'doSmartScan');
    assert.ok(first.ok);
    const second = acquireBackupLock(root, 'doPurge');
    assert.equal(second.ok, false);
    if (!second.ok) {
      assert.equal(second.code, 'lock.held');
      assert.match(second.message, new RegExp(`doSmartScan \\(pid ${process.pid} on `));
      assert.equal(second.holder?.pid, process.pid);
    }
    first.lock.release();
    assert.equal(existsSync(path.join(root, LOCK_FILE)), false);
    const third = acquireBackupLock(root, 'doPurge');
    assert.ok(third.ok);
    third.lock.release();
  });

  it('takes over the lock of a process killed with SIGKILL', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    const pid = child.pid!;
    writeFileSync(
      path.join(root, LOCK_FILE),
      JSON.stringify({ command: 'doSmartScan', pid, host: os.hostname(), since: new Date().toISOString() }),
    );
    assert.equal(acquireBackupLock(root, 'doPurge').ok, false, 'a live holder keeps it');
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
    const taken = acquireBackupLock(root, 'doPurge');
    assert.ok(taken.ok);
    assert.equal(taken.tookOverStale?.pid, pid);
    assert.equal(readLock(root)?.command, 'doPurge');
    taken.lock.release();
  });

  it("taking over a dead writer's lock sweeps its temp files, in every folder it writes, and nothing else", async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    const dead = child.pid!;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
    const bucket = path.join(root, 'accounts', 'acc-1', 'items', '07');
    const blobs = path.join(root, BLOBS_DIR, 'ab');
    mkdirSync(bucket, { recursive: true });
    mkdirSync(blobs, { recursive: true });
    const deadTemps = [
      path.join(root, `.map_1.zxb-tmp-${dead}-a1b2c3-1`),
      path.join(root, 'accounts', 'acc-1', `.id_mapper.log.zxb-tmp-${dead}-a1b2c3-2`),
      path.join(bucket, `.123.zxb-tmp-${dead}-a1b2c3-3`),
      path.join(blobs, `.abcdef.zxb-tmp-${dead}-a1b2c3-4`),
    ];
    const kept = [
      path.join(bucket, `.124.zxb-tmp-${process.pid}-a1b2c3-5`), // a live writer's
      path.join(bucket, '.124.zxb-tmp-notapid'), // not one of ours
      path.join(bucket, '124'),
    ];
    for (const f of [...deadTemps, ...kept]) writeFileSync(f, 'x');
    writeFileSync(
      path.join(root, LOCK_FILE),
      JSON.stringify({ command: 'doPurge', pid: dead, host: os.hostname(), since: new Date().toISOString() }),
    );
    const { lock, tookOverStale, sweptTempFiles } = holdBackupLock(root, 'doPurge');
    assert.equal(tookOverStale?.pid, dead);
    assert.equal(sweptTempFiles, deadTemps.length);
    for (const f of deadTemps) assert.equal(existsSync(f), false, f);
    for (const f of kept) assert.ok(existsSync(f), f);
    lock.release();
  });

  it('treats a reused pid (other start time) as stale, and never judges another host', () => {
    const abs = path.join(root, LOCK_FILE);
    const since = new Date().toISOString();
    writeFileSync(
      abs,
      JSON.stringify({ command: 'x', pid: process.pid, host: os.hostname(), since, processStart: '1' }),
    );
    const reused = acquireBackupLock(root, 'doPurge');
    assert.ok(reused.ok, 'our pid with another start time is a dead holder');
    reused.lock.release();

    writeFileSync(abs, JSON.stringify({ command: 'x', pid: 999_999_999, host: 'elsewhere.example', since }));
    const foreign = acquireBackupLock(root, 'doPurge');
    assert.equal(foreign.ok, false);
    if (!foreign.ok) assert.match(foreign.remedy, /if no process on elsewhere\.example uses this backup path/);
    assert.match(readFileSync(abs, 'utf8'), /elsewhere/);
  });

  it('does not remove a lock that was taken over from it', () => {
    const first = acquireBackupLock(root, 'a');
    assert.ok(first.ok);
    const abs = path.join(root, LOCK_FILE);
    writeFileSync(abs, JSON.stringify({ command: 'b', pid: process.pid, host: os.hostname(), since: 'later' }));
    first.lock.release();
    assert.equal(readLock(root)?.command, 'b');
  });
});
