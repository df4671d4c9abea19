import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import canonize from 'rdf-canonize';
import { parseRdf } from '../src/util/rdf.js';
import { startTestService, ADMIN_TOKEN, BASE, type TestService } from './helpers/service.js';

let svc: TestService;
let contributor: string;
let other: string;
beforeAll(async () => {
  svc = await startTestService();
  contributor = svc.ctx.tokens.create('alice', 'contributor');
  other = svc.ctx.tokens.create('bob', 'contributor');
});
afterAll(async () => svc?.stop());

const valid = () => ({
  id: 'test-dataset',
  title: 'Spines in mouse V1',
  description: 'A test dataset.',
  creators: [{ name: 'Doe, Jane', orcid: '0000-0002-1825-0097' }, { name: 'Example Lab', type: 'Organization' }],
  license: 'CC-BY-4.0',
  species: 'mouse',
  brainRegion: 'V1',
  microscopyMethod: 'SBEM',
  compartments: ['synapse'],
  publications: [{ doi: '10.1126/science.aay3134' }],
});

async function problem(res: Response) {
  expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
  return res.json() as Promise<{ status: number; title: string; detail: string; errors?: Array<{ path: string; value?: string; message: string; suggestions?: unknown[] }> }>;
}

/** Each bad input: the reply, and the store unchanged (quad count before = after). */
async function rejected(send: () => Promise<Response>, status: number) {
  const before = await svc.quadCount();
  const res = await send();
  expect(res.status).toBe(status);
  const body = await problem(res);
  expect(await svc.quadCount()).toBe(before);
  return body;
}

const post = (body: string, type = 'application/json', token: string | null = contributor) =>
  svc.fetch('/datasets', { method: 'POST', body, headers: { 'content-type': type }, token });

