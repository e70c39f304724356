/**
 * One work item of the coherency check, run where the pool puts it (a worker thread,
 * or this thread with --jobs 0): list the folder if it is one, judge the names, check
 * each file's content and fold the results into BatchFacts.
 */
import type { Dirent } from 'node:fs';
import { say } from '../findings';
import { absOf, listDirSync } from '../fsx';
import { BLOBS_DIR } from '../layout';
import {
  badItemNameFinding,
  blobNameFinding,
  interruptedWriteFinding,
  strayEntryFinding,
  wrongBucketFinding,
} from '../rules';
import { isDigestName } from '../digestName';
import { checkFileJobSync, checkStreamedBlob } from './fileCheck';
import { FactsBuilder } from './factsBuilder';
import { inSample } from './sample';
import type { BatchFacts, CheckContext, ExpectedStats, FileJob, FileResult, FileStat, WorkItem } from './types';

export async function runWorkItem(item: WorkItem, ctx: CheckContext): Promise<BatchFacts> {
  const b = new FactsBuilder(ctx);
  switch (item.type) {
    case 'files':
      for (const job of item.files) await checkOne(job, ctx, b, item.records);
      break;
    case 'item-folders': {
      const expect = expectations(item.expect);
      for (const rel of item.folders) await itemFolder(item, rel, ctx, b, expect);
      break;
    }
    case 'blob-folders': {
      const expect = expectations(item.expect);
      for (const name of item.folders) await blobFolder(item, `${BLOBS_DIR}/${name}`, ctx, b, expect);
      break;
    }
  }
  return b.finish();
}

/** Synchronous unless the file is a BLOB too big to read at once: no promise per file. */
function checkOne(job: FileJob, ctx: CheckContext, b: FactsBuilder, records: boolean): Promise<void> | undefined {
  const sync = checkFileJobSync(job, ctx);
  if (sync !== 'stream') return void fold(sync, b, records);
  return checkStreamedBlob(job, ctx).then((r) => fold(r, b, records));
}

function fold(r: FileResult, b: FactsBuilder, records: boolean): void {
  // The cached result stands: the main thread has it and counts it.
  if (r.unchanged) b.out.unchanged.push(r.rel);
  else b.add(r, records);
}

/** The cached stats of a work item by rel, built once per work item in the worker. */
function expectations(expect: ExpectedStats | undefined): Map<string, FileStat> | undefined {
  if (!expect) return undefined;
  const m = new Map<string, FileStat>();
  const s = expect.stats;
  expect.rels.forEach((rel, i) => m.set(rel, { size: s[3 * i]!, mtimeMs: s[3 * i + 1]!, ino: s[3 * i + 2]! }));
  return m;
}

function list(ctx: CheckContext, rel: string, b: FactsBuilder, report: boolean): Dirent[] | undefined {
  const listing = listDirSync(absOf(ctx.root, rel), rel);
  if (listing.ok) return listing.entries;
  b.out.listFailed = true;
  if (report) b.out.findings.push(listing.finding);
  return undefined;
}

async function itemFolder(
  item: Extract<WorkItem, { type: 'item-folders' }>,
  folderRel: string,
  ctx: CheckContext,
  b: FactsBuilder,
  expectations: Map<string, FileStat> | undefined,
): Promise<void> {
  const entries = list(ctx, folderRel, b, true);
  if (!entries) return;
  const bucket = folderRel.slice(folderRel.lastIndexOf('/') + 1);
  const tree = item.drive ? 'drive_items' : 'items';
  const o = b.out;
  for (const f of entries) {
    const rel = `${folderRel}/${f.name}`;
    if (f.isSymbolicLink()) {
      o.findings.push(say('io.symlink', rel, { rel: rel }));
      continue;
    }
    // A temp file of an interrupted write of ours is that, whatever its name would otherwise break.
    const interrupted = interruptedWriteFinding(rel, f.name);
    if (interrupted || !f.isFile()) {
      o.findings.push(interrupted ?? strayEntryFinding(rel, f.name, 'an item file'));
      continue;
    }
    if (item.drive) {
      const wrong = wrongBucketFinding(rel, tree, f.name, bucket);
      if (wrong) o.findings.push(wrong);
    } else {
      const badName = badItemNameFinding(rel, f.name);
      if (badName) {
        o.findings.push(badName);
        continue;
      }
      const wrong = wrongBucketFinding(rel, tree, f.name, bucket);
      if (wrong) o.findings.push(wrong);
      // The account has the item when its file is in its home bucket, a regular file: where getItem and
      // the language server look it up (itemRelPath), so idmap.unknown-item is one rule on every surface.
      else o.itemIds.push(Number(f.name));
    }
    o.items++;
    if (!item.read) {
      o.files++; // level structure: listed is checked
      continue;
    }
    const job: FileJob = { rel, kind: item.drive ? 'drive-item' : 'item', stat: item.records };
    const expect = expectations?.get(rel);
    if (expect) job.expect = expect;
    const pending = checkOne(job, ctx, b, item.records);
    if (pending) await pending;
  }
}

async function blobFolder(
  item: Extract<WorkItem, { type: 'blob-folders' }>,
  folderRel: string,
  ctx: CheckContext,
  b: FactsBuilder,
  expectations: Map<string, FileStat> | undefined,
): Promise<void> {
  const entries = list(ctx, folderRel, b, item.layout);
  if (!entries) return;
  const prefix = folderRel.slice(folderRel.lastIndexOf('/') + 1);
  const o = b.out;
  for (const f of entries) {
    const rel = `${folderRel}/${f.name}`;
    const valid = f.isFile() && isDigestName(f.name) && f.name.slice(0, 2) === prefix;
    if (!valid) {
      if (!item.layout) continue;
      if (f.isSymbolicLink()) o.findings.push(say('io.symlink', rel, { rel: rel }));
      else if (!f.isFile()) o.findings.push(strayEntryFinding(rel, f.name, 'a BLOB'));
      else o.findings.push(interruptedWriteFinding(rel, f.name) ?? blobNameFinding(rel, f.name, prefix)!);
      continue;
    }
    b.present.push(f.name);
    if (!item.verify) continue;
    const verify = inSample(f.name, item.sample);
    const job: FileJob = { rel, kind: 'blob', verify };
    const expect = expectations?.get(rel);
    if (expect) job.expect = expect;
    const pending = checkOne(job, ctx, b, item.records);
    if (pending) await pending;
  }
}
