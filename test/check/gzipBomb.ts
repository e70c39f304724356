/**
 * Real gzip bombs for the tests, made in milliseconds: deflate output for a run of
 * zeros, cut by a full flush (which resets the dictionary), is the same block every
 * time, so N copies of the block for 1 MiB make a valid gzip of N MiB of zeros.
 */
import { writeFileSync } from 'node:fs';
import { constants, crc32, createDeflateRaw } from 'node:zlib';
import { gzipTrailer } from '../../src/engine/blobs';

const MiB = 1024 * 1024;

/** The deflate bytes for 1 MiB of zeros up to a full flush, and those that end the stream. */
async function zeroBlock(): Promise<{ block: Buffer; end: Buffer }> {
  const d = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  d.on('data', (c: Buffer) => out.push(c));
  const flushed = async (): Promise<Buffer> => {
    d.write(Buffer.alloc(MiB));
    await new Promise<void>((resolve) => d.flush(constants.Z_FULL_FLUSH, () => resolve()));
    return Buffer.concat(out.splice(0));
  };
  const first = await flushed();
  const block = await flushed();
  if (!first.equals(block)) throw new Error('deflate did not repeat its block: cannot build the bomb');
  await new Promise<void>((resolve) => d.end(() => resolve()));
  await new Promise<void>((resolve) => (d.closed ? resolve() : d.once('close', () => resolve())));
  return { block, end: Buffer.concat(out) };
}

/** Writes a gzip file that inflates to `mib` MiB of zeros; returns its size on disk. */
export async function writeGzipBomb(file: string, mib: number): Promise<number> {
  const { block, end } = await zeroBlock();
  const zeros = Buffer.alloc(MiB);
  let crc = 0;
  for (let i = 0; i < mib; i++) crc = crc32(zeros, crc);
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
  const bytes = Buffer.concat([header, ...Array<Buffer>(mib).fill(block), end, gzipTrailer(crc, mib * MiB)]);
  writeFileSync(file, bytes);
  return bytes.length;
}
