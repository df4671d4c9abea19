/**
 * /store writes under the rules of every write: token and rights, SHACL validation of the new graph
 * (rejected whole, 422 with every problem), input formats, public marking of free graphs, errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, ADMIN_TOKEN, BASE, type TestService } from './helpers/service.js';

let svc: TestService;
let alice: string;
const DRAFT = `${BASE}/datasets/gsp-spines/draft`;

beforeAll(async () => {
  svc = await startTestService();
  alice = svc.ctx.tokens.create('alice', 'contributor');
  const r = await svc.fetch('/datasets', {
    method: 'POST', token: alice, headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'gsp-spines', title: 'GSP target', description: 'd', creators: [{ name: 'Doe, Jane' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['synapse'] }),
  });
  expect(r.status).toBe(201);
}, 60_000);
afterAll(async () => svc?.stop());

const at = (g: string, q = '') => `/store?graph=${encodeURIComponent(g)}${q}`;

describe('GSP writes', () => {
  it('PUT of a draft that breaks the dataset shapes is a 422 listing the problems; nothing changes', async () => {
    const before = await svc.ctx.store.dumpGraph(DRAFT);
    const count = await svc.quadCount();
    const r = await svc.fetch(at(DRAFT), { method: 'PUT', token: alice, headers: { 'content-type': 'text/turtle' }, body: `<${DRAFT}> a <http://www.w3.org/ns/dcat#Dataset>, <https://w3id.org/syndb/ontology#DatasetVersion> .` });
    expect(r.status).toBe(422);
    const p = await r.json();
    expect(p.errors.length).toBeGreaterThan(2);
    for (const e of p.errors) expect(e).toHaveProperty('message');
    expect(await svc.ctx.store.dumpGraph(DRAFT)).toBe(before);
    expect(await svc.quadCount()).toBe(count);
  });

  it('POST merges into the owner\'s draft; GET returns it in Turtle, N-Triples, JSON-LD, RDF/XML', async () => {
    const r = await svc.fetch(at(DRAFT), { method: 'POST', token: alice, headers: { 'content-type': 'application/n-triples' }, body: `<${DRAFT}> <http://www.w3.org/ns/dcat#keyword> "via GSP" .\n` });
    expect(r.status, await r.clone().text()).toBe(200);
    for (const [accept, re] of [['text/turtle', /"via GSP"/], ['application/n-triples', /"via GSP"/], ['application/ld+json', /via GSP/], ['application/rdf+xml', /via GSP/]] as const) {
      const g = await svc.fetch(at(DRAFT), { token: alice, headers: { accept } });
      expect(g.status).toBe(200);
      expect(g.headers.get('content-type')).toContain(accept);
      expect(await g.text()).toMatch(re);
    }
    expect((await svc.fetch(at(DRAFT), { token: alice, headers: { accept: 'application/x-bibtex' } })).status).toBe(406);
  });

  it('accepts RDF/XML and JSON-LD bodies; ?access=public makes a free graph readable by everyone', async () => {
    const g = 'http://ex.org/gsp/rdfxml';
    const xml = '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://ex.org/"><rdf:Description rdf:about="http://ex.org/s"><ex:p>xml value</ex:p></rdf:Description></rdf:RDF>';
    expect((await svc.fetch(at(g), { method: 'PUT', token: ADMIN_TOKEN, headers: { 'content-type': 'application/rdf+xml' }, body: xml })).status).toBe(201);
    const j = await svc.fetch(at(g), { method: 'POST', token: ADMIN_TOKEN, headers: { 'content-type': 'application/ld+json' }, body: JSON.stringify({ '@id': 'http://ex.org/s', 'http://ex.org/q': 'json value' }) });
    expect(j.status).toBe(200);
    expect((await svc.fetch(at(g), { headers: { accept: 'text/turtle' } })).status).toBe(404);
    const q = `/sparql?query=${encodeURIComponent(`SELECT ?o WHERE { GRAPH <${g}> { ?s ?p ?o } }`)}`;
    expect(await (await svc.fetch(q, { headers: { accept: 'text/csv' } })).text()).not.toContain('xml value');
    expect((await svc.fetch(at(g, '&access=public'), { method: 'POST', token: ADMIN_TOKEN, headers: { 'content-type': 'text/turtle' }, body: '' })).status).toBe(200);
    const anon = await svc.fetch(at(g), { headers: { accept: 'application/n-triples' } });
    expect(anon.status).toBe(200);
    const text = await anon.text();
    expect(text).toContain('"xml value"');
    expect(text).toContain('"json value"');
    expect(await (await svc.fetch(q, { headers: { accept: 'text/csv' } })).text()).toContain('xml value');
    expect((await svc.fetch(at(g, '&access=public'), { method: 'POST', token: alice, headers: { 'content-type': 'text/turtle' }, body: '' })).status).toBe(403);
  });

  it('errors: 401 without a token, 403 for a contributor on a free graph, 415, 400 with the parse error, 405', async () => {
    const g = 'http://ex.org/gsp/errors';
    const put = (token: string | null, ct: string, body: string) => svc.fetch(at(g), { method: 'PUT', token, headers: { 'content-type': ct }, body });
    expect((await put(null, 'text/turtle', '<http://a> <http://b> <http://c> .')).status).toBe(401);
    expect((await put(alice, 'text/turtle', '<http://a> <http://b> <http://c> .')).status).toBe(403);
    const u = await put(ADMIN_TOKEN, 'application/pdf', 'x');
    expect(u.status).toBe(415);
    expect((await u.json()).detail).toMatch(/text\/turtle/);
    const b = await put(ADMIN_TOKEN, 'text/turtle', '<http://a> <http://b> .');
    expect(b.status).toBe(400);
    expect((await b.json()).detail).toMatch(/line 1/);
    const m = await svc.fetch(at(g), { method: 'PATCH', token: ADMIN_TOKEN });
    expect(m.status).toBe(405);
    expect(m.headers.get('allow')).toContain('PUT');
    expect((await svc.fetch('/store?graph=not-an-iri', { headers: { accept: 'text/turtle' } })).status).toBe(400);
    expect((await svc.fetch(`/store?default&graph=${encodeURIComponent(g)}`)).status).toBe(400);
  });

  it('a published version cannot be replaced or deleted', async () => {
    const v = `${BASE}/datasets/l4dense-motta2019/versions/1`;
    const count = await svc.quadCount();
    expect((await svc.fetch(at(v), { method: 'DELETE', token: ADMIN_TOKEN })).status).toBe(403);
    expect((await svc.fetch(at(v), { method: 'PUT', token: ADMIN_TOKEN, headers: { 'content-type': 'text/turtle' }, body: '' })).status).toBe(403);
    expect(await svc.quadCount()).toBe(count);
  });
});
