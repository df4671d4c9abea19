/**
 * `syndb store verify`: the state of an embedded store's data directory, read without changing
 * anything and without the writer lock: the manifest, every snapshot file against its SHA-256,
 * every journal record (marker, length, checksum, transaction number), the bulk-load files the
 * records name, and every damaged stretch with its byte offsets.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { LOCK, pidAlive, readManifest, type Manifest } from './files.js';
import { decodeRecordPayload, scanJournalFully, type JournalDamage, type JournalRecord } from './journal.js';

export interface SnapshotFileCheck {
  file: string;
  graph: string;
  quads: number;
  bytes: number;
  /** Why the file is not what the manifest says, if it is not. */
  problem?: string;
}

export interface JournalCheck {
  file: string;
  path: string;
  bytes: number;
  firstLsn: number;
  /** Intact records. */
  records: number;
  /** Transaction number of the last intact record (firstLsn - 1 when there is none). */
  lastLsn: number;
  damage: JournalDamage[];
  /** Problems that are not damage inside the file (unreadable, does not continue the previous journal, …). */
  problems: string[];
  /** Bulk-load files named by intact records that are missing. */
  missingLoads: string[];
}

export interface VerifyReport {
  dataDir: string;
  /** No problem found. */
  ok: boolean;
  /** Every problem, one sentence each. */
  problems: string[];
  manifest?: { generation: number; snapshotLsn: number };
  snapshot?: { dir: string; files: SnapshotFileCheck[]; quads: number };
  journals: JournalCheck[];
  /** The last transaction whose record is intact and replayable in order (nothing damaged before it). */
  lastCommittedLsn: number;
  /** The highest transaction number of any intact record (above lastCommittedLsn when records follow damage). */
  lastIntactLsn: number;
  lock?: { pid?: number; running: boolean };
  /** Files and directories the manifest does not name (leftovers of interrupted steps, repair copies). */
  other: string[];
}

/** The journals' intact records, as the repair replays them. */
export interface JournalRecords {
  file: string;
  path: string;
  buf: Buffer;
  records: JournalRecord[];
  damage: JournalDamage[];
}

function readLock(dataDir: string): VerifyReport['lock'] {
  try {
    const text = readFileSync(join(dataDir, LOCK), 'utf8');
    let pid: number | undefined;
    try {
      pid = (JSON.parse(text) as { pid?: number }).pid;
    } catch {
      pid = undefined;
    }
    return { pid, running: pid !== undefined && pidAlive(pid) };
  } catch {
    return undefined;
  }
}

/** Check every snapshot file against the manifest. */
function checkSnapshot(dataDir: string, m: Manifest): SnapshotFileCheck[] {
  return m.snapshot.files.map((f) => {
    const path = join(dataDir, m.snapshot.dir, f.file);
    const out: SnapshotFileCheck = { file: join(m.snapshot.dir, f.file), graph: f.graph, quads: f.quads, bytes: f.bytes };
    let buf: Buffer;
    try {
      buf = readFileSync(path);
    } catch (e) {
      out.problem = `cannot be read: ${(e as Error).message}`;
      return out;
    }
    if (buf.length !== f.bytes) out.problem = `has ${buf.length} bytes, the manifest says ${f.bytes}`;
    else if (createHash('sha256').update(buf).digest('hex') !== f.sha256) out.problem = `SHA-256 does not match the manifest (the file is damaged)`;
    return out;
  });
}

/** Names of the bulk-load files (relative to the data directory) a record's ops refer to. */
function loadFilesOf(r: JournalRecord): string[] {
  try {
    return decodeRecordPayload(r.payload)
      .ops.filter((o): o is Extract<typeof o, { op: 'load' }> => o?.op === 'load')
      .map((o) => o.file);
  } catch {
    return [];
  }
}

/** Read and scan every journal a manifest names (the whole file, past any damage). */
export function readJournals(dataDir: string, m: Manifest): { journals: JournalCheck[]; records: JournalRecords[] } {
  const journals: JournalCheck[] = [];
  const records: JournalRecords[] = [];
  let lsn = m.snapshot.lsn;
  for (const j of m.journals) {
    const path = join(dataDir, j.file);
    const check: JournalCheck = { file: j.file, path, bytes: 0, firstLsn: j.firstLsn, records: 0, lastLsn: j.firstLsn - 1, damage: [], problems: [], missingLoads: [] };
    journals.push(check);
    let buf: Buffer;
    try {
      buf = readFileSync(path);
    } catch (e) {
      check.problems.push(`journal ${path} named in the manifest cannot be read: ${(e as Error).message}`);
      continue;
    }
    check.bytes = buf.length;
    if (j.firstLsn !== lsn + 1) check.problems.push(`journal ${path} starts at transaction ${j.firstLsn}, but the previous part of the store ends at ${lsn}`);
    const scan = scanJournalFully(buf, j.firstLsn - 1);
    check.records = scan.records.length;
    check.lastLsn = scan.lastLsn;
    check.damage = scan.damage;
    for (const r of scan.records) {
      for (const f of loadFilesOf(r)) if (!existsSync(join(dataDir, f))) check.missingLoads.push(f);
    }
    records.push({ file: j.file, path, buf, records: scan.records, damage: scan.damage });
    lsn = scan.lastLsn;
  }
  return { journals, records };
}

