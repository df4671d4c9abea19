/**
 * Compartment tables over HTTP: upload (PUT text/csv), rejection of a table with invalid rows
 * (first problems + counts, nothing written), download round trip, CSVW metadata, examples.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { startTestService, BASE, type TestService } from './helpers/service.js';
import { projectPath } from '../src/util/paths.js';
import { NS } from '../src/model/namespaces.js';

let svc: TestService;
let alice: string;
let bob: string;
beforeAll(async () => {
  svc = await startTestService();
  alice = svc.ctx.tokens.create('alice', 'contributor');
  bob = svc.ctx.tokens.create('bob', 'contributor');
  const ds = { id: 'tables-test', title: 'Table test', description: 'Tables.', creators: [{ name: 'Doe, Jane' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['synapse'] };
  const res = await svc.fetch('/datasets', { method: 'POST', body: JSON.stringify(ds), headers: { 'content-type': 'application/json' }, token: alice });
  expect(res.status).toBe(201);
}, 120_000);
afterAll(async () => svc?.stop());

const example = (t: string) => readFileSync(projectPath('examples', 'syndb-style', `${t}.csv`), 'utf8');
const put = (id: string, c: string, body: string, token: string | null = alice, type = 'text/csv') =>
  svc.fetch(`/datasets/${id}/tables/${c}`, { method: 'PUT', body, headers: { 'content-type': type }, token });

/** Synthetic synapse table with SynDB's column names. */
function synapses(n: number, bad?: { row: number; column: string; value: string }) {
  const cols = ['cid', 'parent_id', 'parent_table', 'neuron_id', 'voxel_volume', 'centroid_x', 'centroid_y', 'centroid_z', 'connection_score', 'GABA', 'cave_id', 'pre_id', 'post_id'];
  let s = cols.join(',') + '\n';
  for (let i = 1; i <= n; i++) {
    const v: Record<string, string> = { cid: `s${i}`, parent_id: `d${i % 7}`, parent_table: 'dendrite', neuron_id: `n${i % 5}`, voxel_volume: String(1000 + i), centroid_x: (i * 1.5).toFixed(1), centroid_y: String(i), centroid_z: '-3.25', connection_score: '0.5', GABA: '0.25', cave_id: String(8589934592000 + i), pre_id: `n${i % 3}`, post_id: `n${(i + 1) % 3}` };
    if (bad && bad.row === i) v[bad.column] = bad.value;
    s += cols.map((c) => v[c]).join(',') + '\n';
  }
  return s;
}

