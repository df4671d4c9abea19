/**
 * Content negotiation by the book (RFC 9110 §12.5.1) on every negotiating resource: media type
 * parameters (`charset=utf-8` is what we send, so it is served; any other parameter value is not),
 * q-values and specificity, `?format=`; the raw query string of GET /sparql (a `?` inside it is an
 * ordinary character); profiles (`?profile=`, `Accept-Profile`, Content-Profile, 406 for a profile
 * not offered); the Graph Store's default graph, which always exists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import N3 from 'n3';
import { startTestService, ADMIN_TOKEN, BASE, type TestService } from './helpers/service.js';

let svc: TestService;
beforeAll(async () => { svc = await startTestService(); });
afterAll(async () => svc?.stop());

const L4 = '/datasets/l4dense-motta2019';
const DCAT = 'http://www.w3.org/ns/dcat#';
const get = (path: string, headers: Record<string, string> = {}, token: string | null = null) => svc.fetch(path, { headers, token });
const essence = (res: Response) => res.headers.get('content-type')?.split(';')[0].trim();
const triples = (turtle: string) => new N3.Parser({ format: 'text/turtle', baseIRI: BASE }).parse(turtle);
const SELECT = 'SELECT ?s WHERE { ?s ?p ?o } LIMIT 1';

async function problem(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return await res.json() as { status: number; detail: string; available?: string[]; availableProfiles?: string[] };
}

describe('media type parameters in Accept', () => {
  beforeAll(async () => {
    const put = await svc.fetch('/store?graph=http%3A%2F%2Fconneg.example%2Fg', { method: 'PUT', token: ADMIN_TOKEN, headers: { 'content-type': 'text/turtle; charset=utf-8' }, body: '<http://conneg.example/s> <http://conneg.example/p> "é" .' });
    expect(put.status).toBe(201);
  });

  it('charset=utf-8 is served on /store, dataset pages, /sparql results and the service description', async () => {
    for (const [path, accept, type] of [
      ['/store?graph=http%3A%2F%2Fconneg.example%2Fg', 'text/turtle; charset=utf-8', 'text/turtle'],
      ['/store?graph=http%3A%2F%2Fconneg.example%2Fg', 'application/n-triples;charset="UTF-8"', 'application/n-triples'],
      [L4, 'text/turtle; charset=utf-8', 'text/turtle'],
      [L4, 'application/ld+json; charset=utf-8', 'application/ld+json'],
      [`/sparql?query=${encodeURIComponent(SELECT)}`, 'application/sparql-results+json; charset=utf-8', 'application/sparql-results+json'],
      [`/sparql?query=${encodeURIComponent(SELECT)}`, 'text/csv; charset=utf-8', 'text/csv'],
      ['/sparql', 'text/turtle; charset=utf-8', 'text/turtle'],
      ['/catalog', 'text/turtle; charset=utf-8', 'text/turtle'],
      ['/datasets', 'application/json; charset=utf-8', 'application/json'],
      ['/store?graph=http%3A%2F%2Fconneg.example%2Fg', 'application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"', 'application/ld+json'],
    ] as const) {
      const res = await get(path, { accept }, ADMIN_TOKEN);
      expect(res.status, `${path} with Accept: ${accept}`).toBe(200);
      expect(essence(res), path).toBe(type);
      expect(res.headers.get('content-type'), path).toMatch(/charset=utf-8/i);
    }
    const nt = await (await get('/store?graph=http%3A%2F%2Fconneg.example%2Fg', { accept: 'application/n-triples; charset=utf-8' }, ADMIN_TOKEN)).text();
    expect(nt).toContain('"é"');
  });

  it('a parameter we cannot satisfy is a 406 problem listing what is available', async () => {
    for (const [path, accept] of [
      ['/store?graph=http%3A%2F%2Fconneg.example%2Fg', 'text/turtle; charset=iso-8859-1'],
      [L4, 'text/turtle; level=1'],
      ['/store?graph=http%3A%2F%2Fconneg.example%2Fg', 'application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"'],
      [`/sparql?query=${encodeURIComponent(SELECT)}`, 'application/sparql-results+json; charset=iso-8859-1'],
    ] as const) {
      const p = await problem(await get(path, { accept }, ADMIN_TOKEN), 406);
      expect(p.available, path).toContain(accept.split(';')[0]);
    }
  });

  it('q-values and specificity: the most specific range gives an offer its q; q=0 refuses it', async () => {
    const store = '/store?graph=http%3A%2F%2Fconneg.example%2Fg';
    expect(essence(await get(store, { accept: 'text/turtle;q=0.5, application/n-triples; charset=utf-8' }, ADMIN_TOKEN))).toBe('application/n-triples');
    expect(essence(await get(store, { accept: 'text/turtle; charset=utf-8; q=0.9, application/rdf+xml;q=0.4' }, ADMIN_TOKEN))).toBe('text/turtle');
    // */* would take Turtle, but the more specific text/turtle;charset=utf-8;q=0 refuses it
    expect(essence(await get(store, { accept: 'text/turtle;charset=utf-8;q=0, */*;q=0.1' }, ADMIN_TOKEN))).toBe('application/n-triples');
    await problem(await get(store, { accept: 'text/turtle;q=0' }, ADMIN_TOKEN), 406);
    const q = `/sparql?query=${encodeURIComponent(SELECT)}`;
    expect(essence(await get(q, { accept: 'application/sparql-results+json;q=0.2, application/sparql-results+xml; charset=utf-8;q=0.8' }))).toBe('application/sparql-results+xml');
  });

  it('?format= still wins over Accept, with the short names of each resource', async () => {
    const q = `/sparql?query=${encodeURIComponent(SELECT)}`;
    expect(essence(await get(`${q}&format=json`, { accept: 'text/csv' }))).toBe('application/sparql-results+json');
    expect(essence(await get(`${q}&output=xml`))).toBe('application/sparql-results+xml');
    expect(essence(await get(`/sparql?format=ttl`, { accept: 'text/html' }))).toBe('text/turtle');
    expect(essence(await get(`${L4}?format=nt`, { accept: 'text/turtle' }))).toBe('application/n-triples');
    await problem(await get(`${q}&format=bibtex`), 406);
  });
});

