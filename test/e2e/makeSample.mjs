// Run with `node --import tsx test/e2e/makeSample.mjs DIR OPTIONS_JSON`: writes the e2e sample into DIR with the
// project's generator (src/engine/sample makeSample; the tests ask for faults).
import fs from 'node:fs';
import path from 'node:path';
import { REPO } from './paths.mjs';

const [dir, optionsJson] = process.argv.slice(2);
const options = JSON.parse(optionsJson ?? '{}');
fs.mkdirSync(dir, { recursive: true });
const { makeSample } = await import(path.join(REPO, 'src/engine/sample/index.ts'));
let last = 0;
await makeSample(
  dir,
  options,
  (done, total, phase) => {
    if (Date.now() - last > 2000) {
      last = Date.now();
      console.error(`[e2e:sample] ${phase} ${done}/${total}`);
    }
  },
  AbortSignal.timeout(10 * 60_000),
);
console.log(JSON.stringify({ generator: 'makeSample', options }));
