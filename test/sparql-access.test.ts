/**
 * Access control of /sparql and /store, tested adversarially: a private dataset, an embargoed one,
 * a draft and a private free graph, each carrying a marker string; every trick we know is tried by an
 * anonymous caller and by another contributor, and none may reveal a marker, a private graph name or
 * even whether a private graph exists. Positive controls (admin, owner) prove the markers are there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, ADMIN_TOKEN, BASE, type TestService } from './helpers/service.js';

let svc: TestService;
let alice: string;
let bob: string;
const SECRET_V = `${BASE}/datasets/secret-spines/versions/1`;
const SECRET_C = `${BASE}/datasets/secret-spines`;
const EMB_V = `${BASE}/datasets/embargo-spines/versions/1`;
const DRAFT = `${BASE}/datasets/draft-only/draft`;
const FREE = 'http://secret.example/graph';
const BOB_DRAFT = `${BASE}/datasets/bob-draft/draft`;

const dataset = (id: string, title: string, extra: Record<string, unknown> = {}) => JSON.stringify({
  id, title, description: `${title} description`, creators: [{ name: 'Doe, Jane' }], license: 'CC-BY-4.0',
  species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['synapse'], ...extra,
});

beforeAll(async () => {
  svc = await startTestService();
  alice = svc.ctx.tokens.create('alice', 'contributor');
  bob = svc.ctx.tokens.create('bob', 'contributor');
  const post = async (token: string, body: string, publish = true) => {
    const r = await svc.fetch('/datasets', { method: 'POST', token, headers: { 'content-type': 'application/json' }, body });
    expect(r.status, await r.clone().text()).toBe(201);
    const id = JSON.parse(body).id;
    if (publish) expect((await svc.fetch(`/datasets/${id}/versions`, { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(201);
  };
  await post(alice, dataset('secret-spines', 'TOPSECRET-ALPHA spines', { access: 'private' }));
  await post(alice, dataset('embargo-spines', 'TOPSECRET-BETA spines', { access: 'embargoed', embargoEndDate: '2099-01-01' }));
  // a public dataset that has only a draft: its concept (id, title) is public, the draft's content is not
  await post(alice, dataset('draft-only', 'Gamma draft', { description: 'TOPSECRET-GAMMA in the draft only' }), false);
  await post(bob, dataset('bob-draft', 'Bob public draft'), false);
  const r = await svc.fetch(`/store?graph=${encodeURIComponent(FREE)}`, { method: 'PUT', token: ADMIN_TOKEN, headers: { 'content-type': 'text/turtle' }, body: '<http://secret.example/s> <http://secret.example/p> "TOPSECRET-DELTA" .' });
  expect(r.status).toBe(201);
}, 60_000);
afterAll(async () => svc?.stop());

const LEAK = /TOPSECRET|secret-spines|embargo-spines|secret\.example/;
/** The leaked text around the first match, for a readable failure. */
const leak = (text: string) => { const m = LEAK.exec(text); return m ? text.slice(Math.max(0, m.index - 200), m.index + 100) : ''; };

async function query(q: string, token: string | null, opts: { params?: string; accept?: string; method?: 'GET' | 'POST' } = {}) {
  const headers: Record<string, string> = { accept: opts.accept ?? 'application/sparql-results+json' };
  const res = opts.method === 'GET'
    ? await svc.fetch(`/sparql?query=${encodeURIComponent(q)}${opts.params ? `&${opts.params}` : ''}`, { token, headers })
    : await svc.fetch(`/sparql${opts.params ? `?${opts.params}` : ''}`, { method: 'POST', token, headers: { ...headers, 'content-type': 'application/sparql-query' }, body: q });
  return { status: res.status, text: await res.text() };
}

