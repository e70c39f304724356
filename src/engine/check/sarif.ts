/** SARIF 2.1.0 output, as the VS Code SARIF viewer (MS-SarifVSCode.sarif-viewer) opens it. */
import { pathToFileURL } from 'node:url';
import { FINDINGS, type Finding, type FindingCode, type Severity } from '../findings';
import type { CheckReport } from './types';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

export function toSarif(report: CheckReport, tool: { name: string; version: string; informationUri?: string }): object {
  const codes = Object.keys(FINDINGS) as FindingCode[];
  const index = new Map(codes.map((c, i) => [c, i]));
  const rules = codes.map((c) => ({
    id: c,
    name: c.replace(/[.-](\w)/g, (_, ch: string) => ch.toUpperCase()),
    shortDescription: { text: FINDINGS[c].title },
    help: { text: FINDINGS[c].remedy },
    defaultConfiguration: { level: LEVEL[FINDINGS[c].severity] },
  }));
  const rootUri = pathToFileURL(report.root.endsWith('/') ? report.root : report.root + '/').href;
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: tool.name,
            version: tool.version,
            ...(tool.informationUri ? { informationUri: tool.informationUri } : {}),
            rules,
          },
        },
        originalUriBaseIds: { BACKUPROOT: { uri: rootUri } },
        invocations: [invocation(report)],
        results: report.findings.map((f) => result(f, index.get(f.code) ?? 0)),
        properties: { partial: report.summary.interrupted, summary: report.summary },
      },
    ],
  };
}

/** An interrupted check's results are partial, and capped codes have more findings than listed: both said in the log. */
function invocation(report: CheckReport): object {
  const s = report.summary;
  const notes: string[] = [];
  if (s.interrupted) notes.push('Interrupted: partial results (only what was checked before the stop).');
  for (const c of s.truncatedCodes)
    notes.push(`${c}: ${s.byCode[c] ?? 0} found, the first ${s.maxFindingsPerCode} listed.`);
  return {
    executionSuccessful: !s.interrupted,
    ...(notes.length > 0
      ? { toolExecutionNotifications: notes.map((text) => ({ level: 'warning', message: { text } })) }
      : {}),
  };
}

function physical(path: string, range: Finding['range']): Record<string, unknown> {
  const physicalLocation: Record<string, unknown> = {
    // An empty path is the backup path itself: SARIF wants a relative URI, "." is the folder.
    artifactLocation: {
      uri: path === '' ? '.' : path.split('/').map(encodeURIComponent).join('/'),
      uriBaseId: 'BACKUPROOT',
    },
  };
  if (range) {
    physicalLocation['region'] = {
      startLine: range.start.line + 1,
      startColumn: range.start.character + 1,
      endLine: range.end.line + 1,
      endColumn: range.end.character + 1,
    };
  }
  return physicalLocation;
}

function result(f: Finding, ruleIndex: number): object {
  const out: Record<string, unknown> = {
    ruleId: f.code,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: `${f.message}. ${f.remedy}` },
    locations: [{ physicalLocation: physical(f.path, f.range) }],
  };
  // The items whose message body a damaged BLOB held.
  if (f.related && f.related.length > 0)
    out['relatedLocations'] = f.related.map((r, id) => ({
      id,
      physicalLocation: physical(r.path, r.range),
      message: { text: r.message },
    }));
  return out;
}
