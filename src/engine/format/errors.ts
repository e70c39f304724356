/** Why the writer refused to write: a stable code for callers (scans, restores), and a message naming the file. */
export type FormatErrorCode =
  | 'format.bad-value' // a value the format cannot hold (not an integer, an invalid digest, a key clash)
  | 'format.not-after-last' // an appended transaction that does not start after the item's last one
  | 'format.damaged-item' // an existing item file the parser could not read cleanly: not rewritten
  | 'format.blob-conflict'; // a file already stored under a digest holds other content: not overwritten

export class FormatError extends Error {
  constructor(
    readonly code: FormatErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'FormatError';
  }
}
