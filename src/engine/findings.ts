/**
 * The one catalogue of findings. Every check, diagnostic and CLI error uses a
 * code from here; docs/findings.md lists the same codes (a test keeps them in step).
 */
import { formatMessageDate } from './dates';

export type Severity = 'error' | 'warning' | 'info';

/** Zero-based, like LSP positions. `offset` is the character offset in the text. */
export interface Position {
  line: number;
  character: number;
}
export interface Range {
  start: Position;
  end: Position;
}

export interface Finding {
  code: FindingCode;
  severity: Severity;
  /** Relative to the backup path, with forward slashes; '' for the backup path itself. */
  path: string;
  range?: Range;
  message: string;
  remedy: string;
  /** Other places the finding concerns: the items whose message body a damaged BLOB held (SARIF relatedLocations). */
  related?: RelatedLocation[];
}

export interface RelatedLocation {
  /** Relative to the backup path, like Finding.path. */
  path: string;
  range?: Range;
  message: string;
}

interface CatalogEntry {
  severity: Severity;
  title: string;
  remedy: string;
}

/**
 * A code that more than one rule site or surface reports carries its message: every
 * surface builds it with `say`, so one file gets the same words everywhere.
 */
interface TemplatedEntry<P> extends CatalogEntry {
  message: (p: P) => string;
}

function entry(severity: Severity, title: string, remedy: string): CatalogEntry {
  return { severity, title, remedy };
}

function templated<P>(severity: Severity, title: string, remedy: string, message: (p: P) => string): TemplatedEntry<P> {
  return { severity, title, remedy, message };
}

type NoParams = Record<string, never>;

/** A file or folder that could not be read or listed: `rel` relative to the backup path ('' for itself). */
export interface IoFailure {
  rel: string;
  detail: string;
  listing?: boolean;
}
const ioFailureMessage = (p: IoFailure): string =>
  `cannot ${p.listing === true ? 'list' : 'read'} ${p.rel === '' ? 'the backup path' : p.rel}: ${p.detail}`;
const iso = (ms: number): string => formatMessageDate(ms);
const detail = (d: string | undefined): string => (d ? ` (${d})` : '');

