/**
 * RDF terms written as N-Triples: the one hand-written term writer (SHACL results, the remote
 * store's writes, dumps and TSV results, table rows, provenance diffs, SPARQL string constants).
 *
 * Literals escape `\` `"` LF CR and TAB (ECHAR) and keep every other character as it is: valid
 * N-Triples, Turtle and SPARQL, and the form the embedded store (oxigraph) writes in TSV results.
 * IRIs write the characters an IRIREF cannot hold as `\u` escapes, so an IRI never runs into the
 * next term or line (no parser accepts such an IRI either way).
 */
import type { Term } from '@rdfjs/types';

const XSD_STRING = 'http://www.w3.org/2001/XMLSchema#string';

const ECHAR: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const LITERAL_SPECIAL = /[\\"\n\r\t]/;
const LITERAL_SPECIAL_ALL = /[\\"\n\r\t]/g;
const echar = (c: string) => ECHAR[c];

/** The body of a quoted N-Triples / Turtle / SPARQL string (without the quotes). */
export function escapeLiteral(s: string): string {
  return LITERAL_SPECIAL.test(s) ? s.replace(LITERAL_SPECIAL_ALL, echar) : s;
}

const IRI_FORBIDDEN = /[\u0000-\u0020<>"{}|^`\\]/;
const IRI_FORBIDDEN_ALL = /[\u0000-\u0020<>"{}|^`\\]/g;
const uchar = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** `<iri>` */
export function ntIri(iri: string): string {
  return `<${IRI_FORBIDDEN.test(iri) ? iri.replace(IRI_FORBIDDEN_ALL, uchar) : iri}>`;
}

/** `"lexical"`, `"lexical"@lang` or `"lexical"^^<datatype>` (xsd:string is left implicit). */
export function ntLiteral(lexical: string, language?: string, datatype?: string): string {
  const q = `"${escapeLiteral(lexical)}"`;
  if (language) return `${q}@${language}`;
  if (datatype && datatype !== XSD_STRING) return `${q}^^${ntIri(datatype)}`;
  return q;
}

/** An RDF/JS term (a quoted triple as an RDF 1.2 triple term, a variable as `?name`, the default graph as ''). */
export function ntTerm(t: Term): string {
  switch (t.termType) {
    case 'NamedNode': return ntIri(t.value);
    case 'BlankNode': return `_:${t.value}`;
    case 'Literal': return ntLiteral(t.value, t.language, t.datatype?.value);
    case 'Quad': return `<<( ${ntTerm(t.subject)} ${ntTerm(t.predicate)} ${ntTerm(t.object)} )>>`;
    case 'Variable': return `?${t.value}`;
    case 'DefaultGraph': return '';
  }
}

/** A term of SPARQL 1.1 JSON results (`{type: 'uri' | 'bnode' | 'literal', value, datatype?, 'xml:lang'?}`). */
export function ntBindingTerm(t: { type: string; value: string; datatype?: string; 'xml:lang'?: string }): string {
  if (t.type === 'uri') return ntIri(t.value);
  if (t.type === 'bnode') return `_:${t.value}`;
  return ntLiteral(t.value, t['xml:lang'], t.datatype);
}