describe('upload and download', () => {
  it('stores a valid table and gives it back identical, with its description in the graph', async () => {
    const csv = synapses(2500);
    const res = await put('tables-test', 'synapse', csv);
    expect(res.status).toBe(201);
    const body = await res.json() as { rows: number; sha256: string; table: string; activity: string };
    expect(body.rows).toBe(2500);
    expect(body.table).toBe(`${BASE}/datasets/tables-test/draft/tables/synapse`);
    const down = await svc.fetch('/datasets/tables-test/tables/synapse?version=draft', { token: alice });
    expect(down.status).toBe(200);
    expect(down.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(await down.text()).toBe(csv);
    // rows are RDF: links resolved to row IRIs, values typed, table described
    const g = svc.ctx.iris.table('tables-test', 'draft', 'synapse');
    const row = await svc.ctx.store.select(`SELECT ?p ?o WHERE { GRAPH <${g}> { <${g}/rows/s7> ?p ?o } }`);
    const m = new Map(row.map((b) => [b.p.value, b.o]));
    expect(m.get(`${NS.syndb}parent`)?.value).toBe(`${BASE}/datasets/tables-test/draft/tables/dendrite/rows/d0`);
    expect(m.get(`${NS.syndb}neuron`)?.value).toBe(`${BASE}/datasets/tables-test/draft/tables/neuron/rows/n2`);
    expect(m.get(`${NS.syndb}gabaProbability`)).toMatchObject({ value: '0.25', datatype: `${NS.xsd}double` });
    expect(m.get(`${NS.syndb}inDataset`)?.value).toBe(`${BASE}/datasets/tables-test/draft`);
    const d = await svc.ctx.store.select(`SELECT ?rows ?sha ?unit WHERE { GRAPH <${g}> { <${g}> <${NS.syndb}rowCount> ?rows ; <http://spdx.org/rdf/terms#checksum>/<http://spdx.org/rdf/terms#checksumValue> ?sha ; <http://www.w3.org/ns/csvw#tableSchema>/<http://www.w3.org/ns/csvw#column> ?c . ?c <http://www.w3.org/ns/csvw#name> "GABA" ; <http://qudt.org/schema/qudt/hasUnit> ?unit } }`);
    expect(d[0].rows.value).toBe('2500');
    expect(d[0].sha.value).toBe(body.sha256);
    expect(d[0].unit.value).toBe('http://qudt.org/vocab/unit/UNITLESS');
    // provenance: a TableUpload activity that generated the table
    const prov = await svc.ctx.store.ask(`ASK { GRAPH <${BASE}/datasets/tables-test/provenance> { <${body.activity}> a <${NS.syndb}TableUpload> ; <${NS.prov}generated> <${g}> } }`);
    expect(prov).toBe(true);
  }, 60_000);

  it('rejects a table with a bad value: row and column named, counts per kind, nothing written', async () => {
    const before = await svc.quadCount();
    const csv = synapses(3000, { row: 2345, column: 'GABA', value: 'high' }).replace('\ns10,d3,dendrite,', '\ns10,d3,mitochondria,');
    const res = await put('tables-test', 'synapse', csv);
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const p = await res.json() as { problemCount: number; counts: Record<string, number>; errors: Array<{ row: number; column: string; value: string; expected: string; kind: string }> };
    expect(p.errors).toContainEqual(expect.objectContaining({ row: 2345, column: 'GABA', value: 'high', kind: 'sh:DatatypeConstraintComponent' }));
    expect(p.errors).toContainEqual(expect.objectContaining({ row: 10, column: 'parent_id', kind: 'sh:OrConstraintComponent' }));
    expect(p.errors.find((e) => e.row === 2345)!.expected).toMatch(/gaba_probability must be a single number/);
    expect(p.counts['sh:DatatypeConstraintComponent']).toBe(1);
    expect(p.counts['sh:OrConstraintComponent']).toBe(1);
    expect(await svc.quadCount()).toBe(before);
    // the stored table is still the previous one
    const down = await svc.fetch('/datasets/tables-test/tables/synapse?version=draft', { token: alice });
    expect((await down.text()).split('\n').length).toBe(2502);
  }, 60_000);

  it('lists at most 100 problems but counts all of them', async () => {
    const csv = synapses(400).replace(/,0\.25,/g, ',2,');
    const res = await put('tables-test', 'synapse', csv);
    const p = await res.json() as { problemCount: number; counts: Record<string, number>; errors: unknown[] };
    expect(res.status).toBe(422);
    expect(p.errors).toHaveLength(100);
    expect(p.problemCount).toBe(400);
    expect(p.counts).toEqual({ 'sh:MaxInclusiveConstraintComponent': 400 });
  });

  it('rejects bad headers, malformed CSV, other media types, strangers and unknown compartments', async () => {
    const before = await svc.quadCount();
    let res = await put('tables-test', 'synapse', 'cid,size_nm\ns1,3\n');
    expect(res.status).toBe(422);
    const h = await res.json() as { header: Array<{ column: string; message: string }> };
    expect(h.header[0]).toMatchObject({ column: 'size_nm' });
    expect(h.header[0].message).toMatch(/not a column of the synapse table; expected one of: cid, /);
    res = await put('tables-test', 'synapse', 'voxel_volume\n3\n');
    expect(res.status).toBe(422);
    res = await put('tables-test', 'synapse', 'cid,voxel_volume\n"s1,3\n');
    expect(res.status).toBe(422);
    expect((await res.json() as { title: string }).title).toBe('Malformed CSV');
    res = await put('tables-test', 'synapse', '{}', alice, 'application/json');
    expect(res.status).toBe(415);
    res = await put('tables-test', 'synapse', synapses(3), bob);
    expect(res.status).toBe(403);
    res = await put('tables-test', 'synapse', synapses(3), null);
    expect(res.status).toBe(401);
    res = await put('tables-test', 'spines', synapses(3));
    expect(res.status).toBe(404);
    res = await put('tables-test', 'synapse', 'cid,voxel_volume\ns1,1\ns1,2\n');
    expect(res.status).toBe(422);
    expect((await res.json() as { counts: Record<string, number> }).counts).toEqual({ 'syndb:DuplicateCid': 1 });
    expect(await svc.quadCount()).toBe(before);
  });

  it('keeps draft tables from readers who may not see the draft', async () => {
    expect((await svc.fetch('/datasets/tables-test/tables/synapse?version=draft', { token: bob })).status).toBe(404);
    expect((await svc.fetch('/datasets/tables-test/tables/synapse')).status).toBe(404);
  });

  it('describes the table as CSVW (JSON-LD) with properties, datatypes and units', async () => {
    const res = await svc.fetch('/datasets/tables-test/tables/synapse?version=draft', { token: alice, headers: { accept: 'application/csvm+json' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/csvm\+json/);
    const m = await res.json() as { '@context': unknown[]; url: string; tableSchema: { primaryKey: string; aboutUrl: string; columns: Array<Record<string, unknown>> } };
    expect(m['@context'][0]).toBe('http://www.w3.org/ns/csvw');
    expect(m.tableSchema.primaryKey).toBe('cid');
    const gaba = m.tableSchema.columns.find((c) => c.titles === 'GABA')!;
    expect(gaba).toMatchObject({ propertyUrl: `${NS.syndb}gabaProbability`, datatype: 'double', 'qudt:hasUnit': 'http://qudt.org/vocab/unit/UNITLESS' });
    expect(m.tableSchema.columns.find((c) => c.titles === 'neuron_id')).toMatchObject({ valueUrl: `${BASE}/datasets/tables-test/draft/tables/neuron/rows/{neuron_id}` });
    expect(m.tableSchema.columns.map((c) => c.titles)).toEqual(['cid', 'parent_id', 'parent_table', 'neuron_id', 'voxel_volume', 'centroid_x', 'centroid_y', 'centroid_z', 'connection_score', 'GABA', 'cave_id', 'pre_id', 'post_id']);
  });

  it('publishes draft tables into the version, where anyone reads them and SPARQL sees them', async () => {
    const res = await svc.fetch('/datasets/tables-test/versions', { method: 'POST', token: alice });
    expect(res.status).toBe(201);
    const down = await svc.fetch('/datasets/tables-test/tables/synapse');
    expect(down.status).toBe(200);
    expect(await down.text()).toBe(synapses(2500));
    const q = await svc.fetch(`/sparql?query=${encodeURIComponent(`PREFIX syndb: <${NS.syndb}> SELECT (COUNT(?s) AS ?n) WHERE { ?s a syndb:Synapse ; syndb:inDataset <${BASE}/datasets/tables-test/versions/1> }`)}`, { headers: { accept: 'application/sparql-results+json' } });
    const j = await q.json() as { results: { bindings: Array<{ n: { value: string } }> } };
    expect(j.results.bindings[0].n.value).toBe('2500');
  }, 60_000);
});

describe('examples', () => {
  it('the SynDB-style example has its five tables, published and identical to the files', async () => {
    for (const t of ['neuron', 'dendrite', 'dendritic-spine', 'synapse', 'mitochondrion']) {
      const res = await svc.fetch(`/datasets/syndb-style-example/tables/${t}`);
      expect(res.status, t).toBe(200);
      expect(await res.text()).toBe(example(t));
    }
    // synapse post_id links were resolved to the spine rows of the other table
    const g = `${BASE}/datasets/syndb-style-example/versions/1/tables/synapse`;
    const rows = await svc.ctx.store.select(`SELECT ?t WHERE { GRAPH <${g}> { ?s <${NS.syndb}postSynaptic> ?t } }`);
    expect(rows.length).toBe(15);
    expect(rows.filter((r) => r.t.value.includes('/tables/dendritic-spine/rows/')).length).toBe(12);
    expect(rows.filter((r) => r.t.value.includes('/tables/dendrite/rows/')).length).toBe(3);
  });

  it('the Dendritic Consortium tables came in through the importer: ids, links, dates, strains', async () => {
    const g = `${BASE}/datasets/dendritic-consortium-mouse-v1/versions/1/tables/dendritic-consortium`;
    const DC = 'https://w3id.org/syndb/vocab/dendritic-consortium#';
    const rows = await svc.ctx.store.select(`SELECT ?mouse ?date ?strain WHERE { GRAPH <${g}> { ?img <${NS.dcterms}identifier> "RY_IMG_0001" ; <${DC}session_id> ?s . ?s <${DC}mouse_id> ?mouse ; <${DC}session_date> ?date . ?mouse <${DC}strain> ?strain } }`);
    expect(rows.map((r) => r.strain.value).sort()).toEqual(['Ai14', 'Baz1a-Cre']);
    expect(rows[0].mouse.value).toBe(`${g}/records/RY_M_0001`);
    expect(rows[0].date).toMatchObject({ value: '2024-03-12', datatype: `${NS.xsd}date` });
    const n = await svc.ctx.store.select(`SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { GRAPH <${g}> { ?r a <${DC}Record> } }`);
    expect(n[0].n.value).toBe('35');
  });

  it('rejects Dendritic Consortium tables with a dangling foreign key or a bad date; nothing stored', async () => {
    const mouse = readFileSync(projectPath('examples', 'dendritic-consortium', 'tables', 'mouse.csv'), 'utf8');
    const session = readFileSync(projectPath('examples', 'dendritic-consortium', 'tables', 'session.csv'), 'utf8').replace('RY_S_0001,RY_M_0001', 'RY_S_0001,RY_M_0099').replace('20240314', '20241314');
    const before = await svc.quadCount();
    const res = await svc.fetch('/datasets/tables-test/import/dendritic', { method: 'POST', body: JSON.stringify({ tables: { mouse, session } }), headers: { 'content-type': 'application/json' }, token: alice });
    expect(res.status).toBe(422);
    const p = await res.json() as { errors: Array<{ path: string; value: string; message: string }> };
    expect(p.errors).toContainEqual(expect.objectContaining({ path: 'session line 2, mouse_id', value: 'RY_M_0099' }));
    expect(p.errors).toContainEqual(expect.objectContaining({ path: 'session line 3, session_date', value: '20241314' }));
    expect(await svc.quadCount()).toBe(before);
  });
});