const TRICKS: { name: string; q: string; params?: string; accept?: string }[] = [
  { name: 'scan the default graph', q: 'SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), "TOPSECRET")) }' },
  { name: 'GRAPH ?g over every named graph', q: 'SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?o), "TOPSECRET") || CONTAINS(STR(?g), "secret")) }' },
  { name: 'list graph names', q: 'SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }' },
  { name: 'FROM the private version', q: `SELECT ?o FROM <${SECRET_V}> WHERE { ?s ?p ?o }` },
  { name: 'FROM without spaces, lower case', q: `select ?o from<${SECRET_V}>where{?s ?p ?o}` },
  { name: 'FROM with a prefixed name', q: `PREFIX v: <${BASE}/datasets/secret-spines/versions/> SELECT ?o FROM v:1 WHERE { ?s ?p ?o }` },
  { name: 'FROM with a relative IRI and BASE', q: `BASE <${BASE}/datasets/> SELECT ?o FROM <secret-spines/versions/1> WHERE { ?s ?p ?o }` },
  { name: 'FROM with \\u escapes in the IRI', q: `SELECT ?o FROM <${SECRET_V.replace('secret-spines', 'secret\\u002Dspines')}> WHERE { ?s ?p ?o }` },
  { name: 'FROM after a comment that hides a brace', q: `SELECT ?o # {\nFROM <${SECRET_V}> WHERE { ?s ?p ?o }` },
  { name: 'FROM NAMED the draft, the embargoed version and the free graph', q: `SELECT ?g ?o FROM NAMED <${DRAFT}> FROM NAMED <${EMB_V}> FROM NAMED <${FREE}> WHERE { GRAPH ?g { ?s ?p ?o } }` },
  { name: 'GRAPH <private> explicitly', q: `SELECT ?o WHERE { GRAPH <${SECRET_V}> { ?s ?p ?o } }` },
  { name: 'VALUES ?g with private names', q: `SELECT ?g ?o WHERE { VALUES ?g { <${SECRET_V}> <${EMB_V}> <${DRAFT}> <${FREE}> <${SECRET_C}> } GRAPH ?g { ?s ?p ?o } }` },
  { name: 'default-graph-uri = private', q: 'SELECT ?o WHERE { ?s ?p ?o }', params: `default-graph-uri=${encodeURIComponent(SECRET_V)}&default-graph-uri=${encodeURIComponent(FREE)}` },
  { name: 'named-graph-uri = private', q: 'SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } }', params: `named-graph-uri=${encodeURIComponent(EMB_V)}&named-graph-uri=${encodeURIComponent(DRAFT)}` },
  { name: 'DESCRIBE the private version', q: `DESCRIBE <${SECRET_V}>`, accept: 'application/n-triples' },
  { name: 'DESCRIBE the private concept', q: `DESCRIBE <${SECRET_C}> <${EMB_V}> <http://secret.example/s>`, accept: 'text/turtle' },
  { name: 'CONSTRUCT everything from every graph', q: 'CONSTRUCT { ?s ?p ?o } WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }', accept: 'application/n-triples' },
  { name: 'ASK about a private title', q: 'ASK { { ?s ?p "TOPSECRET-ALPHA spines" } UNION { GRAPH ?g { ?s ?p "TOPSECRET-ALPHA spines" } } }' },
  { name: 'count triples per graph', q: 'SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g' },
  { name: 'concepts and access rights', q: 'SELECT ?c ?a WHERE { GRAPH ?g { ?c <http://purl.org/dc/terms/accessRights> ?a } }' },
  { name: 'provenance of every activity', q: 'SELECT ?a ?x WHERE { GRAPH ?g { ?a <http://www.w3.org/ns/prov#generated> ?x } }' },
];

describe('private data never leaks through /sparql', () => {
  it('positive controls: admin and the owner see the markers (so the checks below can fail)', async () => {
    const q = 'SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?o), "TOPSECRET")) }';
    const admin = await query(q, ADMIN_TOKEN);
    for (const m of ['ALPHA', 'BETA', 'GAMMA', 'DELTA']) expect(admin.text).toContain(`TOPSECRET-${m}`);
    const owner = await query(q, alice);
    for (const m of ['ALPHA', 'BETA', 'GAMMA']) expect(owner.text).toContain(`TOPSECRET-${m}`);
    expect(owner.text).not.toContain('TOPSECRET-DELTA');
    expect((await query(`SELECT ?o FROM <${SECRET_V}> WHERE { ?s ?p ?o }`, alice)).text).toContain('TOPSECRET-ALPHA');
    expect((await query(`SELECT ?o WHERE { ?s ?p ?o }`, alice, { params: `default-graph-uri=${encodeURIComponent(SECRET_V)}` })).text).toContain('TOPSECRET-ALPHA');
  });

  for (const who of ['anonymous', 'bob'] as const) {
    for (const t of TRICKS) {
      it(`${who}: ${t.name}`, async () => {
        for (const method of ['GET', 'POST'] as const) {
          const r = await query(t.q, who === 'bob' ? bob : null, { params: t.params, accept: t.accept, method });
          expect(r.status, r.text.slice(0, 500)).toBe(200);
          expect(leak(r.text)).toBe('');
        }
      });
    }
  }

  it('SERVICE is refused (no way to call back into the endpoint with other rights)', async () => {
    const r = await query(`SELECT * WHERE { SERVICE <${svc.url}/sparql> { ?s ?p ?o } }`, null);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).detail).toMatch(/SERVICE/);
    const silent = await query(`SELECT * WHERE { SERVICE SILENT <http://secret.example/sparql> { ?s ?p ?o } }`, bob);
    expect(silent.status).toBe(400);
  });

  it('a malformed query naming a private graph gets the same error as one naming a missing graph', async () => {
    const a = await query(`SELECT ?o FROM <${SECRET_V}> WHERE { ?s ?p }`, null);
    const b = await query(`SELECT ?o FROM <${SECRET_V.replace('secret-spines', 'nosuch-spines')}> WHERE { ?s ?p }`, null);
    expect(a.status).toBe(400);
    expect(JSON.parse(a.text).detail).toBe(JSON.parse(b.text).detail);
  });

  it('the service description names no private graph', async () => {
    const res = await svc.fetch('/sparql', { token: null, headers: { accept: 'text/turtle' } });
    const text = await res.text();
    expect(text).toContain('sd:endpoint');
    expect(text).not.toMatch(LEAK);
  });
});