export const FINDINGS = {
  // --- I/O and path-level problems (kept apart from corruption, as borg does)
  'io.unreadable': templated(
    'error',
    'A file or folder cannot be read',
    'Check permissions and the storage (EACCES, EIO); the content itself may be intact.',
    (p: IoFailure) => ioFailureMessage(p),
  ),
  'io.not-found': templated(
    'error',
    'A path given to the command does not exist',
    'Check the path; a backup path contains accounts/ and items/.',
    (p: IoFailure) => ioFailureMessage(p),
  ),
  'io.symlink': templated(
    'warning',
    'A symbolic link inside the backup path',
    'Zextras Backup creates no links; replace the link with the real file. It is never followed.',
    (p: { rel: string }) => `${p.rel} is a symbolic link; not followed`,
  ),
  'io.too-large': entry(
    'warning',
    'A metadata file is too large to be analysed in full',
    'Inspect the file by hand; metadata files are normally a few kilobytes.',
  ),
  'io.cache-unavailable': entry(
    'info',
    'The local cache (check results, item catalogue) cannot be used',
    'Everything still works, only slower. Check that the cache folder ($ZXB_CACHE_DIR or ~/.cache/zxbackup-inspector) is writable and outside the backup path, and that this runtime has SQLite: node:sqlite (Node ≥ 22.13, VS Code ≥ 1.101) or a better-sqlite3 built for it; the message names the reason.',
  ),
  'usage.bad-date': entry(
    'error',
    'A date argument cannot be parsed',
    'Use dd/MM/yyyy HH:mm:ss, ISO 8601 (2024-01-31T12:00:00Z) or first / last.',
  ),
  'usage.bad-argument': entry('error', 'An argument is invalid', 'See `zxb help <command>`.'),
  'usage.unknown-account': entry(
    'error',
    'No account with that name or zimbraId in the backup path',
    'List the accounts with `zxb getAvailableAccounts <path>`.',
  ),
  'usage.unknown-item': entry(
    'error',
    'No item with that id in the account',
    'Search the account with `zxb doItemSearch <path> <account>`.',
  ),
  'usage.not-a-backup': entry(
    'error',
    'The folder does not look like a backup path',
    'Point at the folder that holds accounts/ and items/ (by default /opt/zimbra/backup/zextras).',
  ),
  'usage.bad-schema': entry(
    'error',
    'A file in the schema folder is not a usable JSON Schema',
    'Fix the file (a JSON object whose $refs resolve inside it) or remove it to use the built-in schema of that name.',
  ),

  // --- mail servers (scans read from one, restores write to one) and the backup lock
  'imap.unreachable': entry(
    'error',
    'The IMAP server cannot be reached',
    'Check the host and port of the imap:// URL, that the server runs, and that no firewall is in the way.',
  ),
  'imap.tls-failed': entry(
    'error',
    'The TLS handshake with the IMAP server failed',
    'Check --tls (implicit TLS, usually port 993) versus --starttls (port 143); for a self-signed test certificate add --insecure.',
  ),
  'imap.auth-failed': entry(
    'error',
    'The IMAP server refused the login',
    'Check the login and the password (from --password-stdin, ZXB_IMAP_PASSWORD or the accounts file).',
  ),
  'imap.refused': entry(
    'error',
    'The IMAP server refused a command',
    "The message names the command and the server's answer; the rest of the work goes on.",
  ),
  'restore.unrestored': entry(
    'warning',
    'An item could not be restored',
    'The message names the item and why (a missing or damaged BLOB, a broken item file, a refused APPEND); the rest of the restore went on. Check the item with `zxb getItem`, repair the backup path, then rerun the same command: what is already restored is skipped.',
  ),
  'restore.empty-at-last': entry(
    'warning',
    'The account holds no message in its latest state',
    'Its latest state may be the one after the mail was deleted: restore at the date the message names, when the account last held mail.',
  ),
  'restore.target-failed': entry(
    'error',
    'The restore target failed and the restore stopped',
    'Fix what the message names (connection, disk space, permissions) and rerun the same command: it continues where it stopped.',
  ),
  'lock.held': entry(
    'error',
    'Another command is writing into this backup path',
    'Wait for it to finish; the message names it (command, pid, host). A lock left by a dead process on this host is taken over by itself.',
  ),

  // --- scans (src/engine/scan)
  'scan.blob-rewritten': entry(
    'warning',
    'A scan found a BLOB missing or damaged and stored it again from the server',
    'Nothing to do: the BLOB is whole again (a damaged one was moved to .zxb-quarantine/). Check the disk if it happens often.',
  ),
  'scan.message-skipped': entry(
    'warning',
    'A scan could not read a message or a folder from the server',
    'The message names the folder and UID; the next scan tries again. The rest of the account was scanned.',
  ),

  // --- layout
  'layout.stray-entry': templated(
    'info',
    'A file or folder that is not part of the backup layout',
    'Move it out of the backup path if it is not needed.',
    (p: { rel: string; expected: string }) => `${p.rel} is not ${p.expected}`,
  ),
  'layout.interrupted-write': templated(
    'warning',
    'A temporary file left by an interrupted write of ours',
    'A zxb command that writes (the fix, a scan or a restore) stopped before renaming this temporary file over its target: the target is unchanged. Re-run the command, then remove the temporary file.',
    (p: { rel: string; target: string }) => `${p.rel} is the temporary file of an interrupted write of ${p.target}`,
  ),
  'layout.bad-account-folder': entry(
    'warning',
    'An account folder whose name is not a zimbraId',
    'Account folders are named by the account zimbraId (a UUID); move the folder out of accounts/.',
  ),
  'layout.item-wrong-folder': templated(
    'error',
    'An item file in the wrong NN folder',
    'Item files live in items/NN/ where NN is the last two digits of the id; move the file there.',
    (p: { name: string; tree: string; home: string; bucket: string }) =>
      `${p.tree === 'items' ? `item ${p.name}` : p.name} belongs in ${p.tree}/${p.home}/, not ${p.bucket}/`,
  ),
  'layout.bad-item-name': templated(
    'warning',
    'An item file whose name is not a decimal id',
    'Item files are named by their numeric id; move the file out of items/.',
    (p: { name: string }) => `${p.name} is not a decimal item id`,
  ),
  'layout.missing-account-info': entry(
    'error',
    'An account folder without account_info',
    'Restore account_info from another copy of the backup, or run a SmartScan of the account.',
  ),

  // --- item metadata
  'item.not-utf8': entry(
    'error',
    'An item file is not valid UTF-8',
    'Restore the file from another copy of the backup or re-scan the item.',
  ),
  'item.invalid-json': entry(
    'error',
    'An item file is not valid JSON',
    'The file is corrupted: quarantine it with --fix-backup and re-scan the account.',
  ),
  'item.too-deep': entry(
    'error',
    'An item file is nested too deeply',
    'Item metadata is at most a few levels deep; the file is corrupted or not item metadata.',
  ),
  'item.not-array': entry(
    'error',
    'An item file is not a JSON array of transactions',
    'The file is corrupted or not item metadata.',
  ),
  'item.empty-history': entry(
    'error',
    'An item file has no transactions',
    'Quarantine the file and re-scan the account.',
  ),
  'item.not-object': entry('error', 'A transaction is not a JSON object', 'The file is corrupted.'),
  'item.missing-start-date': entry(
    'error',
    'A transaction has no valid start-date',
    'The transaction cannot be placed in time; re-scan the item.',
  ),
  'item.missing-end-date': entry(
    'error',
    'A transaction other than the last has no end-date',
    'Every transaction but the last must end when the next one starts.',
  ),
  'item.end-before-start': entry(
    'error',
    'A transaction ends before it starts',
    'The validity interval is inverted; the file is corrupted.',
  ),
  'item.interval-gap': entry(
    'warning',
    'A gap between two transactions',
    'The item had no recorded state between the two dates; restores in the gap find nothing.',
  ),
  'item.interval-overlap': entry(
    'error',
    'Two transactions are valid at the same time',
    'A point-in-time restore in the overlap is ambiguous; the file is corrupted.',
  ),
  'item.history-ends': entry(
    'info',
    'The last transaction is closed: the item has no state after it',
    'Normal for items purged or moved out by an import; otherwise re-scan the account.',
  ),
  'item.bad-transaction-id': entry(
    'error',
    'A transaction id is missing, duplicated or out of order',
    'Transaction ids increase strictly in file order; the file is corrupted.',
  ),
  'item.id-mismatch': entry(
    'error',
    'The item id in a transaction differs from the file name',
    'The file was copied or renamed; move it to the path of its id.',
  ),
  'item.unknown-type': entry(
    'warning',
    'An unknown item type code',
    'Known Zimbra types are listed in docs/backup-format.md §8.1.',
  ),
  'item.type-changed': entry(
    'warning',
    'The item type changes between transactions',
    'An item keeps its type for life; the file may mix two items.',
  ),
  'item.bad-digest': entry(
    'error',
    'A digest that is not a valid Zimbra digest',
    'The metadata is damaged; the BLOB cannot be located.',
  ),
  'item.unknown-folder': templated(
    'warning',
    'The folder of an item does not exist at that time',
    'Restore the folder first, or the item will be restored to the account root.',
    (p: { folderId: number; at: number; transaction: number }) =>
      `folder ${p.folderId} does not exist at ${iso(p.at)} (transaction ${p.transaction + 1})`,
  ),
  'item.live-after-delete': entry(
    'info',
    'An item is live again after a deletion (undelete)',
    'Normal after an undelete; verify if no undelete was done.',
  ),
  'item.future-date': entry(
    'warning',
    'A transaction date lies in the future',
    'The server clock was wrong when the item was saved; restores by date may surprise.',
  ),
  'item.schema': entry(
    'warning',
    'A value does not match the item schema',
    'See docs/backup-format.md §2; replace the schema with --schema-dir if your version differs.',
  ),
  'item.unknown-field': entry(
    'info',
    'A key the documented format does not know',
    'Kept as is; tell us the key so the format page can describe it.',
  ),
  'item.date-in-seconds': entry(
    'warning',
    'A date looks like epoch seconds, not milliseconds',
    'Read as seconds; check the unit if dates look wrong.',
  ),
  'item.date-as-string': entry(
    'warning',
    'A date is given as a string',
    'Read as a date string; the documented form is epoch milliseconds.',
  ),
  'item.end-date-sentinel': entry(
    'info',
    'An end-date sentinel read as "still valid"',
    'Nothing to do: -1, 0 and dates past year 9999 mean the transaction is current.',
  ),
  'item.type-as-name': entry('info', 'An item type given as a name', 'Read as the Zimbra type of that name.'),
  'item.tags-as-string': entry('info', 'Tags given as a string', 'Split on commas.'),

  // --- account files
  'account.invalid-json': entry(
    'error',
    'An account file is not valid JSON',
    'Restore the file from another copy of the backup or run a SmartScan of the account.',
  ),
  'account.schema': entry('warning', 'An account file does not match its schema', 'See docs/backup-format.md §3.'),
  'account.id-mismatch': entry(
    'error',
    'account_info names another zimbraId than its folder',
    'The folder was copied or renamed; check which account it belongs to.',
  ),
  'account.unknown-field': entry('info', 'A key the documented account format does not know', 'Kept as is.'),

  // --- map and id mapper
  'map.invalid': entry(
    'error',
    'A map file cannot be read as a map',
    'See docs/backup-format.md §5; restore the file from the import source.',
  ),
  'map.unknown-account': templated(
    'warning',
    'A map file points to an account not in the backup',
    'The account was not imported or was purged.',
    (p: { index: number; destination: string }) =>
      `accounts[${p.index}] maps to ${p.destination}, which has no folder in accounts/`,
  ),
  'idmap.bad-line': entry(
    'warning',
    'An id_mapper.log line cannot be read',
    'Lines are `<sourceItemId> <destinationItemId> [<type>]`.',
  ),
  'idmap.unknown-item': templated(
    'warning',
    'id_mapper.log maps to an item not in the account',
    'The item was not imported or was purged.',
    (p: { line: number; item: number }) => `line ${p.line + 1} maps to item ${p.item}, which is not in the account`,
  ),

  // --- server archives
  'server.bad-archive-name': entry(
    'info',
    'A file in server/ whose name is not a known archive name',
    'Archives are named customizations_dd_MM_yy#HH_mm_ss.tar.gz.',
  ),
  'server.bad-archive': entry(
    'error',
    'A server archive cannot be read',
    "The archive is damaged; use another day's archive.",
  ),

  // --- BLOBs
  'blob.missing': templated(
    'error',
    'A referenced BLOB is not in the BLOB store',
    'Run a deep SmartScan (doSmartScan deep=true) on the live server to store it again.',
    (p: { digest: string; blobRel: string }) => `BLOB ${p.digest} is not in the BLOB store (expected at ${p.blobRel})`,
  ),
  'blob.bad-name': templated(
    'warning',
    'A file in the BLOB store whose name is not a valid digest',
    'Move it out of items/.',
    (p: { name: string }) => `${p.name} is not a valid digest`,
  ),
  'blob.not-gzip': templated(
    'error',
    'A BLOB is not gzip-compressed',
    'The BLOB is damaged; re-scan the items that reference it.',
    (p: { detail?: string | undefined }) => `the BLOB is not gzip-compressed${detail(p.detail ?? 'no gzip header')}`,
  ),
  'blob.corrupted': templated(
    'error',
    "A BLOB's content does not match its digest",
    'The BLOB is damaged; re-scan the items that reference it.',
    (p: { detail?: string | undefined }) => `the BLOB's content does not match its digest${detail(p.detail)}`,
  ),
  'blob.double-gzip': templated(
    'warning',
    'A BLOB is gzip-compressed twice',
    'Run doCoherencyCheck --fix-double-gzip fix.',
    (_: NoParams) => 'the BLOB is gzip-compressed twice',
  ),
  'blob.orphan': entry(
    'warning',
    'A BLOB no item metadata references',
    'It only takes space: quarantine it with doCoherencyCheck --fix-backup (undo with undoFix).',
  ),
  'blob.truncated': templated(
    'error',
    "A BLOB's gzip stream ends too early",
    'The BLOB was cut short (full disk, interrupted copy); re-scan the items that reference it.',
    (p: { detail?: string | undefined }) => `the BLOB's gzip stream ends too early${detail(p.detail)}`,
  ),
  'blob.trailing-garbage': templated(
    'warning',
    "Bytes after the end of a BLOB's gzip stream",
    'The content is intact; the extra bytes come from a bad copy. Re-scan the items to store it again.',
    (_: NoParams) => `bytes follow the end of the BLOB's gzip stream`,
  ),
  'blob.empty': templated(
    'error',
    'A BLOB file is empty',
    'The BLOB was never written in full; re-scan the items that reference it.',
    (_: NoParams) => 'the BLOB file is empty',
  ),
  'blob.wrong-folder': templated(
    'error',
    'A BLOB in the wrong prefix folder',
    'BLOBs live in items/<first two characters of the digest>/; move the file there.',
    (p: { name: string; home: string; prefix: string }) => `${p.name} belongs in ${p.home}/, not ${p.prefix}/`,
  ),
  'blob.size-mismatch': templated(
    'warning',
    "A BLOB's real size differs from the size declared in item metadata",
    'The metadata or the BLOB is stale; re-scan the items that reference it.',
    (p: { declared: number; real: number }) => `item metadata declares ${p.declared} bytes, the BLOB holds ${p.real}`,
  ),
  'item.purge-due': templated(
    'info',
    'An item deleted longer ago than the retention',
    'Normal: the next purge removes it. Restore it now if it is still needed.',
    (p: { deletedAt: number; now: number; retentionDays: number }) =>
      `deleted ${Math.floor((p.now - p.deletedAt) / 86_400_000)} days ago (${iso(p.deletedAt)}), longer than the ${p.retentionDays}-day retention`,
  ),
  'blob.inflate-limit': templated(
    'warning',
    'A BLOB inflates beyond the bound zxb decompresses (docs/backup-format.md §4.1)',
    'Likely a gzip bomb, not mail: not verified further. Look at it with zcat | head on the server, and re-scan the items that reference it.',
    (p: { detail?: string | undefined }) =>
      `the BLOB inflates beyond the bound${detail(p.detail)}; not verified further`,
  ),
} as const satisfies Record<string, CatalogEntry>;

