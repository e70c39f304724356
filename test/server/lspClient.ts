/**
 * A real LSP client for the tests: spawns `node dist/server.js --stdio` and speaks
 * JSON-RPC to it with vscode-languageserver-protocol, answering the server's own
 * requests (workspace/configuration, registrations, work-done progress creation).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import {
  CancellationTokenSource,
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { DEFAULT_SETTINGS, type ServerSettings } from '../../src/shared/protocol';

export const REPO = path.resolve(__dirname, '..', '..');
export const SERVER = path.join(REPO, 'dist', 'server.js');

let built = false;
/** Builds dist/ once per test run (the tests speak to the bundle, as the extension does). */
export function buildOnce(): void {
  if (built) return;
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build failed: ${r.stderr || r.stdout}`);
  built = true;
}

export interface ClientOptions {
  /** Advertise pull diagnostics (textDocument.diagnostic). Default true. */
  pull?: boolean;
  settings?: Partial<ServerSettings>;
  /** Advertise window.workDoneProgress. Default true. */
  workDone?: boolean;
  /** Arguments after `node` (default: dist/server.js --stdio). */
  args?: string[];
}

export class LspClient {
  readonly pushed = new Map<string, Diagnostic[]>();
  readonly progress: unknown[] = [];
  readonly logs: string[] = [];
  settings: ServerSettings;
  private exited = false;

  private constructor(
    readonly child: ChildProcess,
    readonly conn: ProtocolConnection,
    settings: ServerSettings,
  ) {
    this.settings = settings;
    child.on('exit', () => (this.exited = true));
  }

  static async start(opts: ClientOptions = {}): Promise<LspClient> {
    const child = spawn(process.execPath, opts.args ?? [SERVER, '--stdio'], {
      cwd: REPO,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const conn = createProtocolConnection(
      new StreamMessageReader(child.stdout!),
      new StreamMessageWriter(child.stdin!),
    );
    const client = new LspClient(child, conn, { ...DEFAULT_SETTINGS, ...opts.settings });
    child.stderr!.on('data', (d: Buffer) => client.logs.push(`stderr: ${d.toString()}`));
    conn.onRequest('workspace/configuration', (params: { items: unknown[] }) =>
      params.items.map(() => client.settings),
    );
    conn.onRequest('client/registerCapability', () => null);
    conn.onRequest('window/workDoneProgress/create', () => null);
    conn.onRequest('workspace/diagnostic/refresh', () => null);
    conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: Diagnostic[] }) => {
      client.pushed.set(p.uri, p.diagnostics);
    });
    conn.onNotification('$/progress', (p: unknown) => {
      client.progress.push(p);
    });
    conn.onNotification('window/logMessage', (p: { message: string }) => {
      client.logs.push(p.message);
    });
    conn.listen();
    const pull = opts.pull ?? true;
    await conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: {
        textDocument: {
          ...(pull ? { diagnostic: { dynamicRegistration: false } } : {}),
          hover: { contentFormat: ['markdown', 'plaintext'] },
          documentSymbol: { hierarchicalDocumentSymbolSupport: true },
        },
        workspace: {
          configuration: true,
          diagnostics: { refreshSupport: true },
          didChangeWatchedFiles: { dynamicRegistration: true },
        },
        window: { workDoneProgress: opts.workDone ?? true },
      },
    });
    await conn.sendNotification('initialized', {});
    return client;
  }

  get alive(): boolean {
    return !this.exited && this.child.exitCode === null;
  }

  private versions = new Map<string, number>();

  open(uri: string, text: string, languageId = 'zxbackup-item'): Promise<void> {
    this.versions.set(uri, 1);
    return this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  }

  change(uri: string, text: string): Promise<void> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    return this.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ text }],
    });
  }

  close(uri: string): Promise<void> {
    return this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  async diagnostics(uri: string): Promise<Diagnostic[]> {
    const r = await this.conn.sendRequest<{ kind: string; items: Diagnostic[] }>('textDocument/diagnostic', {
      textDocument: { uri },
    });
    return r.items;
  }

  request<R>(method: string, params: unknown, token?: CancellationTokenSource): Promise<R> {
    return token ? this.conn.sendRequest<R>(method, params, token.token) : this.conn.sendRequest<R>(method, params);
  }

  /** Polls until `check` returns a value (not undefined) or the deadline passes. */
  async waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v !== undefined) return v;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; server log:\n${this.logs.slice(-20).join('\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    if (this.alive) {
      try {
        await Promise.race([this.conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
        await this.conn.sendNotification('exit');
      } catch {
        // the process may already be gone
      }
    }
    this.conn.dispose();
    if (this.alive) this.child.kill();
  }
}

export { CancellationTokenSource };

/** A diagnostic's message as text (LSP 3.18 allows markup). */
export function messageOf(d: Diagnostic): string {
  return typeof d.message === 'string' ? d.message : d.message.value;
}
