/** Writing and loading snapshots (one N-Quads file per named graph) and replaying journals. */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Store, namedNode } from 'oxigraph';
import { StoreError } from '../graph-store.js';
import { fsyncDir, writeFileDurable, type Manifest, type SnapshotFile } from './files.js';
import { decodeRecordPayload, scanJournal, type JournalRecord } from './journal.js';
import { applyOps, checkOps, checkedFromMeta, releaseOps } from './ops.js';
import { positiveIntFromEnv } from '../../util/env.js';
import { HEAP_PER_INPUT_BYTE, reserveEngineHeap } from './engine-memory.js';

const NQ = 'application/n-quads';

/** Sorted names of the non-empty named graphs. */
export function listGraphs(store: Store): string[] {
  const rows = store.query('SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }') as Map<string, { value: string; termType: string }>[];
  return rows
    .map((r) => r.get('g'))
    .filter((t): t is { value: string; termType: string } => !!t && t.termType === 'NamedNode')
    .map((t) => t.value)
    .sort();
}

/** One named graph as N-Quads (oxigraph writes the graph's triples; the graph name is added to each line). */
export function dumpGraph(store: Store, graph: string): string {
  const triples = store.dump({ format: NQ, from_graph_name: namedNode(graph) });
  if (triples === '') return '';
  // N-Triples lines end with " .\n"; a raw newline never occurs inside a term (it is escaped)
  const g = ` <${namedNode(graph).value}> .\n`;
  return triples.replace(/ \.\n/g, () => g);
}

function countLines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Quads per piece when a large graph is written in pieces: a JS string holds at most ~512 M
 * characters, about 2 M quads of a compartment table. SYNDB_SNAPSHOT_PART_QUADS overrides it (tests).
 */
function partQuads(): number {
  return positiveIntFromEnv('SYNDB_SNAPSHOT_PART_QUADS', 1_000_000);
}

/**
 * A named graph as N-Quads pieces: one piece, or for a large graph up to 256 pieces split by a
 * hash of the subject (each quad in exactly one piece; the total is checked against the count).
 */
export function* graphPieces(store: Store, graph: string): Generator<string> {
  const rows = store.query(`SELECT (COUNT(*) AS ?n) WHERE { GRAPH <${graph}> { ?s ?p ?o } }`) as Map<string, { value: string }>[];
  const total = Number(rows[0]?.get('n')?.value ?? 0);
  const parts = Math.min(256, Math.ceil(total / partQuads()));
  if (parts <= 1) {
    yield dumpGraph(store, graph);
    return;
  }
  const g = ` <${namedNode(graph).value}> .\n`;
  const hex = (x: number) => x.toString(16).padStart(2, '0');
  let seen = 0;
  for (let i = 0; i < parts; i++) {
    const lo = Math.floor((i * 256) / parts);
    const hi = Math.floor(((i + 1) * 256) / parts);
    // the first piece also takes subjects without a string form (quoted triples), so none is lost
    const filter = i === 0 ? `FILTER(!BOUND(?h) || ?h < "${hex(hi)}")` : hi < 256 ? `FILTER(?h >= "${hex(lo)}" && ?h < "${hex(hi)}")` : `FILTER(?h >= "${hex(lo)}")`;
    const triples = store.query(`CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <${graph}> { ?s ?p ?o } BIND(SUBSTR(MD5(STR(?s)), 1, 2) AS ?h) ${filter} }`, {
      results_format: 'application/n-triples',
    }) as string;
    const piece = triples.replace(/ \.\n/g, () => g);
    seen += countLines(piece);
    yield piece;
  }
  if (seen !== total) throw new StoreError(`writing graph <${graph}> in ${parts} pieces gave ${seen} quads, the graph has ${total}`, 'corrupt');
}

