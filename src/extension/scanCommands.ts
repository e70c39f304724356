/**
 * "Run SmartScan…", "Run Account Scan…" and "Start/Stop Real Time Scan": scans of a mailbox
 * over IMAP into a backup path (src/extension/model/scan.ts over the engine's scans). The
 * source and logins are remembered in workspace state; each password in SecretStorage, never
 * in settings, logs or the Output channel. A modal confirmation names the backup path first.
 */
import * as vscode from 'vscode';
import { describeEndpoint, hasRootBackupStat, type ImapEndpoint, type ScanReport } from './engine';
import { UserError, type Ctx } from './ctx';
import { HistoryPanel } from './historyPanel';
import { asOperation } from './maintenanceCommands';
import {
  SECURITY_CHOICES,
  accountLines,
  domainProblem,
  endpointOfSource,
  needsDomain,
  parseLogins,
  refusedLogins,
  runExtensionScan,
  scanConfirmation,
  scanMarkdown,
  scanRequests,
  scanSummary,
  scanTitle,
  secretKey,
  sourceUrlProblem,
  type ScanKind,
  type ScanSource,
} from './model/scan';

const SOURCE_KEY = 'zxbackup.scanSource';

/** The one running Real Time Scan, if any: Start/Stop toggles it, deactivate stops it. */
let realtime: { abort: AbortController; done: Promise<unknown> } | undefined;

/** For deactivate(): stops a running Real Time Scan at its safe point and waits for it. */
export async function stopRealtimeScan(): Promise<void> {
  const r = realtime;
  if (!r) return;
  r.abort.abort();
  await r.done.catch(() => undefined);
}

async function askSource(ctx: Ctx): Promise<ScanSource | undefined> {
  const saved = ctx.extension.workspaceState.get<ScanSource>(SOURCE_KEY);
  if (saved && endpointOfSource(saved).ok) return saved;
  const url = await vscode.window.showInputBox({
    title: 'Scan: the IMAP server',
    prompt: 'imap://HOST:PORT (remembered for this workspace; the password is asked separately)',
    placeHolder: 'imap://mail.example.com:143',
    ignoreFocusOut: true,
    validateInput: sourceUrlProblem,
  });
  if (url === undefined) return undefined;
  const sec = await vscode.window.showQuickPick(
    SECURITY_CHOICES.map((c) => ({ label: c.label, choice: c })),
    { title: 'Scan: how to connect', ignoreFocusOut: true },
  );
  if (!sec) return undefined;
  const loginText = await vscode.window.showInputBox({
    title: 'Scan: the logins to scan',
    prompt: 'One or more IMAP logins, separated by commas or spaces',
    ignoreFocusOut: true,
    validateInput: (v) => {
      const r = parseLogins(v);
      return r.ok ? undefined : r.error;
    },
  });
  if (loginText === undefined) return undefined;
  const logins = parseLogins(loginText);
  if (!logins.ok) return undefined;
  let domain: string | undefined;
  if (needsDomain(logins.logins)) {
    domain = await vscode.window.showInputBox({
      title: 'Scan: the domain of logins without @',
      prompt: 'The account is named login@DOMAIN in the backup',
      ignoreFocusOut: true,
      validateInput: domainProblem,
    });
    if (domain === undefined) return undefined;
    domain = domain.trim().toLowerCase();
  }
  const source: ScanSource = {
    url: url.trim(),
    security: sec.choice.security,
    insecure: sec.choice.insecure,
    logins: logins.logins,
    ...(domain ? { domain } : {}),
  };
  await ctx.extension.workspaceState.update(SOURCE_KEY, source);
  return source;
}

/** "Forget Scan Source and Passwords": the next scan asks everything again. */
export async function forgetScanSource(ctx: Ctx): Promise<void> {
  const saved = ctx.extension.workspaceState.get<ScanSource>(SOURCE_KEY);
  if (!saved) {
    void vscode.window.showInformationMessage('No scan source is remembered in this workspace.');
    return;
  }
  const ep = endpointOfSource(saved);
  if (ep.ok) for (const login of saved.logins) await ctx.extension.secrets.delete(secretKey(ep.endpoint, login));
  await ctx.extension.workspaceState.update(SOURCE_KEY, undefined);
  void vscode.window.showInformationMessage(
    `Forgot ${saved.url} and the passwords of ${saved.logins.join(', ')}: the next scan asks again.`,
  );
}

/** The passwords of the logins: from SecretStorage, else asked once and stored there. */
async function passwordsOf(
  ctx: Ctx,
  endpoint: ImapEndpoint,
  logins: readonly string[],
): Promise<Map<string, string> | undefined> {
  const out = new Map<string, string>();
  for (const login of logins) {
    const key = secretKey(endpoint, login);
    let pw = await ctx.extension.secrets.get(key);
    if (pw === undefined || pw === '') {
      pw = await vscode.window.showInputBox({
        title: `Scan: the IMAP password of ${login}`,
        prompt: `Kept in VS Code's secret storage for ${describeEndpoint(endpoint)}`,
        password: true,
        ignoreFocusOut: true,
        validateInput: (v) => (v === '' ? 'The password is empty.' : undefined),
      });
      if (pw === undefined) return undefined;
      await ctx.extension.secrets.store(key, pw);
    }
    out.set(login, pw);
  }
  return out;
}

