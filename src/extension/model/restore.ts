/**
 * What the "Restore Account at Point in Time…", "Undelete…" and "Restore Item…" wizards
 * read and show: the date choices (the tree's point in time first), the destination, the
 * preview of a dry run and the report. Plain text and Markdown, no VS Code.
 */
import {
  formatZxsuite,
  parseDateSpec,
  parseDestination,
  parseImapUrl,
  redactUrl,
  type Destination,
  type ImapEndpoint,
  type ImapSecurity,
  type PointSpec,
  type RestorePlan,
  type RestoreReport,
} from '../engine';
import type { PointInTime } from './pointInTime';

export interface DateChoice {
  label: string;
  description?: string;
  /** undefined: "Another date…" (an InputBox follows). */
  spec?: PointSpec;
}

/** The QuickPick rows for a date: the tree's point in time first, then the fixed ends allowed, then "Another date…". */
export function dateChoices(at: PointInTime, zone: string, allow: { first?: boolean; last?: boolean }): DateChoice[] {
  const rows: DateChoice[] = [];
  if (at !== null)
    rows.push({
      label: formatZxsuite(at, zone),
      description: 'the point in time of the Backup view',
      spec: { kind: 'instant', at },
    });
  if (allow.last !== false)
    rows.push({
      label: 'last',
      description: at === null ? 'the latest state (the point in time of the Backup view)' : 'the latest state',
      spec: { kind: 'last' },
    });
  if (allow.first) rows.push({ label: 'first', description: 'the earliest recorded state', spec: { kind: 'first' } });
  rows.push({ label: 'Another date…', description: `dd/MM/yyyy HH:mm:ss or ISO 8601, read in ${zone}` });
  return rows;
}

export type DateInput = { ok: true; spec: PointSpec } | { ok: false; error: string };

/** A typed date (zxsuite's format or ISO 8601 through the one date parser), or first/last where allowed. */
export function readRestoreDate(text: string, zone: string, allow: { first?: boolean; last?: boolean }): DateInput {
  const parsed = parseDateSpec(text.trim(), zone);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  const v = parsed.value;
  if (v.kind === 'all') return { ok: false, error: '"all" is not a moment: type a date.' };
  if (v.kind === 'first' && !allow.first) return { ok: false, error: '"first" is not accepted here: type a date.' };
  if (v.kind === 'last' && allow.last === false)
    return { ok: false, error: '"last" is not accepted here: type a date.' };
  return { ok: true, spec: v };
}

export function specText(spec: PointSpec, zone: string): string {
  return spec.kind === 'instant' ? formatZxsuite(spec.at, zone) : spec.kind;
}

export type ImapInput = { ok: true; endpoint: ImapEndpoint; login: string } | { ok: false; error: string };

/** `imap://LOGIN@HOST:PORT`: the login is required (it is the mailbox restored into); a password in it is refused. */
export function readImapDestination(text: string, security: ImapSecurity = 'none'): ImapInput {
  const parsed = parseImapUrl(text.trim(), security);
  if (!parsed.ok) return { ok: false, error: parsed.finding.message };
  const login = parsed.value.login;
  if (!login)
    return { ok: false, error: `${redactUrl(text.trim())}: name the login to restore into (imap://LOGIN@HOST:PORT)` };
  return { ok: true, endpoint: parsed.value, login };
}

/** A local destination from the target kind and the folder picked. */
export function localDestination(kind: 'maildir' | 'mbox' | 'eml', folder: string): Destination {
  return parseDestination(`${kind}:${folder}`)!;
}

/** The SecretStorage key of an IMAP password: the one the scans use too. */
export { imapSecretKey as secretKey } from './imapSecret';

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

const KIND_TITLE: Record<RestorePlan['kind'], string> = {
  account: 'Restore of',
  undelete: 'Undelete into',
  item: 'Item restore of',
};

function planHeading(plan: RestorePlan, zone: string): string {
  if (plan.kind === 'undelete') return `the messages of ${plan.account.name} deleted up to ${specText(plan.at, zone)}`;
  return `${plan.account.name} as it was at ${specText(plan.at, zone)}`;
}

/** "42 messages in 7 folders". */
export function previewCounts(r: RestoreReport): string {
  const w = r.wouldWrite ?? { folders: [], messages: [] };
  return `${plural(w.messages.length, 'message')} in ${plural(w.folders.length, 'folder')}`;
}

