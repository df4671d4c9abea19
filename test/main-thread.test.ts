/**
 * The main thread never blocks on an upload: while the service parses and validates a dataset
 * description at the limits (in a worker thread), /health keeps answering; hostile bodies (300,000
 * keywords, 50,000 nested blank nodes, deep JSON-LD, huge strings) are refused with a 4xx problem
 * that names the setting to raise, and nothing is stored.
 *
 * No timed assertions: "not blocked" is shown by order. /health requests are sent one after the
 * other for as long as the heavy request is in flight; if the main thread were busy with it they
 * could not complete before it (a blocked event loop answers nothing), so several completing
 * first proves the work ran elsewhere or in short slices.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestService, ADMIN_TOKEN, type TestService } from './helpers/service.js';
import { DEFAULT_INPUT_LIMITS } from '../src/model/input-limits.js';

// the first upload to a worker starts it (under tsx the worker compiles its modules first)
vi.setConfig({ testTimeout: 180_000 });

let svc: TestService;
let alice: string;
const L = DEFAULT_INPUT_LIMITS;

beforeAll(async () => {
  svc = await startTestService({ examples: false, config: { maxBody: 16 * 1024 * 1024} });
  alice = svc.ctx.tokens.create('alice', 'contributor');
}, 60_000);
afterAll(async () => svc?.stop());

const base = (id: string, extra: Record<string, unknown> = {}) => ({
  id, title: `Big ${id}`, description: 'A large description.', creators: [{ name: 'Doe, Jane' }], license: 'CC-BY-4.0',
  species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['synapse'], ...extra,
});
const keywords = (n: number) => Array.from({ length: n }, (_, i) => `keyword ${i}`);
const TTL_PREFIX = '@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> . @prefix ex: <http://example.org/> .\n';

function upload(body: string, type: string) {
  return svc.fetch('/datasets', { method: 'POST', token: alice, headers: { 'content-type': type, accept: 'application/problem+json' }, body });
}

/** Send `heavy`, and /health one request after another until it answers; count those that came back first. */
async function healthWhile(heavy: () => Promise<Response>) {
  let done = false;
  let before = 0, failed = 0;
  const h = heavy().then(async (r) => { done = true; return { status: r.status, body: await r.text() }; });
  while (!done) {
    const r = await svc.fetch('/health');
    if (r.status !== 200) failed++;
    await r.arrayBuffer();
    if (!done) before++;
  }
  return { heavy: await h, before, failed };
}

