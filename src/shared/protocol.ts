/**
 * The contract between the extension (client) and the language server, declared
 * once. No `vscode` import: both sides and the tests use it. Method names are
 * stable; params and results are plain JSON; each request and notification has a
 * typed `type` (vscode-jsonrpc's message types, which both sides' libraries take).
 */
import { NotificationType, RequestType } from 'vscode-jsonrpc';
import { LANGUAGE_IDS, type CheckLevel, type Finding, type Severity } from '../engine';

/** Language ids, assigned by file-name pattern in package.json: the engine's file-kind table (src/engine/fileKinds.ts). */
export const LanguageIds = LANGUAGE_IDS;
export const ALL_LANGUAGE_IDS: readonly string[] = Object.values(LanguageIds);

/** Virtual documents served by the extension. */
export const BLOB_SCHEME = 'zxbackup-blob';

/** `zxbackup-blob:/<digest>.eml?root=<backup path>`: the decompressed BLOB with a header summary. */
export function blobUri(root: string, digest: string): string {
  return `${BLOB_SCHEME}:/${encodeURIComponent(digest)}.eml?root=${encodeURIComponent(root)}`;
}

export function parseBlobUri(uri: string): { root: string; digest: string } | undefined {
  const m = /^zxbackup-blob:\/([^?]+)\.eml\?root=(.+)$/.exec(uri);
  if (!m || !m[1] || !m[2]) return undefined;
  return { digest: decodeURIComponent(m[1]), root: decodeURIComponent(m[2]) };
}

/** Settings under `zxbackup.*` the server reads (workspace/configuration, section "zxbackup"). */
export interface ServerSettings {
  timeZone: string;
  schemaDirectory: string;
  retentionDays: number;
  diagnosticsCap: number;
  checkConcurrency: number;
}
export const DEFAULT_SETTINGS: ServerSettings = {
  timeZone: 'UTC',
  schemaDirectory: '',
  retentionDays: 30,
  diagnosticsCap: 1000,
  checkConcurrency: 0,
};

/** The check's levels, declared once in the engine (src/engine/check/types.ts). */
export type { CheckLevel };

/** Request `zxbackup/runCheck`: the coherency check, with work-done progress and $/cancelRequest. */
export namespace RunCheckRequest {
  export const method = 'zxbackup/runCheck';
  export interface Params {
    /** Absolute backup path. */
    root: string;
    level: CheckLevel;
    accounts?: string[];
    /** Only this file (relative to root), for "check this file". */
    file?: string;
    workDoneToken?: string | number;
  }
  export interface Result {
    findings: Finding[];
    summary: {
      bySeverity: Record<Severity, number>;
      byCode: Record<string, number>;
      filesChecked: number;
      durationMs: number;
      /** Cancelled: the findings and counts cover only what was checked before the stop. */
      interrupted: boolean;
      /** Codes with more findings than listed (byCode has the true counts), and the cap per code. */
      truncatedCodes: string[];
      maxFindingsPerCode: number;
      /** Items whose message body is lost (missing or damaged BLOB), in all and per account id. */
      lostBodies: { items: number; byAccount: Record<string, number> };
      /** Findings left out of the published diagnostics because of the cap. */
      unpublished: number;
    };
  }
  /** The typed request: `connection.onRequest(RunCheckRequest.type, …)`, `client.sendRequest(RunCheckRequest.type, …)`. */
  export const type = new RequestType<Params, Result, void>(method);
}

/** Notification `zxbackup/pointInTime` (client → server): the time hovers and lenses evaluate at. */
export namespace PointInTimeNotification {
  export const method = 'zxbackup/pointInTime';
  export interface Params {
    /** Epoch ms, or null for "last" (the latest state). */
    at: number | null;
  }
  export const type = new NotificationType<Params>(method);
}

/** Arguments of the code-lens commands showState and restoreState: the item file and the transaction's index in its array. */
export interface TransactionCommandArgs {
  uri: string;
  transactionIndex: number;
}

/** `Diagnostic.data` of every server diagnostic (code = finding code, source 'zxbackup'). */
export interface DiagnosticData {
  remedy: string;
  /** Published check results: how many findings of this code the file has (one diagnostic per file and code). */
  count?: number;
  /** true when the diagnostic comes from the last zxbackup/runCheck, not from the open document. */
  fromCheck?: boolean;
}

/** Command ids the server's code lenses use (registered by the extension). */
export const Commands = {
  showState: 'zxbackup.showItemState',
  restoreState: 'zxbackup.restoreItemState',
  showBlob: 'zxbackup.showBlob',
  exportBlobEml: 'zxbackup.exportBlobEml',
  showHistory: 'zxbackup.showItemHistory',
} as const;
