/**
 * DCAT-AP 3 descriptions: one dataset (the `dcat` profile of a landing page) and the catalog of
 * the public datasets (/catalog, paged with Hydra). Referenced resources carry the typing the
 * DCAT-AP shapes check (dct:LicenseDocument, dct:RightsStatement, foaf:Agent with foaf:name,
 * skos:Concept with skos:prefLabel, dct:MediaType, ...), so the output validates on its own.
 */
import jsonld from 'jsonld';
import type { Quad } from '../util/rdf.js';
import { df, iri, lit, typed, RDF_TYPE } from '../util/rdf.js';
import { NS } from '../model/namespaces.js';
import type { DatasetMetadata, Download, Term, VersionSummary } from './metadata.js';
import { downloadsOf, offlineLoader, SCHEMES } from './schema-org.js';

export const DCAT_AP_PROFILE = 'http://data.europa.eu/r5r/';
export const DCAT_PROFILE = 'http://www.w3.org/ns/dcat#';
const HYDRA = 'http://www.w3.org/ns/hydra/core#';
const IANA = 'http://www.iana.org/assignments/media-types/';
const FILE_TYPE = 'http://publications.europa.eu/resource/authority/file-type/';
const LANGUAGE = 'http://publications.europa.eu/resource/authority/language/';
const SPDX_TERMS = 'http://spdx.org/rdf/terms#';
const AVAILABILITY = 'http://publications.europa.eu/resource/authority/planned-availability/';
const PUBLISHER_TYPE = 'http://purl.org/adms/publishertype/';
const LICENCE_TYPE = 'http://purl.org/adms/licencetype/';

/** ADMS licence types (dct:type of a dct:LicenseDocument) of the licences of our vocabulary, by SPDX id. */
const LICENCE_TYPES: Record<string, string[]> = {
  'CC0-1.0': ['PublicDomain'], 'CC-BY-4.0': ['Attribution'], 'CC-BY-SA-4.0': ['Attribution', 'ShareAlike'],
  'CC-BY-NC-4.0': ['Attribution', 'NonCommercialUseOnly'], 'CC-BY-NC-SA-4.0': ['Attribution', 'NonCommercialUseOnly', 'ShareAlike'],
  'CC-BY-ND-4.0': ['Attribution', 'NoDerivativeWork'], 'ODbL-1.0': ['Attribution', 'ShareAlike'], 'GPL-3.0-or-later': ['Attribution', 'ShareAlike'],
  'MIT': ['Attribution'], 'BSD-3-Clause': ['Attribution'], 'Apache-2.0': ['Attribution'],
};

const FILE_TYPES: Record<string, string> = {
  'text/csv': 'CSV', 'text/turtle': 'RDF_TURTLE', 'application/n-triples': 'RDF_N_TRIPLES',
  'application/rdf+xml': 'RDF_XML', 'application/ld+json': 'JSON_LD', 'application/sparql-results+json': 'JSON',
};

const N = (ns: keyof typeof NS) => (l: string) => iri(NS[ns] + l);
const dcat = N('dcat'), dct = N('dcterms'), foaf = N('foaf'), vcard = N('vcard'), skos = N('skos'), prov = N('prov'), adms = N('adms'), rdfs = N('rdfs');

/** Collects quads without duplicates. */
export class QuadSet {
  private seen = new Set<string>();
  readonly quads: Quad[] = [];
  add(s: string | Quad['subject'], p: Quad['predicate'], o: Quad['object'] | string) {
    const subj = typeof s === 'string' ? iri(s) : s;
    const obj = typeof o === 'string' ? iri(o) : o;
    const k = `${subj.value}\u0000${p.value}\u0000${obj.termType}\u0000${obj.value}\u0000${obj.termType === 'Literal' ? `${obj.language}|${obj.datatype.value}` : ''}`;
    if (this.seen.has(k)) return;
    this.seen.add(k);
    this.quads.push(df.quad(subj, p, obj));
  }
  type(s: string, ...classes: Quad['object'][]) { for (const c of classes) this.add(s, RDF_TYPE, c); }
}

export interface Publisher { iri: string; name: string; homepage: string }
export const publisherOf = (base: string, name: string): Publisher => ({ iri: `${base}/#publisher`, name, homepage: `${base}/` });

function addPublisher(out: QuadSet, p: Publisher) {
  out.type(p.iri, foaf('Agent'), foaf('Organization'));
  out.add(p.iri, foaf('name'), lit(p.name));
  out.add(p.iri, foaf('homepage'), p.homepage);
  out.type(p.homepage, foaf('Document'));
}

