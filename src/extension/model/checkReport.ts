/**
 * The coherency check as the extension asks for it and reports it: request
 * parameters from the user's choices, a one-line summary and a Markdown report.
 */
import { FINDINGS, isFindingCode, type Severity } from '../engine';
import type { CheckLevel, RunCheckRequest } from '../../shared/protocol';
import { findingLocation } from './findingsModel';

export type CheckScope =
  { kind: 'backup' } | { kind: 'account'; zimbraId: string; name: string } | { kind: 'file'; relPath: string };

export const CHECK_LEVELS: readonly { level: CheckLevel; label: string; detail: string }[] = [
  { level: 'structure', label: 'Structure', detail: 'Layout, names and folders only: fast.' },
  {
    level: 'metadata',
    label: 'Metadata',
    detail: 'Also parses every metadata file and checks transactions and references.',
  },
  {
    level: 'blobs',
    label: 'BLOBs',
    detail: 'Also decompresses every referenced BLOB and verifies its digest: reads all data.',
  },
];

export function checkRequestParams(root: string, scope: CheckScope, level: CheckLevel): RunCheckRequest.Params {
  const p: RunCheckRequest.Params = { root, level };
  if (scope.kind === 'account') p.accounts = [scope.zimbraId];
  if (scope.kind === 'file') p.file = scope.relPath;
  return p;
}

export function scopeLabel(scope: CheckScope): string {
  return scope.kind === 'backup' ? 'whole backup' : scope.kind === 'account' ? scope.name : scope.relPath;
}

export function checkTitle(scope: CheckScope, level: CheckLevel): string {
  return `Coherency check (${level}) — ${scopeLabel(scope)}`;
}

/**
 * The true counts (the summary's, as the CLI prints them), not the listed findings':
 * a code past the per-code cap is counted in full but listed only up to the cap.
 */
export function checkSummary(result: RunCheckRequest.Result): string {
  const s = result.summary;
  const counts = severityCounts(s.bySeverity) || 'no findings';
  return `${s.interrupted ? 'PARTIAL (cancelled): ' : ''}${counts} in ${s.filesChecked.toLocaleString('en-US')} files`;
}

function severityCounts(n: Record<'error' | 'warning' | 'info', number>): string {
  return (['error', 'warning', 'info'] as const)
    .filter((k) => n[k] > 0)
    .map((k) => `${n[k].toLocaleString('en-US')} ${k}${n[k] === 1 || k === 'info' ? '' : 's'}`)
    .join(', ');
}

/** "1,000 of 5,163 listed" for a capped code, "" otherwise. */
export function cappedNote(result: RunCheckRequest.Result, code: string): string {
  const s = result.summary;
  if (!(s.truncatedCodes ?? []).includes(code)) return '';
  return `${s.maxFindingsPerCode.toLocaleString('en-US')} of ${(s.byCode[code] ?? 0).toLocaleString('en-US')} listed`;
}

/** The report "Show report" opens: counts by code, then every finding (capped). */
export function checkReportMarkdown(title: string, result: RunCheckRequest.Result, maxListed = 5000): string {
  const s = result.summary;
  const out: string[] = [
    `# ${title}`,
    '',
    `- ${checkSummary(result)}`,
    `- duration: ${(s.durationMs / 1000).toFixed(1)} s`,
  ];
  if (s.interrupted)
    out.push('- **Partial results**: the check was cancelled; counts and findings cover only what was checked before');
  for (const code of s.truncatedCodes ?? [])
    out.push(`- \`${code}\`: ${cappedNote(result, code)} (every finding is counted)`);
  if ((s.lostBodies?.items ?? 0) > 0)
    out.push(`- message bodies lost (missing or damaged BLOB): ${s.lostBodies.items} items`);
  if (s.unpublished > 0) out.push(`- ${s.unpublished} findings not published to the Problems panel (diagnostics cap)`);
  out.push('', '| code | count | what | remedy |', '|---|---:|---|---|');
  // Errors first, then warnings, then info (most frequent first within a severity).
  const codes = Object.entries(s.byCode).sort(
    (a, b) => RANK[codeSeverity(a[0])] - RANK[codeSeverity(b[0])] || b[1] - a[1] || a[0].localeCompare(b[0]),
  );
  for (const [code, n] of codes) {
    const e = isFindingCode(code) ? FINDINGS[code] : undefined;
    out.push(`| \`${code}\` | ${n} | ${cell(e?.title ?? '')} | ${cell(e?.remedy ?? '')} |`);
  }
  out.push('', '## Findings', '');
  for (const f of bySeverity(result.findings).slice(0, maxListed))
    out.push(`- **${f.severity}** \`${f.code}\` ${cell(findingLocation(f))}: ${cell(f.message)}`);
  if (result.findings.length > maxListed)
    out.push(`- … and ${result.findings.length - maxListed} more (see the Findings view)`);
  return out.join('\n') + '\n';
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
const codeSeverity = (code: string): Severity => (isFindingCode(code) ? FINDINGS[code].severity : 'warning');

/** Errors, then warnings, then info; the server's order (by path) kept within each. */
export function bySeverity<F extends { severity: Severity }>(findings: readonly F[]): F[] {
  return [...findings].sort((a, b) => RANK[a.severity] - RANK[b.severity]);
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
