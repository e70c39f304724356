/** Zimbra constants mirrored by item metadata (docs/backup-format.md §8). */

export const ITEM_TYPES: Readonly<Record<number, string>> = {
  [-1]: 'unknown',
  1: 'folder',
  2: 'searchfolder',
  3: 'tag',
  4: 'conversation',
  5: 'message',
  6: 'contact',
  7: 'invite',
  8: 'document',
  9: 'note',
  10: 'flag',
  11: 'appointment',
  12: 'virtual_conversation',
  13: 'mountpoint',
  14: 'wiki',
  15: 'task',
  16: 'chat',
  17: 'comment',
  18: 'link',
};

export const ItemType = {
  FOLDER: 1,
  SEARCHFOLDER: 2,
  TAG: 3,
  CONVERSATION: 4,
  MESSAGE: 5,
  CONTACT: 6,
  DOCUMENT: 8,
  APPOINTMENT: 11,
  MOUNTPOINT: 13,
  TASK: 15,
} as const;

/** Types whose items are folders in the tree (a search folder and a mountpoint hold no items of their own). */
export const FOLDER_LIKE_TYPES: ReadonlySet<number> = new Set([
  ItemType.FOLDER,
  ItemType.SEARCHFOLDER,
  ItemType.MOUNTPOINT,
]);

export function itemTypeName(code: number): string | undefined {
  return ITEM_TYPES[code];
}

export function itemTypeCode(name: string): number | undefined {
  const lower = name.toLowerCase();
  for (const [code, n] of Object.entries(ITEM_TYPES)) if (n === lower) return Number(code);
  return undefined;
}

export const SYSTEM_FOLDERS: Readonly<Record<number, string>> = {
  1: 'USER_ROOT',
  2: 'Inbox',
  3: 'Trash',
  4: 'Junk',
  5: 'Sent',
  6: 'Drafts',
  7: 'Contacts',
  8: 'Tags',
  9: 'Conversations',
  10: 'Calendar',
  11: 'ROOT',
  12: 'Notebook',
  13: 'Emailed Contacts',
  14: 'Chats',
  15: 'Tasks',
  16: 'Briefcase',
  17: 'Comments',
  18: 'Profile',
  19: 'Unsubscribe',
  20: 'File Shared With Me',
};
export const HIGHEST_SYSTEM_ID = 20;
export const FIRST_USER_ID = 256;
/** The mailbox root folders: USER_ROOT (1) is the visible root, ROOT (11) the internal one. */
export const USER_ROOT_ID = 1;
export const ROOT_ID = 11;

export interface FlagDef {
  id: number;
  name: string;
  bit: number;
  imap?: string;
}

function flag(id: number, name: string, imap?: string): FlagDef {
  const f: FlagDef = { id, name, bit: 2 ** (-id - 1) };
  if (imap) f.imap = imap;
  return f;
}

export const FLAGS: readonly FlagDef[] = [
  flag(-1, 'from_me', '\\Sent'),
  flag(-2, 'attached'),
  flag(-3, 'replied', '\\Answered'),
  flag(-4, 'forwarded', '$Forwarded'),
  flag(-5, 'copied'),
  flag(-6, 'flagged', '\\Flagged'),
  flag(-7, 'draft', '\\Draft'),
  flag(-8, 'deleted', '\\Deleted'),
  flag(-9, 'notified', '$MDNSent'),
  flag(-10, 'unread'),
  flag(-11, 'high_priority', '\\Urgent'),
  flag(-12, 'low_priority', '\\Bulk'),
  flag(-13, 'versioned'),
  flag(-14, 'indexing_deferred'),
  flag(-15, 'popped'),
  flag(-16, 'note'),
  flag(-17, 'priority'),
  flag(-18, 'post'),
  flag(-19, 'muted'),
  flag(-20, 'subscribed'),
  flag(-21, 'exclude_freebusy'),
  flag(-22, 'checked'),
  flag(-23, 'no_inherit'),
  flag(-24, 'invite'),
  flag(-25, 'syncfolder'),
  flag(-26, 'sync'),
  flag(-27, 'no_inferiors'),
  flag(-28, 'archived'),
  flag(-29, 'global'),
  flag(-30, 'in_dumpster'),
  flag(-31, 'uncached'),
];

export const FlagBit = {
  FROM_ME: 1,
  ATTACHED: 2,
  REPLIED: 4,
  FORWARDED: 8,
  FLAGGED: 32,
  DRAFT: 64,
  UNREAD: 512,
  HIGH_PRIORITY: 1024,
  VERSIONED: 4096,
} as const;

/**
 * Names of the flags set in a bitmask, and the bits no flag explains. Works on any
 * non-negative safe integer (arithmetic, not 32-bit operators, so bit 31 and above stay positive).
 */
export function describeFlags(mask: number): { names: string[]; unknownBits: number } {
  const names: string[] = [];
  let known = 0;
  for (const f of FLAGS) {
    if (Math.floor(mask / f.bit) % 2 === 1) {
      names.push(f.name);
      known += f.bit;
    }
  }
  return { names, unknownBits: mask - known };
}
