/**
 * Tables at scale over HTTP, streamed: a 1,000,000-row synapse table with one bad value in row
 * 734,512 is rejected with that row and column named and nothing written, while the service's
 * memory stays bounded (the body is never held); a table bigger than the embedded store can hold
 * is kept in Parquet only (its rows outside the SPARQL graph, saying so, with the numbers and what
 * to do); with ?triples=true it is refused before anything is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { startTestService, type TestService } from './helpers/service.js';

const COLS = ['cid', 'parent_id', 'parent_table', 'neuron_id', 'voxel_volume', 'centroid_x', 'centroid_y', 'centroid_z', 'connection_score', 'cleft_score', 'cave_id', 'pre_id', 'post_id'];

/** A generated synapse table as a byte stream (never a string in memory); `bad` replaces one value. */
function synapseStream(rows: number, bad?: { row: number; column: string; value: string }): Readable {
  const badCol = bad ? COLS.indexOf(bad.column) : -1;
  return Readable.from((function* () {
    yield `${COLS.join(',')}\n`;
    let buf = '';
    for (let i = 1; i <= rows; i++) {
      const v = [`s${i}`, `d${i % 97}`, 'dendrite', `n${i % 89}`, String(1000 + (i % 5000)), ((i * 37) % 400000 / 10).toFixed(1), String(i % 30000), String((i % 200) * 40), ((i % 1000) / 1000).toFixed(3), ((i * 7 % 1000) / 1000).toFixed(3), String(88_000_000 + i), `n${i % 89}`, `n${(i * 7) % 89}`];
      if (bad && bad.row === i) v[badCol] = bad.value;
      buf += `${v.join(',')}\n`;
      if (buf.length > 1 << 16) { yield Buffer.from(buf); buf = ''; }
    }
    yield Buffer.from(buf);
  })());
}

const tokens = new WeakMap<TestService, string>();
const token = (svc: TestService) => {
  if (!tokens.has(svc)) tokens.set(svc, svc.ctx.tokens.create('alice', 'contributor'));
  return tokens.get(svc)!;
};

const put = (svc: TestService, id: string, body: Readable, q = '') =>
  svc.fetch(`/datasets/${id}/tables/synapse${q}`, { method: 'PUT', body: Readable.toWeb(body) as ReadableStream, headers: { 'content-type': 'text/csv' }, token: token(svc), duplex: 'half' } as RequestInit & { duplex: 'half' });

async function createDataset(svc: TestService, id: string) {
  const ds = { id, title: `Scale test ${id}`, description: 'Large tables.', creators: [{ name: 'Doe, Jane' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['synapse'] };
  const res = await svc.fetch('/datasets', { method: 'POST', body: JSON.stringify(ds), headers: { 'content-type': 'application/json' }, token: token(svc) });
  expect(res.status).toBe(201);
}

describe('a 1,000,000-row table', () => {
  let svc: TestService;
  beforeAll(async () => {
    // the columnar engine's working memory (native, in RSS) is bounded by its own setting
    svc = await startTestService({ examples: false, config: { tableMemoryLimit: '256MB' } });
    await createDataset(svc, 'million');
  }, 120_000);
  afterAll(async () => svc?.stop());

  it('with one bad value in row 734,512 is rejected naming that row and column; nothing is written; memory stays bounded', async () => {
    const before = await svc.quadCount();
    const js = () => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
    let peak = process.memoryUsage().rss, peakJs = js();
    const base = peak, baseJs = peakJs;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); peakJs = Math.max(peakJs, js()); }, 50);
    let res: Response;
    try {
      res = await put(svc, 'million', synapseStream(1_000_000, { row: 734_512, column: 'voxel_volume', value: 'twelve' }));
    } finally {
      clearInterval(sampler);
    }
    expect(res.status).toBe(422);
    const p = await res.json() as { problemCount: number; counts: Record<string, number>; errors: Array<{ row: number; column: string; value: string; expected: string }> };
    // one cell, every constraint it breaks (not a number: sh:datatype; not comparable: sh:minInclusive)
    expect(p.errors.length).toBeGreaterThan(0);
    expect(p.problemCount).toBe(p.errors.length);
    for (const e of p.errors) expect(e).toEqual(expect.objectContaining({ row: 734_512, column: 'voxel_volume', value: 'twelve', expected: expect.stringMatching(/voxel_volume must be a single number/) }));
    expect(await svc.quadCount()).toBe(before);
    // the CSV is ~90 MB and its triples ~1 GB as N-Quads: neither may have been held in memory
    // (the bounds are loose: what they catch is the body or the rows being buffered); the process
    // holds at most the columnar engine's memory limit (256 MB here) besides
    console.log(`peak RSS growth ${((peak - base) / 1048576).toFixed(0)} MB, JavaScript heap and buffers ${((peakJs - baseJs) / 1048576).toFixed(0)} MB`);
    expect(peakJs - baseJs).toBeLessThan(160 * 1024 * 1024);
    expect(peak - base).toBeLessThan((256 + 256) * 1024 * 1024);
  }, 600_000);
});

describe('a table larger than the embedded store holds', () => {
  let svc: TestService;
  const saved = process.env.SYNDB_STORE_MAX_QUADS;
  beforeAll(async () => {
    process.env.SYNDB_STORE_MAX_QUADS = '45000'; // the vocabularies hold ~33,500
    svc = await startTestService({ examples: false });
    await createDataset(svc, 'small-store');
  }, 120_000);
  afterAll(async () => {
    if (saved === undefined) delete process.env.SYNDB_STORE_MAX_QUADS; else process.env.SYNDB_STORE_MAX_QUADS = saved;
    await svc?.stop();
  });

  it('is kept in Parquet only, with the numbers and the way to get its rows into the graph; ?triples=true is refused before anything is written', async () => {
    if (svc.ctx.store.maxQuads === undefined) return; // external stores have no such limit
    const before = await svc.quadCount();
    const refused = await put(svc, 'small-store', synapseStream(2_000), '?triples=true');
    expect(refused.status).toBe(413);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const p = await refused.json() as { title: string; detail: string };
    expect(p.title).toBe('Too Large For The Store');
    expect(p.detail).toMatch(/synapse table \(2,000 rows\) becomes [\d,]+ triples/);
    expect(p.detail).toMatch(/at most 45,000 \(SYNDB_STORE_MAX_QUADS/);
    expect(p.detail).toMatch(/Running at scale/);
    expect(await svc.quadCount()).toBe(before);
    // without ?triples the table is accepted into Parquet only and says why and what to do
    const res = await put(svc, 'small-store', synapseStream(2_000));
    expect(res.status).toBe(201);
    const r = await res.json() as { rowsInGraph: boolean; note: string };
    expect(r.rowsInGraph).toBe(false);
    expect(r.note).toMatch(/not in the SPARQL graph: the synapse table \(2,000 rows\) becomes [\d,]+ triples.*at most 45,000 \(SYNDB_STORE_MAX_QUADS.*\?triples=true.*Running at scale/);
    expect(await svc.quadCount() - before).toBeLessThan(1_000);
    // a table that fits is stored as triples, and replacing it by one of the same size fits too
    const small = await put(svc, 'small-store', synapseStream(500));
    expect(small.status).toBe(200);
    expect((await small.json() as { rowsInGraph: boolean }).rowsInGraph).toBe(true);
    expect((await put(svc, 'small-store', synapseStream(500))).status).toBe(200);
  }, 120_000);
});
