/**
 * `syndb store repair`: rebuild a data directory whose journal is damaged, keeping a copy of
 * everything it replaces.
 *
 * The journal format re-synchronises after damage (every record starts with a marker and carries
 * its own SHA-256), so by default every intact record is kept: the snapshot is loaded, every
 * intact record replayed in order (the damaged ones are skipped) and the result written as a new
 * snapshot with an empty journal. With `dropAfter` the replay stops at the first damage instead
 * (the store as it was just before it: later transactions were made while the lost one was part
 * of the store, and an operator may prefer to redo them by hand).
 *
 * Before the new manifest is written, the old MANIFEST, snapshot, journals and bulk-load files
 * are linked (or copied) into <dataDir>/repair-<UTC time>/, together with the damaged bytes and
 * a REPAIR.txt report; nothing is deleted that is not in that copy.
 */
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { Store } from 'oxigraph';
import { StoreError } from '../graph-store.js';
import { acquireLock, fileSeq, fsyncDir, journalName, readManifest, snapshotDirName, writeManifest, type Manifest } from './files.js';
import { loadSnapshot, replayRecord, writeSnapshot } from './snapshot.js';
import { describeDamage, readJournals, verifyDataDir, type VerifyReport } from './verify.js';
import { storeLog, type StoreLogger } from '../store-log.js';

export interface RepairOptions {
  /** Also drop the intact records after the first damage (the store as it was just before it). */
  dropAfter?: boolean;
  logger?: StoreLogger;
  /** Clock for the name of the copy directory (tests). */
  now?: Date;
}

export interface RepairResult {
  /** false: nothing needed repair (no copy made, nothing changed). */
  repaired: boolean;
  /** Where the copy of the old files is. */
  copyDir?: string;
  /** Transactions replayed into the new snapshot (from the journals). */
  kept: number;
  /** Intact records not replayed (after the first damage with dropAfter, or not replayable). */
  droppedRecords: { lsn: number; journal: string; offset: number; why: string }[];
  /** Damaged stretches removed. */
  damage: string[];
  /** The last transaction in the repaired store. */
  lsn: number;
  quads: number;
  report: VerifyReport;
  /** What an operator should know, one sentence each. */
  notes: string[];
}

