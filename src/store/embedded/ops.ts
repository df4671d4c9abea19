/**
 * Validation and all-or-nothing application of WriteOps on an in-memory oxigraph Store.
 * Used by the store worker (live writes and journal replay).
 *
 * Performance notes (oxigraph 0.5, wasm): Store.load of N-Quads text is the fast path; every
 * per-quad call from JS (has/add/delete) costs tens of µs, so bulk adds never go quad by quad.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { Store, namedNode, parse, type Quad, type Term } from 'oxigraph';
import { StoreError } from '../graph-store.js';
import { copyUpdate } from '../copy-update.js';
import { HEAP_PER_INPUT_BYTE, reserveEngineHeap } from './engine-memory.js';

/** Thrown for invalid input (bad N-Quads, blank nodes, default-graph quads, bad graph IRI). */
export class WriteOpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WriteOpError';
  }
}

/**
 * Applying failed after a step that cannot be undone cheaply: the in-memory replica must be
 * discarded (and rebuilt from the data directory) and must not answer any further request.
 */
export class ReplicaPoisonedError extends Error {
  /** @param input the message of the bad-input error that caused it, if one did (the caller is told that) */
  constructor(message: string, readonly input?: string, readonly code?: 'bad-input' | 'too-large') {
    super(message);
    this.name = 'ReplicaPoisoned';
  }
}

/** Ops with every quad parsed into JS objects (used by the remote store to plan its updates). */
export type ParsedOp =
  | { op: 'clear'; graph: string }
  | { op: 'add' | 'delete'; quads: Quad[]; graphs: string[]; nquads: string };

/** Checked ops as the embedded store applies them: adds stay text (bulk-loaded), deletes are parsed. */
export type CheckedOp =
  | { op: 'clear'; graph: string }
  | { op: 'add'; nquads: string; graphs: string[]; size: number }
  | { op: 'delete'; quads: Quad[] }
  /**
   * Bulk load of an N-Triples file into `graph`. `expect` set = the file was validated when its
   * transaction committed (journal replay, other replicas): its hash and size must match, and it is
   * parsed leniently (its syntax was checked then). After applyOps, `sha256` / `bytes` are set.
   */
  | { op: 'load'; graph: string; path: string; expect?: { sha256: string; bytes: number }; wantSha256?: string; sha256?: string; bytes?: number }
  | { op: 'copy'; from: string; to: string; rewrite?: [string, string] };

const NT = 'application/n-triples';
/** Read size for bulk-load files (the parser gets the file in pieces, never as one string). */
const LOAD_PIECE = 8 * 1024 * 1024;

const NQ = 'application/n-quads';
/** Adds into non-empty graphs up to this many quads keep an exact undo log (has() per quad). */
const EXACT_UNDO_MAX = 2000;

/** Check that a string is an absolute IRI oxigraph accepts. */
export function checkGraphIri(value: unknown, where: string): void {
  if (typeof value !== 'string' || value === '') {
    throw new WriteOpError(`${where}: "graph" must be a non-empty absolute IRI string, got ${JSON.stringify(value)}`);
  }
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value)) {
    throw new WriteOpError(`${where}: graph ${JSON.stringify(value)} is not an absolute IRI (expected a scheme such as https:)`);
  }
  try {
    freeAll([namedNode(value)]);
  } catch (e) {
    throw new WriteOpError(`${where}: graph ${JSON.stringify(value)} is not a valid IRI: ${(e as Error).message}`);
  }
}

type Freeable = { free?: () => void };
/** Release the wasm memory behind oxigraph JS objects now (instead of at some later GC). */
export function freeAll(items: Iterable<unknown>): void {
  for (const x of items) (x as Freeable).free?.();
}

function termHasBlank(t: Term): boolean {
  if (t.termType === 'BlankNode') return true;
  if (t.termType !== 'Quad') return false;
  const s = t.subject;
  const o = t.object;
  try {
    return termHasBlank(s) || termHasBlank(o);
  } finally {
    freeAll([s, o]);
  }
}

