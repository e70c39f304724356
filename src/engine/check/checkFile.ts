/**
 * The check of a single file, for the language server: the same codes as the full
 * check for everything that needs only this file (cross-file findings such as
 * blob.missing or item.unknown-folder need the whole backup path: runCoherencyCheck).
 */
import * as path from 'node:path';
import type { Finding } from '../findings';
import { classifyRelPath } from '../layout';
import { checkedKindOf } from '../fileKinds';
import { badItemNameFinding, blobNameFinding, interruptedWriteFinding, wrongBucketOf } from '../rules';
import { checkFileJob, checkMetadataBytes } from './fileCheck';
import type { CheckContext, FileResult } from './types';

export interface CheckFileOptions {
  now?: number;
  /** BLOB content is verified unless false (it costs a gunzip and a SHA-256). */
  verifyBlobs?: boolean;
}

/** `text`: the editor's unsaved content; without it the file is read from disk. */
export async function checkFile(
  root: string,
  relPath: string,
  text?: string,
  opts: CheckFileOptions = {},
): Promise<Finding[]> {
  const rel = relPath.replace(/\\/g, '/').replace(/^\/+/, '');
  const ctx: CheckContext = {
    root: path.resolve(root),
    level: 'blobs',
    now: opts.now ?? Date.now(),
    fixDoubleGzip: 'check',
  };
  const kind = classifyRelPath(rel);
  const out: Finding[] = [];
  const tag = checkedKindOf(kind);
  // What the check's walk judges from the name alone.
  if (kind.kind === 'item' || kind.kind === 'drive-item') {
    const wrong = wrongBucketOf(rel, kind);
    if (wrong) out.push(wrong);
  } else if (kind.kind === 'blob') {
    const named = blobNameFinding(rel, kind.digest, kind.prefix);
    if (named?.code === 'blob.bad-name') return [named];
    if (named) out.push(named);
  }
  if (tag === undefined) {
    const parts = rel.split('/');
    const interrupted = interruptedWriteFinding(rel, parts[parts.length - 1] ?? '');
    if (interrupted) return [interrupted];
    const badName =
      parts[0] === 'accounts' && parts[2] === 'items' && parts.length === 5
        ? badItemNameFinding(rel, parts[4] ?? '')
        : undefined;
    return badName ? [badName] : [];
  }
  if (tag === 'blob' && opts.verifyBlobs === false) return out;
  let result: FileResult;
  if (text !== undefined && tag !== 'blob') {
    result = { rel, kind: tag, findings: [], facts: { kind: 'none' }, bytes: text.length };
    checkMetadataBytes(rel, tag, text, ctx, result);
  } else {
    result = await checkFileJob({ rel, kind: tag }, ctx);
  }
  return [...out, ...result.findings];
}
