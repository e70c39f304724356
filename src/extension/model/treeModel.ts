/**
 * The Backup view's shape, without VS Code: node references and their stable ids,
 * paging ("Load more…") and bucketing (ranges by id) of long sibling lists, and the
 * label/description of every node. backupTree.ts only maps NodeView to TreeItem, so
 * everything that decides what the user sees is unit-tested here.
 */
import type { AccountSummary, AccountSnapshot, FolderAtTime, ItemAtTime } from '../engine';
import { DEFAULT_TIME_ZONE, USER_ROOT_ID, ROOT_ID, formatZxsuite } from '../engine';

export interface TreeLimits {
  /** A list longer than this is split into ranges. */
  bucketThreshold: number;
  /** Entries shown per "Load more…" step. */
  pageSize: number;
}
export const DEFAULT_LIMITS: TreeLimits = { bucketThreshold: 500, pageSize: 200 };

/** Which child list of an owner node a range or "Load more…" node slices. */
export type ListName = 'folders' | 'items' | 'accounts' | 'prefixes' | 'blobs';

export type NodeRef =
  | { kind: 'servers' }
  | { kind: 'map'; serverId: string; path: string }
  | { kind: 'archive'; path: string }
  | { kind: 'domain'; domain: string }
  | { kind: 'account'; zimbraId: string }
  | { kind: 'folder'; zimbraId: string; folderId: number }
  | { kind: 'item'; zimbraId: string; itemId: number; path: string }
  | { kind: 'deleted'; zimbraId: string }
  | { kind: 'unplaced'; zimbraId: string }
  /** Item files of the account that cannot be read as items (invalid JSON, not UTF-8, unreadable). */
  | { kind: 'unreadable'; zimbraId: string }
  | { kind: 'blobStore' }
  | { kind: 'blobPrefix'; prefix: string }
  | { kind: 'blob'; digest: string; path: string }
  /** Entries [from, to) of the owner's sorted list. */
  | { kind: 'range'; owner: string; list: ListName; from: number; to: number }
  /** "Load more…": the owner's list (or range) currently shows `shown` entries. */
  | { kind: 'more'; owner: string; list: ListName; from: number; shown: number; remaining: number }
  | { kind: 'message'; owner: string; text: string };

/** Ids never contain the point in time: expanding, selecting and revealing survive a time change. */
export function nodeId(ref: NodeRef): string {
  switch (ref.kind) {
    case 'servers':
      return 'servers';
    case 'map':
      return `map/${ref.serverId}`;
    case 'archive':
      return `archive/${ref.path}`;
    case 'domain':
      return `domain/${ref.domain}`;
    case 'account':
      return `account/${ref.zimbraId}`;
    case 'folder':
      return `folder/${ref.zimbraId}/${ref.folderId}`;
    case 'item':
      return `item/${ref.zimbraId}/${ref.itemId}`;
    case 'deleted':
      return `deleted/${ref.zimbraId}`;
    case 'unplaced':
      return `unplaced/${ref.zimbraId}`;
    case 'unreadable':
      return `unreadable/${ref.zimbraId}`;
    case 'blobStore':
      return 'blobs';
    case 'blobPrefix':
      return `blobs/${ref.prefix}`;
    case 'blob':
      // By path: a stray file with the same (invalid) name may sit in two prefix folders.
      return `blob/${ref.path}`;
    case 'range':
      return `${ref.owner}#${ref.list}[${ref.from},${ref.to})`;
    case 'more':
      return `${ref.owner}#${ref.list}@${ref.from}+more`;
    case 'message':
      return `${ref.owner}#message`;
  }
}

export type Slot<T> =
  | { type: 'entry'; value: T }
  | { type: 'range'; from: number; to: number; first: T; last: T }
  | { type: 'more'; from: number; shown: number; remaining: number };

/**
 * The children for entries [from, to) of a sorted list: ranges when the span is longer
 * than the threshold (nested as needed: a million entries give 4 ranges of 250,000,
 * each of 500 ranges of 500), else the first `shown` entries and a "more" slot.
 * Cost is proportional to what is returned, never to the list's length.
 */
export function sliceChildren<T>(
  all: readonly T[],
  span: { from: number; to: number },
  shown: number,
  limits: TreeLimits = DEFAULT_LIMITS,
): Slot<T>[] {
  const from = Math.max(0, span.from);
  const to = Math.min(all.length, span.to);
  const n = to - from;
  if (n <= 0) return [];
  if (n > limits.bucketThreshold) {
    let width = limits.bucketThreshold;
    while (Math.ceil(n / width) > limits.bucketThreshold) width *= limits.bucketThreshold;
    const slots: Slot<T>[] = [];
    for (let a = from; a < to; a += width) {
      const b = Math.min(to, a + width);
      slots.push({ type: 'range', from: a, to: b, first: all[a]!, last: all[b - 1]! });
    }
    return slots;
  }
  const end = Math.min(to, from + Math.max(1, shown));
  const slots: Slot<T>[] = [];
  for (let i = from; i < end; i++) slots.push({ type: 'entry', value: all[i]! });
  if (end < to) slots.push({ type: 'more', from, shown: end - from, remaining: to - end });
  return slots;
}

