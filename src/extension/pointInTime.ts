/** The point-in-time status bar item and the "Set Point in Time…" pick. */
import * as vscode from 'vscode';
import type { BackupPath } from './engine';
import { UserError, type Ctx } from './ctx';
import {
  backupRuns,
  initialInput,
  parsePointInTime,
  pointInTimeChoices,
  statusBarText,
  typedChoice,
  validatePointInTime,
  TYPE_A_DATE,
  type BackupRuns,
  type PointInTime,
} from './model/pointInTime';

export const SET_POINT_IN_TIME = 'zxbackup.setPointInTime';

/** The backup's run dates (backupstat, account_stat: files the backup path keeps per account, not item files). */
export async function loadRuns(backup: BackupPath | undefined): Promise<BackupRuns> {
  if (!backup) return { dates: [] };
  const [root, accounts] = await Promise.all([backup.rootBackupStat(), backup.accounts()]);
  return backupRuns(root.value, accounts);
}

export class PointInTimeStatus implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private runs: BackupRuns | undefined;

  constructor(private readonly ctx: Ctx) {
    this.item = vscode.window.createStatusBarItem('zxbackup.pointInTime', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'Zextras Backup: Point in Time';
    this.item.command = SET_POINT_IN_TIME;
    this.disposables.push(
      this.item,
      ctx.onDidChangePointInTime(() => this.update()),
      ctx.onDidChangeBackup(() => this.reloadRuns()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('zxbackup.timeZone') && this.update()),
    );
    this.reloadRuns();
  }

  private reloadRuns(): void {
    this.runs = undefined;
    this.update();
    const backup = this.ctx.backup;
    loadRuns(backup).then(
      (runs) => {
        if (this.ctx.backup !== backup) return;
        this.runs = runs;
        this.update();
      },
      (err: unknown) => this.ctx.log.warn(`reading the backup's run dates: ${String(err)}`),
    );
  }

  private update(): void {
    if (!this.ctx.backup) return void this.item.hide();
    const { text, tooltip } = statusBarText(this.ctx.pointInTime, this.ctx.config.timeZone, this.runs);
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** What Set Point in Time… did: the instant set (null = last) and the warning shown, if any. */
export interface PointInTimeResult {
  at: PointInTime;
  warning?: string;
}

/**
 * Sets the point in time from `arg` (a command argument: date text, first, last, now, or
 * epoch ms), else asks with a pick of the backup's run dates. A date outside the runs is
 * accepted and the warning shown (a support engineer asked about that date on purpose).
 */
export async function askPointInTime(ctx: Ctx, arg?: unknown): Promise<PointInTimeResult | undefined> {
  const zone = ctx.config.timeZone;
  const runs = await loadRuns(ctx.backup);
  let text: string | undefined;
  if (typeof arg === 'number') text = new Date(arg).toISOString();
  else if (typeof arg === 'string') text = arg;
  else text = await pickPointInTime(ctx, zone, runs);
  if (text === undefined) return undefined;
  const parsed = parsePointInTime(text, zone, runs);
  if (!parsed.ok) throw new UserError(`Zextras Backup: ${parsed.error}`);
  await ctx.setPointInTime(parsed.at);
  if (parsed.warning) void vscode.window.showWarningMessage(`Zextras Backup: ${parsed.warning}`);
  return parsed.warning ? { at: parsed.at, warning: parsed.warning } : { at: parsed.at };
}

type Row = vscode.QuickPickItem & { input?: string; typed?: boolean };

/** The pick: what is typed in its filter is a row of its own, so a date can be typed straight in. */
function pickPointInTime(ctx: Ctx, zone: string, runs: BackupRuns): Promise<string | undefined> {
  const fixed: Row[] = pointInTimeChoices(ctx.pointInTime, zone, runs).map((c) => ({
    label: c.label,
    description: c.description,
    ...(c.input !== undefined ? { input: c.input } : {}),
  }));
  const qp = vscode.window.createQuickPick<Row>();
  qp.title = 'Zextras Backup: Set Point in Time';
  qp.placeholder = `A backup run below, or type a date (dd/MM/yyyy HH:mm:ss, ISO 8601, first, last, now; ${zone})`;
  qp.matchOnDescription = true;
  qp.ignoreFocusOut = true;
  qp.items = fixed;
  return new Promise<string | undefined>((resolve) => {
    let done = false;
    const finish = (v: string | undefined): void => {
      if (done) return;
      done = true;
      resolve(v);
      qp.dispose();
    };
    qp.onDidChangeValue((value) => {
      if (value.trim() === '') {
        qp.items = fixed;
        return;
      }
      const t = typedChoice(value, zone, runs);
      const row: Row = { label: t.label, description: t.description, alwaysShow: true, typed: true };
      if (t.input !== undefined) row.input = t.input;
      qp.items = [row, ...fixed];
      qp.activeItems = [row];
    });
    qp.onDidAccept(async () => {
      const chosen = qp.selectedItems[0] ?? qp.activeItems[0];
      if (!chosen) return;
      if (chosen.typed && chosen.input === undefined) return; // unreadable: its description says why
      if (chosen.input !== undefined) return finish(chosen.input);
      if (chosen.label === TYPE_A_DATE) {
        done = true;
        qp.dispose();
        resolve(await typeDate(ctx, zone, runs));
      }
    });
    qp.onDidHide(() => finish(undefined));
    qp.show();
  });
}

function typeDate(ctx: Ctx, zone: string, runs: BackupRuns): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: 'Zextras Backup: Set Point in Time',
    prompt: `dd/MM/yyyy HH:mm:ss or ISO 8601 (read in ${zone} without an offset), first, last or now`,
    value: initialInput(ctx.pointInTime, zone),
    placeHolder: '31/01/2024 12:00:00',
    validateInput: (v) => validationMessage(v, zone, runs),
    ignoreFocusOut: true,
  });
}

/** validatePointInTime for an input box: a warning (after the last run) still lets Enter through. */
export function validationMessage(
  v: string,
  zone: string,
  runs: BackupRuns | undefined,
): vscode.InputBoxValidationMessage | undefined {
  const m = validatePointInTime(v, zone, runs);
  if (!m) return undefined;
  return {
    message: m.message,
    severity:
      m.severity === 'error' ? vscode.InputBoxValidationSeverity.Error : vscode.InputBoxValidationSeverity.Warning,
  };
}
