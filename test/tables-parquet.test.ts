/**
 * Every table version is a content-addressed Parquet file (and the CSV as uploaded) in the table
 * directory, described in the graph: a bad cell is rejected with nothing written; the Parquet
 * download read by an independent reader (hyparquet) equals the upload, 64-bit integers and ids
 * beyond 2^53 exact; the CSV download is the uploaded bytes; filters (IN lists, ranges) and
 * projections; a row IRI of a table kept in Parquet only dereferences to its triples; column
 * statistics; publishing references the same file; private tables stay private; a full table
 * directory answers 503 and the process lives on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { parquetReadObjects, parquetMetadata } from 'hyparquet';
import { parse } from 'csv-parse/sync';
import { Parser } from 'n3';
import { startTestService, BASE, type TestService } from './helpers/service.js';
import { NS } from '../src/model/namespaces.js';
import { projectPath } from '../src/util/paths.js';

const HEAD = 'cid,pre_id,post_id,voxel_volume,centroid_x,centroid_y,centroid_z,cave_id';
/** Root ids as CAVE has them: 18 digits, above 2^53 (not representable as doubles). */
const root = (i: number) => (864691135000000000n + BigInt(i * 7919)).toString();
function synapses(n: number, bad?: { row: number; col: number; value: string }) {
  let s = `${HEAD}\n`;
  for (let i = 1; i <= n; i++) {
    const v = [`s${i}`, root(i % 50), root((i * 3) % 50), String(100 + (i % 977)), ((i * 37) % 4000 / 10).toFixed(1), String(i % 300), String((i % 20) * 40), String(9_007_199_254_740_993n + BigInt(i))];
    if (bad?.row === i) v[bad.col] = bad.value;
    s += `${v.join(',')}\n`;
  }
  return s;
}
const AXONS = 'cid,terminal_count,mitochondria_count,voxel_volume\na1,9223372036854775807,18446744073709551615,2.5\na2,9007199254740993,0,1e21\na3,,,\na4,+12,007,-0.0\n';

let svc: TestService;
let alice: string, bob: string;
const tableDir = () => svc.ctx.config.tableDir;
const tableFiles = () => (existsSync(tableDir()) ? readdirSync(tableDir()).filter((f) => f !== 'tmp').sort() : []);
const tmpFiles = () => (existsSync(join(tableDir(), 'tmp')) ? readdirSync(join(tableDir(), 'tmp')).filter((f) => f !== 'duckdb') : []);

