/**
 * docs/cli.md and the CLI agree: every JSON example in the page has exactly the keys
 * (recursively) of the real output of its command on the fixture.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ExitCode } from '../../src/cli/errors';
import { ALICE, ITEM, MAP_SERVER_ID, makeFixture, type Fixture } from './fixture';
import { PROJECT, ensureBuilt, zxbJson } from './run';
import { shapeDiff } from './shapeDiff';

/** Commands whose example test/scan/cli.test.ts checks. */
const IMAP_COMMANDS = new Set(['doSmartScan']);

describe('docs/cli.md', () => {
  let fx: Fixture;
  let sampleParent: string;
  before(async () => {
    await ensureBuilt();
    fx = makeFixture();
    sampleParent = mkdtempSync(path.join(tmpdir(), 'zxb-docs-'));
  });
  after(() => {
    rmSync(fx.root, { recursive: true, force: true });
    rmSync(sampleParent, { recursive: true, force: true });
  });

  const examples = (): { command: string; json: unknown }[] => {
    const text = readFileSync(path.join(PROJECT, 'docs', 'cli.md'), 'utf8');
    return [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => {
      const json = JSON.parse(m[1]!) as { command: string };
      return { command: json.command, json };
    });
  };

  it('the exit code table lists exactly the codes of ExitCode, and no other code is named', () => {
    const text = readFileSync(path.join(PROJECT, 'docs', 'cli.md'), 'utf8');
    const table = text.slice(text.indexOf('## Exit codes'), text.indexOf('## Output'));
    const codes = [...table.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    assert.deepEqual(
      codes,
      Object.values(ExitCode).sort((a, b) => a - b),
    );
    assert.doesNotMatch(text, /exit 130|\b130 interrupted/);
  });

  it('has one JSON example per command, and each parses', () => {
    assert.deepEqual(
      examples()
        .map((e) => e.command)
        .sort(),
      [
        'catalogue',
        'diff',
        'doExport',
        'doItemSearch',
        'doPurge',
        'doRestoreOnNewAccount',
        'doSmartScan',
        'getAccountInfo',
        'getAvailableAccounts',
        'getBackupInfo',
        'getItem',
        'getMap',
        'getServerConfig',
        'makeSample',
      ],
    );
  });

  it('each example has the keys of the real output', async () => {
    const args: Record<string, string[]> = {
      getBackupInfo: [fx.root],
      getAvailableAccounts: [fx.root, '--date', '15/01/2024'],
      getAccountInfo: [fx.root, ALICE.name, '--date', '01/02/2024'],
      getItem: [fx.root, ALICE.name, String(ITEM.lunch), '--date', '15/01/2024 10:00'],
      getMap: [fx.file(`map_${MAP_SERVER_ID}`)],
      getServerConfig: [fx.root, 'customizations', '--date', '15/01/2024'],
      doItemSearch: [fx.root, ALICE.name],
      catalogue: [fx.root],
      diff: [fx.root, ALICE.name, 'first', 'last'],
      doRestoreOnNewAccount: [
        fx.root,
        ALICE.name,
        `maildir:${path.join(sampleParent, 'restored')}`,
        '15/01/2024 10:00',
        '--dry-run',
      ],
      makeSample: [
        path.join(sampleParent, 'sample'),
        '--accounts',
        '2',
        '--items-per-account',
        '30',
        '--faults',
        '--sizes',
        'small',
      ],
      doExport: [fx.root, path.join(sampleParent, 'export'), '--accounts', ALICE.name, '--to', '01/02/2024'],
      doPurge: [fx.root, '--purge-days', '1'],
    };
    for (const e of examples()) {
      // The scans need a mail server: test/scan/cli.test.ts holds their examples to a real Dovecot.
      if (IMAP_COMMANDS.has(e.command)) continue;
      const real = await zxbJson<unknown>(e.command, ...args[e.command]!);
      assert.deepEqual(shapeDiff(e.json, real.json), [], e.command);
    }
  });
});
