/**
 * Progress and cancellation shared by every long operation. Cancellation is the
 * platform's AbortSignal: the CLI aborts on Ctrl-C, the server on $/cancelRequest,
 * the extension on the progress notification's cancel button.
 */
export interface ProgressEvent {
  phase: string;
  done: number;
  /** Unknown while still counting. */
  total?: number;
  /** Bytes processed so far, when the phase reads data. */
  bytes?: number;
  message?: string;
}
export type ProgressSink = (event: ProgressEvent) => void;

export class CancelledError extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'AbortError';
  }
}

export function throwIfCancelled(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}

export function isCancelled(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

/** Calls `sink` at most every `intervalMs`, plus once at the end (`flush`). */
export function throttle(
  sink: ProgressSink | undefined,
  intervalMs = 100,
): ProgressSink & { flush(e: ProgressEvent): void } {
  let last = 0;
  const fn = ((e: ProgressEvent) => {
    if (!sink) return;
    const now = Date.now();
    if (now - last >= intervalMs) {
      last = now;
      sink(e);
    }
  }) as ProgressSink & { flush(e: ProgressEvent): void };
  fn.flush = (e) => sink?.(e);
  return fn;
}
