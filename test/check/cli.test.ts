import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { FIXTURES, makeCleanSample, makeFixture } from './fixtures';
import { makeMiniSample } from './miniSample';
import { tempDir, treeHash } from './helpers';

const ROOT = path.join(__dirname, '../..');
const CLI = path.join(ROOT, 'bin/zxb.js');

function zxb(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 1 << 26,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('zxb doCoherencyCheck / undoFix (the bundled CLI)', function () {
  this.timeout(180_000);
  let work: string;
  let clean: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    // The CLI under test is the bundle, with dist/checkWorker.js next to it.
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    work = tempDir('cli');
    clean = path.join(work, 'clean');
    await makeCleanSample(clean);
    env = { ZXB_CACHE_DIR: path.join(work, 'cache') };
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('exit 0 and one JSON object with findings and summary on a clean sample; the worker threads come from dist/', () => {
    const r = zxb(['doCoherencyCheck', clean, '--level', 'blobs', '--json', '--no-cache', '--jobs', '2'], env);
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as {
      findings: { severity: string }[];
      summary: { workers: string; blobsChecked: number; bySeverity: Record<string, number> };
    };
    assert.equal(doc.summary.workers, 'threads:2');
    assert.ok(doc.summary.blobsChecked > 0);
    assert.equal(doc.summary.bySeverity['error'], 0);
    assert.equal(r.stderr, '', 'nothing on stderr when piped (progress auto)');
  });

  it('exit 1 when errors are found, with the SARIF file written', () => {
    const dir = path.join(work, 'missing');
    makeFixture(
      clean,
      dir,
      FIXTURES.find((f) => f.name === 'blob-missing')!,
    );
    const sarifFile = path.join(work, 'out.sarif');
    const r = zxb(['doCoherencyCheck', dir, '--sarif', sarifFile, '--no-cache'], env);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /blob\.missing/);
    const sarif = JSON.parse(readFileSync(sarifFile, 'utf8')) as {
      version: string;
      runs: {
        tool: { driver: { rules: { id: string }[] } };
        originalUriBaseIds: Record<string, { uri: string }>;
        results: {
          ruleId: string;
          level: string;
          locations: {
            physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region?: { startLine: number } };
          }[];
        }[];
      }[];
    };
    assert.equal(sarif.version, '2.1.0');
    const run = sarif.runs[0]!;
    assert.ok(run.tool.driver.rules.some((x) => x.id === 'blob.missing'));
    assert.ok(run.originalUriBaseIds['BACKUPROOT']!.uri.startsWith('file:///'));
    const res = run.results.find((x) => x.ruleId === 'blob.missing')!;
    assert.equal(res.level, 'error');
    const loc = res.locations[0]!.physicalLocation;
    assert.equal(loc.artifactLocation.uriBaseId, 'BACKUPROOT');
    assert.ok(!loc.artifactLocation.uri.startsWith('/'));
    const ranged = run.results.flatMap((x) => x.locations).find((l) => l.physicalLocation.region);
    if (ranged) assert.ok(ranged.physicalLocation.region!.startLine >= 1);
  });

  it('exit 2 on a usage or I/O error', () => {
    assert.equal(zxb(['doCoherencyCheck', path.join(work, 'nowhere')], env).status, 2);
    assert.equal(zxb(['doCoherencyCheck', clean, '--level', 'deep'], env).status, 2);
    assert.equal(zxb(['doCoherencyCheck', clean, '--sample', '8/7'], env).status, 2);
    assert.equal(zxb(['doCoherencyCheck', clean, '--accounts', '00000000-0000-4000-a000-000000000000'], env).status, 2);
  });

  it('--progress json writes JSON lines on stderr', () => {
    const r = zxb(['doCoherencyCheck', clean, '--progress', 'json', '--no-cache'], env);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('{'));
    assert.ok(lines.length > 0, r.stderr);
    for (const l of lines) assert.equal((JSON.parse(l) as { type: string }).type, 'progress');
  });

  it('--fix-backup then undoFix restores the backup path byte for byte', () => {
    const dir = path.join(work, 'fix');
    makeFixture(
      clean,
      dir,
      FIXTURES.find((f) => f.name === 'blob-orphan')!,
    );
    const before = treeHash(dir);
    const fix = zxb(['doCoherencyCheck', dir, '--fix-backup', '--json', '--no-cache'], env);
    const doc = JSON.parse(fix.stdout) as { quarantine: { manifest: string; moved: number } };
    assert.equal(doc.quarantine.moved, 1);
    assert.notEqual(treeHash(dir), before);
    const undo = zxb(['undoFix', dir, doc.quarantine.manifest], env);
    assert.equal(undo.status, 0, undo.stderr);
    assert.equal(treeHash(dir), before);
    assert.equal(zxb(['undoFix', dir, 'no/such/manifest.json'], env).status, 2);
  });

  it('exit 3 with the partial results printed when SIGINT arrives during a check', async () => {
    const big = path.join(work, 'big');
    makeMiniSample(big, { accounts: 4, itemsPerAccount: 1000, seed: 9, blobBytes: 8_000, gzipLevel: 1 });
    const child = spawn(
      process.execPath,
      [CLI, 'doCoherencyCheck', big, '--level', 'blobs', '--json', '--progress', 'json', '--no-cache', '--jobs', '1'],
      { env: { ...process.env, ...env } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const started = new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        // Interrupt as soon as work is under way, whatever the phase: a faster check must not outrun the test.
        if (/"type":"progress"[^\n]*"done":[1-9]/.test(stderr)) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = (ms: number, what: string) =>
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`no ${what} within ${ms} ms; stderr: ${stderr}`)), ms).unref(),
      );
    await Promise.race([started, deadline(60_000, 'progress')]);
    child.kill('SIGINT');
    const code = await Promise.race([exited, deadline(60_000, 'exit')]);
    assert.equal(code, 3, stderr);
    const doc = JSON.parse(stdout) as { summary: { interrupted: boolean; filesChecked: number } };
    assert.equal(doc.summary.interrupted, true);
    assert.ok(doc.summary.filesChecked > 0);
    assert.ok(existsSync(big));
  });
});
