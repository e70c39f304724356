/**
 * Findings of a whole check: every one is counted, at most `cap` per code are kept,
 * so a million damaged files do not hold a million messages in memory. Which ones are
 * kept does not depend on the order the worker threads answered in: the `cap` first
 * by path, place and message (each code's list is trimmed to them whenever it grows
 * past twice the cap, so it never holds more).
 */
import type { Finding, FindingCode, Severity } from '../findings';
import type { PointedFinding } from './types';

const byKey = <T>(key: (x: T) => string) => {
  return (a: T, b: T): number => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
};

const pad = (n: number | undefined): string => String(n ?? 0).padStart(10, '0');
const findingOrder = byKey<Finding>(
  (f) => `${f.path}\0${pad(f.range?.start.line)}\0${pad(f.range?.start.character)}\0${f.message}`,
);
const pointedOrder = byKey<PointedFinding>((p) => `${p.path}\0${p.pointer.map(String).join('/')}\0${p.message}`);

export class FindingCollector {
  readonly byCode = new Map<FindingCode, number>();
  readonly bySeverity: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  private readonly lists = new Map<FindingCode, Finding[]>();
  private readonly pointedLists = new Map<FindingCode, PointedFinding[]>();

  constructor(readonly cap: number) {}

  add(f: Finding): void {
    this.count(f.code, f.severity);
    this.keep(this.lists, f.code, f, findingOrder);
  }

  /** A finding whose range is found later (takePointed, then addResolved). */
  addPointed(p: PointedFinding, severity: Severity): void {
    this.count(p.code, severity);
    this.keep(this.pointedLists, p.code, p, pointedOrder);
  }

  /** The pointed findings kept (at most `cap` per code), handed over once. */
  takePointed(): PointedFinding[] {
    const out: PointedFinding[] = [];
    for (const list of this.pointedLists.values()) out.push(...this.trimmed(list, pointedOrder));
    this.pointedLists.clear();
    return out;
  }

  /** A pointed finding with its range: already counted and chosen. */
  addResolved(f: Finding): void {
    this.keep(this.lists, f.code, f, findingOrder);
  }

  /** The kept findings, at most `cap` per code. */
  get kept(): Finding[] {
    const out: Finding[] = [];
    for (const list of this.lists.values()) out.push(...this.trimmed(list, findingOrder));
    return out;
  }

  truncatedCodes(): FindingCode[] {
    return [...this.byCode]
      .filter(([, n]) => n > this.cap)
      .map(([c]) => c)
      .sort();
  }

  private count(code: FindingCode, severity: Severity): void {
    this.byCode.set(code, (this.byCode.get(code) ?? 0) + 1);
    this.bySeverity[severity]++;
  }

  private keep<T>(lists: Map<FindingCode, T[]>, code: FindingCode, x: T, order: (a: T, b: T) => number): void {
    let list = lists.get(code);
    if (!list) lists.set(code, (list = []));
    list.push(x);
    if (list.length > 2 * this.cap) lists.set(code, this.trimmed(list, order));
  }

  private trimmed<T>(list: T[], order: (a: T, b: T) => number): T[] {
    if (list.length <= this.cap) return list;
    return list.sort(order).slice(0, this.cap);
  }
}
