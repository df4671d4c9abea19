/**
 * util/nt-term.ts, the one N-Triples term writer: tricky literals and IRIs written by it are read
 * back to the same terms by N3's N-Triples parser and by oxigraph's; the escaping is the one the
 * embedded store writes in TSV results.
 */
import { describe, expect, it } from 'vitest';
import { DataFactory, Parser } from 'n3';
import oxigraph from 'oxigraph';
import type { Term } from '@rdfjs/types';
import { escapeLiteral, ntBindingTerm, ntIri, ntLiteral, ntTerm } from '../src/util/nt-term.js';

const { namedNode, literal, blankNode, quad } = DataFactory;
const XSD = 'http://www.w3.org/2001/XMLSchema#';

const strings: Record<string, string> = {
  empty: '',
  quotes: 'say "hi" and \'bye\'',
  backslashes: 'C:\\path\\to\\n\\',
  'escaped-looking': 'not a newline: \\n, not a quote: \\"',
  newlines: 'line 1\nline 2\n',
  'carriage returns': 'a\r\nb\rc',
  tab: 'col1\tcol2',
  'every C0 control, DEL, NEL, LS': Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('') + '\u007F\u0085\u2028\u2029',
  'unicode (BMP)': 'é ß 中文 Ω \uFFFD \uFEFF',
  'astral (surrogate pairs)': '😀 𝔸 𐍈 \u{10FFFF}',
  'ends in a backslash': 'a\\',
  'only a quote': '"',
  'N-Triples syntax inside': '" . <http://x> <http://y> "z" .\n_:b <p> "o"@en',
};

const iris = [
  'http://example.org/a',
  "http://example.org/p/é/中/😀?q=1&r=a%20b#frag('*)!$,;=:@~",
  'urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66',
  'https://syndb.example.org/datasets/d1/tables/synapse/rows/a%2Fb',
];

function n3RoundTrip(object: string): Term {
  const quads = new Parser({ format: 'N-Triples' }).parse(`<http://s> <http://p> ${object} .\n`);
  expect(quads).toHaveLength(1);
  return quads[0].object;
}

function oxRoundTrip(object: string): Term {
  const s = new oxigraph.Store();
  s.load(`<http://s> <http://p> ${object} .\n`, { format: 'application/n-triples' });
  const qs = s.match(null, null, null, null);
  expect(qs).toHaveLength(1);
  return qs[0].object as Term;
}

describe('ntTerm: literals', () => {
  for (const [name, value] of Object.entries(strings)) {
    it(`${name}: plain, language-tagged and typed literals read back the same (N3 and oxigraph)`, () => {
      for (const t of [literal(value), literal(value, 'en-gb'), literal(value, namedNode(`${XSD}token`)), literal(value, namedNode('http://example.org/dt?x=1&y=é#t'))]) {
        const nt = ntTerm(t);
        expect(nt.split('\n'), 'one line').toHaveLength(1);
        expect(nt).not.toContain('\r');
        expect(nt).not.toContain('\t');
        for (const back of [n3RoundTrip(nt), oxRoundTrip(nt)]) {
          expect(back.termType).toBe('Literal');
          expect(back.value).toBe(value);
          expect((back as typeof t).language).toBe(t.language);
          expect((back as typeof t).datatype.value).toBe(t.datatype.value);
        }
      }
    });
  }

  it('xsd:string is left implicit, other datatypes and languages are written', () => {
    expect(ntTerm(literal('x', namedNode(`${XSD}string`)))).toBe('"x"');
    expect(ntTerm(literal('5', namedNode(`${XSD}integer`)))).toBe(`"5"^^<${XSD}integer>`);
    expect(ntTerm(literal('Maus', 'de'))).toBe('"Maus"@de');
    expect(ntLiteral('x', undefined, `${XSD}string`)).toBe('"x"');
  });

  it('escapes exactly \\ " LF CR TAB, as the embedded store writes TSV results', () => {
    expect(escapeLiteral('a\\b"c\nd\re\tf\u0001g\u007Fh😀')).toBe('a\\\\b\\"c\\nd\\re\\tf\u0001g\u007Fh😀');
    const s = new oxigraph.Store();
    const value = strings['every C0 control, DEL, NEL, LS'] + strings.quotes + strings.backslashes + strings['astral (surrogate pairs)'];
    s.add(oxigraph.quad(oxigraph.namedNode('http://s'), oxigraph.namedNode('http://p'), oxigraph.literal(value), oxigraph.defaultGraph()));
    const tsv = s.query('SELECT ?o WHERE { ?s ?p ?o }', { results_format: 'text/tab-separated-values' }) as string;
    expect(tsv).toBe(`?o\n${ntTerm(literal(value))}\n`);
  });
});

describe('ntTerm: IRIs, blank nodes, triple terms', () => {
  for (const iri of iris) {
    it(`${iri} reads back the same (N3 and oxigraph)`, () => {
      expect(ntTerm(namedNode(iri))).toBe(`<${iri}>`);
      for (const back of [n3RoundTrip(ntTerm(namedNode(iri))), oxRoundTrip(ntTerm(namedNode(iri)))]) expect(back).toMatchObject({ termType: 'NamedNode', value: iri });
    });
  }

  it('characters an IRIREF cannot hold are \\u escapes: the IRI stays one term on one line', () => {
    const bad = 'http://x/a b>c<d"e{f}g|h^i`j\\k\nl\tm';
    expect(ntIri(bad)).toBe('<http://x/a\\u0020b\\u003ec\\u003cd\\u0022e\\u007bf\\u007dg\\u007ch\\u005ei\\u0060j\\u005ck\\u000al\\u0009m>');
    // no parser takes such an IRI, escaped or not
    expect(() => new Parser({ format: 'N-Triples' }).parse(`${ntIri(bad)} <http://p> "o" .\n`)).toThrow();
  });

  it('blank nodes, and a quoted triple as an RDF 1.2 triple term', () => {
    expect(ntTerm(blankNode('b0'))).toBe('_:b0');
    const t = quad(namedNode('http://a'), namedNode('http://b'), literal('c "d"', 'en'));
    const nt = ntTerm(t);
    expect(nt).toBe('<<( <http://a> <http://b> "c \\"d\\""@en )>>');
    const back = n3RoundTrip(nt);
    expect(back.termType).toBe('Quad');
    expect(back.equals(t)).toBe(true);
  });
});

describe('ntBindingTerm (SPARQL JSON result terms)', () => {
  it('writes the same as ntTerm for the same term', () => {
    for (const value of Object.values(strings)) {
      expect(ntBindingTerm({ type: 'literal', value })).toBe(ntTerm(literal(value)));
      expect(ntBindingTerm({ type: 'literal', value, 'xml:lang': 'en' })).toBe(ntTerm(literal(value, 'en')));
      expect(ntBindingTerm({ type: 'literal', value, datatype: `${XSD}date` })).toBe(ntTerm(literal(value, namedNode(`${XSD}date`))));
    }
    for (const iri of iris) expect(ntBindingTerm({ type: 'uri', value: iri })).toBe(ntTerm(namedNode(iri)));
    expect(ntBindingTerm({ type: 'bnode', value: 'b1' })).toBe('_:b1');
  });
});
