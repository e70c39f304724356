/**
 * Progress of long commands on stderr: a line redrawn in place on a terminal,
 * plain lines when asked for with --progress (logs, tests), nothing otherwise.
 * It also remembers the latest event so an interruption can say what was done.
 */
import type { ProgressEvent, ProgressSink } from '../engine';

export interface ProgressView {
  sink: ProgressSink;
  /** Clears the in-place line before other stderr output. */
  clear(): void;
  /** "reading items 1200/5000", or undefined before any progress. */
  lastDone(): string | undefined;
}

export function describeProgress(e: ProgressEvent): string {
  return `${e.phase} ${e.done}${e.total !== undefined ? `/${e.total}` : ''}${e.message ? ` (${e.message})` : ''}`;
}

export function progressView(mode: 'tty' | 'lines' | 'off', write: (text: string) => void, intervalMs = 150): ProgressView {
  let last: ProgressEvent | undefined;
  let lastShown = 0;
  let onScreen = false;
  const sink: ProgressSink = (e) => {
    last = e;
    if (mode === 'off') return;
    const now = Date.now();
    // The first event is shown at once so the user (or a test) knows work started.
    if (lastShown !== 0 && now - lastShown < intervalMs) return;
    lastShown = now;
    if (mode === 'tty') {
      write(`\r\x1b[2K${describeProgress(e)}`);
      onScreen = true;
    } else write(`progress: ${describeProgress(e)}\n`);
  };
  return {
    sink,
    clear: () => {
      if (onScreen) write('\r\x1b[2K');
      onScreen = false;
    },
    lastDone: () => (last ? describeProgress(last) : undefined),
  };
}