function describeQuad(q: Quad): string {
  const s = q.toString();
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

/** Parse N-Quads into JS quads, checking each: no blank node, no default graph. */
function parseChecked(text: string, where: string): Quad[] {
  let quads: Quad[];
  try {
    quads = parse(text, { format: NQ });
  } catch (e) {
    throw new WriteOpError(`${where}: invalid N-Quads: ${(e as Error).message}`);
  }
  quads.forEach((q, j) => {
    const s = q.subject;
    const o = q.object;
    const g = q.graph;
    try {
      if (termHasBlank(s) || termHasBlank(o) || g.termType === 'BlankNode') {
        throw new WriteOpError(`${where}: quad ${j + 1} ${describeQuad(q)} contains a blank node; blank nodes are never stored, skolemise them to IRIs first`);
      }
      if (g.termType !== 'NamedNode') {
        throw new WriteOpError(`${where}: quad ${j + 1} ${describeQuad(q)} is in the default graph; every quad must name its graph (4th term)`);
      }
    } catch (e) {
      freeAll(quads);
      throw e;
    } finally {
      freeAll([s, o, g]);
    }
  });
  return quads;
}

/** Validate an 'add' text without materialising JS quads: load into a scratch store and ask it. */
function checkAdd(text: string, where: string): { graphs: string[]; size: number } {
  if (text.includes('_:')) freeAll(parseChecked(text, where)); // precise report of a blank node (if it is one)
  const t = new Store();
  try {
    try {
      t.load(text, { format: NQ });
    } catch (e) {
      throw new WriteOpError(`${where}: invalid N-Quads: ${(e as Error).message}`);
    }
    const inDefault = t.query('SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 1') as Map<string, Term>[];
    if (inDefault.length) {
      const b = inDefault[0];
      throw new WriteOpError(`${where}: quad ${b.get('s')} ${b.get('p')} ${b.get('o')} is in the default graph; every quad must name its graph (4th term)`);
    }
    const rows = t.query('SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }') as Map<string, Term>[];
    const graphs = rows.map((r) => r.get('g')!.value);
    return { graphs, size: t.size };
  } finally {
    freeAll([t]);
  }
}

/** Check every op (for applyOps); throws WriteOpError naming the op, the quad and the problem. Nothing is changed. */
export function checkOps(ops: unknown): CheckedOp[] {
  if (!Array.isArray(ops)) throw new WriteOpError(`transact() expects an array of write ops, got ${typeof ops}`);
  const out: CheckedOp[] = [];
  try {
    ops.forEach((raw, i) => {
      const where = `op #${i + 1}`;
      if (typeof raw !== 'object' || raw === null) throw new WriteOpError(`${where}: expected an object {op, ...}, got ${JSON.stringify(raw)}`);
      const op = raw as Record<string, unknown>;
      if (op.op === 'clear') {
        checkGraphIri(op.graph, `${where} (clear)`);
        out.push({ op: 'clear', graph: op.graph as string });
        return;
      }
      if (op.op === 'load' || op.op === 'copy') {
        out.push(checkBulkOp(op, where));
        return;
      }
      if (op.op !== 'add' && op.op !== 'delete') {
        throw new WriteOpError(`${where}: unknown op ${JSON.stringify(op.op)} (expected "clear", "add", "delete", "load" or "copy")`);
      }
      if (typeof op.nquads !== 'string') {
        throw new WriteOpError(`${where} (${op.op}): "nquads" must be a string of N-Quads, got ${typeof op.nquads}`);
      }
      if (op.op === 'add') out.push({ op: 'add', nquads: op.nquads, ...checkAdd(op.nquads, `${where} (add)`) });
      else out.push({ op: 'delete', quads: parseChecked(op.nquads, `${where} (delete)`) });
    });
  } catch (e) {
    releaseOps(out);
    throw e;
  }
  return out;
}

/** Check a 'load' or 'copy' op (its fields only; a load's file is read when it is applied). */
export function checkBulkOp(op: Record<string, unknown>, where: string, dataDir?: string): CheckedOp {
  if (op.op === 'load') {
    checkGraphIri(op.graph, `${where} (load)`);
    if (typeof op.file !== 'string' || op.file === '') throw new WriteOpError(`${where} (load): "file" must be the path of an N-Triples file, got ${JSON.stringify(op.file)}`);
    if (!isAbsolute(op.file) && !dataDir) throw new WriteOpError(`${where} (load): "file" must be an absolute path, got ${JSON.stringify(op.file)}`);
    if (op.sha256 !== undefined && (typeof op.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(op.sha256))) {
      throw new WriteOpError(`${where} (load): "sha256" must be 64 lower-case hex digits, got ${JSON.stringify(op.sha256)}`);
    }
    const path = isAbsolute(op.file) ? op.file : join(dataDir!, op.file);
    return { op: 'load', graph: op.graph as string, path, wantSha256: op.sha256 as string | undefined };
  }
  checkGraphIri(op.from, `${where} (copy from)`);
  checkGraphIri(op.to, `${where} (copy to)`);
  if (op.from === op.to) throw new WriteOpError(`${where} (copy): "from" and "to" are the same graph <${op.from as string}>`);
  let rewrite: [string, string] | undefined;
  if (op.rewrite !== undefined) {
    if (!Array.isArray(op.rewrite) || op.rewrite.length !== 2) throw new WriteOpError(`${where} (copy): "rewrite" must be a pair [fromIri, toIri], got ${JSON.stringify(op.rewrite)}`);
    checkGraphIri(op.rewrite[0], `${where} (copy rewrite[0])`);
    checkGraphIri(op.rewrite[1], `${where} (copy rewrite[1])`);
    rewrite = [op.rewrite[0] as string, op.rewrite[1] as string];
  }
  return { op: 'copy', from: op.from as string, to: op.to as string, ...(rewrite ? { rewrite } : {}) };
}

/** SHA-256 (hex) and size of a file, read in pieces. */
export function hashFile(path: string): { sha256: string; bytes: number } {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(LOAD_PIECE);
  let bytes = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
      bytes += n;
    }
  } finally {
    closeSync(fd);
  }
  return { sha256: h.digest('hex'), bytes };
}

