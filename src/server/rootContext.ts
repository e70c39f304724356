/**
 * Per-backup-path caches for cross-file facts (BLOB existence, folder states), so a
 * document's diagnostics read each neighbour once. didChangeWatchedFiles drops them.
 */
import { promises as fs } from 'node:fs';
import { BlobStore, toRelPath } from '../engine';
import { FolderIndex } from './folderIndex';

export class RootContext {
  readonly blobs: BlobStore;
  readonly folders: FolderIndex;
  private readonly blobExists = new Map<string, Promise<boolean>>();
  private readonly fileExists = new Map<string, Promise<boolean>>();

  constructor(readonly root: string) {
    this.blobs = new BlobStore(root);
    this.folders = new FolderIndex(root);
  }

  hasBlob(digest: string): Promise<boolean> {
    let p = this.blobExists.get(digest);
    if (!p) {
      // A BLOB in the wrong prefix folder is not missing (the check reports it as blob.wrong-folder, on the BLOB).
      p = this.blobs.existsAnywhere(digest);
      this.blobExists.set(digest, p);
    }
    return p;
  }

  /** Whether a regular file exists at an absolute path (cached). */
  hasFile(abs: string): Promise<boolean> {
    let p = this.fileExists.get(abs);
    if (!p) {
      p = fs.lstat(abs).then(
        (st) => st.isFile(),
        () => false,
      );
      this.fileExists.set(abs, p);
    }
    return p;
  }

  invalidate(absPath?: string): void {
    if (absPath === undefined) {
      this.blobExists.clear();
      this.fileExists.clear();
      this.folders.invalidate();
      return;
    }
    this.fileExists.delete(absPath);
    const rel = toRelPath(this.root, absPath);
    if (rel.startsWith('items/')) this.blobExists.delete(rel.split('/').pop() ?? '');
    else this.folders.invalidate(rel);
  }
}

export class RootContexts {
  private readonly byRoot = new Map<string, RootContext>();

  get(root: string): RootContext {
    let c = this.byRoot.get(root);
    if (!c) {
      c = new RootContext(root);
      this.byRoot.set(root, c);
    }
    return c;
  }

  /** A file changed on disk: drop what any context knows about it. */
  invalidate(absPath: string): void {
    for (const c of this.byRoot.values()) if (absPath.startsWith(c.root)) c.invalidate(absPath);
  }

  clear(): void {
    for (const c of this.byRoot.values()) c.invalidate();
  }
}
