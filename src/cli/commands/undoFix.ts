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
    .argument('<manifest>', 'the manifest, relative to the backup path or absolute')
    .option('--json', 'print JSON')
    .action((backupPath: string, manifest: string, _opts: unknown, cmd: Command) =>
      run(cmd, (ctx) => undoFix(ctx, backupPath, manifest)),
    );
}

export async function undoFix(ctx: CliContext, root: string, manifest: string): Promise<CommandResult> {
  const abs = path.resolve(root);
  try {
    await fs.access(path.resolve(abs, manifest));
  } catch {
    usageError(`no manifest ${manifest} in ${abs}`, 'io.not-found', manifest);
  }
  let out;
  try {
    out = await undoFixEngine(abs, manifest);
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
