import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { minimatch } from 'minimatch';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';
import { ALL_LANGUAGE_IDS, Commands, DEFAULT_SETTINGS, LanguageIds } from '../../src/shared/protocol';
import { HISTORY_VIEW_TYPE } from '../../src/shared/webviewProtocol';

const repo = path.resolve(__dirname, '../..');
const manifest = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));
const contributes = manifest.contributes;
const source = (f: string): string => readFileSync(path.join(repo, 'src/extension', f), 'utf8');

describe('extension manifest: commands, views, menus', () => {
  const contributed: string[] = contributes.commands.map((c: { command: string }) => c.command);

  it('gives every command the category and registers exactly the contributed ones', () => {
    for (const c of contributes.commands) assert.equal(c.category, 'Zextras Backup', c.command);
    const code = source('commands.ts');
    // Ids registered through cmd('…') or cmd(CONSTANT); constants resolved from protocol.ts and pointInTime.ts.
    const constants: Record<string, string> = {
      ...Object.fromEntries(Object.entries(Commands).map(([k, v]) => [`Commands.${k}`, v])),
      SET_POINT_IN_TIME: /SET_POINT_IN_TIME = '([^']+)'/.exec(source('pointInTime.ts'))![1]!,
    };
    const registered = [...code.matchAll(/\bcmd\(\s*(?:'([^']+)'|([A-Za-z_.]+))/g)].map(
      (m) => m[1] ?? constants[m[2]!] ?? `unresolved ${m[2]}`,
    );
    assert.deepEqual([...registered].sort(), [...contributed].sort());
    for (const id of Object.values(Commands))
      assert.ok(contributed.includes(id), `${id} (protocol.ts Commands) is contributed`);
  });

  it('uses only contributed commands in menus, and gates the views and palette with the context key', () => {
    for (const [menu, entries] of Object.entries(
      contributes.menus as Record<string, { command: string; when?: string }[]>,
    )) {
      for (const e of entries) assert.ok(contributed.includes(e.command), `${menu}: ${e.command}`);
    }
    for (const v of contributes.views.zxbackup) assert.equal(v.when, 'zxbackup.isBackupPath', v.id);
    const palette = new Map<string, string | undefined>(
      contributes.menus.commandPalette.map((e: { command: string; when?: string }) => [e.command, e.when]),
    );
    assert.equal(palette.get('zxbackup.openBackupPath'), undefined, 'Open Backup Path is offered for any folder');
    assert.equal(palette.get('zxbackup.runCheck'), 'zxbackup.isBackupPath');
    assert.ok(source('ctx.ts').includes("CONTEXT_KEY = 'zxbackup.isBackupPath'"));
  });

  it('declares the views the code creates and activates on the history panel', () => {
    const ids = contributes.views.zxbackup.map((v: { id: string }) => v.id);
    for (const [file, constant] of [
      ['backupTree.ts', 'BACKUP_VIEW_ID'],
      ['findingsTree.ts', 'FINDINGS_VIEW_ID'],
      ['operationsTree.ts', 'OPERATIONS_VIEW_ID'],
    ] as const) {
      const id = new RegExp(`${constant} = '([^']+)'`).exec(source(file))?.[1];
      assert.ok(id && ids.includes(id), `${constant} = ${id}`);
    }
    assert.ok(manifest.activationEvents.includes(`onWebviewPanel:${HISTORY_VIEW_TYPE}`));
  });

  it('keeps name, main and the declared workspace capabilities', () => {
    assert.equal(manifest.main, './dist/extension.js');
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.equal(manifest.capabilities.virtualWorkspaces.supported, false);
  });
});

describe('extension manifest: settings', () => {
  const props = contributes.configuration.properties as Record<
    string,
    { default: unknown; scope?: string; markdownDescription?: string }
  >;

  it('declares every server setting with its default, a scope and a markdownDescription', () => {
    assert.deepEqual(
      Object.keys(props).sort(),
      Object.keys(DEFAULT_SETTINGS)
        .map((k) => `zxbackup.${k}`)
        .sort(),
    );
    for (const [k, v] of Object.entries(DEFAULT_SETTINGS)) {
      const p = props[`zxbackup.${k}`]!;
      assert.deepEqual(p.default, v, k);
      assert.ok(p.scope, `${k} has a scope`);
      assert.ok((p.markdownDescription ?? '').length > 40, `${k} has a markdownDescription`);
    }
  });
});

