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
        invocations: [{ executionSuccessful: !report.summary.interrupted }],
        results: report.findings.map((f) => result(f, index.get(f.code) ?? 0)),
        properties: { summary: report.summary },
      },
    ],
  };
}

function result(f: Finding, ruleIndex: number): object {
  const physicalLocation: Record<string, unknown> = {
    // An empty path is the backup path itself: SARIF wants a relative URI, "." is the folder.
    artifactLocation: {
      uri: f.path === '' ? '.' : f.path.split('/').map(encodeURIComponent).join('/'),
      uriBaseId: 'BACKUPROOT',
    },
  };
  if (f.range) {
    physicalLocation['region'] = {
      startLine: f.range.start.line + 1,
      startColumn: f.range.start.character + 1,
      endLine: f.range.end.line + 1,
      endColumn: f.range.end.character + 1,
    };
  }
  return {
    ruleId: f.code,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: `${f.message}. ${f.remedy}` },
    locations: [{ physicalLocation }],
  };
}
