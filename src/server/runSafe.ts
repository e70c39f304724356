/**
 * Every handler runs through here (after VS Code's JSON server): errors are logged and
 * answered with a neutral value, cancellation answers RequestCancelled, and nothing
 * that happens inside a handler can bring the process down.
 */
import { LSPErrorCodes, ResponseError, type CancellationToken, type Connection } from 'vscode-languageserver/node';
import { isCancelled } from '../engine';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function cancelled(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, 'Request cancelled');
}

/**
 * A cancelled pull. `retriggerRequest: true` on purpose: vscode-languageclient 10 turns
 * `false` into an error it logs with a stack ("Document pull failed … Canceled") on
 * every cancelled pull (a keystroke, a restart); with `true` a pull the client itself
 * cancelled is dropped quietly, and any other is asked again.
 */
export function diagnosticsCancelled(): ResponseError<{ retriggerRequest: boolean }> {
  return new ResponseError(LSPErrorCodes.ServerCancelled, 'Request cancelled', { retriggerRequest: true });
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}

/** Runs `fn` on the next turn (so a $/cancelRequest queued behind the request is seen first). */
export function runSafeAsync<T, E = void>(
  log: Logger,
  fn: () => Promise<T>,
  errorValue: T,
  what: string,
  token: CancellationToken,
  onCancel: () => ResponseError<E> = cancelled as () => ResponseError<E>,
): Promise<T | ResponseError<E>> {
  return new Promise((resolve) => {
    setImmediate(() => {
      if (token.isCancellationRequested) return resolve(onCancel());
      fn().then(
        (result) => resolve(token.isCancellationRequested ? onCancel() : result),
        (err: unknown) => {
          if (token.isCancellationRequested || isCancelled(err)) return resolve(onCancel());
          log.error(`${what} failed: ${describe(err)}`);
          resolve(errorValue);
        },
      );
    });
  });
}

/** For notifications: no answer to give, only errors to log. */
export function runSafeNotification(log: Logger, fn: () => unknown, what: string): void {
  try {
    const r = fn();
    if (r instanceof Promise) r.catch((err: unknown) => log.error(`${what} failed: ${describe(err)}`));
  } catch (err) {
    log.error(`${what} failed: ${describe(err)}`);
  }
}

/**
 * stdout may be the transport: console.* must go to the client's log, never to stdout.
 * Unhandled rejections and exceptions are logged instead of ending the process.
 */
export function installProcessGuards(connection: Connection): Logger {
  const log: Logger = {
    info: (m) => connection.console.info(m),
    warn: (m) => connection.console.warn(m),
    error: (m) => connection.console.error(m),
  };
  const join = (args: unknown[]): string => args.map((a) => (typeof a === 'string' ? a : describe(a))).join(' ');
  console.log = (...args: unknown[]) => log.info(join(args));
  console.info = console.log;
  console.debug = console.log;
  console.warn = (...args: unknown[]) => log.warn(join(args));
  console.error = (...args: unknown[]) => log.error(join(args));
  process.on('unhandledRejection', (reason) => log.error(`unhandled rejection: ${describe(reason)}`));
  process.on('uncaughtException', (err) => log.error(`uncaught exception: ${describe(err)}`));
  return log;
}
