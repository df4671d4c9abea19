/**
 * The SynDB JSON-LD context (ontologies/context.jsonld) from the ontology: the prefixes of its
 * sh:declare, every SynDB class and property under its local name (value types from
 * owl:ObjectProperty / rdfs:range), and the terms of other vocabularies it annotates with
 * syndb:jsonldTerm. syndb:jsonldSet / syndb:jsonldEmbedded / syndb:jsonldType refine a term.
 */
import type { Term } from '@rdfjs/types';
import { Graph, OWL, RDF, RDFS, SH, SYNDB, XSD } from './rdf-source.js';

type TermDefinition = string | { '@id': string; '@type'?: string; '@container'?: string; '@prefix'?: true };

export function jsonldContext(ontology: Graph): { '@context': Record<string, unknown> } {
  const ontologyIri = ontology.subjectsOfType(OWL + 'Ontology')[0]!;
  const prefixes = ontology.objects(ontologyIri, SH + 'declare').map((d) => ({ prefix: ontology.literal(d, SH + 'prefix')!, ns: ontology.literal(d, SH + 'namespace')! }));
  const compact = (iri: string) => {
    const p = prefixes.find((x) => iri.startsWith(x.ns) && iri.length > x.ns.length);
    return p ? `${p.prefix}:${iri.slice(p.ns.length)}` : iri;
  };
  const ctx: Record<string, unknown> = { '@version': 1.1 };
  for (const { prefix, ns } of prefixes) ctx[prefix] = { '@id': ns, '@prefix': true };

  const define = (t: Term, name: string, type: string | undefined) => {
    if (name in ctx) throw new Error(`JSON-LD term "${name}" is defined twice (${t.value})`);
    const set = ontology.flag(t, SYNDB + 'jsonldSet');
    const def: TermDefinition = type || set ? { '@id': compact(t.value), ...(type ? { '@type': type } : {}), ...(set ? { '@container': '@set' } : {}) } : { '@id': compact(t.value) };
    ctx[name] = def;
  };
  const seen = new Set<string>();
  const own = (types: string[]) => ontology.quads.filter((q) => q.predicate.value === RDF + 'type' && types.includes(q.object.value) && q.subject.value.startsWith(SYNDB))
    .map((q) => q.subject).filter((s) => !seen.has(s.value) && seen.add(s.value));
  // classes as plain strings, as a context usually writes them
  for (const c of own([OWL + 'Class'])) ctx[ontology.literal(c, SYNDB + 'jsonldTerm') ?? c.value.slice(SYNDB.length)] = compact(c.value);
  for (const p of own([OWL + 'ObjectProperty', OWL + 'DatatypeProperty', OWL + 'AnnotationProperty'])) {
    const name = ontology.literal(p, SYNDB + 'jsonldTerm') ?? p.value.slice(SYNDB.length);
    const range = ontology.one(p, RDFS + 'range');
    // an object property, or an annotation property with a class as range, has IRIs as values
    const isObject = ontology.objects(p, RDF + 'type').some((t) => t.value === OWL + 'ObjectProperty') || (range !== undefined && !range.value.startsWith(XSD));
    let type: string | undefined;
    if (range?.termType === 'NamedNode' && range.value.startsWith(XSD)) type = range.value === XSD + 'string' ? undefined : compact(range.value);
    else if (isObject) type = ontology.flag(p, SYNDB + 'jsonldEmbedded') ? undefined : '@id';
    define(p, name, type);
  }
  // terms of other vocabularies, in the order the ontology lists them
  for (const q of ontology.quads) {
    if (q.predicate.value !== SYNDB + 'jsonldTerm' || q.subject.value.startsWith(SYNDB)) continue;
    const t = ontology.one(q.subject, SYNDB + 'jsonldType');
    define(q.subject, q.object.value, t === undefined ? undefined : t.termType === 'Literal' ? t.value : compact(t.value));
  }
  return { '@context': ctx };
}
