/**
 * A never-published draft is as invisible through SPARQL (and the Graph Store) as through
 * GET /datasets/{id}: its concept graph, its provenance graph, its draft graph and its draft table
 * graphs answer nothing to an anonymous caller and to another contributor, even when the dataset's
 * access level is public. Positive controls: the owner and an admin see every one of them, and once
 * a version is published the concept and provenance graphs become public.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, ADMIN_TOKEN, BASE, type TestService } from './helpers/service.js';
import { projectPath } from '../src/util/paths.js';

let svc: TestService;
let alice: string;
let bob: string;
const ID = 'hidden-draft';
const CONCEPT = `${BASE}/datasets/${ID}`;
const PROV = `${CONCEPT}/provenance`;
const DRAFT = `${CONCEPT}/draft`;
const TABLE = `${DRAFT}/tables/neuron`;
const GRAPHS = [CONCEPT, PROV, DRAFT, TABLE];
const MARK = 'ZETA-UNPUBLISHED';
const LEAK = new RegExp(`${MARK}|${ID}`);

beforeAll(async () => {
  svc = await startTestService({ examples: false });
  alice = svc.ctx.tokens.create('alice', 'contributor');
  bob = svc.ctx.tokens.create('bob', 'contributor');
  const body = JSON.stringify({ id: ID, title: `${MARK} title`, description: `${MARK} description`, creators: [{ name: 'Doe, Jane' }],
    license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['neuron'], access: 'public' });
  const r = await svc.fetch('/datasets', { method: 'POST', token: alice, headers: { 'content-type': 'application/json' }, body });
  expect(r.status, await r.clone().text()).toBe(201);
  const csv = readFileSync(projectPath('examples', 'syndb-style', 'neuron.csv'), 'utf8');
  const t = await svc.fetch(`/datasets/${ID}/tables/neuron`, { method: 'PUT', token: alice, headers: { 'content-type': 'text/csv' }, body: csv });
  expect(t.status, await t.clone().text()).toBeLessThan(300);
}, 60_000);
afterAll(async () => svc?.stop());

async function query(q: string, token: string | null, opts: { params?: string; accept?: string } = {}) {
  const res = await svc.fetch(`/sparql${opts.params ? `?${opts.params}` : ''}`, { method: 'POST', token,
    headers: { accept: opts.accept ?? 'application/sparql-results+json', 'content-type': 'application/sparql-query' }, body: q });
  return { status: res.status, text: await res.text() };
}

const values = GRAPHS.map((g) => `<${g}>`).join(' ');
const QUERIES: { name: string; q: string; params?: string; accept?: string }[] = [
  { name: 'GRAPH ?g over every named graph', q: 'SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }' },
  { name: 'list graph names', q: 'SELECT DISTINCT ?g WHERE { GRAPH ?g { } }' },
  { name: 'the default graph union', q: 'SELECT ?s ?p ?o WHERE { ?s ?p ?o }' },
  { name: 'GRAPH <concept>, <provenance>, <draft>, <table> by name', q: `SELECT ?g ?s ?p ?o WHERE { VALUES ?g { ${values} } GRAPH ?g { ?s ?p ?o } }` },
  { name: 'GRAPH <provenance> literally', q: `SELECT * WHERE { GRAPH <${PROV}> { ?s ?p ?o } }` },
  { name: 'GRAPH <concept> literally', q: `SELECT * WHERE { GRAPH <${CONCEPT}> { ?s ?p ?o } }` },
  { name: 'GRAPH <draft table> literally', q: `SELECT * WHERE { GRAPH <${TABLE}> { ?s ?p ?o } }` },
  { name: 'FROM each graph', q: `SELECT ?s ?p ?o ${GRAPHS.map((g) => `FROM <${g}>`).join(' ')} WHERE { ?s ?p ?o }` },
  { name: 'FROM NAMED each graph', q: `SELECT ?g ?s ?p ?o ${GRAPHS.map((g) => `FROM NAMED <${g}>`).join(' ')} WHERE { GRAPH ?g { ?s ?p ?o } }` },
  { name: 'default-graph-uri / named-graph-uri', q: 'SELECT * WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }',
    params: GRAPHS.flatMap((g) => [`default-graph-uri=${encodeURIComponent(g)}`, `named-graph-uri=${encodeURIComponent(g)}`]).join('&') },
  { name: 'DESCRIBE the concept and the draft', q: `DESCRIBE <${CONCEPT}> <${DRAFT}>`, accept: 'application/n-triples' },
  { name: 'CONSTRUCT from every graph', q: 'CONSTRUCT { ?s ?p ?o } WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }', accept: 'application/n-triples' },
  { name: 'ASK whether the provenance graph exists', q: `ASK { GRAPH <${PROV}> { ?s ?p ?o } }` },
];

describe('a never-published public draft', () => {
  it('GET /datasets/{id} answers 404 to anonymous and to another contributor (the baseline)', async () => {
    expect((await svc.fetch(`/datasets/${ID}`, { headers: { accept: 'application/ld+json' } })).status).toBe(404);
    expect((await svc.fetch(`/datasets/${ID}`, { token: bob, headers: { accept: 'application/ld+json' } })).status).toBe(404);
  });

  it('control: the owner and an admin see every graph of the draft through SPARQL', async () => {
    const q = `SELECT DISTINCT ?g WHERE { VALUES ?g { ${values} } GRAPH ?g { ?s ?p ?o } }`;
    for (const token of [alice, ADMIN_TOKEN]) {
      const r = await query(q, token);
      expect(r.status).toBe(200);
      const seen = JSON.parse(r.text).results.bindings.map((b: { g: { value: string } }) => b.g.value).sort();
      expect(seen).toEqual([...GRAPHS].sort());
    }
    expect((await query(`ASK { GRAPH <${PROV}> { ?s ?p ?o } }`, alice)).text).toContain('true');
  });

  for (const who of ['anonymous', 'another contributor'] as const) {
    describe(`seen by ${who}`, () => {
      for (const t of QUERIES) {
        it(`${t.name}: nothing of the draft`, async () => {
          const r = await query(t.q, who === 'anonymous' ? null : bob, { params: t.params, accept: t.accept });
          expect(r.status).toBe(200);
          expect(LEAK.exec(r.text)?.[0]).toBeUndefined();
          if (t.q.startsWith('ASK')) expect(r.text).toContain('false');
        });
      }
      it('the Graph Store answers 404 for each graph, as for a graph that does not exist', async () => {
        for (const g of GRAPHS) {
          const r = await svc.fetch(`/store?graph=${encodeURIComponent(g)}`, { token: who === 'anonymous' ? null : bob, headers: { accept: 'application/n-triples' } });
          expect(r.status, g).toBe(404);
        }
      });
    });
  }

  it('REST answers the same: the dataset, its history, its versions and its activity are 404 with the words of a missing dataset', async () => {
    const own = await svc.fetch(`/datasets/${ID}/history`, { token: alice, headers: { accept: 'application/json' } });
    expect(own.status).toBe(200);
    const activity = (await own.json()).changes[0].activity as string;
    expect((await svc.fetch(new URL(activity).pathname, { token: alice, headers: { accept: 'application/ld+json' } })).status).toBe(200);
    for (const token of [null, bob]) {
      for (const path of [`/datasets/${ID}`, `/datasets/${ID}/history`, `/datasets/${ID}/versions`, new URL(activity).pathname]) {
        const r = await svc.fetch(path, { token, headers: { accept: 'application/json, application/ld+json;q=0.9' } });
        expect(r.status, `${path} as ${token ? 'bob' : 'anonymous'}`).toBe(404);
        // the answer may echo the id that was asked for, never the draft's content
        expect(await r.text(), path).not.toContain(MARK);
      }
    }
    const missing = await (await svc.fetch('/datasets/zzz-none', { headers: { accept: 'application/json' } })).json();
    const hidden = await (await svc.fetch(`/datasets/${ID}`, { headers: { accept: 'application/json' } })).json();
    expect(hidden.detail.replace(ID, 'X')).toBe(missing.detail.replace('zzz-none', 'X'));
  });

  it('once version 1 is published, the concept and provenance graphs become readable; the draft stays hidden', async () => {
    const p = await svc.fetch(`/datasets/${ID}/versions`, { method: 'POST', token: alice, headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(p.status, await p.clone().text()).toBe(201);
    expect((await svc.fetch(`/datasets/${ID}`, { headers: { accept: 'application/ld+json' } })).status).toBe(200);
    expect((await query(`ASK { GRAPH <${PROV}> { ?s ?p ?o } }`, null)).text).toContain('true');
    expect((await query(`ASK { GRAPH <${CONCEPT}> { ?s ?p ?o } }`, bob)).text).toContain('true');
    // a new draft after publishing is still the owner's alone
    const e = await svc.fetch(`/datasets/${ID}`, { method: 'PUT', token: alice, headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: ID, title: 'second draft OMEGA-DRAFT2', description: 'd', creators: [{ name: 'Doe, Jane' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['neuron'] }) });
    expect(e.status, await e.clone().text()).toBeLessThan(300);
    const r = await query('SELECT * WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }', null);
    expect(r.text).not.toContain('OMEGA-DRAFT2');
    expect((await query(`ASK { GRAPH <${DRAFT}> { ?s ?p ?o } }`, bob)).text).toContain('false');
  });
});
