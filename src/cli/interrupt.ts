/**
 * Ctrl-C: the first one aborts the signal handed to the engine, which stops at its
 * next safe point; a second one exits at once.
 */
import { ExitCode } from './errors';

export interface Interrupt {
  signal: AbortSignal;
  dispose(): void;
}

export function installInterrupt(onFirst: () => void, onSecond: () => void): Interrupt {
  const controller = new AbortController();
  const handler = (): void => {
    if (controller.signal.aborted) {
      onSecond();
      process.exit(ExitCode.INTERRUPTED);
    }
    onFirst();
    controller.abort();
  };
  process.on('SIGINT', handler);
  return { signal: controller.signal, dispose: () => void process.off('SIGINT', handler) };
}
