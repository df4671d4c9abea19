/**
 * Configurable limits of /sparql: the result-size limit (SYNDB_MAX_RESULT_BYTES) ends a huge result
 * with a clear 413, and the endpoint keeps answering; the timeout is covered in sparql-update.test.ts.
 * The request limits (SYNDB_SPARQL_MAX_…) refuse hostile queries and updates with a 400 naming the
 * limit, on GET, POST and the update endpoint, before any engine runs them; the next query and the
 * next write work.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromEnv } from '../src/service/config.js';
import { openContext, type ServiceContext } from '../src/service/context.js';
import { startServer } from '../src/http/server.js';

let ctx: ServiceContext;
let srv: { url: string; stop(): Promise<void> };
let dir: string;
const ADMIN = 'limits-admin-token';
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'syndb-limits-'));
  const config = configFromEnv({ SYNDB_DATA_DIR: dir, PORT: '0', SYNDB_MAX_RESULT_BYTES: '20000', SYNDB_QUERY_TIMEOUT_MS: '20000', SYNDB_ADMIN_TOKEN: ADMIN, SYNDB_SPARQL_MAX_DEPTH: '100', SYNDB_SPARQL_MAX_LENGTH: '300000' });
  expect(config.maxResultBytes).toBe(20000);
  expect(config.sparqlLimits).toEqual({ maxLength: 300000, maxDepth: 100, maxTriplePatterns: 2000, maxValuesRows: 10000, maxPathElements: 100 });
  ctx = await openContext(config);
  srv = await startServer(ctx, () => {});
}, 60_000);
afterAll(async () => {
  await srv?.stop();
  await ctx?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('result-size limit', () => {
  it('a result over SYNDB_MAX_RESULT_BYTES is a 413 that says what to do; small results still work', async () => {
    const big = await fetch(`${srv.url}/sparql?query=${encodeURIComponent('SELECT * WHERE { ?s ?p ?o }')}`);
    expect(big.status).toBe(413);
    const p = await big.json();
    expect(p.title).toBe('Result Too Large');
    expect(p.detail).toMatch(/LIMIT/);
    const small = await fetch(`${srv.url}/sparql?query=${encodeURIComponent('SELECT * WHERE { ?s ?p ?o } LIMIT 5')}`);
    expect(small.status).toBe(200);
    expect((await small.json()).results.bindings).toHaveLength(5);
  });
});

describe('request limits (SYNDB_SPARQL_MAX_…)', () => {
  const get = (q: string) => fetch(`${srv.url}/sparql?query=${encodeURIComponent(q)}`, { headers: { accept: 'application/sparql-results+json' } });
  const post = (q: string) => fetch(`${srv.url}/sparql`, { method: 'POST', headers: { 'content-type': 'application/sparql-query', accept: 'application/sparql-results+json' }, body: q });
  const form = (q: string) => fetch(`${srv.url}/sparql`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/sparql-results+json' }, body: new URLSearchParams({ query: q }).toString() });
  const update = (u: string) => fetch(`${srv.url}/sparql`, { method: 'POST', headers: { 'content-type': 'application/sparql-update', authorization: `Bearer ${ADMIN}` }, body: u });
  const normalQueryWorks = async () => {
    const r = await get('SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }');
    expect(r.status).toBe(200);
    expect(Number((await r.json()).results.bindings[0].n.value)).toBeGreaterThan(0);
  };
  const refused = async (r: Response, setting: string, value: number | undefined, max: number, name: RegExp) => {
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const p = await r.json();
    expect(p.title).toBe('SPARQL Limit Exceeded');
    expect(p.limit).toBe(setting);
    expect(p.maximum).toBe(max);
    if (value !== undefined) expect(p.value).toBe(value);
    expect(p.detail).toMatch(name);
    expect(p.detail).toContain(`exceeds the limit of ${max} (${setting})`);
    return p;
  };

  it('nesting depth: BIND((((…1…))) at 200, 2,000 and 100,000 levels, on GET, POST and forms', async () => {
    const parens = (n: number) => `SELECT * WHERE { BIND(${'('.repeat(n)}1${')'.repeat(n)} AS ?x) }`;
    const p = await refused(await get(parens(200)), 'SYNDB_SPARQL_MAX_DEPTH', 202, 100, /nesting depth/);
    expect(p.detail).toContain('nesting depth 202 exceeds the limit of 100 (SYNDB_SPARQL_MAX_DEPTH)');
    await normalQueryWorks();
    await refused(await post(parens(2000)), 'SYNDB_SPARQL_MAX_DEPTH', 2002, 100, /nesting depth 2002/);
    await refused(await form(parens(100_000)), 'SYNDB_SPARQL_MAX_DEPTH', 100_002, 100, /nesting depth 100002/);
    await normalQueryWorks();
  });

  it('nested groups, FILTER NOT EXISTS, paths and operator chains', async () => {
    const n = 2000;
    await refused(await post(`SELECT * WHERE ${'{ '.repeat(n)}?s ?p ?o${' }'.repeat(n)}`), 'SYNDB_SPARQL_MAX_DEPTH', n, 100, /nesting depth/);
    await refused(await post(`SELECT * WHERE { ?s ?p ?o ${'FILTER NOT EXISTS { ?s ?p ?o '.repeat(n)}${'}'.repeat(n)} }`), 'SYNDB_SPARQL_MAX_DEPTH', n + 1, 100, /nesting depth/);
    await refused(await post(`SELECT * WHERE { ?s ${'(<http://e/a>|'.repeat(n)}<http://e/b>${')'.repeat(n)} ?o }`), 'SYNDB_SPARQL_MAX_DEPTH', n + 1, 100, /nesting depth/);
    await refused(await post(`SELECT * WHERE { ?s <http://e/p>${'/<http://e/p>'.repeat(n)} ?o }`), 'SYNDB_SPARQL_MAX_PATH', n + 2, 100, /property path size/);
    await refused(await post(`SELECT * WHERE { BIND(1${'+1'.repeat(n)} AS ?x) }`), 'SYNDB_SPARQL_MAX_DEPTH', undefined, 100, /nesting depth/);
    await normalQueryWorks();
  });

  it('length, triple patterns and VALUES rows', async () => {
    const long = `SELECT * WHERE { ?s ?p "${'x'.repeat(300_000)}" }`;
    await refused(await post(long), 'SYNDB_SPARQL_MAX_LENGTH', long.length, 300000, /length \(characters\)/);
    const triples = Array.from({ length: 2001 }, (_, i) => `?s <http://e/p${i}> ?o${i} .`).join(' ');
    await refused(await post(`SELECT * WHERE { ${triples} }`), 'SYNDB_SPARQL_MAX_TRIPLE_PATTERNS', 2001, 2000, /number of triple patterns 2001/);
    const rows = Array.from({ length: 10_001 }, (_, i) => String(i)).join(' ');
    await refused(await post(`SELECT * WHERE { VALUES ?x { ${rows} } }`), 'SYNDB_SPARQL_MAX_VALUES_ROWS', 10_001, 10_000, /number of VALUES rows 10001/);
    await normalQueryWorks();
  });

  it('updates are refused the same way, nothing changes, and the next write works', async () => {
    const before = await ctx.store.stats();
    await refused(await update(`INSERT { <http://e/s> <http://e/p> ?x } WHERE { BIND(${'('.repeat(2000)}1${')'.repeat(2000)} AS ?x) }`), 'SYNDB_SPARQL_MAX_DEPTH', 2002, 100, /nesting depth/);
    await refused(await update(`DELETE WHERE { ${'{ '.repeat(150)}?s ?p ?o${' }'.repeat(150)} }`), 'SYNDB_SPARQL_MAX_DEPTH', undefined, 100, /nesting depth/);
    await refused(await update(`DELETE { ?s ?p ?o } WHERE { ?s <http://e/p>${'/<http://e/p>'.repeat(200)} ?o }`), 'SYNDB_SPARQL_MAX_PATH', undefined, 100, /property path size/);
    expect(await ctx.store.stats()).toEqual(before);
    const ok = await update('INSERT DATA { GRAPH <http://ex.org/limits> { <http://ex.org/s> <http://ex.org/p> "after" } }');
    expect(ok.status).toBe(200);
    expect((await ok.json()).changedGraphs).toEqual(['http://ex.org/limits']);
    await normalQueryWorks();
  });

  it('a setting that is not a positive integer stops the start with its name', () => {
    expect(() => configFromEnv({ SYNDB_SPARQL_MAX_DEPTH: 'deep' })).toThrow(/SYNDB_SPARQL_MAX_DEPTH must be a whole number from 1 .*, got "deep"/);
  });
});