describe('private data never leaks through /store or SPARQL Update', () => {
  const gsp = (g: string, token: string | null, method = 'GET') => svc.fetch(`/store?graph=${encodeURIComponent(g)}`, { method, token, headers: { accept: 'text/turtle' } });

  it('GET / HEAD / DELETE of a private graph is the same 404 as for a graph that does not exist', async () => {
    for (const who of [null, bob]) {
      for (const g of [SECRET_V, EMB_V, DRAFT, FREE, SECRET_C]) {
        for (const method of ['GET', 'HEAD', 'DELETE']) {
          const a = await gsp(g, who, method);
          const missing = g.replace(/secret-spines|embargo-spines|draft-only|secret\.example/, 'zzz');
          const b = await gsp(missing, who, method);
          expect(a.status, `${method} ${g}`).toBe(404);
          expect(b.status).toBe(404);
          if (method !== 'HEAD') expect((await a.text()).replace(g, 'X')).toBe((await b.text()).replace(missing, 'X'));
        }
      }
    }
    expect((await gsp(SECRET_V, alice)).status).toBe(200);
    expect((await gsp(FREE, ADMIN_TOKEN)).status).toBe(200);
  });

  it('writing to a private draft is refused with the same words as a missing dataset', async () => {
    const put = (g: string) => svc.fetch(`/store?graph=${encodeURIComponent(g)}`, { method: 'PUT', token: bob, headers: { 'content-type': 'text/turtle' }, body: '<http://x/s> <http://x/p> "o" .' });
    const secretDraft = `${BASE}/datasets/secret-spines/draft`;
    const a = await put(secretDraft), b = await put(`${BASE}/datasets/zzz-none/draft`);
    expect(a.status).toBe(403);
    expect(b.status).toBe(403);
    expect((await a.json()).detail.replace(secretDraft, 'X')).toBe((await b.json()).detail.replace(`${BASE}/datasets/zzz-none/draft`, 'X'));
  });

  it('an update cannot copy private triples into a graph the caller owns', async () => {
    const before = await svc.ctx.store.dumpGraph(BOB_DRAFT);
    for (const src of [SECRET_V, EMB_V, DRAFT, FREE]) {
      const u = `PREFIX dcat: <http://www.w3.org/ns/dcat#>
        INSERT { GRAPH <${BOB_DRAFT}> { <${BOB_DRAFT}> dcat:keyword ?o } }
        WHERE { { GRAPH <${src}> { ?s ?p ?o } } UNION { ?s ?p ?o } FILTER(isLiteral(?o) && CONTAINS(STR(?o), "TOPSECRET")) }`;
      const res = await svc.fetch('/sparql', { method: 'POST', token: bob, headers: { 'content-type': 'application/sparql-update' }, body: u });
      expect(res.status, await res.clone().text()).toBe(200);
      expect(await res.text()).not.toMatch(LEAK);
      const res2 = await svc.fetch(`/sparql?using-named-graph-uri=${encodeURIComponent(src)}&using-graph-uri=${encodeURIComponent(src)}`, { method: 'POST', token: bob, headers: { 'content-type': 'application/sparql-update' }, body: `PREFIX dcat: <http://www.w3.org/ns/dcat#> INSERT { GRAPH <${BOB_DRAFT}> { <${BOB_DRAFT}> dcat:keyword ?o } } WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } FILTER(isLiteral(?o) && CONTAINS(STR(?o), "TOPSECRET")) }` });
      expect(res2.status).toBe(200);
    }
    const after = await svc.ctx.store.dumpGraph(BOB_DRAFT);
    expect(after).toBe(before);
    expect(after).not.toMatch(/TOPSECRET/);
  });

  it('a control: the owner can copy from her own private version into her draft', async () => {
    const u = `PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dcterms: <http://purl.org/dc/terms/>
      INSERT { GRAPH <${DRAFT}> { <${DRAFT}> dcat:keyword ?t } } WHERE { GRAPH <${SECRET_V}> { <${SECRET_V}> dcterms:title ?t } }`;
    const res = await svc.fetch('/sparql', { method: 'POST', token: alice, headers: { 'content-type': 'application/sparql-update' }, body: u });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await svc.ctx.store.dumpGraph(DRAFT)).toContain('"TOPSECRET-ALPHA spines"');
  });
});
