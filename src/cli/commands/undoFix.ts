/** zxb undoFix <path> <manifest>: puts back, byte for byte, what doCoherencyCheck --fix-* moved or rewrote. */
import type { Command } from 'commander';
import { EngineError, undoFix as undoFixEngine } from '../../engine';
import type { CliContext, CommandResult } from '../context';
import { usageError } from '../errors';
import { envelope, renderKeyValues } from '../output';
import type { Runner } from '../runner';
import * as path from 'node:path';
import { promises as fs } from 'node:fs';

export function registerUndoFix(program: Command, run: Runner): void {
  program
    .command('undoFix')
    .description('undo a doCoherencyCheck fix: restore every file listed in its quarantine manifest')
    .argument('<path>', 'the backup path')
    .argument('<manifest>', 'the manifest: absolute, relative to the current folder, or relative to the backup path')
    .option('--json', 'print JSON')
    .action((backupPath: string, manifest: string, _opts: unknown, cmd: Command) =>
      run(cmd, (ctx) => undoFix(ctx, backupPath, manifest)),
    );
}

export async function undoFix(ctx: CliContext, root: string, manifest: string): Promise<CommandResult> {
  const abs = path.resolve(root);
  // A relative path is the current folder's, as for any shell argument; the check prints it
  // relative to the backup path, so that is tried next.
  const candidates = path.isAbsolute(manifest) ? [manifest] : [path.resolve(manifest), path.resolve(abs, manifest)];
  let manifestFile: string | undefined;
  for (const c of candidates) {
    if (
      await fs.stat(c).then(
        (st) => st.isFile(),
        () => false,
      )
    ) {
      manifestFile = c;
      break;
    }
  }
  if (manifestFile === undefined)
    usageError(
      `no manifest ${manifest} (looked for ${[...new Set(candidates)].join(' and ')})`,
      'io.not-found',
      manifest,
    );
  let out;
  try {
    out = await undoFixEngine(abs, manifestFile);
  } catch (err) {
    if (err instanceof EngineError) throw err; // lock.held: a scan is writing
    usageError(`cannot undo with ${manifest}: ${(err as Error).message}`, 'usage.bad-argument', manifest);
  }
  const json = {
    ...envelope('undoFix', ctx.zone, []),
    backupPath: abs,
    manifest,
    restored: out.restored,
    alreadyInPlace: out.alreadyInPlace,
    problems: out.problems,
  };
  let text = renderKeyValues([
    ['restored', out.restored],
    ['already in place', out.alreadyInPlace],
    ['problems', out.problems.length],
  ]);
  for (const p of out.problems) text += `problem: ${p}\n`;
  return { findings: [], json, text, failed: out.problems.length > 0 };
}
