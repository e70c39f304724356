/**
 * The language client: the server (dist/server.js) in its own Node process over IPC.
 * The server reads `zxbackup.*` settings itself (workspace/configuration); the
 * `synchronize` section makes the client notify it when they change.
 */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import {
  LanguageClient,
  RevealOutputChannelOn,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { ALL_LANGUAGE_IDS } from '../shared/protocol';
import { SECTION } from './config';

/** The port "Attach to Server" in .vscode/launch.json connects to. */
export const SERVER_DEBUG_PORT = 6010;

export function createClient(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): LanguageClient {
  const serverModule = context.asAbsolutePath('dist/server.js');
  if (!existsSync(serverModule))
    throw new Error(`the language server is not built (${serverModule} is missing); run "npm run build"`);
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: {
      module: serverModule,
      transport: TransportKind.ipc,
      options: { execArgv: ['--nolazy', `--inspect=${SERVER_DEBUG_PORT}`] },
    },
  };
  const clientOptions: LanguageClientOptions = {
    // Only files on disk: BLOB and state documents are the extension's own virtual documents.
    documentSelector: ALL_LANGUAGE_IDS.map((language) => ({ scheme: 'file', language })),
    outputChannel: log,
    synchronize: { configurationSection: SECTION },
    // The window never pops the log open on its own; "Show Logs" does.
    revealOutputChannelOn: RevealOutputChannelOn.Never,
  };
  return new LanguageClient('zxbackup', 'Zextras Backup Language Server', serverOptions, clientOptions);
}
