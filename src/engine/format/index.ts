/** The on-disk format, written (docs/backup-format.md "How we write it"). No vscode import. */
export {
  writeFileAtomic,
  writeFileAtomicSync,
  openAtomicSync,
  fsyncDir,
  fsyncDirSync,
  tempPathFor,
  tempFileWriterPid,
  type AtomicFile,
  type AtomicOptions,
} from './atomic';
export { gzipFixed } from './blob';
export { FormatError, type FormatErrorCode } from './errors';
export * from './files';
export {
  TRANSACTION_KEYS,
  appendTransaction,
  assertAppendable,
  chainTransactions,
  serializeItem,
  serializeObjects,
  transactionObject,
  type TransactionValues,
} from './item';
export { driveItemRelPath, serverArchiveRelPath } from './paths';
export { BackupWriter, type BlobRef, type IdMapperWriter } from './writer';
export {
  acquireBackupLock,
  readLock,
  describeHolder,
  isStale,
  type BackupLock,
  type LockHolder,
  type LockResult,
} from './lock';
