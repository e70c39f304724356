/** Typed access to the `zxbackup.*` settings (declared in package.json `contributes.configuration`). */
import * as vscode from 'vscode';
import { DEFAULT_SETTINGS, type ServerSettings } from '../shared/protocol';
import { effectiveZone } from './model/pointInTime';

export const SECTION = 'zxbackup';

export class Config {
  private warnedZone: string | undefined;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  private get section(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(SECTION);
  }

  /** The chosen IANA zone, or UTC (with one warning) when the setting names no zone. */
  get timeZone(): string {
    const { zone, invalid } = effectiveZone(this.section.get<string>('timeZone'));
    if (invalid !== undefined && invalid !== this.warnedZone) {
      this.warnedZone = invalid;
      this.log.warn(`zxbackup.timeZone "${invalid}" is not an IANA time zone; using UTC`);
      void vscode.window.showWarningMessage(
        `Zextras Backup: "${invalid}" is not a time zone (e.g. Europe/Rome); dates are shown in UTC.`,
      );
    }
    return zone;
  }

  get settings(): ServerSettings {
    const s = this.section;
    const num = (key: keyof ServerSettings, min: number): number => {
      const v = s.get<number>(key);
      return typeof v === 'number' && Number.isFinite(v) && v >= min ? v : (DEFAULT_SETTINGS[key] as number);
    };
    return {
      timeZone: this.timeZone,
      schemaDirectory: s.get<string>('schemaDirectory') ?? DEFAULT_SETTINGS.schemaDirectory,
      retentionDays: num('retentionDays', 0),
      diagnosticsCap: num('diagnosticsCap', 1),
      checkConcurrency: num('checkConcurrency', 0),
    };
  }

  static affectsUs(e: vscode.ConfigurationChangeEvent): boolean {
    return e.affectsConfiguration(SECTION);
  }
}
