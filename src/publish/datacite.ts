/**
 * DataCite Metadata Schema 4 (kernel-4.5) for a dataset page, as XML
 * (application/vnd.datacite.datacite+xml) and as DataCite JSON (application/vnd.datacite.datacite+json,
 * the attributes of the DataCite REST API), ready for DOI registration. The XML needs a DOI
 * (<identifier identifierType="DOI">, mandatory in kernel-4): a page without one is not offered
 * as DataCite XML (src/http/fair-router.ts); the JSON is also the form sent to register one.
 */
import { NS } from '../model/namespaces.js';
import type { DatasetMetadata, Term } from './metadata.js';
import { dateOnly } from './metadata.js';
import { downloadsOf } from './schema-org.js';
import { escapeMarkup } from '../util/markup-escape.js';

export const DATACITE_XML = 'application/vnd.datacite.datacite+xml';
export const DATACITE_JSON = 'application/vnd.datacite.datacite+json';
export const DATACITE_NS = 'http://datacite.org/schema/kernel-4';
export const DATACITE_SCHEMA_LOCATION = 'http://schema.datacite.org/meta/kernel-4.5/metadata.xsd';

export interface NameIdentifier { nameIdentifier: string; nameIdentifierScheme: string; schemeUri: string }
export interface DataCiteCreator {
  name: string; nameType: 'Personal' | 'Organizational'; givenName?: string; familyName?: string;
  nameIdentifiers: NameIdentifier[]; affiliation: Array<{ name: string; affiliationIdentifier?: string; affiliationIdentifierScheme?: string; schemeUri?: string }>;
}
export interface DataCiteSubject { subject: string; subjectScheme?: string; schemeUri?: string; valueUri?: string; lang?: string }
export interface RelatedIdentifier { relatedIdentifier: string; relatedIdentifierType: string; relationType: string; resourceTypeGeneral?: string }

export interface DataCiteRecord {
  doi?: string;
  url: string;
  types: { resourceTypeGeneral: 'Dataset'; resourceType: string; schemaOrg: string; citeproc: string; bibtex: string; ris: string };
  creators: DataCiteCreator[];
  titles: Array<{ title: string; lang?: string }>;
  publisher: { name: string };
  publicationYear: string;
  subjects: DataCiteSubject[];
  dates: Array<{ date: string; dateType: string }>;
  language: string;
  alternateIdentifiers: Array<{ alternateIdentifier: string; alternateIdentifierType: string }>;
  relatedIdentifiers: RelatedIdentifier[];
  formats: string[];
  version?: string;
  rightsList: Array<{ rights: string; rightsUri?: string; rightsIdentifier?: string; rightsIdentifierScheme?: string; schemeUri?: string; lang?: string }>;
  descriptions: Array<{ description: string; descriptionType: string; lang?: string }>;
  schemaVersion: string;
}

