/** Content negotiation: `?format=` first (INTERFACE.md), then Accept with q-values. */
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

/** Choose one of `offers` (media types, first = default for a missing or * Accept). */
export function negotiate(req: Request, offers: string[]): string {
  const f = typeof req.query.format === 'string' ? req.query.format.toLowerCase() : undefined;
  if (f) {
    const m = FORMAT_MEDIA[f] ?? (f.includes('/') ? f : undefined);
    if (m && offers.includes(m)) return m;
    throw new NotAcceptableError(offers);
  }
  const accept = req.headers.accept;
  if (!accept || accept.trim() === '' ) return offers[0];
  const chosen = req.accepts(offers);
  if (!chosen) throw new NotAcceptableError(offers);
  return chosen as string;
}
