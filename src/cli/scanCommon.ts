/**
 * What the scan commands share: the accounts to scan (accounts file or one login, passwords
 * from the file, --password-stdin or ZXB_IMAP_PASSWORD, never argv), the JSON and the text
 * of a scan report, and its exit code (every account failed to connect: exit 2 with that message).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  accountName,
  emptyScanSummary,
  failWith,
  isFailure,
  parseAccountsFile,
  type ScanAccountRequest,
  type ScanReport,
} from '../engine';
import type { CliContext, CommandResult } from './context';
import { usageError } from './errors';
import { sharedPassword, type ImapCliOptions, PASSWORD_ENV } from './imapOptions';
import { envelope, formatBytes, renderTable, toFindingJson } from './output';
import type { ScanAccountJson, ScanJson } from './shapes';

export interface ScanCliOptions extends ImapCliOptions {
  source?: string;
  domain?: string;
  deep?: boolean;
  jobs?: string;
  json?: boolean;
}

export function requireSource(o: ScanCliOptions): string {
  if (!o.source) usageError('--source imap://HOST:PORT is required');
  return o.source;
}

export function nameOf(login: string, domain: string | undefined): string {
  const name = accountName(login, domain);
  if (!name) usageError(`${login} has no @: give --domain to name the account (login@DOMAIN)`);
  return name;
}

/** The accounts of an accounts file, each with its password. */
export async function accountsFromFile(file: string, o: ScanCliOptions): Promise<ScanAccountRequest[]> {
  let text: string;
  try {
    text = await fs.readFile(path.resolve(file), 'utf8');
  } catch (err) {
    usageError(
      `--accounts-file: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`,
      'io.not-found',
      file,
    );
  }
  const parsed = parseAccountsFile(text);
  if (!parsed.ok) usageError(`--accounts-file ${file}${parsed.line ? `:${parsed.line}` : ''}: ${parsed.why}`);
  const shared = parsed.accounts.some((a) => a.password === undefined) ? await sharedPassword(o) : undefined;
  return parsed.accounts.map((a) => {
    const password = a.password ?? shared;
    if (password === undefined)
      usageError(
        `${file}:${a.line}: no password for ${a.login}: put it after the login, or use --password-stdin or $${PASSWORD_ENV}`,
      );
    return { login: a.login, name: nameOf(a.login, o.domain), password };
  });
}

export function jobsOf(o: ScanCliOptions): number {
  if (o.jobs === undefined) return 1;
  if (!/^[1-9]\d{0,2}$/.test(o.jobs)) usageError(`--jobs: give a number of accounts scanned at once, not "${o.jobs}"`);
  return Number(o.jobs);
}

export function scanResult(
  ctx: CliContext,
  command: 'doSmartScan' | 'doAccountScan' | 'doRealtimeScan',
  r: ScanReport,
): CommandResult {
  const failed = r.accounts.filter(isFailure);
  // Nothing could be scanned at all: a usage or I/O error with the cause's own message (exit 2).
  if (!r.interrupted && r.accounts.length > 0 && failed.length === r.accounts.length) {
    const f = failed[0]!.error;
    failWith(f.code, f.path, f.message);
  }
  const accounts: ScanAccountJson[] = r.accounts.map((a) => {
    // A failed account counts nothing: the engine's empty summary, so both shapes stay one.
    const counted = isFailure(a) ? emptyScanSummary(a.login, a.name, a.zimbraId) : a;
    return {
      login: a.login,
      name: a.name,
      zimbraId: a.zimbraId,
      status: isFailure(a) ? 'failed' : 'scanned',
      error: isFailure(a) ? toFindingJson(a.error) : null,
      new: counted.new,
      changed: counted.changed,
      moved: counted.moved,
      deleted: counted.deleted,
      unchanged: counted.unchanged,
      folders: counted.folders,
      bytesWritten: counted.bytesWritten,
      blobsWritten: counted.blobsWritten,
      verified: counted.verified,
      rewritten: counted.rewritten,
      durationMs: counted.durationMs,
    };
  });
  const sum = (k: 'new' | 'changed' | 'moved' | 'deleted' | 'unchanged' | 'bytesWritten'): number =>
    accounts.reduce((s, a) => s + a[k], 0);
  const json: ScanJson = {
    ...envelope(command, ctx.zone, r.findings),
    backupPath: r.backupPath,
    source: r.source,
    interrupted: r.interrupted,
    durationMs: r.durationMs,
    accounts,
    totals: {
      new: sum('new'),
      changed: sum('changed'),
      moved: sum('moved'),
      deleted: sum('deleted'),
      unchanged: sum('unchanged'),
      bytesWritten: sum('bytesWritten'),
    },
  };
  let text = `backup path  ${r.backupPath}\nsource       ${r.source}\n`;
  text += renderTable(
    ['ACCOUNT', 'STATUS', 'NEW', 'CHANGED', 'MOVED', 'DELETED', 'UNCHANGED', 'WRITTEN'],
    accounts.map((a) => [
      a.name,
      a.status,
      a.new,
      a.changed,
      a.moved,
      a.deleted,
      a.unchanged,
      formatBytes(a.bytesWritten),
    ]),
  );
  for (const a of accounts) if (a.error) text += `${a.name}: ${a.error.message}\n`;
  if (r.interrupted) text += 'interrupted: what was scanned is in the backup; the next scan goes on from there\n';
  text += `duration     ${(r.durationMs / 1000).toFixed(1)} s\n`;
  return {
    findings: r.findings,
    json,
    text,
    failed: failed.length > 0,
    interrupted: r.interrupted,
  };
}
