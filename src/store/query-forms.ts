/** Query form detection and result format negotiation, the same for every store. */
import type { QueryResult } from './graph-store.js';

export type QueryKind = QueryResult['kind'];

/**
 * The query form (SELECT/ASK → bindings/boolean, CONSTRUCT/DESCRIBE → graph) read after the
 * prologue (BASE / PREFIX declarations and comments). Returns undefined when no form keyword
 * follows the prologue (the engine then reports the syntax error with its position).
 */
export function queryKind(sparql: string): QueryKind | undefined {
  let i = 0;
  const n = sparql.length;
  const skipWs = () => {
    for (;;) {
      while (i < n && /\s/.test(sparql[i])) i++;
      if (sparql[i] === '#') {
        while (i < n && sparql[i] !== '\n') i++;
        continue;
      }
      return;
    }
  };
  const word = () => {
    const m = /^[A-Za-z]+/.exec(sparql.slice(i, i + 20));
    return m ? m[0] : '';
  };
  for (;;) {
    skipWs();
    const w = word().toUpperCase();
    if (w === 'BASE' || w === 'PREFIX') {
      i += w.length;
      skipWs();
      if (w === 'PREFIX') {
        while (i < n && sparql[i] !== ':' && !/\s/.test(sparql[i])) i++;
        if (sparql[i] === ':') i++;
        skipWs();
      }
      if (sparql[i] !== '<') return undefined;
      const end = sparql.indexOf('>', i);
      if (end < 0) return undefined;
      i = end + 1;
      continue;
    }
    if (w === 'SELECT') return 'bindings';
    if (w === 'ASK') return 'boolean';
    if (w === 'CONSTRUCT' || w === 'DESCRIBE') return 'graph';
    return undefined;
  }
}

const RESULT_FORMATS: Record<string, string> = {
  'application/sparql-results+json': 'application/sparql-results+json',
  'application/json': 'application/sparql-results+json',
  json: 'application/sparql-results+json',
  srj: 'application/sparql-results+json',
  'application/sparql-results+xml': 'application/sparql-results+xml',
  'application/xml': 'application/sparql-results+xml',
  xml: 'application/sparql-results+xml',
  srx: 'application/sparql-results+xml',
  'text/csv': 'text/csv',
  csv: 'text/csv',
  'text/tab-separated-values': 'text/tab-separated-values',
  tsv: 'text/tab-separated-values',
};

const GRAPH_FORMATS: Record<string, string> = {
  'text/turtle': 'text/turtle',
  ttl: 'text/turtle',
  turtle: 'text/turtle',
  'application/n-triples': 'application/n-triples',
  nt: 'application/n-triples',
  ntriples: 'application/n-triples',
  'application/n-quads': 'application/n-quads',
  nq: 'application/n-quads',
  nquads: 'application/n-quads',
  'application/trig': 'application/trig',
  trig: 'application/trig',
  'application/rdf+xml': 'application/rdf+xml',
  rdf: 'application/rdf+xml',
  rdfxml: 'application/rdf+xml',
  'application/ld+json': 'application/ld+json',
  jsonld: 'application/ld+json',
};

/** Media type to ask oxigraph for, or an error message naming the accepted ones. */
export function resultFormat(kind: QueryKind, format: string | undefined): { mediaType: string } | { error: string } {
  const table = kind === 'graph' ? GRAPH_FORMATS : RESULT_FORMATS;
  if (format === undefined || format === '') {
    return { mediaType: kind === 'graph' ? 'application/n-triples' : 'application/sparql-results+json' };
  }
  const key = format.split(';')[0].trim().toLowerCase();
  const mediaType = table[key];
  if (mediaType) return { mediaType };
  const accepted = [...new Set(Object.values(table))].join(', ');
  const what = kind === 'graph' ? 'CONSTRUCT/DESCRIBE' : kind === 'boolean' ? 'ASK' : 'SELECT';
  return { error: `result format ${JSON.stringify(format)} is not available for ${what} queries; expected one of ${accepted}` };
}
