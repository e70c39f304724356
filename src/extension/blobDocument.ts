/**
 * `zxbackup-blob:` documents: a BLOB decompressed, with a header summary on top.
 * Read-only by construction (a content provider), and read straight from the BLOB
 * store with the engine: nothing goes through the language server.
 */
import * as vscode from 'vscode';
import { BlobStore } from './engine';
import { BLOB_SCHEME, blobUri } from '../shared/protocol';
import type { Ctx } from './ctx';
import { blobDocumentText, blobRefFromUriParts } from './model/blobSummary';

export class BlobDocumentProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly ctx: Ctx) {}

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const ref = blobRefFromUriParts(uri.path, uri.query);
    if (!ref) return `Not a BLOB address: ${uri.toString(true)}`;
    const store = new BlobStore(ref.root);
    const read = await store.read(ref.digest);
    if (token.isCancellationRequested) return '';
    const zone = this.ctx.config.timeZone;
    const input = { digest: ref.digest, relPath: store.relPath(ref.digest), verification: read.verification, zone };
    return blobDocumentText(read.ok ? { ...input, content: read.content } : input);
  }
}

export function registerBlobDocuments(ctx: Ctx): vscode.Disposable {
  return vscode.workspace.registerTextDocumentContentProvider(BLOB_SCHEME, new BlobDocumentProvider(ctx));
}

export async function showBlob(root: string, digest: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(blobUri(root, digest)));
  await vscode.window.showTextDocument(doc, { preview: true });
}
