/**
 * The publication view of one dataset (concept or version), read from our graph at request time
 * (docs/graph-model.md): the input of the schema.org, DCAT, DataCite, signposting, sitemap and
 * OAI-PMH serialisers. Nothing here is stored; everything is derived from the version graph,
 * the ontology graph (labels, table columns) and the provenance graph (dates, activities).
 */
import type { GraphStore } from '../store/graph-store.js';
import type { Quad } from '../util/rdf.js';
import { parseRdf, sparqlIri } from '../util/rdf.js';
import { NS, compactIri } from '../model/namespaces.js';
import type { Iris } from '../model/iris.js';
import type { Catalog, DatasetEntry } from '../model/catalog.js';
import { datasetDois, type DatasetDois } from './dois.js';

export interface Term { iri: string; label: string; lang?: string; notation?: string }

export interface Affiliation { iri: string; name: string; ror?: string }
export interface Creator {
  iri: string;
  type: 'Person' | 'Organization';
  name: string;
  givenName?: string;
  familyName?: string;
  orcid?: string;
  ror?: string;
  affiliations: Affiliation[];
}

export interface Publication { iri: string; doi?: string; title?: string; year?: string; relation: 'IsSupplementTo' | 'References' }

export interface Column { notation: string; property: string; label?: string; description?: string; unit?: string; compartment: string }

export interface Download { iri: string; title: string; url: string; mediaType: string; compartment?: string }

export interface VersionSummary { n: number; iri: string; title: string; description: string; issued?: string }

export interface DatasetMetadata {
  id: string;
  /** The IRI (= landing page URL) being described: the concept or a version (or the draft, to its writers). */
  iri: string;
  conceptIri: string;
  /** The version IRI whose graph the facts come from (the draft IRI for an unpublished dataset). */
  sourceIri: string;
  isConcept: boolean;
  version?: number;
  latestVersion?: number;
  /** Published, not withdrawn versions. */
  versions: number[];
  previousVersion?: number;
  title: string;
  description: string;
  creators: Creator[];
  license?: Term;
  keywords: string[];
  tags: string[];
  species?: Term;
  brainRegion?: Term;
  method?: Term;
  compartments: Term[];
  columns: Column[];
  publications: Publication[];
  derivedFrom: string[];
  identifiers: string[];
  /** The DOI of the page: the dataset's own (syndb:doi) or the one registered for this concept or version at DataCite. */
  doi?: string;
  /** The DOIs registered for the dataset that resolve (src/publish/dois.ts): the concept's and each version's. */
  dois: DatasetDois;
  /** ISO dateTime of the version's publication (dcterms:issued). */
  issued?: string;
  /** ISO dateTime of the last change visible on the landing page (provenance). */
  modified?: string;
  /** ISO dateTime of the dataset's first publication (version 1). */
  firstIssued?: string;
  versionNotes?: string;
  accessRights: string;
  isPublic: boolean;
  embargoEnd?: string;
  /** The PROV-O activity that generated the described version. */
  activity?: string;
  /** Materialisation timestamps of source tables (temporal coverage where known). */
  sourceTimes: string[];
  /** Every published, live version: title, description, issue date (for version links). */
  versionSummaries: VersionSummary[];
  /** Compartment tables present in the store for this version. */
  tables: string[];
  publisher: string;
  base: string;
}

const P = {
  type: NS.rdf + 'type',
  title: NS.dcterms + 'title', description: NS.dcterms + 'description', license: NS.dcterms + 'license',
  creator: NS.dcterms + 'creator', identifier: NS.dcterms + 'identifier', issued: NS.dcterms + 'issued',
  isReferencedBy: NS.dcterms + 'isReferencedBy', references: NS.dcterms + 'references', accessRights: NS.dcterms + 'accessRights',
  qualifiedAttribution: NS.prov + 'qualifiedAttribution', agent: NS.prov + 'agent', position: NS.schema + 'position',
  name: NS.schema + 'name', givenName: NS.schema + 'givenName', familyName: NS.schema + 'familyName', affiliation: NS.schema + 'affiliation',
  sameAs: NS.owl + 'sameAs', keyword: NS.dcat + 'keyword', tag: NS.syndb + 'tag', species: NS.syndb + 'species', brainRegion: NS.syndb + 'brainRegion',
  method: NS.syndb + 'microscopyMethod', compartment: NS.syndb + 'compartment', derivedFrom: NS.prov + 'wasDerivedFrom', doi: NS.syndb + 'doi',
  versionNotes: NS.adms + 'versionNotes', datePublished: NS.schema + 'datePublished', sourceTable: NS.syndb + 'sourceTable',
  materializationTimestamp: NS.syndb + 'materializationTimestamp', embargo: NS.syndb + 'embargoEndDate',
} as const;

