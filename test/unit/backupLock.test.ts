/** The backup lock: one writer at a time, stale locks of dead processes recognised, foreign ones respected. */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireBackupLock, readLock } from '../../src/engine/format';
import { LOCK_FILE } from '../../src/engine/layout';

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
