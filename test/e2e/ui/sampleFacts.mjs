// What the UI tests expect to see, derived from the sample on disk with the engine (never hard-coded).
import fs from 'node:fs';
import path from 'node:path';
import * as engineModule from '../../../src/engine/index.ts';

// The engine is CommonJS TypeScript (loaded by tsx): from ESM its exports sit on the default export.
export const engine = engineModule.default ?? engineModule;
const { analyzeItemText, itemTitle } = engine;
const CONTAINER_TYPES = new Set([1, 2, 3, 13]);

export function sampleFacts(root) {
  const accounts = [];
  for (const id of fs.readdirSync(path.join(root, 'accounts'))) {
    let info = {};
    try {
      info = JSON.parse(fs.readFileSync(path.join(root, 'accounts', id, 'account_info'), 'utf8'));
    } catch {
      /* a fault */
    }
    const items = [];
    const itemsDir = path.join(root, 'accounts', id, 'items');
    for (const bucket of fs.existsSync(itemsDir) ? fs.readdirSync(itemsDir) : []) {
      for (const name of fs.readdirSync(path.join(itemsDir, bucket))) {
        const rel = `accounts/${id}/items/${bucket}/${name}`;
        const text = fs.readFileSync(path.join(root, rel), 'utf8');
        const history = analyzeItemText(text, rel);
        // Titles of what the tree shows as items (folders, search folders, tags and mountpoints are containers).
        const titles = history.transactions
          .filter((t) => !CONTAINER_TYPES.has(t.type))
          .map((t) => itemTitle(t))
          .filter((t) => t.length > 3);
        items.push({ rel, history, titles });
      }
    }
    accounts.push({ id, name: typeof info.name === 'string' ? info.name : undefined, items });
  }
  return accounts;
}
