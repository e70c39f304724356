/**
 * `zxbackup/runCheck`: the engine's coherency check (runCoherencyCheck) for a backup
 * path or some accounts, or the per-file check (checkFileJob) for one file. Progress
 * goes to a work-done reporter; $/cancelRequest aborts the engine through an
 * AbortSignal and the findings gathered so far come back with `interrupted: true`.
 */
import * as path from 'node:path';
import {
  checkFileJob,
  compareFindings,
  FINDINGS,
  classifyRelPath,
  checkedKindOf,
  runCoherencyCheck,
  type CheckOptions,
  type FileKindTag,
  type Finding,
  type Severity,
  type ProgressSink,
} from '../engine';
import type { RunCheckRequest, ServerSettings } from '../shared/protocol';

export interface CheckOutcome {
  root: string;
  findings: Finding[];
  summary: Omit<RunCheckRequest.Result['summary'], 'unpublished'>;
}

export async function runCheck(
  params: RunCheckRequest.Params,
  settings: ServerSettings,
  io: { progress: ProgressSink; signal: AbortSignal },
): Promise<CheckOutcome> {
  const root = path.resolve(params.root);
  if (params.file !== undefined && params.file !== '') return checkOneFile(root, params.file, params.level, io.signal);
  const opts: CheckOptions = { level: params.level, retentionDays: settings.retentionDays };
  if (params.accounts && params.accounts.length > 0) opts.accounts = params.accounts;
  if (settings.checkConcurrency > 0) opts.jobs = settings.checkConcurrency;
  if (settings.schemaDirectory !== '') opts.schemaDir = settings.schemaDirectory;
  // Its result cache loads a SQLite driver only when it opens; a runtime with none (VS Code 1.100's Electron)
  // runs the check without the cache (engine/check/run.ts).
  const report = await runCoherencyCheck(root, opts, { progress: io.progress, signal: io.signal });
  const byCode: Record<string, number> = {};
  for (const [code, n] of Object.entries(report.summary.byCode)) if (n !== undefined) byCode[code] = n;
  return {
    root: report.root,
    findings: report.findings,
    summary: {
      bySeverity: report.summary.bySeverity,
      byCode,
      filesChecked: report.summary.filesChecked,
      durationMs: report.summary.durationMs,
      interrupted: report.summary.interrupted,
      truncatedCodes: report.summary.truncatedCodes,
      maxFindingsPerCode: report.summary.maxFindingsPerCode,
      lostBodies: report.summary.lostBodies,
    },
  };
}

function kindTag(rel: string): FileKindTag | undefined {
  return checkedKindOf(classifyRelPath(rel));
}

/** "Check this file": the per-file rules only (cross-file rules need the whole account). */
async function checkOneFile(
  root: string,
  fileIn: string,
  level: RunCheckRequest.Params['level'],
  signal: AbortSignal,
): Promise<CheckOutcome> {
  const started = performance.now();
  const rel = path.isAbsolute(fileIn)
    ? path.relative(root, fileIn).split(path.sep).join('/')
    : fileIn.replace(/\\/g, '/');
  const kind = kindTag(rel);
  let findings: Finding[] = [];
  if (kind !== undefined && !signal.aborted) {
    const result = await checkFileJob({ rel, kind }, { root, level, now: Date.now(), fixDoubleGzip: 'check' });
    findings = result.findings.sort(compareFindings);
  }
  return {
    root,
    findings,
    summary: {
      ...summarize(findings),
      filesChecked: kind !== undefined ? 1 : 0,
      durationMs: Math.round(performance.now() - started),
      interrupted: signal.aborted,
      truncatedCodes: [],
      maxFindingsPerCode: findings.length,
      lostBodies: { items: 0, byAccount: {} },
    },
  };
}

function summarize(findings: readonly Finding[]): {
  bySeverity: Record<Severity, number>;
  byCode: Record<string, number>;
} {
  const bySeverity: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  const byCode: Record<string, number> = {};
  for (const f of findings) {
    bySeverity[f.severity]++;
    byCode[f.code] = (byCode[f.code] ?? 0) + 1;
  }
  return { bySeverity, byCode };
}

export function codeTitle(code: string): string {
  return (FINDINGS as Record<string, { title: string }>)[code]?.title ?? code;
}
