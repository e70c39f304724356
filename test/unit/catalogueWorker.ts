/** A second process for catalogueRepair.test.ts: indexes the given accounts of a backup into a catalogue folder. */
import { openCatalogue } from '../../src/engine/catalogue';

async function main(): Promise<void> {
  const [root, dir, ...accounts] = process.argv.slice(2);
  const cat = await openCatalogue(root!, { dir: dir! });
  try {
    for (const a of accounts) {
      const r = await cat.indexAccount(a);
      console.log(`${a}: ${r.files} files, ${r.updated} read`);
    }
  } finally {
    cat.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
