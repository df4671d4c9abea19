/**
 * Errors of the disk under the data directory: full (ENOSPC, EDQUOT), mounted read-only (EROFS)
 * or failing (EIO). Every write path answers them with 503 and a specific title; the write that
 * met them changed nothing.
 */

export interface StorageFailure {
  errno: 'ENOSPC' | 'EDQUOT' | 'EROFS' | 'EIO';
  /** Problem title, e.g. "Storage Full". */
  title: string;
  /** What the operator does about it. */
  advice: string;
}

const KINDS: Record<StorageFailure['errno'], Omit<StorageFailure, 'errno'>> = {
  ENOSPC: { title: 'Storage Full', advice: 'the disk of the data directory is full; nothing was stored. Free space (or grow the volume) and retry' },
  EDQUOT: { title: 'Storage Full', advice: 'the disk quota of the data directory is used up; nothing was stored. Free space (or raise the quota) and retry' },
  EROFS: { title: 'Storage Read-Only', advice: 'the data directory is on a file system mounted read-only; nothing was stored. Remount it read-write and retry' },
  EIO: { title: 'Storage I/O Error', advice: 'the disk of the data directory reported an I/O error; nothing was stored. Check the disk (and `syndb store verify`) before retrying' },
};

const ERRNO_IN_MESSAGE = /\b(ENOSPC|EDQUOT|EROFS|EIO)\b/;

/**
 * The storage failure behind `e`, if it is one: a Node system error with that code (also as its
 * `cause`), or — for errors that crossed a worker boundary or were wrapped into a store error
 * (`wrapped` true) — one whose message names the code.
 */
export function storageFailure(e: unknown, wrapped = false): StorageFailure | undefined {
  for (let cur = e, depth = 0; cur && typeof cur === 'object' && depth < 4; cur = (cur as { cause?: unknown }).cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && code in KINDS) return { errno: code as StorageFailure['errno'], ...KINDS[code as StorageFailure['errno']] };
    if (wrapped) {
      const m = ERRNO_IN_MESSAGE.exec(String((cur as { message?: unknown }).message ?? ''));
      if (m) return { errno: m[1] as StorageFailure['errno'], ...KINDS[m[1] as StorageFailure['errno']] };
    }
  }
  return undefined;
}
