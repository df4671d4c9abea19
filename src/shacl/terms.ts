/** RDF terms of shapes and results: the SHACL and RDF names used, term keys and CURIEs, RDF lists of the shapes graph (N-Triples forms: util/nt-term.ts). */
import { Store, DataFactory } from 'n3';
import type { Quad, Term } from '@rdfjs/types';
import { NS, compactIri } from '../model/namespaces.js';

export const namedNode = DataFactory.namedNode;

export const SH = NS.sh;

export const RDF_TYPE = `${NS.rdf}type`;

export const RDF_FIRST = `${NS.rdf}first`;

export const RDF_REST = `${NS.rdf}rest`;

export const RDF_NIL = `${NS.rdf}nil`;

export function termKey(t: Term): string {
  return t.termType === 'BlankNode' ? `_:${t.value}` : t.value;
}

/** Objects of (s, p) in the shapes graph. */
export function objects(store: Store, s: Term, p: string): Term[] {
  return store.getObjects(s as Quad['subject'], namedNode(p), null);
}

export function rdfList(store: Store, head: Term): Term[] | undefined {
  const items: Term[] = [];
  let node = head;
  const seen = new Set<string>();
  while (!(node.termType === 'NamedNode' && node.value === RDF_NIL)) {
    if (seen.has(node.value)) return undefined;
    seen.add(node.value);
    const first = objects(store, node, RDF_FIRST);
    const rest = objects(store, node, RDF_REST);
    if (first.length !== 1 || rest.length !== 1) return undefined;
    items.push(first[0]);
    node = rest[0];
  }
  return items;
}

/** A CURIE for an IRI if a known prefix fits, else `<iri>`. */
export function curie(iri: string): string {
  const c = compactIri(iri);
  return c === iri ? `<${iri}>` : c;
}
