/**
 * Worker thread owning one in-memory oxigraph Store (a full replica). Messages are handled
 * one at a time in arrival order, so a query sees every write posted before it.
 */
import { parentPort } from 'node:worker_threads';
import { renameSync, openSync, writeSync, fsyncSync, closeSync, rmSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Store, namedNode } from 'oxigraph';
import { StoreError, type WriteOp } from '../graph-store.js';
import type { Manifest } from './files.js';
import { fsyncDir } from './files.js';
import { ReplicaPoisonedError, WriteOpError, applyOps, checkOps, checkedFromMeta, opMeta, releaseOps, type OpMeta } from './ops.js';
import { dumpGraph, graphPieces, listGraphs, loadState, writeSnapshot } from './snapshot.js';
import type { QueryKind } from '../query-forms.js';

export type WorkerRequest =
  | { type: 'init'; dataDir: string; manifest: Manifest | undefined; journalBytes: number[] }
  | { type: 'validate'; txid: number; ops: WriteOp[] }
  /** Check and apply a transaction before it is journaled (bulk loads: applying is the check); answers OpMeta[]. */
  | { type: 'validateApply'; txid: number; lsn: number; ops: WriteOp[] }
  | { type: 'apply'; txid: number; lsn: number; ops: WriteOp[]; meta?: OpMeta[] }
  | {
      type: 'query';
      sparql: string;
      kind: QueryKind | undefined;
      mediaType: string;
      defaultGraph?: string[];
      namedGraphs?: string[];
      baseIri?: string;
      maxBytes: number;
      timeoutMs?: number;
    }
  | { type: 'dumpGraph'; graph: string }
  | { type: 'graphs' }
  | { type: 'stats' }
  | { type: 'snapshot'; dataDir: string; dirName: string; expectLsn: number }
  | { type: 'backup'; file: string };

export type WorkerError = { message: string; name: string; code?: string };

const port = parentPort;
if (!port) throw new Error('store-worker must run in a worker thread');

let store = new Store();
let lsn = 0;
let dataDir: string | undefined;
/** Set when a write failed half-way without undo: this replica answers nothing more and is replaced. */
let poisoned: string | undefined;

/**
 * A fault of the WebAssembly engine itself (a trap: out-of-bounds access, `unreachable` after a Rust
 * panic, stack exhaustion; or the borrow errors a trap leaves behind). After one the engine's memory
 * cannot be trusted: this replica answers nothing more and is rebuilt.
 */
export function isEngineTrap(e: unknown): boolean {
  if (e instanceof Error && e.name === 'RuntimeError') return true; // WebAssembly.RuntimeError
  const m = e instanceof Error ? e.message : '';
  if (e instanceof RangeError && /call stack|Memory|memory/.test(m)) return true;
  return /memory access out of bounds|^unreachable|recursive use of an object|already (mutably )?borrowed/.test(m);
}

function runQuery(msg: Extract<WorkerRequest, { type: 'query' }>): { body: string; kind: QueryKind; contentType: string } {
  const opts: {
    base_iri?: string;
    results_format: string;
    default_graph: ReturnType<typeof namedNode>[];
    named_graphs?: ReturnType<typeof namedNode>[];
  } = {
    results_format: msg.mediaType,
    default_graph: (msg.defaultGraph ?? []).map((g) => namedNode(g)),
  };
  if (msg.namedGraphs) opts.named_graphs = msg.namedGraphs.map((g) => namedNode(g));
  if (msg.baseIri) opts.base_iri = msg.baseIri;
  let kind = msg.kind;
  let body: string;
  try {
    body = store.query(msg.sparql, opts) as string;
  } catch (e) {
    if (isEngineTrap(e)) throw e;
    const m = (e as Error).message;
    if (kind === undefined && /Not supported RDF format/.test(m)) {
      kind = 'graph';
      opts.results_format = 'application/n-triples';
      try {
        body = store.query(msg.sparql, opts) as string;
      } catch (e2) {
        if (isEngineTrap(e2)) throw e2;
        throw new StoreError((e2 as Error).message, 'bad-query');
      }
    } else throw new StoreError(m, 'bad-query');
  }
  if (kind === undefined) kind = /^\s*\{\s*"head"\s*:\s*\{\s*\}\s*,\s*"boolean"/.test(body) ? 'boolean' : 'bindings';
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > msg.maxBytes) {
    throw new StoreError(`query result of ${bytes} bytes exceeds the limit of ${msg.maxBytes} bytes; add LIMIT or narrow the query`, 'too-large');
  }
  return { body, kind, contentType: opts.results_format };
}

