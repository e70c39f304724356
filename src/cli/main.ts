/**
 * zxb: the command line over the engine. Builds the program, runs it, and turns
 * every way it can end into an exit code and a message that names the cause;
 * never a bare stack trace (unless --debug asks for it).
 */
import { Command, CommanderError } from 'commander';
import { EngineError, isCancelled } from '../engine';
import { ExitCode } from './errors';
import { installInterrupt } from './interrupt';
import { attachProgressValue, PROGRESS_MODES } from './progressView';
import { VERSION } from './version';
import { jsonText, processStreams, toFindingJson } from './output';
import { makeRunner, type RunState, type Runner } from './runner';
import { JSON_FORMAT_VERSION, type ErrorJson } from './shapes';
import { registerGetBackupInfo } from './commands/getBackupInfo';
import { registerGetAvailableAccounts } from './commands/getAvailableAccounts';
import { registerGetAccountInfo } from './commands/getAccountInfo';
import { registerGetItem } from './commands/getItem';
import { registerGetMap } from './commands/getMap';
import { registerGetServerConfig } from './commands/getServerConfig';
import { registerDoItemSearch } from './commands/doItemSearch';
import { registerCatalogue } from './commands/catalogue';
import { registerDiff } from './commands/diff';
import { registerMakeSample } from './commands/makeSample';
import { registerDoCoherencyCheck } from './commands/doCoherencyCheck';
import { registerUndoFix } from './commands/undoFix';
import { registerDoExport } from './commands/doExport';
import { registerDoPurge } from './commands/doPurge';
import { registerLsp } from './commands/lsp';
import { registerDoRestoreOnNewAccount } from './commands/doRestoreOnNewAccount';
import { registerDoUndelete } from './commands/doUndelete';
import { registerDoItemRestore } from './commands/doItemRestore';
import { registerDoSmartScan } from './commands/doSmartScan';
import { registerDoAccountScan } from './commands/doAccountScan';
import { registerDoRealtimeScan } from './commands/doRealtimeScan';

/** What an interruption leaves behind, for the commands that can say it for sure. */
const INTERRUPT_EFFECT: Record<string, string> = {
  getBackupInfo: 'nothing was written',
  getAvailableAccounts: 'nothing was written',
  getAccountInfo: 'nothing was written',
  getItem: 'nothing was written',
  getMap: 'nothing was written',
  getServerConfig: 'nothing was written',
  doItemSearch: 'nothing was written',
  makeSample: 'the sample folder is incomplete',
  doExport: 'the destination holds a partial export: remove it',
  doSmartScan: 'what was scanned is in the backup; the next scan goes on from there',
  doAccountScan: 'what was scanned is in the backup; the next scan goes on from there',
  doRealtimeScan: 'every change seen so far is in the backup',
};

export function buildProgram(run: Runner): Command {
  const program = new Command('zxb')
    .description('Inspect a Zextras Backup backup path at any point in time.')
    .version(VERSION, '-V, --version')
    .option('--tz <zone>', 'IANA time zone in which dates are read and printed (default: UTC)')
    .option('--schema-dir <dir>', 'folder of JSON Schemas replacing the documented ones (schemas/)')
    .option('--no-color', 'no colours on stderr (also when NO_COLOR is set or stderr is not a terminal)')
    .option(
      '--progress [mode]',
      'progress on stderr: auto (a bar with an ETA on a terminal, nothing when piped), lines (plain lines; the default of a bare --progress), json (JSON lines), none',
    )
    .option('--debug', 'print the stack of internal errors')
    .exitOverride()
    // `zxb help doCoherencyCheck` then shows --progress, --tz… too: they are valid after the command name.
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ outputError: (str, write) => write(`zxb: ${str.replace(/^error: /, '')}`) })
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError();
  registerGetBackupInfo(program, run);
  registerGetAvailableAccounts(program, run);
  registerGetAccountInfo(program, run);
  registerGetItem(program, run);
  registerGetMap(program, run);
  registerGetServerConfig(program, run);
  registerDoItemSearch(program, run);
  registerCatalogue(program, run);
  registerDiff(program, run);
  registerMakeSample(program, run);
  registerDoCoherencyCheck(program, run);
  registerUndoFix(program, run);
  registerDoExport(program, run);
  registerDoPurge(program, run);
  registerDoRestoreOnNewAccount(program, run);
  registerDoUndelete(program, run);
  registerDoItemRestore(program, run);
  registerDoSmartScan(program, run);
  registerDoAccountScan(program, run);
  registerDoRealtimeScan(program, run);
  registerLsp(program);
  program.addHelpText(
    'after',
    '\nEvery command accepts --json; exit codes: 0 done, 1 what was asked about is damaged (error findings), 2 usage or I/O error, 3 interrupted.\nSee docs/cli.md.',
  );
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const state: RunState = { json: false, debug: argv.includes('--debug'), color: false, exitCode: ExitCode.OK };
  const err = (t: string): void => {
    state.view?.clear();
    processStreams.err(t);
  };
  const interrupt = installInterrupt(
    () => err('\nzxb: stopping at the next safe point (Ctrl-C again to quit at once)\n'),
    () => err('\nzxb: interrupted\n'),
  );
  const run = makeRunner({
    state,
    signal: interrupt.signal,
    streams: {
      ...processStreams,
      writeRaw: (bytes) =>
        new Promise((resolve, reject) => process.stdout.write(bytes, (e) => (e ? reject(e) : resolve()))),
    },
    stdoutIsTty: process.stdout.isTTY === true,
    stderrIsTty: process.stderr.isTTY === true,
    ...(process.stderr.columns !== undefined ? { stderrColumns: process.stderr.columns } : {}),
  });
  try {
    await buildProgram(run).parseAsync(attachProgressValue(argv), { from: 'user' });
    return state.exitCode;
  } catch (e) {
    const code = reportFailure(e, state, err);
    const hint = code === ExitCode.USAGE ? usageHint(argv) : undefined;
    if (hint) err(`  hint: ${hint}\n`);
    return code;
  } finally {
    interrupt.dispose();
  }
}

