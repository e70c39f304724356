/**
 * Runs one command: builds its context from the options, prints its result as a
 * table or JSON, and chooses the exit code. Errors are left to main.ts.
 */
import type { Command } from 'commander';
import { CancelledError, hasErrors } from '../engine';
import { checkSchemaDir, resolveZone, type CliContext, type CommandResult, type GlobalOptions } from './context';
import { ExitCode } from './errors';
import { jsonText, paint, renderFindings, type Streams } from './output';
import { progressView, type ProgressView } from './progressView';

export type Handler = (ctx: CliContext) => Promise<CommandResult>;
export type Runner = (cmd: Command, handler: Handler) => Promise<void>;

/** What main.ts needs to know about the command being run, to report errors in its style. */
export interface RunState {
  command?: string;
  json: boolean;
  debug: boolean;
  color: boolean;
  exitCode: number;
  view?: ProgressView;
}

export interface RunnerDeps {
  state: RunState;
  signal: AbortSignal;
  streams: Streams & { writeRaw(bytes: Buffer): Promise<void> };
  stdoutIsTty: boolean;
  stderrIsTty: boolean;
}

export function makeRunner(deps: RunnerDeps): Runner {
  const { state, streams } = deps;
  return async (cmd, handler) => {
    const opts = cmd.optsWithGlobals<GlobalOptions & { json?: boolean }>();
    state.command = cmd.name();
    state.json = opts.json === true;
    state.debug = opts.debug === true;
    state.color = opts.color !== false && deps.stderrIsTty && !process.env['NO_COLOR'];
    const zone = resolveZone(opts.tz);
    const schemaDir = await checkSchemaDir(opts.schemaDir);
    const view = progressView(opts.progress ? 'lines' : deps.stderrIsTty ? 'tty' : 'off', streams.err);
    state.view = view;
    const ctx: CliContext = { zone, json: state.json, signal: deps.signal, progress: view.sink, stdoutIsTty: deps.stdoutIsTty };
    if (schemaDir !== undefined) ctx.schemaDir = schemaDir;

    const result = await handler(ctx);
    // Finished after Ctrl-C but before a safe point noticed it: the user asked to stop, so say so.
    if (deps.signal.aborted && result.exitCode === undefined) throw new CancelledError();
    view.clear();
    if (state.json) streams.out(jsonText(result.json));
    else if (result.raw) await streams.writeRaw(result.raw);
    else streams.out(result.text);
    if (!state.json) streams.err(renderFindings(result.findings, paint(state.color)));
    state.exitCode = result.exitCode ?? (result.failed || hasErrors(result.findings) ? ExitCode.FINDINGS : ExitCode.OK);
  };
}
