/**
 * The JSON Schemas' names and the options they are compiled with: shared by the
 * validator (schema.ts) and the script that compiles ours ahead of time
 * (scripts/gen-schema-validators.ts), so both compile alike.
 */
export type SchemaKind = 'item' | 'account_info' | 'account_stat' | 'backupstat' | 'map';
export const SCHEMA_KINDS: readonly SchemaKind[] = ['item', 'account_info', 'account_stat', 'backupstat', 'map'];

/** File name of each schema, in schemas/ and in an override folder alike. */
export const SCHEMA_FILES: Readonly<Record<SchemaKind, string>> = {
  item: 'item.schema.json',
  account_info: 'account_info.schema.json',
  account_stat: 'account_stat.schema.json',
  backupstat: 'backupstat.schema.json',
  map: 'map.schema.json',
};

/**
 * Every error, not the first one; keywords the validator does not know are ignored
 * rather than refused (a user's schema may carry editor hints); formats are not
 * checked (the language service we replaced did not check most of them either).
 */
export const AJV_OPTIONS = { allErrors: true, strict: false, validateFormats: false } as const;
