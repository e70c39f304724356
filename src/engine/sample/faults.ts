/**
 * The documented set of damaged files added by `faults: true` (docs/sample.md).
 * Every fault is deterministic and recorded with the finding code a check must report.
 */
import { verifyBlobBytes } from '../blobs';
import { computeDigest } from '../digest';
import { accountRelPath, blobRelPath, itemBucket, itemRelPath } from '../layout';
import { FlagBit, ItemType } from '../zimbra';
import type { AccountResult } from './account';
import { makeMessage } from './content';
import { ItemBuilder } from './history';
import { DAY, END_DATE, HOUR } from './timeline';
import { gzipFixed } from '../format/blob';
import { serializeAccountInfo, serializeObjects, transactionObject, type BackupWriter } from '../format';

export interface SampleFault {
  id: string;
  /** Relative to the backup path. */
  path: string;
  /** The finding code a coherency check must report for it. */
  expectedCode: string;
  description: string;
}

export interface FaultTargets {
  /** Receives the damaged items and the items that reference damaged BLOBs. */
  items: AccountResult;
  /** Gets an account_info that is not valid JSON. */
  info: AccountResult;
  /** The imported account, whose id_mapper.log gets a line to a missing item. */
  imported?: AccountResult;
}

export interface FaultOutcome {
  faults: SampleFault[];
  /** Item files added to `targets.items` (its account_stat is rewritten to count them). */
  itemFiles: number;
  lastItemId: number;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,';

/**
 * A 44-character name shaped like a SHA-256 digest that does not re-encode to itself:
 * the 43rd character of a valid one carries 2 padding bits, which must be zero; set one.
 */
export function invalidDigestLike(valid: string): string {
  const v = B64.indexOf(valid[42]!);
  return `${valid.slice(0, 42)}${B64[v | 1]!}=`;
}

export function addFaults(writer: BackupWriter, seed: number, targets: FaultTargets): FaultOutcome {
  const acc = targets.items;
  const zid = acc.plan.zimbraId;
  const faults: SampleFault[] = [];
  let nextId = acc.lastItemId + 1;
  let itemFiles = 0;
  let lastItemId = acc.lastItemId;
  const base = END_DATE - 100 * DAY;
  const sample = acc.sampleMessage;

  const fault = (id: string, path: string, expectedCode: string, description: string): void => {
    faults.push({ id, path, expectedCode, description });
  };
  const newContent = (tag: string): Buffer =>
    makeMessage(seed, `fault:${tag}`, {
      owner: acc.plan.owner,
      mailHost: `mail.${acc.plan.domain}`,
      correspondents: acc.plan.correspondents,
      date: base - DAY,
      kind: 'normal',
      outgoing: false,
      structure: 'plain-qp',
    }).bytes;
  /** A clean message history: delivered, then read. */
  const messageItem = (id: number, digest: string, size: number, subject: string): ItemBuilder =>
    new ItemBuilder(id, ItemType.MESSAGE)
      .create(base + id * 1000, {
        folderId: 2,
        subject,
        sender: 'bob@partner.example.net',
        recipients: acc.plan.owner.email,
        date: Math.floor((base - DAY) / 1000),
        size,
        digest,
        flags: FlagBit.UNREAD,
        tags: [],
      })
      .change(base + id * 1000 + HOUR, { flags: 0 });
  const writeItem = (id: number, text: string | Buffer, rel = itemRelPath(zid, id)): string => {
    writer.writeFile(rel, text);
    itemFiles++;
    lastItemId = Math.max(lastItemId, id);
    return rel;
  };
  const ref =
    sample ??
    (() => {
      const c = newContent('reference');
      return { digest: writer.putBlob(c).digest, size: c.length };
    })();

  // --- item metadata
  {
    const id = nextId++;
    const text = messageItem(id, ref.digest, ref.size, 'Truncated metadata').toJson();
    const rel = writeItem(id, text.slice(0, Math.floor(text.length * 0.6)));
    fault(
      'item-invalid-json',
      rel,
      'item.invalid-json',
      'A clean item file cut at 60 % of its length: the JSON ends in the middle of a transaction.',
    );
  }
  {
    const id = nextId++;
    const text = messageItem(id, ref.digest, ref.size, 'Caf\u00e9 cr\u00e8me order').toJson();
    const rel = writeItem(id, Buffer.from(text, 'latin1'));
    fault(
      'item-not-utf8',
      rel,
      'item.not-utf8',
      'A clean item file written in ISO-8859-1: the subject "Café crème order" has the bytes E9 and E8, which are not UTF-8.',
    );
  }
  {
    const id = nextId++;
    const txs = JSON.parse(messageItem(id, ref.digest, ref.size, 'Overlapping transactions').toJson()) as Record<
      string,
      number
    >[];
    txs[0]!['end-date'] = txs[1]!['start-date']! + HOUR;
    const rel = writeItem(id, JSON.stringify(txs, null, 2) + '\n');
    fault('item-overlap', rel, 'item.interval-overlap', 'Transaction 1 ends one hour after transaction 2 starts.');
  }
  {
    const id = nextId++;
    const b = messageItem(id, ref.digest, ref.size, 'Transactions out of order').change(base + id * 1000 + 2 * HOUR, {
      flags: FlagBit.FLAGGED,
    });
    const txs = JSON.parse(b.toJson()) as Record<string, number>[];
    txs[1]!['transaction-id'] = 3;
    txs[2]!['transaction-id'] = 2;
    const rel = writeItem(id, JSON.stringify(txs, null, 2) + '\n');
    fault(
      'item-bad-transaction-order',
      rel,
      'item.bad-transaction-id',
      'Three chained transactions whose transaction-ids are 1, 3, 2.',
    );
  }
  {
    const id = nextId++;
    const wrong = itemBucket(id + 1);
    const rel = writeItem(
      id,
      messageItem(id, ref.digest, ref.size, 'Filed in the wrong folder').toJson(),
      `accounts/${zid}/items/${wrong}/${id}`,
    );
    fault(
      'item-wrong-folder',
      rel,
      'layout.item-wrong-folder',
      `A clean item file with id ${id} stored in items/${wrong}/ instead of items/${itemBucket(id)}/.`,
    );
  }
  {
    const id = nextId++;
    const other = id + 500_000;
    const rel = writeItem(
      id,
      messageItem(other, ref.digest, ref.size, 'Copied under another name').toJson(),
      itemRelPath(zid, id),
    );
    fault(
      'item-id-mismatch',
      rel,
      'item.id-mismatch',
      `The file is named ${id} but its transactions say "id": ${other}.`,
    );
  }
  {
    const id = nextId++;
    const txs = JSON.parse(messageItem(id, ref.digest, ref.size, 'A gap in the history').toJson()) as Record<
      string,
      number
    >[];
    txs[0]!['end-date'] = txs[0]!['start-date']! + HOUR / 2;
    const rel = writeItem(id, JSON.stringify(txs, null, 2) + '\n');
    fault(
      'item-gap',
      rel,
      'item.interval-gap',
      'Transaction 1 ends 30 minutes after it starts, 30 minutes before transaction 2 starts.',
    );
  }
  {
    const id = nextId++;
    // The format writer refuses an invalid digest: write a valid one, then damage it.
    const txs = messageItem(id, ref.digest, ref.size, 'Damaged digest').transactions().map(transactionObject);
    for (const t of txs) t['digest'] = 'not/a-valid+digest';
    const rel = writeItem(id, serializeObjects(txs));
    fault(
      'item-bad-digest',
      rel,
      'item.bad-digest',
      'The digest is "not/a-valid+digest", which is not a Zimbra digest (and must never become a path).',
    );
  }

  // --- BLOBs
  const referenced = (
    tag: string,
    subject: string,
    content: Buffer,
    store: (digest: string) => string | undefined,
    code: string,
    description: string,
    size = content.length,
  ): void => {
    const digest = computeDigest(content);
    const blobPath = store(digest);
    const id = nextId++;
    const rel = writeItem(id, messageItem(id, digest, size, subject).toJson());
    fault(tag, blobPath ?? rel, code, `${description} Referenced by ${rel}.`);
  };
  const put = (digest: string, bytes: Buffer, rel = blobRelPath(digest)!): string => {
    writer.writeFile(rel, bytes);
    return rel;
  };

  referenced(
    'blob-missing',
    'Its BLOB was never stored',
    newContent('missing'),
    () => undefined,
    'blob.missing',
    'An item references a valid digest whose BLOB file does not exist (the fault path is the item).',
  );
  {
    const content = newContent('orphan');
    const rel = put(computeDigest(content), gzipFixed(content));
    fault('blob-orphan', rel, 'blob.orphan', 'A valid gzip BLOB, named by its digest, that no item references.');
  }
  {
    const content = newContent('corrupted');
    referenced(
      'blob-corrupted',
      'Corrupted content',
      content,
      (d) => {
        const bad = Buffer.from(content);
        const at = Math.floor(bad.length / 2);
        bad[at] = bad[at]! ^ 0xff;
        return put(d, gzipFixed(bad));
      },
      'blob.corrupted',
      'All bits of the middle byte of the uncompressed content flipped, then gzip-compressed again: valid gzip, wrong digest.',
    );
  }
  {
    const content = newContent('corrupted-payload');
    referenced(
      'blob-corrupted-payload',
      'Corrupted gzip payload',
      content,
      (d) => {
        const gz = gzipFixed(content);
        // Flip all bits of one payload byte; move on until gunzip reports damage (not a short stream).
        for (let at = Math.floor(gz.length / 2); at < gz.length - 8; at++) {
          const bad = Buffer.from(gz);
          bad[at] = bad[at]! ^ 0xff;
          const v = verifyBlobBytes(bad, d);
          if (v !== 'stream' && v.status === 'corrupted') return put(d, bad);
        }
        throw new Error('cannot build the corrupted-payload fault');
      },
      'blob.corrupted',
      'All bits of one byte inside the deflate payload flipped: gunzip fails (invalid data or CRC mismatch).',
    );
  }
  {
    const content = newContent('truncated');
    referenced(
      'blob-truncated',
      'Truncated BLOB',
      content,
      (d) => {
        const gz = gzipFixed(content);
        return put(d, gz.subarray(0, Math.floor(gz.length / 2)));
      },
      'blob.truncated',
      'The gzip file cut at half its length: the stream ends too early.',
    );
  }
  {
    const content = newContent('double');
    referenced(
      'blob-double-gzip',
      'Compressed twice',
      content,
      (d) => put(d, gzipFixed(gzipFixed(content))),
      'blob.double-gzip',
      'The content gzip-compressed twice; the name is the digest of the fully decompressed bytes.',
    );
  }
  {
    const content = newContent('bad-name');
    const name = invalidDigestLike(computeDigest(content));
    const rel = put('', gzipFixed(content), `items/${name.slice(0, 2)}/${name}`);
    fault(
      'blob-bad-name',
      rel,
      'blob.bad-name',
      `A gzip file named "${name}": 44 characters that do not re-encode to themselves, so not a valid digest.`,
    );
  }
  {
    const content = newContent('empty');
    referenced(
      'blob-empty',
      'Empty BLOB',
      content,
      (d) => put(d, Buffer.alloc(0)),
      'blob.empty',
      'An empty (0-byte) file under a referenced digest.',
    );
  }
  {
    const content = newContent('not-gzip');
    referenced(
      'blob-not-gzip',
      'Stored without compression',
      content,
      (d) => put(d, content),
      'blob.not-gzip',
      'The raw message stored without gzip compression (no 1f 8b header).',
    );
  }
  {
    const content = newContent('wrong-folder');
    referenced(
      'blob-wrong-folder',
      'BLOB in another prefix folder',
      content,
      (d) => {
        const prefix = d.startsWith('zz') ? 'yy' : 'zz';
        return put(d, gzipFixed(content), `items/${prefix}/${d}`);
      },
      'blob.wrong-folder',
      'A valid gzip BLOB stored under items/zz/ (or yy/) instead of the folder named by the first two characters of its digest; a check that does not look for it elsewhere reports blob.missing for the referencing item.',
    );
  }
  {
    const content = newContent('size');
    referenced(
      'blob-size-mismatch',
      'Declared size is wrong',
      content,
      (d) => put(d, gzipFixed(content)),
      'blob.size-mismatch',
      'A valid BLOB whose referencing item declares "size" one byte larger than the real content.',
      content.length + 1,
    );
  }

  // --- account files and the id mapper
  {
    const rel = accountRelPath(targets.info.plan.zimbraId, 'account_info');
    const text = serializeAccountInfo({
      zimbraId: targets.info.plan.zimbraId,
      name: targets.info.plan.owner.email,
      displayName: targets.info.plan.owner.name,
      status: 'active',
    }).trimEnd();
    writer.writeFile(rel, text.slice(0, Math.floor(text.length * 0.7)));
    fault(
      'account-invalid-json',
      rel,
      'account.invalid-json',
      'account_info cut at 70 % of its length: not valid JSON.',
    );
  }
  if (targets.imported) {
    const rel = accountRelPath(targets.imported.plan.zimbraId, 'id_mapper.log');
    const missing = targets.imported.lastItemId + 777;
    writer.appendIdMapper(targets.imported.plan.zimbraId, [
      { sourceItemId: 99999, destinationItemId: missing, type: 'message' },
    ]);
    fault(
      'idmap-unknown-item',
      rel,
      'idmap.unknown-item',
      `The last line of id_mapper.log maps source item 99999 to item ${missing}, which does not exist in the account.`,
    );
  }
  return { faults, itemFiles, lastItemId };
}
