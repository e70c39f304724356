/**
 * "Restore Account at Point in Time…", "Undelete…" and "Restore Item…": wizards over the
 * engine's restore (plan → dry run → confirmation → run), with progress and cancel in the
 * Operations view and the report as a document. The IMAP password is asked once and kept
 * in SecretStorage, never in settings or logs.
 */
import * as vscode from 'vscode';
import {
  itemRelPath,
  planAccountRestore,
  planItemRestore,
  planUndelete,
  runRestore,
  undeleteTag,
  type BackupPath,
  type Destination,
  type ImapSecurity,
  type PointSpec,
  type ProgressSink,
  type RestoreJob,
  type RestoreOutcome,
  type RestorePlan,
} from './engine';
import type { BackupNode } from './backupTree';
import { UserError, type Ctx } from './ctx';
import { asOperation } from './maintenanceCommands';
import {
  dateChoices,
  localDestination,
  readImapDestination,
  readRestoreDate,
  restoreConfirmation,
  restorePreviewMarkdown,
  restoreReportMarkdown,
  restoreSummary,
  secretKey,
} from './model/restore';

interface BackupAccount {
  zimbraId: string;
  name: string;
}

interface Target {
  destination: Destination;
  imap?: NonNullable<RestoreJob['imap']>;
  secret?: string;
}

function requireTrust(what: string): void {
  if (!vscode.workspace.isTrusted)
    throw new UserError(`${what} writes files or mail: trust this workspace first. Nothing was written.`);
}

async function pickAccount(backup: BackupPath, title: string, arg: unknown): Promise<BackupAccount | undefined> {
  const ref = (arg as Partial<BackupNode> | undefined)?.ref;
  const accounts = await backup.accounts();
  if (ref && 'zimbraId' in ref) {
    const a = accounts.find((x) => x.zimbraId === ref.zimbraId);
    if (a) return { zimbraId: a.zimbraId, name: a.name };
  }
  const a = await vscode.window.showQuickPick(
    accounts.map((x) => ({ label: x.name, description: x.zimbraId, zimbraId: x.zimbraId })),
    { title: `${title}: account`, matchOnDescription: true, ignoreFocusOut: true },
  );
  return a ? { zimbraId: a.zimbraId, name: a.label } : undefined;
}

async function pickDate(
  ctx: Ctx,
  title: string,
  allow: { first?: boolean; last?: boolean },
): Promise<PointSpec | undefined> {
  const zone = ctx.config.timeZone;
  const picked = await vscode.window.showQuickPick(dateChoices(ctx.pointInTime, zone, allow), {
    title,
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  if (picked.spec) return picked.spec;
  const text = await vscode.window.showInputBox({
    title,
    prompt: `dd/MM/yyyy HH:mm:ss or ISO 8601 (read in ${zone} without an offset)`,
    placeHolder: '31/01/2024 12:00:00',
    ignoreFocusOut: true,
    validateInput: (v) => {
      const r = readRestoreDate(v, zone, allow);
      return r.ok ? undefined : r.error;
    },
  });
  if (text === undefined) return undefined;
  const r = readRestoreDate(text, zone, allow);
  return r.ok ? r.spec : undefined;
}

async function pickTarget(ctx: Ctx, title: string): Promise<Target | undefined> {
  const kinds = [
    {
      label: 'Maildir',
      description: 'Maildir++ folders (cur/new/tmp), files byte-identical to the BLOBs',
      target: 'maildir',
    },
    { label: 'mbox', description: 'one mboxrd file per folder', target: 'mbox' },
    { label: 'eml', description: 'one .eml file per message, with a JSON index of flags and tags', target: 'eml' },
    { label: 'IMAP', description: 'an IMAP account: imap://LOGIN@HOST:PORT', target: 'imap' },
  ] as const;
  const kind = await vscode.window.showQuickPick(kinds, { title: `${title}: destination`, ignoreFocusOut: true });
  if (!kind) return undefined;
  if (kind.target !== 'imap') {
    const picked = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      canSelectMany: false,
      openLabel: 'Restore Here',
      title: `${title}: the folder to restore into (outside the backup path)`,
    });
    const folder = picked?.[0];
    return folder ? { destination: localDestination(kind.target, folder.fsPath) } : undefined;
  }
  const security = await vscode.window.showQuickPick(
    [
      {
        label: 'STARTTLS',
        description: 'plain connection upgraded with STARTTLS',
        security: 'starttls' as ImapSecurity,
      },
      { label: 'TLS', description: 'implicit TLS (imaps)', security: 'tls' as ImapSecurity },
      { label: 'None', description: 'no encryption (a test server)', security: 'none' as ImapSecurity },
    ],
    { title: `${title}: IMAP security`, ignoreFocusOut: true },
  );
  if (!security) return undefined;
  const url = await vscode.window.showInputBox({
    title: `${title}: IMAP account`,
    prompt: 'imap://LOGIN@HOST:PORT (no password in it: it is asked next and kept in SecretStorage)',
    placeHolder: 'imap://restored@mail.example.com:143',
    ignoreFocusOut: true,
    validateInput: (v) => {
      const r = readImapDestination(v, security.security);
      return r.ok ? undefined : r.error;
    },
  });
  if (url === undefined) return undefined;
  const r = readImapDestination(url, security.security);
  if (!r.ok) return undefined;
  const key = secretKey(r.endpoint, r.login);
  let password = await ctx.extension.secrets.get(key);
  if (password === undefined) {
    password = await vscode.window.showInputBox({
      title: `${title}: password of ${r.login}`,
      prompt: 'Kept in VS Code SecretStorage for the next restores; never in settings or logs.',
      password: true,
      ignoreFocusOut: true,
    });
    if (password === undefined) return undefined;
    await ctx.extension.secrets.store(key, password);
  }
  return {
    destination: { kind: 'imap', url: url.trim() },
    imap: { endpoint: r.endpoint, credentials: { login: r.login, password } },
    secret: key,
  };
}

