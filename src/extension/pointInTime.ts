/** The point-in-time status bar item and the "Set Point in Time…" input box. */
import * as vscode from 'vscode';
import { UserError, type Ctx } from './ctx';
import { initialInput, parsePointInTime, statusBarText, validatePointInTime } from './model/pointInTime';

export const SET_POINT_IN_TIME = 'zxbackup.setPointInTime';

export class PointInTimeStatus implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: Ctx) {
    this.item = vscode.window.createStatusBarItem('zxbackup.pointInTime', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'Zextras Backup: Point in Time';
    this.item.command = SET_POINT_IN_TIME;
    this.disposables.push(
      this.item,
      ctx.onDidChangePointInTime(() => this.update()),
      ctx.onDidChangeBackup(() => this.update()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('zxbackup.timeZone') && this.update()),
    );
    this.update();
  }

  private update(): void {
    if (!this.ctx.backup) return void this.item.hide();
    const { text, tooltip } = statusBarText(this.ctx.pointInTime, this.ctx.config.timeZone);
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** Sets the point in time from `arg` (a command argument: date text or "last"), else asks for it. */
export async function askPointInTime(ctx: Ctx, arg?: unknown): Promise<void> {
  const zone = ctx.config.timeZone;
  if (typeof arg === 'string' || typeof arg === 'number') {
    const parsed = typeof arg === 'number' ? { ok: true as const, at: arg } : parsePointInTime(arg, zone);
    if (!parsed.ok) throw new UserError(`Zextras Backup: ${parsed.error}`);
    return ctx.setPointInTime(parsed.at);
  }
  const input = await vscode.window.showInputBox({
    title: 'Zextras Backup: Set Point in Time',
    prompt: `dd/MM/yyyy HH:mm:ss or ISO 8601 (read in ${zone} without an offset), or "last" for the latest state`,
    value: initialInput(ctx.pointInTime, zone),
    placeHolder: '31/01/2024 12:00:00',
    validateInput: (v) => validatePointInTime(v, zone),
    ignoreFocusOut: true,
  });
  if (input === undefined) return;
  const parsed = parsePointInTime(input, zone);
  if (parsed.ok) await ctx.setPointInTime(parsed.at);
}
