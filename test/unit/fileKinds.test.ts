import { strict as assert } from 'node:assert';
import {
  FILE_KINDS,
  LANGUAGE_IDS,
  checkedKindOf,
  classifyRelPath,
  documentKindOf,
  languageIdOf,
  schemaKindOfFile,
  SCHEMA_FILE_MATCH,
  SCHEMA_KINDS,
} from '../../src/engine';

const ACCOUNT = '0f9b3c2e-6a4d-4c55-9b1e-2d7f8a9c0e11';
const DIGEST = 'a'.repeat(43) + '=';

/** One path per kind of file, and what the table says of it. */
const PATHS: [string, string | undefined, string | undefined, string][] = [
  // path, language id, schema, document kind
  [`accounts/${ACCOUNT}/items/60/260`, LANGUAGE_IDS.item, 'item', 'item'],
  [`accounts/${ACCOUNT}/drive_items/ab/x-ab`, LANGUAGE_IDS.item, 'item', 'item'],
  [`accounts/${ACCOUNT}/account_info`, LANGUAGE_IDS.account, 'account_info', 'account'],
  [`accounts/${ACCOUNT}/account_stat`, LANGUAGE_IDS.account, 'account_stat', 'account'],
  [`accounts/${ACCOUNT}/backupstat`, LANGUAGE_IDS.account, 'backupstat', 'account'],
  ['backupstat', LANGUAGE_IDS.account, 'backupstat', 'account'],
  ['map_mbox1', LANGUAGE_IDS.map, 'map', 'map'],
  [`accounts/${ACCOUNT}/id_mapper.log`, LANGUAGE_IDS.idMapper, undefined, 'idmap'],
  [`items/aa/${DIGEST}`, undefined, undefined, 'other'],
  ['servers/customizations_24_01_01#10_00_00.tar.gz', undefined, undefined, 'other'],
  ['README', undefined, undefined, 'other'],
];

describe('the file-kind table (src/engine/fileKinds.ts)', () => {
  it('gives each kind of file its language, schema and document kind', () => {
    for (const [rel, language, schema, document] of PATHS) {
      const file = classifyRelPath(rel);
      assert.equal(languageIdOf(file), language, rel);
      assert.equal(schemaKindOfFile(file), schema, rel);
      assert.equal(documentKindOf(file), document, rel);
    }
  });
  it('names every kind the layout recognises, and every schema', () => {
    const kinds = new Set(PATHS.map(([rel]) => classifyRelPath(rel).kind));
    assert.deepEqual([...kinds].sort(), Object.keys(FILE_KINDS).sort());
    const schemas = new Set(PATHS.map(([, , s]) => s).filter((s) => s !== undefined));
    assert.deepEqual([...schemas].sort(), [...SCHEMA_KINDS].sort());
    assert.deepEqual(Object.keys(SCHEMA_FILE_MATCH).sort(), [...SCHEMA_KINDS].sort());
  });
  it('the check reads every kind except server archives and other files', () => {
    const checked = PATHS.map(([rel]) => checkedKindOf(classifyRelPath(rel))).filter((k) => k !== undefined);
    assert.deepEqual([...new Set(checked)].sort(), [
      'account-file',
      'blob',
      'drive-item',
      'id-mapper',
      'item',
      'map',
      'root-backupstat',
    ]);
  });
  it('a copy outside a backup path is treated by the language the editor gave it', () => {
    const outside = classifyRelPath('copy-of-260');
    for (const [rel, language, , document] of PATHS) {
      if (language === undefined) continue;
      assert.equal(documentKindOf(outside, language), document, rel);
    }
    assert.equal(documentKindOf(outside, 'plaintext'), 'other');
    assert.equal(documentKindOf(outside), 'other');
  });
});
