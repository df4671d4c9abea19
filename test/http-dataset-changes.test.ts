/**
 * PATCH /datasets/{id} (JSON Merge Patch, If-Match), DELETE /datasets/{id} (removal of a never
 * published dataset, withdrawal of a published one), ETags of dataset representations, and 405
 * with Allow for methods a path does not support.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import canonize from 'rdf-canonize';
import { parseRdf } from '../src/util/rdf.js';
import { exampleFiles } from '../src/service/examples.js';
import { startTestService, ADMIN_TOKEN, BASE, type TestService } from './helpers/service.js';

let svc: TestService;
let alice: string;
let bob: string;
let curator: string;
beforeAll(async () => {
  svc = await startTestService();
  alice = svc.ctx.tokens.create('alice', 'contributor');
  bob = svc.ctx.tokens.create('bob', 'contributor');
  curator = svc.ctx.tokens.create('carol', 'curator');
});
afterAll(async () => svc?.stop());

const dataset = (id: string) => ({
  id, title: 'Spines in mouse V1', description: 'A test dataset.',
  creators: [{ name: 'Doe, Jane', orcid: '0000-0002-1825-0097' }, { name: 'Example Lab', type: 'Organization' }],
  license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['synapse'],
  publications: [{ doi: '10.1126/science.aay3134' }], keywords: ['spines', 'cortex'],
});
const create = async (id: string, token = alice) => {
  const res = await svc.fetch('/datasets', { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify(dataset(id)) });
  expect(res.status).toBe(201);
};
const patch = (id: string, body: unknown, opts: { token?: string | null; type?: string; ifMatch?: string } = {}) => svc.fetch(`/datasets/${id}`, {
  method: 'PATCH', token: opts.token === undefined ? alice : opts.token, body: typeof body === 'string' ? body : JSON.stringify(body),
  headers: { 'content-type': opts.type ?? 'application/merge-patch+json', ...(opts.ifMatch ? { 'if-match': opts.ifMatch } : {}) },
});
const draftTurtle = async (id: string) => (await svc.fetch(`/datasets/${id}`, { token: alice, headers: { accept: 'text/turtle' } })).text();
const etag = async (id: string, accept = 'application/ld+json', token: string | null = alice) => {
  const res = await svc.fetch(`/datasets/${id}`, { token, headers: { accept } });
  expect(res.status).toBe(200);
  return res.headers.get('etag')!;
};
async function problem(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
  return res.json() as Promise<{ status: number; title: string; detail: string; errors?: Array<{ path: string; message: string }>; allow?: string[] }>;
}
/** canonical N-Quads of a draft, skolem IRIs back to blank nodes */
async function canonicalDraft(id: string) {
  const nq = (await svc.ctx.store.dumpGraph(`${BASE}/datasets/${id}/draft`)).replace(/<[^>]*\/\.well-known\/genid\/([^>]+)>/g, '_:$1');
  return (await canonize.canonize(parseRdf(nq, 'application/n-quads') as never, { algorithm: 'RDFC-1.0' })).split('\n').filter(Boolean);
}

