/**
 * Replace blank nodes by stable IRIs (RDF 1.1 §3.5 skolemisation). Labels come from RDF
 * Dataset Canonicalization (RDFC-1.0), so isomorphic inputs give identical stored triples.
 */
import canonize from 'rdf-canonize';
import type { Quad, Term } from '../util/rdf.js';
import { df } from '../util/rdf.js';

export function genidPrefix(graphIri: string) {
  return `${graphIri}/.well-known/genid/`;
}

export async function skolemize(quads: Quad[], graphIri: string): Promise<Quad[]> {
  if (!quads.some((q) => q.subject.termType === 'BlankNode' || q.object.termType === 'BlankNode')) return quads;
  const map = new Map<string, string>();
  // rdf-canonize reads RDF/JS-shaped quads; canonicalIdMap maps input labels to c14n labels.
  await canonize.canonize(quads as never, { algorithm: 'RDFC-1.0', canonicalIdMap: map, maxWorkFactor: 2 } as never);
  const prefix = genidPrefix(graphIri);
  const sk = (t: Term): Term => {
    if (t.termType !== 'BlankNode') return t;
    const c = map.get(t.value) ?? map.get(`_:${t.value}`);
    if (!c) throw new Error(`canonicalisation gave no label for blank node ${t.value}`);
    return df.namedNode(prefix + c.replace(/^_:/, ''));
  };
  return quads.map((q) => df.quad(sk(q.subject) as Quad['subject'], q.predicate, sk(q.object) as Quad['object'], q.graph));
}
