/**
 * Checking WriteOps for the remote store (the same rules and messages as the embedded store).
 * Parsed with n3 (plain JavaScript): per-term calls into oxigraph's WebAssembly cost ~30 µs each,
 * which made a 100,000-quad write spend half a minute here before a byte reached the server.
 */
import { namedNode } from 'oxigraph';
import { Parser, type Quad, type Term } from 'n3';
import { StoreError } from '../graph-store.js';
import { ntTerm } from '../../util/nt-term.js';

export type CheckedOp =
  | { op: 'clear'; graph: string }
  | { op: 'add' | 'delete'; quads: Quad[] }
  | { op: 'copy'; from: string; to: string; rewrite?: [string, string] };

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
  const x = t as unknown as { termType: string; subject?: Term; object?: Term };
  if (x.termType === 'Quad') return hasBlank(x.subject!) || hasBlank(x.object!);
  return false;
}

const show = (q: Quad) => {
  const s = `${ntTerm(q.subject)} ${ntTerm(q.predicate)} ${ntTerm(q.object)} ${ntTerm(q.graph)}`;
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
    if (op.op === 'copy') {
      const from = checkIri(op.from, `${where} (copy, "from")`), to = checkIri(op.to, `${where} (copy, "to")`);
      if (from === to) throw new StoreError(`${where} (copy): "from" and "to" are the same graph ${from}`, 'bad-input');
      if (op.rewrite === undefined) return { op: 'copy', from, to };
      if (!Array.isArray(op.rewrite) || op.rewrite.length !== 2) throw new StoreError(`${where} (copy): "rewrite" must be a pair [fromIri, toIri], got ${JSON.stringify(op.rewrite)}`, 'bad-input');
      return { op: 'copy', from, to, rewrite: [checkIri(op.rewrite[0], `${where} (copy, rewrite[0])`), checkIri(op.rewrite[1], `${where} (copy, rewrite[1])`)] };
    }
    if (op.op !== 'add' && op.op !== 'delete') throw new StoreError(`${where}: unknown op ${JSON.stringify(op.op)} (expected "clear", "add", "delete" or "copy")`, 'bad-input');
    if (typeof op.nquads !== 'string') throw new StoreError(`${where} (${op.op}): "nquads" must be a string of N-Quads, got ${typeof op.nquads}`, 'bad-input');
    let quads: Quad[];
    try {
      quads = new Parser({ format: 'N-Quads' }).parse(op.nquads);
    } catch (e) {
      throw new StoreError(`${where} (${op.op}): invalid N-Quads: ${(e as Error).message}`, 'bad-input');
    }
    quads.forEach((q, j) => {
      if (hasBlank(q.subject as Term) || hasBlank(q.object as Term) || q.graph.termType === 'BlankNode') {
        throw new StoreError(`${where} (${op.op}): quad ${j + 1} ${show(q)} contains a blank node; blank nodes are never stored, skolemise them to IRIs first`, 'bad-input');
      }
      if (q.graph.termType !== 'NamedNode') {
        throw new StoreError(`${where} (${op.op}): quad ${j + 1} ${show(q)} is in the default graph; every quad must name its graph (4th term)`, 'bad-input');
      }
      if ((q.subject.termType as string) === 'Quad' || (q.object.termType as string) === 'Quad') {
        throw new StoreError(`${where} (${op.op}): quad ${j + 1} ${show(q)} uses an RDF-star quoted triple, which SPARQL 1.1 servers cannot store`, 'bad-input');
      }
    });
    return { op: op.op, quads };
  });
}