describe('PATCH /datasets/{id}: JSON Merge Patch of the Dataset JSON', () => {
  it('changes only what the patch names; null removes a field', async () => {
    await create('patch-one');
    const res = await patch('patch-one', { title: 'Dendritic spines of L2/3 neurons', keywords: null, strain: 'C57BL/6' });
    expect(res.status).toBe(200);
    const body = await res.json() as { id: string; draft: string; activity: string };
    expect(body).toMatchObject({ id: 'patch-one', draft: `${BASE}/datasets/patch-one/draft` });
    const ttl = await draftTurtle('patch-one');
    expect(ttl).toMatch(/Dendritic spines of L2\/3 neurons/);
    expect(ttl).not.toMatch(/Spines in mouse V1/);
    // the dataset's keywords are gone (the SPARQL service it is served by keeps its own)
    expect(ttl).not.toMatch(/"spines"|"cortex"/);
    expect(ttl).toMatch(/C57BL\/6/);
    expect(ttl).toMatch(/Doe/); expect(ttl).toMatch(/Example Lab/); expect(ttl).toMatch(/0000-0002-1825-0097/);
    expect(ttl).toMatch(/science\.aay3134/);
    // the change is recorded with the patch document as its input
    const act = await svc.ctx.store.select(`SELECT ?f WHERE { GRAPH <${BASE}/datasets/patch-one/provenance> { <${body.activity}> <http://www.w3.org/ns/prov#used> ?e . ?e <http://purl.org/dc/terms/format> ?f } }`);
    expect(act.map((r) => r.f.value)).toEqual(['application/merge-patch+json']);
  });

  it('an empty patch of every example gives the graph its Dataset JSON gives (the JSON form round-trips)', async () => {
    for (const f of exampleFiles()) {
      const json = JSON.parse(readFileSync(f, 'utf8')) as { id: string };
      const res = await patch(json.id, {}, { token: ADMIN_TOKEN });
      expect(res.status, `${json.id}: ${await res.clone().text()}`).toBe(200);
      const viaPatch = await canonicalDraft(json.id);
      const put = await svc.fetch(`/datasets/${json.id}`, { method: 'PUT', token: ADMIN_TOKEN, headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) });
      expect(put.status).toBe(200);
      const viaPut = await canonicalDraft(json.id);
      expect(viaPatch.length, json.id).toBeGreaterThan(20);
      expect(viaPatch, json.id).toEqual(viaPut);
    }
  });

  it('is validated like every write: 422 with every problem, nothing stored', async () => {
    await create('patch-bad');
    const before = await svc.quadCount();
    const b = await problem(await patch('patch-bad', { species: 'mouze', license: null, creators: [] }), 422);
    const paths = b.errors!.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['species', 'license', 'creators']));
    expect(await svc.quadCount()).toBe(before);
    expect(await draftTurtle('patch-bad')).toMatch(/Spines in mouse V1/);
  });

  it('refuses what is not a merge patch of this dataset', async () => {
    await create('patch-shape');
    const before = await svc.quadCount();
    expect((await problem(await patch('patch-shape', '{"title": ', {}), 400)).title).toMatch(/Malformed JSON/);
    await problem(await patch('patch-shape', [{ op: 'replace', path: '/title', value: 'x' }]), 422);
    expect((await problem(await patch('patch-shape', { id: 'other-id' }), 422)).errors![0].path).toBe('id');
    const r415 = await patch('patch-shape', { title: 'x' }, { type: 'application/json-patch+json' });
    await problem(r415, 415);
    expect(r415.headers.get('accept-patch')).toMatch(/application\/merge-patch\+json/);
    expect((await patch('patch-shape', { title: 'Plain JSON works too' }, { type: 'application/json' })).status).toBe(200);
    expect(await svc.quadCount()).toBeGreaterThan(before);
  });

  it('is authorised as PUT: owner, curator or admin', async () => {
    await create('patch-auth');
    await problem(await patch('patch-auth', { title: 'x' }, { token: null }), 401);
    await problem(await patch('patch-auth', { title: 'x' }, { token: bob }), 403);
    await problem(await patch('no-such-dataset', { title: 'x' }), 404);
    expect((await patch('patch-auth', { title: 'By the curator' }, { token: curator })).status).toBe(200);
    expect((await patch('patch-auth', { title: 'By the admin' }, { token: ADMIN_TOKEN })).status).toBe(200);
  });

  it('a published dataset without draft is patched from its latest version into a new draft', async () => {
    const res = await patch('l4dense-motta2019', { keywords: ['connectomics', 'patched keyword'] }, { token: ADMIN_TOKEN });
    expect(res.status).toBe(200);
    const draft = await svc.ctx.store.dumpGraph(`${BASE}/datasets/l4dense-motta2019/draft`);
    expect(draft).toMatch(/"patched keyword"/);
    expect(draft).not.toMatch(/"barrel cortex"/);
    expect(draft).toMatch(/Motta/);
    // the published version is unchanged
    expect(await svc.ctx.store.dumpGraph(`${BASE}/datasets/l4dense-motta2019/versions/1`)).not.toMatch(/"patched keyword"/);
  });
});

