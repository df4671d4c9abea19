/**
 * Human names of the formats a dataset page offers ("Turtle", not text/turtle), each once: the
 * "Metadata" download line of a landing page. Citation formats (BibTeX, RIS, …) are offered by the
 * citation box, so they are not repeated here.
 */
import { esc } from '../html.js';
import { FORMAT_MEDIA } from '../negotiate.js';
import { CITATION_MEDIA_TYPES } from '../../publish/citation/index.js';

const DATACITE_JSON = 'application/vnd.datacite.datacite+json';

/** ?format= key and name of each metadata media type, in the order a reader looks for them. */
const METADATA: Array<{ media: string; key: string; name: string; title: string }> = [
  { media: 'application/ld+json', key: 'jsonld', name: 'JSON-LD', title: 'schema.org JSON-LD (what search engines read)' },
  { media: 'text/turtle', key: 'ttl', name: 'Turtle', title: 'the full RDF graph as Turtle' },
  { media: 'application/n-triples', key: 'nt', name: 'N-Triples', title: 'the full RDF graph as N-Triples' },
  { media: 'application/rdf+xml', key: 'rdf', name: 'RDF/XML', title: 'the full RDF graph as RDF/XML' },
  { media: FORMAT_MEDIA.datacite, key: 'datacite', name: 'DataCite XML', title: 'DataCite Metadata Schema 4 XML' },
  { media: DATACITE_JSON, key: 'datacite-json', name: 'DataCite JSON', title: 'DataCite JSON' },
];

/** The human name of a media type we serve (undefined: not one of ours). */
export function formatName(mediaType: string): string | undefined {
  const m = METADATA.find((x) => x.media === mediaType);
  if (m) return m.name;
  const c = CITATION_MEDIA_TYPES.find((x) => x.mediaType === mediaType);
  return c ? { bibtex: 'BibTeX', biblatex: 'BibLaTeX', ris: 'RIS', csl: 'CSL-JSON', bibliography: 'Formatted citation' }[c.format] : undefined;
}

/** Links to the metadata formats among `offered`, by name, each once, plus DCAT-AP and the linkset. */
export function metadataLinks(iri: string, offered: string[]): string {
  const has = new Set(offered);
  const items = METADATA.filter((m) => has.has(m.media)).flatMap((m) => {
    const a = [`<a href="${esc(`${iri}?format=${m.key}`)}" title="${esc(m.title)}">${esc(m.name)}</a>`];
    if (m.key === 'jsonld') a.push(`<a href="${esc(`${iri}?format=jsonld&profile=dcat`)}" title="DCAT-AP 3 as JSON-LD (what data portals read)">DCAT-AP</a>`);
    return a;
  });
  items.push(`<a href="${esc(`${iri}/linkset`)}" title="RFC 9264 linkset of this page's signposting links">Linkset</a>`);
  return items.join(' · ');
}
