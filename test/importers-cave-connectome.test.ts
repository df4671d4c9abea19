/** Importers over HTTP: a CAVE synapse and nucleus table export, a connectome matrix (L4 style). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, ADMIN_TOKEN, BASE, type TestService } from './helpers/service.js';
import { NS } from '../src/model/namespaces.js';
import { parsePosition } from '../src/model/importers/cave.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ examples: false });
  const ds = { id: 'cave-test', title: 'CAVE import', description: 'x', creators: [{ name: 'MICrONS Consortium', type: 'Organization' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'VISp', microscopyMethod: 'ssTEM', compartments: ['synapse'] };
  expect((await svc.fetch('/datasets', { method: 'POST', body: JSON.stringify(ds), headers: { 'content-type': 'application/json' }, token: ADMIN_TOKEN })).status).toBe(201);
}, 60_000);
afterAll(async () => svc?.stop());

const SYNAPSES = `id,valid,pre_pt_supervoxel_id,pre_pt_root_id,post_pt_supervoxel_id,post_pt_root_id,size,pre_pt_position,post_pt_position,ctr_pt_position
158405512,t,89385416926510149,864691135564683351,89385416926507921,864691136812081855,3880,"[176080, 178092, 20683]","[176070, 178046, 20684]","[176078, 178067, 20683]"
162470441,t,89385416926510150,864691135564683351,89385416926507922,864691135777918816,712,[176100 178200 20690],[176110 178210 20690],[176104 178205 20690]
`;
const NUCLEI = `id,valid,volume,pt_supervoxel_id,pt_root_id,pt_position
600581,t,285.7,89385416926507000,864691136812081855,"[180000, 179000, 20700]"
600582,t,301.2,89385416926507001,0,"[181000, 179500, 20710]"
`;

const post = (path: string, body: string, type = 'text/csv') => svc.fetch(path, { method: 'POST', body, headers: { 'content-type': type }, token: ADMIN_TOKEN });

describe('CAVE', () => {
  it('parses positions in both notations', () => {
    expect(parsePosition('[1, 2, 3]', 'x')).toEqual([1, 2, 3]);
    expect(parsePosition('[1 2 3]', 'x')).toEqual([1, 2, 3]);
    expect(parsePosition('', 'x')).toBeUndefined();
    expect(() => parsePosition('[1, 2]', 'line 3, ctr_pt_position')).toThrow(/line 3, ctr_pt_position: "\[1, 2\]" is not a position/);
  });

  it('imports a synapse table with root ids, size, nm centroids and the source table as provenance', async () => {
    const res = await post('/datasets/cave-test/import/cave?table=synapses_pni_2&materializationVersion=117&timestamp=2021-06-11T08:10:00.215114Z', SYNAPSES);
    expect(res.status).toBe(201);
    const r = await res.json() as { compartment: string; rows: number; activity: string };
    expect(r).toMatchObject({ compartment: 'synapse', rows: 2 });
    const csv = await (await svc.fetch('/datasets/cave-test/tables/synapse?version=draft', { token: ADMIN_TOKEN })).text();
    expect(csv).toBe('cid,cave_id,pre_id,post_id,voxel_volume,centroid_x,centroid_y,centroid_z\n'
      + '158405512,158405512,864691135564683351,864691136812081855,3880,704312,712268,827320\n'
      + '162470441,162470441,864691135564683351,864691135777918816,712,704416,712820,827600\n');
    const g = svc.ctx.iris.table('cave-test', 'draft', 'synapse');
    const row = await svc.ctx.store.select(`SELECT ?pre WHERE { GRAPH <${g}> { <${g}/rows/158405512> <${NS.syndb}preSynaptic> ?pre } }`);
    expect(row[0].pre.value).toBe(`${BASE}/datasets/cave-test/draft/tables/neuron/rows/864691135564683351`);
    const prov = await svc.ctx.store.select(`PREFIX syndb: <${NS.syndb}> PREFIX prov: <${NS.prov}> PREFIX schema: <${NS.schema}>
      SELECT ?v ?ts WHERE { GRAPH <${BASE}/datasets/cave-test/provenance> { <${r.activity}> a syndb:Import ; prov:used ?s . ?s a syndb:SourceTable ; schema:name "synapses_pni_2" ; syndb:sourceSystem "CAVE" ; syndb:materializationVersion ?v ; syndb:materializationTimestamp ?ts } }`);
    expect(prov).toHaveLength(1);
    expect(prov[0].v.value).toBe('117');
    expect(prov[0].ts.value).toBe('2021-06-11T08:10:00.215114Z');
  });

  it('imports a nucleus table (volume µm³ -> nm³, root 0 = no neuron)', async () => {
    const res = await post('/datasets/cave-test/import/cave?table=nucleus_detection_v0&version=117', NUCLEI);
    expect(res.status).toBe(201);
    const csv = await (await svc.fetch('/datasets/cave-test/tables/nucleus?version=draft', { token: ADMIN_TOKEN })).text();
    expect(csv).toBe('cid,neuron_id,mesh_volume,centroid_x,centroid_y,centroid_z\n600581,864691136812081855,285700000000,720000,716000,828000\n600582,,301200000000,724000,718000,828400\n');
  });

  it('rejects what is not a CAVE table, bad positions and a missing table name; nothing stored', async () => {
    const before = await svc.quadCount();
    let res = await post('/datasets/cave-test/import/cave?table=x', 'a,b\n1,2\n');
    expect(res.status).toBe(422);
    expect((await res.json() as { errors: Array<{ message: string }> }).errors[0].message).toMatch(/neither a CAVE synapse table/);
    res = await post('/datasets/cave-test/import/cave?table=x', SYNAPSES.replace('[176104 178205 20690]', '[176104 oops]'));
    expect(res.status).toBe(422);
    expect((await res.json() as { detail: string }).detail).toMatch(/line 3, ctr_pt_position: "\[176104 oops\]" is not a position/);
    res = await post('/datasets/cave-test/import/cave', SYNAPSES);
    expect(res.status).toBe(422);
    res = await post('/datasets/cave-test/import/cave?table=x&timestamp=yesterday', SYNAPSES);
    expect(res.status).toBe(422);
    expect(await svc.quadCount()).toBe(before);
  });
});

describe('connectome matrix', () => {
  const L4 = 'axon class,Somata,Proximal dendrites,Smooth dendrites,Apical dendrites,Axon initial segments,Other\nCorticocortical,120,340,95,410,3,1200\nThalamocortical,80,610,150,220,0,900\nInhibitory,900,700,300,150,40,500\n';
  it('imports counts as cells with classes, and rejects non-counts', async () => {
    const res = await post('/datasets/cave-test/import/connectome', L4);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ rows: 3, columns: 6, cells: 18 });
    const g = svc.ctx.iris.table('cave-test', 'draft', 'connectome');
    const n = await svc.ctx.store.select(`PREFIX syndb: <${NS.syndb}> SELECT ?n WHERE { GRAPH <${g}> { ?c syndb:preSynapticClass "Thalamocortical" ; syndb:postSynapticClass "Proximal dendrites" ; syndb:synapseCount ?n } }`);
    expect(n[0].n.value).toBe('610');
    const before = await svc.quadCount();
    const bad = await post('/datasets/cave-test/import/connectome', L4.replace('610', '-4'));
    expect(bad.status).toBe(422);
    const p = await bad.json() as { errors: Array<{ path: string; value: string; message: string }> };
    expect(p.errors[0]).toMatchObject({ path: 'row 3, column Proximal dendrites', value: '-4' });
    expect(await svc.quadCount()).toBe(before);
  });
});