describe('limits on uploads, named in the problem', () => {
  it('300,000 keywords (3 MB of JSON): 413 naming SYNDB_MAX_INPUT_ITEMS, /health answered meanwhile, nothing stored', async () => {
    const quadsBefore = await svc.quadCount();
    const body = JSON.stringify(base('kw-hostile', { keywords: keywords(300_000) }));
    expect(body.length).toBeGreaterThan(3_000_000);
    const { heavy, failed } = await healthWhile(() => upload(body, 'application/json'));
    expect(heavy.status).toBe(413);
    const p = JSON.parse(heavy.body);
    expect(p.limit).toBe('SYNDB_MAX_INPUT_ITEMS');
    expect(p.detail).toContain('SYNDB_MAX_INPUT_ITEMS');
    expect(p.detail).toContain('keywords');
    expect(failed).toBe(0);
    expect(await svc.quadCount()).toBe(quadsBefore);
  });

  it('50,000 nested blank nodes in 400 KB of Turtle: 400 naming SYNDB_MAX_INPUT_DEPTH', async () => {
    const n = 50_000;
    const body = `${TTL_PREFIX}<> a dcat:Dataset ; dct:title "Nested" ; ex:p ${'[ ex:p '.repeat(n)}"x"${' ]'.repeat(n)} .\n`;
    expect(body.length).toBeGreaterThan(400_000);
    const { heavy, failed } = await healthWhile(() => upload(body, 'text/turtle'));
    expect(heavy.status).toBe(400);
    const p = JSON.parse(heavy.body);
    expect(p.limit).toBe('SYNDB_MAX_INPUT_DEPTH');
    expect(p.detail).toContain(`blank nodes nest deeper than ${L.maxDepth} levels`);
    expect(failed).toBe(0);
  });

  it('a chain of labelled blank nodes counts as nesting too', async () => {
    const chain = Array.from({ length: 200 }, (_, i) => `_:b${i} ex:p _:b${i + 1} .`).join('\n');
    const r = await upload(`${TTL_PREFIX}<> a dcat:Dataset ; dct:title "Chain" ; ex:p _:b0 .\n${chain}\n`, 'text/turtle');
    expect(r.status).toBe(400);
    expect((await r.json()).limit).toBe('SYNDB_MAX_INPUT_DEPTH');
  });

  it('a long RDF list is not nesting (rdf:rest stays on its level)', async () => {
    const r = await upload(`${TTL_PREFIX}<> a dcat:Dataset ; dct:title "List" ; ex:list ( ${Array.from({ length: 500 }, (_, i) => `"i${i}"`).join(' ')} ) .\n`, 'text/turtle');
    expect(r.status).toBeLessThan(500);
    const b = await r.json();
    expect(b.limit).toBeUndefined();
  });

  it('deeply nested JSON-LD: 400 naming SYNDB_MAX_INPUT_DEPTH', async () => {
    const n = 5_000;
    const body = `{"@context":"https://w3id.org/syndb/context.jsonld","@type":"dcat:Dataset","http://example.org/p":${'{"http://example.org/p":'.repeat(n)}"x"${'}'.repeat(n)}}`;
    const r = await upload(body, 'application/ld+json');
    expect(r.status).toBe(400);
    expect((await r.json()).limit).toBe('SYNDB_MAX_INPUT_DEPTH');
  });

  it('deeply nested dataset JSON: 400 naming SYNDB_MAX_INPUT_DEPTH', async () => {
    const r = await upload(`{"id":"deep","title":"Deep","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, 'application/json');
    expect(r.status).toBe(400);
    expect((await r.json()).limit).toBe('SYNDB_MAX_INPUT_DEPTH');
  });

  it('a string longer than SYNDB_MAX_INPUT_STRING: 413', async () => {
    const r = await upload(JSON.stringify(base('long-string', { description: 'x'.repeat(L.maxString + 1) })), 'application/json');
    expect(r.status).toBe(413);
    const p = await r.json();
    expect(p.limit).toBe('SYNDB_MAX_INPUT_STRING');
    expect(p.detail).toContain('description');
  });

  it('more triples than SYNDB_MAX_INPUT_TRIPLES (values spread over many properties): 413', async () => {
    const per = 9_000, props = Math.ceil(L.maxTriples / per) + 1;
    const lines = Array.from({ length: props }, (_, p) => `ex:p${p} ${Array.from({ length: per }, (_, i) => i).join(', ')}`).join(' ;\n');
    const r = await upload(`${TTL_PREFIX}<> a dcat:Dataset ; dct:title "Many" ;\n${lines} .\n`, 'text/turtle');
    expect(r.status).toBe(413);
    expect((await r.json()).limit).toBe('SYNDB_MAX_INPUT_TRIPLES');
  });
});

describe('a body at the limits is processed off the main thread', () => {
  it(`JSON with ${L.maxItems} keywords and no licence: every value validated (422), /health answered several times meanwhile`, async () => {
    // refused by validation, so nothing but parsing and validation happens inside the request
    const { license: _l, ...noLicence } = base('kw-refused', { keywords: keywords(L.maxItems) });
    const { heavy, before, failed } = await healthWhile(() => upload(JSON.stringify(noLicence), 'application/json'));
    expect(heavy.status, heavy.body.slice(0, 500)).toBe(422);
    expect(heavy.body).toContain('license');
    expect(failed).toBe(0);
    expect(before).toBeGreaterThanOrEqual(5);
  });

  it(`JSON with ${L.maxItems} keywords: stored (201) with every keyword, /health answered meanwhile`, async () => {
    const body = JSON.stringify(base('kw-at-limit', { keywords: keywords(L.maxItems) }));
    const { heavy, before, failed } = await healthWhile(() => upload(body, 'application/json'));
    expect(heavy.status, heavy.body.slice(0, 500)).toBe(201);
    expect(failed).toBe(0);
    expect(before).toBeGreaterThanOrEqual(5);
    const n = await svc.ctx.store.select(`SELECT (COUNT(*) AS ?n) WHERE { GRAPH <${svc.ctx.iris.draft('kw-at-limit')}> { ?s <http://www.w3.org/ns/dcat#keyword> ?k } }`);
    expect(Number(n[0].n.value)).toBe(L.maxItems);
  });

  it(`publishing that draft (validated again, ${L.maxItems} keywords): 201, /health answered meanwhile`, async () => {
    const { heavy, before, failed } = await healthWhile(() => svc.fetch('/datasets/kw-at-limit/versions', { method: 'POST', token: alice, headers: { 'content-type': 'application/json' }, body: '{}' }));
    expect(heavy.status, heavy.body.slice(0, 300)).toBe(201);
    expect(failed).toBe(0);
    expect(before).toBeGreaterThanOrEqual(5);
  });

  it(`Turtle with ${L.maxItems} keywords: validated (422), /health answered several times meanwhile`, async () => {
    const kws = keywords(L.maxItems).map((k) => JSON.stringify(k)).join(', ');
    const body = `${TTL_PREFIX}@prefix syndb: <https://w3id.org/syndb/> .\n<> a dcat:Dataset ; dct:identifier "ttl-at-limit" ; dct:title "TTL at limit" ; dcat:keyword ${kws} .\n`;
    const { heavy, before, failed } = await healthWhile(() => upload(body, 'text/turtle'));
    // the Turtle lacks required fields, so SHACL refuses it after checking every value
    expect(heavy.status, heavy.body.slice(0, 300)).toBe(422);
    expect(failed).toBe(0);
    expect(before).toBeGreaterThanOrEqual(5);
  });

  it('afterwards a normal upload and /health still work', async () => {
    expect((await upload(JSON.stringify(base('after')), 'application/json')).status).toBe(201);
    expect((await svc.fetch('/health')).status).toBe(200);
  });
});

describe('Graph Store bodies: the same limits, parsed and validated off the main thread', () => {
  const gsp = (graph: string, body: string, type: string) => svc.fetch(`/store?graph=${encodeURIComponent(graph)}`, {
    method: 'PUT', token: ADMIN_TOKEN, headers: { 'content-type': type, accept: 'application/problem+json' }, body });

  it('Turtle with 50,000 nested blank nodes: 400 naming SYNDB_MAX_INPUT_DEPTH, /health answered meanwhile, nothing stored', async () => {
    const quadsBefore = await svc.quadCount();
    const n = 50_000;
    const body = `@prefix ex: <http://example.org/> .\nex:s ex:p ${'[ ex:p '.repeat(n)}"x"${' ]'.repeat(n)} .\n`;
    const { heavy, failed } = await healthWhile(() => gsp('http://example.org/nested', body, 'text/turtle'));
    expect(heavy.status, heavy.body.slice(0, 300)).toBe(400);
    expect(JSON.parse(heavy.body).limit).toBe('SYNDB_MAX_INPUT_DEPTH');
    expect(failed).toBe(0);
    expect(await svc.quadCount()).toBe(quadsBefore);
  });

  it('RDF/XML with nested blank nodes: 400 naming SYNDB_MAX_INPUT_DEPTH', async () => {
    const n = 200;
    const open = '<ex:p rdf:parseType="Resource">'.repeat(n), close = '</ex:p>'.repeat(n);
    const body = `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/s">${open}<ex:q>x</ex:q>${close}</rdf:Description></rdf:RDF>`;
    const r = await gsp('http://example.org/nested-xml', body, 'application/rdf+xml');
    expect(r.status).toBe(400);
    expect((await r.json()).limit).toBe('SYNDB_MAX_INPUT_DEPTH');
  });

  it('N-Triples with more than SYNDB_MAX_INPUT_TRIPLES triples: 413 naming it', async () => {
    const body = Array.from({ length: L.maxTriples + 1 }, (_, i) => `<http://example.org/s${i}> <http://example.org/p> "v${i}" .`).join('\n');
    const r = await gsp('http://example.org/too-many', body, 'application/n-triples');
    expect(r.status).toBe(413);
    expect((await r.json()).limit).toBe('SYNDB_MAX_INPUT_TRIPLES');
  });

  it('N-Triples at the triple limit: stored, /health answered several times while it was parsed and validated', async () => {
    const body = Array.from({ length: L.maxTriples }, (_, i) => `<http://example.org/s${i}> <http://example.org/p> "v${i}" .`).join('\n');
    const { heavy, before, failed } = await healthWhile(() => gsp('http://example.org/at-limit', body, 'application/n-triples'));
    expect(heavy.status, heavy.body.slice(0, 300)).toBe(201);
    expect(failed).toBe(0);
    expect(before).toBeGreaterThanOrEqual(5);
    const n = await svc.ctx.store.select('SELECT (COUNT(*) AS ?n) WHERE { GRAPH <http://example.org/at-limit> { ?s ?p ?o } }');
    expect(Number(n[0].n.value)).toBe(L.maxTriples);
  });
});
