/**
 * The two row validators of an upload give the same answer over HTTP: the same service once with
 * SYNDB_TABLE_VALIDATOR=sql (the default: DuckDB over the staged file, JavaScript where DuckDB's
 * reader would read the file differently) and once with =javascript (row by row). Every upload of
 * the corpus must get the same status and the same body (the rejection's problems, counts and
 * rows checked; a stored table's rows, checksums and its typed Parquet file, byte for byte), and
 * the SQL service must name the validator that ran: SQL for ordinary files, JavaScript for the
 * files DuckDB reads otherwise (field counts, quotes inside fields, a header over two lines).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './helpers/service.js';

const HEAD = 'cid,pre_id,post_id,voxel_volume,centroid_x,cave_id';
const row = (i: number) => `s${i},${864691135000000000n + BigInt(i)},${864691136000000000n + BigInt(i)},${100 + i},${(i * 0.37).toFixed(2)},${9_007_199_254_740_993n + BigInt(i)}`;
const table = (n: number, edit: (i: number, line: string) => string = (_, l) => l) => `${HEAD}\n${Array.from({ length: n }, (_, k) => edit(k + 1, row(k + 1))).join('\n')}\n`;

/** name, compartment, body, the validator the SQL service must report for a stored table ('javascript' when it must fall back). */
const CASES: Array<{ name: string; t: string; body: string; expect?: 'sql' | 'javascript' }> = [
  { name: 'clean', t: 'synapse', body: table(50), expect: 'sql' },
  { name: 'CRLF and a BOM', t: 'synapse', body: `\ufeff${table(20).replace(/\n/g, '\r\n')}`, expect: 'sql' },
  { name: 'blank lines between rows', t: 'synapse', body: table(10, (i, l) => (i === 5 ? `${l}\n\n` : l)), expect: 'sql' },
  { name: 'no newline at the end', t: 'synapse', body: table(10).trimEnd(), expect: 'sql' },
  { name: 'an empty last column', t: 'synapse', body: table(10, (i, l) => (i % 3 ? l : l.replace(/,[^,]*$/, ','))), expect: 'sql' },
  { name: 'a quoted value with a comma and a line break', t: 'synapse', body: table(6, (i, l) => (i === 2 ? l.replace(/^s2/, '"s2,\nx"') : l)), expect: 'sql' },
  { name: 'a bad value near the end', t: 'synapse', body: table(3000, (i, l) => (i === 2990 ? l.replace(/,[0-9.]+,(\d+)$/, ',abc,$1') : l)) },
  { name: 'many problems of several kinds', t: 'synapse', body: table(300, (i, l) => (i % 7 ? l : i % 2 ? l.replace(/^s\d+/, '') : l.replace(/,(\d+),([0-9.]+),/, ',-$1,x,'))) },
  { name: 'a duplicate cid', t: 'synapse', body: table(40, (i, l) => (i === 33 ? l.replace(/^s33/, 's7') : l)) },
  { name: 'a trailing comma', t: 'synapse', body: table(8, (i, l) => (i === 4 ? `${l},` : l)) },
  { name: 'two trailing commas', t: 'synapse', body: table(8, (i, l) => (i === 4 ? `${l},,` : l)) },
  { name: 'a quoted empty extra field', t: 'synapse', body: table(8, (i, l) => (i === 4 ? `${l},""` : l)) },
  { name: 'a record with fewer fields', t: 'synapse', body: table(8, (i, l) => (i === 6 ? 's6,1' : l)) },
  { name: 'a record with one field more', t: 'synapse', body: table(8, (i, l) => (i === 6 ? `${l},7` : l)) },
  { name: 'a line of spaces', t: 'synapse', body: table(8, (i, l) => (i === 3 ? `${l}\n   ` : l)) },
  { name: 'a quote inside an unquoted field', t: 'synapse', body: table(8, (i, l) => (i === 2 ? l.replace(/^s2/, 's"2') : l)) },
  { name: 'an escaped quote in a quoted field', t: 'synapse', body: table(8, (i, l) => (i === 2 ? l.replace(/^s2/, '"s""2"') : l)), expect: 'javascript' },
  { name: 'a quote inside an unquoted first field', t: 'synapse', body: table(8, (i, l) => (i === 2 ? l.replace(/^s2/, 's"2') : l)) },
  { name: 'a header with a stray quote', t: 'synapse', body: table(3).replace(/^cid/, 'c"id') },
  { name: 'text after a closing quote', t: 'synapse', body: table(8, (i, l) => (i === 5 ? l.replace(/^s5/, '"s5"x') : l)) },
  { name: 'an unclosed quote', t: 'synapse', body: table(8, (i, l) => (i === 8 ? l.replace(/^s8/, '"s8') : l)) },
  { name: 'blank lines before the header', t: 'synapse', body: `\n\n${table(5)}`, expect: 'javascript' },
  { name: 'a stored header over two lines', t: 'synapse', body: table(5).replace('post_id', '"post_id\n"'), expect: 'javascript' },
  { name: 'a header over two lines', t: 'synapse', body: table(5).replace(/^cid/, '"cid"').replace('post_id', '"post\n_id"') },
  { name: 'a header only', t: 'synapse', body: `${HEAD}\n` },
  { name: 'an unknown column', t: 'synapse', body: 'cid,colour\na,red\n' },
  { name: 'integers beyond 64 bits', t: 'axon', body: 'cid,terminal_count,mitochondria_count\na1,9223372036854775807,18446744073709551615\na2,123456789012345678901234567890,0\na3,+12,007\n', expect: 'sql' },
  { name: 'a parent_table spelled several ways', t: 'synapse', body: 'cid,parent_id,parent_table\nx1,n1,neuron\nx2,n2,Neurons\nx3,d1,dendrite\nx4,n3,Neuron\n', expect: 'sql' },
  { name: 'a parent_table that is no table', t: 'synapse', body: 'cid,parent_id,parent_table\nx1,n1,neuron\nx2,n2,brain\n' },
  { name: 'a neuron table', t: 'neuron', body: 'cid,voxel_volume\nn1,5\nn2,6\n864691135000000001,7\n', expect: 'sql' },
  { name: 'dendrites naming neurons that exist and one that does not', t: 'dendrite', body: 'cid,neuron_id\nd1,n1\nd2,n9\nd3,864691135000000001\n' },
  { name: 'dendrites naming neurons that exist', t: 'dendrite', body: 'cid,neuron_id\nd1,n1\nd3,864691135000000001\n', expect: 'sql' },
  { name: 'synapses linking to the neurons', t: 'synapse', body: 'cid,pre_id,post_id,parent_id,parent_table\nq1,n1,n2,d1,dendrite\nq2,864691135000000001,n1,,\n', expect: 'sql' },
];