export interface MetadataDeps { store: GraphStore; iris: Iris; catalog: Catalog; publisher: string }

/** Facts of a graph by subject. */
export class GraphView {
  private bySubject = new Map<string, Quad[]>();
  constructor(readonly quads: Quad[]) {
    for (const q of quads) {
      const l = this.bySubject.get(q.subject.value);
      if (l) l.push(q); else this.bySubject.set(q.subject.value, [q]);
    }
  }
  objects(s: string, p: string): Quad['object'][] { return (this.bySubject.get(s) ?? []).filter((q) => q.predicate.value === p).map((q) => q.object); }
  values(s: string, p: string): string[] { return this.objects(s, p).map((o) => o.value); }
  one(s: string, p: string): string | undefined { return this.values(s, p)[0]; }
}

/**
 * Read the metadata of a dataset as shown at `pageIri` (concept or version IRI). `graph` is the
 * graph that holds the facts (latest version, the version asked for, or the draft).
 */
export async function datasetMetadata(d: MetadataDeps, e: DatasetEntry, target: { graph: string; subject: string; version?: number }, pageIri: string, quads?: Quad[]): Promise<DatasetMetadata> {
  const { iris, store, catalog } = d;
  const q = quads ?? parseRdf(await store.dumpGraph(target.graph), 'application/n-quads');
  const g = new GraphView(q);
  const S = target.subject;
  const conceptIri = iris.concept(e.id);
  const versions = e.versions.filter((v) => !e.withdrawn.has(v));
  const creators = g.values(S, P.qualifiedAttribution)
    .map((a) => ({ pos: Number(g.one(a, P.position) ?? 1e9), agent: g.one(a, P.agent) }))
    .filter((x): x is { pos: number; agent: string } => !!x.agent)
    .sort((a, b) => a.pos - b.pos).map((x) => x.agent);
  for (const c of g.values(S, P.creator)) if (!creators.includes(c)) creators.push(c);
  const creator = (a: string): Creator => {
    const types = g.values(a, P.type);
    const isOrg = types.includes(NS.schema + 'Organization') || types.includes(NS.foaf + 'Organization');
    const affiliations = g.values(a, P.affiliation).map((o) => ({ iri: o, name: g.one(o, P.name) ?? compactIri(o), ror: rorOf(o, g.values(o, P.sameAs)) }));
    return {
      iri: a, type: isOrg ? 'Organization' : 'Person', name: g.one(a, P.name) ?? compactIri(a),
      givenName: g.one(a, P.givenName), familyName: g.one(a, P.familyName),
      orcid: a.startsWith(NS.orcid) ? a : g.values(a, P.sameAs).find((x) => x.startsWith(NS.orcid)),
      ror: rorOf(a, g.values(a, P.sameAs)), affiliations,
    };
  };
  const pubs: Publication[] = [];
  for (const [p, relation] of [[P.isReferencedBy, 'IsSupplementTo'], [P.references, 'References']] as const) {
    for (const iri of g.values(S, p)) {
      const doi = g.one(iri, P.identifier) ?? (iri.startsWith(NS.doi) ? decodeURIComponent(iri.slice(NS.doi.length)) : undefined);
      pubs.push({ iri, doi, title: g.one(iri, P.title), year: g.one(iri, P.datePublished)?.slice(0, 4), relation });
    }
  }
  const one = (p: string) => g.one(S, p);
  const termIris = [one(P.species), one(P.brainRegion), one(P.method), one(P.license), ...g.values(S, P.compartment)].filter((x): x is string => !!x);
  const labels = await labelsOf(store, iris, termIris);
  const term = (i: string | undefined): Term | undefined => (i ? { iri: i, label: labels.get(i)?.label ?? compactIri(i), lang: labels.get(i)?.lang, notation: labels.get(i)?.notation } : undefined);
  const versionKey = target.version !== undefined ? String(target.version) : 'draft';
  const tables = e.tables.get(versionKey) ?? [];
  const compartments = g.values(S, P.compartment).map((c) => term(c)!);
  const prov = await provenanceTimes(store, [`${conceptIri}/provenance`]);
  const generatedBy = prov.generatedBy.get(S);
  const modified = datasetModified(prov, iris, e);
  const sourceTimes = [...new Set(g.values(S, P.sourceTable).flatMap((t) => g.values(t, P.materializationTimestamp)))].sort();
  const dois = await datasetDois(store, conceptIri);
  const pageIsConcept = pageIri === conceptIri;
  const doiValue = one(P.doi) ?? (pageIsConcept ? dois.concept : target.version !== undefined && pageIri === iris.version(e.id, target.version) ? dois.versions[target.version] : undefined);
  return {
    id: e.id,
    iri: pageIri,
    conceptIri,
    sourceIri: S,
    isConcept: pageIri === conceptIri,
    version: target.version,
    latestVersion: catalog.latest(e),
    versions,
    previousVersion: target.version !== undefined ? versions.filter((v) => v < target.version!).at(-1) : undefined,
    title: one(P.title) ?? e.title,
    description: one(P.description) ?? '',
    creators: creators.map(creator),
    license: term(one(P.license)),
    keywords: g.values(S, P.keyword),
    tags: g.values(S, P.tag),
    species: term(one(P.species)),
    brainRegion: term(one(P.brainRegion)),
    method: term(one(P.method)),
    compartments,
    columns: await columnsOf(store, iris, compartments.map((c) => c.iri), tables.map((t) => (target.version !== undefined ? iris.table(e.id, target.version, t) : iris.table(e.id, 'draft', t)))),
    publications: pubs,
    derivedFrom: g.values(S, P.derivedFrom),
    identifiers: g.values(S, P.identifier),
    doi: doiValue,
    dois,
    issued: one(P.issued),
    modified: pageIri === conceptIri ? modified ?? one(P.issued) : prov.time.get(generatedBy ?? '') ?? one(P.issued),
    firstIssued: versions.length ? prov.time.get(prov.generatedBy.get(iris.version(e.id, versions[0])) ?? '') : undefined,
    versionNotes: one(P.versionNotes),
    accessRights: one(P.accessRights) ?? NS.ar + 'NON_PUBLIC',
    isPublic: catalog.isPublic(e),
    embargoEnd: e.embargoEnd,
    activity: generatedBy,
    sourceTimes,
    versionSummaries: await versionSummaries(store, iris, e.id, versions),
    tables,
    publisher: d.publisher,
    base: iris.base,
  };
}