/** Plans with progress (reading every item file of the account), dry-runs, previews, confirms, runs, reports. */
async function previewAndRun(
  ctx: Ctx,
  title: string,
  backup: BackupPath,
  target: Target,
  plan: (signal: AbortSignal, progress: ProgressSink) => Promise<RestorePlan>,
  identity: (p: RestorePlan) => Record<string, unknown>,
): Promise<void> {
  const zone = ctx.config.timeZone;
  const job = (p: RestorePlan, dryRun: boolean, signal: AbortSignal, progress: RestoreJob['progress']): RestoreJob => {
    const j: RestoreJob = { backup, plan: p, destination: target.destination, identity: identity(p), signal };
    if (progress) j.progress = progress;
    if (dryRun) j.dryRun = true;
    if (target.imap) j.imap = target.imap;
    return j;
  };
  const itemFile = (p: RestorePlan) => (id: number) => backup.abs(itemRelPath(p.account.zimbraId, id));
  const preview = await asOperation<{ plan: RestorePlan; outcome: RestoreOutcome }>(
    ctx,
    `${title}: preview`,
    async (signal, progress) => {
      const p = await plan(signal, progress);
      return { plan: p, outcome: await runRestore(job(p, true, signal, progress)) };
    },
    ({ plan: p, outcome: o }) => ({
      summary: restoreSummary(o.report),
      report: restorePreviewMarkdown(p, o.report, zone, itemFile(p)),
      interrupted: o.report.interrupted,
    }),
  );
  if (!preview || preview.outcome.report.interrupted) return;
  const { plan: p, outcome } = preview;
  await ctx.documents.show(
    `reports/restore-preview-${Date.now()}.md`,
    restorePreviewMarkdown(p, outcome.report, zone, itemFile(p)),
    {
      language: 'markdown',
    },
  );
  if (!outcome.report.wouldWrite || outcome.report.wouldWrite.messages.length === 0) {
    void vscode.window.showInformationMessage(`${title}: nothing to write (see the preview).`);
    return;
  }
  const ok = await vscode.window.showWarningMessage(
    restoreConfirmation(p, outcome.report, zone),
    { modal: true },
    'Restore',
  );
  if (ok !== 'Restore') return;
  const done = await asOperation(
    ctx,
    title,
    (signal, progress) => runRestore(job(p, false, signal, progress)),
    (o) => ({
      summary: restoreSummary(o.report),
      report: restoreReportMarkdown(p, o.report, zone, itemFile(p), o.journal),
      interrupted: o.report.interrupted,
    }),
  );
  if (!done) {
    void vscode.window.showInformationMessage(`${title} cancelled: run it again to continue where it stopped.`);
    return;
  }
  // A refused login must not be offered again silently: the next restore asks for the password.
  if (target.secret && done.report.findings.some((f) => f.code === 'imap.auth-failed'))
    await ctx.extension.secrets.delete(target.secret);
  await ctx.documents.show(
    `reports/restore-${Date.now()}.md`,
    restoreReportMarkdown(p, done.report, zone, itemFile(p), done.journal),
    { language: 'markdown' },
  );
}

