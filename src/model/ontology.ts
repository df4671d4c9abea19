/**
 * Our ontology and vocabularies (ontologies/*.ttl) as one graph: loaded once, used to fill the
 * ontology graph of the store and to add the rdf:type triples of referenced terms to a data
 * graph before SHACL validation (so sh:class works without loading every vocabulary).
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Quad } from '../util/rdf.js';
import { parseRdf, df, RDF_TYPE } from '../util/rdf.js';
import { projectPath } from '../util/paths.js';

export interface Ontology {
  quads: Quad[];
  files: string[];
  typesOf(iri: string): string[];
  /** rdf:type triples for every IRI the given quads point to (objects and subjects). */
  typingFor(quads: Iterable<Quad>): Quad[];
}

let cached: Ontology | undefined;
export function loadOntology(): Ontology {
  if (cached) return cached;
  const dir = projectPath('ontologies');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ttl')).sort();
  const quads: Quad[] = [];
  for (const f of files) quads.push(...parseRdf(readFileSync(`${dir}/${f}`, 'utf8'), 'text/turtle'));
  const types = new Map<string, string[]>();
  for (const q of quads) {
    if (q.predicate.equals(RDF_TYPE) && q.subject.termType === 'NamedNode') {
      const l = types.get(q.subject.value);
      if (l) l.push(q.object.value); else types.set(q.subject.value, [q.object.value]);
    }
  }
  cached = {
    quads, files,
    typesOf: (iri) => types.get(iri) ?? [],
    typingFor(data) {
      const seen = new Set<string>();
      const out: Quad[] = [];
      for (const q of data) {
        for (const t of [q.object, q.subject]) {
          if (t.termType !== 'NamedNode' || seen.has(t.value)) continue;
          seen.add(t.value);
          for (const ty of types.get(t.value) ?? []) out.push(df.quad(t, RDF_TYPE, df.namedNode(ty)));
        }
      }
      return out;
    },
  };
  return cached;
}
