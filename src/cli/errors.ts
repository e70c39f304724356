/** Exit codes and the usage errors commands raise (as engine findings, like every error). */
import { failWith, type FindingCode } from '../engine';

export const ExitCode = {
  OK: 0,
  /** The job was done but met findings of error severity. */
  FINDINGS: 1,
  /** Usage or I/O error: the job could not be done at all. */
  USAGE: 2,
  INTERRUPTED: 130,
} as const;

/** Stops the command with exit code 2; `path` is relative to the backup path ('' if none). */
export function usageError(message: string, code: FindingCode = 'usage.bad-argument', path = ''): never {
  failWith(code, path, message);
}