export async function restoreAccount(ctx: Ctx, arg?: unknown): Promise<void> {
  const title = 'Restore Account at Point in Time';
  requireTrust(title);
  const backup = ctx.requireBackup();
  const account = await pickAccount(backup, title, arg);
  if (!account) return;
  const when = await pickDate(ctx, `${title}: the moment to restore`, { first: true });
  if (!when) return;
  const target = await pickTarget(ctx, title);
  if (!target) return;
  await previewAndRun(
    ctx,
    `Restore of ${account.name}`,
    backup,
    target,
    async (signal, progress) => {
      const { items, findings } = await backup.readAllItems(account.zimbraId, { signal, progress });
      const p = planAccountRestore(account, items, when, { zone: ctx.config.timeZone });
      p.findings.push(...findings);
      return p;
    },
    (p) => ({ at: p.at, undeleteFrom: null }),
  );
}

export async function undelete(ctx: Ctx, arg?: unknown): Promise<void> {
  const title = 'Undelete';
  requireTrust(title);
  const backup = ctx.requireBackup();
  const account = await pickAccount(backup, title, arg);
  if (!account) return;
  const from = await pickDate(ctx, `${title}: items deleted from`, { first: true, last: false });
  if (!from) return;
  const to = await pickDate(ctx, `${title}: items deleted until`, {});
  if (!to) return;
  if (from.kind === 'instant' && to.kind === 'instant' && from.at > to.at)
    throw new UserError('The start of the range is after its end. Nothing was written.');
  const where = await vscode.window.showQuickPick(
    [
      { label: 'Original folders', description: 'or a folder named after a lost one', original: true },
      { label: 'One folder named after the undelete tag', original: false },
    ],
    { title: `${title}: into`, ignoreFocusOut: true },
  );
  if (!where) return;
  const target = await pickTarget(ctx, title);
  if (!target) return;
  const tag = undeleteTag(Date.now(), ctx.config.timeZone);
  await previewAndRun(
    ctx,
    `Undelete for ${account.name}`,
    backup,
    target,
    async (signal, progress) => {
      const { items, findings } = await backup.readAllItems(account.zimbraId, { signal, progress });
      const p = planUndelete(account, items, from, to, { originalFolder: where.original, tag });
      p.findings.push(...findings);
      return p;
    },
    () => ({ from, to, originalFolder: where.original }),
  );
}

export async function restoreItem(ctx: Ctx, arg?: unknown): Promise<void> {
  const title = 'Restore Item';
  requireTrust(title);
  const backup = ctx.requireBackup();
  const ref = (arg as Partial<BackupNode> | undefined)?.ref;
  const account = await pickAccount(backup, title, arg);
  if (!account) return;
  let itemId = ref?.kind === 'item' ? ref.itemId : undefined;
  if (itemId === undefined) {
    const text = await vscode.window.showInputBox({
      title: `${title}: item id in ${account.name}`,
      ignoreFocusOut: true,
      validateInput: (v) => (/^\d{1,10}$/.test(v.trim()) ? undefined : 'An item id (a number).'),
    });
    if (text === undefined) return;
    itemId = Number(text.trim());
  }
  // From the "Restore this state…" lens: the moment is that transaction's start.
  const at = (arg as { at?: unknown } | undefined)?.at;
  const when =
    typeof at === 'number'
      ? ({ kind: 'instant', at } as const)
      : await pickDate(ctx, `${title}: the item as it was at`, {});
  if (!when) return;
  const folderText = await vscode.window.showInputBox({
    title: `${title}: folder to restore into`,
    prompt: 'Empty: the folder it was in then. "/" separates levels.',
    ignoreFocusOut: true,
  });
  if (folderText === undefined) return;
  const folder = folderText.split('/').filter(Boolean);
  if (folder[0]?.toUpperCase() === 'INBOX') folder[0] = 'INBOX';
  const target = await pickTarget(ctx, title);
  if (!target) return;
  const id = itemId;
  await previewAndRun(
    ctx,
    `Restore of item ${id} of ${account.name}`,
    backup,
    target,
    async (signal) => {
      const item = await backup.readItem(account.zimbraId, id);
      if (!item) throw new UserError(`No item ${id} in ${account.name}. Nothing was written.`);
      // The folder's name at that date needs the folders' own files.
      const { items } = await backup.readAllItems(account.zimbraId, { signal });
      const planned = planItemRestore(account, item, items, when, folder.length > 0 ? folder : undefined);
      if (!planned.ok) throw new UserError(`Item ${id}: ${planned.why}. Nothing was written.`);
      return planned.plan;
    },
    (p) => ({ itemId: id, at: p.at, folder: folder.length > 0 ? folder : null }),
  );
}
