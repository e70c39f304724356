/**
 * Where the tool keeps what it can rebuild (check results, item catalogues): one rule
 * for every cache, always OUTSIDE the backup path, which is customer data.
 */
import * as os from 'node:os';
import * as path from 'node:path';

/** `$ZXB_CACHE_DIR`, else `$XDG_CACHE_HOME/zxbackup-inspector`, else `~/.cache/zxbackup-inspector`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['ZXB_CACHE_DIR']) return path.resolve(env['ZXB_CACHE_DIR']);
  const base = env['XDG_CACHE_HOME'] ? path.resolve(env['XDG_CACHE_HOME']) : path.join(os.homedir(), '.cache');
  return path.join(base, 'zxbackup-inspector');
}

/** Whether `child` is `parent` or lies below it (both absolute or resolved here). */
export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(path.resolve(parent), path.resolve(child));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
