/**
 * One file, the same findings on every surface: each damaged file of the sample's fault
 * set (and some clean ones) through the coherency check, the language server (real LSP)
 * and `zxb getItem`, compared by code, severity, range and message.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isUtf8 } from 'node:buffer';
import {
  classifyRelPath,
  itemRelPath,
  languageIdOf as languageIdOfFile,
  runCoherencyCheck,
  type Finding,
} from '../../src/engine';
import { makeSample, type SampleFault } from '../../src/engine/sample';
import { zxbJson } from '../cli/run';
import { FIXTURES, listFiles, makeCleanSample, makeFixture } from '../check/fixtures';
import { tempDir } from '../check/helpers';
import { buildOnce, LspClient, messageOf } from './lspClient';

/** Files whose bytes differ from the template's, or that it does not have. */
function changedFiles(template: string, dir: string): string[] {
  return listFiles(dir, '').filter((rel) => {
    const a = path.join(template, rel);
    return !existsSync(a) || !readFileSync(a).equals(readFileSync(path.join(dir, rel)));
  });
}

interface Seen {
  code: string;
  severity: string;
  range: string;
  message: string;
}

const SEVERITY = ['', 'error', 'warning', 'info', 'hint'];
/** For the damage fixtures: a retention no deletion of the sample outlives (its dates are the sample's, "now" is today's). */
const FIXTURE_RETENTION_DAYS = 36_500;
// A finding on the whole file is shown at its first character in an editor.
const at = (r: Finding['range']): string =>
  r ? `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}` : '0:0-0:1';
const sorted = (list: Seen[]): Seen[] =>
  [...list].sort((a, b) => `${a.code}${a.range}${a.message}`.localeCompare(`${b.code}${b.range}${b.message}`));
const fromFindings = (list: readonly Finding[]): Seen[] =>
  sorted(list.map((f) => ({ code: f.code, severity: f.severity, range: at(f.range), message: f.message })));

/**
 * The language server analyses one open file; a check covers the whole backup, but
 * what it says about that one file must be what the server says. The exceptions are
 * findings about the file's content that only a full read decides and the editor
 * does not see (the path of a BLOB, the editor has no BLOB open).
 */
function languageIdOf(rel: string): string | undefined {
  return languageIdOfFile(classifyRelPath(rel));
}

async function lspFindings(client: LspClient, root: string, rel: string): Promise<Seen[]> {
  const uri = pathToFileURL(path.join(root, rel)).href;
  await client.open(uri, readFileSync(path.join(root, rel), 'utf8'), languageIdOf(rel));
  const diagnostics = await client.diagnostics(uri);
  await client.close(uri);
  return sorted(
    diagnostics.map((d) => ({
      code: String(d.code),
      severity: SEVERITY[d.severity ?? 1]!,
      range: at(d.range),
      message: messageOf(d),
    })),
  );
}

async function getItemFindings(root: string, rel: string, retentionDays: number): Promise<Seen[] | undefined> {
  const kind = classifyRelPath(rel);
  if (kind.kind !== 'item') return undefined;
  const r = await zxbJson<{ findings?: Finding[] }>(
    'getItem',
    root,
    kind.accountId,
    String(kind.itemId),
    '--date',
    'all',
    '--retention-days',
    String(retentionDays),
    '--json',
  );
  return fromFindings((r.json.findings ?? []).filter((f) => f.path === rel));
}

/**
 * The differences, one line each, between what the check said of each file and what
 * the language server and getItem say of it.
 */
async function compareSurfaces(
  client: LspClient,
  root: string,
  files: readonly string[],
  checked: readonly Finding[],
  retentionDays: number,
): Promise<string[]> {
  const differ: string[] = [];
  for (const rel of files) {
    if (languageIdOf(rel) === undefined) continue;
    const check = fromFindings(checked.filter((f) => f.path === rel));
    // Not UTF-8: an editor decodes the bytes before the server sees them; only a reader of the bytes can tell.
    if (!isUtf8(readFileSync(path.join(root, rel)))) continue;
    const lsp = await lspFindings(client, root, rel);
    if (JSON.stringify(lsp) !== JSON.stringify(check))
      differ.push(`${rel}\n  check: ${JSON.stringify(check)}\n  lsp:   ${JSON.stringify(lsp)}`);
    // getItem finds an item by its id, in its home bucket: a file elsewhere is not the one it reads.
    const kind = classifyRelPath(rel);
    if (kind.kind !== 'item' || itemRelPath(kind.accountId, kind.itemId) !== rel) continue;
    const got = await getItemFindings(root, rel, retentionDays);
    if (got && JSON.stringify(got) !== JSON.stringify(check))
      differ.push(`${rel}\n  check:   ${JSON.stringify(check)}\n  getItem: ${JSON.stringify(got)}`);
  }
  return differ;
}

describe('one file, the same findings on the check, the language server and getItem', function () {
  this.timeout(180_000);
  let root: string;
  let faults: SampleFault[];
  let checked: Finding[];
  let client: LspClient;

  before(async () => {
    buildOnce();
    root = path.join(mkdtempSync(path.join(tmpdir(), 'zxb-parity-')), 'backup');
    faults = (await makeSample(root, { accounts: 3, itemsPerAccount: 40, seed: 5, faults: true })).faults;
    const report = await runCoherencyCheck(root, { level: 'blobs', cache: false, jobs: 0, retentionDays: 30 });
    checked = report.findings;
    client = await LspClient.start({ settings: { retentionDays: 30 } });
  });
  after(async () => {
    await client?.stop();
    if (root) rmSync(path.dirname(root), { recursive: true, force: true });
  });

  it('covers the metadata faults of the sample', () => {
    const metadata = faults.filter((f) => languageIdOf(f.path) !== undefined);
    assert.ok(metadata.length >= 8, `only ${metadata.length} metadata faults`);
  });

  it('gives each damaged file of the sample, and each file the check names, the same findings on the three surfaces', async () => {
    const files = [...new Set([...faults.map((f) => f.path), ...checked.map((f) => f.path)])];
    assert.deepEqual(await compareSurfaces(client, root, files, checked, 30), []);
  });

  describe('and of every damage fixture', () => {
    let work: string;
    let template: string;
    let fixtureClient: LspClient;
    before(async () => {
      fixtureClient = await LspClient.start({ settings: { retentionDays: FIXTURE_RETENTION_DAYS } });
      work = tempDir('parity');
      template = path.join(work, 'clean');
      await makeCleanSample(template);
    });
    after(async () => {
      await fixtureClient?.stop();
      rmSync(work, { recursive: true, force: true });
    });

    for (const fx of FIXTURES) {
      it(`${fx.name}: the files it damaged and the files the check names`, async () => {
        const dir = path.join(work, fx.name);
        makeFixture(template, dir, fx);
        // A retention no deletion outlives: the fixtures' dates are relative to the sample, "now" is today's.
        const report = await runCoherencyCheck(dir, {
          level: 'blobs',
          cache: false,
          jobs: 0,
          retentionDays: FIXTURE_RETENTION_DAYS,
        });
        const named = report.findings.map((f) => f.path);
        const files = [...new Set([...changedFiles(template, dir), ...named])].filter((rel) =>
          existsSync(path.join(dir, rel)),
        );
        assert.deepEqual(await compareSurfaces(fixtureClient, dir, files, report.findings, FIXTURE_RETENTION_DAYS), []);
        rmSync(dir, { recursive: true, force: true });
      });
    }
  });
});
