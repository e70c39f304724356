/** map_<serverId> (§5) and id_mapper.log (§6). */
import { finding, type Finding } from '../findings';
import { PendingFindings, resolvePending } from '../item/parse';
import { LineIndex } from '../text';
import { FieldReader, readJsonObject } from './json';

export interface AccountMapping {
  sourceId: string;
  destinationId: string;
  name?: string;
}

export interface MapFile {
  sourceServerId?: string;
  importDate?: number;
  accounts: AccountMapping[];
  extra: Record<string, unknown>;
}

const MAP_KEYS = new Set(['sourceServerId', 'importDate', 'accounts']);

export function parseMapFile(bytes: Uint8Array | string, path: string): { value?: MapFile; findings: Finding[] } {
  const read = readJsonObject(bytes, path, 'map.invalid');
  if (!read.ok) return { findings: read.findings };
  const pending = new PendingFindings();
  const r = new FieldReader(read.value, pending, 'map.invalid');
  const map: MapFile = { accounts: [], extra: {} };
  const src = r.string('sourceServerId');
  if (src !== undefined) map.sourceServerId = src;
  const date = r.date('importDate');
  if (date !== undefined) map.importDate = date;
  const accounts = r.array('accounts');
  if (accounts === undefined) pending.add('map.invalid', 'a map file needs an "accounts" array', []);
  accounts?.forEach((a, i) => {
    if (a === null || typeof a !== 'object' || Array.isArray(a)) {
      pending.add('map.invalid', `accounts[${i}] is not an object`, ['accounts', i]);
      return;
    }
    const ar = new FieldReader(a as Record<string, unknown>, pending, 'map.invalid', ['accounts', i]);
    const sourceId = ar.string('sourceId');
    const destinationId = ar.string('destinationId');
    if (sourceId === undefined || destinationId === undefined) {
      pending.add('map.invalid', `accounts[${i}] needs "sourceId" and "destinationId"`, ['accounts', i]);
      return;
    }
    const m: AccountMapping = { sourceId, destinationId };
    const name = ar.string('name');
    if (name !== undefined) m.name = name;
    map.accounts.push(m);
  });
  map.extra = r.unknownKeys(MAP_KEYS, 'account.unknown-field');
  return { value: map, findings: resolvePending(read.text, path, pending) };
}

export interface IdMapping {
  line: number;
  sourceItemId: number;
  destinationItemId: number;
  /** Columns of the destination id on its line, [start, end): where idmap.unknown-item points. */
  destinationColumns: [number, number];
  type?: string;
}

export function parseIdMapper(text: string, path: string): { mappings: IdMapping[]; findings: Finding[] } {
  const mappings: IdMapping[] = [];
  const findings: Finding[] = [];
  const lines = text.split(/\r?\n/);
  const index = new LineIndex(text);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const parts = line.split(/\s+/);
    const [s, d, type] = parts;
    const ok = parts.length <= 3 && s !== undefined && d !== undefined && /^\d+$/.test(s) && /^\d+$/.test(d);
    if (!ok) {
      const start = index.offset({ line: i, character: 0 });
      findings.push(
        finding('idmap.bad-line', path, `line ${i + 1} is not "<sourceItemId> <destinationItemId> [<type>]"`, {
          range: index.range(start, start + raw.length),
        }),
      );
      return;
    }
    const token = /^\s*\S+\s+/.exec(raw)!;
    const m: IdMapping = {
      line: i,
      sourceItemId: Number(s),
      destinationItemId: Number(d),
      destinationColumns: [token[0].length, token[0].length + d.length],
    };
    if (type !== undefined) m.type = type;
    mappings.push(m);
  });
  return { mappings, findings };
}
