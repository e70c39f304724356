/**
 * zxb lsp [--stdio | --node-ipc | --socket=<port>]: the language server in this
 * process, for any LSP editor. The transport options are read by
 * vscode-languageserver from argv; with none, stdio is used.
 */
import type { Command } from 'commander';

export function registerLsp(program: Command): void {
  program
    .command('lsp')
    .description('run the language server (LSP) for any editor; stdio unless --node-ipc or --socket is given')
    .option('--stdio', 'speak LSP on stdin/stdout (the default)')
    .option('--node-ipc', 'speak LSP over Node IPC (when started by a Node client)')
    .option('--socket <port>', 'speak LSP over a socket on this port')
    .option('--clientProcessId <pid>', 'exit when this process ends (set by LSP clients)')
    .allowUnknownOption()
    .action(() => runLanguageServer());
}

/**
 * Resolves when the client ends the session (exit notification or closed stream).
 * The server modules load here, not with the CLI: every other command starts faster.
 */
export async function runLanguageServer(argv: readonly string[] = process.argv): Promise<void> {
  const { createConnection, ProposedFeatures } = await import('vscode-languageserver/node');
  const { startServer } = await import('../../server/server.js');
  // The server owns the process now: stdout is the transport, and its own guards log
  // uncaught errors to the client instead of ending the session as the CLI would.
  process.removeAllListeners('uncaughtException');
  process.removeAllListeners('unhandledRejection');
  const explicit = argv.some(
    (a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket') || a.startsWith('--pipe'),
  );
  const connection = explicit
    ? createConnection(ProposedFeatures.all)
    : createConnection(ProposedFeatures.all, process.stdin, process.stdout);
  return new Promise((resolve) => {
    connection.onExit(() => resolve());
    startServer(connection);
  });
}