function* filePieces(path: string): Generator<Uint8Array> {
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(LOAD_PIECE);
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) return;
      yield n === buf.length ? buf : buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

function fileMentionsBlank(path: string): boolean {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(LOAD_PIECE + 1);
  let carry = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, carry, LOAD_PIECE, null);
      if (n === 0) return false;
      const view = buf.subarray(0, carry + n);
      if (view.includes('_:')) return true;
      buf[0] = view[view.length - 1];
      carry = 1;
    }
  } finally {
    closeSync(fd);
  }
}

/** Apply a load op (see CheckedOp). Throws WriteOpError (new file) or StoreError 'corrupt' (a committed file that changed). */
function applyLoad(store: Store, op: Extract<CheckedOp, { op: 'load' }>): void {
  let st: { size: number; isFile(): boolean };
  try {
    st = statSync(op.path);
  } catch (e) {
    const m = `bulk-load file ${op.path} cannot be read: ${(e as Error).message}`;
    throw op.expect ? new StoreError(m, 'corrupt') : new WriteOpError(m);
  }
  if (!st.isFile()) throw new WriteOpError(`bulk-load file ${op.path} is not a regular file`);
  const sum = hashFile(op.path);
  if (op.expect && (sum.sha256 !== op.expect.sha256 || sum.bytes !== op.expect.bytes)) {
    throw new StoreError(`bulk-load file ${op.path} is damaged: ${sum.bytes} bytes with SHA-256 ${sum.sha256.slice(0, 12)}…, the journal says ${op.expect.bytes} bytes, ${op.expect.sha256.slice(0, 12)}…`, 'corrupt');
  }
  if (op.wantSha256 && sum.sha256 !== op.wantSha256) {
    throw new WriteOpError(`bulk-load file ${op.path} has SHA-256 ${sum.sha256}, the op says ${op.wantSha256}`);
  }
  const g = namedNode(op.graph);
  reserveEngineHeap(HEAP_PER_INPUT_BYTE['n-triples'] * st.size);
  try {
    // an empty target graph is undone by clearing it, so the load needs no transaction of its own
    store.load(filePieces(op.path), { format: NT, to_graph_name: g, no_transaction: true, lenient: !!op.expect });
  } catch (e) {
    const msg = (e as Error).message;
    if ((e as Error).name === 'RuntimeError' || /^(unreachable|memory access out of bounds)/.test(msg) || e instanceof RangeError) {
      // the WebAssembly heap of oxigraph (at most 4 GB per replica) is full: not the file's fault, and this replica is unusable
      const m = `the store ran out of memory while loading ${op.path} (${store.size} quads held; oxigraph's WebAssembly heap holds at most 4 GB per replica): the data is too large for the embedded store (${msg})`;
      throw new ReplicaPoisonedError(m, m, 'too-large');
    }
    const m = `bulk-load file ${op.path} is not valid N-Triples: ${msg}`;
    throw op.expect ? new StoreError(m, 'corrupt') : new WriteOpError(m);
  } finally {
    freeAll([g]);
  }
  if (!op.expect && fileMentionsBlank(op.path)) {
    const b = store.query(`SELECT ?s ?p ?o WHERE { GRAPH <${op.graph}> { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) } } LIMIT 1`) as Map<string, Term>[];
    if (b.length) throw new WriteOpError(`bulk-load file ${op.path}: triple ${b[0].get('s')} ${b[0].get('p')} ${b[0].get('o')} contains a blank node; blank nodes are never stored, skolemise them to IRIs first`);
  }
  op.sha256 = sum.sha256;
  op.bytes = sum.bytes;
}

