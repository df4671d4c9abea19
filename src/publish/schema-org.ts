/**
 * schema.org Dataset JSON-LD (Google Dataset Search: required and recommended properties) from
 * the publication view of a dataset. The context is inline (no network at run time, also for
 * the processor of whoever harvests it) and JSON-LD 1.0 compatible; every node has an IRI, so
 * the statements are the same whichever processor reads them (no blank-node renaming).
 */
import jsonld from 'jsonld';
import { NS } from '../model/namespaces.js';
import { parseRdf, type Quad } from '../util/rdf.js';
import type { DatasetMetadata, Download } from './metadata.js';
import { dateOnly } from './metadata.js';

export const SCHEMA_ORG_CONTEXT = {
  '@vocab': NS.schema,
  prov: NS.prov,
  dcterms: NS.dcterms,
  xsd: NS.xsd,
  url: { '@type': '@id' },
  license: { '@type': '@id' },
  contentUrl: { '@type': '@id' },
  sameAs: { '@type': '@id' },
  isBasedOn: { '@type': '@id' },
  unitCode: { '@type': '@id' },
  propertyID: { '@type': '@id' },
  inDefinedTermSet: { '@type': '@id' },
} as const;

/** SKOS schemes of our vocabularies (used as DefinedTermSet / DCAT theme taxonomy). */
export const SCHEMES = {
  species: `${NS.syndbv}species`,
  brainRegion: `${NS.syndbv}brain-regions`,
  method: `${NS.syndbv}methods`,
  compartment: `${NS.syndbv}compartment`,
} as const;

/** Media types we serve a dataset's RDF in, with the `?format=` value. */
export const RDF_DOWNLOADS: Array<{ format: string; mediaType: string; title: string }> = [
  { format: 'ttl', mediaType: 'text/turtle', title: 'Turtle' },
  { format: 'nt', mediaType: 'application/n-triples', title: 'N-Triples' },
  { format: 'rdf', mediaType: 'application/rdf+xml', title: 'RDF/XML' },
];

/** The downloads of a dataset page: its compartment tables (CSV) and its graph (RDF). */
export function downloadsOf(m: DatasetMetadata): Download[] {
  const versionParam = m.version === undefined ? '?version=draft' : m.isConcept ? '' : `?version=${m.version}`;
  const tables = m.tables.map((c) => ({
    iri: `${m.iri}#table-${c}`,
    title: `${m.compartments.find((t) => t.iri.endsWith(`/compartment/${c}`))?.label ?? c} table (CSV)`,
    url: `${m.conceptIri}/tables/${c}${versionParam}`,
    mediaType: 'text/csv',
    compartment: c,
  }));
  const rdf = RDF_DOWNLOADS.map((r) => ({ iri: `${m.iri}#graph-${r.format}`, title: `Metadata graph (${r.title})`, url: `${m.iri}?format=${r.format}`, mediaType: r.mediaType }));
  return [...tables, ...rdf];
}