let sql: TestService, js: TestService;
const tokens = new Map<TestService, string>();
async function dataset(s: TestService, id: string) {
  const ds = { id, title: `Validators ${id}`, description: 'Validator differential.', creators: [{ name: 'Doe, Jane' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['synapse'] };
  const res = await s.fetch('/datasets', { method: 'POST', body: JSON.stringify(ds), headers: { 'content-type': 'application/json' }, token: tokens.get(s) });
  expect(res.status, await res.clone().text()).toBe(201);
}

beforeAll(async () => {
  sql = await startTestService({ examples: false, config: { tableValidator: 'sql', tableRowsAsTriplesMax: 1000 } });
  js = await startTestService({ examples: false, config: { tableValidator: 'javascript', tableRowsAsTriplesMax: 1000 } });
  for (const s of [sql, js]) { tokens.set(s, s.ctx.tokens.create('alice', 'contributor')); await dataset(s, 'vd'); }
}, 240_000);
afterAll(async () => { await sql?.stop(); await js?.stop(); });

/** The parts of an upload's reply that do not depend on the run (activity IRIs are random). */
function comparable(status: number, body: Record<string, unknown>) {
  const { activity: _a, validator: _v, ...rest } = body;
  return { status, ...rest };
}

describe('the SQL and the JavaScript row validator over HTTP', () => {
  it('give the same status and body for every upload of the corpus', async () => {
    for (const c of CASES) {
      const replies = [];
      for (const s of [sql, js]) {
        const res = await s.fetch(`/datasets/vd/tables/${c.t}`, { method: 'PUT', body: c.body, headers: { 'content-type': 'text/csv' }, token: tokens.get(s) });
        replies.push({ status: res.status, body: await res.json() as Record<string, unknown> });
      }
      const [a, b] = replies;
      expect(a.status, `${c.name}: ${JSON.stringify(a.body).slice(0, 300)}`).toBeLessThan(500);
      expect(comparable(a.status, a.body), c.name).toEqual(comparable(b.status, b.body));
      expect(b.body.validator ?? 'javascript', c.name).toBe(a.status < 300 ? 'javascript' : b.body.validator ?? 'javascript');
      if (a.status < 300) {
        expect(a.body.validator, c.name).toBe(c.expect ?? 'sql');
        // the typed Parquet file is the same bytes (same column types from both validators)
        expect((a.body.parquet as { sha256: string }).sha256, c.name).toBe((b.body.parquet as { sha256: string }).sha256);
      } else expect(c.expect, `${c.name}: expected to be stored, got ${JSON.stringify(a.body).slice(0, 400)}`).toBeUndefined();
    }
  }, 300_000);

  it('a record CSV cannot read is a 422 naming the row and line, on both validators', async () => {
    for (const s of [sql, js]) {
      const res = await s.fetch('/datasets/vd/tables/synapse', { method: 'PUT', body: table(8, (i, l) => (i === 3 ? l.replace(/^s3/, 's"3') : l)), headers: { 'content-type': 'text/csv' }, token: tokens.get(s) });
      const body = await res.json() as { errors: Array<{ row: number; kind: string; expected: string }>; detail: string };
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(body.errors).toEqual([expect.objectContaining({ row: 3, kind: 'syndb:CsvSyntax', expected: expect.stringMatching(/quote/i) })]);
      expect(body.detail).toMatch(/row 3 \(line 4\) is not a CSV record/);
    }
  });

  it('the SQL validator names the row and column of one bad value among many rows', async () => {
    const res = await sql.fetch('/datasets/vd/tables/synapse?triples=false', { method: 'PUT', body: table(20_000, (i, l) => (i === 19_876 ? l.replace(/,(\d+),([0-9.]+),(\d+)$/, ',$1,1e,$3') : l)), headers: { 'content-type': 'text/csv' }, token: tokens.get(sql) });
    expect(res.status).toBe(422);
    const body = await res.json() as { problemCount: number; rowsChecked: number; errors: Array<{ row: number; column: string; value: string; kind: string }> };
    expect(body.rowsChecked).toBe(20_000);
    expect(body.problemCount).toBe(1);
    expect(body.errors).toEqual([expect.objectContaining({ row: 19_876, column: 'centroid_x', value: '1e', kind: 'sh:DatatypeConstraintComponent' })]);
  }, 120_000);
});