/** VS Code's rule (languagesAssociations.ts): a pattern with a "/" is matched against the whole path, else against the file name. */
function languageOf(absPath: string): string | undefined {
  const base = path.posix.basename(absPath);
  for (const l of contributes.languages) if ((l.filenames ?? []).includes(base)) return l.id;
  for (const l of contributes.languages) {
    for (const p of l.filenamePatterns ?? [])
      if (minimatch(p.includes('/') ? absPath : base, p, { dot: true })) return l.id;
  }
  return undefined;
}

describe('extension manifest: languages', () => {
  const A = '/srv/zextras/backup/accounts/0f9b3c2e-6a4d-4c55-9b1e-2d7f8a9c0e11';

  it('declares the four language ids of the protocol', () => {
    assert.deepEqual(contributes.languages.map((l: { id: string }) => l.id).sort(), [...ALL_LANGUAGE_IDS].sort());
  });

  it('assigns them by path, including item files without an extension', () => {
    assert.equal(languageOf(`${A}/items/57/1057`), LanguageIds.item);
    assert.equal(languageOf(`${A}/items/02/2`), LanguageIds.item);
    assert.equal(languageOf(`${A}/account_info`), LanguageIds.account);
    assert.equal(languageOf(`${A}/account_stat`), LanguageIds.account);
    assert.equal(languageOf(`${A}/backupstat`), LanguageIds.account);
    assert.equal(languageOf('/srv/zextras/backup/backupstat'), LanguageIds.account);
    assert.equal(languageOf('/srv/zextras/backup/map_3f1c'), LanguageIds.map);
    assert.equal(languageOf(`${A}/id_mapper.log`), LanguageIds.idMapper);
  });

  it('leaves BLOBs and other files alone', () => {
    assert.equal(languageOf('/srv/zextras/backup/items/w5/w5JqLTjHOR6pKyxxYySrNIslzaPj8kMG5PIYXWt9M7E='), undefined);
    assert.equal(languageOf('/srv/zextras/backup/server/customizations_01_01_24#00_00_00.tar.gz'), undefined);
    assert.equal(languageOf('/home/me/notes.txt'), undefined);
  });

  it('points every grammar and language configuration at a file that exists', () => {
    for (const g of contributes.grammars) readFileSync(path.join(repo, g.path));
    for (const l of contributes.languages) readFileSync(path.join(repo, l.configuration));
  });
});