const orcidId = (o: string) => o.replace(/^https?:\/\/orcid\.org\//, '');

/** The schema.org Dataset node (with its inline context) for a landing page. */
export function schemaOrgDataset(m: DatasetMetadata): Record<string, unknown> {
  const node: Record<string, unknown> = {
    '@context': SCHEMA_ORG_CONTEXT,
    '@type': 'Dataset',
    '@id': m.iri,
    url: m.iri,
    name: m.title,
    description: m.description || m.title,
  };
  const identifiers = [...(m.doi ? [`https://doi.org/${m.doi}`] : []), m.iri, ...m.identifiers.filter((i) => i !== m.doi)];
  node.identifier = identifiers;
  if (m.doi) node.sameAs = `https://doi.org/${m.doi}`;
  node.creator = m.creators.map((c) => {
    const out: Record<string, unknown> = { '@type': c.type, '@id': c.orcid ?? c.ror ?? c.iri, name: c.name };
    if (c.givenName) out.givenName = c.givenName;
    if (c.familyName) out.familyName = c.familyName;
    if (c.orcid) out.identifier = `https://orcid.org/${orcidId(c.orcid)}`;
    if (c.ror) out.identifier = c.ror;
    if (c.affiliations.length) {
      out.affiliation = c.affiliations.map((a) => ({ '@type': 'Organization', '@id': a.ror ?? a.iri, name: a.name }));
    }
    return out;
  });
  if (m.license) node.license = m.license.iri;
  const keywords = [...new Set([...m.keywords, ...m.tags])];
  node.keywords = keywords.length ? keywords : [m.species, m.brainRegion, m.method, ...m.compartments].filter(Boolean).map((t) => t!.label);
  if (m.version !== undefined) node.version = String(m.version);
  const published = m.isConcept ? m.firstIssued ?? m.issued : m.issued;
  if (published) node.datePublished = dateOnly(published);
  if (m.modified) node.dateModified = dateOnly(m.modified);
  if (m.publications.length) {
    node.citation = m.publications.map((p) => {
      const out: Record<string, unknown> = { '@type': 'ScholarlyArticle', '@id': p.iri };
      if (p.title) out.name = p.title;
      // the bare DOI as dcterms:identifier and the date typed as stored, as our publication shape has them
      if (p.doi) { out.identifier = `https://doi.org/${p.doi}`; out['dcterms:identifier'] = p.doi; }
      if (p.published) out.datePublished = { '@value': p.published.value, '@type': p.published.datatype };
      return out;
    });
  }
  node.isAccessibleForFree = m.isPublic;
  if (m.method) node.measurementTechnique = definedTerm(m.method, SCHEMES.method);
  if (m.columns.length) {
    node.variableMeasured = m.columns.map((c) => {
      const out: Record<string, unknown> = { '@type': 'PropertyValue', '@id': `${m.iri}#variable-${c.notation}`, name: c.notation, propertyID: c.property };
      const desc = c.description ?? c.label;
      if (desc) out.description = desc;
      if (c.unit) { out.unitCode = c.unit; out.unitText = c.unit.replace(/^.*[/#]/, ''); }
      return out;
    });
  }
  node.distribution = downloadsOf(m).map((d: Download) => ({ '@type': 'DataDownload', '@id': d.iri, name: d.title, encodingFormat: d.mediaType, contentUrl: d.url }));
  node.includedInDataCatalog = { '@type': 'DataCatalog', '@id': `${m.base}/catalog`, name: `${m.publisher} catalog`, url: `${m.base}/catalog` };
  node.publisher = { '@type': 'Organization', '@id': `${m.base}/#publisher`, name: m.publisher };
  node.about = [m.species && definedTerm(m.species, SCHEMES.species), m.brainRegion && definedTerm(m.brainRegion, SCHEMES.brainRegion)].filter(Boolean);
  if (m.derivedFrom.length) node.isBasedOn = m.derivedFrom;
  if (m.sourceTimes.length) node.temporalCoverage = m.sourceTimes.length === 1 ? m.sourceTimes[0] : `${m.sourceTimes[0]}/${m.sourceTimes.at(-1)}`;
  // the activity is typed only together with its own statements (shapes/provenance.ttl)
  const a = m.activityRecord;
  if (a) {
    node['prov:wasGeneratedBy'] = {
      '@id': a.iri, '@type': 'prov:Activity', 'prov:wasAssociatedWith': { '@id': a.agent },
      'prov:startedAtTime': { '@value': a.started, '@type': 'xsd:dateTime' }, 'prov:endedAtTime': { '@value': a.ended, '@type': 'xsd:dateTime' },
      'prov:generated': { '@id': a.generated },
    };
  } else if (m.activity) node['prov:wasGeneratedBy'] = { '@id': m.activity };
  return node;
}

function definedTerm(t: { iri: string; label: string; notation?: string }, scheme: string) {
  const out: Record<string, unknown> = { '@type': 'DefinedTerm', '@id': t.iri, name: t.label, inDefinedTermSet: scheme };
  if (t.notation) out.termCode = t.notation;
  return out;
}

/** Loader for JSON-LD processing: every context is inline, so any remote load is refused. */
export const offlineLoader = async (url: string): Promise<never> => {
  throw new Error(`no network at run time: refusing to load the JSON-LD document ${url}`);
};

/** The statements a JSON-LD document makes (our own processor; tests check them with Jena). */
export async function jsonLdQuads(doc: object): Promise<Quad[]> {
  const nq = await jsonld.toRDF(doc as jsonld.JsonLdDocument, { format: 'application/n-quads', documentLoader: offlineLoader as never }) as unknown as string;
  return parseRdf(nq, 'application/n-quads');
}

/** JSON text that is safe inside <script type="application/ld+json"> (no </script>, <!--, or line separators). */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value, null, 2)
    .replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The <script> block of a landing page. */
export function jsonLdScript(value: unknown): string {
  return `<script type="application/ld+json">\n${scriptSafeJson(value)}\n</script>`;
}
