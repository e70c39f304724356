/** Engine findings → LSP diagnostics: code = finding code, source 'zxbackup'. */
import { DiagnosticSeverity, type Diagnostic, type Range } from 'vscode-languageserver/node';
import type { Finding, Severity } from '../engine';
import type { DiagnosticData } from '../shared/protocol';

export const SOURCE = 'zxbackup';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

export function toSeverity(s: Severity): DiagnosticSeverity {
  return SEVERITY[s];
}

export const FILE_START: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };

/** `bomOffset`: engine ranges are computed on BOM-less text; line 0 shifts by one in the editor. */
export function findingToDiagnostic(f: Finding, bomOffset = 0): Diagnostic {
  const r = f.range ?? FILE_START;
  const shift = (p: { line: number; character: number }) => ({
    line: p.line,
    character: p.line === 0 ? p.character + bomOffset : p.character,
  });
  return {
    range: { start: shift(r.start), end: shift(r.end) },
    severity: SEVERITY[f.severity],
    code: f.code,
    source: SOURCE,
    message: f.message,
    data: { remedy: f.remedy } satisfies DiagnosticData,
  };
}
