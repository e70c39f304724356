/**
 * The one table of file kinds: for each kind of file the layout recognises
 * (classifyRelPath in layout.ts is the path rule), how an editor names its language,
 * which document kind the language server treats it as, which JSON Schema describes
 * it and whether the coherency check reads it. The check's job kinds, the schema
 * kinds, the server's document kinds and the protocol's language ids are derived
 * from it; package.json's `contributes.languages` is held to it by
 * test/unit/extension-manifest.test.ts.
 */
import type { FileKind } from './layout';
import type { SchemaKind } from './schemaFiles';

/** Language ids, assigned by file-name pattern in package.json (item files have no extension). */
export const LANGUAGE_IDS = {
  item: 'zxbackup-item',
  account: 'zxbackup-account',
  map: 'zxbackup-map',
  idMapper: 'zxbackup-idmap',
} as const;
export type LanguageId = (typeof LANGUAGE_IDS)[keyof typeof LANGUAGE_IDS];

/** What the language server does with a document. */
export type DocumentKind = 'item' | 'account' | 'map' | 'idmap' | 'other';

export type FileKindName = FileKind['kind'];

interface FileKindInfo<K extends FileKindName> {
  /** The editor's language for the file, if it is text we analyse. */
  languageId?: LanguageId;
  document: DocumentKind;
  /** Its JSON Schema (account files: the file's own). */
  schema?: (file: Extract<FileKind, { kind: K }>) => SchemaKind;
  /** The coherency check reads the file (one job per file). */
  checked: boolean;
}

export const FILE_KINDS = {
  item: { languageId: LANGUAGE_IDS.item, document: 'item', schema: () => 'item', checked: true },
  'drive-item': { languageId: LANGUAGE_IDS.item, document: 'item', schema: () => 'item', checked: true },
  'account-file': { languageId: LANGUAGE_IDS.account, document: 'account', schema: (f) => f.file, checked: true },
  'root-backupstat': {
    languageId: LANGUAGE_IDS.account,
    document: 'account',
    schema: () => 'backupstat',
    checked: true,
  },
  map: { languageId: LANGUAGE_IDS.map, document: 'map', schema: () => 'map', checked: true },
  'id-mapper': { languageId: LANGUAGE_IDS.idMapper, document: 'idmap', checked: true },
  blob: { document: 'other', checked: true },
  'server-archive': { document: 'other', checked: false },
  other: { document: 'other', checked: false },
} as const satisfies { readonly [K in FileKindName]: FileKindInfo<K> };

/** The kinds of file the coherency check reads, one job each. */
export type CheckedKind = {
  [K in FileKindName]: (typeof FILE_KINDS)[K]['checked'] extends true ? K : never;
}[FileKindName];

function infoOf<K extends FileKindName>(file: Extract<FileKind, { kind: K }>): FileKindInfo<K> {
  return FILE_KINDS[file.kind as K] as FileKindInfo<K>;
}

/** The JSON Schema of a file, if it has one. */
export function schemaKindOfFile(file: FileKind): SchemaKind | undefined {
  const schema = infoOf(file).schema as ((f: FileKind) => SchemaKind) | undefined;
  return schema?.(file);
}

/** The check's job kind of a file, or undefined when the check does not read it. */
export function checkedKindOf(file: FileKind): CheckedKind | undefined {
  return infoOf(file).checked ? (file.kind as CheckedKind) : undefined;
}

/** The editor language of a file, if it is text we analyse. */
export function languageIdOf(file: FileKind): LanguageId | undefined {
  return infoOf(file).languageId;
}

/**
 * What the language server does with a document: by its place in a backup path, or,
 * for a copy elsewhere, by the language the editor gave it.
 */
export function documentKindOf(file: FileKind, languageId?: string): DocumentKind {
  const byPath = infoOf(file).document;
  if (byPath !== 'other') return byPath;
  for (const info of Object.values(FILE_KINDS) as FileKindInfo<FileKindName>[])
    if (info.languageId !== undefined && info.languageId === languageId) return info.document;
  return 'other';
}