describe('ETag and If-Match', () => {
  it('every representation has its own strong ETag, which changes with every change of the dataset', async () => {
    await create('etag-one');
    const ld = await etag('etag-one');
    const ttl = await etag('etag-one', 'text/turtle');
    expect(ld).toMatch(/^"[^"]+"$/);
    expect(ttl).not.toBe(ld);
    expect(await etag('etag-one')).toBe(ld);
    expect((await patch('etag-one', { title: 'Changed' })).status).toBe(200);
    expect(await etag('etag-one')).not.toBe(ld);
  });

  it('PATCH and PUT with a stale If-Match are 412 and change nothing; the current one or none proceeds', async () => {
    await create('etag-two');
    const first = await etag('etag-two');
    const ttlTag = await etag('etag-two', 'text/turtle');
    expect((await patch('etag-two', { title: 'Second title' }, { ifMatch: first })).status).toBe(200);
    const before = await svc.quadCount();
    // the other client still holds the first ETag: its update would be lost
    const stale = await problem(await patch('etag-two', { title: 'Lost update' }, { ifMatch: first }), 412);
    expect(stale.title).toBe('Precondition Failed');
    await problem(await patch('etag-two', { title: 'Lost update' }, { ifMatch: ttlTag }), 412);
    const put = (ifMatch?: string) => svc.fetch('/datasets/etag-two', { method: 'PUT', token: alice, headers: { 'content-type': 'application/json', ...(ifMatch ? { 'if-match': ifMatch } : {}) }, body: JSON.stringify({ ...dataset('etag-two'), title: 'Put title' }) });
    await problem(await put(first), 412);
    expect(await svc.quadCount()).toBe(before);
    expect(await draftTurtle('etag-two')).toMatch(/Second title/);
    // weak tags never match (strong comparison)
    const current = await etag('etag-two', 'text/turtle');
    await problem(await patch('etag-two', { title: 'x' }, { ifMatch: `W/${current}` }), 412);
    // the ETag of any current representation, a list holding it, or *, proceeds
    expect((await put(`"nope", ${current}`)).status).toBe(200);
    expect((await patch('etag-two', { title: 'Third title' }, { ifMatch: '*' })).status).toBe(200);
    expect((await patch('etag-two', { title: 'Fourth title' })).status).toBe(200);
    expect(await draftTurtle('etag-two')).toMatch(/Fourth title/);
  });
});

describe('DELETE /datasets/{id}', () => {
  it('removes a never-published dataset entirely: draft, tables, assets, provenance, catalog entry', async () => {
    await create('delete-draft');
    const csv = readFileSync('examples/syndb-style/synapse.csv', 'utf8');
    expect((await svc.fetch('/datasets/delete-draft/tables/synapse', { method: 'PUT', token: alice, headers: { 'content-type': 'text/csv' }, body: csv })).status).toBe(201);
    const swc = '1 1 0 0 0 1 -1\n2 3 0 0 5 0.5 1\n';
    const asset = await svc.fetch('/datasets/delete-draft/assets?filename=cell1.swc', { method: 'POST', token: alice, headers: { 'content-type': 'text/plain' }, body: swc });
    expect(asset.status).toBe(201);
    const graphs = async () => (await svc.ctx.store.graphs()).filter((g) => g.startsWith(`${BASE}/datasets/delete-draft`));
    expect((await graphs()).length).toBeGreaterThanOrEqual(4); // concept, draft, provenance, table
    await problem(await svc.fetch('/datasets/delete-draft', { method: 'DELETE', token: bob }), 403);
    await problem(await svc.fetch('/datasets/delete-draft', { method: 'DELETE', token: null }), 401);
    await problem(await svc.fetch('/datasets/delete-draft', { method: 'DELETE', token: alice, headers: { 'if-match': '"stale"' } }), 412);
    expect((await graphs()).length).toBeGreaterThanOrEqual(4);
    const res = await svc.fetch('/datasets/delete-draft', { method: 'DELETE', token: alice, headers: { 'if-match': await etag('delete-draft') } });
    expect(res.status).toBe(204);
    expect(await graphs()).toEqual([]);
    const left = await svc.ctx.store.select(`SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o FILTER(STRSTARTS(STR(?s), "${BASE}/datasets/delete-draft") && ?g != <${BASE}/graphs/provenance>) } }`);
    expect(Number(left[0].n.value)).toBe(0);
    // the service's own provenance graph records the deletion
    const del = await svc.ctx.store.select(`SELECT ?a WHERE { GRAPH <${BASE}/graphs/provenance> { ?a a <https://w3id.org/syndb/ontology#Delete> ; <http://www.w3.org/ns/prov#invalidated> <${BASE}/datasets/delete-draft> } }`);
    expect(del).toHaveLength(1);
    expect(svc.ctx.catalog.entries.has('delete-draft')).toBe(false);
    await problem(await svc.fetch('/datasets/delete-draft', { token: alice }), 404);
    await problem(await svc.fetch('/datasets/delete-draft/tables/synapse', { token: alice }), 404);
    await problem(await svc.fetch('/datasets/delete-draft/assets/cell1.swc', { token: alice }), 404);
    await problem(await svc.fetch('/datasets/delete-draft', { method: 'DELETE', token: alice }), 404);
    const list = await (await svc.fetch('/datasets', { token: alice, headers: { accept: 'application/json' } })).json() as { datasets: Array<{ id: string }> };
    expect(list.datasets.map((d) => d.id)).not.toContain('delete-draft');
    // the id is free again
    await create('delete-draft');
  });

  it('withdraws a published dataset as withdrawal does (tombstones stay) and discards its draft', async () => {
    await create('delete-published');
    expect((await svc.fetch('/datasets/delete-published/versions', { method: 'POST', token: alice })).status).toBe(201);
    expect((await svc.fetch('/datasets/delete-published/versions', { method: 'POST', token: alice })).status).toBe(409); // no draft
    expect((await patch('delete-published', { title: 'Version two' })).status).toBe(200);
    expect((await svc.fetch('/datasets/delete-published/versions', { method: 'POST', token: alice })).status).toBe(201);
    expect((await patch('delete-published', { title: 'An unpublished third draft' })).status).toBe(200);
    const res = await svc.fetch('/datasets/delete-published', { method: 'DELETE', token: alice, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'duplicate of another dataset' }) });
    expect(res.status).toBe(200);
    const body = await res.json() as { withdrawn: number[]; reason: string; latestVersion: null; draftDiscarded: boolean; activity: string };
    expect(body).toMatchObject({ withdrawn: [1, 2], reason: 'duplicate of another dataset', latestVersion: null, draftDiscarded: true });
    const gone = await problem(await svc.fetch('/datasets/delete-published', { token: alice }), 410);
    expect(gone.detail).toMatch(/duplicate of another dataset/);
    await problem(await svc.fetch('/datasets/delete-published/versions/1'), 410);
    const bib = await svc.fetch('/datasets/delete-published/versions/1', { headers: { accept: 'application/x-bibtex' } });
    expect(bib.status).toBe(410);
    expect(await bib.text()).toMatch(/Withdrawn/);
    expect(await svc.ctx.store.dumpGraph(`${BASE}/datasets/delete-published/draft`)).toBe('');
    expect(await svc.ctx.store.dumpGraph(`${BASE}/datasets/delete-published/versions/1`)).toMatch(/Spines in mouse V1/); // kept for its citations
    const hist = await svc.fetch('/datasets/delete-published/history', { token: alice, headers: { accept: 'application/json' } });
    expect(hist.status).toBe(200);
    expect(await hist.text()).toContain(body.activity);
    await problem(await svc.fetch('/datasets/delete-published', { method: 'DELETE', token: alice }), 409);
  });

  it('a published dataset without a reason gets a default one', async () => {
    await create('delete-noreason');
    expect((await svc.fetch('/datasets/delete-noreason/versions', { method: 'POST', token: alice })).status).toBe(201);
    const res = await svc.fetch('/datasets/delete-noreason', { method: 'DELETE', token: curator });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { reason: string }).reason).toMatch(/deleted by carol/);
    expect(svc.ctx.catalog.entries.get('delete-noreason')?.withdrawn.has(1)).toBe(true);
  });
});

