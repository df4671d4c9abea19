/** Checking WriteOps for the remote store (the same rules and messages as the embedded store). */
import { namedNode, parse, type Quad, type Term } from 'oxigraph';
import { StoreError } from '../graph-store.js';

export type CheckedOp = { op: 'clear'; graph: string } | { op: 'add' | 'delete'; quads: Quad[] };

/** Throws StoreError(code) unless `value` is an absolute IRI. */
export function checkIri(value: unknown, where: string, code: 'bad-input' | 'bad-query' = 'bad-input'): string {
  if (typeof value !== 'string' || value === '') throw new StoreError(`${where}: "graph" must be a non-empty absolute IRI string, got ${JSON.stringify(value)}`, code);
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value)) throw new StoreError(`${where}: graph ${JSON.stringify(value)} is not an absolute IRI (expected a scheme such as https:)`, code);
  if (/[<>"{}|^`\\\s]/.test(value)) throw new StoreError(`${where}: graph ${JSON.stringify(value)} is not a valid IRI (it contains a space or one of <>"{}|^\`\\)`, code);
  try {
    namedNode(value);
  } catch (e) {
    throw new StoreError(`${where}: graph ${JSON.stringify(value)} is not a valid IRI: ${(e as Error).message}`, code);
  }
  return value;
}

function hasBlank(t: Term): boolean {
  if (t.termType === 'BlankNode') return true;
  if (t.termType === 'Quad') return hasBlank(t.subject) || hasBlank(t.object);
  return false;
}

const show = (q: Quad) => {
  const s = q.toString();
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
};

/** Parse and check every op; StoreError 'bad-input' names the op, the quad and the problem. */
export function checkOps(ops: unknown): CheckedOp[] {
  if (!Array.isArray(ops)) throw new StoreError(`transact() expects an array of write ops, got ${typeof ops}`, 'bad-input');
  return ops.map((raw, i): CheckedOp => {
    const where = `op #${i + 1}`;
    if (typeof raw !== 'object' || raw === null) throw new StoreError(`${where}: expected an object {op, ...}, got ${JSON.stringify(raw)}`, 'bad-input');
    const op = raw as Record<string, unknown>;
    if (op.op === 'clear') return { op: 'clear', graph: checkIri(op.graph, `${where} (clear)`) };
    if (op.op !== 'add' && op.op !== 'delete') throw new StoreError(`${where}: unknown op ${JSON.stringify(op.op)} (expected "clear", "add" or "delete")`, 'bad-input');
    if (typeof op.nquads !== 'string') throw new StoreError(`${where} (${op.op}): "nquads" must be a string of N-Quads, got ${typeof op.nquads}`, 'bad-input');
    let quads: Quad[];
    try {
      quads = parse(op.nquads, { format: 'application/n-quads' });
    } catch (e) {
      throw new StoreError(`${where} (${op.op}): invalid N-Quads: ${(e as Error).message}`, 'bad-input');
    }
    quads.forEach((q, j) => {
      if (hasBlank(q.subject) || hasBlank(q.object) || q.graph.termType === 'BlankNode') {
        throw new StoreError(`${where} (${op.op}): quad ${j + 1} ${show(q)} contains a blank node; blank nodes are never stored, skolemise them to IRIs first`, 'bad-input');
      }
      if (q.graph.termType !== 'NamedNode') {
        throw new StoreError(`${where} (${op.op}): quad ${j + 1} ${show(q)} is in the default graph; every quad must name its graph (4th term)`, 'bad-input');
      }
      if (q.subject.termType === 'Quad' || q.object.termType === 'Quad') {
        throw new StoreError(`${where} (${op.op}): quad ${j + 1} ${show(q)} uses an RDF-star quoted triple, which SPARQL 1.1 servers cannot store`, 'bad-input');
      }
    });
    return { op: op.op, quads };
  });
}
