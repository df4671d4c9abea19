/**
 * Every change to a draft, by any route, is checked on the whole resulting graph
 * (src/service/draft-check.ts): emptying a draft, loose subjects, a second dataset node, junk in
 * a table graph are refused with a 422 problem listing what is wrong, and the store is unchanged;
 * publishing checks the draft again; valid edits still go through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { startTestService, type TestService } from './helpers/service.js';
import { projectPath } from '../src/util/paths.js';
import { NS } from '../src/model/namespaces.js';

let svc: TestService;
let alice: string;
let D: string;
let T: string;
let OTHER_V1: string;

const dataset = (id: string) => ({ id, title: `Draft checks ${id}`, description: 'A dataset whose draft is attacked.', creators: [{ name: 'Doe, Jane' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['neuron'] });

beforeAll(async () => {
  svc = await startTestService({ examples: false });
  alice = svc.ctx.tokens.create('alice', 'contributor');
  for (const [id, q] of [['dv', ''], ['dv-other', '?publish=true']]) {
    const r = await svc.fetch(`/datasets${q}`, { method: 'POST', token: alice, headers: { 'content-type': 'application/json' }, body: JSON.stringify(dataset(id)) });
    expect(r.status, await r.clone().text()).toBe(201);
  }
  const neurons = readFileSync(projectPath('examples', 'syndb-style', 'neuron.csv'), 'utf8');
  const t = await svc.fetch('/datasets/dv/tables/neuron', { method: 'PUT', body: neurons, headers: { 'content-type': 'text/csv' }, token: alice });
  expect(t.status, await t.clone().text()).toBe(201);
  D = svc.ctx.iris.draft('dv');
  T = svc.ctx.iris.table('dv', 'draft', 'neuron');
  OTHER_V1 = svc.ctx.iris.version('dv-other', 1);
}, 120_000);
afterAll(async () => svc?.stop());

const update = (u: string) => svc.fetch('/sparql', { method: 'POST', token: alice, headers: { 'content-type': 'application/sparql-update' }, body: u });
const gsp = (method: string, g: string, body?: string, type = 'application/n-triples') =>
  svc.fetch(`/store?graph=${encodeURIComponent(g)}`, { method, token: alice, headers: body === undefined ? {} : { 'content-type': type }, body });

interface ProblemBody { title: string; detail: string; errors: Array<{ message: string; focusNode?: string; path: string }> }

/** The request is refused with 422, its problem lists at least one error matching `re`, and the store is unchanged. */
async function refused(send: () => Promise<Response>, re: RegExp) {
  const draft = await svc.ctx.store.dumpGraph(D);
  const table = await svc.ctx.store.dumpGraph(T);
  const count = await svc.quadCount();
  const r = await send();
  const text = await r.text();
  expect(r.status, text).toBe(422);
  expect(r.headers.get('content-type')).toContain('application/problem+json');
  const p = JSON.parse(text) as ProblemBody;
  expect(p.errors.length).toBeGreaterThan(0);
  expect(p.errors.map((e) => e.message).join('\n')).toMatch(re);
  expect(await svc.ctx.store.dumpGraph(D)).toBe(draft);
  expect(await svc.ctx.store.dumpGraph(T)).toBe(table);
  expect(await svc.quadCount()).toBe(count);
  return p;
}

describe('a contributor cannot empty her draft', () => {
  const empty = /would be empty/;
  it('CLEAR GRAPH', () => refused(() => update(`CLEAR GRAPH <${D}>`), empty));
  it('DROP GRAPH', () => refused(() => update(`DROP GRAPH <${D}>`), empty));
  it('DELETE WHERE over the whole graph', () => refused(() => update(`DELETE WHERE { GRAPH <${D}> { ?s ?p ?o } }`), empty));
  it('COPY / MOVE from a graph that does not exist', async () => {
    await refused(() => update(`COPY <urn:nothing> TO <${D}>`), empty);
    await refused(() => update(`COPY SILENT <urn:nothing> TO <${D}>`), empty);
    // MOVE also drops its source, a graph a contributor may not write: refused before validation
    const count = await svc.quadCount();
    const r = await update(`MOVE SILENT <urn:nothing> TO <${D}>`);
    expect(r.status, await r.text()).toBe(403);
    expect(await svc.quadCount()).toBe(count);
  });
  it('Graph Store PUT with an empty body, and DELETE', async () => {
    await refused(() => gsp('PUT', D, '', 'text/turtle'), empty);
    await refused(() => gsp('DELETE', D), empty);
  });
});

