/**
 * The one writer of hand-made backup paths for tests: files where docs/backup-format.md
 * puts them (item files, account files, BLOBs gzip-compressed under their digest), in a
 * fresh temp folder. The server's and the CLI's fixtures are built with it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { blobRelPath, computeDigest, itemRelPath } from '../../src/engine';

export type Tx = Record<string, unknown>;

/** A fresh folder under the system temp folder, named `zxb-<prefix>-…`. */
export function tempFolder(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `zxb-${prefix}-`));
}

/** Item text as the tests search it: pretty-printed, so positions are easy to find. */
export function itemText(history: unknown, trailingNewline = false): string {
  return JSON.stringify(history, null, 2) + (trailingNewline ? '\n' : '');
}

/** A transaction array with contiguous intervals: each change starts when the previous one ends. */
export function history(id: number, type: number, base: Tx, changes: [number, Tx][]): Tx[] {
  return changes.map(([start, change], i) => ({
    'transaction-id': i + 1,
    'start-date': start,
    'end-date': changes[i + 1]?.[0] ?? null,
    id,
    type,
    ...base,
    ...change,
  }));
}

export class TestBackup {
  /** `root`: an existing folder to write into; by default a fresh temp folder. */
  constructor(readonly root: string = tempFolder('backup')) {}

  static temp(prefix: string): TestBackup {
    return new TestBackup(tempFolder(prefix));
  }

  /** Absolute path of a path relative to the backup path (forward slashes). */
  abs(rel: string): string {
    return path.join(this.root, ...rel.split('/'));
  }

  write(rel: string, content: string | Buffer): void {
    mkdirSync(path.dirname(this.abs(rel)), { recursive: true });
    writeFileSync(this.abs(rel), content);
  }

  /** `indent` 0: compact, as JSON.stringify(value) writes it. */
  writeJson(rel: string, value: unknown, indent = 2): void {
    this.write(rel, indent === 0 ? JSON.stringify(value) : JSON.stringify(value, null, indent));
  }

  /** An item file at its home path; `text` turns the transactions into the file's content. */
  item(account: string, id: number, txs: Tx[], text: (txs: Tx[]) => string = (t) => itemText(t)): void {
    this.write(itemRelPath(account, id), text(txs));
  }

  /** A BLOB in the store, gzip-compressed under the digest of its content; returns the digest. */
  blob(content: Buffer): string {
    const digest = computeDigest(content);
    this.write(blobRelPath(digest)!, gzipSync(content));
    return digest;
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