describe('health and reads', () => {
  it('GET /health', async () => {
    const res = await svc.fetch('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });
  it('lists the examples', async () => {
    const res = await svc.fetch('/datasets', { headers: { accept: 'application/json' } });
    const body = await res.json() as { datasets: Array<{ id: string }> };
    expect(body.datasets.map((d) => d.id)).toEqual(expect.arrayContaining(['l4dense-motta2019', 'microns-minnie65-v117', 'syndb-style-example']));
  });
  it('negotiates a dataset as Turtle, N-Triples, JSON-LD, RDF/XML and HTML', async () => {
    for (const [accept, re] of [['text/turtle', /dcterms:title/], ['application/n-triples', /<http:\/\/purl.org\/dc\/terms\/title>/], ['application/ld+json', /"@context"/], ['application/rdf+xml', /<rdf:RDF/], ['text/html', /<h1>Dense connectomic/]] as const) {
      const res = await svc.fetch('/datasets/l4dense-motta2019', { headers: { accept } });
      expect(res.status, accept).toBe(200);
      expect(res.headers.get('content-type')).toContain(accept);
      expect(await res.text()).toMatch(re);
    }
    const res = await svc.fetch('/datasets/l4dense-motta2019?format=ttl');
    expect(res.headers.get('content-type')).toContain('text/turtle');
  });
  it('406 for a format we cannot produce', async () => {
    const res = await svc.fetch('/datasets/l4dense-motta2019', { headers: { accept: 'image/png' } });
    expect(res.status).toBe(406);
  });
});

describe('SPARQL over the four source systems', () => {
  const select = async (q: string) => {
    const res = await svc.fetch(`/sparql?query=${encodeURIComponent(q)}`, { headers: { accept: 'application/sparql-results+json' } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { results: { bindings: Array<Record<string, { value: string }>> } }).results.bindings;
  };
  it('which datasets cite 10.1126/science.aay3134', async () => {
    const rows = await select('PREFIX dcterms: <http://purl.org/dc/terms/> SELECT ?d WHERE { ?d dcterms:isReferencedBy <https://doi.org/10.1126/science.aay3134> }');
    expect(rows.map((r) => r.d.value)).toEqual([`${BASE}/datasets/l4dense-motta2019/versions/1`]);
  });
  it('which tables MICrONS v117 has', async () => {
    const rows = await select(`PREFIX syndb: <https://w3id.org/syndb/ontology#> PREFIX schema: <http://schema.org/>
      SELECT ?name WHERE { <${BASE}/datasets/microns-minnie65-v117/versions/1> syndb:sourceTable ?t . ?t schema:name ?name ; syndb:materializationVersion 117 } ORDER BY ?name`);
    expect(rows.map((r) => r.name.value)).toEqual(['allen_soma_coarse_cell_class_model_v1', 'nucleus_detection_v0', 'nucleus_neuron_svm', 'synapses_pni_2']);
  });
  it('which datasets are from mouse, with their regions labelled', async () => {
    const rows = await select(`PREFIX syndb: <https://w3id.org/syndb/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
      SELECT DISTINCT ?d ?label WHERE { ?d syndb:species <http://purl.obolibrary.org/obo/NCBITaxon_10090> ; syndb:brainRegion ?r . ?r skos:prefLabel ?label }`);
    expect(rows.length).toBeGreaterThanOrEqual(3);
  });
  it('a bad query is a 400 problem with the position', async () => {
    const res = await svc.fetch(`/sparql?query=${encodeURIComponent('SELECT * WHERE { ?s ?p }')}`);
    expect(res.status).toBe(400);
    const body = await problem(res);
    expect(body.detail).toMatch(/1:|line|column|position|expected/i);
  });
});

describe('writes', () => {
  it('creates a draft (201 + Location) and publishes it', async () => {
    const res = await post(JSON.stringify(valid()));
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/datasets/test-dataset');
    const pub = await svc.fetch('/datasets/test-dataset/versions', { method: 'POST', token: contributor, headers: { 'content-type': 'application/json' }, body: '{"notes":"first"}' });
    expect(pub.status).toBe(201);
    const v = await svc.fetch('/datasets/test-dataset/versions/1', { headers: { accept: 'text/turtle' } });
    expect(await v.text()).toMatch(/dcat:version "1"/);
  });
  it('the three input forms of one dataset give the same graph', async () => {
    const ids = ['form-json', 'form-ttl', 'form-jsonld'];
    const j = JSON.parse(readFileSync('examples/l4dense-motta2019.json', 'utf8'));
    await expect((await post(JSON.stringify({ ...j, id: ids[0] }))).status).toBe(201);
    await expect((await svc.fetch(`/datasets?id=${ids[1]}`, { method: 'POST', token: contributor, headers: { 'content-type': 'text/turtle' }, body: readFileSync('examples/forms/l4dense-motta2019.ttl', 'utf8') })).status).toBe(201);
    await expect((await svc.fetch(`/datasets?id=${ids[2]}`, { method: 'POST', token: contributor, headers: { 'content-type': 'application/ld+json' }, body: readFileSync('examples/forms/l4dense-motta2019.jsonld', 'utf8') })).status).toBe(201);
    // isomorphic: skolem IRIs back to blank nodes, ids made equal, then RDFC-1.0 canonical N-Quads
    const graphs = await Promise.all(ids.map(async (id) => {
      const nq = (await svc.ctx.store.dumpGraph(`${BASE}/datasets/${id}/draft`))
        .replace(/<[^>]*\/\.well-known\/genid\/([^>]+)>/g, '_:$1')
        .replace(new RegExp(`/datasets/${id}(?=[/>#])`, 'g'), '/datasets/X');
      return (await canonize.canonize(parseRdf(nq, 'application/n-quads') as never, { algorithm: 'RDFC-1.0' })).split('\n').filter(Boolean);
    }));
    expect(graphs[0].length).toBeGreaterThan(100);
    expect(graphs[1]).toEqual(graphs[0]);
    expect(graphs[2]).toEqual(graphs[0]);
  });
});

describe('bad input: a clear problem+json and the store unchanged', () => {
  it('malformed JSON -> 400', async () => {
    const b = await rejected(() => post('{"title": "x",,}'), 400);
    expect(b.errors![0].message).toMatch(/not valid JSON at line 1/);
  });
  it('malformed Turtle -> 400', async () => {
    const b = await rejected(() => post('<> a <http://www.w3.org/ns/dcat#Dataset> ; <http://purl.org/dc/terms/title> "x" ', 'text/turtle'), 400);
    expect(b.errors![0].message).toMatch(/Turtle/);
  });
  it('malformed JSON-LD -> 4xx', async () => {
    const res = await rejected(() => post('{"@context": {"@vocab": 5}, "@id": ""}', 'application/ld+json'), 422);
    expect(res.errors![0].message).toMatch(/JSON-LD/);
  });
  it('unknown vocabulary terms -> 422 suggesting the closest', async () => {
    const b = await rejected(() => post(JSON.stringify({ ...valid(), id: 'x-vocab', species: 'mouze', brainRegion: 'primary visal area' })), 422);
    const species = b.errors!.find((e) => e.path === 'species')!;
    expect(species.value).toBe('mouze');
    expect(JSON.stringify(species.suggestions)).toMatch(/NCBITaxon_10090/);
    const region = b.errors!.find((e) => e.path === 'brainRegion')!;
    expect(JSON.stringify(region.suggestions)).toMatch(/MBA_385/);
  });
  it('every missing required field is listed at once', async () => {
    const { title, license, compartments, ...rest } = valid();
    void title; void license; void compartments;
    const b = await rejected(() => post(JSON.stringify({ ...rest, id: 'x-missing' })), 422);
    const paths = b.errors!.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['title', 'license', 'compartments']));
  });
  it('a wrong datatype -> 422', async () => {
    const b = await rejected(() => post(JSON.stringify({ ...valid(), id: 'x-type', title: 42, publications: [{ doi: '10.1126/science.aay3134', year: 'twenty' }] })), 422);
    expect(b.errors!.map((e) => e.path)).toEqual(expect.arrayContaining(['title', 'publications[0].year']));
  });
  it('a wrong datatype in Turtle is caught by SHACL -> 422', async () => {
    const ttl = readFileSync('examples/forms/l4dense-motta2019.ttl', 'utf8').replace('schema:position 3 ]', 'schema:position "three" ]');
    const b = await rejected(() => svc.fetch('/datasets?id=x-ttl-type', { method: 'POST', token: contributor, headers: { 'content-type': 'text/turtle' }, body: ttl }), 422);
    expect(b.errors!.some((e) => /position/.test(e.path))).toBe(true);
  });
  it('a DOI that is not a DOI -> 422', async () => {
    const b = await rejected(() => post(JSON.stringify({ ...valid(), id: 'x-doi', doi: 'not-a-doi', publications: [{ doi: 'science.aay3134' }] })), 422);
    expect(b.errors!.map((e) => e.path)).toEqual(expect.arrayContaining(['publications[0].doi']));
    expect(b.errors!.some((e) => e.value === 'not-a-doi')).toBe(true);
  });
  it('two species break the homogeneity rule -> 422', async () => {
    const b = await rejected(() => post(JSON.stringify({ ...valid(), id: 'x-homog', specimens: [{ id: 'M1', species: 'human' }] })), 422);
    expect(b.errors!.length).toBeGreaterThan(0);
  });
  it('a body over the limit -> 413', async () => {
    await rejected(() => post(JSON.stringify({ ...valid(), description: 'x'.repeat(300 * 1024) })), 413);
  });
  it('an unsupported content type -> 415', async () => {
    await rejected(() => post('title=x', 'application/x-www-form-urlencoded'), 415);
  });
  it('an unknown dataset id -> 404', async () => {
    const res = await svc.fetch('/datasets/no-such-dataset');
    expect(res.status).toBe(404);
    await problem(res);
  });
  it('a missing token -> 401, a wrong token -> 401, a reader token -> 403', async () => {
    await rejected(() => post(JSON.stringify({ ...valid(), id: 'x-auth' }), 'application/json', null), 401);
    await rejected(() => post(JSON.stringify({ ...valid(), id: 'x-auth' }), 'application/json', 'wrong-token'), 401);
    const reader = svc.ctx.tokens.create('carol', 'reader');
    await rejected(() => post(JSON.stringify({ ...valid(), id: 'x-auth' }), 'application/json', reader), 403);
  });
  it('publishing someone else\'s dataset -> 403', async () => {
    await rejected(() => svc.fetch('/datasets/form-json/versions', { method: 'POST', token: other }), 403);
  });
  it('a duplicate id -> 409', async () => {
    await rejected(() => post(JSON.stringify(valid())), 409);
  });
  it('the admin token works', async () => {
    const res = await post(JSON.stringify({ ...valid(), id: 'by-admin' }), 'application/json', ADMIN_TOKEN);
    expect(res.status).toBe(201);
  });
});

describe('private datasets', () => {
  it('are invisible to others, in lists, reads and SPARQL', async () => {
    const res = await post(JSON.stringify({ ...valid(), id: 'secret-data', title: 'Secret spines', access: 'private' }) + '', 'application/json', contributor);
    expect(res.status).toBe(201);
    await svc.fetch('/datasets/secret-data/versions', { method: 'POST', token: contributor });
    expect((await svc.fetch('/datasets/secret-data')).status).toBe(404);
    expect((await svc.fetch('/datasets/secret-data', { token: other })).status).toBe(404);
    expect((await svc.fetch('/datasets/secret-data', { token: contributor, headers: { accept: 'text/turtle' } })).status).toBe(200);
    const list = await (await svc.fetch('/datasets', { headers: { accept: 'application/json' } })).text();
    expect(list).not.toContain('secret-data');
    for (const q of [
      'SELECT ?t WHERE { ?d <http://purl.org/dc/terms/title> ?t }',
      'SELECT ?t WHERE { GRAPH ?g { ?d <http://purl.org/dc/terms/title> ?t } }',
      `SELECT ?t FROM <${BASE}/datasets/secret-data/versions/1> WHERE { ?d <http://purl.org/dc/terms/title> ?t }`,
      `SELECT ?t FROM NAMED <${BASE}/datasets/secret-data/versions/1> WHERE { GRAPH ?g { ?d <http://purl.org/dc/terms/title> ?t } }`,
    ]) {
      const r = await svc.fetch(`/sparql?query=${encodeURIComponent(q)}&default-graph-uri=&x=1`, { headers: { accept: 'application/sparql-results+json' } });
      const text = await r.text();
      expect(text, q).not.toContain('Secret spines');
      const r2 = await svc.fetch(`/sparql?query=${encodeURIComponent(q)}`, { headers: { accept: 'application/sparql-results+json' } });
      expect(await r2.text(), q).not.toContain('Secret spines');
    }
  });
});
