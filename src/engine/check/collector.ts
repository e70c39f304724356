/**
 * Findings of a whole check: every one is counted, at most `cap` per code are kept,
 * so a million damaged files do not hold a million messages in memory.
 */
import type { Finding, FindingCode, Severity } from '../findings';

export class FindingCollector {
  readonly byCode = new Map<FindingCode, number>();
  readonly bySeverity: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  readonly kept: Finding[] = [];

  constructor(readonly cap: number) {}

  /** Whether a finding of this code would still be kept (to skip costly work otherwise). */
  wouldKeep(code: FindingCode): boolean {
    return (this.byCode.get(code) ?? 0) < this.cap;
  }

  add(f: Finding): void {
    const n = this.byCode.get(f.code) ?? 0;
    this.byCode.set(f.code, n + 1);
    this.bySeverity[f.severity]++;
    if (n < this.cap) this.kept.push(f);
  }

  /** Counts a finding whose text is made later (kept only when `wouldKeep` said so). */
  count(code: FindingCode, severity: Severity): void {
    this.byCode.set(code, (this.byCode.get(code) ?? 0) + 1);
    this.bySeverity[severity]++;
  }

  truncatedCodes(): FindingCode[] {
    return [...this.byCode]
      .filter(([, n]) => n > this.cap)
      .map(([c]) => c)
      .sort();
  }
}