describe('nothing in a draft escapes the shapes', () => {
  it('a subject not reached from the dataset is refused', async () => {
    const p = await refused(() => update(`PREFIX syndb: <${NS.syndb}> INSERT DATA { GRAPH <${D}> { <${D}/junk> syndb:species "not a taxon" } }`), /not part of the dataset/);
    expect(p.errors.some((e) => e.focusNode === `${D}/junk`)).toBe(true);
  });
  it('PUT /datasets/{id} with a loose node in its Turtle is refused', async () => {
    const ttl = readFileSync(projectPath('examples', 'forms', 'l4dense-motta2019.ttl'), 'utf8') + `\n<junk> <${NS.syndb}species> "not a taxon" .\n`;
    const p = await refused(() => svc.fetch('/datasets/dv', { method: 'PUT', token: alice, headers: { 'content-type': 'text/turtle' }, body: ttl }), /not part of the dataset/);
    expect(p.errors.filter((e) => /not part of the dataset/.test(e.message)).map((e) => e.focusNode)).toEqual([expect.stringMatching(/\/junk$/)]);
  });
  it('a second dataset node is refused (ADD from another dataset\'s version, or typed by hand)', async () => {
    await refused(() => update(`ADD <${OTHER_V1}> TO <${D}>`), /exactly one dataset/);
    await refused(() => update(`PREFIX dcat: <${NS.dcat}> PREFIX dcterms: <${NS.dcterms}> INSERT DATA { GRAPH <${D}> { <${D}> dcterms:relation <${D}/x> . <${D}/x> a dcat:Dataset ; dcterms:title "x" } }`), /exactly one dataset/);
  });
  it('removing what makes the dataset node a version of its dataset is refused', async () => {
    await refused(() => update(`PREFIX dcterms: <${NS.dcterms}> DELETE WHERE { GRAPH <${D}> { <${D}> dcterms:isVersionOf ?c } }`), /must be a version of/);
  });
  it('Graph Store POST of junk into a table graph is refused with the row shapes', async () => {
    await refused(() => gsp('POST', T, `<${T}/rows/x2> <${NS.syndb}voxelVolume> "abc" .\n`), /is not a neuron row/);
    await refused(() => gsp('POST', T, `<${T}/rows/x2> <${NS.rdf}type> <${NS.syndb}Neuron> .\n<${T}/rows/x2> <${NS.syndb}voxelVolume> "abc" .\n`), /voxel_volume|voxelVolume|number/i);
    await refused(() => gsp('POST', T, `<http://example.org/elsewhere> <${NS.syndb}voxelVolume> "1"^^<${NS.xsd}double> .\n`), /not a row of the neuron table/);
  });
  it('valid edits still go through: a keyword by SPARQL, a row value by Graph Store POST', async () => {
    const k = await update(`PREFIX dcat: <${NS.dcat}> INSERT DATA { GRAPH <${D}> { <${D}> dcat:keyword "still editable" } }`);
    expect(k.status, await k.clone().text()).toBe(200);
    const row = (await svc.ctx.store.select(`SELECT ?r WHERE { GRAPH <${T}> { ?r a <${NS.syndb}Neuron> } } LIMIT 1`))[0].r.value;
    const r = await gsp('POST', T, `<${row}> <${NS.rdfs}comment> "checked" .\n`);
    expect(r.status, await r.clone().text()).toBe(200);
    expect(await svc.ctx.store.ask(`ASK { GRAPH <${D}> { <${D}> <${NS.dcat}keyword> "still editable" } }`)).toBe(true);
  });
});

describe('publishing checks the draft again', () => {
  it('a draft that is not valid (written before these checks) is not published', async () => {
    // an invalid draft can no longer be written through the service: put one in the store directly
    const draft = await svc.ctx.store.dumpGraph(D);
    await svc.ctx.store.transact([{ op: 'add', nquads: `<${D}/junk> <${NS.syndb}species> "not a taxon" <${D}> .\n` }]);
    const count = await svc.quadCount();
    const r = await svc.fetch('/datasets/dv/versions', { method: 'POST', token: alice });
    const text = await r.text();
    expect(r.status, text).toBe(422);
    const p = JSON.parse(text) as ProblemBody;
    expect(p.errors.some((e) => e.focusNode === `${D}/junk` && /not part of the dataset/.test(e.message))).toBe(true);
    expect(await svc.quadCount()).toBe(count);
    expect(svc.ctx.catalog.entries.get('dv')!.versions).toEqual([]);
    expect(await svc.ctx.store.dumpGraph(svc.ctx.iris.version('dv', 1))).toBe('');
    // once repaired, it publishes
    await svc.ctx.store.transact([{ op: 'delete', nquads: `<${D}/junk> <${NS.syndb}species> "not a taxon" <${D}> .\n` }]);
    expect(await svc.ctx.store.dumpGraph(D)).toBe(draft);
    const ok = await svc.fetch('/datasets/dv/versions', { method: 'POST', token: alice });
    expect(ok.status, await ok.clone().text()).toBe(201);
  });
});