export type FindingCode = keyof typeof FINDINGS;
/** The codes whose message comes from a template: build them with `say`. */
export type TemplatedCode = {
  [C in FindingCode]: (typeof FINDINGS)[C] extends { message: (p: never) => string } ? C : never;
}[FindingCode];
export type MessageParams<C extends TemplatedCode> = (typeof FINDINGS)[C] extends { message: (p: infer P) => string }
  ? P
  : never;

export function isFindingCode(code: string): code is FindingCode {
  return Object.prototype.hasOwnProperty.call(FINDINGS, code);
}

/** Builds a finding with the catalogue's severity and remedy unless overridden. */
export function finding(
  code: FindingCode,
  path: string,
  message: string,
  extra: { range?: Range; severity?: Severity; remedy?: string } = {},
): Finding {
  const e: CatalogEntry = FINDINGS[code];
  const f: Finding = { code, severity: extra.severity ?? e.severity, path, message, remedy: extra.remedy ?? e.remedy };
  if (extra.range) f.range = extra.range;
  return f;
}

/** A finding whose message is the catalogue's template filled with `params`. */
export function say<C extends TemplatedCode>(
  code: C,
  path: string,
  params: MessageParams<C>,
  extra: { range?: Range; severity?: Severity; remedy?: string } = {},
): Finding {
  const template = FINDINGS[code].message as (p: MessageParams<C>) => string;
  return finding(code, path, template(params), extra);
}

