/**
 * Running and finished operations (coherency checks today; scans and restores later)
 * for the Operations view. Plain state and events, no VS Code.
 */
import { formatDuration } from '../engine';

export type OperationState = 'running' | 'done' | 'cancelled' | 'failed';

export interface Operation {
  id: string;
  title: string;
  state: OperationState;
  startedAt: number;
  endedAt?: number;
  /** 0–100 when known. */
  percentage?: number;
  message?: string;
  /** One line, e.g. "12 errors, 3 warnings in 8,000 files". */
  summary?: string;
  /** The full result, shown by "Show report". */
  report?: string;
}

export class OperationsStore {
  private readonly ops = new Map<string, Operation>();
  private readonly cancels = new Map<string, () => void>();
  private readonly listeners = new Set<(op: Operation | undefined) => void>();
  private seq = 0;

  constructor(
    private readonly keepFinished = 20,
    private readonly now: () => number = Date.now,
  ) {}

  /** Fires with the changed operation, or undefined when the list itself changed. */
  onChange(listener: (op: Operation | undefined) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  start(title: string, cancel: () => void): Operation {
    const op: Operation = { id: `op-${++this.seq}`, title, state: 'running', startedAt: this.now() };
    this.ops.set(op.id, op);
    this.cancels.set(op.id, cancel);
    this.prune();
    this.emit(undefined);
    return op;
  }

  progress(id: string, update: { percentage?: number; message?: string }): void {
    const op = this.ops.get(id);
    if (!op || op.state !== 'running') return;
    if (update.percentage !== undefined) op.percentage = Math.max(0, Math.min(100, update.percentage));
    if (update.message !== undefined) op.message = update.message;
    this.emit(op);
  }

  finish(id: string, outcome: { state: Exclude<OperationState, 'running'>; summary?: string; report?: string }): void {
    const op = this.ops.get(id);
    if (!op || op.state !== 'running') return;
    op.state = outcome.state;
    op.endedAt = this.now();
    if (outcome.summary !== undefined) op.summary = outcome.summary;
    if (outcome.report !== undefined) op.report = outcome.report;
    delete op.message;
    this.cancels.delete(id);
    this.emit(op);
  }

  /** Asks a running operation to stop; it reports `cancelled` itself when it has. */
  cancel(id: string): boolean {
    const c = this.cancels.get(id);
    if (!c) return false;
    c();
    return true;
  }

  get(id: string): Operation | undefined {
    return this.ops.get(id);
  }

  /** Running first, then the most recent. */
  list(): Operation[] {
    return [...this.ops.values()].sort(
      (a, b) => (a.state === 'running' ? 0 : 1) - (b.state === 'running' ? 0 : 1) || b.startedAt - a.startedAt,
    );
  }

  private prune(): void {
    const finished = [...this.ops.values()]
      .filter((o) => o.state !== 'running')
      .sort((a, b) => b.startedAt - a.startedAt);
    for (const o of finished.slice(this.keepFinished)) this.ops.delete(o.id);
  }

  private emit(op: Operation | undefined): void {
    for (const l of this.listeners) l(op);
  }
}

export function operationDescription(op: Operation, now: number = Date.now()): string {
  if (op.state === 'running') {
    const pct = op.percentage !== undefined ? `${Math.round(op.percentage)}%` : 'running';
    return [pct, op.message, formatDuration(now - op.startedAt)].filter((s) => s).join(' · ');
  }
  const took = op.endedAt !== undefined ? formatDuration(op.endedAt - op.startedAt) : '';
  return [op.state === 'done' ? op.summary : op.state, took].filter((s) => s).join(' · ');
}

export function operationIcon(op: Operation): string {
  return op.state === 'running'
    ? 'sync~spin'
    : op.state === 'done'
      ? 'pass'
      : op.state === 'cancelled'
        ? 'circle-slash'
        : 'error';
}
