/**
 * Data directory layout, crash-safe file writes, the manifest and the writer lock.
 *
 *   <dataDir>/MANIFEST                 JSON, replaced atomically (tmp, fsync, rename, fsync dir)
 *   <dataDir>/snapshot-<gen>/<n>.nq    one N-Quads file per named graph
 *   <dataDir>/journal-<gen>.log        committed transactions after the snapshot
 *   <dataDir>/LOCK                     {"pid": …} of the process that opened it for writing
 *
 * The manifest names the snapshot and the (one or two, during compaction) journals that
 * make up the store; files it does not name are leftovers of an interrupted step.
 */
import { closeSync, constants, fsyncSync, openSync, readFileSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { StoreError } from '../graph-store.js';
import { pidAlive } from '../../util/process-alive.js';

export interface SnapshotFile {
  file: string;
  graph: string;
  quads: number;
  bytes: number;
  sha256: string;
}

export interface Manifest {
  format: 'syndb-embedded-store';
  version: 1;
  generation: number;
  snapshot: { dir: string; lsn: number; files: SnapshotFile[] };
  /** Journals replayed in order after the snapshot; firstLsn - 1 is the LSN before the first record. */
  journals: { file: string; firstLsn: number }[];
}

export const MANIFEST = 'MANIFEST';
export const LOCK = 'LOCK';

export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (e) {
    // Some platforms/filesystems refuse fsync on directories; nothing more can be done there.
    if ((e as NodeJS.ErrnoException).code !== 'EISDIR' && (e as NodeJS.ErrnoException).code !== 'EINVAL') throw e;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Write data to `path` crash-safely: temp file, fsync, rename, fsync the directory (unless skipDirSync). */
export function writeFileDurable(dir: string, name: string, data: string | Uint8Array, skipDirSync = false): void {
  const tmp = join(dir, `${name}.tmp-${process.pid}`);
  const fd = openSync(tmp, 'w');
  try {
    try {
      const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(dir, name));
  } catch (e) {
    // a full or failing disk: the half-written temp file goes, the old file stays as it was
    rmSync(tmp, { force: true });
    throw e;
  }
  if (!skipDirSync) fsyncDir(dir);
}

export function readManifest(dataDir: string): Manifest | undefined {
  let text: string;
  try {
    text = readFileSync(join(dataDir, MANIFEST), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let m: Manifest;
  try {
    m = JSON.parse(text) as Manifest;
  } catch (e) {
    throw new StoreError(`store manifest ${join(dataDir, MANIFEST)} is not valid JSON: ${(e as Error).message}`, 'corrupt');
  }
  if (m.format !== 'syndb-embedded-store' || m.version !== 1 || !m.snapshot || !Array.isArray(m.journals)) {
    throw new StoreError(`store manifest ${join(dataDir, MANIFEST)} is not a syndb-embedded-store v1 manifest`, 'corrupt');
  }
  return m;
}

export function writeManifest(dataDir: string, m: Manifest): void {
  writeFileDurable(dataDir, MANIFEST, JSON.stringify(m, null, 1) + '\n');
}

export const journalName = (gen: number) => `journal-${String(gen).padStart(6, '0')}.log`;
export const snapshotDirName = (gen: number) => `snapshot-${String(gen).padStart(6, '0')}`;

export { pidAlive };

/** Directories locked by this process (a second open in the same process is refused too). */
const heldLocks = new Set<string>();

interface LockInfo {
  pid: number;
  host: string;
  since: string;
}

function readLock(path: string): { text: string; info?: LockInfo } | undefined {
  try {
    const text = readFileSync(path, 'utf8');
    try {
      return { text, info: JSON.parse(text) as LockInfo };
    } catch {
      return { text };
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * Take the single-writer lock of a data directory (LOCK created with O_EXCL).
 * A lock whose pid is not alive (or unreadable lock content) is stale and taken over, with a warning.
 */
export function acquireLock(dataDir: string, warn: (msg: string) => void): () => void {
  const path = join(dataDir, LOCK);
  if (heldLocks.has(path)) {
    throw new StoreError(`data directory ${dataDir} is locked by process ${process.pid} (this process already has it open for writing)`, 'locked');
  }
  const mine = JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() } satisfies LockInfo);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o644);
      try {
        writeSync(fd, mine);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      fsyncDir(dataDir);
      heldLocks.add(path);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        heldLocks.delete(path);
        const cur = readLock(path);
        if (cur?.text === mine) unlinkSync(path);
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const cur = readLock(path);
    if (!cur) continue; // released meanwhile, try again
    const pid = cur.info?.pid;
    const sameHost = !cur.info?.host || cur.info.host === hostname();
    if (pid !== undefined && pid !== process.pid && (pidAlive(pid) || !sameHost)) {
      throw new StoreError(
        `data directory ${dataDir} is locked by process ${pid}${cur.info?.host ? ` on ${cur.info.host}` : ''} (since ${cur.info?.since ?? '?'}); stop that process or open the store readOnly`,
        'locked',
      );
    }
    // stale: the owner is gone (or it is our own pid from an earlier life of this container)
    const again = readLock(path);
    if (again?.text !== cur.text) continue;
    warn(`taking over stale lock ${path} of process ${pid ?? '(unreadable lock file)'}, which is no longer running`);
    try {
      unlinkSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  throw new StoreError(`could not take the lock ${path}: it keeps changing (another process is opening the store)`, 'locked');
}

/** The sequence number in a snapshot or journal name (snapshot-<n>, journal-<n>.log). */
export function fileSeq(name: string): number {
  const m = /-(\d+)(\.log)?$/.exec(name);
  return m ? Number(m[1]) : 0;
}