/** The dry run as a document: counts, every folder, the first `max` messages, what cannot be restored. */
export function restorePreviewMarkdown(
  plan: RestorePlan,
  r: RestoreReport,
  zone: string,
  itemFile: (itemId: number) => string,
  max = 50,
): string {
  const w = r.wouldWrite ?? { folders: [], messages: [] };
  const lines = [
    `# Preview: ${KIND_TITLE[plan.kind]} ${planHeading(plan, zone)}`,
    '',
    `Nothing has been written yet. Into **${r.destination}**: ${previewCounts(r)}.`,
    '',
    `- already restored by an earlier run: ${r.alreadyRestored}`,
    `- not mail (a mail target cannot hold them): ${r.notMail}`,
    `- cannot be restored: ${r.unrestored.length}`,
    '',
  ];
  if (w.folders.length > 0) {
    lines.push('## Folders', '');
    for (const f of w.folders) lines.push(`- ${f.join('/')}`);
    lines.push('');
  }
  if (w.messages.length > 0) {
    lines.push(
      `## Messages${w.messages.length > max ? ` (the first ${max})` : ''}`,
      '',
      '| item | folder | date | flags and keywords |',
      '|---|---|---|---|',
    );
    for (const m of w.messages.slice(0, max))
      lines.push(
        `| ${m.itemId} | ${m.folder.join('/')} | ${formatZxsuite(m.internalDate, zone)} | ${m.flags.concat(m.keywords).join(' ') || '-'} |`,
      );
    if (w.messages.length > max) lines.push('', `…and ${w.messages.length - max} more.`);
    lines.push('');
  }
  lines.push(...unrestoredSection(r, itemFile));
  lines.push(...findingsSection(r));
  return lines.join('\n');
}

export function restoreConfirmation(plan: RestorePlan, r: RestoreReport, zone: string): string {
  return `Write ${previewCounts(r)} into ${r.destination}: ${planHeading(plan, zone)}? The backup path is only read; a rerun adds nothing already restored.`;
}

export function restoreSummary(r: RestoreReport): string {
  if (r.dryRun) return `would write ${previewCounts(r)}; ${r.unrestored.length} cannot be restored`;
  const head = r.failed ? 'failed: ' : r.interrupted ? 'interrupted: ' : '';
  return `${head}${r.restored} restored, ${r.skipped} skipped, ${r.unrestored.length} unrestored into ${r.destination}`;
}

function unrestoredSection(r: RestoreReport, itemFile: (itemId: number) => string): string[] {
  if (r.unrestored.length === 0) return [];
  const lines = [
    '## Unrestored items',
    '',
    `account: ${r.account.name}`,
    '',
    '| item | reason | file | detail |',
    '|---|---|---|---|',
  ];
  for (const u of r.unrestored) {
    const file = u.itemId >= 0 ? itemFile(u.itemId) : '';
    lines.push(
      `| ${u.itemId} | ${u.reason} | ${file ? `[${file}](${encodeURI(`file://${file}`)})` : '-'} | ${u.detail.replace(/\|/g, '\\|')} |`,
    );
  }
  lines.push('');
  return lines;
}

function findingsSection(r: RestoreReport): string[] {
  const other = r.findings.filter((f) => f.code !== 'restore.unrestored');
  if (other.length === 0) return [];
  return ['## Findings', '', ...other.map((f) => `- \`${f.code}\` ${f.path ? `${f.path}: ` : ''}${f.message}`), ''];
}

/** The report, like Zextras' restore notification: stats, then the unrestored items with their item files. */
export function restoreReportMarkdown(
  plan: RestorePlan,
  r: RestoreReport,
  zone: string,
  itemFile: (itemId: number) => string,
  journal: string | undefined,
): string {
  const lines = [`# ${KIND_TITLE[plan.kind]} ${planHeading(plan, zone)}`, '', `Into **${r.destination}**.`, ''];
  if (r.failed) lines.push('**Failed**: the target stopped answering; run the same restore again to continue.', '');
  else if (r.interrupted) lines.push('**Interrupted**: run the same restore again to continue where it stopped.', '');
  lines.push(
    '## Stats',
    '',
    `- Restored Items: ${r.restored}`,
    `- Skipped Items: ${r.skipped} (${r.alreadyRestored} already restored, ${r.notMail} not mail)`,
    `- Unrestored Items: ${r.unrestored.length}`,
    `- Folders created: ${r.foldersCreated}`,
    '',
  );
  if (journal) lines.push(`Journal: \`${journal}\``, '');
  lines.push(...unrestoredSection(r, itemFile), ...findingsSection(r));
  return lines.join('\n');
}