/** The message alone, for a finding whose range is resolved later (the check's pointed findings). */
export function messageOf<C extends TemplatedCode>(code: C, params: MessageParams<C>): string {
  return (FINDINGS[code].message as (p: MessageParams<C>) => string)(params);
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
export function compareFindings(a: Finding, b: Finding): number {
  return (
    a.path.localeCompare(b.path) ||
    (a.range?.start.line ?? -1) - (b.range?.start.line ?? -1) ||
    (a.range?.start.character ?? -1) - (b.range?.start.character ?? -1) ||
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    a.code.localeCompare(b.code)
  );
}

/**
 * An engine error: a finding that stops the operation it happened in. Thrown only
 * across the engine boundary by `failWith`, caught by the adapters, which print it.
 */
export class EngineError extends Error {
  constructor(readonly finding: Finding) {
    super(`${finding.path ? finding.path + ': ' : ''}${finding.message}`);
    this.name = 'EngineError';
  }
}

export function failWith(code: FindingCode, path: string, message: string): never {
  throw new EngineError(finding(code, path, message));
}

/**
 * BLOB findings that mean the message body is gone (a double gzip or bytes after the
 * stream still hold it): the check names the referencing items on them and counts
 * them, with blob.missing, as lost bodies per account.
 */
export const LOST_BODY_CODES: ReadonlySet<FindingCode> = new Set<FindingCode>([
  'blob.corrupted',
  'blob.truncated',
  'blob.empty',
  'blob.not-gzip',
]);