/** How many entries each list shows, per owner and span; "Load more…" adds a page. */
export class PagingState {
  private readonly shown = new Map<string, number>();
  constructor(private readonly limits: TreeLimits = DEFAULT_LIMITS) {}
  private key(owner: string, list: ListName, from: number): string {
    return `${owner}#${list}@${from}`;
  }
  shownFor(owner: string, list: ListName, from: number): number {
    return this.shown.get(this.key(owner, list, from)) ?? this.limits.pageSize;
  }
  loadMore(owner: string, list: ListName, from: number): number {
    const next = this.shownFor(owner, list, from) + this.limits.pageSize;
    this.shown.set(this.key(owner, list, from), next);
    return next;
  }
  /** Forget paging under an owner (its list changed, e.g. at another point in time). */
  reset(ownerPrefix: string): void {
    for (const k of [...this.shown.keys()]) if (k.startsWith(ownerPrefix)) this.shown.delete(k);
  }
}

/** What a TreeItem shows; backupTree.ts turns it into a vscode.TreeItem one to one. */
export interface NodeView {
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  collapsible: boolean;
  /** For `when` clauses in package.json menus (view/item/context). */
  contextValue: string;
  /** A codicon name (checked against the codicons VS Code ships by the integration tests). */
  icon?: string;
  /** A theme colour id for the icon (e.g. `disabledForeground`). */
  iconColor?: string;
  /** Relative path of the file the node stands for, if any (opened on click). */
  path?: string;
}

/**
 * An item row: the subject, then id, type, sender and date of the transaction shown at the
 * point in time; the tooltip repeats subject, sender and date. Dates follow the extension's
 * convention (zxsuite's format in `zxbackup.timeZone`).
 */
export function itemView(zimbraId: string, it: ItemAtTime, zone: string = DEFAULT_TIME_ZONE): NodeView {
  const title = it.title.trim() || (it.status === 'deleted' ? '(deleted item)' : '(no subject)');
  const tx = it.transaction;
  const sender = tx.sender?.replace(/\s+/g, ' ').trim() || undefined;
  // mail_item.date is epoch seconds: the message's own (received) date, not when the state began.
  const date = tx.date !== undefined && Number.isFinite(tx.date) ? formatZxsuite(tx.date * 1000, zone) : undefined;
  const shortSender = sender && sender.length > 60 ? `${sender.slice(0, 59)}…` : sender;
  const v: NodeView = {
    id: nodeId({ kind: 'item', zimbraId, itemId: it.id, path: it.path }),
    label: title.length > 120 ? `${title.slice(0, 119)}…` : title,
    description: [`#${it.id}`, it.typeName, it.status === 'deleted' ? 'deleted' : '', shortSender ?? '', date ?? '']
      .filter((s) => s)
      .join(' · '),
    tooltip: [
      title,
      sender ? `From: ${sender}` : '',
      date ? `Date: ${date} (${zone})` : '',
      `#${it.id} · ${it.typeName}${it.status === 'deleted' ? ' · deleted' : ''} · ${it.path}`,
    ]
      .filter((s) => s)
      .join('\n'),
    collapsible: false,
    contextValue: typeof tx.digest === 'string' ? 'zxbackup.item.withBlob' : 'zxbackup.item',
    icon: ITEM_ICONS[it.typeName] ?? 'file',
    path: it.path,
  };
  return v;
}

const ITEM_ICONS: Record<string, string> = {
  message: 'mail',
  contact: 'person',
  appointment: 'calendar',
  task: 'checklist',
  document: 'file',
  tag: 'tag',
  conversation: 'comment-discussion',
  folder: 'folder',
};

/** `itemCount`: from the catalogue, whose folders come without their items. */
export function folderView(zimbraId: string, f: FolderAtTime, itemCount: number = f.items.length): NodeView {
  return {
    id: nodeId({ kind: 'folder', zimbraId, folderId: f.id }),
    label: f.name,
    description: `${itemCount} item${itemCount === 1 ? '' : 's'}${f.children.length ? ` · ${f.children.length} folder${f.children.length === 1 ? '' : 's'}` : ''}`,
    tooltip: `${f.path} (id ${f.id})`,
    collapsible: itemCount > 0 || f.children.length > 0,
    contextValue: 'zxbackup.folder',
    icon: f.type === 1 ? 'folder' : f.type === 13 ? 'link' : 'search',
  };
}

