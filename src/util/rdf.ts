/** Small RDF helpers on top of N3.js: terms, parsing and serialising N-Quads/Turtle. */
import N3 from 'n3';
import type * as RDF from '@rdfjs/types';
import { ntLiteral } from './nt-term.js';

export const df = N3.DataFactory;

/** The two namespaces these helpers need (model/namespaces.ts names them all). */
export const XSD_NS = 'http://www.w3.org/2001/XMLSchema#';
export const RDF_NS = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
export type Quad = RDF.Quad;
export type Term = RDF.Term;

export const iri = (value: string) => df.namedNode(value);
export const lit = (value: string, dtOrLang?: string) =>
  dtOrLang === undefined ? df.literal(value)
    : /^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$/.test(dtOrLang) && !dtOrLang.includes(':') ? df.literal(value, dtOrLang)
      : df.literal(value, df.namedNode(dtOrLang));
export const typed = (value: string | number | boolean, xsdLocal: string) => df.literal(String(value), df.namedNode(XSD_NS + xsdLocal));

export const RDF_TYPE = df.namedNode(RDF_NS + 'type');

/** Serialise quads as N-Quads (graph term kept). */
export function toNQuads(quads: Iterable<Quad>): string {
  const w = new N3.Writer({ format: 'N-Quads' });
  const parts: string[] = [];
  for (const q of quads) parts.push(w.quadToString(q.subject, q.predicate, q.object, q.graph));
  return parts.join('');
}

/** Put every quad into graph g. */
export function inGraph(quads: Iterable<Quad>, g: string): Quad[] {
  const gn = df.namedNode(g);
  return [...quads].map((q) => df.quad(q.subject, q.predicate, q.object, gn));
}

export class RdfSyntaxError extends Error {
  constructor(message: string, readonly format: string, readonly line?: number) {
    super(message);
    this.name = 'RdfSyntaxError';
  }
}

/** The RDF text formats parseRdf reads. */
export type RdfTextFormat = 'text/turtle' | 'application/trig' | 'application/n-triples' | 'application/n-quads';

/** Parse Turtle / TriG / N-Triples / N-Quads text with N3.js. */
export function parseRdf(text: string, format: RdfTextFormat, baseIRI?: string): Quad[] {
  const parser = new N3.Parser({ format, baseIRI });
  try {
    return parser.parse(text) as Quad[];
  } catch (e) {
    const msg = (e as Error).message;
    const line = /line (\d+)/.exec(msg);
    throw new RdfSyntaxError(msg, format, line ? Number(line[1]) : undefined);
  }
}

/**
 * Parse N-Quads in slices of `linesPerSlice` lines, yielding to the event loop between slices, so
 * that a large answer from a worker never holds the main thread for long. Blank node labels are
 * kept as written (one document: the same label is the same node across slices).
 */
export async function parseNQuadsYielding(text: string, linesPerSlice = 2000): Promise<Quad[]> {
  const out: Quad[] = [];
  let at = 0;
  while (at < text.length) {
    let end = at;
    for (let n = 0; n < linesPerSlice && end < text.length; n++) {
      const nl = text.indexOf('\n', end);
      end = nl < 0 ? text.length : nl + 1;
    }
    const parser = new N3.Parser({ format: 'application/n-quads', blankNodePrefix: '' });
    try {
      for (const q of parser.parse(text.slice(at, end)) as Quad[]) out.push(q);
    } catch (e) {
      throw new RdfSyntaxError((e as Error).message, 'application/n-quads');
    }
    at = end;
    if (at < text.length) await new Promise<void>((r) => setImmediate(r));
  }
  return out;
}

/** A string as a quoted SPARQL / N-Triples string literal. */
export function sparqlString(s: string): string {
  return ntLiteral(s);
}

/** Angle-bracket an IRI after checking it cannot break out of an IRIREF. */
export function sparqlIri(s: string): string {
  if (/[\s<>"{}|^`\\]/.test(s)) throw new Error(`not a valid IRI: ${JSON.stringify(s)}`);
  return `<${s}>`;
}
