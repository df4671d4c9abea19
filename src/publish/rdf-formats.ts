/** Serialise a graph (quads) as Turtle, N-Triples, N-Quads, JSON-LD (compacted with our context) or RDF/XML. */
import N3 from 'n3';
import jsonld from 'jsonld';
import oxigraph from 'oxigraph';
import type { Quad } from '../util/rdf.js';
import { df, toNQuads } from '../util/rdf.js';
import { NS } from '../model/namespaces.js';
import { localContext, documentLoader } from '../model/parse-input.js';
import { escapeMarkup } from '../util/markup-escape.js';

export const RDF_MEDIA_TYPES = ['text/turtle', 'application/n-triples', 'application/ld+json', 'application/rdf+xml', 'application/n-quads', 'application/trig'];

const PREFIXES: Record<string, string> = Object.fromEntries(Object.entries(NS).filter(([k]) => !['orcid', 'ror', 'doi'].includes(k)));

export async function serializeGraph(quads: Quad[], mediaType: string): Promise<string> {
  const triples = quads.map((q) => df.quad(q.subject, q.predicate, q.object));
  switch (mediaType) {
    case 'text/turtle': return writeN3(triples, 'Turtle');
    case 'application/trig': return writeN3(quads, 'TriG');
    case 'application/n-triples': return toNQuads(triples);
    case 'application/n-quads': return toNQuads(quads);
    case 'application/ld+json': return JSON.stringify(await toJsonLd(triples), null, 2);
    case 'application/rdf+xml': return rdfXml(triples);
    default: throw new Error(`cannot serialise RDF as ${mediaType}`);
  }
}

/**
 * RDF/XML by oxigraph. Its store keeps a literal's value, not its datatype, for the datatypes it
 * computes with (xsd:nonNegativeInteger comes back as xsd:integer, "1.50"^^xsd:decimal as "1.5"),
 * so every typed literal goes through it under a stand-in datatype that it keeps verbatim, and gets
 * its own datatype back in the document.
 */
const STAND_IN = 'urn:x-syndb-datatype:';
function rdfXml(triples: Quad[]): string {
  const kept = triples.map((q) => {
    const o = q.object;
    if (o.termType !== 'Literal' || o.language || o.datatype.value === `${NS.xsd}string`) return q;
    return df.quad(q.subject, q.predicate, df.literal(o.value, df.namedNode(STAND_IN + encodeURIComponent(o.datatype.value))));
  });
  const s = new oxigraph.Store();
  s.load(toNQuads(kept), { format: 'application/n-triples' });
  return s.dump({ format: 'application/rdf+xml', from_graph_name: oxigraph.defaultGraph() })
    .replace(/rdf:datatype="urn:x-syndb-datatype:([^"]*)"/g, (_m, dt: string) => `rdf:datatype="${escapeMarkup(decodeURIComponent(dt))}"`);
}

function writeN3(quads: Quad[], format: 'Turtle' | 'TriG'): Promise<string> {
  const used = Object.fromEntries(Object.entries(PREFIXES).filter(([, ns]) => quads.some((q) => [q.subject, q.predicate, q.object].some((t) => t.termType === 'NamedNode' && t.value.startsWith(ns)))));
  const w = new N3.Writer({ format, prefixes: used });
  w.addQuads(sortQuads(quads));
  return new Promise((resolve, reject) => w.end((err, out) => (err ? reject(err) : resolve(out))));
}

/** Subjects first in the order they appear, so the dataset node leads. */
function sortQuads(quads: Quad[]): Quad[] {
  return [...quads];
}

export async function toJsonLd(triples: Quad[]): Promise<object> {
  const expanded = await jsonld.fromRDF(toNQuads(triples), { format: 'application/n-quads', useNativeTypes: false });
  return jsonld.compact(expanded, localContext() as jsonld.ContextDefinition, { documentLoader: documentLoader as never, compactArrays: true });
}
