/**
 * Content negotiation, the one negotiator of every resource: `?format=` first (INTERFACE.md),
 * then `Accept` by RFC 9110 §12.5.1 (q-values, specificity, media type parameters).
 *
 * A media range with parameters matches only a representation that has them. Every text we send
 * is UTF-8, so each offer is matched as `type;charset=utf-8`: `Accept: text/turtle; charset=utf-8`
 * is served, `Accept: text/turtle; charset=iso-8859-1` (or `;level=1`) is not. Our JSON-LD is
 * compacted: `application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"` is served too
 * (publication profiles of dataset pages are read before, http/profiles.ts). Matching is done by
 * express' req.accepts (the `accepts` / `negotiator` packages).
 */
import type { Request } from 'express';

export const FORMAT_MEDIA: Record<string, string> = {
  ttl: 'text/turtle', turtle: 'text/turtle', nt: 'application/n-triples', ntriples: 'application/n-triples',
  nq: 'application/n-quads', trig: 'application/trig',
  jsonld: 'application/ld+json', rdf: 'application/rdf+xml', xml: 'application/rdf+xml', html: 'text/html', json: 'application/json',
  bibtex: 'application/x-bibtex', biblatex: 'application/x-bibtex', ris: 'application/x-research-info-systems',
  csl: 'application/vnd.citationstyles.csl+json', datacite: 'application/vnd.datacite.datacite+xml', 'datacite-json': 'application/vnd.datacite.datacite+json', csv: 'text/csv',
  srj: 'application/sparql-results+json', srx: 'application/sparql-results+xml', tsv: 'text/tab-separated-values',
};

export class NotAcceptableError extends Error {
  constructor(readonly offered: string[]) {
    super(`cannot produce any of the requested media types; available: ${offered.join(', ')}`);
  }
}

export interface NegotiateOptions {
  /** The `?format=` value (default: req.query.format; a router that reads the raw query string passes its own). */
  format?: string;
  /** Short names of this resource that win over FORMAT_MEDIA (e.g. `json` is SPARQL JSON results on /sparql). */
  aliases?: Record<string, string>;
}

/** Our JSON-LD is compacted (it has a @context), so a request for that JSON-LD form is served. */
const JSONLD_COMPACTED = 'http://www.w3.org/ns/json-ld#compacted';

/** The media type (lower case, without parameters) of a media type string. */
export const essence = (mediaType: string): string => mediaType.split(';')[0].trim().toLowerCase();

/**
 * The offer `Accept` prefers (undefined: none is acceptable). A missing or empty Accept takes the
 * first offer. Offers are plain media types; parameters in Accept are honoured (see above).
 */
export function preferred(req: Request, offers: string[]): string | undefined {
  const accept = req.headers.accept;
  if (!accept || accept.trim() === '') return offers[0];
  const utf8 = offers.map((o) => `${essence(o)};charset=utf-8${essence(o) === 'application/ld+json' ? `;profile="${JSONLD_COMPACTED}"` : ''}`);
  const chosen = req.accepts(utf8);
  return chosen ? offers[utf8.indexOf(chosen)] : undefined;
}

/** Choose one of `offers` (media types, first = default for a missing or * Accept); 406 if none fits. */
export function negotiate(req: Request, offers: string[], opts: NegotiateOptions = {}): string {
  const raw = 'format' in opts ? opts.format : typeof req.query.format === 'string' ? req.query.format : undefined;
  if (raw) {
    const f = raw.trim().toLowerCase();
    const m = opts.aliases?.[f] ?? FORMAT_MEDIA[f] ?? (f.includes('/') ? essence(f) : undefined);
    if (m && offers.includes(m)) return m;
    throw new NotAcceptableError(offers);
  }
  const chosen = preferred(req, offers);
  if (!chosen) throw new NotAcceptableError(offers);
  return chosen;
}
