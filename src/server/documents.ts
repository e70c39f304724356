/**
 * Which backup path a document belongs to and what kind of file it is. The root is
 * found by walking up from the file to the nearest folder that holds accounts/ or a
 * map_* file (or, failing that, items/): an account folder also holds items/, so
 * accounts/ and map_* win over items/.
 */
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { URI } from 'vscode-uri';
import {
  classifyRelPath,
  documentKindOf,
  toRelPath,
  MAP_PREFIX,
  ACCOUNTS_DIR,
  BLOBS_DIR,
  type DocumentKind,
  type FileKind,
} from '../engine';

export type { DocumentKind };

export interface DocumentInfo {
  uri: string;
  /** File-system path, for file: URIs. */
  fsPath?: string;
  /** The backup path holding the file, if any. */
  root?: string;
  /** Path relative to the root, forward slashes (the finding path). */
  rel: string;
  file: FileKind;
  kind: DocumentKind;
}

const rootCache = new Map<string, string | null>();

export function clearRootCache(): void {
  rootCache.clear();
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function hasMapFile(dir: string): boolean {
  try {
    return readdirSync(dir).some((n) => n.startsWith(MAP_PREFIX) && n.length > MAP_PREFIX.length);
  } catch {
    return false;
  }
}

/** The backup path a file lies in, or undefined. Cached per folder. */
export function findBackupRoot(filePath: string): string | undefined {
  const start = path.dirname(path.resolve(filePath));
  const cached = rootCache.get(start);
  if (cached !== undefined) return cached ?? undefined;
  let itemsCandidate: string | undefined;
  let found: string | undefined;
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (isDir(path.join(dir, ACCOUNTS_DIR)) || hasMapFile(dir)) {
      found = dir;
      break;
    }
    if (itemsCandidate === undefined && isDir(path.join(dir, BLOBS_DIR))) itemsCandidate = dir;
    if (path.dirname(dir) === dir) break;
  }
  const root = found ?? itemsCandidate;
  rootCache.set(start, root ?? null);
  return root;
}

export function describeDocument(uri: string, languageId?: string): DocumentInfo {
  let fsPath: string | undefined;
  try {
    const parsed = URI.parse(uri);
    if (parsed.scheme === 'file') fsPath = parsed.fsPath;
  } catch {
    fsPath = undefined;
  }
  const root = fsPath !== undefined ? findBackupRoot(fsPath) : undefined;
  const rel = fsPath !== undefined ? (root !== undefined ? toRelPath(root, fsPath) : path.basename(fsPath)) : uri;
  const file = root !== undefined ? classifyRelPath(rel) : ({ kind: 'other' } as const);
  const info: DocumentInfo = { uri, rel, file, kind: documentKindOf(file, languageId) };
  if (fsPath !== undefined) info.fsPath = fsPath;
  if (root !== undefined) info.root = root;
  return info;
}

/** The account a document belongs to, for cross-file facts. */
export function accountOf(info: DocumentInfo): string | undefined {
  const f = info.file;
  return 'accountId' in f ? f.accountId : undefined;
}

export function fileUri(fsPath: string): string {
  return URI.file(fsPath).toString();
}
