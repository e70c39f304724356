/**
 * zxbackup/runCheck over real LSP on generated samples (makeSample): the same
 * findings as the engine, progress, capped and grouped publication, the switch to
 * pull on open, cancellation, and `zxb lsp --stdio`.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { URI } from 'vscode-uri';
import { runCoherencyCheck } from '../../src/engine/check/run';
import { makeSample, type SampleResult } from '../../src/engine/sample/index';
import type { Finding } from '../../src/engine';
import type { RunCheckRequest } from '../../src/shared/protocol';
import { CancellationTokenSource, LspClient, REPO, buildOnce } from './lspClient';

type Diag = { code?: string | number; message: string; data?: { count?: number } };

async function sample(opts: Parameters<typeof makeSample>[1]): Promise<SampleResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'zxb-server-sample-'));
  return makeSample(path.join(dir, 'backup'), opts);
}

describe('server: zxbackup/runCheck on a generated sample', function () {
  let s: SampleResult;
  let client: LspClient;
  let result: RunCheckRequest.Result;
  const CAP = 10;

  before(async function () {
    this.timeout(180_000);
    buildOnce();
    s = await sample({ accounts: 3, itemsPerAccount: 40, seed: 7, faults: true });
    client = await LspClient.start({ settings: { diagnosticsCap: CAP } });
    result = await client.request<RunCheckRequest.Result>('zxbackup/runCheck', {
      root: s.path,
      level: 'metadata',
      workDoneToken: 'check-1',
    });
  });
  after(async () => {
    await client?.stop();
    if (s) rmSync(path.dirname(s.path), { recursive: true, force: true });
  });

  it('returns what the engine finds, code by code', async () => {
    const engine = await runCoherencyCheck(s.path, { level: 'metadata', cache: false });
    assert.deepEqual(result.summary.byCode, engine.summary.byCode);
    assert.equal(result.summary.interrupted, false);
    assert.equal(result.findings.length, engine.findings.length);
    // The sample's documented faults that a metadata check must see are all there.
    const codes = new Set(result.findings.map((f) => f.code));
    for (const fault of s.faults.filter(
      (x) => !x.expectedCode.startsWith('blob.') || x.expectedCode === 'blob.missing',
    )) {
      assert.ok(
        codes.has(fault.expectedCode as Finding['code']),
        `missing ${fault.expectedCode} (${fault.description})`,
      );
    }
  });

  it('reports work-done progress on the token it was given', () => {
    const kinds = client.progress
      .filter((p) => (p as { token: unknown }).token === 'check-1')
      .map((p) => (p as { value: { kind: string } }).value.kind);
    assert.equal(kinds[0], 'begin');
    assert.equal(kinds[kinds.length - 1], 'end');
  });

  it('publishes the findings for files that are not open, grouped and capped', async () => {
    const pushed = await client.waitFor('pushed check results', () =>
      client.pushed.size > 0 ? [...client.pushed.values()] : undefined,
    );
    const all = pushed.flat() as Diag[];
    assert.ok(all.length <= CAP, `${all.length} diagnostics pushed, cap ${CAP}`);
    const represented = all.reduce((n, d) => n + (d.data?.count ?? 1), 0);
    const rootless = result.findings.filter((f) => f.path === '').length;
    assert.equal(represented + result.summary.unpublished, result.findings.length, `rootless ${rootless}`);
    // One diagnostic per file and code.
    for (const list of pushed) {
      const codes = (list as Diag[]).map((d) => d.code);
      assert.equal(new Set(codes).size, codes.length);
    }
    const grouped = all.find((d) => (d.data?.count ?? 1) > 1);
    if (grouped) assert.match(grouped.message, /\(\d+×\); first: /);
  });

  it('switches an opened file to pull diagnostics with the same codes as the check', async () => {
    const byPath = new Map<string, Set<string>>();
    for (const f of result.findings) {
      if (!/\/items\/\d\d\/\d+$/.test(f.path) || f.code.startsWith('blob.')) continue;
      (byPath.get(f.path) ?? byPath.set(f.path, new Set()).get(f.path)!).add(f.code);
    }
    assert.ok(byPath.size > 0);
    const { readFileSync } = await import('node:fs');
    let published = 0;
    for (const [rel, codes] of byPath) {
      const abs = path.join(s.path, ...rel.split('/'));
      const uri = URI.file(abs).toString();
      const wasPushed = (client.pushed.get(uri)?.length ?? 0) > 0;
      await client.open(uri, readFileSync(abs, 'utf8'));
      if (wasPushed) {
        published++;
        await client.waitFor(`push withdrawn for ${rel}`, () =>
          client.pushed.get(uri)?.length === 0 ? true : undefined,
        );
      }
      const pulled = new Set((await client.diagnostics(uri)).map((d) => String(d.code)));
      // item.not-utf8 cannot survive the editor's decoding: the text it gets is already UTF-16.
      for (const code of codes)
        if (code !== 'item.not-utf8')
          assert.ok(pulled.has(code), `${rel}: pull lacks ${code} (has ${[...pulled].join(', ')})`);
      await client.close(uri);
      if (wasPushed)
        await client.waitFor(`push restored for ${rel}`, () =>
          (client.pushed.get(uri)?.length ?? 0) > 0 ? true : undefined,
        );
    }
    assert.ok(published > 0, 'at least one opened file had pushed check results');
  });

  it('checks a single file with the per-file rules', async () => {
    const target = result.findings.find((f) => f.code === 'item.interval-overlap')!;
    const one = await client.request<RunCheckRequest.Result>('zxbackup/runCheck', {
      root: s.path,
      level: 'metadata',
      file: target.path,
    });
    assert.equal(one.summary.filesChecked, 1);
    assert.ok(one.findings.every((f) => f.path === target.path));
    assert.ok(one.findings.some((f) => f.code === 'item.interval-overlap'));
  });

  it('answers a folder that is not a backup path with an error, and keeps running', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'zxb-not-backup-'));
    await assert.rejects(
      client.request('zxbackup/runCheck', { root: empty, level: 'structure' }),
      (e: { code: number; message: string }) => {
        assert.equal(e.code, -32602);
        assert.match(e.message, /accounts\/, items\/ or map_/);
        return true;
      },
    );
    await assert.rejects(
      client.request('zxbackup/runCheck', { root: empty, level: 'deep' }),
      (e: { code: number }) => e.code === -32602,
    );
    rmSync(empty, { recursive: true, force: true });
    assert.ok(client.alive);
  });
});

describe('server: cancelling zxbackup/runCheck', function () {
  let s: SampleResult;
  let client: LspClient;

  before(async function () {
    this.timeout(300_000);
    buildOnce();
    s = await sample({ accounts: 2, itemsPerAccount: 1500, seed: 3, faults: false });
    client = await LspClient.start();
  });
  after(async () => {
    await client?.stop();
    if (s) rmSync(path.dirname(s.path), { recursive: true, force: true });
  });

  it('stops at $/cancelRequest with RequestCancelled or a partial result, and the server still answers', async function () {
    this.timeout(120_000);
    const source = new CancellationTokenSource();
    const seen = client.progress.length;
    const started = Date.now();
    const pending = client
      .request<RunCheckRequest.Result>(
        'zxbackup/runCheck',
        { root: s.path, level: 'blobs', workDoneToken: 'check-cancel' },
        source,
      )
      .then(
        (r) => ({ ok: true as const, r }),
        (e: { code: number }) => ({ ok: false as const, e }),
      );
    // Cancel as soon as the check reports progress: it is then surely under way.
    await client.waitFor(
      'first progress report',
      () =>
        client.progress
          .slice(seen)
          .some(
            (p) =>
              (p as { token: string; value: { kind: string } }).token === 'check-cancel' &&
              (p as { value: { kind: string } }).value.kind === 'report',
          )
          ? true
          : undefined,
      60_000,
    );
    const cancelledAt = Date.now();
    source.cancel();
    const outcome = await pending;
    const latency = Date.now() - cancelledAt;
    if (outcome.ok) {
      assert.equal(outcome.r.summary.interrupted, true, 'a result after cancel must say it is partial');
      assert.ok(outcome.r.summary.filesChecked < s.items + s.blobs);
    } else assert.equal(outcome.e.code, -32800);
    assert.ok(latency < 10_000, `answered ${latency} ms after the cancel`);
    // Still alive and answering.
    const again = await client.request<RunCheckRequest.Result>('zxbackup/runCheck', {
      root: s.path,
      level: 'structure',
    });
    assert.equal(again.summary.interrupted, false);
    assert.ok(client.alive);
    console.log(`      (cancelled after ${cancelledAt - started} ms, answered in ${latency} ms)`);
  });
});

describe('zxb lsp --stdio', function () {
  it('serves the same protocol from the CLI bundle', async function () {
    this.timeout(120_000);
    buildOnce();
    const client = await LspClient.start({ args: [path.join(REPO, 'bin', 'zxb.js'), 'lsp', '--stdio'] });
    try {
      const uri = URI.file(path.join(tmpdir(), 'loose-item')).toString();
      await client.open(
        uri,
        '[{"transaction-id": 1, "start-date": 1704877200000, "end-date": 1704877100000, "id": 1, "type": 5}]',
      );
      const d = await client.diagnostics(uri);
      assert.deepEqual(
        d.map((x) => x.code),
        ['item.end-before-start'],
      );
    } finally {
      await client.stop();
    }
    await client.waitFor('the process to end', () => (client.alive ? undefined : true), 5000);
  });
});
