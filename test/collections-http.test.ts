/** Collections and tags over HTTP: lifecycle, permissions, privacy, DCAT, citations, search facet. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestService, ADMIN_TOKEN, type TestService } from './helpers/service.js';
import { JENA } from './helpers/shared.js';

let svc: TestService;
let alice: string, bob: string, curator: string;
beforeAll(async () => {
  svc = await startTestService();
  alice = svc.ctx.tokens.create('alice', 'contributor');
  bob = svc.ctx.tokens.create('bob', 'contributor');
  curator = svc.ctx.tokens.create('carol', 'curator');
  const res = await svc.fetch('/datasets?publish=true', { method: 'POST', token: bob, headers: { 'content-type': 'application/json' }, body: JSON.stringify({
    id: 'bob-private', title: 'Bob private cortex data', description: 'x', creators: [{ name: 'Roe, Bob' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'VISp', microscopyMethod: 'SBEM', compartments: ['synapse'], access: 'private',
  }) });
  expect(res.status).toBe(201);
}, 60_000);
afterAll(async () => svc?.stop());

const send = (method: string, path: string, body: unknown, token: string | null) =>
  svc.fetch(path, { method, token, headers: { 'content-type': 'application/json', accept: 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
type Coll = { id: string; title: string; access: string; members: Array<{ id: string }> };

describe('lifecycle', () => {
  it('create, read, add and remove members, edit, delete; every change has provenance', async () => {
    let res = await send('POST', '/collections', { id: 'mouse-cortex-em', title: 'Mouse cortex EM', description: 'Volume EM of mouse cortex.', members: ['l4dense-motta2019', 'microns-minnie65-v117'] }, alice);
    expect(res.status, await res.clone().text()).toBe(201);
    expect(res.headers.get('location')).toBe('/collections/mouse-cortex-em');
    let c = await res.json() as Coll;
    expect(c.members.map((m) => m.id)).toEqual(['l4dense-motta2019', 'microns-minnie65-v117']);
    res = await send('POST', '/collections/mouse-cortex-em/members', { dataset: 'syndb-style-example' }, alice);
    expect(res.status).toBe(200);
    expect(((await res.json()) as Coll).members).toHaveLength(3);
    res = await send('DELETE', '/collections/mouse-cortex-em/members/microns-minnie65-v117', undefined, alice);
    expect(((await res.json()) as Coll).members.map((m) => m.id)).toEqual(['l4dense-motta2019', 'syndb-style-example']);
    res = await send('PUT', '/collections/mouse-cortex-em', { title: 'Mouse cortex volume EM' }, alice);
    c = await res.json() as Coll;
    expect(c.title).toBe('Mouse cortex volume EM');
    expect(c.members).toHaveLength(2);
    // survives a reload from the store
    await (await import('../src/service/search-services.js')).searchServices(svc.ctx).then((s) => s.collections.load());
    c = await (await svc.fetch('/collections/mouse-cortex-em', { headers: { accept: 'application/json' } })).json() as Coll;
    expect(c.title).toBe('Mouse cortex volume EM');
    expect(c.members.map((m) => m.id)).toEqual(['l4dense-motta2019', 'syndb-style-example']);
    const prov = await svc.ctx.store.select(`SELECT (COUNT(?a) AS ?n) WHERE { GRAPH <http://localhost:3030/collections/mouse-cortex-em/provenance> { ?a a <http://www.w3.org/ns/prov#Activity> } }`);
    expect(Number(prov[0].n.value)).toBe(4);
  });
  it('only the owner or a curator may change it', async () => {
    await send('POST', '/collections', { id: 'alice-coll', title: 'Alice', members: ['l4dense-motta2019'] }, alice);
    expect((await send('PUT', '/collections/alice-coll', { title: 'Bob was here' }, bob)).status).toBe(403);
    expect((await send('DELETE', '/collections/alice-coll', undefined, null)).status).toBe(401);
    expect((await send('PUT', '/collections/alice-coll', { title: 'Curated' }, curator)).status).toBe(200);
    expect((await send('DELETE', '/collections/alice-coll', undefined, alice)).status).toBe(204);
    expect((await svc.fetch('/collections/alice-coll')).status).toBe(404);
  });
  it('rejects bad input with every problem, and changes nothing', async () => {
    const before = await svc.quadCount();
    const res = await send('POST', '/collections', { id: 'Bad Id', title: '', access: 'secret', members: ['no-such-dataset', 'bob-private', 'l4dense-motta2019@9'], colour: 'red' }, alice);
    expect(res.status).toBe(422);
    const b = await res.json() as { errors: Array<{ path: string; message: string }> };
    const paths = b.errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['id', 'title', 'access', 'members[0]', 'members[1]', 'members[2]', 'colour']));
    expect(b.errors.find((e) => e.path === 'members[1]')!.message).toBe('no dataset "bob-private"');
    expect(b.errors.find((e) => e.path === 'members[2]')!.message).toMatch(/no version 9; versions: 1/);
    expect(await svc.quadCount()).toBe(before);
    expect((await send('POST', '/collections', { id: 'mouse-cortex-em', title: 'dup' }, alice)).status).toBe(409);
  });
});

describe('privacy', () => {
  it('private collections and private members are hidden from others', async () => {
    await send('POST', '/collections', { id: 'bob-secret', title: 'Bob secret list', access: 'private', members: ['bob-private'] }, bob);
    await send('POST', '/collections', { id: 'bob-public', title: 'Bob public list', members: ['bob-private', 'l4dense-motta2019'] }, bob);
    expect((await svc.fetch('/collections/bob-secret')).status).toBe(404);
    expect((await svc.fetch('/collections/bob-secret', { token: bob, headers: { accept: 'application/json' } })).status).toBe(200);
    const list = await (await svc.fetch('/collections', { headers: { accept: 'application/json' } })).json() as { collections: Coll[] };
    expect(list.collections.map((c) => c.id)).not.toContain('bob-secret');
    for (const fmt of ['json', 'ttl', 'jsonld', 'bibtex', 'ris', 'html']) {
      const text = await (await svc.fetch(`/collections/bob-public?format=${fmt}`)).text();
      expect(text, fmt).not.toMatch(/bob-private|Bob private/);
    }
    expect(await (await svc.fetch('/collections/bob-public?format=json', { token: bob })).text()).toContain('bob-private');
    const search = await (await svc.fetch('/datasets?collection=bob-public', { headers: { accept: 'application/json' } })).json() as { datasets: Coll[] };
    expect(search.datasets.map((d) => d.id)).toEqual(['l4dense-motta2019']);
    expect((await svc.fetch('/datasets?collection=bob-secret', { headers: { accept: 'application/json' } })).status).toBe(400);
  });
});

describe('representations', () => {
  it('DCAT in Turtle passes Jena; a catalog with its datasets', async () => {
    const ttl = await (await svc.fetch('/collections/mouse-cortex-em', { headers: { accept: 'text/turtle' } })).text();
    const dir = mkdtempSync(join(tmpdir(), 'coll-'));
    writeFileSync(join(dir, 'c.ttl'), ttl);
    writeFileSync(join(dir, 'q.rq'), 'PREFIX dcat: <http://www.w3.org/ns/dcat#> SELECT ?d WHERE { ?c a dcat:Catalog ; dcat:dataset ?d . ?d a dcat:Dataset } ORDER BY ?d');
    const out = spawnSync(JENA, ['sparql', '--data', join(dir, 'c.ttl'), '--query', join(dir, 'q.rq'), '--results', 'csv'], { encoding: 'utf8' });
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout.trim().split(/\r?\n/).slice(1)).toEqual(['http://localhost:3030/datasets/l4dense-motta2019', 'http://localhost:3030/datasets/syndb-style-example']);
  }, 60_000);
  it('one citation file with every member: BibTeX (bibtexparser) and RIS', async () => {
    const bib = await (await svc.fetch('/collections/mouse-cortex-em?format=bibtex')).text();
    expect(bib.match(/^@\w+\{/gm)).toHaveLength(2);
    const py = spawnSync('python3', ['-c', 'import sys,bibtexparser; db=bibtexparser.loads(sys.stdin.read()); print(len(db.entries))'], { input: bib, encoding: 'utf8' });
    if (py.status === 0) expect(py.stdout.trim()).toBe('2');
    const ris = await (await svc.fetch('/collections/mouse-cortex-em', { headers: { accept: 'application/x-research-info-systems' } })).text();
    expect(ris.match(/^TY {2}- /gm)).toHaveLength(2);
    const res = await svc.fetch('/collections/mouse-cortex-em?format=bibtex&download');
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="?collection-mouse-cortex-em\.bib"?/);
  });
  it('landing page with members, citation box and DCAT links', async () => {
    const html = await (await svc.fetch('/collections/mouse-cortex-em', { headers: { accept: 'text/html' } })).text();
    expect(html).toContain('<h1>Mouse cortex volume EM</h1>');
    expect(html).toContain('href="/datasets/l4dense-motta2019"');
    expect(html).toContain('data-citation-box');
    expect(html).toContain('rel="alternate" type="text/turtle"');
  });
  it('a tag collection: members are the datasets that carry the tag', async () => {
    const res = await send('POST', '/collections', { kind: 'tag', title: 'Multimodal' }, ADMIN_TOKEN);
    expect(res.status).toBe(201);
    const c = await res.json() as Coll;
    expect(c.members.map((m) => m.id).sort(), JSON.stringify(c)).toEqual(['dendritic-consortium-hydra', 'dendritic-consortium-mouse-v1']);
    const bad = await send('POST', `/collections/${c.id}/members`, { dataset: 'l4dense-motta2019' }, ADMIN_TOKEN);
    expect(bad.status).toBe(422);
    const facet = await (await svc.fetch('/datasets', { headers: { accept: 'application/json' } })).json() as { facets: { collection: Array<{ value: string; count: number }> } };
    expect(facet.facets.collection.find((f) => f.value === c.id)?.count).toBe(2);
  });
});