const bareDoi = (s: string) => s.replace(/^https?:\/\/(dx\.)?doi\.org\//i, '');
/** A related resource as (identifier, type): DOIs bare, everything else a URL. */
export function relatedId(i: string): { relatedIdentifier: string; relatedIdentifierType: string } {
  if (/^https?:\/\/(dx\.)?doi\.org\/10\./i.test(i)) return { relatedIdentifier: decodeURIComponent(bareDoi(i)), relatedIdentifierType: 'DOI' };
  if (/^https:\/\/w3id\.org\//.test(i)) return { relatedIdentifier: i, relatedIdentifierType: 'w3id' };
  return { relatedIdentifier: i, relatedIdentifierType: 'URL' };
}

function subjectOf(t: Term, kind: 'species' | 'region' | 'method' | 'compartment'): DataCiteSubject {
  const s: DataCiteSubject = { subject: t.label, valueUri: t.iri };
  if (kind === 'species') { s.subjectScheme = 'NCBI Taxonomy'; s.schemeUri = 'http://purl.obolibrary.org/obo/ncbitaxon.owl'; }
  else if (kind === 'region') {
    if (t.iri.startsWith(`${NS.obo}MBA_`)) { s.subjectScheme = 'Allen Mouse Brain Atlas'; s.schemeUri = 'http://purl.obolibrary.org/obo/uberon/bridge/uberon-bridge-to-mba.owl'; }
    else if (t.iri.startsWith(`${NS.obo}HBA_`)) { s.subjectScheme = 'Allen Human Brain Atlas'; s.schemeUri = 'http://purl.obolibrary.org/obo/uberon/bridge/uberon-bridge-to-hba.owl'; }
    else if (t.iri.startsWith(`${NS.obo}UBERON_`)) { s.subjectScheme = 'UBERON'; s.schemeUri = 'http://purl.obolibrary.org/obo/uberon.owl'; }
    else { s.subjectScheme = 'SynDB brain regions'; s.schemeUri = `${NS.syndbv}brain-regions`; }
  } else if (kind === 'method') { s.subjectScheme = 'SynDB microscopy methods'; s.schemeUri = `${NS.syndbv}methods`; }
  else { s.subjectScheme = 'SynDB compartments'; s.schemeUri = `${NS.syndbv}compartment`; }
  return s;
}

/** The DataCite record of a dataset page (concept or version). */
export function dataciteRecord(m: DatasetMetadata): DataCiteRecord {
  const creators: DataCiteCreator[] = m.creators.map((c) => {
    const out: DataCiteCreator = { name: c.name, nameType: c.type === 'Person' ? 'Personal' : 'Organizational', nameIdentifiers: [], affiliation: [] };
    if (c.type === 'Person') {
      if (c.givenName) out.givenName = c.givenName;
      if (c.familyName) out.familyName = c.familyName;
    }
    if (c.orcid) out.nameIdentifiers.push({ nameIdentifier: c.orcid.replace(/^http:/, 'https:'), nameIdentifierScheme: 'ORCID', schemeUri: 'https://orcid.org' });
    if (c.ror) out.nameIdentifiers.push({ nameIdentifier: c.ror, nameIdentifierScheme: 'ROR', schemeUri: 'https://ror.org' });
    out.affiliation = c.affiliations.map((a) => (a.ror ? { name: a.name, affiliationIdentifier: a.ror, affiliationIdentifierScheme: 'ROR', schemeUri: 'https://ror.org' } : { name: a.name }));
    return out;
  });
  if (!creators.length) creators.push({ name: m.publisher, nameType: 'Organizational', nameIdentifiers: [], affiliation: [] });
  const published = m.isConcept ? m.firstIssued ?? m.issued : m.issued;
  const year = (published ?? m.modified ?? new Date().toISOString()).slice(0, 4);
  const subjects: DataCiteSubject[] = [
    ...(m.species ? [subjectOf(m.species, 'species')] : []),
    ...(m.brainRegion ? [subjectOf(m.brainRegion, 'region')] : []),
    ...(m.method ? [subjectOf(m.method, 'method')] : []),
    ...m.compartments.map((c) => subjectOf(c, 'compartment')),
    ...[...new Set([...m.keywords, ...m.tags])].map((k) => ({ subject: k })),
  ];
  const dates: Array<{ date: string; dateType: string }> = [];
  if (published) dates.push({ date: dateOnly(published)!, dateType: 'Issued' });
  if (m.modified) dates.push({ date: dateOnly(m.modified)!, dateType: 'Updated' });
  if (m.embargoEnd) dates.push({ date: m.embargoEnd, dateType: 'Available' });
  if (m.sourceTimes.length) dates.push({ date: m.sourceTimes.length === 1 ? m.sourceTimes[0] : `${m.sourceTimes[0]}/${m.sourceTimes.at(-1)}`, dateType: 'Collected' });
  const related: RelatedIdentifier[] = [];
  const rel = (i: string, relationType: string, resourceTypeGeneral?: string) => {
    const r = relatedId(i);
    if (!related.some((x) => x.relatedIdentifier === r.relatedIdentifier && x.relationType === relationType)) related.push({ ...r, relationType, ...(resourceTypeGeneral ? { resourceTypeGeneral } : {}) });
  };
  for (const p of m.publications) rel(p.doi ? `https://doi.org/${p.doi}` : p.iri, p.relation, 'JournalArticle');
  for (const s of m.derivedFrom) rel(s, 'IsDerivedFrom');
  // the dataset's own versions and concept by DOI where one is registered, else by landing page
  const versionRef = (n: number) => (m.dois?.versions[n] ? `https://doi.org/${m.dois.versions[n]}` : `${m.conceptIri}/versions/${n}`);
  if (m.isConcept) {
    for (const v of m.versionSummaries) rel(versionRef(v.n), 'HasVersion', 'Dataset');
  } else if (m.version !== undefined) {
    rel(m.dois?.concept ? `https://doi.org/${m.dois.concept}` : m.conceptIri, 'IsVersionOf', 'Dataset');
    if (m.previousVersion !== undefined) rel(versionRef(m.previousVersion), 'IsNewVersionOf', 'Dataset');
    const next = m.versions.find((v) => v > m.version!);
    if (next !== undefined) rel(versionRef(next), 'IsPreviousVersionOf', 'Dataset');
  }
  const rightsList: DataCiteRecord['rightsList'] = [];
  if (m.license) {
    const spdx = m.license.iri.startsWith(NS.spdx) ? m.license.iri.slice(NS.spdx.length) : undefined;
    rightsList.push({
      rights: m.license.label, rightsUri: spdx ? `https://spdx.org/licenses/${spdx}` : m.license.iri,
      ...(spdx ? { rightsIdentifier: spdx.toLowerCase(), rightsIdentifierScheme: 'SPDX', schemeUri: 'https://spdx.org/licenses/' } : {}),
    });
  }
  rightsList.push(m.isPublic
    ? { rights: 'Open Access', rightsUri: 'info:eu-repo/semantics/openAccess' }
    : m.embargoEnd ? { rights: 'Embargoed Access', rightsUri: 'info:eu-repo/semantics/embargoedAccess' } : { rights: 'Restricted Access', rightsUri: 'info:eu-repo/semantics/restrictedAccess' });
  const descriptions: DataCiteRecord['descriptions'] = [{ description: m.description || m.title, descriptionType: 'Abstract' }];
  if (m.versionNotes && !m.isConcept) descriptions.push({ description: m.versionNotes, descriptionType: 'Other' });
  const alternateIdentifiers = [{ alternateIdentifier: m.iri, alternateIdentifierType: 'URL' }, ...m.identifiers.filter((i) => i !== m.doi).map((i) => ({ alternateIdentifier: i, alternateIdentifierType: 'Local' }))];
  const rec: DataCiteRecord = {
    url: m.iri,
    types: { resourceTypeGeneral: 'Dataset', resourceType: 'Connectomics dataset', schemaOrg: 'Dataset', citeproc: 'dataset', bibtex: 'misc', ris: 'DATA' },
    creators,
    titles: [{ title: m.title }],
    publisher: { name: m.publisher },
    publicationYear: year,
    subjects,
    dates,
    language: 'en',
    alternateIdentifiers,
    relatedIdentifiers: related,
    formats: [...new Set(downloadsOf(m).map((d) => d.mediaType))],
    rightsList,
    descriptions,
    schemaVersion: DATACITE_NS,
  };
  if (m.doi) rec.doi = bareDoi(m.doi);
  if (m.version !== undefined) rec.version = String(m.version);
  return rec;
}

/** DataCite JSON: the attributes of a DataCite REST API `dois` resource. */
export function dataciteJson(r: DataCiteRecord): object {
  const { doi, ...rest } = r;
  return doi ? { id: `https://doi.org/${doi}`, doi, ...rest } : rest;
}


const el = (name: string, text: string, attrs: Record<string, string | undefined> = {}) =>
  `<${name}${Object.entries(attrs).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => ` ${k}="${escapeMarkup(v!)}"`).join('')}>${escapeMarkup(text)}</${name}>`;

/** The <resource> element (also the payload of OAI-PMH oai_datacite). */
export function dataciteResourceXml(r: DataCiteRecord, indent = ''): string {
  const i1 = `${indent}  `, i2 = `${indent}    `, i3 = `${indent}      `;
  const lines: string[] = [];
  lines.push(`${indent}<resource xmlns="${DATACITE_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${DATACITE_NS} ${DATACITE_SCHEMA_LOCATION}">`);
  if (r.doi) lines.push(i1 + el('identifier', r.doi, { identifierType: 'DOI' }));
  lines.push(`${i1}<creators>`);
  for (const c of r.creators) {
    lines.push(`${i2}<creator>`);
    lines.push(i3 + el('creatorName', c.name, { nameType: c.nameType }));
    if (c.givenName) lines.push(i3 + el('givenName', c.givenName));
    if (c.familyName) lines.push(i3 + el('familyName', c.familyName));
    for (const n of c.nameIdentifiers) lines.push(i3 + el('nameIdentifier', n.nameIdentifier, { nameIdentifierScheme: n.nameIdentifierScheme, schemeURI: n.schemeUri }));
    for (const a of c.affiliation) lines.push(i3 + el('affiliation', a.name, { affiliationIdentifier: a.affiliationIdentifier, affiliationIdentifierScheme: a.affiliationIdentifierScheme, schemeURI: a.schemeUri }));
    lines.push(`${i2}</creator>`);
  }
  lines.push(`${i1}</creators>`);
  lines.push(`${i1}<titles>`, ...r.titles.map((t) => i2 + el('title', t.title, { 'xml:lang': t.lang })), `${i1}</titles>`);
  lines.push(i1 + el('publisher', r.publisher.name));
  lines.push(i1 + el('publicationYear', r.publicationYear));
  lines.push(i1 + el('resourceType', r.types.resourceType, { resourceTypeGeneral: r.types.resourceTypeGeneral }));
  if (r.subjects.length) {
    lines.push(`${i1}<subjects>`, ...r.subjects.map((s) => i2 + el('subject', s.subject, { subjectScheme: s.subjectScheme, schemeURI: s.schemeUri, valueURI: s.valueUri })), `${i1}</subjects>`);
  }
  if (r.dates.length) lines.push(`${i1}<dates>`, ...r.dates.map((d) => i2 + el('date', d.date, { dateType: d.dateType })), `${i1}</dates>`);
  lines.push(i1 + el('language', r.language));
  lines.push(`${i1}<alternateIdentifiers>`, ...r.alternateIdentifiers.map((a) => i2 + el('alternateIdentifier', a.alternateIdentifier, { alternateIdentifierType: a.alternateIdentifierType })), `${i1}</alternateIdentifiers>`);
  if (r.relatedIdentifiers.length) {
    lines.push(`${i1}<relatedIdentifiers>`, ...r.relatedIdentifiers.map((x) => i2 + el('relatedIdentifier', x.relatedIdentifier, { relatedIdentifierType: x.relatedIdentifierType, relationType: x.relationType, resourceTypeGeneral: x.resourceTypeGeneral })), `${i1}</relatedIdentifiers>`);
  }
  if (r.formats.length) lines.push(`${i1}<formats>`, ...r.formats.map((f) => i2 + el('format', f)), `${i1}</formats>`);
  if (r.version) lines.push(i1 + el('version', r.version));
  lines.push(`${i1}<rightsList>`, ...r.rightsList.map((x) => i2 + el('rights', x.rights, { rightsURI: x.rightsUri, rightsIdentifier: x.rightsIdentifier, rightsIdentifierScheme: x.rightsIdentifierScheme, schemeURI: x.schemeUri })), `${i1}</rightsList>`);
  lines.push(`${i1}<descriptions>`, ...r.descriptions.map((d) => i2 + el('description', d.description, { descriptionType: d.descriptionType })), `${i1}</descriptions>`);
  lines.push(`${indent}</resource>`);
  return lines.join('\n');
}

export function dataciteXml(r: DataCiteRecord): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${dataciteResourceXml(r)}\n`;
}
