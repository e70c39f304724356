/** The typed reader of each small JSON metadata file, by its schema kind: one dispatch for the check and the language server. */
import type { SchemaKind } from '../schemaFiles';
import { parseAccountInfo, parseAccountStat, parseBackupStat, type Parsed } from './account';
import { parseMapFile } from './maps';

export type JsonFileKind = Exclude<SchemaKind, 'item'>;

/** `accountId`: the zimbraId the account folder's name says (account_info reports a different one inside). */
export const JSON_FILE_READERS: Readonly<
  Record<JsonFileKind, (bytes: Uint8Array | string, rel: string, accountId?: string) => Parsed<unknown>>
> = {
  account_info: parseAccountInfo,
  account_stat: (bytes, rel) => parseAccountStat(bytes, rel),
  backupstat: (bytes, rel) => parseBackupStat(bytes, rel),
  map: (bytes, rel) => parseMapFile(bytes, rel),
};