/**
 * Parse and check every op into JS quads; throws WriteOpError naming the op, the quad and the problem.
 * (The embedded store itself uses checkOps(), which avoids materialising the quads of adds.)
 */
export function parseOps(ops: unknown): ParsedOp[] {
  if (!Array.isArray(ops)) throw new WriteOpError(`transact() expects an array of write ops, got ${typeof ops}`);
  return ops.map((raw, i): ParsedOp => {
    const where = `op #${i + 1}`;
    if (typeof raw !== 'object' || raw === null) throw new WriteOpError(`${where}: expected an object {op, ...}, got ${JSON.stringify(raw)}`);
    const op = raw as Record<string, unknown>;
    if (op.op === 'clear') {
      checkGraphIri(op.graph, `${where} (clear)`);
      return { op: 'clear', graph: op.graph as string };
    }
    if (op.op === 'load' || op.op === 'copy') throw new WriteOpError(`${where}: the "${op.op}" op is only for the embedded store`);
    if (op.op !== 'add' && op.op !== 'delete') {
      throw new WriteOpError(`${where}: unknown op ${JSON.stringify(op.op)} (expected "clear", "add" or "delete")`);
    }
    if (typeof op.nquads !== 'string') {
      throw new WriteOpError(`${where} (${op.op}): "nquads" must be a string of N-Quads, got ${typeof op.nquads}`);
    }
    const quads = parseChecked(op.nquads, `${where} (${op.op})`);
    const graphs = [...new Set(quads.map((q) => q.graph.value))];
    return { op: op.op, quads, graphs, nquads: op.nquads };
  });
}

/** Free the JS quads held by parsed ops. */
export function releaseOps(ops: CheckedOp[]): void {
  for (const op of ops) if (op.op === 'delete') freeAll(op.quads);
}

type Undo =
  | { kind: 'readd'; quads: Quad[]; owned: boolean }
  | { kind: 'remove'; quads: Quad[] }
  | { kind: 'clear-graphs'; graphs: string[] }
  | { kind: 'none'; what: string };

function graphEmpty(store: Store, graph: string): boolean {
  return !(store.query(`ASK { GRAPH <${graph}> { ?s ?p ?o } }`) as boolean);
}

/**
 * Apply parsed ops to the store, all or nothing: if a step throws, the earlier steps of this call
 * are undone in reverse order and the error is rethrown. A large add into a non-empty graph has no
 * cheap undo; if a later step fails after one, ReplicaPoisonedError says the replica must be rebuilt.
 */
