/**
 * Opening a data directory for the embedded store: a fresh store created when there is none, the
 * journals the manifest names read and checked (a torn tail cut off, damage elsewhere refused),
 * the leftovers of interrupted steps removed, and the last journal opened for appending.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, openSync, closeSync, fsyncSync, truncateSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreError } from '../graph-store.js';
import { fsyncDir, journalName, readManifest, snapshotDirName, writeManifest, type Manifest, fileSeq } from './files.js';
import { JournalWriter, scanJournal } from './journal.js';
import { corruptJournalError } from './recovery.js';
import { LOADS_DIR, removeLoadFiles } from './restore.js';

/** What the store found in its data directory. */
export interface OpenedDir {
  /** Undefined only for a read-only open of a directory without a store. */
  manifest: Manifest | undefined;
  /** Valid bytes of each journal the manifest names. */
  journalSizes: number[];
  /** The last committed transaction. */
  lsn: number;
  /** The highest sequence number of a snapshot or journal file. */
  seq: number;
  /** The last journal, open for appending (not for a read-only open). */
  journal: JournalWriter | undefined;
}

/** Read (creating if missing and writable) the store in `dataDir`; the caller holds its lock unless `readOnly`. */
export async function openDataDir(dataDir: string, readOnly: boolean, warn: (m: string) => void): Promise<OpenedDir> {
  let manifest = readManifest(dataDir);
  if (!manifest) {
    const ours = (existsSync(dataDir) ? readdirSync(dataDir) : []).filter((n) => /^(snapshot-\d+|journal-\d+\.log)$/.test(n));
    ours.sort();
    if (ours.length > 0) {
      throw new StoreError(`${join(dataDir, 'MANIFEST')} is missing but the directory holds store files (${ours.slice(0, 3).join(', ')}…); restore it from a backup instead of starting empty`, 'corrupt');
    }
  }
  if (!manifest && !readOnly) {
    // a fresh store: empty snapshot, empty journal, then the manifest that names them
    mkdirSync(join(dataDir, snapshotDirName(1)), { recursive: true });
    const fd = openSync(join(dataDir, journalName(1)), 'w');
    fsyncSync(fd);
    closeSync(fd);
    fsyncDir(dataDir);
    manifest = {
      format: 'syndb-embedded-store',
      version: 1,
      generation: 1,
      snapshot: { dir: snapshotDirName(1), lsn: 0, files: [] },
      journals: [{ file: journalName(1), firstLsn: 1 }],
    };
    writeManifest(dataDir, manifest);
  }
  const journalSizes: number[] = [];
  let lsn = manifest?.snapshot.lsn ?? 0;
  let seq = 0;
  if (manifest) {
    seq = Math.max(fileSeq(manifest.snapshot.dir), ...manifest.journals.map((j) => fileSeq(j.file)));
    for (const [idx, j] of manifest.journals.entries()) {
      const path = join(dataDir, j.file);
      let buf: Buffer;
      try {
        buf = await readFile(path);
      } catch (e) {
        throw new StoreError(`journal ${path} named in the manifest cannot be read: ${(e as Error).message}`, 'corrupt');
      }
      if (j.firstLsn !== lsn + 1) throw new StoreError(`journal ${path} starts at transaction ${j.firstLsn}, expected ${lsn + 1}`, 'corrupt');
      const scan = scanJournal(buf, lsn);
      const last = idx === manifest.journals.length - 1;
      if (scan.problem) {
        // damage followed by intact records (or by later journals) is corruption, never a torn tail
        if (scan.resumes) throw corruptJournalError(path, dataDir, buf, lsn, scan);
        if (!last) throw corruptJournalError(path, dataDir, buf, lsn, scan, `Later journals depend on it, so the store was not opened and nothing was truncated.`);
        const dropped = scan.totalBytes - scan.validBytes;
        if (readOnly) {
          warn(`journal ${path}: ignoring a torn or corrupt tail of ${dropped} bytes (${scan.problem}); read-only open leaves the file as it is`);
        } else {
          warn(`journal ${path}: discarding a torn or corrupt tail of ${dropped} bytes (${scan.problem}); the last ${scan.records.length ? `intact transaction is ${scan.lastLsn}` : 'snapshot is complete'}`);
          truncateSync(path, scan.validBytes);
          const fd = openSync(path, 'r+');
          fsyncSync(fd);
          closeSync(fd);
        }
      }
      journalSizes.push(scan.validBytes);
      lsn = scan.lastLsn;
    }
    if (!readOnly) {
      removeLeftovers(dataDir, manifest, warn);
      const snapLsn = manifest.snapshot.lsn;
      const last = lsn;
      removeLoadFiles(dataDir, (n) => n <= snapLsn || n > last, (name) => warn(`removing ${LOADS_DIR}/${name}, a bulk-load file no journal record needs`));
    }
  }
  const journal =
    manifest && !readOnly
      ? await JournalWriter.open(join(dataDir, manifest.journals[manifest.journals.length - 1].file), journalSizes[journalSizes.length - 1])
      : undefined;
  return { manifest, journalSizes, lsn, seq, journal };
}

/** Remove files of interrupted steps (snapshots / journals / temp files the manifest does not name). */
function removeLeftovers(dataDir: string, m: Manifest, warn: (s: string) => void): void {
  const keep = new Set([m.snapshot.dir, ...m.journals.map((j) => j.file)]);
  for (const name of readdirSync(dataDir)) {
    const ours = /^(snapshot-\d+|journal-\d+\.log)$/.test(name) || /^MANIFEST\.tmp-/.test(name);
    if (!ours || keep.has(name)) continue;
    warn(`removing leftover ${name} from an interrupted compaction`);
    rmSync(join(dataDir, name), { recursive: true, force: true });
  }
}
