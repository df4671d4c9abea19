/** The `syndb` command as a user runs it: compiled CLI, real store in a temp directory, exit codes 0/1/2. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'bin', 'syndb.js');
let dir: string;
const env = () => ({ ...process.env, SYNDB_DATA_DIR: join(dir, 'data'), SYNDB_BASE_IRI: 'http://localhost:3030', NO_COLOR: '1' });

function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, env: env(), maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error('run `npm run build` first (npm test does)');
  dir = mkdtempSync(join(tmpdir(), 'syndb-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('syndb CLI', () => {
  it('usage errors exit 2 with the usage text', async () => {
    const r = await run('frobnicate');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command "frobnicate"/);
    expect(r.stderr).toMatch(/usage: syndb/);
    expect((await run('validate')).code).toBe(2);
    expect((await run('export')).code).toBe(2);
    expect((await run('validate', 'no-such-file.json')).code).toBe(2);
  });

  it('validate: valid examples exit 0; an invalid file exits 1 with every problem listed', async () => {
    const ok = await run('validate', 'examples/l4dense-motta2019.json', 'examples/forms/l4dense-motta2019.ttl', 'examples/forms/l4dense-motta2019.jsonld');
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout.match(/: valid/g)).toHaveLength(3);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ title: 'x', species: 'mouze', brainRegion: 'V1', license: 'CC-BY-4.0' }));
    const r = await run('validate', bad);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/species = "mouze": unknown/);
    expect(r.stdout).toMatch(/did you mean: .*Mus musculus/);
    expect(r.stdout).toMatch(/description/);
    expect(r.stdout).toMatch(/creators/);
    expect(r.stdout).toMatch(/compartments/);
  });

  it('ingest, export, cite, query, backup and restore round trip', async () => {
    const ing = await run('ingest', '--publish', 'examples/l4dense-motta2019.json', 'examples/microns-minnie65-v117.json');
    expect(ing.code, ing.stderr).toBe(0);
    expect(ing.stderr).toMatch(/stored as http:\/\/localhost:3030\/datasets\/l4dense-motta2019 \(version 1\)/);
    const dup = await run('ingest', 'examples/l4dense-motta2019.json');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/exists already/);

    const ttl = await run('export', 'l4dense-motta2019', '--format', 'ttl');
    expect(ttl.code).toBe(0);
    expect(ttl.stdout).toMatch(/dcterms:title "Dense connectomic reconstruction/);
    const jsonld = await run('export', 'microns-minnie65-v117', '--format', 'jsonld');
    expect(JSON.parse(jsonld.stdout)['@context']).toBeDefined();
    expect((await run('export', 'no-such', '--format', 'ttl')).code).toBe(1);

    const bib = await run('cite', 'l4dense-motta2019', '--format', 'bibtex');
    expect(bib.stdout).toMatch(/^@misc\{/);
    const q = await run('query', 'SELECT ?d WHERE { ?d <http://purl.org/dc/terms/isReferencedBy> <https://doi.org/10.1126/science.aay3134> }');
    expect(q.code).toBe(0);
    expect(q.stdout).toContain('<http://localhost:3030/datasets/l4dense-motta2019/versions/1>');
    const badq = await run('query', 'SELECT * WHERE { ?s ?p }');
    expect(badq.code).toBe(1);
    // the request limits apply to the CLI too (checked before the store is opened)
    const deep = await run('query', `SELECT * WHERE { BIND(${'('.repeat(200)}1${')'.repeat(200)} AS ?x) }`);
    expect(deep.code).toBe(1);
    expect(deep.stderr).toContain('nesting depth 202 exceeds the limit of 64 (SYNDB_SPARQL_MAX_DEPTH)');

    const backup = join(dir, 'backup.nq.gz');
    const b = await run('backup', backup);
    expect(b.code, b.stderr).toBe(0);
    const count = async () => (await run('query', 'SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }')).stdout;
    const before = await count();
    // change the store, then restore the backup: the change is gone
    expect((await run('ingest', 'examples/syndb-style/dataset.json')).code).toBe(0);
    expect(await count()).not.toBe(before);
    const r = await run('restore', backup);
    expect(r.code, r.stderr).toBe(0);
    expect(await count()).toBe(before);
    const b2 = join(dir, 'backup2.nq.gz');
    await run('backup', b2);
    const { gunzipSync } = await import('node:zlib');
    const sorted = (f: string) => gunzipSync(readFileSync(f)).toString('utf8').split('\n').sort().join('\n');
    expect(sorted(b2)).toBe(sorted(backup));
  }, 300_000);

  it('table upload and the three importers (dendritic, cave, connectome) store into the draft', async () => {
    expect((await run('ingest', 'examples/dendritic-consortium-mouse-v1.json')).code).toBe(0);
    const d = await run('import', 'dendritic', ...['mouse', 'session', 'image', 'plasmid', 'virus', 'analysis', 'behavior', 'cell_detection_dataset', 'ephys', 'micro_ct_dataset', 'model', 'sem_dataset'].map((t) => `examples/dendritic-consortium/tables/${t}.csv`), '--dataset', 'dendritic-consortium-mouse-v1');
    expect(d.code, d.stderr).toBe(0);
    expect(d.stderr + d.stdout).toMatch(/12 tables, \d+ records stored/);
    const cave = join(dir, 'cave.csv');
    writeFileSync(cave, 'id,pre_pt_root_id,post_pt_root_id,size,pre_pt_position,post_pt_position,ctr_pt_position\n1,864691135,864691136,120,"[100, 200, 30]","[101, 201, 30]","[100, 200, 30]"\n');
    const c = await run('import', 'cave', cave, '--dataset', 'dendritic-consortium-mouse-v1', '--table', 'synapses_pni_2', '--materialization-version', '117', '--timestamp', '2021-06-11T08:10:00.215114Z', '--resolution', '4,4,40');
    expect(c.code, c.stderr).toBe(0);
    expect(c.stderr + c.stdout).toMatch(/1 rows? stored as the synapse table/);
    const m = join(dir, 'conn.csv');
    writeFileSync(m, 'axon class,spine,shaft\ncorticocortical,120,30\nthalamocortical,80,\n');
    const k = await run('import', 'connectome', m, '--dataset', 'dendritic-consortium-mouse-v1');
    expect(k.code, k.stderr).toBe(0);
    expect(k.stderr + k.stdout).toMatch(/2 x 2 matrix, 3 counts stored/);
    const q = await run('query', 'SELECT (SUM(?n) AS ?total) WHERE { GRAPH ?g { ?c <https://w3id.org/syndb/ontology#synapseCount> ?n } }');
    expect(q.stdout).toMatch(/230/);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'cid,voxel_volume\nx1,-5\n');
    const t = await run('table', 'upload', 'dendritic-consortium-mouse-v1', 'neuron', bad);
    expect(t.code).toBe(1);
    expect((await run('import', 'nonsense', bad)).code).toBe(2);
  }, 300_000);

  it('token create prints a token that authenticates, and refuses a bad role', async () => {
    const t = await run('token', 'create', '--name', 'dora', '--role', 'contributor');
    expect(t.code).toBe(0);
    expect(t.stdout.trim()).toMatch(/^syndb_[A-Za-z0-9_-]{20,}$/);
    expect((await run('token', 'create', '--name', 'eve', '--role', 'king')).code).toBe(2);
    expect((await run('token', 'create', '--name', 'dora')).code).toBe(1);
  });
});
