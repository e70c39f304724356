/** The engine's FolderChain (src/engine/backup/folderChain.ts): folder paths at a point in time. */
export { FolderChain } from '../engine';