describe('GET /sparql reads its query string as a query string', () => {
  it('a literal "?" in the query (SPARQL variables, unescaped) is part of the query', async () => {
    const res = await get('/sparql?query=SELECT%20?s%20WHERE%20%7B?s%20?p%20?o%7D%20LIMIT%201', { accept: 'application/sparql-results+json' });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await res.json() as { head: { vars: string[] }; results: { bindings: unknown[] } };
    expect(body.head.vars).toEqual(['s']);
    expect(body.results.bindings).toHaveLength(1);
  });

  it('with "+" for spaces, a "?" in a later parameter and repeated default-graph-uri parameters', async () => {
    const v1 = `${BASE}/datasets/l4dense-motta2019/versions/1`;
    const other = 'http://conneg.example/none?x=1';
    const path = `/sparql?query=SELECT+(COUNT(*)+AS+?n)+WHERE+%7B+?s+?p+?o+%7D&default-graph-uri=${encodeURIComponent(v1)}&default-graph-uri=${other}`;
    const res = await get(path, { accept: 'application/sparql-results+json' });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await res.json() as { results: { bindings: { n: { value: string } }[] } };
    // the dataset is exactly the first graph (the second does not exist): its triple count
    const count = await get(`/sparql?query=${encodeURIComponent(`SELECT (COUNT(*) AS ?n) WHERE { GRAPH <${v1}> { ?s ?p ?o } }`)}`, { accept: 'application/sparql-results+json' });
    const expected = (await count.json() as { results: { bindings: { n: { value: string } }[] } }).results.bindings[0].n.value;
    expect(Number(expected)).toBeGreaterThan(10);
    expect(body.results.bindings[0].n.value).toBe(expected);
  });
});

