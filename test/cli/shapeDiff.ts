/** Compares the keys of a documented JSON example with a command's real output. */
/** Free-form objects (file contents kept verbatim): their keys are data, not shape. */
const FREE_FORM = new Set(['raw', 'extra', 'attributes']);

/** Paths of keys present in one value and not the other; arrays are compared by their first elements. */
export function shapeDiff(doc: unknown, real: unknown, at = '$'): string[] {
  if (Array.isArray(doc) && Array.isArray(real))
    return doc.length > 0 && real.length > 0 ? shapeDiff(doc[0], real[0], `${at}[0]`) : [];
  if (doc === null || real === null || typeof doc !== 'object' || typeof real !== 'object') return [];
  const a = doc as Record<string, unknown>;
  const b = real as Record<string, unknown>;
  const out: string[] = [];
  for (const k of Object.keys(a)) if (!(k in b)) out.push(`${at}.${k} is documented but not printed`);
  for (const k of Object.keys(b)) if (!(k in a)) out.push(`${at}.${k} is printed but not documented`);
  for (const k of Object.keys(a)) if (k in b && !FREE_FORM.has(k)) out.push(...shapeDiff(a[k], b[k], `${at}.${k}`));
  return out;
}
