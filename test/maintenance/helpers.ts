/** Shared by the export and purge tests: findings per file, a backup tree's content, item states at an instant. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { runCoherencyCheck, type FindingCode } from '../../src/engine';

/** The check's finding codes, per file, at `now` (every finding kept, no cache, in this thread). */
export async function codesByFile(root: string, now: number): Promise<Map<string, Set<FindingCode>>> {
  const report = await runCoherencyCheck(root, {
    level: 'blobs',
    cache: false,
    jobs: 0,
    now,
    maxFindingsPerCode: 1_000_000,
  });
  const out = new Map<string, Set<FindingCode>>();
  for (const f of report.findings) {
    const set = out.get(f.path) ?? new Set<FindingCode>();
    set.add(f.code);
    out.set(f.path, set);
  }
  return out;
}

/** "path: code" for every finding of `after` that `before` does not have on the same file. */
export function newFindings(
  before: Map<string, Set<FindingCode>>,
  after: Map<string, Set<FindingCode>>,
  ignore: ReadonlySet<string> = new Set(),
): string[] {
  const out: string[] = [];
  for (const [p, codes] of after)
    for (const c of codes) if (!before.get(p)?.has(c) && !ignore.has(c)) out.push(`${p}: ${c}`);
  return out.sort();
}

/** Every file under root (relative path → sha256), our own root entries left out. */
export function treeOf(root: string, skip: readonly string[] = ['.zxb-state', '.zxb-lock']): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(root, rel))) {
      const r = rel ? `${rel}/${name}` : name;
      if (!rel && skip.includes(name)) continue;
      const abs = path.join(root, r);
      if (statSync(abs).isDirectory()) walk(r);
      else out.set(r, createHash('sha256').update(readFileSync(abs)).digest('hex'));
    }
  };
  walk('');
  return out;
}

/** A seeded random in [0, 1) (mulberry32): the test's moments are reproducible from its seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