/** The open backup path, or an (empty or existing) folder the scan initialises. */
async function backupRoot(ctx: Ctx): Promise<string | undefined> {
  if (ctx.backup) return ctx.backup.root;
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    openLabel: 'Scan Into',
    title: 'Scan: the backup path to create or update',
  });
  return picked?.[0]?.fsPath;
}

/** Everything a scan needs, asked (or remembered) and confirmed; undefined when the user stops. */
async function prepare(ctx: Ctx, kind: ScanKind) {
  if (!vscode.workspace.isTrusted)
    throw new UserError('A scan writes into the backup path: trust this workspace first. Nothing was changed.');
  const source = await askSource(ctx);
  if (!source) return undefined;
  const ep = endpointOfSource(source);
  if (!ep.ok) throw new UserError(ep.error);
  let logins = source.logins;
  if (kind === 'account') {
    const pick =
      logins.length === 1
        ? logins[0]
        : await vscode.window.showQuickPick(logins, { title: 'Account Scan: which login', ignoreFocusOut: true });
    if (!pick) return undefined;
    logins = [pick];
  }
  const root = await backupRoot(ctx);
  if (!root) return undefined;
  const passwords = await passwordsOf(ctx, ep.endpoint, logins);
  if (!passwords) return undefined;
  const req = scanRequests(logins, source.domain, passwords);
  if (!req.ok) throw new UserError(req.error);
  const sourceText = describeEndpoint(ep.endpoint);
  const ok = await vscode.window.showWarningMessage(
    scanConfirmation(kind, root, sourceText, req.accounts, !hasRootBackupStat(root)),
    { modal: true },
    kind === 'realtime' ? 'Start' : 'Scan',
  );
  if (ok === undefined) return undefined;
  return { root, endpoint: ep.endpoint, accounts: req.accounts };
}

let refreshing: Promise<void> | undefined;
let again = false;

/**
 * The tree reads the backup again (what "Refresh" does) and every open Item History its item
 * file; file editors VS Code reloads itself. Calls while one runs make one more run after it,
 * not one each (the Real Time Scan may record a change every second).
 */
function refreshViews(): Promise<void> {
  if (refreshing) {
    again = true;
    return refreshing;
  }
  refreshing = (async () => {
    try {
      do {
        again = false;
        await vscode.commands.executeCommand('zxbackup.refresh');
        HistoryPanel.rereadAll();
      } while (again);
    } finally {
      refreshing = undefined;
    }
  })();
  return refreshing;
}

async function finish(ctx: Ctx, kind: ScanKind, endpoint: ImapEndpoint, report: ScanReport | undefined): Promise<void> {
  await refreshViews();
  if (!report) return;
  for (const login of refusedLogins(report)) await ctx.extension.secrets.delete(secretKey(endpoint, login));
  const lines = accountLines(report);
  void vscode.window.showInformationMessage(`${scanSummary(report)}. ${lines.join('; ')}`);
  await ctx.documents.show(`reports/scan-${Date.now()}.md`, scanMarkdown(kind, report), { language: 'markdown' });
}

export async function runSmartOrAccountScan(ctx: Ctx, kind: 'smart' | 'account'): Promise<void> {
  const p = await prepare(ctx, kind);
  if (!p) return;
  const report = await asOperation(
    ctx,
    scanTitle(kind, p.accounts),
    (signal, progress) => runExtensionScan({ kind, ...p, signal, progress }),
    (r) => ({ summary: scanSummary(r), report: scanMarkdown(kind, r), interrupted: r.interrupted }),
  );
  await finish(ctx, kind, p.endpoint, report);
}

export async function toggleRealtimeScan(ctx: Ctx): Promise<void> {
  if (realtime) {
    realtime.abort.abort();
    return;
  }
  const p = await prepare(ctx, 'realtime');
  if (!p || realtime) return;
  const abort = new AbortController();
  const run = asOperation(
    ctx,
    scanTitle('realtime', p.accounts),
    (signal, progress) =>
      runExtensionScan({ kind: 'realtime', ...p, signal, progress, onChange: () => void refreshViews() }),
    (r) => ({ summary: scanSummary(r), report: scanMarkdown('realtime', r) }),
    abort,
  );
  realtime = { abort, done: run };
  let report: ScanReport | undefined;
  try {
    report = await run;
  } finally {
    // Stopped (or failed): Start/Stop starts a new one from here on.
    realtime = undefined;
  }
  await finish(ctx, 'realtime', p.endpoint, report);
}