/** Hard-link `from` to `to` (free, same file system), else copy it; then fsync the copy. */
function keep(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
  const fd = openSync(to, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function keepTree(from: string, to: string): void {
  if (statSync(from).isDirectory()) {
    mkdirSync(to, { recursive: true });
    for (const n of readdirSync(from)) keepTree(join(from, n), join(to, n));
    fsyncDir(to);
  } else keep(from, to);
}

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '');

export async function repairDataDir(dataDirIn: string, options: RepairOptions = {}): Promise<RepairResult> {
  const dataDir = resolvePath(dataDirIn);
  const { warn } = storeLog(options.logger, 'store');
  if (!existsSync(join(dataDir, 'MANIFEST'))) {
    const report = verifyDataDir(dataDir);
    throw new StoreError(`nothing to repair in ${dataDir}: ${report.problems.join('; ') || 'no MANIFEST'}`, 'corrupt');
  }
  const release = acquireLock(dataDir, warn);
  try {
    const report = verifyDataDir(dataDir);
    const m = readManifest(dataDir) as Manifest;
    const badSnap = report.snapshot?.files.filter((f) => f.problem) ?? [];
    if (badSnap.length) {
      throw new StoreError(
        `the snapshot is damaged (${badSnap.map((f) => `${f.file}: ${f.problem}`).join('; ')}); a snapshot holds the whole store up to transaction ${m.snapshot.lsn} and cannot be rebuilt from the journal: restore a backup ("syndb restore FILE")`,
        'corrupt',
      );
    }
    const unreadable = report.journals.flatMap((j) => j.problems);
    if (unreadable.length) throw new StoreError(`${unreadable.join('; ')}; this needs a backup ("syndb restore FILE"), not a repair`, 'corrupt');
    const result: RepairResult = { repaired: false, kept: 0, droppedRecords: [], damage: [], lsn: m.snapshot.lsn, quads: 0, report, notes: [] };
    const needs = report.journals.some((j) => j.damage.length || j.missingLoads.length);
    if (!needs) {
      result.lsn = report.lastCommittedLsn;
      result.quads = report.snapshot?.quads ?? 0;
      return result;
    }

    // 1. the repaired state, in memory: snapshot + every intact record (up to the first damage with dropAfter)
    const store = new Store();
    loadSnapshot(store, dataDir, m);
    const { records } = readJournals(dataDir, m);
    let lsn = m.snapshot.lsn;
    let stopped = false;
    for (const j of records) {
      const firstDamage = j.damage[0]?.offset ?? Infinity;
      for (const d of j.damage) result.damage.push(describeDamage(j.path, d));
      for (const r of j.records) {
        const afterDamage = stopped || r.offset > firstDamage;
        if (options.dropAfter && afterDamage) {
          result.droppedRecords.push({ lsn: r.lsn, journal: j.file, offset: r.offset, why: 'follows the damage (--drop-after)' });
          continue;
        }
        try {
          replayRecord(store, dataDir, j.path, r);
          result.kept++;
          lsn = r.lsn;
        } catch (e) {
          result.droppedRecords.push({ lsn: r.lsn, journal: j.file, offset: r.offset, why: (e as Error).message });
          if (options.dropAfter) stopped = true;
        }
      }
      if (j.damage.length) stopped = true;
    }
    // a later record that failed to replay: the numbering goes on after the highest intact one
    const highest = Math.max(lsn, ...records.flatMap((j) => j.records.map((r) => r.lsn)));
    if (!options.dropAfter) lsn = highest;

    // 2. a copy of every file the repair replaces, and of the damaged bytes
    const copyDir = join(dataDir, `repair-${stamp(options.now ?? new Date())}`);
    if (existsSync(copyDir)) throw new StoreError(`${copyDir} exists already; run the repair again`, 'unavailable');
    mkdirSync(copyDir);
    keep(join(dataDir, 'MANIFEST'), join(copyDir, 'MANIFEST'));
    keepTree(join(dataDir, m.snapshot.dir), join(copyDir, m.snapshot.dir));
    for (const j of m.journals) keep(join(dataDir, j.file), join(copyDir, j.file));
    if (existsSync(join(dataDir, 'loads'))) keepTree(join(dataDir, 'loads'), join(copyDir, 'loads'));
    for (const j of records) {
      for (const d of j.damage) writeFileSync(join(copyDir, `damaged-${j.file}-bytes-${d.offset}-${d.end}.bin`), j.buf.subarray(d.offset, d.end));
    }
    const lost = records.flatMap((j) => j.damage.filter((d) => d.lost).map((d) => (d.lost!.from === d.lost!.to ? `${d.lost!.from}` : `${d.lost!.from}–${d.lost!.to}`)));
    if (lost.length) result.notes.push(`transaction${lost.length > 1 || lost[0].includes('–') ? 's' : ''} ${lost.join(', ')} could not be read back and ${lost.length > 1 || lost[0].includes('–') ? 'are' : 'is'} not in the repaired store`);
    if (!options.dropAfter && records.some((j) => j.damage.some((d) => !d.tail))) {
      result.notes.push('the intact transactions after the damage were kept; they were made while the lost transaction was part of the store, so check the datasets they changed (or repair again from the copy with --drop-after to stop at the damage)');
    }
    if (result.droppedRecords.length) result.notes.push(`${result.droppedRecords.length} intact record${result.droppedRecords.length === 1 ? ' was' : 's were'} not replayed (see REPAIR.txt)`);
    fsyncDir(copyDir);

    // 3. the new snapshot + an empty journal, then the manifest that names them
    let seq = Math.max(fileSeq(m.snapshot.dir), ...m.journals.map((j) => fileSeq(j.file)));
    for (const name of readdirSync(dataDir)) if (/^(snapshot-\d+|journal-\d+\.log)$/.test(name)) seq = Math.max(seq, fileSeq(name.replace(/\.log$/, '')));
    seq++;
    const dirName = snapshotDirName(seq);
    const jfile = journalName(seq);
    const files = writeSnapshot(store, dataDir, dirName);
    const fd = openSync(join(dataDir, jfile), 'w');
    fsyncSync(fd);
    closeSync(fd);
    fsyncDir(dataDir);
    const m2: Manifest = { format: 'syndb-embedded-store', version: 1, generation: seq, snapshot: { dir: dirName, lsn, files }, journals: [{ file: jfile, firstLsn: lsn + 1 }] };
    const text = [
      `syndb store repair of ${dataDir} at ${new Date().toISOString()}${options.dropAfter ? ' (--drop-after)' : ''}`,
      '',
      'This directory holds the data directory as it was before the repair (MANIFEST, snapshot, journals,',
      'bulk-load files) and, in damaged-*.bin, the damaged bytes that were removed.',
      'To undo the repair: stop the server, move MANIFEST, the snapshot-* directory, the journal-*.log files',
      'and loads/ from here back into the data directory.',
      '',
      'Damage removed:',
      ...result.damage.map((d) => `  - ${d}`),
      '',
      `Transactions replayed from the journals: ${result.kept}; the repaired store is at transaction ${lsn} with ${store.size} quads.`,
      ...(result.droppedRecords.length ? ['Intact records not replayed:', ...result.droppedRecords.map((d) => `  - transaction ${d.lsn} (${d.journal}, byte ${d.offset}): ${d.why}`)] : []),
      ...(result.notes.length ? ['', 'Notes:', ...result.notes.map((n) => `  - ${n}`)] : []),
      '',
    ].join('\n');
    writeFileSync(join(copyDir, 'REPAIR.txt'), text);
    fsyncDir(copyDir);
    writeManifest(dataDir, m2);

    // 4. the old files go (their copy is in copyDir)
    for (const name of [m.snapshot.dir, ...m.journals.map((j) => j.file), 'loads']) rmSync(join(dataDir, name), { recursive: true, force: true });
    fsyncDir(dataDir);
    Object.assign(result, { repaired: true, copyDir, lsn, quads: store.size });
    return result;
  } finally {
    release();
  }
}