async function versionSummaries(store: GraphStore, iris: Iris, id: string, versions: number[]): Promise<VersionSummary[]> {
  if (!versions.length) return [];
  const rows = await store.select(`PREFIX dcterms: <${NS.dcterms}>
    SELECT ?v ?t ?d ?i WHERE { GRAPH ?v { ?v dcterms:title ?t . OPTIONAL { ?v dcterms:description ?d } OPTIONAL { ?v dcterms:issued ?i } } VALUES ?v { ${versions.map((n) => sparqlIri(iris.version(id, n))).join(' ')} } }`);
  const by = new Map(rows.map((r) => [r.v.value, r]));
  return versions.flatMap((n) => {
    const r = by.get(iris.version(id, n));
    return r ? [{ n, iri: r.v.value, title: r.t.value, description: r.d?.value ?? r.t.value, issued: r.i?.value }] : [];
  });
}

function rorOf(iri: string, sameAs: string[]): string | undefined {
  return iri.startsWith(NS.ror) ? iri : sameAs.find((x) => x.startsWith(NS.ror));
}

/** Labels (skos:prefLabel, else rdfs:label; English or plain first) and notations from the ontology graph. */
export async function labelsOf(store: GraphStore, iris: Iris, terms: string[]): Promise<Map<string, { label: string; lang?: string; notation?: string }>> {
  const out = new Map<string, { label: string; lang?: string; notation?: string }>();
  const list = [...new Set(terms)];
  if (!list.length) return out;
  const rows = await store.select(`PREFIX skos: <${NS.skos}> PREFIX rdfs: <${NS.rdfs}>
    SELECT ?t ?l ?kind ?n WHERE { GRAPH <${iris.ontologyGraph}> { VALUES ?t { ${list.map(sparqlIri).join(' ')} }
      { ?t skos:prefLabel ?l BIND(1 AS ?kind) } UNION { ?t rdfs:label ?l BIND(2 AS ?kind) } UNION { ?t skos:notation ?n BIND(3 AS ?kind) } } }
    ORDER BY ?t ?kind ?l ?n`);
  const best = new Map<string, { rank: number; label: string; lang?: string }>();
  for (const r of rows) {
    const t = r.t.value;
    if (r.n) { const o = out.get(t) ?? { label: '' }; if (!o.notation) o.notation = r.n.value; out.set(t, o); continue; }
    const lang = r.l['xml:lang'];
    const rank = Number(r.kind.value) * 10 + (!lang || lang === 'en' ? 0 : 5);
    const b = best.get(t);
    if (!b || rank < b.rank) best.set(t, { rank, label: r.l.value, lang: lang || undefined });
  }
  for (const [t, b] of best) out.set(t, { ...(out.get(t) ?? {}), label: b.label, lang: b.lang });
  for (const [t, o] of out) if (!o.label) out.set(t, { ...o, label: compactIri(t) });
  return out;
}

/**
 * The table columns (datatype properties with a SynDB column name) of the given compartments:
 * the columns actually used in the stored tables, or, for a dataset without uploaded tables,
 * the columns the ontology defines for those compartments.
 */