export function accountView(a: AccountSummary, zone: string): NodeView {
  const flags = [
    a.isSystem ? 'system' : '',
    a.deletedDate !== undefined ? `deleted ${formatZxsuite(a.deletedDate, zone)}` : '',
    a.status && a.status !== 'active' ? a.status : '',
  ]
    .filter((s) => s)
    .join(' · ');
  const v: NodeView = {
    id: nodeId({ kind: 'account', zimbraId: a.zimbraId }),
    label: a.name,
    collapsible: true,
    contextValue: 'zxbackup.account',
    icon: 'account',
    tooltip: [
      a.displayName,
      a.zimbraId,
      a.findings.length ? `${a.findings.length} finding(s) reading the account files` : '',
    ]
      .filter((s) => s)
      .join('\n'),
  };
  // A deleted account keeps its person icon, greyed: there is no "person-delete" codicon.
  if (a.deletedDate !== undefined) v.iconColor = 'disabledForeground';
  if (flags) v.description = flags;
  return v;
}

/** Accounts grouped by the domain of their address, domains and accounts sorted; '' holds accounts without one. */
export function groupAccountsByDomain(accounts: readonly AccountSummary[]): Map<string, AccountSummary[]> {
  const byDomain = new Map<string, AccountSummary[]>();
  for (const a of accounts) {
    const d = a.domain ?? '';
    let list = byDomain.get(d);
    if (!list) byDomain.set(d, (list = []));
    list.push(a);
  }
  const sorted = new Map(
    [...byDomain.entries()].sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b))),
  );
  for (const list of sorted.values())
    list.sort((a, b) => a.name.localeCompare(b.name) || a.zimbraId.localeCompare(b.zimbraId));
  return sorted;
}

/**
 * What an account shows at the top: the mailbox root folders are hidden (USER_ROOT is
 * "/", ROOT is internal), so their children come up one level; folders whose parent
 * did not exist at that time stay as roots.
 */
export function accountTopLevel(snapshot: Pick<AccountSnapshot, 'roots'>): {
  folders: FolderAtTime[];
  items: ItemAtTime[];
  hiddenIds: number[];
} {
  const folders: FolderAtTime[] = [];
  const items: ItemAtTime[] = [];
  /** The hidden folders whose items show at the top (the catalogue fetches them by these ids). */
  const hiddenIds: number[] = [];
  const visit = (f: FolderAtTime, depth: number): void => {
    if ((f.id === USER_ROOT_ID || f.id === ROOT_ID) && depth < 4) {
      hiddenIds.push(f.id);
      items.push(...f.items);
      for (const c of f.children) visit(c, depth + 1);
    } else folders.push(f);
  };
  for (const r of snapshot.roots) visit(r, 0);
  return { folders, items: items.sort((a, b) => a.id - b.id), hiddenIds };
}

export function rangeView<T>(
  owner: string,
  list: ListName,
  slot: Extract<Slot<T>, { type: 'range' }>,
  keyLabel: (t: T) => string,
): NodeView {
  return {
    id: nodeId({ kind: 'range', owner, list, from: slot.from, to: slot.to }),
    label: `${keyLabel(slot.first)} – ${keyLabel(slot.last)}`,
    description: `${slot.to - slot.from} ${list}`,
    collapsible: true,
    contextValue: 'zxbackup.range',
    icon: 'list-flat',
  };
}

export function moreView(
  owner: string,
  list: ListName,
  slot: Extract<Slot<unknown>, { type: 'more' }>,
  pageSize: number,
): NodeView {
  return {
    id: nodeId({ kind: 'more', owner, list, from: slot.from, shown: slot.shown, remaining: slot.remaining }),
    label: 'Load more…',
    description: `${Math.min(pageSize, slot.remaining)} of ${slot.remaining} remaining`,
    collapsible: false,
    contextValue: 'zxbackup.more',
    icon: 'ellipsis',
  };
}

export const itemKeyLabel = (it: ItemAtTime): string => `#${it.id}`;

/**
 * The first page of a folder's items as the Backup view shows it: ranges for a big
 * folder, else up to a page of items and "Load more…". The language-server bench
 * (bench/lsp.ts) times this on a 100k-item folder.
 */