describe('405 Method Not Allowed with Allow, derived from the routes', () => {
  const allowOf = (res: Response) => (res.headers.get('allow') ?? '').split(/,\s*/).filter(Boolean);
  it('a method a path does not support', async () => {
    for (const [method, path, must] of [
      ['DELETE', '/datasets', ['GET', 'HEAD', 'POST']],
      ['POST', '/datasets/l4dense-motta2019', ['DELETE', 'GET', 'HEAD', 'PATCH', 'PUT']],
      ['PUT', '/datasets/l4dense-motta2019/history', ['GET', 'HEAD']],
      ['PATCH', '/catalog', ['GET', 'HEAD']],
      ['DELETE', '/health', ['GET', 'HEAD']],
      ['POST', '/datasets/l4dense-motta2019/versions/1', ['GET', 'HEAD']],
      ['PATCH', '/datasets/l4dense-motta2019/tables/synapse', ['GET', 'HEAD', 'PUT']],
    ] as const) {
      const res = await svc.fetch(path, { method, token: ADMIN_TOKEN });
      const b = await problem(res, 405);
      expect(b.title).toBe('Method Not Allowed');
      const allow = allowOf(res);
      expect(allow, `${method} ${path}`).toEqual(expect.arrayContaining([...must]));
      expect(allow).not.toContain(method);
    }
  });
  it('OPTIONS answers 204 with Allow', async () => {
    const res = await svc.fetch('/datasets/l4dense-motta2019', { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(allowOf(res)).toEqual(expect.arrayContaining(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'PUT']));
    const list = await svc.fetch('/datasets', { method: 'OPTIONS' });
    expect(allowOf(list)).toEqual(expect.arrayContaining(['GET', 'POST']));
    expect(allowOf(list)).not.toContain('DELETE');
  });
  it('unknown paths stay 404', async () => {
    await problem(await svc.fetch('/no/such/path', { method: 'DELETE', token: ADMIN_TOKEN }), 404);
    await problem(await svc.fetch('/no/such/path', { method: 'OPTIONS' }), 404);
    await problem(await svc.fetch('/datasets/l4dense-motta2019/no-such-part', { method: 'PATCH', token: ADMIN_TOKEN }), 404);
  });
});
