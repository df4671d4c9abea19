/**
 * SPARQL 1.1 Service Description (sd:) of /sparql, with VoID statistics of the public graphs
 * (what an anonymous caller can query). Served on GET /sparql without a query.
 */
import type { ServiceContext } from '../service/context.js';
import { ANONYMOUS, type Caller } from '../model/caller.js';
import { df, iri, lit, typed, RDF_TYPE, type Quad } from '../util/rdf.js';
import { serializeGraph } from '../publish/rdf-formats.js';
import { sparqlQueries } from '../service/sparql-query.js';

export const SD_MEDIA_TYPES = ['text/turtle', 'application/ld+json', 'application/n-triples', 'application/rdf+xml'];

const SD = 'http://www.w3.org/ns/sparql-service-description#';
const VOID = 'http://rdfs.org/ns/void#';
const FORMATS = 'http://www.w3.org/ns/formats/';
const RESULT_FORMATS = ['SPARQL_Results_JSON', 'SPARQL_Results_XML', 'SPARQL_Results_CSV', 'SPARQL_Results_TSV', 'Turtle', 'N-Triples', 'JSON-LD', 'RDF_XML', 'TriG', 'N-Quads'];
const INPUT_FORMATS = ['Turtle', 'N-Triples', 'JSON-LD', 'RDF_XML'];

export async function serviceDescriptionQuads(ctx: ServiceContext, endpoint: string, _caller: Caller = ANONYMOUS): Promise<Quad[]> {
  const q: Quad[] = [];
  const add = (s: Quad['subject'], p: string, o: Quad['object']) => q.push(df.quad(s, iri(p), o));
  const S = df.blankNode('service');
  add(S, RDF_TYPE.value, iri(`${SD}Service`));
  add(S, `${SD}endpoint`, iri(endpoint));
  add(S, `${SD}supportedLanguage`, iri(`${SD}SPARQL11Query`));
  add(S, `${SD}supportedLanguage`, iri(`${SD}SPARQL11Update`));
  for (const f of RESULT_FORMATS) add(S, `${SD}resultFormat`, iri(FORMATS + f));
  for (const f of INPUT_FORMATS) add(S, `${SD}inputFormat`, iri(FORMATS + f));
  add(S, `${SD}feature`, iri(`${SD}UnionDefaultGraph`));
  add(S, `${SD}defaultEntailmentRegime`, iri('http://www.w3.org/ns/entailment/Simple'));
  add(S, 'http://www.w3.org/2000/01/rdf-schema#comment', lit('SynDB Graph SPARQL 1.1 endpoint. The default graph is the union of the ontology, the latest published version of every dataset the caller may read (metadata and compartment tables) and their provenance; every version is a named graph. Private and embargoed datasets are invisible to callers who may not read them. SERVICE is not available. Updates need a bearer token and are validated with SHACL. Statistics describe the public graphs.', 'en'));
  const stats = await sparqlQueries(ctx).publicStats();
  const DS = df.blankNode('dataset');
  add(S, `${SD}defaultDataset`, DS);
  add(DS, RDF_TYPE.value, iri(`${SD}Dataset`));
  add(DS, RDF_TYPE.value, iri(`${VOID}Dataset`));
  add(DS, `${VOID}sparqlEndpoint`, iri(endpoint));
  const DG = df.blankNode('defaultGraph');
  add(DS, `${SD}defaultGraph`, DG);
  add(DG, RDF_TYPE.value, iri(`${SD}Graph`));
  add(DG, RDF_TYPE.value, iri(`${VOID}Dataset`));
  add(DG, `${VOID}triples`, typed(stats.dflt.triples, 'integer'));
  add(DG, `${VOID}distinctSubjects`, typed(stats.dflt.subjects, 'integer'));
  add(DG, `${VOID}properties`, typed(stats.dflt.properties, 'integer'));
  add(DG, `${VOID}classes`, typed(stats.dflt.classes, 'integer'));
  let i = 0;
  for (const [g, n] of [...stats.graphs].sort((a, b) => a[0].localeCompare(b[0]))) {
    const NG = df.blankNode(`ng${i}`), G = df.blankNode(`g${i++}`);
    add(DS, `${SD}namedGraph`, NG);
    add(NG, RDF_TYPE.value, iri(`${SD}NamedGraph`));
    add(NG, `${SD}name`, iri(g));
    add(NG, `${SD}graph`, G);
    add(G, RDF_TYPE.value, iri(`${SD}Graph`));
    add(G, RDF_TYPE.value, iri(`${VOID}Dataset`));
    add(G, `${VOID}triples`, typed(n, 'integer'));
  }
  return q;
}

export async function serviceDescription(ctx: ServiceContext, endpoint: string, caller: Caller, mediaType: string): Promise<string> {
  const quads = await serviceDescriptionQuads(ctx, endpoint, caller);
  if (mediaType === 'application/ld+json') {
    const jsonld = (await import('jsonld')).default;
    const { toNQuads } = await import('../util/rdf.js');
    const expanded = await jsonld.fromRDF(toNQuads(quads), { format: 'application/n-quads' });
    const doc = await jsonld.compact(expanded, { sd: SD, void: VOID, formats: FORMATS, rdfs: 'http://www.w3.org/2000/01/rdf-schema#', xsd: 'http://www.w3.org/2001/XMLSchema#' } as never);
    return JSON.stringify(doc, null, 2);
  }
  if (mediaType === 'text/turtle') {
    const N3 = (await import('n3')).default;
    const w = new N3.Writer({ format: 'Turtle', prefixes: { sd: SD, void: VOID, formats: FORMATS, rdfs: 'http://www.w3.org/2000/01/rdf-schema#', xsd: 'http://www.w3.org/2001/XMLSchema#' } });
    w.addQuads(quads);
    return new Promise((res, rej) => w.end((e, out) => (e ? rej(e) : res(out))));
  }
  return serializeGraph(quads, mediaType);
}
