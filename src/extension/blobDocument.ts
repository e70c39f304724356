/**
 * `zxbackup-blob:` documents: a BLOB decompressed, with a header summary on top.
 * Read-only by construction (a content provider), and read straight from the BLOB
 * store with the engine: nothing goes through the language server.
 */
import * as vscode from 'vscode';
import { BlobStore } from './engine';
import { BLOB_SCHEME, blobUri } from '../shared/protocol';
import type { Ctx } from './ctx';
import { blobDocumentFromStore, blobRefFromUriParts, lostByInCheck } from './model/blobSummary';

export class BlobDocumentProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly ctx: Ctx) {}

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const ref = blobRefFromUriParts(uri.path, uri.query);
    if (!ref) return `Not a BLOB address: ${uri.toString(true)}`;
    const check = this.ctx.lastCheck;
    const lost = check && check.root === ref.root ? lostByInCheck(check.result.findings, ref.digest) : [];
    const lostBy = await this.withAccountNames(lost);
    const text = await blobDocumentFromStore(new BlobStore(ref.root), ref.digest, this.ctx.config.timeZone, lostBy);
    return token.isCancellationRequested ? '' : text;
  }

  /** "alice@example.com  accounts/<id>/items/12/312" (the zimbraId where the name is unknown). */
  private async withAccountNames(paths: string[]): Promise<string[]> {
    if (paths.length === 0) return [];
    const names = new Map<string, string>();
    try {
      for (const a of (await this.ctx.backup?.accounts()) ?? []) names.set(a.zimbraId, a.name);
    } catch {
      // Names are a convenience: the paths say which account.
    }
    return paths.map((p) => {
      const id = p.split('/')[1] ?? '';
      return `${names.get(id) ?? id}  ${p}`;
    });
  }
}

export function registerBlobDocuments(ctx: Ctx): vscode.Disposable {
  return vscode.workspace.registerTextDocumentContentProvider(BLOB_SCHEME, new BlobDocumentProvider(ctx));
}

export async function showBlob(root: string, digest: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(blobUri(root, digest)));
  await vscode.window.showTextDocument(doc, { preview: true });
}