describe('profiles', () => {
  const hasDcatDataset = (turtle: string) => triples(turtle).some((q) => q.predicate.value === 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type' && q.object.value === `${DCAT}Dataset`);
  const hasStoredGraph = (turtle: string) => triples(turtle).some((q) => q.predicate.value === 'https://w3id.org/syndb/ontology#brainRegion');

  it('Turtle with ?profile=dcat is the DCAT description, with Content-Profile', async () => {
    const res = await get(`${L4}?profile=dcat`, { accept: 'text/turtle' });
    expect(res.status).toBe(200);
    expect(essence(res)).toBe('text/turtle');
    expect(res.headers.get('content-profile')).toBe(`<${DCAT}>`);
    expect(res.headers.get('vary')).toMatch(/Accept-Profile/);
    const body = await res.text();
    expect(hasDcatDataset(body)).toBe(true);
    expect(hasStoredGraph(body)).toBe(false);
  });

  it('Accept-Profile asks the same, by q-value; ?profile=schema.org in N-Triples is schema.org alone', async () => {
    const viaHeader = await get(L4, { accept: 'text/turtle', 'accept-profile': '<urn:example:unknown>;q=1, <http://www.w3.org/ns/dcat#>;q=0.8, <https://schema.org/>;q=0.5' });
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.headers.get('content-profile')).toBe(`<${DCAT}>`);
    expect(hasDcatDataset(await viaHeader.text())).toBe(true);
    const schema = await get(`${L4}?profile=schema.org`, { accept: 'application/n-triples' });
    expect(schema.headers.get('content-profile')).toBe('<https://schema.org/>');
    const nt = await schema.text();
    expect(nt).toContain('<http://schema.org/Dataset>');
    expect(nt).not.toContain('https://w3id.org/syndb/ontology#brainRegion');
  });

  it('without a profile Turtle is the full graph and says so; JSON-LD is schema.org and says so', async () => {
    const ttl = await get(L4, { accept: 'text/turtle' });
    expect(ttl.headers.get('content-profile')).toBe('<https://w3id.org/syndb/ontology>');
    expect(hasStoredGraph(await ttl.text())).toBe(true);
    expect((await get(L4, { accept: 'application/ld+json' })).headers.get('content-profile')).toBe('<https://schema.org/>');
    expect((await get(`${L4}?profile=syndb`, { accept: 'application/ld+json' })).headers.get('content-profile')).toBe('<https://w3id.org/syndb/ontology>');
  });

  it('a profile parameter on application/ld+json binds to JSON-LD only', async () => {
    const res = await get(L4, { accept: `application/ld+json;profile="${DCAT}";q=0.5, text/turtle` });
    expect(essence(res)).toBe('text/turtle');
    expect(res.headers.get('content-profile')).toBe('<https://w3id.org/syndb/ontology>');
    const ld = await get(L4, { accept: `application/ld+json;profile="${DCAT}", text/turtle;q=0.5` });
    expect(essence(ld)).toBe('application/ld+json');
    expect(ld.headers.get('content-profile')).toBe(`<${DCAT}>`);
  });

  it('a profile not offered is a 406 problem naming the offered profiles (?profile=, Accept-Profile, Accept)', async () => {
    for (const headers of [{ accept: 'text/turtle', 'accept-profile': '<urn:example:marc21>' }, { accept: 'application/ld+json;profile="urn:example:marc21"' }] as Record<string, string>[]) {
      const p = await problem(await get(L4, headers), 406);
      expect(p.detail).toMatch(/marc21/);
      expect(p.availableProfiles).toEqual(['https://schema.org/', DCAT, 'https://w3id.org/syndb/ontology']);
    }
    const p = await problem(await get(`${L4}?profile=marc21`, { accept: 'text/turtle' }), 406);
    expect(p.availableProfiles).toContain(DCAT);
    // a media range naming an unknown profile matches nothing, so another acceptable type is served
    expect(essence(await get(L4, { accept: 'application/ld+json;profile="urn:example:marc21", text/turtle;q=0.5' }))).toBe('text/turtle');
  });

  it('the catalog is DCAT-AP in every format, and says so; another profile is a 406', async () => {
    for (const accept of ['text/turtle', 'application/ld+json', 'application/n-triples']) {
      const res = await get('/catalog', { accept });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-profile'), accept).toBe('<http://data.europa.eu/r5r/>');
    }
    expect((await get('/catalog?profile=dcat-ap', { accept: 'text/turtle' })).status).toBe(200);
    const p = await problem(await get('/catalog', { accept: 'text/turtle', 'accept-profile': '<https://schema.org/>' }), 406);
    expect(p.availableProfiles).toEqual([DCAT]);
  });
});