function writeDurable(file: string, pieces: Iterable<Buffer>): void {
  const tmp = join(dirname(file), `.${basename(file)}.tmp-${process.pid}`);
  const fd = openSync(tmp, 'w');
  try {
    try {
      for (const data of pieces) {
        let off = 0;
        while (off < data.length) off += writeSync(fd, data, off, data.length - off);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true }); // a full disk keeps no half-written backup
    throw e;
  }
  fsyncDir(dirname(file));
}

function handle(msg: WorkerRequest): unknown {
  switch (msg.type) {
    case 'init': {
      store = new Store();
      dataDir = msg.dataDir;
      if (msg.manifest) {
        const r = loadState(store, msg.dataDir, msg.manifest, msg.journalBytes);
        lsn = r.lsn;
      }
      return { lsn, quads: store.size };
    }
    case 'validate': {
      const checked = checkOps(msg.ops);
      releaseOps(checked);
      return opMeta(checked);
    }
    case 'validateApply': {
      if (msg.lsn !== lsn + 1) throw new StoreError(`replica out of order: asked to apply transaction ${msg.lsn}, at ${lsn}`, 'corrupt');
      const checked = checkOps(msg.ops);
      try {
        applyOps(store, checked);
        lsn = msg.lsn;
        return opMeta(checked);
      } finally {
        releaseOps(checked);
      }
    }
    case 'apply': {
      if (msg.lsn <= lsn) return { skipped: true, lsn }; // already part of the state this worker loaded
      if (msg.lsn !== lsn + 1) throw new StoreError(`replica out of order: got transaction ${msg.lsn}, at ${lsn}`, 'corrupt');
      const checked = msg.meta ? checkedFromMeta(msg.ops, msg.meta, dataDir) : checkOps(msg.ops);
      try {
        applyOps(store, checked);
      } finally {
        releaseOps(checked);
      }
      lsn = msg.lsn;
      return { lsn };
    }
    case 'query':
      return runQuery(msg);
    case 'dumpGraph':
      return dumpGraph(store, msg.graph);
    case 'graphs':
      return listGraphs(store);
    case 'stats':
      return { quads: store.size, graphs: listGraphs(store).length, lsn };
    case 'snapshot': {
      if (lsn !== msg.expectLsn) throw new StoreError(`snapshot requested at transaction ${msg.expectLsn} but the replica is at ${lsn}`, 'corrupt');
      return writeSnapshot(store, msg.dataDir, msg.dirName);
    }
    case 'backup': {
      // written piece by piece (a large graph does not fit one string); gzip as one member per piece
      const gz = msg.file.endsWith('.gz');
      let bytes = 0;
      writeDurable(msg.file, (function* () {
        for (const g of listGraphs(store)) {
          for (const text of graphPieces(store, g)) {
            const data = gz ? gzipSync(Buffer.from(text, 'utf8')) : Buffer.from(text, 'utf8');
            bytes += data.length;
            yield data;
          }
        }
      })());
      return { quads: store.size, bytes };
    }
  }
}

port.on('message', (m: { id: number; req: WorkerRequest }) => {
  if (poisoned) {
    port.postMessage({ id: m.id, error: { name: 'ReplicaPoisoned', message: poisoned } satisfies WorkerError });
    return;
  }
  try {
    port.postMessage({ id: m.id, ok: handle(m.req) });
  } catch (e) {
    if (isEngineTrap(e)) {
      poisoned = `the query engine of this replica failed earlier (${(e as Error).message})`;
      port.postMessage({ id: m.id, error: { name: 'EngineTrap', message: (e as Error).message } satisfies WorkerError });
      return;
    }
    if (e instanceof ReplicaPoisonedError) poisoned = e.message;
    const err = e as Error & { code?: string };
    const out: WorkerError = {
      message: e instanceof ReplicaPoisonedError && e.input ? e.input : (err?.message ?? String(e)),
      name: e instanceof WriteOpError ? 'WriteOpError' : e instanceof StoreError ? 'StoreError' : e instanceof ReplicaPoisonedError ? 'ReplicaPoisoned' : (err?.name ?? 'Error'),
      code: e instanceof StoreError ? e.code : e instanceof ReplicaPoisonedError && e.input ? (e.code ?? 'bad-input') : undefined,
    };
    port.postMessage({ id: m.id, error: out });
  }
});
