/**
 * zxb getMap <mapFile>: a map_<serverId> file (accounts imported from another
 * server) and, when it sits in a backup path, the names of the accounts it maps to.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import {
  EngineError,
  finding,
  hasErrors,
  MAP_PREFIX,
  parseMapFile,
  type BackupPath,
  type Finding,
  type MapFile,
} from '../../engine';
import { openBackup, type CliContext, type CommandResult } from '../context';
import { usageError } from '../errors';
import { envelope, jsonDate, renderKeyValues, renderTable, showDate } from '../output';
import type { MapAccountJson, MapJson } from '../shapes';
import type { Runner } from '../runner';

/** A map file is a few kilobytes; anything far larger is not one. */
const MAX_MAP_BYTES = 64 * 1024 * 1024;

export function registerGetMap(program: Command, run: Runner): void {
  program
    .command('getMap')
    .description('print a map_<serverId> file and the accounts it maps to')
    .argument('<mapFile>', 'the map file, e.g. /opt/zimbra/backup/zextras/map_<serverId>')
    .option('--json', 'print JSON (see docs/cli.md)')
    .action((mapFile: string, _opts: unknown, cmd: Command) => run(cmd, (ctx) => getMap(ctx, mapFile)));
}

/** The backup path holding the map, or undefined when its folder is not one. */
async function enclosingBackup(abs: string): Promise<BackupPath | undefined> {
  try {
    return await openBackup(path.dirname(abs));
  } catch (err) {
    if (err instanceof EngineError) return undefined;
    throw err;
  }
}

/** Reads a map file outside a backup path with the same care as inside one: no links, capped size. */
async function readLooseMap(abs: string): Promise<{ map?: MapFile; findings: Finding[] }> {
  const rel = path.basename(abs);
  const st = await fs.lstat(abs);
  if (st.isSymbolicLink()) return { findings: [finding('io.symlink', rel, `${abs} is a symbolic link; not followed`)] };
  if (st.size > MAX_MAP_BYTES)
    return { findings: [finding('io.too-large', rel, `${abs} is ${st.size} bytes, too large for a map file`)] };
  try {
    const parsed = parseMapFile(await fs.readFile(abs), rel);
    return parsed.value ? { map: parsed.value, findings: parsed.findings } : { findings: parsed.findings };
  } catch (err) {
    return { findings: [finding('io.unreadable', rel, `cannot read ${abs}: ${(err as Error).message}`)] };
  }
}

export async function getMap(ctx: CliContext, mapArg: string): Promise<CommandResult> {
  const z = ctx.zone;
  const abs = path.resolve(mapArg);
  let st;
  try {
    st = await fs.lstat(abs);
  } catch {
    usageError(`${abs} does not exist`, 'io.not-found', abs);
  }
  if (st.isDirectory())
    usageError(`${abs} is a folder; give the map_<serverId> file inside it`, 'usage.bad-argument', abs);
  const name = path.basename(abs);
  const backup = await enclosingBackup(abs);
  let map: MapFile | undefined;
  let findings: Finding[];
  if (backup) {
    const summary = await backup.readMapFile(name);
    map = summary.map;
    findings = summary.findings;
  } else ({ map, findings } = await readLooseMap(abs));

  const accounts: MapAccountJson[] = [];
  for (const m of map?.accounts ?? []) {
    const target = backup ? await backup.findAccount(m.destinationId) : undefined;
    if (backup && !target)
      findings.push(
        finding('map.unknown-account', name, `${m.destinationId}${m.name ? ` (${m.name})` : ''} is not in accounts/`),
      );
    accounts.push({
      sourceId: m.sourceId,
      destinationId: m.destinationId,
      name: m.name ?? null,
      inBackup: backup ? target !== undefined : null,
      backupName: target?.name ?? null,
    });
  }
  const json: MapJson = {
    ...envelope('getMap', z, findings),
    file: abs,
    backupPath: backup?.root ?? null,
    serverId: name.startsWith(MAP_PREFIX) ? name.slice(MAP_PREFIX.length) : name,
    sourceServerId: map?.sourceServerId ?? null,
    importDate: jsonDate(map?.importDate, z),
    accounts,
    extra: map?.extra ?? {},
  };
  let text = renderKeyValues([
    ['map file', abs],
    ['server id', json.serverId],
    ['source server', json.sourceServerId],
    ['import date', showDate(map?.importDate, z)],
    ['backup path', json.backupPath ?? '(the folder is not a backup path)'],
  ]);
  text +=
    '\n' +
    renderTable(
      ['SOURCE ID', 'DESTINATION ID', 'NAME IN MAP', 'IN BACKUP', 'NAME IN BACKUP'],
      accounts.map((a) => [a.sourceId, a.destinationId, a.name, a.inBackup, a.backupName]),
    );
  // The map file is the one thing asked about: its error findings fail the command.
  return { findings, json, text, failed: map === undefined || hasErrors(findings) };
}
