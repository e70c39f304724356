/**
 * The Findings view without VS Code: the last coherency check grouped by code and
 * by account, with the same paging as the Backup view (a damaged backup can yield
 * hundreds of thousands of findings; the view must stay responsive).
 */
import {
  FINDINGS,
  LOST_BODY_CODES,
  classifyRelPath,
  compareFindings,
  isFindingCode,
  type Finding,
  type Severity,
} from '../engine';

export interface FindingGroup {
  /** Stable within a result: `code/<code>` or `account/<zimbraId>` or `account/-`. */
  key: string;
  label: string;
  description: string;
  severity: Severity;
  findings: Finding[];
}

export interface FindingsGroups {
  byCode: FindingGroup[];
  byAccount: FindingGroup[];
  total: number;
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
const worst = (a: Severity, b: Severity): Severity => (RANK[a] <= RANK[b] ? a : b);

/** Findings whose path is not inside an account folder (maps, BLOBs, the backup path itself). */
export const BACKUP_LEVEL_KEY = 'account/-';

export function groupFindings(
  findings: readonly Finding[],
  accountNames: ReadonlyMap<string, string> = new Map(),
): FindingsGroups {
  const byCode = new Map<string, FindingGroup>();
  const byAccount = new Map<string, FindingGroup>();
  const sorted = [...findings].sort(compareFindings);
  for (const f of sorted) {
    const ck = `code/${f.code}`;
    let g = byCode.get(ck);
    if (!g) {
      const title = isFindingCode(f.code) ? FINDINGS[f.code].title : f.code;
      byCode.set(ck, (g = { key: ck, label: f.code, description: title, severity: f.severity, findings: [] }));
    }
    g.findings.push(f);
    g.severity = worst(g.severity, f.severity);

    const accountId = accountOf(f.path);
    const ak = accountId ? `account/${accountId}` : BACKUP_LEVEL_KEY;
    let a = byAccount.get(ak);
    if (!a) {
      const label = accountId ? (accountNames.get(accountId) ?? accountId) : 'Backup path';
      byAccount.set(ak, (a = { key: ak, label, description: '', severity: f.severity, findings: [] }));
    }
    a.findings.push(f);
    a.severity = worst(a.severity, f.severity);
  }
  const finish = (groups: Iterable<FindingGroup>, bySeverityFirst: boolean): FindingGroup[] => {
    const list = [...groups];
    for (const g of list)
      g.description = `${g.findings.length} · ${countBySeverity(g.findings)}${g.description && !g.description.startsWith(String(g.findings.length)) ? ` · ${g.description}` : ''}`;
    return list.sort(
      (a, b) =>
        (bySeverityFirst ? RANK[a.severity] - RANK[b.severity] : 0) ||
        b.findings.length - a.findings.length ||
        a.label.localeCompare(b.label),
    );
  };
  return {
    byCode: finish(byCode.values(), true),
    byAccount: finish(byAccount.values(), false),
    total: findings.length,
  };
}

export function accountOf(relPath: string): string | undefined {
  const k = classifyRelPath(relPath);
  return 'accountId' in k ? k.accountId : undefined;
}

export function countBySeverity(findings: readonly Finding[]): string {
  const n: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) n[f.severity]++;
  return (['error', 'warning', 'info'] as const)
    .filter((s) => n[s] > 0)
    .map((s) => `${n[s]} ${s}${n[s] === 1 ? '' : s === 'info' ? '' : 's'}`)
    .join(', ');
}

/** "accounts/…/items/57/1057:3" — where a finding points, for the description column. */
export function findingLocation(f: Finding): string {
  const at = f.range ? `:${f.range.start.line + 1}` : '';
  return `${f.path || '(backup path)'}${at}`;
}

export function severityIcon(s: Severity): string {
  return s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'info';
}

/**
 * The items whose message body is lost, by item path: a blob.missing on the item, or
 * an item a damaged BLOB's finding names (its related locations). One finding each,
 * on the item, saying why: what the Backup view marks and the Findings view lists.
 */
export function lostBodyFindings(findings: readonly Finding[]): Finding[] {
  const out = new Map<string, Finding>();
  for (const f of findings) {
    if (f.code === 'blob.missing' && accountOf(f.path)) {
      if (!out.has(f.path)) out.set(f.path, { ...f, message: `message body lost: ${f.message}` });
    } else if (LOST_BODY_CODES.has(f.code)) {
      for (const r of f.related ?? []) {
        if (out.has(r.path)) continue;
        out.set(r.path, {
          code: f.code,
          severity: f.severity,
          path: r.path,
          message: `message body lost: its BLOB ${f.path} — ${f.message}`,
          remedy: f.remedy,
        });
      }
    }
  }
  return [...out.values()].sort(compareFindings);
}

/** Lost bodies per account (e-mail address where known), most first. */
export function groupLostBodies(
  findings: readonly Finding[],
  accountNames: ReadonlyMap<string, string> = new Map(),
): FindingGroup[] {
  const byAccount = new Map<string, FindingGroup>();
  for (const f of lostBodyFindings(findings)) {
    const id = accountOf(f.path) ?? '-';
    let g = byAccount.get(id);
    if (!g) {
      const label = accountNames.get(id) ?? id;
      byAccount.set(id, (g = { key: `lost/${id}`, label, description: '', severity: 'error', findings: [] }));
    }
    g.findings.push(f);
  }
  const list = [...byAccount.values()];
  for (const g of list) {
    const n = g.findings.length;
    g.description = n === 1 ? '1 item lost its body' : `${n} items lost their body`;
  }
  return list.sort((a, b) => b.findings.length - a.findings.length || a.label.localeCompare(b.label));
}
