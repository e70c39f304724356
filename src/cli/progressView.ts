/**
 * The one progress renderer of zxb's long commands, on stderr: on a terminal a line
 * redrawn in place (a bar and an ETA when the total is known), `--progress` plain
 * lines (logs, tests), `--progress json` one JSON object a line (machines), and
 * nothing when stderr is not a terminal. It also remembers the latest event so an
 * interruption can say what was done.
 */
import type { ProgressEvent, ProgressSink } from '../engine';
import { usageError } from './errors';
import { formatBytes } from './output';

/** What `--progress` accepts; a bare `--progress` means `lines`. */
export const PROGRESS_MODES = ['auto', 'lines', 'json', 'none'] as const;
export type ProgressMode = (typeof PROGRESS_MODES)[number];

export interface ProgressView {
  sink: ProgressSink;
  /** Clears the in-place line before other stderr output. */
  clear(): void;
  /** "reading items 1200/5000", or undefined before any progress. */
  lastDone(): string | undefined;
}

export function readProgressMode(value: string | boolean | undefined): ProgressMode {
  if (value === undefined || value === false) return 'auto';
  if (value === true) return 'lines';
  if ((PROGRESS_MODES as readonly string[]).includes(value)) return value as ProgressMode;
  usageError(`--progress: use ${PROGRESS_MODES.join(', ')}, not "${value}"`);
}

/**
 * `--progress` is a program option valid anywhere, with an optional value; commander
 * would take the next word (`--progress getItem`) as its value, so the value is
 * attached here: `--progress json` → `--progress=json`, a bare `--progress` → `--progress=lines`.
 */
export function attachProgressValue(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (a !== '--progress') out.push(a);
    else if ((PROGRESS_MODES as readonly string[]).includes(argv[i + 1] ?? '')) out.push(`--progress=${argv[++i]}`);
    else out.push('--progress=lines');
  }
  return out;
}

export function describeProgress(e: ProgressEvent): string {
  return `${e.phase} ${e.done}${e.total !== undefined ? `/${e.total}` : ''}${e.message ? ` (${e.message})` : ''}`;
}

/** Seconds left at the rate of the current phase, when its total is known. */
function etaSeconds(e: ProgressEvent, phaseElapsedMs: number): number | undefined {
  if (!e.total || e.done <= 0 || e.done >= e.total || phaseElapsedMs <= 0) return undefined;
  return Math.round(((phaseElapsedMs / e.done) * (e.total - e.done)) / 1000);
}

/** The bar only on a terminal: in a log it is noise. */
function progressLine(e: ProgressEvent, eta: number | undefined, withBar: boolean): string {
  const frac = withBar && e.total ? Math.min(1, e.done / e.total) : undefined;
  const bar = frac === undefined ? '' : `[${'#'.repeat(Math.round(frac * 24)).padEnd(24, '.')}] `;
  return `${e.phase} ${bar}${e.done}${e.total !== undefined ? `/${e.total}` : ''}${e.bytes ? ` ${formatBytes(e.bytes)}` : ''}${e.message ? ` ${e.message}` : ''}${eta !== undefined ? ` ETA ${eta} s` : ''}`;
}

export interface ProgressViewOptions {
  stderrIsTty: boolean;
  /** Terminal width, to keep the redrawn line on one row. */
  columns?: number;
  intervalMs?: number;
  now?: () => number;
}

export function progressView(mode: ProgressMode, write: (text: string) => void, o: ProgressViewOptions): ProgressView {
  const shown = mode === 'auto' ? (o.stderrIsTty ? 'tty' : 'off') : mode;
  const now = o.now ?? Date.now;
  const intervalMs = o.intervalMs ?? 150;
  const started = now();
  let last: ProgressEvent | undefined;
  let lastShown: number | undefined;
  let phase: string | undefined;
  let phaseStart = started;
  let onScreen = false;
  const sink: ProgressSink = (e) => {
    last = e;
    if (shown === 'none' || shown === 'off') return;
    const t = now();
    const newPhase = e.phase !== phase;
    if (newPhase) {
      phase = e.phase;
      phaseStart = t;
    }
    // The first event of each phase is shown at once so the user (or a test) knows work started.
    if (!newPhase && lastShown !== undefined && t - lastShown < intervalMs) return;
    lastShown = t;
    const eta = etaSeconds(e, t - phaseStart);
    if (shown === 'json')
      write(
        JSON.stringify({
          type: 'progress',
          ...e,
          elapsedMs: t - started,
          ...(eta !== undefined ? { etaSeconds: eta } : {}),
        }) + '\n',
      );
    else if (shown === 'lines') write(`progress: ${progressLine(e, eta, false)}\n`);
    else {
      write(`\r\x1b[2K${progressLine(e, eta, true).slice(0, (o.columns ?? 100) - 1)}`);
      onScreen = true;
    }
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