async function dataset(id: string, access = 'public', compartments = ['synapse', 'axon']) {
  const ds = { id, title: `Parquet ${id}`, description: 'Parquet tables.', creators: [{ name: 'Doe, Jane' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments, access };
  const res = await svc.fetch('/datasets', { method: 'POST', body: JSON.stringify(ds), headers: { 'content-type': 'application/json' }, token: alice });
  expect(res.status, await res.clone().text()).toBe(201);
}
const put = (id: string, t: string, body: string, q = '') => svc.fetch(`/datasets/${id}/tables/${t}${q}`, { method: 'PUT', body, headers: { 'content-type': 'text/csv' }, token: alice });
const get = (path: string, init: { token?: string | null; accept?: string } = {}) => svc.fetch(path, { token: init.token === undefined ? alice : init.token, headers: init.accept ? { accept: init.accept } : {} });
const readParquet = async (res: Response) => { const buf = await res.arrayBuffer(); return { rows: await parquetReadObjects({ file: buf }) as Array<Record<string, unknown>>, meta: parquetMetadata(buf) }; };

beforeAll(async () => {
  svc = await startTestService({ examples: false, config: { tableRowsAsTriplesMax: 5_000 } });
  alice = svc.ctx.tokens.create('alice', 'contributor');
  bob = svc.ctx.tokens.create('bob', 'contributor');
  await dataset('pq');
}, 120_000);
afterAll(async () => svc?.stop());

describe('upload', () => {
  it('a bad cell near the end is rejected with its row and column named, and nothing is written', async () => {
    const before = await svc.quadCount();
    const filesBefore = tableFiles();
    const res = await put('pq', 'synapse', synapses(3000, { row: 2998, col: 4, value: 'far' }));
    expect(res.status).toBe(422);
    const p = await res.json() as { problemCount: number; errors: Array<{ row: number; column: string; value: string }> };
    expect(p.problemCount).toBeGreaterThan(0);
    for (const e of p.errors) expect(e).toMatchObject({ row: 2998, column: 'centroid_x', value: 'far' });
    expect(await svc.quadCount()).toBe(before);
    expect(tableFiles()).toEqual(filesBefore);
    expect(tmpFiles()).toEqual([]);
  });

  it('a clean table becomes a content-addressed Parquet file and the CSV as uploaded, described in the graph', async () => {
    const csv = synapses(3000);
    const res = await put('pq', 'synapse', csv);
    expect(res.status, await res.clone().text()).toBe(201);
    const r = await res.json() as { rows: number; sha256: string; parquet: { sha256: string; bytes: number }; rowsInGraph: boolean };
    expect(r).toMatchObject({ rows: 3000, rowsInGraph: true });
    expect(r.sha256).toBe(createHash('sha256').update(csv).digest('hex'));
    expect(tableFiles()).toEqual([`${r.parquet.sha256}.parquet`, `${r.sha256}.csv`].sort());
    expect(tmpFiles()).toEqual([]);
    // the description: DCAT distributions with size, checksum, media type, row count; column statistics
    const q = await svc.ctx.store.select(`PREFIX dcat: <${NS.dcat}> PREFIX syndb: <${NS.syndb}> PREFIX spdx: <http://spdx.org/rdf/terms#>
      SELECT ?media ?size ?sum ?rows WHERE { ?t dcat:distribution ?d . ?d dcat:mediaType ?media ; dcat:byteSize ?size ; spdx:checksum/spdx:checksumValue ?sum ; syndb:rowCount ?rows }`, { defaultGraph: [`${BASE}/datasets/pq/draft/tables/synapse`] });
    const byMedia = new Map(q.map((b) => [b.media.value.split('/media-types/')[1], b]));
    expect(byMedia.get('application/vnd.apache.parquet')).toMatchObject({ size: { value: String(r.parquet.bytes) }, sum: { value: r.parquet.sha256 }, rows: { value: '3000' } });
    expect(byMedia.get('text/csv')).toMatchObject({ size: { value: String(Buffer.byteLength(csv)) }, sum: { value: r.sha256 } });
  });
});

describe('downloads', () => {
  it('Parquet (Accept or ?format=parquet), read by hyparquet, equals the upload; ids above 2^53 exact', async () => {
    const csv = synapses(3000);
    const want = parse(csv, { columns: true }) as Array<Record<string, string>>;
    for (const init of [{ q: '?format=parquet&version=draft', accept: undefined }, { q: '?version=draft', accept: 'application/vnd.apache.parquet' }]) {
      const res = await get(`/datasets/pq/tables/synapse${init.q}`, { accept: init.accept });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/application\/vnd\.apache\.parquet/);
      const { rows } = await readParquet(res);
      expect(rows.length).toBe(3000);
      expect(Object.keys(rows[0])).toEqual(HEAD.split(','));
      for (let i = 0; i < rows.length; i += 1) {
        expect(rows[i].cid).toBe(want[i].cid);
        expect(rows[i].pre_id).toBe(want[i].pre_id); // 18-digit ids: text, exact
        expect(rows[i].voxel_volume).toBe(Number(want[i].voxel_volume));
        expect(rows[i].centroid_x).toBe(Number(want[i].centroid_x));
        expect(rows[i].cave_id).toBe(want[i].cave_id);
      }
    }
  });

  it('64-bit integer columns are Parquet INT64 with every value exact', async () => {
    const res = await put('pq', 'axon', AXONS);
    expect(res.status, await res.clone().text()).toBe(201);
    const { rows, meta } = await readParquet(await get('/datasets/pq/tables/axon?format=parquet&version=draft'));
    const types = Object.fromEntries(meta.schema.slice(1).map((s) => [s.name, s.type]));
    expect(types).toMatchObject({ cid: 'BYTE_ARRAY', terminal_count: 'INT64', mitochondria_count: 'INT64', voxel_volume: 'DOUBLE' });
    expect(rows.map((r) => r.terminal_count)).toEqual([9223372036854775807n, 9007199254740993n, null, 12n]);
    expect(rows.map((r) => r.mitochondria_count)).toEqual([18446744073709551615n, 0n, null, 7n]);
    expect(rows.map((r) => r.voxel_volume)).toEqual([2.5, 1e21, null, -0]);
  });

  it('CSV is the uploaded bytes', async () => {
    const res = await get('/datasets/pq/tables/synapse?version=draft', { accept: 'text/csv' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-row-count')).toBe('3000');
    expect(await res.text()).toBe(synapses(3000));
    expect(await (await get('/datasets/pq/tables/axon?version=draft')).text()).toBe(AXONS);
  });

  it('filters: a list of root ids (IN), ranges, and a projection, as CSV and as Parquet', async () => {
    const want = (parse(synapses(3000), { columns: true }) as Array<Record<string, string>>);
    const ids = [root(3), root(17)];
    const sel = want.filter((r) => ids.includes(r.pre_id) && Number(r.centroid_x) >= 100 && Number(r.centroid_x) <= 250.5);
    expect(sel.length).toBeGreaterThan(5);
    const q = `version=draft&pre_id=${ids[0]}&pre_id=${ids[1]}&centroid_x.gte=100&centroid_x.lte=250.5&columns=cid,pre_id,centroid_x`;
    const csv = await get(`/datasets/pq/tables/synapse?${q}`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('x-row-count')).toBe(String(sel.length));
    const got = parse(await csv.text(), { columns: true }) as Array<Record<string, string>>;
    expect(got.map((r) => [r.cid, r.pre_id, Number(r.centroid_x)])).toEqual(sel.map((r) => [r.cid, r.pre_id, Number(r.centroid_x)]));
    expect(Object.keys(got[0])).toEqual(['cid', 'pre_id', 'centroid_x']);
    const pq = await readParquet(await get(`/datasets/pq/tables/synapse?${q}&format=parquet`));
    expect(pq.rows.map((r) => r.cid)).toEqual(sel.map((r) => r.cid));
    expect(Object.keys(pq.rows[0])).toEqual(['cid', 'pre_id', 'centroid_x']);
    // a range on a 64-bit integer column, exact beyond 2^53
    const ax = await readParquet(await get('/datasets/pq/tables/axon?version=draft&format=parquet&terminal_count.gte=9007199254740993'));
    expect(ax.rows.map((r) => r.cid)).toEqual(['a1', 'a2']);
    const ax2 = await readParquet(await get('/datasets/pq/tables/axon?version=draft&format=parquet&terminal_count=9007199254740993'));
    expect(ax2.rows.map((r) => r.cid)).toEqual(['a2']);
  });

  it('filters name unknown columns and values of the wrong type; text is never SQL', async () => {
    const unknown = await get('/datasets/pq/tables/synapse?version=draft&nope=1');
    expect(unknown.status).toBe(400);
    expect((await unknown.json() as { detail: string }).detail).toMatch(/"nope".*columns are: cid, pre_id/);
    const bad = await get('/datasets/pq/tables/synapse?version=draft&centroid_x.gte=abc');
    expect(bad.status).toBe(400);
    const proj = await get('/datasets/pq/tables/synapse?version=draft&columns=cid,"x"');
    expect(proj.status).toBe(400);
    const inj = await get(`/datasets/pq/tables/synapse?version=draft&cid=${encodeURIComponent("s1' OR '1'='1")}`);
    expect(inj.status).toBe(200);
    expect(inj.headers.get('x-row-count')).toBe('0');
  });
});

describe('tables kept in Parquet only', () => {
  it('a table above SYNDB_TABLE_ROWS_AS_TRIPLES_MAX is accepted into Parquet only and says so in its description', async () => {
    await dataset('pq-big', 'public', ['synapse']);
    const before = await svc.quadCount();
    const res = await put('pq-big', 'synapse', synapses(6000));
    expect(res.status, await res.clone().text()).toBe(201);
    const r = await res.json() as { rowsInGraph: boolean; note: string };
    expect(r.rowsInGraph).toBe(false);
    expect(r.note).toMatch(/not in the SPARQL graph.*SYNDB_TABLE_ROWS_AS_TRIPLES_MAX.*\?triples=true/);
    expect(await svc.quadCount() - before).toBeLessThan(500); // the description, not 6,000 rows
    const q = await svc.fetch(`/sparql?query=${encodeURIComponent(`PREFIX syndb: <${NS.syndb}> PREFIX rdfs: <${NS.rdfs}> SELECT ?in ?c WHERE { GRAPH <${BASE}/datasets/pq-big/draft/tables/synapse> { ?t syndb:rowsInGraph ?in ; rdfs:comment ?c } }`)}`, { headers: { accept: 'application/sparql-results+json' }, token: alice });
    const j = await q.json() as { results: { bindings: Array<{ in: { value: string }; c: { value: string } }> } };
    expect(j.results.bindings[0]?.in.value).toBe('false');
    expect(j.results.bindings[0]?.c.value).toMatch(/not in the SPARQL graph/);
  });

  it('a row IRI dereferences to its triples (Turtle, N-Triples, JSON-LD) made from the Parquet row', async () => {
    const rowIri = `${BASE}/datasets/pq-big/draft/tables/synapse/rows/s4321`;
    const res = await get('/datasets/pq-big/draft/tables/synapse/rows/s4321', { accept: 'text/turtle' });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/turtle/);
    const quads = new Parser({ format: 'text/turtle' }).parse(await res.text());
    const m = new Map(quads.filter((q) => q.subject.value === rowIri).map((q) => [q.predicate.value, q.object]));
    expect(m.get(`${NS.rdf}type`)?.value).toBe(`${NS.syndb}Synapse`);
    expect(m.get(`${NS.syndb}cid`)?.value).toBe('s4321');
    expect(m.get(`${NS.syndb}preSynaptic`)?.value).toBe(`${BASE}/datasets/pq-big/draft/tables/neuron/rows/${root(4321 % 50)}`);
    expect(m.get('http://www.w3.org/ns/csvw#rownum')?.value).toBe('4321');
    expect(m.get(`${NS.syndb}inDataset`)?.value).toBe(`${BASE}/datasets/pq-big/draft`);
    const nt = await get('/datasets/pq-big/tables/synapse/rows/s4321?version=draft&format=nt');
    expect(nt.status).toBe(200);
    expect(await nt.text()).toContain(`<${rowIri}> <${NS.syndb}cid> "s4321"`);
    expect((await get('/datasets/pq-big/draft/tables/synapse/rows/s4321', { accept: 'application/ld+json' })).status).toBe(200);
    expect((await get('/datasets/pq-big/draft/tables/synapse/rows/nope')).status).toBe(404);
  });

  it('its CSV comes from the file, also for readers inside the service (archives)', async () => {
    const { TableService } = await import('../src/service/tables.js');
    let text = '';
    await new TableService(svc.ctx).download(`${BASE}/datasets/pq-big/draft/tables/synapse`, (c) => { text += c; });
    expect(text).toBe(synapses(6000));
  });

  it('a row of a table in the graph dereferences the same way', async () => {
    const res = await get('/datasets/pq/draft/tables/synapse/rows/s7?format=ttl');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('s7');
  });

  it('statistics: count, nulls, min, max, mean, histogram', async () => {
    const res = await get('/datasets/pq-big/tables/synapse/stats?version=draft');
    expect(res.status).toBe(200);
    const s = await res.json() as { rows: number; columns: Array<{ name: string; count: number; nulls: number; min: number; max: number; mean: number; histogram: Array<{ count: number }> }> };
    expect(s.rows).toBe(6000);
    const vv = s.columns.find((c) => c.name === 'voxel_volume')!;
    const vals = Array.from({ length: 6000 }, (_, k) => 100 + ((k + 1) % 977));
    expect(vv).toMatchObject({ count: 6000, nulls: 0, min: Math.min(...vals), max: Math.max(...vals) });
    expect(vv.mean).toBeCloseTo(vals.reduce((a, b) => a + b, 0) / 6000, 6);
    expect(vv.histogram.reduce((a, b) => a + b.count, 0)).toBe(6000);
    const ax = await (await get('/datasets/pq/tables/axon/stats?version=draft')).json() as { columns: Array<{ name: string; nulls: number; max: unknown }> };
    expect(ax.columns.find((c) => c.name === 'terminal_count')).toMatchObject({ nulls: 1, max: '9223372036854775807' });
  });

  it('?triples=false keeps a small table out of the graph; ?triples=true of a table the store cannot hold is refused', async () => {
    await dataset('pq-small', 'public', ['axon']);
    const res = await put('pq-small', 'axon', AXONS, '?triples=false');
    expect(res.status).toBe(201);
    expect((await res.json() as { rowsInGraph: boolean }).rowsInGraph).toBe(false);
    expect((await put('pq-small', 'axon', AXONS, '?triples=maybe')).status).toBe(400);
  });

  it('publishing references the same Parquet file', async () => {
    const desc = await (await get('/datasets/pq-big/tables/synapse/stats?version=draft')).json() as { parquet: { sha256: string } };
    const files = tableFiles();
    const pub = await svc.fetch('/datasets/pq-big/versions', { method: 'POST', token: alice });
    expect(pub.status, await pub.clone().text()).toBe(201);
    expect(tableFiles()).toEqual(files);
    const v1 = await svc.fetch('/datasets/pq-big/tables/synapse/stats?version=1');
    expect((await v1.json() as { parquet: { sha256: string } }).parquet.sha256).toBe(desc.parquet.sha256);
    const down = await svc.fetch('/datasets/pq-big/tables/synapse?format=parquet');
    expect(down.status).toBe(200);
    expect(createHash('sha256').update(Buffer.from(await down.arrayBuffer())).digest('hex')).toBe(desc.parquet.sha256);
    // the published row IRI
    const row = await svc.fetch('/datasets/pq-big/versions/1/tables/synapse/rows/s10', { headers: { accept: 'text/turtle' } });
    expect(row.status).toBe(200);
    expect(await row.text()).toContain(`${BASE}/datasets/pq-big/versions/1`);
  });

  it('files of a private dataset are served to no one else', async () => {
    await dataset('pq-private', 'private', ['axon']);
    expect((await put('pq-private', 'axon', AXONS)).status).toBe(201);
    for (const p of ['/datasets/pq-private/tables/axon?version=draft&format=parquet', '/datasets/pq-private/tables/axon/stats?version=draft', '/datasets/pq-private/draft/tables/axon/rows/a1', '/datasets/pq-private/tables/axon?version=draft&cid=a1']) {
      expect((await get(p, { token: bob })).status, p).toBe(404);
      expect((await get(p, { token: null })).status, p).toBe(404);
      expect((await get(p)).status, p).toBe(200);
    }
  });
});

describe('importers', () => {
  it('a CAVE table goes through the same path: Parquet with root ids above 2^53 exact, filterable by a list of root ids', async () => {
    await dataset('pq-cave', 'public', ['synapse']);
    const cave = `id,valid,pre_pt_supervoxel_id,pre_pt_root_id,post_pt_supervoxel_id,post_pt_root_id,size,pre_pt_position,post_pt_position,ctr_pt_position
158405512,t,89385416926510149,864691135564683351,89385416926507921,864691136812081855,3880,"[176080, 178092, 20683]","[176070, 178046, 20684]","[176078, 178067, 20683]"
162470441,t,89385416926510150,864691135564683353,89385416926507922,864691135777918816,712,[176100 178200 20690],[176110 178210 20690],[176104 178205 20690]
162470442,t,89385416926510151,18446744073709551615,89385416926507923,864691135777918817,9,[1 2 3],[1 2 3],[1 2 3]
`;
    const res = await svc.fetch('/datasets/pq-cave/import/cave?table=synapses_pni_2&materializationVersion=117', { method: 'POST', body: cave, headers: { 'content-type': 'text/csv' }, token: alice });
    expect(res.status, await res.clone().text()).toBe(201);
    expect(await res.json()).toMatchObject({ rows: 3, parquet: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    const { rows } = await readParquet(await get('/datasets/pq-cave/tables/synapse?version=draft&format=parquet'));
    expect(rows.map((r) => [r.cid, r.pre_id, r.post_id, r.voxel_volume])).toEqual([
      ['158405512', '864691135564683351', '864691136812081855', 3880],
      ['162470441', '864691135564683353', '864691135777918816', 712],
      ['162470442', '18446744073709551615', '864691135777918817', 9],
    ]);
    const sel = await readParquet(await get('/datasets/pq-cave/tables/synapse?version=draft&format=parquet&pre_id=864691135564683353&pre_id=18446744073709551615&columns=cid'));
    expect(sel.rows).toEqual([{ cid: '162470441' }, { cid: '162470442' }]);
  });

  it('a connectome matrix is also a table file (one row per non-empty cell), downloadable and filterable', async () => {
    await dataset('pq-conn', 'public', ['synapse']);
    const L4 = 'axon class,Somata,Proximal dendrites,Other\nCorticocortical,120,340,\nThalamocortical,80,610,900\n';
    const res = await svc.fetch('/datasets/pq-conn/import/connectome', { method: 'POST', body: L4, headers: { 'content-type': 'text/csv' }, token: alice });
    expect(res.status, await res.clone().text()).toBe(201);
    const r = await res.json() as { cells: number; parquet: { sha256: string } };
    expect(r.cells).toBe(5);
    expect(tableFiles()).toContain(`${r.parquet.sha256}.parquet`);
    const csv = await get('/datasets/pq-conn/tables/connectome?version=draft');
    expect(csv.status).toBe(200);
    expect(await csv.text()).toBe('pre_class,post_class,synapse_count\nCorticocortical,Somata,120\nCorticocortical,Proximal dendrites,340\nThalamocortical,Somata,80\nThalamocortical,Proximal dendrites,610\nThalamocortical,Other,900\n');
    const pq = await readParquet(await get('/datasets/pq-conn/tables/connectome?version=draft&format=parquet&synapse_count.gte=300'));
    expect(pq.rows).toEqual([
      { pre_class: 'Corticocortical', post_class: 'Proximal dendrites', synapse_count: 340n },
      { pre_class: 'Thalamocortical', post_class: 'Proximal dendrites', synapse_count: 610n },
      { pre_class: 'Thalamocortical', post_class: 'Other', synapse_count: 900n },
    ]);
    expect((await get('/datasets/pq-conn/tables/connectome?version=draft', { token: bob })).status).toBe(404);
  });

  it('Dendritic Consortium tables are table files too, described in the graph', async () => {
    await dataset('pq-dc', 'public', ['synapse']);
    const dir = projectPath('examples', 'dendritic-consortium', 'tables');
    const all = Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith('.csv')).map((f) => [f.slice(0, -4), readFileSync(join(dir, f), 'utf8')]));
    const mouse = all.mouse;
    const res = await svc.fetch('/datasets/pq-dc/import/dendritic', { method: 'POST', body: JSON.stringify({ tables: all }), headers: { 'content-type': 'application/json' }, token: alice });
    expect(res.status, await res.clone().text()).toBe(201);
    const r = await res.json() as { parquet: Array<{ name: string; sha256: string }> };
    expect(r.parquet.map((x) => x.name).sort()).toEqual(Object.keys(all).sort());
    const m = r.parquet.find((x) => x.name === 'mouse')!;
    const buf = readFileSync(join(tableDir(), `${m.sha256}.parquet`));
    const rows = await parquetReadObjects({ file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) }) as Array<Record<string, unknown>>;
    expect(rows.map((x) => Object.values(x).map((v) => (v === null ? '' : String(v))))).toEqual((parse(mouse, { bom: true, skip_empty_lines: true }) as string[][]).slice(1)); // empty cells are NULL
    const g = `${BASE}/datasets/pq-dc/draft/tables/dendritic-consortium`;
    const d = await svc.ctx.store.select(`PREFIX dcat: <${NS.dcat}> PREFIX syndb: <${NS.syndb}> SELECT ?name WHERE { ?t dcat:distribution/syndb:fileName ?name }`, { defaultGraph: [g] });
    expect(d.map((x) => x.name.value)).toContain(`${m.sha256}.parquet`);
  });
});

describe('a full table directory', () => {
  it('answers 503 with problem+json, stores nothing and the process lives on', async () => {
    const mnt = mkdtempSync(join(tmpdir(), 'syndb-tmpfs-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt], { stdio: 'pipe' });
    } catch (e) {
      console.log(`SKIPPED disk-full test: cannot mount a small tmpfs at ${mnt} (${(e as Error).message.split('\n')[0]}); run as root to include it`);
      rmSync(mnt, { recursive: true, force: true });
      return;
    }
    let small: TestService | undefined;
    try {
      mkdirSync(join(mnt, 'tables'));
      small = await startTestService({ examples: false, config: { tableDir: join(mnt, 'tables') } });
      const token = small.ctx.tokens.create('alice', 'contributor');
      const ds = { id: 'full', title: 'Full disk', description: 'Full disk.', creators: [{ name: 'Doe, Jane' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['synapse'] };
      expect((await small.fetch('/datasets', { method: 'POST', body: JSON.stringify(ds), headers: { 'content-type': 'application/json' }, token })).status).toBe(201);
      const before = await small.quadCount();
      const body = synapses(40_000); // ~3.5 MB
      const res = await small.fetch('/datasets/full/tables/synapse', { method: 'PUT', body: Readable.toWeb(Readable.from([Buffer.from(body)])) as ReadableStream, headers: { 'content-type': 'text/csv' }, token, duplex: 'half' } as RequestInit & { duplex: 'half' });
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect((await res.json() as { detail: string }).detail).toMatch(/no space left/i);
      expect(await small.quadCount()).toBe(before);
      expect(readdirSync(join(mnt, 'tables')).filter((f) => f !== 'tmp')).toEqual([]);
      expect(readdirSync(join(mnt, 'tables', 'tmp')).filter((f) => f !== 'duckdb')).toEqual([]);
      expect((await small.fetch('/health')).status).toBe(200);
      // and a table that fits is stored afterwards
      expect((await small.fetch('/datasets/full/tables/synapse', { method: 'PUT', body: synapses(100), headers: { 'content-type': 'text/csv' }, token })).status).toBe(201);
    } finally {
      await small?.stop();
      try { execFileSync('umount', [mnt]); } catch { /* left mounted: reported by the OS */ }
      rmSync(mnt, { recursive: true, force: true });
    }
  }, 120_000);
});
