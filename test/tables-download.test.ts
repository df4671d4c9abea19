/**
 * Table downloads give back the uploaded bytes for values that are hard to carry: doubles that
 * need 17 significant digits (Virtuoso writes 16 in results and through STR), numbers stored in
 * another form than written, text with separators, quotes, line breaks, tabs and non-ASCII
 * characters, empty cells, big integers, links to cids that need escaping in IRIs, multi-valued
 * cells, and pages split anywhere. Runs on the embedded store and, with SYNDB_TEST_STORE=virtuoso,
 * on Virtuoso 7.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { startTestService, type TestService } from './helpers/service.js';
import { TableService } from '../src/service/tables.js';

let svc: TestService;
let alice: string;
beforeAll(async () => {
  svc = await startTestService({ examples: false });
  alice = svc.ctx.tokens.create('alice', 'contributor');
  const ds = { id: 'download-test', title: 'Download test', description: 'Tables with awkward values.', creators: [{ name: 'Doe, Jane' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['neuron', 'axon', 'dendritic_spine'] };
  const res = await svc.fetch('/datasets', { method: 'POST', body: JSON.stringify(ds), headers: { 'content-type': 'application/json' }, token: alice });
  expect(res.status).toBe(201);
}, 180_000);
afterAll(async () => svc?.stop());

const put = async (c: string, body: string) => {
  const res = await svc.fetch(`/datasets/download-test/tables/${c}`, { method: 'PUT', body, headers: { 'content-type': 'text/csv' }, token: alice });
  expect(res.status, await res.clone().text()).toBe(201);
};
const get = async (c: string) => {
  const res = await svc.fetch(`/datasets/download-test/tables/${c}?version=draft`, { token: alice });
  expect(res.status).toBe(200);
  return res.text();
};

// fields written as the download writes them: quoted only when they hold , " CR or LF
const NEURONS = [
  'cid,voxel_volume,centroid_x,centroid_y,centroid_z,mesh_location,polarity,neuron_type,direction',
  'n1,0.30000000000000004,123456789.12345679,0.1,-3.25,https://example.org/mesh/1.obj?x=1&y=2,multipolar,pyramidal,efferent',
  'n2,1.2345678901234567e-7,12.0,1e21,5e-324,,,"basket, large","with ""quotes"""',
  'n3,,,,,,Zürich 日本語 😀,tab\there,',
  'n4,0.12345678901234568,9007199254740993,1.7976931348623157e308,2.2250738585072014e-308,,<b>&amp;</b>,"two\nlines", spaced ',
  'n5,870767000000,15442,102475.1,4.35,,a\\b,"cr\r\nlf",\'apostrophe\'',
  'n6,0.000001,-1e-7,0.000123456789012345678,98765.43210987654,,x,y,z',
  // the neuron the spines below link to (a link must name an existing row of a stored table)
  'n/3 x%,1,,,,,,,',
].join('\n') + '\n';

const AXONS = [
  'cid,terminal_count,mitochondria_count,voxel_volume',
  'a1,+5,007,1',
  'a2,9223372036854775807,0,2.5',
  'a3,,,',
  'a4,12,34,3',
].join('\n') + '\n';

const SPINES = [
  'cid,parent_id,parent_table,neuron_id,forms_synapse_with',
  's1,n1,Neuron,n1,syn1;syn2;syn3',
  's2,,,n2,',
  's3,n/3 x%,Neuron,n1,syn2',
  's4,n1,Neuron,n/3 x%,"a b;c,d"',
].join('\n') + '\n';

describe('download gives back the uploaded bytes', () => {
  it('doubles of every length, numbers written in another form, text with separators, quotes, line breaks, tabs and non-ASCII', async () => {
    await put('neuron', NEURONS);
    expect(await get('neuron')).toBe(NEURONS);
  }, 60_000);

  it('integers (signs, leading zeros, 64-bit) and empty cells', async () => {
    await put('axon', AXONS);
    expect(await get('axon')).toBe(AXONS);
  }, 60_000);

  it('links to cids that need escaping, parent_table as spelled, multi-valued cells (as sets)', async () => {
    await put('dendritic_spine', SPINES);
    const text = await get('dendritic_spine');
    // a multi-valued cell comes back with the same values, in the store's order
    const rows = (csv: string) => (parse(csv) as string[][]).map((r) => [...r.slice(0, 4), r[4].split(';').sort().join(';')]);
    expect(rows(text)).toEqual(rows(SPINES));
    const lines = text.split('\n');
    // s3's parent is the neuron "n/3 x%", its table spelled as uploaded; one value: no quotes
    expect(lines[3]).toBe('s3,n/3 x%,Neuron,n1,syn2');
    expect(lines[4]).toMatch(/^s4,n1,Neuron,n\/3 x%,"(a b;c,d|c,d;a b)"$/);
  }, 60_000);

  it('pages of any size give the same bytes (a page with a TAB in a value is read column by column)', async () => {
    const tables = new TableService(svc.ctx);
    const graph = svc.ctx.iris.table('download-test', 'draft', 'neuron');
    for (const pageRows of [1, 2, 4, 1000]) {
      let out = '';
      const seen: number[] = [];
      await tables.download(graph, (c) => { out += c; }, { pageRows, onProgress: (n) => seen.push(n) });
      expect(out, `pages of ${pageRows}`).toBe(NEURONS);
      expect(seen.at(-1)).toBe(7);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
    }
  }, 60_000);
});
