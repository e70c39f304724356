/**
 * zxb getItem <path> <account> <itemId>: an item's state at a date (or every state
 * with --date all, like zxsuite's itemStates), with its folder path at that time
 * and its BLOB; --dump-blob writes the decompressed BLOB.
 */
import * as path from 'node:path';
import type { Command } from 'commander';
import {
  analyzeItemBytes,
  blobNameFinding,
  blobReferences,
  itemNeighbourFindings,
  folderAt,
  pointerLocator,
  type ItemNeighbours,
  DUMP_BLOB_MAX_BYTES,
  firstTransaction,
  schemasFor,
  readFileCapped,
  itemRelPath,
  stateAt,
  type BackupPath,
  type BlobVerification,
  type Finding,
  hasErrors,
  type ItemHistory,
  type ItemStateAt,
  type Transaction,
} from '../../engine';
import { openBackup, readDate, readItemId, type CliContext, type CommandResult, type PointSpec } from '../context';
import { usageError } from '../errors';
import { FolderChain } from '../folders';
import { envelope, formatBytes, jsonDate, renderKeyValues, showDate, type Cell } from '../output';
import { transactionJson, typeNameOf } from '../present';
import { blobFinding, blobJson, sizeMismatch } from '../blobCheck';
import { DUMP_INLINE_LIMIT, type BlobJson, type ItemJson, type ItemStateJson } from '../shapes';
import type { Runner } from '../runner';

interface Options {
  date?: string;
  dumpBlob?: boolean;
  force?: boolean;
  retentionDays?: string;
}

export function registerGetItem(program: Command, run: Runner): void {
  program
    .command('getItem')
    .description('show the state of an item at a date, or every state with --date all')
    .argument('<path>', 'the backup path')
    .argument('<account>', 'e-mail address or zimbraId')
    .argument('<itemId>', 'the item id')
    .option('--date <date>', 'dd/MM/yyyy HH:mm:ss, ISO 8601, first, last or all', 'last')
    .option('--dump-blob', 'write the decompressed BLOB to stdout (raw bytes; with --json, base64 if small)')
    .option('--force', 'with --dump-blob: write raw bytes even to a terminal')
    .option('--retention-days <n>', 'a deletion longer ago is reported as purge due (as doCoherencyCheck)', '30')
    .option('--json', 'print JSON (see docs/cli.md)')
    .action((backupPath: string, account: string, itemId: string, opts: Options, cmd: Command) =>
      run(cmd, (ctx) => getItem(ctx, backupPath, account, itemId, opts)),
    );
}

type State = ItemStateAt & { at?: number };

