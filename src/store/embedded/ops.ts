/**
 * Validation and all-or-nothing application of WriteOps on an in-memory oxigraph Store.
 * Used by the store worker (live writes and journal replay) and by restoreStore().
 */
import { Store, namedNode, parse, type Quad, type Term } from 'oxigraph';
import type { WriteOp } from '../graph-store.js';

/** Thrown for invalid input (bad N-Quads, blank nodes, default-graph quads, bad graph IRI). */
export class WriteOpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WriteOpError';
  }
}

export type ParsedOp =
  | { op: 'clear'; graph: string }
  | { op: 'add' | 'delete'; quads: Quad[]; graphs: string[]; nquads: string };

const NQ = 'application/n-quads';

/** Check that a string is an absolute IRI oxigraph accepts; returns the NamedNode. */
export function checkGraphIri(value: unknown, where: string) {
  if (typeof value !== 'string' || value === '') {
    throw new WriteOpError(`${where}: "graph" must be a non-empty absolute IRI string, got ${JSON.stringify(value)}`);
  }
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value)) {
    throw new WriteOpError(`${where}: graph ${JSON.stringify(value)} is not an absolute IRI (expected a scheme such as https:)`);
  }
  try {
    return namedNode(value);
  } catch (e) {
    throw new WriteOpError(`${where}: graph ${JSON.stringify(value)} is not a valid IRI: ${(e as Error).message}`);
  }
}

function termHasBlank(t: Term): boolean {
  if (t.termType === 'BlankNode') return true;
  if (t.termType === 'Quad') return termHasBlank(t.subject) || termHasBlank(t.object);
  return false;
}

function describeQuad(q: Quad): string {
  const s = q.toString();
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

/** Parse and check every op; throws WriteOpError naming the op, the quad and the problem. Nothing is changed. */
export function parseOps(ops: unknown): ParsedOp[] {
  if (!Array.isArray(ops)) throw new WriteOpError(`transact() expects an array of write ops, got ${typeof ops}`);
  const out: ParsedOp[] = [];
  ops.forEach((raw, i) => {
    const where = `op #${i + 1}`;
    if (typeof raw !== 'object' || raw === null) throw new WriteOpError(`${where}: expected an object {op, ...}, got ${JSON.stringify(raw)}`);
    const op = raw as Record<string, unknown>;
    if (op.op === 'clear') {
      checkGraphIri(op.graph, `${where} (clear)`);
      out.push({ op: 'clear', graph: op.graph as string });
      return;
    }
    if (op.op !== 'add' && op.op !== 'delete') {
      throw new WriteOpError(`${where}: unknown op ${JSON.stringify(op.op)} (expected "clear", "add" or "delete")`);
    }
    if (typeof op.nquads !== 'string') {
      throw new WriteOpError(`${where} (${op.op}): "nquads" must be a string of N-Quads, got ${typeof op.nquads}`);
    }
    let quads: Quad[];
    try {
      quads = parse(op.nquads, { format: NQ });
    } catch (e) {
      throw new WriteOpError(`${where} (${op.op}): invalid N-Quads: ${(e as Error).message}`);
    }
    const graphs = new Set<string>();
    quads.forEach((q, j) => {
      if (termHasBlank(q.subject) || termHasBlank(q.object) || q.graph.termType === 'BlankNode') {
        throw new WriteOpError(
          `${where} (${op.op}): quad ${j + 1} ${describeQuad(q)} contains a blank node; blank nodes are never stored, skolemise them to IRIs first`,
        );
      }
      if (q.graph.termType !== 'NamedNode') {
        throw new WriteOpError(
          `${where} (${op.op}): quad ${j + 1} ${describeQuad(q)} is in the default graph; every quad must name its graph (4th term)`,
        );
      }
      graphs.add(q.graph.value);
    });
    out.push({ op: op.op, quads, graphs: [...graphs], nquads: op.nquads });
  });
  return out;
}

type Undo =
  | { kind: 'readd'; quads: Quad[] }
  | { kind: 'remove'; quads: Quad[] }
  | { kind: 'clear-graphs'; graphs: string[] };

function graphEmptyAsk(store: Store, graph: string): boolean {
  return !(store.query(`ASK { GRAPH <${graph}> { ?s ?p ?o } }`) as boolean);
}

/**
 * Apply parsed ops to the store, all or nothing: if any step throws, every earlier
 * step of this call is undone (in reverse order) before the error is rethrown.
 */
export function applyOps(store: Store, ops: ParsedOp[]): void {
  const undo: Undo[] = [];
  try {
    for (const op of ops) {
      if (op.op === 'clear') {
        const g = namedNode(op.graph);
        const old = store.match(null, null, null, g);
        if (old.length === 0) continue;
        undo.push({ kind: 'readd', quads: old });
        store.update(`CLEAR SILENT GRAPH <${op.graph}>`);
      } else if (op.op === 'delete') {
        const removed: Quad[] = [];
        undo.push({ kind: 'readd', quads: removed });
        for (const q of op.quads) {
          if (store.has(q)) {
            store.delete(q);
            removed.push(q);
          }
        }
      } else {
        // Fast path: every target graph is empty, so every quad is new and the undo is
        // simply clearing those graphs; bulk-load the text (much faster than add()).
        if (op.quads.length > 64 && op.graphs.every((g) => graphEmptyAsk(store, g))) {
          undo.push({ kind: 'clear-graphs', graphs: op.graphs });
          store.load(op.nquads, { format: NQ });
        } else {
          const added: Quad[] = [];
          undo.push({ kind: 'remove', quads: added });
          for (const q of op.quads) {
            if (!store.has(q)) {
              store.add(q);
              added.push(q);
            }
          }
        }
      }
    }
  } catch (e) {
    for (let i = undo.length - 1; i >= 0; i--) {
      const u = undo[i];
      if (u.kind === 'readd') for (const q of u.quads) store.add(q);
      else if (u.kind === 'remove') for (const q of u.quads) store.delete(q);
      else for (const g of u.graphs) store.update(`CLEAR SILENT GRAPH <${g}>`);
    }
    throw e;
  }
}