/** Write every named graph of the store into `<dataDir>/<dirName>/` (created), each file durably; returns the file list. */
export function writeSnapshot(store: Store, dataDir: string, dirName: string): SnapshotFile[] {
  const dir = join(dataDir, dirName);
  mkdirSync(dir, { recursive: true });
  const files: SnapshotFile[] = [];
  try {
    for (const graph of listGraphs(store)) {
      for (const text of graphPieces(store, graph)) {
        const buf = Buffer.from(text, 'utf8');
        const file = `${String(files.length + 1).padStart(6, '0')}.nq`;
        writeFileDurable(dir, file, buf, true);
        files.push({ file, graph, quads: countLines(text), bytes: buf.length, sha256: createHash('sha256').update(buf).digest('hex') });
      }
    }
    fsyncDir(dir);
  } catch (e) {
    // no manifest names this snapshot yet: a half-written one (full or failing disk) goes at once
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  fsyncDir(dataDir);
  return files;
}

export interface LoadedState {
  lsn: number;
  quads: number;
}

/** Load the snapshot a manifest names into `store`, checking every file against its SHA-256. */
export function loadSnapshot(store: Store, dataDir: string, m: Manifest): void {
  const snapDir = join(dataDir, m.snapshot.dir);
  reserveEngineHeap(HEAP_PER_INPUT_BYTE['n-quads'] * m.snapshot.files.reduce((n, f) => n + f.bytes, 0));
  for (const f of m.snapshot.files) {
    const path = join(snapDir, f.file);
    let buf: Buffer;
    try {
      buf = readFileSync(path);
    } catch (e) {
      throw new StoreError(`snapshot file ${path} (graph <${f.graph}>) cannot be read: ${(e as Error).message}`, 'corrupt');
    }
    const sum = createHash('sha256').update(buf).digest('hex');
    if (sum !== f.sha256 || buf.length !== f.bytes) {
      throw new StoreError(`snapshot file ${path} (graph <${f.graph}>) is damaged: checksum ${sum.slice(0, 12)}…, manifest says ${f.sha256.slice(0, 12)}…`, 'corrupt');
    }
    try {
      store.load(buf, { format: NQ, no_transaction: true });
    } catch (e) {
      throw new StoreError(`snapshot file ${path} (graph <${f.graph}>) does not parse: ${(e as Error).message}`, 'corrupt');
    }
  }
}

/**
 * Load a manifest's snapshot and replay its journals into `store`.
 * @param journalBytes how many bytes of each journal to replay (the verified prefix); undefined = the whole file, which must then be valid.
 */
export function loadState(store: Store, dataDir: string, m: Manifest, journalBytes?: number[]): LoadedState {
  loadSnapshot(store, dataDir, m);
  let lsn = m.snapshot.lsn;
  m.journals.forEach((j, idx) => {
    const path = join(dataDir, j.file);
    let buf: Buffer;
    try {
      buf = readFileSync(path);
    } catch (e) {
      throw new StoreError(`journal ${path} cannot be read: ${(e as Error).message}`, 'corrupt');
    }
    const limit = journalBytes?.[idx];
    if (limit !== undefined) buf = buf.subarray(0, limit);
    if (j.firstLsn !== lsn + 1) throw new StoreError(`journal ${path} starts at transaction ${j.firstLsn}, expected ${lsn + 1}`, 'corrupt');
    const scan = scanJournal(buf, lsn);
    if (scan.validBytes !== buf.length) {
      throw new StoreError(`journal ${path} is damaged at byte ${scan.validBytes}: ${scan.problem}`, 'corrupt');
    }
    for (const r of scan.records) replayRecord(store, dataDir, path, r);
    lsn = scan.lastLsn;
  });
  return { lsn, quads: store.size };
}

/** Apply one journal record to `store` (StoreError 'corrupt' naming the journal and record when it cannot be). */
export function replayRecord(store: Store, dataDir: string, path: string, r: JournalRecord): void {
  try {
    const { ops, meta } = decodeRecordPayload(r.payload);
    const checked = meta ? checkedFromMeta(ops, meta, dataDir) : checkOps(ops);
    try {
      applyOps(store, checked);
    } finally {
      releaseOps(checked);
    }
  } catch (e) {
    throw new StoreError(`journal ${path}: transaction ${r.lsn} (byte ${r.offset}) cannot be replayed: ${(e as Error).message}`, 'corrupt');
  }
}
