/**
 * Publishes the last coherency run for files that are not open, capped and grouped
 * (one diagnostic per file and code, with a count), so thousands of findings never
 * freeze the Problems panel. An open document is served by pull diagnostics: its
 * pushed check results are withdrawn on open and given back on close.
 */
import { statSync } from 'node:fs';
import type { Connection, Diagnostic } from 'vscode-languageserver/node';
import { absOf, type Finding, type Severity } from '../engine';
import type { DiagnosticData } from '../shared/protocol';
import { codeTitle } from './check';
import { FILE_START, SOURCE, toSeverity } from './convert';
import { fileUri } from './documents';

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export interface GroupedFile {
  uri: string;
  diagnostics: Diagnostic[];
}

/** Whether `rel` is a regular file now (a diagnostic on anything else makes VS Code offer "Create File"). */
export function isExistingFile(root: string, rel: string): boolean {
  try {
    return statSync(absOf(root, rel)).isFile();
  } catch {
    return false;
  }
}

/**
 * Groups findings per file and code; keeps at most `cap` diagnostics in all (worst files first).
 * Findings on the backup path itself or on a file that does not exist (a missing
 * account_info, a folder) are left to the Findings view: in the Problems panel a
 * click on such a URI offers to create the file inside the customer's backup.
 */
export function groupFindings(
  root: string,
  findings: readonly Finding[],
  cap: number,
  isFile: (rel: string) => boolean = (rel) => isExistingFile(root, rel),
): { files: GroupedFile[]; unpublished: number } {
  const byFile = new Map<string, Map<string, Finding[]>>();
  const fileKnown = new Map<string, boolean>();
  let unpublished = 0;
  for (const f of findings) {
    let publishable = f.path !== '' ? fileKnown.get(f.path) : false;
    if (publishable === undefined) fileKnown.set(f.path, (publishable = isFile(f.path)));
    if (!publishable) {
      unpublished++;
      continue;
    }
    let codes = byFile.get(f.path);
    if (!codes) byFile.set(f.path, (codes = new Map()));
    const list = codes.get(f.code);
    if (list) list.push(f);
    else codes.set(f.code, [f]);
  }
  const worst = (codes: Map<string, Finding[]>): number =>
    Math.min(...[...codes.values()].map((l) => RANK[l[0]!.severity]));
  const ordered = [...byFile].sort(([pa, a], [pb, b]) => worst(a) - worst(b) || pa.localeCompare(pb));
  const files: GroupedFile[] = [];
  let budget = cap;
  for (const [rel, codes] of ordered) {
    const groups = [...codes.values()].sort((a, b) => RANK[a[0]!.severity] - RANK[b[0]!.severity]);
    const diagnostics: Diagnostic[] = [];
    for (const list of groups) {
      if (budget <= 0) {
        unpublished += list.length;
        continue;
      }
      budget--;
      diagnostics.push(groupDiagnostic(list));
    }
    if (diagnostics.length > 0) files.push({ uri: fileUri(absOf(root, rel)), diagnostics });
  }
  return { files, unpublished };
}

function groupDiagnostic(list: Finding[]): Diagnostic {
  const first = list[0]!;
  const message =
    list.length === 1 ? first.message : `${codeTitle(first.code)} (${list.length}×); first: ${first.message}`;
  return {
    range: first.range ?? FILE_START,
    severity: toSeverity(first.severity),
    code: first.code,
    source: SOURCE,
    message,
    data: { remedy: first.remedy, count: list.length, fromCheck: true } satisfies DiagnosticData,
  };
}

export class CheckPublisher {
  /** What the last run published (or would, once the document closes), per URI. */
  private published = new Map<string, Diagnostic[]>();
  /** publishDiagnostics notifications the last publish() sent (for the phase log). */
  lastPublished = 0;

  constructor(private readonly connection: Connection) {}

  /** Replaces the previous run's diagnostics. Returns how many findings were left out by the cap. */
  publish(root: string, findings: readonly Finding[], cap: number, isOpen: (uri: string) => boolean): number {
    const { files, unpublished } = groupFindings(root, findings, cap);
    const next = new Map(files.map((f) => [f.uri, f.diagnostics]));
    let sent = 0;
    const send = (uri: string, diagnostics: Diagnostic[]): void => {
      sent++;
      void this.connection.sendDiagnostics({ uri, diagnostics });
    };
    for (const uri of this.published.keys()) if (!next.has(uri) && !isOpen(uri)) send(uri, []);
    this.published = next;
    for (const [uri, diagnostics] of next) if (!isOpen(uri)) send(uri, diagnostics);
    this.lastPublished = sent;
    return unpublished;
  }

  /** The document is now open: its pull diagnostics take over. */
  opened(uri: string): void {
    if (this.published.has(uri)) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  /** The document closed: give back the check's results for it, if any. */
  closed(uri: string): void {
    const d = this.published.get(uri);
    if (d) void this.connection.sendDiagnostics({ uri, diagnostics: d });
  }
}