describe('extension grammars', function () {
  this.timeout(20_000);
  let registry: textmate.Registry;

  before(async () => {
    const require = createRequire(__filename);
    const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
    const byScope = new Map<string, string>(
      contributes.grammars.map((g: { scopeName: string; path: string }) => [g.scopeName, g.path]),
    );
    registry = new textmate.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (s: string[]) => new oniguruma.OnigScanner(s),
        createOnigString: (s: string) => new oniguruma.OnigString(s),
      }),
      loadGrammar: async (scope) => {
        const p = byScope.get(scope);
        return p ? textmate.parseRawGrammar(readFileSync(path.join(repo, p), 'utf8'), path.join(repo, p)) : null;
      },
    });
  });

  /** Scopes of the token covering `needle` on each line, in order. */
  async function scopesOf(scope: string, text: string, needle: string): Promise<string[]> {
    const grammar = (await registry.loadGrammar(scope))!;
    let stack = textmate.INITIAL;
    for (const line of text.split('\n')) {
      const r = grammar.tokenizeLine(line, stack);
      const at = line.indexOf(needle);
      if (at >= 0) {
        const t = r.tokens.find((tok) => tok.startIndex <= at && at < tok.endIndex);
        return t?.scopes ?? [];
      }
      stack = r.ruleStack;
    }
    return [];
  }

  it('is generated from syntaxes/generate.mjs (the files are in step)', async () => {
    const gen = (await import(path.join(repo, 'syntaxes/generate.mjs'))) as { grammars(): Record<string, unknown> };
    for (const [file, g] of Object.entries(gen.grammars()))
      assert.deepEqual(JSON.parse(readFileSync(path.join(repo, 'syntaxes', file), 'utf8')), g, file);
  });

  const ITEM = [
    '[',
    '  {',
    '    "transaction-id": 1,',
    '    "start-date": 1704103200000,',
    '    "end-date": null,',
    '    "id": 260,',
    '    "flags": 512,',
    '    "type": 5,',
    '    "digest": "w5JqLTjHOR6pKyxxYySrNIslzaPj8kMG5PIYXWt9M7E=",',
    '    "subject": "1704103200000 in a subject",',
    '    "size": 2048',
    '  }',
    ']',
  ].join('\n');

  it('highlights dates, ids, flags, types and digests in item files, nested in the array', async () => {
    assert.ok(
      (await scopesOf('source.zxbackup.item', ITEM, '1704103200000,')).includes(
        'constant.numeric.date.epoch-ms.zxbackup',
      ),
    );
    assert.ok((await scopesOf('source.zxbackup.item', ITEM, '260')).includes('constant.numeric.id.zxbackup'));
    assert.ok((await scopesOf('source.zxbackup.item', ITEM, '512')).includes('constant.numeric.flags.zxbackup'));
    assert.ok(
      (await scopesOf('source.zxbackup.item', ITEM, ' 5,')).some(
        (s) => s === 'constant.numeric.type.zxbackup' || s === 'meta.structure.dictionary.keyed-type.zxbackup',
      ),
    );
    assert.ok((await scopesOf('source.zxbackup.item', ITEM, 'w5Jq')).includes('string.other.digest.zxbackup'));
  });

  it('keeps ordinary JSON tokens for other keys and for numbers inside strings', async () => {
    assert.ok((await scopesOf('source.zxbackup.item', ITEM, '2048')).includes('constant.numeric.json'));
    const inSubject = await scopesOf('source.zxbackup.item', ITEM, '1704103200000 in');
    assert.ok(
      inSubject.includes('string.quoted.double.json') && !inSubject.includes('constant.numeric.date.epoch-ms.zxbackup'),
      inSubject.join(' '),
    );
    assert.ok((await scopesOf('source.zxbackup.item', ITEM, 'null')).includes('constant.language.json'));
  });

  it('highlights account and map dates and ids', async () => {
    const account = '{\n  "zimbraId": "0f9b3c2e-6a4d-4c55-9b1e-2d7f8a9c0e11",\n  "createdDate": 1698796800000\n}';
    assert.ok(
      (await scopesOf('source.zxbackup.account', account, '1698796800000')).includes(
        'constant.numeric.date.epoch-ms.zxbackup',
      ),
    );
    assert.ok((await scopesOf('source.zxbackup.account', account, '0f9b')).includes('constant.numeric.id.zxbackup'));
    const map = '{ "importDate": 1701388800000, "accounts": [ { "sourceId": "a", "destinationId": "b" } ] }';
    assert.ok(
      (await scopesOf('source.zxbackup.map', map, '1701388800000')).includes('constant.numeric.date.epoch-ms.zxbackup'),
    );
  });

  it('reads id_mapper.log lines, comments and bad lines', async () => {
    const log = '# source destination type\n1057 2301 message\nnot a mapping';
    assert.ok((await scopesOf('source.zxbackup.idmap', log, '# source')).includes('comment.line.number-sign.zxbackup'));
    assert.ok((await scopesOf('source.zxbackup.idmap', log, '1057')).includes('constant.numeric.id.source.zxbackup'));
    assert.ok(
      (await scopesOf('source.zxbackup.idmap', log, '2301')).includes('constant.numeric.id.destination.zxbackup'),
    );
    assert.ok((await scopesOf('source.zxbackup.idmap', log, 'not a')).includes('invalid.illegal.bad-line.zxbackup'));
  });
});