export function applyOps(store: Store, ops: CheckedOp[]): void {
  const undo: Undo[] = [];
  try {
    for (const op of ops) {
      if (op.op === 'load' || op.op === 'copy') {
        // into an empty graph: undone by clearing it. Into a non-empty graph the step itself is atomic
        // (a transaction of oxigraph) but has no cheap undo once done.
        // A load runs without a transaction (much faster): into a non-empty graph, a failure half-way
        // leaves the replica to be rebuilt from the data directory (nothing was journaled yet).
        const target = op.op === 'load' ? op.graph : op.to;
        const empty = graphEmpty(store, target);
        if (empty) undo.push({ kind: 'clear-graphs', graphs: [target] });
        else if (op.op === 'load') undo.push({ kind: 'none', what: `loading ${op.path} into the non-empty graph <${target}>` });
        if (op.op === 'load') applyLoad(store, op);
        else store.update(copyUpdate(op));
        if (!empty && op.op === 'copy') undo.push({ kind: 'none', what: `copying <${op.from}> into the non-empty graph <${target}>` });
      } else if (op.op === 'clear') {
        const g = namedNode(op.graph);
        const old = store.match(null, null, null, g);
        freeAll([g]);
        if (old.length === 0) continue;
        undo.push({ kind: 'readd', quads: old, owned: true });
        store.update(`CLEAR SILENT GRAPH <${op.graph}>`);
      } else if (op.op === 'delete') {
        const removed: Quad[] = [];
        undo.push({ kind: 'readd', quads: removed, owned: false });
        for (const q of op.quads) {
          if (store.has(q)) {
            store.delete(q);
            removed.push(q);
          }
        }
      } else if (op.graphs.every((g) => graphEmpty(store, g))) {
        // every quad is new: undo = clear those graphs again
        undo.push({ kind: 'clear-graphs', graphs: op.graphs });
        store.load(op.nquads, { format: NQ });
      } else if (op.size <= EXACT_UNDO_MAX) {
        const quads = parse(op.nquads, { format: NQ });
        const added: Quad[] = [];
        const u: Undo = { kind: 'remove', quads: added };
        undo.push(u);
        try {
          for (const q of quads) {
            if (!store.has(q)) {
              store.add(q);
              added.push(q);
            }
          }
        } finally {
          const kept = new Set(added);
          freeAll(quads.filter((q) => !kept.has(q)));
        }
      } else {
        undo.push({ kind: 'none', what: `adding ${op.size} quads to non-empty graphs` });
        store.load(op.nquads, { format: NQ });
      }
    }
  } catch (e) {
    if (e instanceof ReplicaPoisonedError) throw e;
    const blocker = undo.find((u) => u.kind === 'none');
    if (blocker) throw new ReplicaPoisonedError(`applying a transaction failed (${(e as Error).message}) after ${blocker.kind === 'none' ? blocker.what : ''}; this replica must be rebuilt`, e instanceof WriteOpError ? e.message : undefined);
    for (let i = undo.length - 1; i >= 0; i--) {
      const u = undo[i];
      if (u.kind === 'readd') for (const q of u.quads) store.add(q);
      else if (u.kind === 'remove') for (const q of u.quads) store.delete(q);
      else if (u.kind === 'clear-graphs') for (const g of u.graphs) store.update(`CLEAR SILENT GRAPH <${g}>`);
    }
    throw e;
  } finally {
    for (const u of undo) {
      if (u.kind === 'readd' && u.owned) freeAll(u.quads);
      if (u.kind === 'remove') freeAll(u.quads);
    }
  }
}

/** What a validating replica learnt about each op, so the other replicas need not check adds again. */
export type OpMeta = { graphs: string[]; size: number } | { sha256: string; bytes: number } | null;

export function opMeta(ops: CheckedOp[]): OpMeta[] {
  return ops.map((o) => (o.op === 'add' ? { graphs: o.graphs, size: o.size } : o.op === 'load' && o.sha256 ? { sha256: o.sha256, bytes: o.bytes! } : null));
}

/**
 * Rebuild CheckedOps from raw ops already validated elsewhere (adds take the given metadata;
 * deletes are parsed again because they are applied quad by quad).
 */
export function checkedFromMeta(ops: unknown, meta: OpMeta[], dataDir?: string): CheckedOp[] {
  if (!Array.isArray(ops) || ops.length !== meta.length) return checkOps(ops);
  const out: CheckedOp[] = [];
  try {
    ops.forEach((raw, i) => {
      const op = raw as { op: string; graph?: string; nquads?: string };
      const m = meta[i];
      if (op.op === 'add' && m && 'graphs' in m && typeof op.nquads === 'string') out.push({ op: 'add', nquads: op.nquads, graphs: m.graphs, size: m.size });
      else if (op.op === 'load') {
        if (!m || !('sha256' in m)) throw new StoreError(`op #${i + 1} (load) has no recorded checksum`, 'corrupt');
        const c = checkBulkOp(raw as Record<string, unknown>, `op #${i + 1}`, dataDir);
        out.push({ ...(c as Extract<CheckedOp, { op: 'load' }>), expect: { sha256: m.sha256, bytes: m.bytes } });
      } else if (op.op === 'copy') out.push(checkBulkOp(raw as Record<string, unknown>, `op #${i + 1}`));
      else out.push(...checkOps([raw]));
    });
  } catch (e) {
    releaseOps(out);
    throw e;
  }
  return out;
}

/** Validate and apply raw ops (from the journal or a transaction), freeing everything afterwards. */
export function applyRawOps(store: Store, ops: unknown): void {
  const parsed = checkOps(ops);
  try {
    applyOps(store, parsed);
  } finally {
    releaseOps(parsed);
  }
}
