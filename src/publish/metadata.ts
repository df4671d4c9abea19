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

export interface Publication { iri: string; doi?: string; title?: string; year?: string; /** schema:datePublished as stored (value, XSD datatype IRI). */ published?: { value: string; datatype: string }; relation: 'IsSupplementTo' | 'References' }

export interface Column { notation: string; property: string; label?: string; description?: string; unit?: string; compartment: string }

export interface Download { iri: string; title: string; url: string; mediaType: string; compartment?: string; description?: string; /** The request names the version: the URL always gives these bytes. */ pinned?: boolean; byteSize?: number; sha256?: string }

/** A table's CSV as served (the uploaded file, byte for byte): its size and SHA-256. */
export interface TableFile { bytes: number; sha256: string }

export interface ActivityRecord { iri: string; agent: string; started: string; ended: string; generated: string }

export interface VersionSummary {
  n: number; iri: string; title: string; description: string; issued?: string;
  /** What the version record says of itself (its own graph): keywords, tags, subject terms, coverage, tables. */
  keywords: string[]; tags: string[]; species?: Term; brainRegion?: Term; method?: Term; compartments: Term[]; license?: Term;
  sourceTimes: string[]; tables: string[]; tableFiles: Record<string, TableFile>;
}

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
  /** That activity's own statements (who, when, what it generated), so a description that types it prov:Activity describes it in full (shapes/provenance.ttl). */
  activityRecord?: ActivityRecord;
  /** Materialisation timestamps of source tables (temporal coverage where known). */
  sourceTimes: string[];
  /** Every published, live version: title, description, issue date (for version links). */
  versionSummaries: VersionSummary[];
  /** Compartment tables present in the store for this version. */
  tables: string[];
  /** Size and checksum of each table's CSV, where it is served as uploaded. */
  tableFiles: Record<string, TableFile>;
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
      const date = g.objects(iri, P.datePublished).find((o) => o.termType === 'Literal');
      pubs.push({ iri, doi, title: g.one(iri, P.title), year: date?.value.slice(0, 4), published: date && { value: date.value, datatype: date.datatype.value }, relation });
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
    activityRecord: generatedBy ? await activityRecord(store, `${conceptIri}/provenance`, generatedBy, S) : undefined,
    sourceTimes,
    versionSummaries: await versionSummaries(store, iris, e, versions),
    tables,
    tableFiles: target.version !== undefined ? (await tableFilesOf(store, iris, e.id, [[target.version, tables]])).get(target.version) ?? {} : {},
    publisher: d.publisher,
    base: iris.base,
  };
}

async function versionSummaries(store: GraphStore, iris: Iris, e: DatasetEntry, versions: number[]): Promise<VersionSummary[]> {
  if (!versions.length) return [];
  const id = e.id;
  const graphs = versions.map((n) => sparqlIri(iris.version(id, n))).join(' ');
  const rows = await store.select(`PREFIX dcterms: <${NS.dcterms}>
    SELECT ?v ?t ?d ?i WHERE { GRAPH ?v { ?v dcterms:title ?t . OPTIONAL { ?v dcterms:description ?d } OPTIONAL { ?v dcterms:issued ?i } } VALUES ?v { ${graphs} } }`);
  const facets = await store.select(`PREFIX syndb: <${NS.syndb}> PREFIX dcat: <${NS.dcat}>
    SELECT ?v ?p ?o WHERE { GRAPH ?v { { ?v ?p ?o FILTER(?p IN (dcat:keyword, syndb:tag, syndb:species, syndb:brainRegion, syndb:microscopyMethod, syndb:compartment, <${NS.dcterms}license>)) }
      UNION { ?v syndb:sourceTable/syndb:materializationTimestamp ?o BIND(syndb:materializationTimestamp AS ?p) } } VALUES ?v { ${graphs} } }`);
  const labels = await labelsOf(store, iris, facets.filter((r) => r.o.type === 'uri').map((r) => r.o.value));
  const term = (i: string): Term => ({ iri: i, label: labels.get(i)?.label ?? compactIri(i), lang: labels.get(i)?.lang, notation: labels.get(i)?.notation });
  const files = await tableFilesOf(store, iris, id, versions.map((n) => [n, e.tables.get(String(n)) ?? []]));
  const by = new Map(rows.map((r) => [r.v.value, r]));
  return versions.flatMap((n) => {
    const v = iris.version(id, n);
    const r = by.get(v);
    if (!r) return [];
    const of = (p: string) => [...new Set(facets.filter((f) => f.v.value === v && f.p.value === p).map((f) => f.o.value))].sort();
    const one = (p: string) => { const x = of(p)[0]; return x ? term(x) : undefined; };
    return [{
      n, iri: r.v.value, title: r.t.value, description: r.d?.value ?? r.t.value, issued: r.i?.value,
      keywords: of(P.keyword), tags: of(P.tag), species: one(P.species), brainRegion: one(P.brainRegion), method: one(P.method),
      compartments: of(P.compartment).map(term), license: one(P.license), sourceTimes: of(P.materializationTimestamp), tables: e.tables.get(String(n)) ?? [], tableFiles: files.get(n) ?? {},
    }];
  });
}

/**
 * Size and SHA-256 of the CSV of each table of the given versions, where the CSV served is the
 * file as uploaded (its checksum names the stored file); tables rebuilt from triples have none.
 */
export async function tableFilesOf(store: GraphStore, iris: Iris, id: string, versions: Array<[number, string[]]>): Promise<Map<number, Record<string, TableFile>>> {
  const out = new Map<number, Record<string, TableFile>>();
  const graphs = new Map<string, [number, string]>();
  for (const [n, tables] of versions) for (const t of tables) graphs.set(iris.table(id, n, t), [n, t]);
  if (!graphs.size) return out;
  const rows = await store.select(`PREFIX syndb: <${NS.syndb}> PREFIX dcat: <${NS.dcat}> PREFIX spdx: <http://spdx.org/rdf/terms#>
    SELECT ?g ?sha ?bytes ?f WHERE { GRAPH ?g { ?g spdx:checksum/spdx:checksumValue ?sha ; dcat:byteSize ?bytes ; dcat:distribution/syndb:fileName ?f } VALUES ?g { ${[...graphs.keys()].map(sparqlIri).join(' ')} } }`);
  for (const r of rows) {
    if (r.f.value !== `${r.sha.value}.csv`) continue;
    const [n, t] = graphs.get(r.g.value)!;
    out.set(n, { ...(out.get(n) ?? {}), [t]: { bytes: Number(r.bytes.value), sha256: r.sha.value } });
  }
  return out;
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

/** Who carried out an activity and when, from the dataset's provenance graph (undefined if it is not recorded in full). */
export async function activityRecord(store: GraphStore, provGraph: string, activity: string, generated: string): Promise<ActivityRecord | undefined> {
  const rows = await store.select(`PREFIX prov: <${NS.prov}>
    SELECT ?agent ?s ?e WHERE { GRAPH ${sparqlIri(provGraph)} { ${sparqlIri(activity)} prov:wasAssociatedWith ?agent ; prov:startedAtTime ?s ; prov:endedAtTime ?e } } LIMIT 1`);
  const r = rows[0];
  return r ? { iri: activity, agent: r.agent.value, started: r.s.value, ended: r.e.value, generated } : undefined;
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
