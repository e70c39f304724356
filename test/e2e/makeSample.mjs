// Run with `node --import tsx test/e2e/makeSample.mjs DIR OPTIONS_JSON`: writes the e2e sample into DIR with the
// project's generator (src/engine/sample makeSample, faults on), or the tiny fixture while that generator is missing.
import fs from 'node:fs';
import path from 'node:path';
import { REPO } from './paths.mjs';

const [dir, optionsJson] = process.argv.slice(2);
const options = JSON.parse(optionsJson ?? '{}');
const generator = path.join(REPO, 'src/engine/sample/index.ts');
fs.mkdirSync(dir, { recursive: true });
if (fs.existsSync(generator)) {
  const { makeSample } = await import(generator);
  let last = 0;
  await makeSample(dir, options, (done, total, phase) => {
    if (Date.now() - last > 2000) { last = Date.now(); console.error(`[e2e:sample] ${phase} ${done}/${total}`); }
  }, AbortSignal.timeout(10 * 60_000));
  console.log(JSON.stringify({ generator: 'makeSample', options }));
} else {
  const { writeTinySample } = await import('./fixture/tinySample.ts');
  writeTinySample(dir);
  console.log(JSON.stringify({ generator: 'tinySample' }));
}
