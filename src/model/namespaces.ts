/** Namespace IRIs used across the code base (see docs/graph-model.md). */
import { RDF_NS, XSD_NS } from '../util/rdf.js';

export const NS = {
  syndb: 'https://w3id.org/syndb/ontology#',
  syndbv: 'https://w3id.org/syndb/vocab/',
  rdf: RDF_NS,
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  owl: 'http://www.w3.org/2002/07/owl#',
  xsd: XSD_NS,
  sh: 'http://www.w3.org/ns/shacl#',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  dcat: 'http://www.w3.org/ns/dcat#',
  dcterms: 'http://purl.org/dc/terms/',
  prov: 'http://www.w3.org/ns/prov#',
  schema: 'http://schema.org/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  adms: 'http://www.w3.org/ns/adms#',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  obo: 'http://purl.obolibrary.org/obo/',
  spdx: 'http://spdx.org/licenses/',
  orcid: 'https://orcid.org/',
  ror: 'https://ror.org/',
  doi: 'https://doi.org/',
  ar: 'http://publications.europa.eu/resource/authority/access-right/',
} as const;

export type Prefix = keyof typeof NS;

/** Expand `prefix:local` with the known prefixes; returns undefined for an unknown prefix. */
export function expandCurie(curie: string): string | undefined {
  const i = curie.indexOf(':');
  if (i <= 0) return undefined;
  const prefix = curie.slice(0, i);
  const local = curie.slice(i + 1);
  if (local.startsWith('//')) return undefined;
  if (prefix in NS) return NS[prefix as Prefix] + local;
  // OBO-style CURIEs: MBA:329, HBA:4007, UBERON:0000956, NCBITaxon:10090, GO:0045202
  if (/^[A-Za-z][A-Za-z0-9]*$/.test(prefix) && /^[A-Za-z0-9_]+$/.test(local)) return `${NS.obo}${prefix}_${local}`;
  return undefined;
}

/** Shorten an IRI to a CURIE when a known prefix fits (OBO IRIs become `MBA:329`). */
export function compactIri(iri: string): string {
  if (iri.startsWith(NS.obo)) {
    const m = /^([A-Za-z]+)_(.+)$/.exec(iri.slice(NS.obo.length));
    if (m) return `${m[1]}:${m[2]}`;
  }
  let best: string | undefined;
  for (const [p, ns] of Object.entries(NS)) {
    if (iri.startsWith(ns) && (!best || ns.length > NS[best as Prefix].length)) best = p;
  }
  return best ? `${best}:${iri.slice(NS[best as Prefix].length)}` : iri;
}

/** SPARQL `PREFIX` declarations for the given known prefixes (all of them by default), one a line. */
export function prefixDeclarations(names: readonly Prefix[] = Object.keys(NS) as Prefix[]): string {
  return names.map((p) => `PREFIX ${p}: <${NS[p]}>\n`).join('');
}
