/** Small binary attachments and Briefcase documents: a real PNG, a PDF-looking file, text and CSV. */
import { deflateSync } from 'node:zlib';
import type { Rng } from './random';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** A valid RGB PNG: a gradient with a few random blocks. */
export function makePng(rng: Rng, width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc((width * 3 + 1) * height);
  const [r0, g0, b0] = [rng.int(0, 255), rng.int(0, 255), rng.int(0, 255)];
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0;
    for (let x = 0; x < width; x++) {
      const o = row + 1 + x * 3;
      const noise = rng.int(0, 15);
      raw[o] = (r0 + x * 4 + noise) & 0xff;
      raw[o + 1] = (g0 + y * 4) & 0xff;
      raw[o + 2] = (b0 + ((x * y) >> 3)) & 0xff;
    }
  }
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    sig,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A PDF-looking file: header, objects, a Flate stream (real text or `randomBytes` of noise), xref, trailer. */
export function makePdf(rng: Rng, title: string, text: string, randomBytes = 0): Buffer {
  const stream =
    randomBytes > 0
      ? rng.bytes(randomBytes)
      : deflateSync(Buffer.from(`BT /F1 12 Tf 72 720 Td (${text.replace(/[()\\]/g, '')}) Tj ET`, 'latin1'));
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let size = 0;
  const push = (b: Buffer): void => {
    parts.push(b);
    size += b.length;
  };
  push(Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1'));
  const obj = (n: number, body: string, payload?: Buffer): void => {
    offsets[n] = size;
    if (payload) {
      push(Buffer.from(`${n} 0 obj\n${body}\nstream\n`, 'latin1'));
      push(payload);
      push(Buffer.from('\nendstream\nendobj\n', 'latin1'));
    } else push(Buffer.from(`${n} 0 obj\n${body}\nendobj\n`, 'latin1'));
  };
  obj(1, '<< /Type /Catalog /Pages 2 0 R >>');
  obj(2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>');
  obj(
    3,
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
  );
  obj(4, `<< /Length ${stream.length} /Filter /FlateDecode >>`, stream);
  obj(5, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  obj(6, `<< /Title (${title.replace(/[^\x20-\x7e]/g, '?').replace(/[()\\]/g, '')}) /Producer (Sample generator) >>`);
  const xref = size;
  const rows = ['xref', `0 7`, '0000000000 65535 f '];
  for (let n = 1; n <= 6; n++) rows.push(`${String(offsets[n]).padStart(10, '0')} 00000 n `);
  push(
    Buffer.from(
      `${rows.join('\n')}\ntrailer\n<< /Size 7 /Root 1 0 R /Info 6 0 R >>\nstartxref\n${xref}\n%%EOF\n`,
      'latin1',
    ),
  );
  return Buffer.concat(parts);
}

export function makeCsv(rng: Rng, rows: number, version: number): Buffer {
  const lines = ['Voce;Categoria;Q1;Q2;Q3;Q4'];
  const items = [
    'Licenze',
    'Hardware',
    'Formazione',
    'Reisekosten',
    'Déplacements',
    'Consulenze',
    'Cloud',
    'Büromaterial',
  ];
  for (let i = 0; i < rows; i++) {
    const q = [0, 0, 0, 0].map(() => (rng.int(100, 99999) / 100).toFixed(2).replace('.', ','));
    lines.push(`${items[i % items.length]} ${i + 1};${rng.pick(['OPEX', 'CAPEX'])};${q.join(';')}`);
  }
  lines.push(`# versione ${version}`);
  return Buffer.from(lines.join('\r\n') + '\r\n', 'utf8');
}
