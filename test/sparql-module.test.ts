/**
 * src/sparql: the text scan that runs before the parser (strings, IRIs with '#', comments), every
 * limit with its name, value and maximum, hostile nesting refused before sparqljs sees it (sparqljs
 * is quadratic on nesting: 100,000 levels would not finish), and the defaults let our own queries pass.
 */
import { describe, expect, it } from 'vitest';
import { scanText, nestingDepth, parseSparql, parseQuery, parseUpdate, parseSparqlAsync, serialize, SparqlLimitError, SparqlSyntaxError, SparqlBusyError, DEFAULT_SPARQL_LIMITS, INLINE_MAX, MAX_WAITING, type SparqlLimits } from '../src/sparql/index.js';
import { EXAMPLE_QUERIES } from '../src/http/sparql-editor/page.js';

const limitOf = (text: string, limits: SparqlLimits = DEFAULT_SPARQL_LIMITS): SparqlLimitError | undefined => {
  try {
    parseSparql(text, { base: 'http://b/', limits });
    return undefined;
  } catch (e) {
    if (e instanceof SparqlLimitError) return e;
    throw e;
  }
};

const parens = (n: number) => `SELECT * WHERE { BIND(${'('.repeat(n)}1${')'.repeat(n)} AS ?x) }`;
const groups = (n: number) => `SELECT * WHERE ${'{ '.repeat(n)}?s ?p ?o${' }'.repeat(n)}`;
const notExists = (n: number) => `SELECT * WHERE { ?s ?p ?o ${'FILTER NOT EXISTS { ?s ?p ?o '.repeat(n)}${'}'.repeat(n)} }`;
const altPath = (n: number) => `SELECT * WHERE { ?s ${'(<http://e/a>|'.repeat(n)}<http://e/b>${')'.repeat(n)} ?o }`;
const seqPath = (n: number) => `SELECT * WHERE { ?s <http://e/p>${'/<http://e/p>'.repeat(n - 1)} ?o }`;

describe('text scan before parsing', () => {
  it('counts brackets outside strings, IRIs and comments; # inside an IRI is not a comment', () => {
    expect(nestingDepth('SELECT * WHERE { <http://ex.org/g#a> ?p ?o }')).toBe(1);
    expect(nestingDepth('SELECT * WHERE { GRAPH <http://ex.org/g#a> { ?s ?p ?o } }')).toBe(2);
    // after '#' in an IRI the text still counts; after a real comment it does not
    expect(nestingDepth('ASK { <http://x#y> ?p ((((1)))) }')).toBe(5);
    expect(nestingDepth('ASK { ?s ?p 1 } # ((((((((')).toBe(1);
    expect(nestingDepth('ASK { ?s ?p "((((" , \'{{{{\' , """ [[[[ "" ]""" , \'\'\'((\'\'\' , "\\"((" }')).toBe(1);
    // '<' is an operator when no IRI follows
    expect(nestingDepth('ASK { FILTER(?a < 3 && (?b > (2))) }')).toBe(4);
    expect(nestingDepth(parens(2000))).toBe(2002);
    expect(scanText('SELECT * FROM <http://e\\u0078/> { }').escapedIris).toEqual([[14, 31]]);
  });

  it('IRIs with \\u escapes are read (SPARQL allows them in IRIs)', () => {
    const t = parseQuery('SELECT * FROM <http://ex\\u0061mple.org/g#a> WHERE { ?s ?p "\\u0022" }').tree;
    expect(t.from?.default.map((g) => g.value)).toEqual(['http://example.org/g#a']);
  });
});

