/**
 * Runs one command: builds its context from the options, prints its result as a
 * table or JSON, and chooses the exit code (exitCodeOf). Errors are left to main.ts.
 */
import type { Command } from 'commander';
import { CancelledError } from '../engine';
import { checkSchemaDir, resolveZone, type CliContext, type CommandResult, type GlobalOptions } from './context';
import { ExitCode } from './errors';
import { jsonText, paint, renderFindings, renderFindingsSection, type Streams } from './output';
import { progressView, readProgressMode, type ProgressView } from './progressView';

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
  stderrColumns?: number;
}

/** The one place a finished command's exit code is chosen. */
export function exitCodeOf(result: CommandResult): ExitCode {
  if (result.interrupted) return ExitCode.INTERRUPTED;
  return result.failed ? ExitCode.FINDINGS : ExitCode.OK;
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
    const mode = readProgressMode(opts.progress);
    const view = progressView(mode, streams.err, {
      stderrIsTty: deps.stderrIsTty,
      ...(deps.stderrColumns !== undefined ? { columns: deps.stderrColumns } : {}),
    });
    state.view = view;
    const ctx: CliContext = {
      zone,
      json: state.json,
      signal: deps.signal,
      progress: view.sink,
      stdoutIsTty: deps.stdoutIsTty,
    };
    if (schemaDir !== undefined) ctx.schemaDir = schemaDir;

    const result = await handler(ctx);
    // Finished after Ctrl-C but before a safe point noticed it: the user asked to stop, so say so
    // (the check reports on its own whether its results are partial).
    if (deps.signal.aborted && result.interrupted === undefined) throw new CancelledError();
    view.clear();
    if (state.json) streams.out(jsonText(result.json));
    else if (result.raw) await streams.writeRaw(result.raw);
    else if (result.findingsInOutput) streams.out(result.text + renderFindingsSection(result.findings));
    else streams.out(result.text);
    if (!state.json && !result.findingsInOutput) streams.err(renderFindings(result.findings, paint(state.color)));
    state.exitCode = exitCodeOf(result);
  };
}
