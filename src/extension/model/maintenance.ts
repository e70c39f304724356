/**
 * What the "Export Accounts…" and "Purge…" wizards show before and after they write:
 * input checks, the preview and the report. Plain text and Markdown, no VS Code.
 */
import {
  DEFAULT_RETENTION_DAYS,
  formatZxsuite,
  parseDateSpec,
  type ExportReport,
  type PurgeResult,
  type TimeWindow,
} from '../engine';

/** Shown in the InputBox; undefined when the value is good. */
export function purgeDaysProblem(text: string): string | undefined {
  return /^\d{1,6}$/.test(text.trim()) ? undefined : 'A number of days (0 = infinite retention: nothing is purged).';
}

export const DEFAULT_PURGE_DAYS = String(DEFAULT_RETENTION_DAYS);

/** An optional window end: empty is "no bound", else an instant in zxsuite's format or ISO 8601. */
export function readWindowEnd(text: string, zone: string): { ok: true; at?: number } | { ok: false; error: string } {
  const t = text.trim();
  if (t === '') return { ok: true };
  const parsed = parseDateSpec(t, zone);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  if (parsed.value.kind !== 'instant') return { ok: false, error: 'Give a date (dd/MM/yyyy HH:mm:ss or ISO 8601).' };
  return { ok: true, at: parsed.value.at };
}

export function windowText(w: TimeWindow | undefined, zone: string): string {
  if (!w || (w.from === undefined && w.to === undefined)) return 'every transaction';
  const at = (x: number | undefined): string => (x === undefined ? '…' : formatZxsuite(x, zone));
  return `the transactions valid from ${at(w.from)} to ${at(w.to)}`;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

export function exportConfirmation(
  accounts: readonly string[],
  w: TimeWindow | undefined,
  dest: string,
  zone: string,
): string {
  return `Export ${plural(accounts.length, 'account')} (${windowText(w, zone)}) into ${dest}? The backup path is only read.`;
}

export function exportSummary(r: ExportReport): string {
  return `${plural(r.accounts.length, 'account')}, ${plural(r.items, 'item file')}, ${plural(r.blobs, 'BLOB')} (${formatSize(r.blobBytes)}) into ${r.destination}`;
}

export function exportReportMarkdown(r: ExportReport, zone: string): string {
  const rows = r.accounts.map((a) => `| ${a.name} | ${a.zimbraId} | ${a.items} | ${a.transactions} | ${a.blobs} |`);
  return [
    `# Export of ${r.source}`,
    '',
    `Into **${r.destination}**: ${windowText(r.window ?? undefined, zone)}.`,
    '',
    `- item files: ${r.items}, transactions: ${r.transactions}`,
    `- BLOBs copied: ${r.blobs} (${formatSize(r.blobBytes)})${r.missingBlobs > 0 ? `; ${r.missingBlobs} missing in the source too` : ''}`,
    '',
    '| account | zimbraId | items | transactions | BLOBs |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    `Check it with \`zxb doCoherencyCheck ${r.destination}\`.`,
    '',
  ].join('\n');
}

function counts(r: PurgeResult): { items: number; blobs: number; archives: number; idmaps: number; bytes: number } {
  const e = r.plan.entries;
  const n = (k: string): number => e.filter((x) => x.kind === k).length;
  return {
    items: n('item') + n('drive-item'),
    blobs: n('blob'),
    archives: n('archive'),
    idmaps: n('id-mapper-lines'),
    bytes: e.reduce((s, x) => s + x.bytes, 0),
  };
}

/** "12 item files, 30 BLOBs, 1 server archive (2.1 MiB)". */
export function purgeCounts(r: PurgeResult): string {
  const c = counts(r);
  const idmap = c.idmaps > 0 ? `, lines of ${plural(c.idmaps, 'id_mapper.log', 'id_mapper.log files')}` : '';
  return `${plural(c.items, 'item file')}, ${plural(c.blobs, 'BLOB')}, ${plural(c.archives, 'server archive')}${idmap} (${formatSize(c.bytes)})`;
}

export function purgeConfirmation(r: PurgeResult): string {
  return `Remove ${purgeCounts(r)} from the backup path? They are deleted, not moved; every removal is recorded in ${'.zxb-state/purge/'}.`;
}

export function purgeSummary(r: PurgeResult): string {
  if (r.infiniteRetention) return 'infinite retention: nothing purged';
  if (!r.applied) return `would remove ${purgeCounts(r)}`;
  return `${r.interrupted ? 'interrupted: ' : ''}removed ${r.removed} of ${r.plan.entries.length}: ${purgeCounts(r)}`;
}

const KEPT: Record<string, string> = {
  'legal-hold': 'the account is under legal hold',
  'legal-hold-unknown': 'account_info cannot be read: kept as if under legal hold',
  'folder-in-use': 'a kept item is or was filed in this folder',
  'newest-archive': 'the newest server archive is always kept',
};

/** The preview (dry run) or the report (--apply), with at most `max` entries listed. */
export function purgeMarkdown(r: PurgeResult, zone: string, max = 200): string {
  const title = r.applied ? `# Purge of ${r.root}` : `# Purge preview of ${r.root}`;
  const lines = [
    title,
    '',
    `Retention: ${r.plan.purgeDays} days before ${formatZxsuite(r.plan.now, zone)}. ${r.applied ? 'Removed' : 'Would remove'}: ${purgeCounts(r)}.`,
    '',
  ];
  if (r.journal) lines.push(`Journal: \`${r.journal}\``, '');
  if (r.resumed.length > 0)
    lines.push(`Finishes the interrupted purge of ${r.resumed.map((j) => `\`${j}\``).join(', ')}.`, '');
  if (r.interrupted) lines.push('**Interrupted**: run Purge again to finish.', '');
  const entries = r.plan.entries;
  if (entries.length > 0) {
    lines.push('| kind | path | bytes | date |', '|---|---|---|---|');
    for (const e of entries.slice(0, max))
      lines.push(`| ${e.kind} | ${e.path} | ${e.bytes} | ${e.date === undefined ? '' : formatZxsuite(e.date, zone)} |`);
    if (entries.length > max)
      lines.push('', `…and ${entries.length - max} more (\`zxb doPurge ${r.root} --json\` lists them all).`);
    lines.push('');
  }
  if (r.plan.kept.length > 0) {
    lines.push('## Kept although due', '', '| path | items | why |', '|---|---|---|');
    for (const k of r.plan.kept) lines.push(`| ${k.path} | ${k.count} | ${KEPT[k.reason] ?? k.reason} |`);
    lines.push('');
  }
  return lines.join('\n');
}