describe('Graph Store: the default graph always exists', () => {
  it('GET and HEAD /store?default on an empty default graph: 200, an empty graph in the negotiated format', async () => {
    for (const [accept, type] of [['text/turtle; charset=utf-8', 'text/turtle'], ['application/n-triples', 'application/n-triples'], ['application/ld+json', 'application/ld+json']] as const) {
      const res = await get('/store?default', { accept }, ADMIN_TOKEN);
      expect(res.status, accept).toBe(200);
      expect(essence(res)).toBe(type);
      const body = await res.text();
      if (type === 'application/ld+json') expect(JSON.parse(body)['@graph'] ?? []).toEqual([]);
      else expect(triples(body)).toEqual([]);
    }
    const head = await svc.fetch('/store?default', { method: 'HEAD', token: ADMIN_TOKEN, headers: { accept: 'text/turtle' } });
    expect(head.status).toBe(200);
    expect(essence(head)).toBe('text/turtle');
    // a named graph that does not exist is still a 404
    expect((await get('/store?graph=http%3A%2F%2Fconneg.example%2Fnone', {}, ADMIN_TOKEN)).status).toBe(404);
  });

  it('after a PUT it holds the statements; a caller who may not read it sees it empty, as in /sparql', async () => {
    const put = await svc.fetch('/store?default', { method: 'PUT', token: ADMIN_TOKEN, headers: { 'content-type': 'text/turtle' }, body: '<http://conneg.example/d> <http://conneg.example/p> 1 .' });
    expect(put.status).toBeLessThan(300);
    expect(triples(await (await get('/store?default', { accept: 'text/turtle' }, ADMIN_TOKEN)).text())).toHaveLength(1);
    const anonymous = await get('/store?default', { accept: 'text/turtle' });
    expect(anonymous.status).toBe(200);
    expect(triples(await anonymous.text())).toEqual([]);
    const ask = await get(`/sparql?query=${encodeURIComponent('ASK { <http://conneg.example/d> ?p ?o }')}`, { accept: 'application/sparql-results+json' });
    expect((await ask.json() as { boolean: boolean }).boolean).toBe(false);
    expect((await svc.fetch('/store?default', { method: 'DELETE', token: ADMIN_TOKEN })).status).toBe(200);
    const after = await get('/store?default', { accept: 'text/turtle' }, ADMIN_TOKEN);
    expect(after.status).toBe(200);
    expect(triples(await after.text())).toEqual([]);
  });

  it('a graph created by POST /store has an absolute Location, usable as ?graph=', async () => {
    const res = await svc.fetch('/store', { method: 'POST', token: ADMIN_TOKEN, headers: { 'content-type': 'text/turtle' }, body: '<http://conneg.example/n> <http://conneg.example/p> 2 .' });
    expect(res.status).toBe(201);
    const loc = res.headers.get('location')!;
    expect(loc).toMatch(new RegExp(`^${BASE}/store/`));
    const byGraph = await get(`/store?graph=${loc}`, { accept: 'text/turtle' }, ADMIN_TOKEN);
    expect(byGraph.status).toBe(200);
    expect(triples(await byGraph.text())).toHaveLength(1);
    const direct = await get(new URL(loc).pathname, { accept: 'text/turtle' }, ADMIN_TOKEN);
    expect(direct.status).toBe(200);
  });
});
