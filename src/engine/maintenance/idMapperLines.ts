/** Taking lines out of an id_mapper.log (export of a window, purge of the items they map to), the rest kept byte for byte. */
import { parseIdMapper } from '../files/maps';

export function dropIdMapperLines(
  text: string,
  path: string,
  drop: (destinationItemId: number) => boolean,
): { text: string; removed: string[] } {
  const lines = new Set(
    parseIdMapper(text, path)
      .mappings.filter((m) => drop(m.destinationItemId))
      .map((m) => m.line),
  );
  if (lines.size === 0) return { text, removed: [] };
  // The parser numbers the pieces of text.split(/\r?\n/); split after each \n keeps the line ends.
  const pieces = text.split(/(?<=\n)/);
  const kept: string[] = [];
  const removed: string[] = [];
  pieces.forEach((p, i) => (lines.has(i) ? removed : kept).push(p));
  return { text: kept.join(''), removed: removed.map((l) => l.replace(/\r?\n$/, '')) };
}
