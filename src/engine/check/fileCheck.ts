/**
 * The check of one file's content: the same code runs in the worker threads, in
 * this thread (--jobs 0) and for the language server (checkFile). It reads with
 * O_NOFOLLOW, so a link swapped in after the listing is still never followed.
 */
import { closeSync, constants as fsc, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import { finding, type Finding } from '../findings';
import { ioFailureFinding, MAX_METADATA_BYTES, notRegularFileFinding } from '../fsx';
import { analyzeItemBytes, analyzeItemText, type AnalyzeItemOptions } from '../item/analyze';
import { lifeSpan } from '../item/history';
import { folderLifetimes } from '../pointInTime';
import type { ItemHistory } from '../item/types';
import { JSON_FILE_READERS, type JsonFileKind } from '../files/readers';
import { classifyRelPath } from '../layout';
import { schemaKindOfFile } from '../fileKinds';
import { parseIdMapper, parseMapFile } from '../files/maps';
import { verifyBlobBytes, verifyBlobStream, type BlobVerification } from '../blobs';
import { STREAM_BLOB_BYTES } from '../blobLimits';
import { FOLDER_LIKE_TYPES } from '../zimbra';
import { blobReferences, blobStatusFinding, isFolderReference } from '../rules';
import { mergeSchemaFindings, schemasFor, type SchemaKind } from '../schema';
import { isUtf8 } from 'node:buffer';
import type { CheckContext, FileFacts, FileJob, FileResult, FileStat, FolderInterval, FolderUse } from './types';

const NONE: FileFacts = { kind: 'none' };

export async function checkFileJob(job: FileJob, ctx: CheckContext): Promise<FileResult> {
  const out = checkFileJobSync(job, ctx);
  return out === 'stream' ? checkStreamedBlob(job, ctx) : out;
}

/** A BLOB too big to read at once, after checkFileJobSync said 'stream'. */
export async function checkStreamedBlob(job: FileJob, ctx: CheckContext): Promise<FileResult> {
  const result: FileResult = { rel: job.rel, kind: job.kind, findings: [], facts: NONE, bytes: 0 };
  try {
    const abs = `${ctx.root}/${job.rel}`;
    const v = await verifyBlobStream(abs, digestOf(job.rel));
    result.stat = statOf(lstatSync(abs));
    result.bytes = result.stat.size;
    blobFindings(job.rel, v, ctx, result);
  } catch (err) {
    ioFailure(job.rel, err, result);
  }
  return result;
}

/**
 * The synchronous check: a worker thread has nothing else to do, and a promise per
 * call costs more than the read. 'stream' means a BLOB too big to read at once.
 */
export function checkFileJobSync(job: FileJob, ctx: CheckContext): FileResult | 'stream' {
  // rel uses forward slashes, which every platform's file API accepts.
  const abs = `${ctx.root}/${job.rel}`;
  const out: FileResult = { rel: job.rel, kind: job.kind, findings: [], facts: NONE, bytes: 0 };
  let fd: number | undefined;
  try {
    fd = openSync(abs, fsc.O_RDONLY | (fsc.O_NOFOLLOW ?? 0));
    if (job.stat === false && job.kind !== 'blob' && !job.expect) {
      // Nobody needs the stat (no cache): read to the end, and skip fstat and its Stats object.
      const bytes = readToEnd(fd, MAX_METADATA_BYTES);
      if (!bytes) {
        const size = fstatSync(fd).size;
        out.bytes = size;
        out.findings.push(
          finding(
            'io.too-large',
            job.rel,
            `${job.rel} is ${size} bytes, over the ${MAX_METADATA_BYTES}-byte limit for metadata`,
          ),
        );
        return out;
      }
      out.bytes = bytes.length;
      checkMetadataBytes(job.rel, job.kind, bytes, ctx, out);
      return out;
    }
    const st = fstatSync(fd);
    out.stat = statOf(st);
    if (job.expect && sameStat(job.expect, out.stat)) {
      out.unchanged = true;
      return out;
    }
    if (!st.isFile()) {
      out.findings.push(notRegularFileFinding(job.rel));
      return out;
    }
    if (job.kind === 'blob') {
      if (job.verify === false) {
        out.facts = { kind: 'blob', status: 'unverified', sampled: false };
        return out;
      }
      if (st.size > STREAM_BLOB_BYTES) return 'stream';
      // A BLOB that inflates past the in-memory bound is verified again as a stream.
      const v = verifyBlobBytes(readAll(fd, st.size), digestOf(job.rel));
      if (v === 'stream') return 'stream';
      out.bytes = st.size;
      blobFindings(job.rel, v, ctx, out);
      return out;
    }
    if (st.size > MAX_METADATA_BYTES) {
      out.findings.push(
        finding(
          'io.too-large',
          job.rel,
          `${job.rel} is ${st.size} bytes, over the ${MAX_METADATA_BYTES}-byte limit for metadata`,
        ),
      );
      return out;
    }
    const bytes = readAll(fd, st.size);
    out.bytes = bytes.length;
    checkMetadataBytes(job.rel, job.kind, bytes, ctx, out);
  } catch (err) {
    ioFailure(job.rel, err, out);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return out;
}

/**
 * One read buffer per thread, reused: the bytes are consumed (decoded, gunzipped)
 * before the next read and nothing keeps a reference to them, so files up to
 * SCRATCH_MAX cost no allocation and no garbage.
 */
const SCRATCH_MAX = 4 * 1024 * 1024;
let scratch = Buffer.allocUnsafeSlow(64 * 1024);

/** Reads `size` bytes (the size fstat gave: readFileSync would fstat again). Valid until the next call. */
function readAll(fd: number, size: number): Buffer {
  if (size > scratch.length && size <= SCRATCH_MAX)
    scratch = Buffer.allocUnsafeSlow(Math.min(SCRATCH_MAX, 2 ** Math.ceil(Math.log2(size))));
  const buf = size <= scratch.length ? scratch.subarray(0, size) : Buffer.allocUnsafe(size);
  let off = 0;
  while (off < size) {
    const n = readSync(fd, buf, off, size - off, off);
    if (n === 0) break;
    off += n;
  }
  return off === size ? buf : buf.subarray(0, off);
}

/**
 * Reads until end of file into the scratch buffer (the last read returns 0: a short
 * read alone does not prove the end on every file system). Undefined past `cap` bytes.
 */
function readToEnd(fd: number, cap: number): Buffer | undefined {
  let buf = scratch;
  let off = 0;
  for (;;) {
    if (off === buf.length) {
      if (off > cap) return undefined;
      const bigger = Buffer.allocUnsafeSlow(Math.min(buf.length * 2, cap + 1));
      buf.copy(bigger, 0, 0, off);
      buf = bigger;
      if (buf.length <= SCRATCH_MAX) scratch = buf;
    }
    const n = readSync(fd, buf, off, buf.length - off, off);
    if (n === 0) return buf.subarray(0, off);
    off += n;
  }
}

function statOf(st: { size: number; mtimeMs: number; ino: number }): FileStat {
  return { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
}

function ioFailure(rel: string, err: unknown, out: FileResult): void {
  out.findings.push(ioFailureFinding(rel, err));
}

export function sameStat(a: FileStat, b: FileStat): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

function digestOf(rel: string): string {
  return rel.slice(rel.lastIndexOf('/') + 1);
}

/** Metadata files: parse with the typed parsers and collect the facts cross-file checks need. */
export function checkMetadataBytes(
  rel: string,
  kind: FileJob['kind'],
  bytes: Uint8Array | string,
  ctx: CheckContext,
  out: FileResult,
): void {
  const schema = schemasFor(ctx.schemaDir);
  if (kind === 'item' || kind === 'drive-item') {
    const opts: AnalyzeItemOptions = { now: ctx.now, schema };
    if (kind === 'item') opts.fileItemId = Number(rel.slice(rel.lastIndexOf('/') + 1));
    const h = typeof bytes === 'string' ? analyzeItemText(bytes, rel, opts) : analyzeItemBytes(bytes, rel, opts);
    for (const f of h.findings) out.findings.push(f);
    out.facts = itemFacts(h);
    return;
  }
  switch (kind) {
    case 'account-file':
    case 'root-backupstat': {
      const file = classifyRelPath(rel);
      const schemaKind = schemaKindOfFile(file) as JsonFileKind;
      const accountId = file.kind === 'account-file' ? file.accountId : undefined;
      const parsed = JSON_FILE_READERS[schemaKind](bytes, rel, accountId);
      out.findings.push(...withSchema(schemaKind, bytes, rel, parsed, ctx));
      return;
    }
    case 'map': {
      const parsed = parseMapFile(bytes, rel);
      out.findings.push(...withSchema('map', bytes, rel, parsed, ctx));
      out.facts = { kind: 'map', destinations: (parsed.value?.accounts ?? []).map((a, i) => [a.destinationId, i]) };
      return;
    }
    case 'id-mapper': {
      if (typeof bytes !== 'string' && !isUtf8(bytes)) {
        out.findings.push(finding('idmap.bad-line', rel, 'id_mapper.log is not valid UTF-8 text'));
        out.facts = { kind: 'id-mapper', targets: [] };
        return;
      }
      const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
      const parsed = parseIdMapper(text, rel);
      out.findings.push(...parsed.findings);
      out.facts = {
        kind: 'id-mapper',
        targets: parsed.mappings.map((m) => [m.destinationItemId, m.line, ...m.destinationColumns]),
      };
      return;
    }
    case 'blob':
      return;
  }
}

/**
 * A small JSON file's typed findings and the schema findings they do not explain, when
 * the typed reader accepted it (the same rule as the language server's and getItem's).
 */
function withSchema(
  kind: SchemaKind,
  bytes: Uint8Array | string,
  rel: string,
  parsed: { value?: unknown; findings: Finding[] },
  ctx: CheckContext,
): Finding[] {
  if (parsed.value === undefined) return parsed.findings;
  const raw =
    typeof bytes === 'string' ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  return mergeSchemaFindings(parsed.findings, schemasFor(ctx.schemaDir).check(kind, JSON.parse(text), text, rel));
}

/** Digests referenced, folder lifetimes and folder uses, deletion time: all an item's cross-file checks need. */
export function itemFacts(h: ItemHistory): FileFacts {
  const digests: [string, number, number][] = blobReferences(h).map((r) => [r.digest, r.declared, r.tx]);
  const folderDefs: FolderInterval[] = [];
  const folderUses: FolderUse[] = [];
  let isFolder = false;
  let itemId: number | undefined;
  for (const tx of h.transactions) {
    itemId ??= tx.itemId;
    if (tx.start === undefined || tx.deleted) continue;
    if (tx.type !== undefined && FOLDER_LIKE_TYPES.has(tx.type)) isFolder = true;
    // A folder's folder-id is its parent; the root folders are their own parents.
    if (isFolderReference(tx, h.fileItemId)) folderUses.push([tx.folderId!, tx.start, tx.index]);
  }
  // When the folder exists, by the evaluator's rule (overlapping transactions: the latest in the file wins).
  if (isFolder) for (const l of folderLifetimes(h)) folderDefs.push([l[0], l[1], l[2]]);
  const facts: FileFacts = { kind: 'item', digests, folderDefs, folderUses, parsed: h.parsed, isFolder };
  const id = itemId ?? h.fileItemId;
  if (id !== undefined) facts.itemId = id;
  const deletedAt = lifeSpan(h).deletedAt;
  if (deletedAt !== undefined) facts.deletedAt = deletedAt;
  return facts;
}

function blobFindings(rel: string, v: BlobVerification, ctx: CheckContext, out: FileResult): void {
  const f = blobStatusFinding(rel, v, { reportDoubleGzip: ctx.fixDoubleGzip !== 'skip' });
  if (f) out.findings.push(f);
  const facts: FileFacts = { kind: 'blob', status: v.status, sampled: true };
  if (v.size !== undefined) facts.size = v.size;
  out.facts = facts;
}
