/**
 * startServer(connection): capabilities and the wiring of each feature module. Every
 * handler goes through runSafe; pull diagnostics when the client supports them,
 * push (debounced) otherwise.
 */
import {
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  DocumentDiagnosticReportKind,
  ResponseError,
  ErrorCodes,
  TextDocuments,
  TextDocumentSyncKind,
  type CancellationToken,
  type DefinitionParams,
  type HoverParams,
  type Connection,
  type Diagnostic,
  type FullDocumentDiagnosticReport,
  type InitializeParams,
  type InitializeResult,
  type WorkDoneProgressReporter,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';
import { CHECK_LEVELS, EngineError, type ProgressEvent } from '../engine';
import { ALL_LANGUAGE_IDS, PointInTimeNotification, RunCheckRequest } from '../shared/protocol';
import { analyzeItemDocument, forgetAnalysis } from './analysis';
import { runCheck } from './check';
import { codeLenses } from './codeLens';
import { definition } from './definition';
import { computeDiagnostics } from './diagnostics';
import { clearRootCache, describeDocument, type DocumentInfo } from './documents';
import { hover } from './hover';
import { CheckPublisher } from './publish';
import { RootContexts } from './rootContext';
import { cancelled, diagnosticsCancelled, installProcessGuards, runSafeAsync, runSafeNotification } from './runSafe';
import { forgetSchemas } from './schemaValidation';
import { SettingsStore } from './settings';
import { documentSymbols } from './symbols';

const PUSH_DEBOUNCE_MS = 200;
const SLOW_DIAGNOSTICS_MS = 500;
/** How long a pull for a document not yet opened waits for its didOpen. */
const OPEN_WAIT_MS = 2000;

/** An AbortSignal that follows an LSP cancellation token (the engine speaks AbortSignal). */
function signalOf(token: CancellationToken): AbortSignal {
  const ac = new AbortController();
  if (token.isCancellationRequested) ac.abort();
  else token.onCancellationRequested(() => ac.abort());
  return ac.signal;
}

export function startServer(connection: Connection): void {
  const log = installProcessGuards(connection);
  const documents = new TextDocuments(TextDocument);
  const settings = new SettingsStore(connection);
  const roots = new RootContexts();
  const publisher = new CheckPublisher(connection);
  const infos = new Map<string, DocumentInfo>();
  let pointInTime: number | null = null;
  let pullDiagnostics = false;
  let refreshSupport = false;
  let workDoneSupport = false;
  let dynamicConfiguration = false;
  let dynamicWatchers = false;

  const infoOf = (doc: TextDocument): DocumentInfo => {
    let info = infos.get(doc.uri);
    if (!info) {
      info = describeDocument(doc.uri, doc.languageId);
      infos.set(doc.uri, info);
    }
    return info;
  };
  const rootOf = (info: DocumentInfo) => (info.root !== undefined ? roots.get(info.root) : undefined);

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const caps = params.capabilities;
    pullDiagnostics = caps.textDocument?.diagnostic !== undefined;
    refreshSupport = caps.workspace?.diagnostics?.refreshSupport === true;
    workDoneSupport = caps.window?.workDoneProgress === true;
    dynamicConfiguration = caps.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    dynamicWatchers = caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    const init = params.initializationOptions as { settings?: unknown } | undefined;
    settings.configure(caps.workspace?.configuration === true, init?.settings);
    const result: InitializeResult = {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        documentSymbolProvider: true,
        definitionProvider: true,
        codeLensProvider: { resolveProvider: false },
      },
      serverInfo: { name: 'zxbackup-language-server', version: '0.1.0' },
    };
    if (pullDiagnostics) {
      result.capabilities.diagnosticProvider = {
        identifier: 'zxbackup',
        interFileDependencies: true,
        workspaceDiagnostics: false,
      };
    }
    return result;
  });

  connection.onInitialized(() => {
    const failed = (what: string) => (err: unknown) => log.warn(`could not register ${what}: ${String(err)}`);
    if (dynamicConfiguration)
      connection.client
        .register(DidChangeConfigurationNotification.type, { section: 'zxbackup' })
        .catch(failed('configuration changes'));
    if (dynamicWatchers) {
      connection.client
        .register(DidChangeWatchedFilesNotification.type, {
          watchers: [{ globPattern: '**/accounts/**' }, { globPattern: '**/items/**' }, { globPattern: '**/map_*' }],
        })
        .catch(failed('file watchers'));
    }
  });

  // --- diagnostics

  const diagnose = async (doc: TextDocument, signal?: AbortSignal): Promise<Diagnostic[]> => {
    const started = performance.now();
    const info = infoOf(doc);
    const pendingSettings = settings.get(doc.uri);
    // The typed analysis (cached per version) needs no settings: it runs while a
    // workspace/configuration round trip for a newly opened document is in flight.
    if (info.kind === 'item') analyzeItemDocument(doc, info);
    const ctx = { settings: await pendingSettings, roots, ...(signal ? { signal } : {}) };
    const diagnostics = await computeDiagnostics(doc, info, ctx);
    const ms = performance.now() - started;
    // Say when validation is slow, as vscode-eslint does: the first thing to look at when typing lags.
    if (ms > SLOW_DIAGNOSTICS_MS)
      log.info(`diagnostics for ${info.rel} took ${Math.round(ms)} ms (${doc.getText().length} characters)`);
    return diagnostics;
  };

  connection.languages.diagnostics.on((params, token) =>
    runSafeAsync(
      log,
      async () => {
        // After a restart the client pulls for its open editors at once: the pull can
        // overtake their didOpen, and an empty answer would leave them bare until reopened.
        const doc = documents.get(params.textDocument.uri) ?? (await openedSoon(params.textDocument.uri, token));
        const items = doc ? await diagnose(doc, signalOf(token)) : [];
        return { kind: DocumentDiagnosticReportKind.Full, items };
      },
      { kind: DocumentDiagnosticReportKind.Full, items: [] } as FullDocumentDiagnosticReport,
      `diagnostics for ${params.textDocument.uri}`,
      token,
      diagnosticsCancelled,
    ),
  );

  const waitingForOpen = new Map<string, (() => void)[]>();
  documents.onDidOpen((e) => {
    for (const wake of waitingForOpen.get(e.document.uri) ?? []) wake();
    waitingForOpen.delete(e.document.uri);
  });
  /** The document once its didOpen arrives (at most OPEN_WAIT_MS), or undefined. */
  const openedSoon = (uri: string, token: CancellationToken): Promise<TextDocument | undefined> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve(documents.get(uri));
      };
      const timer = setTimeout(done, OPEN_WAIT_MS);
      token.onCancellationRequested(done);
      const list = waitingForOpen.get(uri) ?? [];
      list.push(done);
      waitingForOpen.set(uri, list);
    });

  const pending = new Map<string, NodeJS.Timeout>();
  const pushSoon = (doc: TextDocument): void => {
    if (pullDiagnostics) return;
    clearTimeout(pending.get(doc.uri));
    pending.set(
      doc.uri,
      setTimeout(() => {
        pending.delete(doc.uri);
        const version = doc.version;
        runSafeNotification(
          log,
          async () => {
            const diagnostics = await diagnose(doc);
            const current = documents.get(doc.uri);
            if (current && current.version === version)
              await connection.sendDiagnostics({ uri: doc.uri, version, diagnostics });
          },
          `diagnostics for ${doc.uri}`,
        );
      }, PUSH_DEBOUNCE_MS),
    );
  };

  const refreshDiagnostics = (): void => {
    if (pullDiagnostics) {
      if (refreshSupport) void connection.languages.diagnostics.refresh().catch(() => undefined);
    } else documents.all().forEach(pushSoon);
  };

  documents.onDidOpen((e) => {
    publisher.opened(e.document.uri);
  });
  documents.onDidChangeContent((e) => pushSoon(e.document));
  documents.onDidClose((e) => {
    const uri = e.document.uri;
    forgetAnalysis(uri);
    infos.delete(uri);
    clearTimeout(pending.get(uri));
    pending.delete(uri);
    if (!pullDiagnostics) void connection.sendDiagnostics({ uri, diagnostics: [] });
    publisher.closed(uri);
  });

  connection.onDidChangeConfiguration((change) =>
    runSafeNotification(
      log,
      () => {
        settings.changed(change.settings);
        forgetSchemas();
        refreshDiagnostics();
      },
      'configuration change',
    ),
  );

  connection.onDidChangeWatchedFiles((params) =>
    runSafeNotification(
      log,
      () => {
        for (const c of params.changes) {
          try {
            const u = URI.parse(c.uri);
            if (u.scheme === 'file') roots.invalidate(u.fsPath);
          } catch {
            roots.clear();
          }
        }
        clearRootCache();
        infos.clear();
        refreshDiagnostics();
      },
      'watched files',
    ),
  );

  // --- features

  /** A request about one open document: an unknown document gets `fallback`; runSafeAsync handles errors and cancellation. */
  const forDocument =
    <P extends { textDocument: { uri: string } }, R>(
      name: string,
      fallback: R,
      fn: (doc: TextDocument, info: DocumentInfo, params: P) => R | Promise<R>,
    ) =>
    (params: P, token: CancellationToken) =>
      runSafeAsync(
        log,
        async () => {
          const doc = documents.get(params.textDocument.uri);
          return doc ? fn(doc, infoOf(doc), params) : fallback;
        },
        fallback,
        name,
        token,
      );

  connection.onHover(
    forDocument('hover', null, async (doc, info, params: HoverParams) => {
      const s = await settings.get(doc.uri);
      const root = rootOf(info);
      return hover(doc, info, params.position, { timeZone: s.timeZone, pointInTime, ...(root ? { root } : {}) });
    }),
  );
  connection.onDocumentSymbol(
    forDocument('document symbols', [], async (doc, info) =>
      documentSymbols(doc, info, (await settings.get(doc.uri)).timeZone),
    ),
  );
  connection.onDefinition(
    forDocument('definition', null, (doc, info, params: DefinitionParams) =>
      definition(doc, info, params.position, rootOf(info)),
    ),
  );
  connection.onCodeLens(forDocument('code lenses', [], (doc, info) => codeLenses(doc, info)));

  connection.onNotification(PointInTimeNotification.type, (params) =>
    runSafeNotification(
      log,
      () => {
        const at = params?.at;
        pointInTime = typeof at === 'number' && Number.isFinite(at) ? at : null;
      },
      'point in time',
    ),
  );

  // --- the coherency check

  connection.onRequest(
    RunCheckRequest.type,
    async (params, token: CancellationToken): Promise<RunCheckRequest.Result | ResponseError<void>> => {
      if (!params || typeof params.root !== 'string' || !CHECK_LEVELS.includes(params.level)) {
        return new ResponseError(
          ErrorCodes.InvalidParams,
          'runCheck needs { root, level: structure | metadata | blobs }',
        );
      }
      const ac = new AbortController();
      token.onCancellationRequested(() => ac.abort());
      let reporter: WorkDoneProgressReporter | undefined;
      try {
        if (params.workDoneToken !== undefined)
          reporter = connection.window.attachWorkDoneProgress(params.workDoneToken);
        else if (workDoneSupport) {
          const r = await connection.window.createWorkDoneProgress();
          r.token.onCancellationRequested(() => ac.abort());
          reporter = r;
        }
        reporter?.begin('Zextras Backup: coherency check', 0, params.root, true);
        let progressSent = 0;
        const progress = (e: ProgressEvent): void => {
          progressSent++;
          const pct = e.total ? Math.min(100, Math.round((100 * e.done) / e.total)) : undefined;
          reporter?.report(
            pct ?? 0,
            `${e.phase} ${e.done}${e.total !== undefined ? `/${e.total}` : ''}${e.message ? ` — ${e.message}` : ''}`,
          );
        };
        const s = await settings.get();
        const started = performance.now();
        const outcome = await runCheck(params, s, { progress, signal: ac.signal });
        const checked = performance.now();
        const unpublished = publisher.publish(
          outcome.root,
          outcome.findings,
          s.diagnosticsCap,
          (uri) => documents.get(uri) !== undefined,
        );
        // Where a check's time goes on the server's side (issue 14 §7; bench/uiCheck.ts reads this line).
        log.info(
          `runCheck phases: check ${Math.round(checked - started)} ms (engine ${outcome.summary.durationMs} ms), ` +
            `publish ${Math.round(performance.now() - checked)} ms (${publisher.lastPublished} files), ` +
            `${progressSent} progress reports, ${outcome.findings.length} findings`,
        );
        return { findings: outcome.findings, summary: { ...outcome.summary, unpublished } };
      } catch (err) {
        if (ac.signal.aborted) return cancelled();
        if (err instanceof EngineError) return new ResponseError(ErrorCodes.InvalidParams, err.message, undefined);
        log.error(`runCheck failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        return new ResponseError(
          ErrorCodes.InternalError,
          `the coherency check failed: ${err instanceof Error ? err.message : String(err)}`,
        );
      } finally {
        reporter?.done();
      }
    },
  );

  documents.listen(connection);
  connection.listen();
  log.info(`zxbackup language server started (languages: ${ALL_LANGUAGE_IDS.join(', ')})`);
}