export async function getItem(
  ctx: CliContext,
  root: string,
  accountArg: string,
  itemArg: string,
  opts: Options,
): Promise<CommandResult> {
  const z = ctx.zone;
  const spec = readDate('--date', opts.date, z);
  if (opts.dumpBlob && spec.kind === 'all')
    usageError('--dump-blob needs one state: give --date a date, first or last, not "all"');
  if (opts.dumpBlob && !ctx.json && ctx.stdoutIsTty && !opts.force) {
    usageError('--dump-blob writes raw bytes: redirect stdout to a file (> message.eml) or add --force');
  }
  const itemId = readItemId(itemArg);
  const retentionDays = Number(opts.retentionDays ?? '30');
  if (!/^\d{1,6}$/.test(opts.retentionDays ?? '30'))
    usageError(`--retention-days: give a number of days, not "${opts.retentionDays}"`);
  const backup = await openBackup(root);
  const account = await backup.requireAccount(accountArg);
  const file = itemRelPath(account.zimbraId, itemId);
  // Read once: the same bytes feed the typed parser and the schema validation.
  const read = await readFileCapped(backup.abs(file), file);
  if (!read.ok && read.missing)
    usageError(`no item ${itemId} in account ${account.name} (${file} does not exist)`, 'usage.unknown-item', file);
  // The item is also validated against the JSON Schema (ours, or the user's with --schema-dir).
  const history: ItemHistory = read.ok
    ? analyzeItemBytes(read.bytes, file, { fileItemId: itemId, schema: schemasFor(ctx.schemaDir) })
    : { path: file, fileItemId: itemId, transactions: [], findings: [read.finding], parsed: false };
  const findings: Finding[] = [...history.findings];

  // One state per transaction with --date all; otherwise the state at the date (first = the item's first transaction).
  let states: State[];
  let point: Exclude<PointSpec, { kind: 'first' }> | undefined;
  if (spec.kind === 'all') {
    states = history.transactions.map((tx) => {
      const s: State = { status: tx.deleted ? 'deleted' : 'live', transaction: tx };
      if (tx.start !== undefined) s.at = tx.start;
      return s;
    });
  } else {
    const first = firstTransaction(history)?.start;
    point = spec.kind === 'first' ? (first !== undefined ? { kind: 'instant', at: first } : { kind: 'last' }) : spec;
    const s: State = stateAt(history, point);
    if (point.kind === 'instant') s.at = point.at;
    states = history.parsed ? [s] : [];
  }

  const folders = new FolderChain(backup, account.zimbraId);
  const blobs = new Map<string, BlobVerification>();
  const declaredSizes = new Map(blobReferences(history).map((r) => [r.digest, r.declared]));
  const stateJsons: ItemStateJson[] = [];
  for (const s of states) {
    const tx = s.transaction;
    let folder: ItemStateJson['folder'] = null;
    if (tx?.folderId !== undefined) {
      const when = s.at !== undefined ? ({ kind: 'instant', at: s.at } as const) : ({ kind: 'last' } as const);
      folder = { id: tx.folderId, path: (await folders.pathAt(tx.folderId, when)) ?? null };
    }
    let blob: BlobJson | null = null;
    if (typeof tx?.digest === 'string') {
      let v = blobs.get(tx.digest);
      if (!v) {
        v = await backup.blobs.verify(tx.digest);
        blobs.set(tx.digest, v);
        const f = blobFinding(backup, tx.digest, v);
        if (f) findings.push(f);
        // Not at home but in another prefix folder: the check's blob.wrong-folder, on the BLOB (not missing).
        const misplaced = v.status === 'missing' ? await backup.blobs.misplacedRelPath(tx.digest) : undefined;
        const wrong = misplaced && blobNameFinding(misplaced, tx.digest, misplaced.split('/')[1]!);
        if (wrong) findings.push(wrong);
      }
      // The size the item declares for this BLOB (its last transaction's), as the check compares it.
      const mismatch = sizeMismatch(backup, tx.digest, v, declaredSizes.get(tx.digest));
      if (mismatch && !findings.some((f) => f.code === mismatch.code && f.message === mismatch.message))
        findings.push(mismatch);
      blob = blobJson(backup, tx.digest, v);
    }
    stateJsons.push({
      at: jsonDate(s.at, z),
      status: s.status,
      transaction: tx ? transactionJson(tx, z) : null,
      folder,
      blob,
    });
  }

  // The item's cross-file rules (missing BLOB, unknown folder, purge due), as the check and the language server judge them.
  if (read.ok && history.parsed) {
    const rangeOf = pointerLocator(read.bytes.toString('utf8').replace(/^\uFEFF/, ''));
    findings.push(
      ...(await itemNeighbourFindings(history, neighboursOf(backup, account.zimbraId), {
        now: Date.now(),
        retentionDays,
        rangeOf,
      })),
    );
  }

  const json: ItemJson = {
    ...envelope('getItem', z, findings),
    backupPath: backup.root,
    account: { zimbraId: account.zimbraId, name: account.name },
    itemId,
    file,
    date: spec.kind === 'all' ? 'all' : point?.kind === 'instant' ? jsonDate(point.at, z)! : 'last',
    states: stateJsons,
  };
  const result: CommandResult = { findings, json, text: renderItem(json, states, z), failed: !history.parsed };
  if (opts.dumpBlob) await dumpBlob(backup, states[0], stateJsons[0], result, itemId, ctx.json);
  // Every finding here is about the one item asked for (its file, its BLOBs).
  if (hasErrors(findings)) result.failed = true;
  return result;
}

async function dumpBlob(
  backup: BackupPath,
  state: State | undefined,
  stateJson: ItemStateJson | undefined,
  result: CommandResult,
  itemId: number,
  json: boolean,
): Promise<void> {
  const digest = state?.transaction?.digest;
  if (typeof digest !== 'string' || !stateJson?.blob)
    usageError(`--dump-blob: item ${itemId} has no BLOB in that state`);
  // Without --json stdout carries the BLOB alone: nothing else goes there, even on failure.
  if (!json) result.text = '';
  // Decompressed in memory, so only up to DUMP_BLOB_MAX_BYTES; a gzip bomb is not decompressed at all.
  const read = await backup.blobs.read(digest, DUMP_BLOB_MAX_BYTES);
  if (!read.ok) {
    const abs = backup.abs(stateJson.blob.path ?? '');
    if (read.over !== undefined) {
      const why = `the BLOB is over ${read.over} bytes; copy it with: gunzip -c '${abs}'`;
      if (!json) usageError(`--dump-blob: ${why}`);
      stateJson.blob.contentOmitted = why;
    } else {
      const { status, detail } = read.verification;
      stateJson.blob.contentOmitted = `the BLOB cannot be read (${status}${detail ? `: ${detail}` : ''})`;
    }
    // The BLOB's finding (missing, damaged…) is already in the result; an unreadable one may have none.
    result.failed = true;
    return;
  }
  if (read.content.length <= DUMP_INLINE_LIMIT) stateJson.blob.content = read.content.toString('base64');
  else
    stateJson.blob.contentOmitted = `${read.content.length} bytes is over the ${DUMP_INLINE_LIMIT}-byte limit for JSON; dump it without --json`;
  if (!json) result.raw = read.content;
}

