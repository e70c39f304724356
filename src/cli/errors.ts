/**
 * Exit codes and the usage errors commands raise (as engine findings, like every error).
 * Every exit code of zxb is chosen from ExitCode, in runner.ts (a command's result),
 * main.ts (a failure) or interrupt.ts (a second Ctrl-C); docs/cli.md has the table.
 */
import { failWith, type FindingCode } from '../engine';

export const ExitCode = {
  OK: 0,
  /** The job was done, but what was asked about is damaged: the check's error findings, an unreadable item or map file. */
  FINDINGS: 1,
  /** Usage or I/O error: the job could not be done at all. */
  USAGE: 2,
  /** Interrupted (Ctrl-C): the check prints its partial results, the other commands say how far they got. */
  INTERRUPTED: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Stops the command with exit code 2; `path` is relative to the backup path ('' if none). */
export function usageError(message: string, code: FindingCode = 'usage.bad-argument', path = ''): never {
  failWith(code, path, message);
}
