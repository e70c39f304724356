/**
 * `zxbackup.*` settings, read through workspace/configuration per resource and cached
 * per resource until didChangeConfiguration (as vscode-eslint does: never a global).
 * Clients without workspace/configuration (e.g. `zxb lsp --stdio` in another editor)
 * may pass `initializationOptions.settings`; otherwise the defaults apply.
 */
import type { Connection } from 'vscode-languageserver/node';
import { isValidTimeZone } from '../engine';
import { DEFAULT_SETTINGS, type ServerSettings } from '../shared/protocol';

export class SettingsStore {
  private readonly cache = new Map<string, Promise<ServerSettings>>();
  private fallback: ServerSettings = { ...DEFAULT_SETTINGS };

  constructor(
    private readonly connection: Connection,
    private supportsConfiguration = false,
  ) {}

  configure(supportsConfiguration: boolean, initial: unknown): void {
    this.supportsConfiguration = supportsConfiguration;
    this.fallback = sanitize(initial);
  }

  /** didChangeConfiguration: push clients send the new values, pull clients are asked again. */
  changed(settings: unknown): void {
    this.cache.clear();
    if (!this.supportsConfiguration && settings && typeof settings === 'object' && 'zxbackup' in settings) {
      this.fallback = sanitize((settings as { zxbackup: unknown }).zxbackup);
    }
  }

  get(resource?: string): Promise<ServerSettings> {
    if (!this.supportsConfiguration) return Promise.resolve(this.fallback);
    const key = resource ?? '';
    let p = this.cache.get(key);
    if (!p) {
      const item = resource !== undefined ? { scopeUri: resource, section: 'zxbackup' } : { section: 'zxbackup' };
      p = this.connection.workspace.getConfiguration(item).then(sanitize, () => ({ ...this.fallback }));
      this.cache.set(key, p);
    }
    return p;
  }
}

/** Values of the wrong type fall back to the default: a bad setting never breaks a handler. */
export function sanitize(raw: unknown): ServerSettings {
  const s: ServerSettings = { ...DEFAULT_SETTINGS };
  if (!raw || typeof raw !== 'object') return s;
  const r = raw as Record<string, unknown>;
  if (typeof r['timeZone'] === 'string' && r['timeZone'] !== '' && isValidTimeZone(r['timeZone']))
    s.timeZone = r['timeZone'];
  if (typeof r['schemaDirectory'] === 'string') s.schemaDirectory = r['schemaDirectory'];
  const num = (k: 'retentionDays' | 'diagnosticsCap' | 'checkConcurrency', min: number): void => {
    const v = r[k];
    if (typeof v === 'number' && Number.isFinite(v) && v >= min) s[k] = Math.floor(v);
  };
  num('retentionDays', 0);
  num('diagnosticsCap', 1);
  num('checkConcurrency', 0);
  return s;
}
