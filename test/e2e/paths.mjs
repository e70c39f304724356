// Where the e2e harness keeps its things. Everything lives under the repo's git-ignored folders.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CS_VERSION = '4.100.3'; // VS Code 1.100.3 on Node 20: better-sqlite3 12 from `npm ci` loads in its extension host
export const VSCODE_TEST = path.join(REPO, '.vscode-test');
export const CS_PREFIX = path.join(VSCODE_TEST, `code-server-${CS_VERSION}`);
export const CS_ENTRY = path.join(CS_PREFIX, 'node_modules/code-server/out/node/entry.js');
export const CS_MARKER = path.join(CS_PREFIX, 'installed.json');
export const SANDBOX_HOME = path.join(VSCODE_TEST, 'home');
export const SANDBOX_TMP = path.join(VSCODE_TEST, 'tmp');
export const CHROMIUM = '/usr/bin/chromium';
export const RESULTS = path.join(REPO, 'test-results');
export const SAMPLE_CACHE = path.join(REPO, '.cache/sample');

/** HOME, XDG_* and TMPDIR inside the harness folder, so code-server and npm write nothing into the real home. */
export function sandboxEnv(base = process.env) {
  return {
    ...base,
    HOME: SANDBOX_HOME,
    XDG_CONFIG_HOME: path.join(SANDBOX_HOME, '.config'),
    XDG_DATA_HOME: path.join(SANDBOX_HOME, '.local/share'),
    XDG_CACHE_HOME: path.join(SANDBOX_HOME, '.cache'),
    TMPDIR: SANDBOX_TMP,
  };
}
