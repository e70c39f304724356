/** Shared by the check tests: temp folders, a whole-tree hash, the findings of one code. */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';
import type { CheckReport } from '../../src/engine';
import { tempFolder } from '../support/backup';

export function tempDir(prefix: string): string {
  return tempFolder(`check-${prefix}`);
}

/** Hash of every path, type, mode and content under root (symlinks by target, never followed). */
export function treeHash(root: string): string {
  const h = createHash('sha256');
  const walk = (rel: string): void => {
    const entries = readdirSync(path.join(root, rel)).sort();
    for (const name of entries) {
      const r = rel ? `${rel}/${name}` : name;
      const abs = path.join(root, r);
      const st = lstatSync(abs);
      if (st.isSymbolicLink()) h.update(`L ${r} -> ${readlinkSync(abs)}\n`);
      else if (st.isDirectory()) {
        h.update(`D ${r} ${st.mode}\n`);
        walk(r);
      } else {
        h.update(`F ${r} ${st.mode} ${st.size}\n`);
        h.update(readFileSync(abs));
      }
    }
  };
  walk('');
  return h.digest('hex');
}

export function codes(report: CheckReport): string[] {
  return Object.keys(report.summary.byCode).sort();
}

export function errorsAndWarnings(report: CheckReport): string[] {
  return report.findings
    .filter((f) => f.severity !== 'info')
    .map((f) => `${f.severity} ${f.code} ${f.path}: ${f.message}`);
}