export async function columnsOf(store: GraphStore, iris: Iris, compartments: string[], tableGraphs: string[]): Promise<Column[]> {
  if (!compartments.length) return [];
  let used: Set<string> | undefined;
  if (tableGraphs.length) {
    const rows = await store.select(`SELECT DISTINCT ?p WHERE { GRAPH ?g { ?r ?p ?o } VALUES ?g { ${tableGraphs.map(sparqlIri).join(' ')} } }`);
    used = new Set(rows.map((r) => r.p.value));
  }
  const rows = await store.select(`PREFIX skos: <${NS.skos}> PREFIX rdfs: <${NS.rdfs}> PREFIX owl: <${NS.owl}> PREFIX rdf: <${NS.rdf}> PREFIX syndb: <${NS.syndb}>
    SELECT ?c ?p ?n ?l ?cm ?u WHERE { GRAPH <${iris.ontologyGraph}> {
      VALUES ?c { ${compartments.map(sparqlIri).join(' ')} }
      ?c syndb:rowClass ?rc . ?rc rdfs:subClassOf* ?cls .
      ?p a owl:DatatypeProperty ; skos:notation ?n .
      { ?p rdfs:domain ?cls } UNION { ?p rdfs:domain/owl:unionOf/rdf:rest*/rdf:first ?cls }
      OPTIONAL { ?p rdfs:label ?l } OPTIONAL { ?p rdfs:comment ?cm } OPTIONAL { ?p <http://qudt.org/schema/qudt/hasUnit> ?u } } }
    ORDER BY ?p ?n ?c ?l ?cm ?u`);
  const out = new Map<string, Column>();
  for (const r of rows) {
    const p = r.p.value;
    if (used && !used.has(p)) continue;
    if (!out.has(p)) out.set(p, { notation: r.n.value, property: p, label: r.l?.value, description: r.cm?.value, unit: r.u?.value, compartment: r.c.value });
  }
  return [...out.values()].sort((a, b) => a.notation.localeCompare(b.notation));
}

export interface ProvenanceTimes {
  /** activity IRI -> prov:endedAtTime */
  time: Map<string, string>;
  /** entity IRI -> generating activity */
  generatedBy: Map<string, string>;
  /** entity IRI -> activities that generated or invalidated it */
  touchedBy: Map<string, string[]>;
}

/** Activities and their end times from the given provenance graphs (one query). */
export async function provenanceTimes(store: GraphStore, graphs: string[]): Promise<ProvenanceTimes> {
  const out: ProvenanceTimes = { time: new Map(), generatedBy: new Map(), touchedBy: new Map() };
  if (!graphs.length) return out;
  const rows = await store.select(`PREFIX prov: <${NS.prov}>
    SELECT ?a ?t ?e ?kind WHERE { GRAPH ?g { ?a prov:endedAtTime ?t .
      { ?a prov:generated ?e BIND("g" AS ?kind) } UNION { ?a prov:invalidated ?e BIND("i" AS ?kind) } } VALUES ?g { ${graphs.map(sparqlIri).join(' ')} } }`);
  for (const r of rows) {
    out.time.set(r.a.value, r.t.value);
    if (r.kind.value === 'g') out.generatedBy.set(r.e.value, r.a.value);
    out.touchedBy.set(r.e.value, [...(out.touchedBy.get(r.e.value) ?? []), r.a.value]);
  }
  return out;
}

/** Last change of what a dataset's public landing pages show: publications and withdrawals of versions. */
export function datasetModified(prov: ProvenanceTimes, iris: Iris, e: DatasetEntry): string | undefined {
  let best: string | undefined;
  for (const v of e.versions) {
    for (const a of prov.touchedBy.get(iris.version(e.id, v)) ?? []) {
      const t = prov.time.get(a);
      if (t && (!best || Date.parse(t) > Date.parse(best))) best = t;
    }
  }
  return best;
}

/** Datasets a harvester may see: public (or embargo over) with at least one live published version. */
export function publicEntries(catalog: Catalog): DatasetEntry[] {
  return [...catalog.entries.values()].filter((e) => catalog.isPublic(e) && catalog.latest(e) !== undefined).sort((a, b) => a.id.localeCompare(b.id));
}

/** Metadata of the latest version of a public dataset, described at its concept IRI. */
export async function conceptMetadata(d: MetadataDeps, e: DatasetEntry): Promise<DatasetMetadata> {
  const v = d.catalog.latest(e)!;
  const g = d.iris.version(e.id, v);
  return datasetMetadata(d, e, { graph: g, subject: g, version: v }, d.iris.concept(e.id));
}

/** ISO date part (YYYY-MM-DD) of a dateTime. */
export const dateOnly = (t: string | undefined) => (t ? t.slice(0, 10) : undefined);