const DATE_OPTIONS = new Set(['--date', '--before', '--after']);

/**
 * Words the shell split or an option value left out end up as extra operands, and the
 * parser only says "too many arguments". Say what probably happened.
 */
function usageHint(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const [option, next, after] = [argv[i]!, argv[i + 1], argv[i + 2]];
    // `--date 01/02/2024 10:00:00` unquoted: the time shows up as an extra operand.
    if (
      DATE_OPTIONS.has(option) &&
      next !== undefined &&
      after !== undefined &&
      /^\d{1,2}\/\d{1,2}\/\d{4}$/.test(next) &&
      /^\d{1,2}:\d{2}(:\d{2})?$/.test(after)
    ) {
      return `a date with a time is one argument: quote it, ${option} "${next} ${after}"`;
    }
    if (
      option === '--progress' &&
      next !== undefined &&
      /^[a-z]+$/.test(next) &&
      !(PROGRESS_MODES as readonly string[]).includes(next)
    ) {
      return `--progress takes ${PROGRESS_MODES.join(', ')} (or nothing, for lines), not "${next}"`;
    }
  }
  return undefined;
}

function reportFailure(e: unknown, state: RunState, err: (t: string) => void): ExitCode {
  if (e instanceof CommanderError) {
    // Commander has printed its message already; help and --version end with 0.
    return e.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
  }
  if (isCancelled(e)) {
    const done = state.view?.lastDone();
    const effect = state.command === undefined ? undefined : INTERRUPT_EFFECT[state.command];
    err(`zxb: interrupted${done ? ` after ${done}` : ''}${effect ? `; ${effect}` : ''}\n`);
    return ExitCode.INTERRUPTED;
  }
  if (e instanceof EngineError) {
    const f = e.finding;
    const where = f.path && !f.message.includes(f.path) ? `${f.path}: ` : '';
    err(`zxb: ${where}${f.message}\n  hint: ${f.remedy}\n`);
    if (state.json) {
      const doc: ErrorJson = {
        formatVersion: JSON_FORMAT_VERSION,
        command: state.command ?? '',
        error: toFindingJson(f),
      };
      processStreams.out(jsonText(doc));
    }
    return ExitCode.USAGE;
  }
  const message = e instanceof Error ? e.message : String(e);
  err(`zxb: internal error: ${message}\n`);
  if (state.debug && e instanceof Error && e.stack) err(`${e.stack}\n`);
  else err('  run the command again with --debug to see the stack, and report it\n');
  return ExitCode.USAGE;
}

// The bundle entry (dist/cli.js, loaded by bin/zxb.js): run on the process's arguments.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  // The reader went away (zxb ... | head): not an error of ours.
  if (e.code === 'EPIPE') process.exit(ExitCode.OK);
});
const lastResort = (e: unknown): void => {
  processStreams.err(
    `zxb: internal error: ${e instanceof Error ? e.message : String(e)}\n  run the command again with --debug to see the stack, and report it\n`,
  );
  if (process.argv.includes('--debug') && e instanceof Error) processStreams.err(`${e.stack}\n`);
  process.exit(ExitCode.USAGE);
};
process.on('uncaughtException', lastResort);
process.on('unhandledRejection', lastResort);
void main(process.argv.slice(2)).then((code) => {
  // Let stdout drain before leaving (it may be a pipe to a slow reader).
  process.stdout.write('', () => process.exit(code));
});
