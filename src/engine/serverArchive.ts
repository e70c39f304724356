/** Server archives under server/ or servers/ (docs/backup-format.md §7). */
import { promises as fs } from 'node:fs';
import { parseArchiveStamp } from './dates';
import { customizationsStamp, SERVER_DIRS } from './layout';
import { absOf, ioFailureFinding, listDir } from './fsx';
import { finding, type Finding } from './findings';

export interface ServerArchive {
  /** Relative to the backup path. */
  path: string;
  name: string;
  kind: 'customizations' | 'other';
  /** From the name, read in the chosen time zone. */
  date?: number;
  size: number;
}

export async function listServerArchives(
  root: string,
  zone: string,
): Promise<{ archives: ServerArchive[]; findings: Finding[] }> {
  const archives: ServerArchive[] = [];
  const findings: Finding[] = [];
  for (const dir of SERVER_DIRS) {
    const listing = await listDir(absOf(root, dir), dir);
    if (!listing.ok) {
      if (!listing.missing) findings.push(listing.finding);
      continue;
    }
    for (const e of listing.entries) {
      const rel = `${dir}/${e.name}`;
      if (!e.isFile()) continue;
      let size = 0;
      try {
        size = (await fs.lstat(absOf(root, rel))).size;
      } catch (err) {
        findings.push(ioFailureFinding(rel, err));
      }
      const stamp = customizationsStamp(e.name);
      const a: ServerArchive = { path: rel, name: e.name, kind: stamp ? 'customizations' : 'other', size };
      const date = stamp ? parseArchiveStamp(stamp, zone) : undefined;
      if (date !== undefined) a.date = date;
      archives.push(a);
    }
  }
  archives.sort((a, b) => (a.date ?? 0) - (b.date ?? 0) || a.name.localeCompare(b.name));
  return { archives, findings };
}

export interface ArchiveEntry {
  path: string;
  size: number;
  type: string;
  mtime?: number;
}

/**
 * Lists a .tar.gz without extracting it. `maxEntries` bounds what is kept (the rest is only
 * counted: `total`), so a huge archive costs one pass and no more memory than the page shown.
 */
export async function listArchiveContents(
  root: string,
  rel: string,
  opts: { maxEntries?: number } = {},
): Promise<{ ok: true; entries: ArchiveEntry[]; total: number } | { ok: false; finding: Finding }> {
  const entries: ArchiveEntry[] = [];
  const max = opts.maxEntries ?? Infinity;
  let total = 0;
  try {
    // Loaded on first use: most commands never open an archive.
    const tar = await import('tar');
    await tar.t({
      file: absOf(root, rel),
      strict: true,
      onReadEntry: (entry) => {
        total++;
        if (entries.length >= max) return;
        const e: ArchiveEntry = { path: entry.path, size: entry.size ?? 0, type: String(entry.type) };
        if (entry.mtime) e.mtime = entry.mtime.getTime();
        entries.push(e);
      },
    });
    return { ok: true, entries, total };
  } catch (err) {
    return {
      ok: false,
      finding: finding('server.bad-archive', rel, `cannot read the archive ${rel}: ${(err as Error).message}`),
    };
  }
}

/** The archive valid at `at`: the latest one made at or before it. */
export function archiveAt(archives: readonly ServerArchive[], at: number): ServerArchive | undefined {
  let best: ServerArchive | undefined;
  for (const a of archives)
    if (a.kind === 'customizations' && a.date !== undefined && a.date <= at && (!best || a.date >= best.date!))
      best = a;
  return best;
}