function addContact(out: QuadSet, base: string, name: string): string {
  const c = `${base}/#contact`;
  out.type(c, vcard('Kind'), vcard('Organization'));
  out.add(c, vcard('fn'), lit(name));
  out.add(c, vcard('hasURL'), `${base}/`);
  return c;
}

function addConcept(out: QuadSet, t: Term, scheme: string, schemeTitle: string) {
  out.type(t.iri, skos('Concept'));
  out.add(t.iri, skos('prefLabel'), lit(t.label, t.lang));
  out.add(t.iri, skos('inScheme'), scheme);
  addScheme(out, scheme, schemeTitle);
}

function addScheme(out: QuadSet, scheme: string, title: string) {
  out.type(scheme, skos('ConceptScheme'));
  out.add(scheme, dct('title'), lit(title, 'en'));
}

export const THEME_SCHEMES: Array<[string, string]> = [
  [SCHEMES.species, 'SynDB species'], [SCHEMES.brainRegion, 'SynDB brain regions'],
  [SCHEMES.method, 'SynDB microscopy methods'], [SCHEMES.compartment, 'SynDB compartments'],
];
const schemeTitle = (s: string) => THEME_SCHEMES.find(([x]) => x === s)![1];

function addLicense(out: QuadSet, license: Term) {
  out.type(license.iri, dct('LicenseDocument'));
  const id = license.notation ?? license.iri.replace(/^http:\/\/spdx\.org\/licenses\//, '');
  for (const t of LICENCE_TYPES[id] ?? []) {
    out.add(license.iri, dct('type'), LICENCE_TYPE + t);
    labelledConcept(out, LICENCE_TYPE + t, t.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase());
  }
}

/** One distribution: what, where, in which format, how long it stays (STABLE when the URL names the version), its size and checksum where known. */
function addDistribution(out: QuadSet, D: string, d: Download, license: Term | undefined) {
  out.add(D, dcat('distribution'), d.iri);
  out.type(d.iri, dcat('Distribution'));
  out.add(d.iri, dct('title'), lit(d.title, 'en'));
  if (d.description) out.add(d.iri, dct('description'), lit(d.description, 'en'));
  out.add(d.iri, dcat('accessURL'), d.url);
  out.add(d.iri, dcat('downloadURL'), d.url);
  out.type(d.url, rdfs('Resource'));
  out.add(d.iri, dcat('mediaType'), IANA + d.mediaType);
  out.type(IANA + d.mediaType, dct('MediaType'));
  const ft = FILE_TYPES[d.mediaType];
  if (ft) { out.add(d.iri, dct('format'), FILE_TYPE + ft); out.type(FILE_TYPE + ft, dct('MediaTypeOrExtent')); }
  addAvailability(out, d.iri, d.pinned ? 'STABLE' : 'AVAILABLE');
  if (d.byteSize !== undefined) out.add(d.iri, dcat('byteSize'), typed(d.byteSize, 'nonNegativeInteger'));
  if (d.sha256) {
    const C = `${d.iri}-sha256`;
    out.add(d.iri, iri(SPDX_TERMS + 'checksum'), C);
    out.type(C, iri(SPDX_TERMS + 'Checksum'));
    out.add(C, iri(SPDX_TERMS + 'algorithm'), SPDX_TERMS + 'checksumAlgorithm_sha256');
    out.type(SPDX_TERMS + 'checksumAlgorithm_sha256', iri(SPDX_TERMS + 'ChecksumAlgorithm'));
    out.add(C, iri(SPDX_TERMS + 'checksumValue'), typed(d.sha256, 'hexBinary'));
  }
  if (license) out.add(d.iri, dct('license'), license.iri);
}

function addAvailability(out: QuadSet, s: string, level: 'STABLE' | 'AVAILABLE') {
  out.add(s, iri(`${DCAT_AP_PROFILE}availability`), AVAILABILITY + level);
  labelledConcept(out, AVAILABILITY + level, level === 'STABLE' ? 'stable' : 'available');
}

/** A concept of an authority vocabulary we refer to, with the label the DCAT-AP shapes ask for. */
function labelledConcept(out: QuadSet, c: string, label: string) {
  out.type(c, skos('Concept'));
  out.add(c, skos('prefLabel'), lit(label, 'en'));
}

/** Subject terms and keywords of a dataset or version record (dcat:theme, dcat:keyword). */
function addSubjects(out: QuadSet, D: string, x: Pick<DatasetMetadata, 'keywords' | 'tags' | 'species' | 'brainRegion' | 'method' | 'compartments'>) {
  for (const k of new Set([...x.keywords, ...x.tags])) out.add(D, dcat('keyword'), lit(k));
  for (const [t, scheme] of themesOf(x)) {
    out.add(D, dcat('theme'), t.iri);
    addConcept(out, t, scheme, schemeTitle(scheme));
  }
}

function addTemporal(out: QuadSet, D: string, times: string[]) {
  if (!times.length) return;
  const T = `${D}#temporal`;
  out.add(D, dct('temporal'), T);
  out.type(T, dct('PeriodOfTime'));
  out.add(T, dcat('startDate'), typed(times[0], 'dateTime'));
  out.add(T, dcat('endDate'), typed(times.at(-1)!, 'dateTime'));
}

/** A version record of a concept: described as a dataset of its own (its graph's subjects, tables, coverage). */
function addVersionRecord(out: QuadSet, m: DatasetMetadata, v: VersionSummary, publisher: Publisher) {
  out.type(v.iri, dcat('Dataset'));
  out.add(v.iri, dct('title'), lit(v.title));
  out.add(v.iri, dct('description'), lit(v.description));
  out.add(v.iri, dcat('version'), lit(String(v.n)));
  out.add(v.iri, dct('isVersionOf'), m.iri);
  if (v.issued) out.add(v.iri, dct('issued'), typed(v.issued, 'dateTime'));
  out.add(v.iri, dct('publisher'), publisher.iri);
  out.add(v.iri, dcat('contactPoint'), addContact(out, m.base, m.publisher));
  out.add(v.iri, dcat('landingPage'), v.iri);
  out.type(v.iri, foaf('Document'));
  const license = v.license ?? m.license;
  if (license) { out.add(v.iri, dct('license'), license.iri); addLicense(out, license); }
  addSubjects(out, v.iri, v);
  addTemporal(out, v.iri, v.sourceTimes);
  const view = { ...m, iri: v.iri, isConcept: false, version: v.n, title: v.title, tables: v.tables, tableFiles: v.tableFiles, compartments: v.compartments };
  for (const d of downloadsOf(view)) addDistribution(out, v.iri, d, license);
}

/** The subject terms of a description, with their schemes. */
function themesOf(x: Pick<DatasetMetadata, 'species' | 'brainRegion' | 'method' | 'compartments'>): Array<[Term, string]> {
  const out: Array<[Term, string]> = [];
  for (const [t, scheme] of [[x.species, SCHEMES.species], [x.brainRegion, SCHEMES.brainRegion], [x.method, SCHEMES.method]] as const) if (t) out.push([t, scheme]);
  for (const c of x.compartments) out.push([c, SCHEMES.compartment]);
  return out;
}

function addSparqlService(out: QuadSet, base: string, publisher: Publisher, datasets: DatasetMetadata[]): string {
  const svc = `${base}/sparql#service`;
  out.type(svc, dcat('DataService'));
  out.add(svc, dct('title'), lit('SPARQL 1.1 endpoint', 'en'));
  out.add(svc, dct('description'), lit('SPARQL 1.1 query endpoint over the public datasets; the default graph is the latest published version of every public dataset, the ontology and provenance.', 'en'));
  out.add(svc, dcat('endpointURL'), `${base}/sparql`);
  out.type(`${base}/sparql`, rdfs('Resource'));
  // the SPARQL 1.1 service description, served at the endpoint to a GET without a query
  out.add(svc, dcat('endpointDescription'), `${base}/sparql`);
  for (const k of ['SPARQL', 'connectomics', 'linked data']) out.add(svc, dcat('keyword'), lit(k, 'en'));
  out.add(svc, dct('conformsTo'), 'https://www.w3.org/TR/sparql11-protocol/');
  out.type('https://www.w3.org/TR/sparql11-protocol/', dct('Standard'));
  out.add(svc, dct('publisher'), publisher.iri);
  out.add(svc, dcat('contactPoint'), addContact(out, base, publisher.name));
  for (const d of datasets) out.add(svc, dcat('servesDataset'), d.iri);
  // what the endpoint is about: the subject terms of the datasets it serves
  for (const d of datasets) for (const [t, scheme] of themesOf(d)) { out.add(svc, dcat('theme'), t.iri); addConcept(out, t, scheme, schemeTitle(scheme)); }
  return svc;
}

/** DCAT-AP statements about one dataset page (concept or version). */
export function dcatDataset(m: DatasetMetadata, out = new QuadSet()): QuadSet {
  const D = m.iri;
  const publisher = publisherOf(m.base, m.publisher);
  out.type(D, dcat('Dataset'));
  out.add(D, dct('title'), lit(m.title));
  out.add(D, dct('description'), lit(m.description || m.title));
  out.add(D, dct('identifier'), lit(m.iri));
  if (m.doi) {
    out.add(D, dct('identifier'), lit(`https://doi.org/${m.doi}`));
    const idNode = `${D}#doi`;
    out.add(D, adms('identifier'), idNode);
    out.type(idNode, adms('Identifier'));
    out.add(idNode, skos('notation'), typed(m.doi, 'string'));
    out.add(idNode, adms('schemaAgency'), lit('DataCite'));
  }
  addSubjects(out, D, m);
  for (const c of m.creators) {
    out.add(D, dct('creator'), c.iri);
    // foaf for DCAT-AP; prov:Agent and schema:name as our own creator shape asks (shapes/dataset.ttl)
    out.type(c.iri, foaf('Agent'), c.type === 'Person' ? foaf('Person') : foaf('Organization'), prov('Agent'));
    out.add(c.iri, foaf('name'), lit(c.name));
    out.add(c.iri, iri(NS.schema + 'name'), lit(c.name));
    if (c.type === 'Person') { out.add(c.iri, dct('type'), `${PUBLISHER_TYPE}PrivateIndividual(s)`); labelledConcept(out, `${PUBLISHER_TYPE}PrivateIndividual(s)`, 'private individual(s)'); }
  }
  out.add(D, dct('publisher'), publisher.iri);
  addPublisher(out, publisher);
  out.add(D, dcat('contactPoint'), addContact(out, m.base, m.publisher));
  if (m.license) {
    out.add(D, dct('license'), m.license.iri);
    addLicense(out, m.license);
  }
  out.add(D, dct('accessRights'), m.accessRights);
  out.type(m.accessRights, dct('RightsStatement'));
  out.add(D, dcat('landingPage'), D);
  out.type(D, foaf('Document'));
  const issued = m.isConcept ? m.firstIssued ?? m.issued : m.issued;
  if (issued) out.add(D, dct('issued'), typed(issued, 'dateTime'));
  if (m.modified) out.add(D, dct('modified'), typed(m.modified, 'dateTime'));
  // DCAT-AP wants the activity typed; typed, it carries its own statements (shapes/provenance.ttl)
  if (m.activityRecord) {
    const a = m.activityRecord;
    out.add(D, prov('wasGeneratedBy'), a.iri);
    out.type(a.iri, prov('Activity'));
    out.add(a.iri, prov('wasAssociatedWith'), a.agent);
    out.add(a.iri, prov('startedAtTime'), typed(a.started, 'dateTime'));
    out.add(a.iri, prov('endedAtTime'), typed(a.ended, 'dateTime'));
    out.add(a.iri, prov('generated'), a.generated);
  }
  for (const p of m.publications) {
    out.add(D, p.relation === 'IsSupplementTo' ? dct('isReferencedBy') : dct('relation'), p.iri);
    out.type(p.iri, rdfs('Resource'));
  }
  for (const s of m.derivedFrom) out.add(D, prov('wasDerivedFrom'), s);
  addTemporal(out, D, m.sourceTimes);
  // versions (DCAT 3 versioning)
  if (m.isConcept) {
    for (const v of m.versionSummaries) {
      out.add(D, dcat('hasVersion'), v.iri);
      addVersionRecord(out, m, v, publisher);
    }
    if (m.latestVersion !== undefined) out.add(D, dcat('hasCurrentVersion'), m.versionSummaries.find((v) => v.n === m.latestVersion)?.iri ?? `${D}/versions/${m.latestVersion}`);
  } else if (m.version !== undefined) {
    out.add(D, dcat('version'), lit(String(m.version)));
    out.add(D, dct('isVersionOf'), m.conceptIri);
    if (m.versionNotes) out.add(D, adms('versionNotes'), lit(m.versionNotes));
    if (m.previousVersion !== undefined) out.add(D, dcat('previousVersion'), `${m.conceptIri}/versions/${m.previousVersion}`);
  }
  // distributions
  for (const d of downloadsOf(m)) addDistribution(out, D, d, m.license);
  const sparql = `${D}#sparql`;
  out.add(D, dcat('distribution'), sparql);
  out.type(sparql, dcat('Distribution'));
  out.add(sparql, dct('title'), lit('SPARQL endpoint', 'en'));
  out.add(sparql, dct('description'), lit(`The statements of "${m.title}" queried with SPARQL 1.1, with every other public dataset (the default graph holds the latest published versions).`, 'en'));
  out.add(sparql, dcat('accessURL'), `${m.base}/sparql`);
  out.add(sparql, dct('format'), FILE_TYPE + 'SPARQLQRES');
  out.type(FILE_TYPE + 'SPARQLQRES', dct('MediaTypeOrExtent'));
  addAvailability(out, sparql, 'AVAILABLE');
  out.add(sparql, dcat('accessService'), addSparqlService(out, m.base, publisher, [m]));
  if (m.license) out.add(sparql, dct('license'), m.license.iri);
  return out;
}

export interface CatalogPage {
  page: number;
  pageSize: number;
  total: number;
  /** The first publication of any dataset of the catalog. */
  issued?: string;
  modified?: string;
}

/** The catalog node, its page view (Hydra) and the datasets of this page. */
export function dcatCatalog(base: string, publisherName: string, datasets: DatasetMetadata[], p: CatalogPage): QuadSet {
  const out = new QuadSet();
  const C = `${base}/catalog`;
  const publisher = publisherOf(base, publisherName);
  out.type(C, dcat('Catalog'));
  out.add(C, dct('title'), lit(`${publisherName} catalog`, 'en'));
  out.add(C, dct('description'), lit('Public connectomics datasets of this SynDB Graph service: dense reconstructions, synapse and compartment tables, with their versions, provenance and publications.', 'en'));
  out.add(C, dct('publisher'), publisher.iri);
  addPublisher(out, publisher);
  out.add(C, foaf('homepage'), publisher.homepage);
  out.add(C, dct('language'), LANGUAGE + 'ENG');
  out.type(LANGUAGE + 'ENG', dct('LinguisticSystem'));
  if (p.issued) out.add(C, dct('issued'), typed(p.issued, 'dateTime'));
  if (p.modified) out.add(C, dct('modified'), typed(p.modified, 'dateTime'));
  for (const [s, t] of THEME_SCHEMES) { out.add(C, dcat('themeTaxonomy'), s); addScheme(out, s, t); }
  const svc = addSparqlService(out, base, publisher, datasets);
  out.add(C, dcat('service'), svc);
  for (const d of datasets) {
    out.add(C, dcat('dataset'), d.iri);
    dcatDataset(d, out);
  }
  // paging (Hydra, as DCAT-AP recommends for large catalogues)
  const last = Math.max(1, Math.ceil(p.total / p.pageSize));
  const pageUrl = (n: number) => `${C}?page=${n}${p.pageSize !== DEFAULT_PAGE_SIZE ? `&pageSize=${p.pageSize}` : ''}`;
  const view = pageUrl(p.page);
  const H = (l: string) => iri(HYDRA + l);
  out.add(C, H('totalItems'), typed(p.total, 'integer'));
  out.add(C, H('view'), view);
  out.type(view, H('PartialCollectionView'));
  out.add(view, H('first'), pageUrl(1));
  out.add(view, H('last'), pageUrl(last));
  if (p.page > 1) out.add(view, H('previous'), pageUrl(Math.min(p.page - 1, last)));
  if (p.page < last) out.add(view, H('next'), pageUrl(p.page + 1));
  return out;
}

export const DEFAULT_PAGE_SIZE = 100;

export const DCAT_CONTEXT = {
  dcat: NS.dcat, dct: NS.dcterms, foaf: NS.foaf, vcard: NS.vcard, skos: NS.skos, prov: NS.prov, adms: NS.adms,
  rdfs: NS.rdfs, xsd: NS.xsd, hydra: HYDRA, spdx: SPDX_TERMS, schema: NS.schema, syndb: NS.syndb, owl: NS.owl,
} as const;

/** DCAT JSON-LD: the statements compacted with an inline context (no network). */
export async function dcatJsonLd(quads: Quad[]): Promise<object> {
  const { toNQuads } = await import('../util/rdf.js');
  const expanded = await jsonld.fromRDF(toNQuads(quads), { format: 'application/n-quads' });
  return jsonld.compact(expanded, DCAT_CONTEXT as unknown as jsonld.ContextDefinition, { documentLoader: offlineLoader as never });
}
