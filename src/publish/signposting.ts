/**
 * FAIR Signposting (https://signposting.org/FAIR/) level 1 (Link headers on the landing page)
 * and level 2 (a linkset, RFC 9264, as application/linkset+json and application/linkset).
 */
import type { DatasetMetadata } from './metadata.js';
import { downloadsOf } from './schema-org.js';
import { DATACITE_XML, DATACITE_JSON } from './datacite.js';

export interface SignLink { href: string; rel: string; type?: string; profile?: string }

export const LINKSET_JSON = 'application/linkset+json';
export const LINKSET = 'application/linkset';

/** Percent-encode what would break a Link header parser that splits on ',' or ';' (and what an IRI may not hold). */
export function headerSafeUrl(u: string): string {
  return u.replace(/[,;"<>\s\\^`{|}]|[^\x20-\x7e]/gu, (c) => (c.length === 1 && c.charCodeAt(0) < 0x80
    ? `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}` : encodeURIComponent(c)));
}

/** The landing page URL's linkset address. */
export const linksetUrl = (landing: string) => `${landing}/linkset`;

/** The typed links of a landing page (what both the Link header and the linkset carry). */
export function signposts(m: DatasetMetadata, describedBy: Array<{ format: string; mediaType: string; profile?: string; query?: string }>): SignLink[] {
  const L = m.iri;
  const links: SignLink[] = [];
  links.push({ href: m.doi ? `https://doi.org/${m.doi}` : L, rel: 'cite-as' });
  for (const c of m.creators) if (c.orcid) links.push({ href: c.orcid.replace(/^http:/, 'https:'), rel: 'author' });
  for (const d of describedBy) links.push({ href: `${L}?format=${d.format}${d.query ?? ''}`, rel: 'describedby', type: d.mediaType, ...(d.profile ? { profile: d.profile } : {}) });
  for (const d of downloadsOf(m)) if (d.mediaType === 'text/csv' || d.mediaType === 'application/n-triples') links.push({ href: d.url, rel: 'item', type: d.mediaType });
  if (m.license) links.push({ href: m.license.iri, rel: 'license' });
  links.push({ href: 'https://schema.org/AboutPage', rel: 'type' }, { href: 'https://schema.org/Dataset', rel: 'type' });
  links.push({ href: linksetUrl(L), rel: 'linkset', type: LINKSET_JSON }, { href: linksetUrl(L), rel: 'linkset', type: LINKSET });
  return links;
}

/** The metadata documents a landing page may point to with rel="describedby" (DataCite XML only where the page has a DOI). */
export const DESCRIBED_BY: Array<{ format: string; mediaType: string; profile?: string; query?: string }> = [
  { format: 'jsonld', mediaType: 'application/ld+json', profile: 'https://schema.org/' },
  { format: 'jsonld', mediaType: 'application/ld+json', profile: 'http://www.w3.org/ns/dcat#', query: '&profile=dcat' },
  { format: 'ttl', mediaType: 'text/turtle' },
  { format: 'rdf', mediaType: 'application/rdf+xml' },
  { format: 'datacite', mediaType: DATACITE_XML, profile: 'http://datacite.org/schema/kernel-4' },
  { format: 'datacite-json', mediaType: DATACITE_JSON, profile: 'http://datacite.org/schema/kernel-4' },
];

const quote = (s: string) => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;

function linkValue(l: SignLink, anchor?: string): string {
  let v = `<${headerSafeUrl(l.href)}>; rel=${quote(l.rel)}`;
  if (anchor) v += `; anchor=${quote(headerSafeUrl(anchor))}`;
  if (l.type) v += `; type=${quote(l.type)}`;
  if (l.profile) v += `; profile=${quote(headerSafeUrl(l.profile))}`;
  return v;
}

/** The Link header value (level 1). */
export function linkHeader(links: SignLink[]): string {
  return links.map((l) => linkValue(l)).join(', ');
}

/**
 * The linkset (level 2): the landing page's links, then per the profile the items (rel collection
 * back to the landing page) and the metadata documents (rel describes).
 */
export function linksetJson(landing: string, links: SignLink[]): { linkset: Array<Record<string, unknown>> } {
  const ctx: Record<string, unknown> = { anchor: landing };
  for (const l of links) {
    if (l.rel === 'linkset') continue;
    const target: Record<string, string> = { href: l.href };
    if (l.type) target.type = l.type;
    if (l.profile) target.profile = l.profile;
    ((ctx[l.rel] ??= []) as Array<Record<string, string>>).push(target);
  }
  const out: Array<Record<string, unknown>> = [ctx];
  for (const l of links) {
    if (l.rel === 'item') out.push({ anchor: l.href, collection: [{ href: landing, type: 'text/html' }] });
    if (l.rel === 'describedby') out.push({ anchor: l.href, describes: [{ href: landing, type: 'text/html' }] });
  }
  return { linkset: out };
}

/** application/linkset (RFC 9264 §4.1): link values with explicit anchors, one per line. */
export function linksetText(landing: string, links: SignLink[]): string {
  const set = linksetJson(landing, links).linkset;
  const values: string[] = [];
  for (const ctx of set) {
    const anchor = String(ctx.anchor);
    for (const [rel, targets] of Object.entries(ctx)) {
      if (rel === 'anchor') continue;
      for (const t of targets as Array<Record<string, string>>) values.push(linkValue({ href: t.href, rel, type: t.type, profile: t.profile }, anchor));
    }
  }
  return `${values.join(',\n')}\n`;
}