describe('limits, each named with its value and maximum', () => {
  it('length', () => {
    const e = limitOf(`SELECT * WHERE { ?s ?p "${'x'.repeat(200)}" }`, { ...DEFAULT_SPARQL_LIMITS, maxLength: 100 });
    expect(e).toMatchObject({ limit: 'maxLength', max: 100, setting: 'SYNDB_SPARQL_MAX_LENGTH' });
    expect(e!.message).toMatch(/^length \(characters\) 2\d\d exceeds the limit of 100 \(SYNDB_SPARQL_MAX_LENGTH\)$/);
  });

  it('nesting depth: parentheses, groups, NOT EXISTS, nested paths at 200, 2,000 and 100,000 levels, refused before parsing', () => {
    const roomy = { ...DEFAULT_SPARQL_LIMITS, maxLength: 100_000_000 }; // the depth, not the length, refuses these
    for (const n of [200, 2000, 100_000]) {
      for (const [q, extra] of [[parens(n), 2], [groups(n), 0], [notExists(n), 1], [altPath(n), 1]] as const) {
        const e = limitOf(q, roomy);
        expect(e, q.slice(0, 60)).toBeInstanceOf(SparqlLimitError);
        expect(e!.limit).toBe('maxDepth');
        expect(e!.value).toBe(n + extra);
        expect(e!.message).toBe(`nesting depth ${n + extra} exceeds the limit of 64 (SYNDB_SPARQL_MAX_DEPTH)`);
      }
    }
    expect(limitOf(parens(60))).toBeUndefined();
    expect(limitOf(groups(60))).toBeUndefined();
  });

  it('nesting depth of an operator chain without brackets (it overflows the engine stack)', () => {
    const e = limitOf(`SELECT * WHERE { BIND(1${' + 1'.repeat(5000)} AS ?x) }`);
    expect(e).toMatchObject({ limit: 'maxDepth' });
    expect(e!.value).toBeGreaterThan(5000);
    expect(limitOf(`SELECT * WHERE { BIND(1${' + 1'.repeat(20)} AS ?x) }`)).toBeUndefined();
  });

  it('triple patterns (WHERE and templates; ground INSERT DATA is bounded by the length only)', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `?s <http://e/p${i}> ?o${i} .`).join(' ');
    expect(limitOf(`SELECT * WHERE { ${many(2001)} }`)).toMatchObject({ limit: 'maxTriplePatterns', value: 2001, max: 2000 });
    expect(limitOf(`SELECT * WHERE { ${many(2000)} }`)).toBeUndefined();
    expect(limitOf(`CONSTRUCT { ${many(1500)} } WHERE { ${many(1000)} }`)).toMatchObject({ limit: 'maxTriplePatterns', value: 2500 });
    expect(limitOf(`DELETE { ${many(1500)} } WHERE { ${many(1000)} }`)).toMatchObject({ limit: 'maxTriplePatterns', value: 2500 });
    const data = Array.from({ length: 5000 }, (_, i) => `<http://e/s${i}> <http://e/p> ${i} .`).join(' ');
    expect(limitOf(`INSERT DATA { GRAPH <http://e/g> { ${data} } }`)).toBeUndefined();
    expect(limitOf(`SELECT * WHERE { ?s ?p ?o } LIMIT 1`, { ...DEFAULT_SPARQL_LIMITS, maxTriplePatterns: 0 })?.message).toBe('number of triple patterns 1 exceeds the limit of 0 (SYNDB_SPARQL_MAX_TRIPLE_PATTERNS)');
  });

  it('VALUES rows, inline and trailing, together', () => {
    const rows = (n: number) => Array.from({ length: n }, (_, i) => String(i)).join(' ');
    expect(limitOf(`SELECT * WHERE { VALUES ?x { ${rows(10_001)} } }`)).toMatchObject({ limit: 'maxValuesRows', value: 10_001, max: 10_000, setting: 'SYNDB_SPARQL_MAX_VALUES_ROWS' });
    expect(limitOf(`SELECT * WHERE { VALUES ?x { ${rows(6000)} } } VALUES ?y { ${rows(6000)} }`)).toMatchObject({ limit: 'maxValuesRows', value: 12_000 });
    expect(limitOf(`SELECT * WHERE { VALUES ?x { ${rows(10_000)} } }`)).toBeUndefined();
  });

  it('property path size: long sequences and alternatives', () => {
    const e = limitOf(seqPath(150));
    expect(e).toMatchObject({ limit: 'maxPathElements', max: 100, setting: 'SYNDB_SPARQL_MAX_PATH' });
    expect(e!.value).toBe(151); // 150 IRIs and the sequence
    expect(limitOf(`SELECT * WHERE { ?s ${Array.from({ length: 120 }, (_, i) => `<http://e/p${i}>`).join('|')} ?o }`)).toMatchObject({ limit: 'maxPathElements', value: 121 });
    expect(limitOf(seqPath(50))).toBeUndefined();
    expect(limitOf(altPath(30))).toBeUndefined();
  });

  it('syntax errors carry line and column; an update is not a query', () => {
    let err: unknown;
    try { parseQuery('SELECT *\nWHERE { ?s ?p }'); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(SparqlSyntaxError);
    expect((err as SparqlSyntaxError).position).toMatchObject({ line: 2 });
    expect(() => parseQuery('INSERT DATA { <http://a> <http://b> <http://c> }')).toThrow(/is a SPARQL Update, not a query/);
    expect(() => parseUpdate('ASK {}')).toThrow(/ASK query, not an update/);
  });

  it('the defaults let the editor examples and ordinary queries through', () => {
    for (const q of EXAMPLE_QUERIES) expect(limitOf(q.query), q.name).toBeUndefined();
  });
});

describe('long requests are parsed off the main thread', () => {
  const pad = ' '.repeat(INLINE_MAX);
  it('gives the same tree as parsing in place (SELECT *, COUNT(*), literals, updates)', async () => {
    for (const q of [
      `SELECT * WHERE { ?s ?p ?o { SELECT (COUNT(*) AS ?n) WHERE { ?a ?b "x"@en } } } ${pad}`,
      `DESCRIBE * WHERE { ?s <http://e/p> 1.5e3 } ${pad}`,
      `PREFIX e: <http://e/> INSERT { GRAPH <http://g#a> { ?s e:p 1 } } WHERE { ?s ?p ?o } ${pad}`,
    ]) {
      expect(serialize((await parseSparqlAsync(q, { base: 'http://b/' })).tree)).toBe(serialize(parseSparql(q, { base: 'http://b/' }).tree));
    }
  });
  it('reports limits and syntax errors from the parser thread as on the main thread', async () => {
    const triples = `SELECT * WHERE { ${'?s ?p ?o . '.repeat(2001)} }`;
    await expect(parseSparqlAsync(triples)).rejects.toMatchObject({ name: 'SparqlLimitError', limit: 'maxTriplePatterns', value: 2001, max: 2000 });
    await expect(parseSparqlAsync(`SELECT * WHERE {\n ?s ?p ( ${pad} }`)).rejects.toMatchObject({ name: 'SparqlSyntaxError', position: { line: 2 } });
    await expect(parseSparqlAsync(`SELECT * WHERE { BIND(${'('.repeat(100_000)}1${')'.repeat(100_000)} AS ?x) }`)).rejects.toBeInstanceOf(SparqlLimitError);
  });
  it('refuses more than MAX_WAITING long parses at once (busy), unless asked to wait', async () => {
    const q = `SELECT * WHERE { ${'?s ?p ?o . '.repeat(1000)} }`;
    const runs = Array.from({ length: MAX_WAITING + 2 }, () => parseSparqlAsync(q).then(() => 'ok', (e: Error) => e));
    const waits = Array.from({ length: 3 }, () => parseSparqlAsync(q, { wait: true }).then(() => 'ok'));
    const out = await Promise.all(runs);
    expect(out.filter((r) => r === 'ok')).toHaveLength(MAX_WAITING);
    expect(out.filter((r) => r instanceof SparqlBusyError)).toHaveLength(2);
    expect(await Promise.all(waits)).toEqual(['ok', 'ok', 'ok']);
  });
});
