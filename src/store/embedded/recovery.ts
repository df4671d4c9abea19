/**
 * What opening a data directory does with a damaged journal: a torn tail (the last append cut
 * short by a crash, or garbage with no intact record after it) is cut off, as a crash leaves it;
 * damage followed by intact records is corruption of the file, and the store refuses to start.
 */
import { StoreError } from '../graph-store.js';
import { scanJournalFully, type JournalScan } from './journal.js';

/** The commands an operator runs on a damaged data directory. */
export function repairAdvice(dataDir: string): string {
  return `Run "syndb store verify --data-dir ${dataDir}" to see the damage, then "syndb store repair --data-dir ${dataDir}" (it removes only the damaged bytes, keeps every intact record and keeps a copy of everything it changes), or restore a backup ("syndb restore FILE")`;
}

/**
 * The error for a journal whose damage is followed by intact records (scan.resumes is set).
 * @param prevLsn the transaction before the journal's first record
 */
export function corruptJournalError(path: string, dataDir: string, buf: Buffer, prevLsn: number, scan: JournalScan, why = ''): StoreError {
  const full = scanJournalFully(buf, prevLsn);
  const after = full.records.filter((r) => r.offset >= (scan.resumes?.offset ?? buf.length));
  const first = full.damage[0];
  const where = `byte ${scan.validBytes} (record ${scan.records.length + 1}, transaction ${scan.lastLsn + 1}: ${scan.problem})`;
  const follow = scan.resumes
    ? `; ${after.length} intact record${after.length === 1 ? '' : 's'} follow${after.length === 1 ? 's' : ''} it, the next at byte ${scan.resumes.offset} (transaction ${scan.resumes.lsn}), the last is transaction ${full.lastLsn}`
    : '';
  const more = full.damage.length > 1 ? `; ${full.damage.length} damaged stretches in all` : '';
  return new StoreError(
    `journal ${path} is corrupt at ${where}${follow}${more}. ${why || 'This is not a torn tail from a crash, so the store was not opened and nothing was truncated.'} ${repairAdvice(dataDir)}.` +
      (first?.lost ? ` Transactions ${first.lost.from}${first.lost.to > first.lost.from ? `–${first.lost.to}` : ''} cannot be read back.` : ''),
    'corrupt',
  );
}