export function describeDamage(path: string, d: JournalDamage): string {
  const bytes = d.end - d.offset;
  if (d.tail) return `journal ${path}: torn tail of ${bytes} bytes at byte ${d.offset} (record ${d.record}, transaction ${d.expectedLsn}: ${d.problem}); no intact record follows, so opening the store cuts it off as after a crash`;
  const lost = d.lost ? `transaction${d.lost.to > d.lost.from ? `s ${d.lost.from}–${d.lost.to}` : ` ${d.lost.from}`} cannot be read back` : 'no transaction is missing';
  return `journal ${path}: corrupt record at byte ${d.offset} (record ${d.record}, transaction ${d.expectedLsn}: ${d.problem}); ${bytes} damaged bytes up to byte ${d.end}, where intact records go on; ${lost}`;
}

/** Verify a data directory (nothing is changed). */
export function verifyDataDir(dataDirIn: string): VerifyReport {
  const dataDir = resolvePath(dataDirIn);
  const report: VerifyReport = { dataDir, ok: false, problems: [], journals: [], lastCommittedLsn: 0, lastIntactLsn: 0, other: [] };
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) {
    report.problems.push(`${dataDir} is not a directory`);
    return report;
  }
  report.lock = readLock(dataDir);
  let m: Manifest | undefined;
  try {
    m = readManifest(dataDir);
  } catch (e) {
    report.problems.push((e as Error).message);
    return report;
  }
  if (!m) {
    const ours = readdirSync(dataDir).filter((n) => /^(snapshot-\d+|journal-\d+\.log)$/.test(n));
    if (ours.length) report.problems.push(`${join(dataDir, 'MANIFEST')} is missing but the directory holds store files (${ours.slice(0, 3).join(', ')}); restore a backup`);
    else report.problems.push(`${dataDir} holds no store (no MANIFEST); it is created empty at the first start`);
    return report;
  }
  report.manifest = { generation: m.generation, snapshotLsn: m.snapshot.lsn };
  const files = checkSnapshot(dataDir, m);
  report.snapshot = { dir: m.snapshot.dir, files, quads: files.reduce((a, f) => a + f.quads, 0) };
  for (const f of files) if (f.problem) report.problems.push(`snapshot file ${join(dataDir, f.file)} (graph <${f.graph}>) ${f.problem}; restore a backup ("syndb restore FILE")`);
  const { journals } = readJournals(dataDir, m);
  report.journals = journals;
  let committed = m.snapshot.lsn;
  let clean = true;
  for (const j of journals) {
    report.problems.push(...j.problems);
    for (const d of j.damage) report.problems.push(describeDamage(j.path, d));
    for (const f of j.missingLoads) report.problems.push(`journal ${j.path}: bulk-load file ${join(dataDir, f)} named by a record is missing`);
    if (clean) {
      const firstDamage = j.damage[0];
      committed = firstDamage ? firstDamage.expectedLsn - 1 : j.lastLsn;
      if (firstDamage || j.problems.length) clean = false;
    }
    report.lastIntactLsn = Math.max(report.lastIntactLsn, j.lastLsn);
  }
  report.lastCommittedLsn = committed;
  report.lastIntactLsn = Math.max(report.lastIntactLsn, m.snapshot.lsn);
  const named = new Set([m.snapshot.dir, ...m.journals.map((j) => j.file), 'MANIFEST', LOCK, 'loads', 'assets', 'tmp', 'tokens.json']);
  report.other = readdirSync(dataDir).filter((n) => !named.has(n)).sort();
  report.ok = report.problems.length === 0;
  return report;
}

/** The report as text for a terminal. */
export function formatVerifyReport(r: VerifyReport): string {
  const out: string[] = [`data directory ${r.dataDir}`];
  if (r.lock) out.push(`  lock: held by process ${r.lock.pid ?? '?'} (${r.lock.running ? 'running: the store is open; a record being written may look like a torn tail' : 'not running: a stale lock, taken over at the next start'})`);
  if (r.manifest && r.snapshot) {
    const bad = r.snapshot.files.filter((f) => f.problem).length;
    out.push(`  manifest: generation ${r.manifest.generation}`);
    out.push(`  snapshot ${r.snapshot.dir}: ${r.snapshot.files.length} files, ${r.snapshot.quads} quads, up to transaction ${r.manifest.snapshotLsn}; ${bad ? `${bad} damaged` : 'every checksum matches'}`);
    for (const j of r.journals) {
      const tx = j.records ? `transactions ${j.firstLsn}–${j.lastLsn}` : 'no transactions';
      out.push(`  journal ${j.file}: ${j.bytes} bytes, ${j.records} intact records (${tx}); ${j.damage.length || j.problems.length ? `${j.damage.length} damaged stretch${j.damage.length === 1 ? '' : 'es'}` : 'every checksum matches'}`);
      for (const d of j.damage) out.push(`    bytes ${d.offset}–${d.end}: ${d.tail ? 'torn tail' : 'CORRUPT'} — record ${d.record}, transaction ${d.expectedLsn}: ${d.problem}${d.lost ? `; lost transactions ${d.lost.from}–${d.lost.to}` : ''}`);
    }
    out.push(`  last committed transaction: ${r.lastCommittedLsn}${r.lastIntactLsn > r.lastCommittedLsn ? ` (intact records after the damage go up to ${r.lastIntactLsn})` : ''}`);
  }
  if (r.other.length) out.push(`  other entries: ${r.other.join(', ')}`);
  if (r.ok) out.push('OK: no problems found');
  else {
    out.push(`${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}:`);
    for (const p of r.problems) out.push(`  - ${p}`);
    const corrupt = r.journals.some((j) => j.damage.some((d) => !d.tail) || j.missingLoads.length);
    if (corrupt || r.journals.some((j) => j.damage.length)) out.push(`repair: syndb store repair --data-dir ${r.dataDir}   (keeps every intact record and a copy of everything it changes; --drop-after also drops the intact records after the first damage)`);
  }
  return out.join('\n') + '\n';
}