function fieldRows(tx: Transaction, z: string): [string, Cell][] {
  const flags = tx.flags === undefined ? undefined : transactionJson(tx, z).flags;
  const rows: [string, Cell][] = [
    ['transaction id', tx.transactionId],
    ['start date', showDate(tx.start, z)],
    ['end date', tx.end === null ? 'still valid' : showDate(tx.end, z)],
    ['type', typeNameOf(tx.type)],
    ['deleted', tx.deleted],
  ];
  const optional: [string, Cell][] = [
    ['id', tx.itemId],
    ['parent id', tx.parentId],
    ['name', tx.name],
    ['subject', tx.subject],
    ['sender', tx.sender],
    ['recipients', tx.recipients],
    ['date', tx.date === undefined ? undefined : showDate(tx.date * 1000, z)],
    [
      'size',
      tx.size === undefined
        ? undefined
        : tx.size < 1024
          ? `${tx.size} bytes`
          : `${tx.size} bytes (${formatBytes(tx.size)})`,
    ],
    [
      'flags',
      flags
        ? `${flags.mask}${flags.names.length ? ` (${flags.names.join(', ')})` : ''}${flags.unknownBits ? ` unknown bits ${flags.unknownBits}` : ''}`
        : undefined,
    ],
    ['tags', tx.tags && tx.tags.length > 0 ? tx.tags.join(', ') : undefined],
    ['color', tx.color],
    ['version', tx.version],
    ['mod metadata', tx.modMetadata],
    ['mod content', tx.modContent],
    ['change date', tx.changeDate === undefined ? undefined : showDate(tx.changeDate * 1000, z)],
    ['digest', tx.digest],
    ['metadata', tx.metadata],
  ];
  for (const r of optional) if (r[1] !== undefined && r[1] !== null) rows.push(r);
  for (const [k, v] of Object.entries(tx.extra)) rows.push([`${k} (unknown key)`, JSON.stringify(v)]);
  return rows;
}

function renderItem(json: ItemJson, states: readonly State[], z: string): string {
  let text = renderKeyValues([
    ['account', `${json.account.name} (${json.account.zimbraId})`],
    ['item', json.itemId],
    ['file', json.file],
    ['time zone', z],
  ]);
  if (states.length === 0) return text + '\nno state can be read from the item file\n';
  json.states.forEach((sj, i) => {
    const s = states[i]!;
    const when =
      json.date === 'all'
        ? `state ${i + 1} of ${states.length}`
        : `state at ${s.at === undefined ? 'the latest date' : showDate(s.at, z)}`;
    text += `\n${when}: ${sj.status}\n`;
    if (!s.transaction) return;
    const rows = fieldRows(s.transaction, z);
    if (sj.folder) rows.splice(4, 0, ['folder', `${sj.folder.path ?? '(unknown at that date)'} (${sj.folder.id})`]);
    if (sj.blob) {
      rows.push(['blob path', sj.blob.path === null ? '(invalid digest)' : path.join(json.backupPath, sj.blob.path)]);
      rows.push([
        'blob status',
        `${sj.blob.status}${sj.blob.compressedSize !== null ? `, ${formatBytes(sj.blob.compressedSize)} on disk` : ''}`,
      ]);
    }
    text += renderKeyValues(rows, '  ');
  });
  return text;
}

/**
 * The item's neighbours read lazily from the backup path; a folder is judged by the
 * point-in-time evaluator on its own file.
 */
function neighboursOf(backup: BackupPath, zimbraId: string): ItemNeighbours {
  const folders = new Map<number, Promise<ItemHistory | undefined>>();
  return {
    // As the check and the server: only a regular file counts (a link or a folder at the BLOB's path does not).
    hasBlob: (digest) => backup.blobs.existsAnywhere(digest),
    folderExists: async (folderId, at) => {
      let h = folders.get(folderId);
      if (!h) folders.set(folderId, (h = backup.readItem(zimbraId, folderId)));
      return folderAt(await h, folderId, { kind: 'instant', at }) !== undefined;
    },
  };
}
