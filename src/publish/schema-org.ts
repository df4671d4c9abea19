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
import { scriptSafeJson } from '../util/markup-escape.js';

export const SCHEMA_ORG_CONTEXT = {
  '@vocab': NS.schema,
  prov: NS.prov,
  dcterms: NS.dcterms,
  spdx: 'http://spdx.org/rdf/terms#',
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

/** The downloads of a dataset page: its compartment tables (CSV, with size and checksum where served as uploaded) and its graph (RDF). */
export function downloadsOf(m: DatasetMetadata): Download[] {
  const versionParam = m.version === undefined ? '?version=draft' : m.isConcept ? '' : `?version=${m.version}`;
  const what = m.version === undefined ? 'the draft' : m.isConcept ? 'the latest version' : `version ${m.version}`;
  const tables = m.tables.map((c): Download => {
    const label = m.compartments.find((t) => t.iri.endsWith(`/compartment/${c}`))?.label ?? c;
    const file = m.tableFiles[c];
    return {
      iri: `${m.iri}#table-${c}`,
      title: `${label} table (CSV)`,
      description: `The ${label} table of ${what} of "${m.title}", one row per ${label}, as CSV.`,
      url: `${m.conceptIri}/tables/${c}${versionParam}`,
      mediaType: 'text/csv',
      compartment: c,
      pinned: !m.isConcept && m.version !== undefined,
      ...(file ? { byteSize: file.bytes, sha256: file.sha256 } : {}),
    };
  });
  const rdf = RDF_DOWNLOADS.map((r): Download => ({
    iri: `${m.iri}#graph-${r.format}`, title: `Metadata graph (${r.title})`, url: `${m.iri}?format=${r.format}`, mediaType: r.mediaType,
    description: `The description of ${what} of "${m.title}" (its stored statements with their schema.org and DCAT descriptions) as ${r.title}.`,
    pinned: !m.isConcept && m.version !== undefined,
  }));
  return [...tables, ...rdf];
}

/** The page of a licence: SPDX licence IRIs (http://spdx.org/licenses/X) have their text at https://spdx.org/licenses/X. */
export const licenseUrl = (iri: string) => iri.replace(/^http:\/\/spdx\.org\/licenses\//, 'https://spdx.org/licenses/');

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
  // one identifier: the DOI where there is one, else the landing page; the DOI and any other
  // identifiers that are URLs as sameAs
  const doiUrl = m.doi ? `https://doi.org/${m.doi}` : undefined;
  node.identifier = doiUrl ?? m.iri;
  const same = [...new Set([...(doiUrl ? [doiUrl] : []), ...m.identifiers.filter((i) => /^https?:\/\//.test(i) && i !== m.iri && i !== doiUrl)])];
  if (same.length) node.sameAs = same.length === 1 ? same[0] : same;
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
  // the licence as a URL to its text, named, at the IRI our graph and DCAT use for it
  if (m.license) node.license = { '@type': 'CreativeWork', '@id': m.license.iri, name: m.license.label, url: licenseUrl(m.license.iri) };
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
  node.distribution = downloadsOf(m).map((d: Download) => {
    const out: Record<string, unknown> = { '@type': 'DataDownload', '@id': d.iri, name: d.title, encodingFormat: d.mediaType, contentUrl: d.url };
    if (d.description) out.description = d.description;
    if (d.byteSize !== undefined) out.contentSize = `${d.byteSize} B`;
    if (d.sha256) out['spdx:checksum'] = { '@id': `${d.iri}-sha256`, '@type': 'spdx:Checksum', 'spdx:algorithm': { '@id': 'spdx:checksumAlgorithm_sha256' }, 'spdx:checksumValue': { '@value': d.sha256, '@type': 'xsd:hexBinary' } };
    return out;
  });
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

/** The <script> block of a landing page. */
export function jsonLdScript(value: unknown): string {
  return `<script type="application/ld+json">\n${scriptSafeJson(value)}\n</script>`;
}
