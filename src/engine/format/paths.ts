/** Paths the writer needs that src/engine/layout.ts does not build yet (it only classifies them). */
import { formatArchiveStamp } from '../dates';
import { accountRelPath, driveBucket, SERVER_DIRS } from '../layout';

/** accounts/<zimbraId>/drive_items/<last two characters>/<uuid> (§2.6). */
export function driveItemRelPath(accountId: string, uuid: string): string {
  return `${accountRelPath(accountId)}/drive_items/${driveBucket(uuid)}/${uuid}`;
}

/** server/customizations_dd_MM_yy#HH_mm_ss.tar.gz (§7), the stamp in `timeZone`. */
export function serverArchiveRelPath(at: number, timeZone = 'UTC'): string {
  return `${SERVER_DIRS[0]}/customizations_${formatArchiveStamp(at, timeZone)}.tar.gz`;
}
