/**
 * The ontology and the shapes as the generators read them: every file parsed on its own (blank
 * nodes stay apart), quads kept in file order so that generated artefacts follow the sources.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import N3 from 'n3';
import type { Quad, Term } from '@rdfjs/types';

export const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
export const RDFS = 'http://www.w3.org/2000/01/rdf-schema#';
export const OWL = 'http://www.w3.org/2002/07/owl#';
export const SH = 'http://www.w3.org/ns/shacl#';
export const XSD = 'http://www.w3.org/2001/XMLSchema#';
export const SYNDB = 'https://w3id.org/syndb/ontology#';

/** An ordered, read-only graph with the few look-ups the generators need. */
export class Graph {
  constructor(readonly quads: readonly Quad[]) {}
  objects(s: Term, p: string): Term[] {
    return this.quads.filter((q) => q.subject.equals(s) && q.predicate.value === p).map((q) => q.object);
  }
  one(s: Term, p: string): Term | undefined { return this.objects(s, p)[0]; }
  literal(s: Term, p: string): string | undefined {
    const o = this.one(s, p);
    return o?.termType === 'Literal' ? o.value : undefined;
  }
  flag(s: Term, p: string): boolean { return this.literal(s, p) === 'true'; }
  subjectsOfType(type: string): Term[] {
    return this.quads.filter((q) => q.predicate.value === RDF + 'type' && q.object.value === type).map((q) => q.subject);
  }
  /** The members of an RDF list. */
  list(head: Term | undefined): Term[] {
    const out: Term[] = [];
    for (let n = head; n && n.value !== RDF + 'nil'; n = this.one(n, RDF + 'rest')) {
      const first = this.one(n, RDF + 'first');
      if (first) out.push(first);
    }
    return out;
  }
}

const parseTurtle = (file: string): Quad[] => new N3.Parser({ format: 'text/turtle' }).parse(readFileSync(file, 'utf8')) as Quad[];

export const loadOntology = (root: string) => new Graph(parseTurtle(join(root, 'ontologies', 'syndb.ttl')));

export function loadShapes(root: string): Graph {
  const dir = join(root, 'shapes');
  return new Graph(readdirSync(dir).filter((f) => f.endsWith('.ttl')).sort().flatMap((f) => parseTurtle(join(dir, f))));
}