export function firstPage(
  zimbraId: string,
  folderId: number,
  items: readonly ItemAtTime[],
  limits: TreeLimits = DEFAULT_LIMITS,
): NodeView[] {
  const owner = nodeId({ kind: 'folder', zimbraId, folderId });
  return slotsToViews(
    owner,
    'items',
    sliceChildren(items, { from: 0, to: items.length }, limits.pageSize, limits),
    (it) => itemView(zimbraId, it),
    itemKeyLabel,
    limits,
  );
}

/**
 * The same first page from the catalogue: bucketing needs only the folder's ids; the
 * items of a page are fetched (one keyset query) only when the page shows entries.
 */
export function firstPageOfIds(
  zimbraId: string,
  folderId: number,
  ids: readonly number[],
  fetch: (after: number | undefined, limit: number) => readonly ItemAtTime[],
  limits: TreeLimits = DEFAULT_LIMITS,
): NodeView[] {
  const owner = nodeId({ kind: 'folder', zimbraId, folderId });
  const slots = sliceChildren(ids, { from: 0, to: ids.length }, limits.pageSize, limits);
  const byId = new Map(entryPage(slots, ids, fetch).map((it) => [it.id, it]));
  return slots.flatMap((s): NodeView[] => {
    if (s.type === 'range') return [rangeView(owner, 'items', s, idKeyLabel)];
    if (s.type === 'more') return [moreView(owner, 'items', s, limits.pageSize)];
    const it = byId.get(s.value);
    return it ? [itemView(zimbraId, it)] : [];
  });
}

/** The items behind the entry slots of a slice of sorted ids, in one keyset query. */
export function entryPage<T>(
  slots: readonly Slot<T>[],
  ids: readonly number[],
  fetch: (after: number | undefined, limit: number) => readonly ItemAtTime[],
): readonly ItemAtTime[] {
  const entries = slots.filter((s) => s.type === 'entry');
  if (entries.length === 0) return [];
  const firstId = (entries[0] as { value: unknown }).value as number;
  const at = ids.indexOf(firstId);
  return fetch(at > 0 ? ids[at - 1] : undefined, entries.length);
}

export const idKeyLabel = (id: number): string => `#${id}`;

export function slotsToViews<T>(
  owner: string,
  list: ListName,
  slots: readonly Slot<T>[],
  entryView: (t: T) => NodeView,
  keyLabel: (t: T) => string,
  limits: TreeLimits = DEFAULT_LIMITS,
): NodeView[] {
  return slots.map((s) =>
    s.type === 'entry'
      ? entryView(s.value)
      : s.type === 'range'
        ? rangeView(owner, list, s, keyLabel)
        : moreView(owner, list, s, limits.pageSize),
  );
}

/** A file the catalogue could not read as an item: shown, marked, with the first reason. */
export function unreadableFileView(
  owner: string,
  file: { path: string; findings: readonly { code: string; message: string }[] },
): NodeView {
  const first = file.findings[0];
  return {
    id: `${owner}/${file.path}#unreadable`,
    label: file.path.slice(file.path.lastIndexOf('/') + 1),
    description: first ? `${first.code}: ${first.message}` : 'cannot be read as an item',
    tooltip: `${file.path}\n${file.findings.map((f) => `${f.code}: ${f.message}`).join('\n') || 'cannot be read as an item'}`,
    collapsible: false,
    contextValue: 'zxbackup.unreadableItem',
    icon: 'error',
    path: file.path,
  };
}

/** Entries an archive document lists at most; the rest is counted on a "… and K more" line. */
export const ARCHIVE_LISTING_MAX = 500;

/** What a click on a server archive shows: its entries (bounded), as a plain-text table. */
export function archiveListing(
  archive: { path: string; size: number; date?: number },
  listing: { entries: readonly { path: string; size: number; type: string; mtime?: number }[]; total: number },
  zone: string,
  max: number = ARCHIVE_LISTING_MAX,
): string {
  const shown = listing.entries.slice(0, max);
  const lines = [
    `${archive.path}`,
    `${archive.size.toLocaleString('en-US')} bytes${archive.date !== undefined ? ` · made ${formatZxsuite(archive.date, zone)} (${zone})` : ''} · ${listing.total.toLocaleString('en-US')} entr${listing.total === 1 ? 'y' : 'ies'}`,
    '',
    ...shown.map(
      (e) =>
        `${e.type.padEnd(12)} ${String(e.size).padStart(12)}  ${e.mtime !== undefined ? formatZxsuite(e.mtime, zone) : ''.padEnd(19)}  ${e.path}`,
    ),
  ];
  const rest = listing.total - shown.length;
  if (rest > 0) lines.push(`… and ${rest.toLocaleString('en-US')} more`);
  if (listing.total === 0) lines.push('(the archive is empty)');
  return lines.join('\n') + '\n';
}
