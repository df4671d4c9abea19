/**
 * The Python recipes of examples/python/ run as a researcher runs them: Debian's /usr/bin/python3
 * (python3-requests, python3-pandas, python3-sparqlwrapper) against a real service, the URL and
 * the token passed by environment; their output is checked against what the service holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startTestService, type TestService } from './helpers/service.js';

const ROOT = resolve(import.meta.dirname, '..');
const DIR = join(ROOT, 'examples', 'python');
const PYTHON = '/usr/bin/python3';
let svc: TestService;
let token: string;

function recipe(script: string, args: string[] = [], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(PYTHON, [join(DIR, script), ...args], { cwd: DIR, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', SYNDB_URL: svc.url, ...env }, timeout: 300_000 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: apt-get install python3 python3-requests python3-pandas python3-sparqlwrapper`);
  svc = await startTestService();
  token = svc.ctx.tokens.create('pia', 'contributor');
}, 180_000);
afterAll(async () => svc?.stop());

describe('examples/python', () => {
  it('search_datasets.py: region and species -> DataFrame (a region includes its sub-regions)', { timeout: 120_000 }, async () => {
    const r = await recipe('search_datasets.py', ['isocortex', 'mouse']);
    expect(r.code, r.stderr).toBe(0);
    const total = Number(/^(\d+) datasets for region='isocortex', species='mouse'/.exec(r.stdout)?.[1]);
    const ids = r.stdout.split('\n').map((l) => l.trim().split(/\s+/)[0]);
    expect(ids).toEqual(expect.arrayContaining(['dendritic-consortium-mouse-v1', 'l4dense-motta2019', 'syndb-style-example']));
    const lines = r.stdout.trimEnd().split('\n');
    const header = lines.findIndex((l) => /^\s*id\s+version\s+region\s+method/.test(l));
    expect(lines.length - header - 1).toBe(total); // one DataFrame row per dataset found
    expect(r.stdout).not.toContain('dendritic-consortium-hydra'); // not mouse
    const v1 = await recipe('search_datasets.py', ['V1', 'NCBITaxon:10090']);
    expect(v1.code, v1.stderr).toBe(0);
    expect(v1.stdout).toMatch(/^2 datasets/);
    expect(v1.stdout).not.toContain('l4dense-motta2019');
    const bad = await recipe('search_datasets.py', ['V1', 'mouze']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/400 Bad Search/);
  });

  it('sparql_to_dataframe.py: SPARQLWrapper and requests give the same DataFrame', { timeout: 120_000 }, async () => {
    const r = await recipe('sparql_to_dataframe.py');
    expect(r.code, r.stderr).toBe(0);
    const n = Number(/SPARQLWrapper: (\d+) rows/.exec(r.stdout)![1]);
    expect(n).toBeGreaterThanOrEqual(5);
    expect(r.stdout).toContain(`requests + CSV: ${n} rows`);
    expect(r.stdout).toContain('the same rows both ways');
    expect(r.stdout).toContain('http://localhost:3030/datasets/l4dense-motta2019/versions/1');
    expect(r.stdout).toContain('http://purl.obolibrary.org/obo/NCBITaxon_10090');
  });

  it('table_to_dataframe.py: a table as DataFrame, filtered on the server; Parquet only with pyarrow', { timeout: 120_000 }, async () => {
    const r = await recipe('table_to_dataframe.py', ['syndb-style-example', 'synapse']);
    expect(r.code, r.stderr).toBe(0);
    const csv = readFileSync(join(ROOT, 'examples', 'syndb-style', 'synapse.csv'), 'utf8').trim().split('\n');
    expect(r.stdout).toContain(`syndb-style-example/synapse: ${csv.length - 1} rows x ${csv[0].split(',').length} columns (CSV)`);
    const col = csv[0].split(',').indexOf('voxel_volume');
    const large = csv.slice(1).filter((l) => Number(l.split(',')[col]) >= 1_000_000).length;
    expect(r.stdout).toContain(`voxel_volume >= 1e6: ${large} rows`);
    const hasPyarrow = await new Promise<boolean>((res) => execFile(PYTHON, ['-c', 'import pyarrow'], (err) => res(!err)));
    if (hasPyarrow) expect(r.stdout).toMatch(new RegExp(`Parquet: ${csv.length - 1} rows`));
    else expect(r.stdout).toContain('Parquet: skipped, pyarrow is not installed');
    const missing = await recipe('table_to_dataframe.py', ['no-such-dataset', 'synapse']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/404 Not Found/);
  });

  it('upload_dataset.py: create, upload a table, publish, with requests; then readable by everyone', { timeout: 180_000 }, async () => {
    const none = await recipe('upload_dataset.py');
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/set SYNDB_TOKEN/);
    const r = await recipe('upload_dataset.py', [], { SYNDB_TOKEN: token });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^created python-recipe-spines \(draft\): \/datasets\/python-recipe-spines$/m);
    const file = readFileSync(join(ROOT, 'examples', 'syndb-style', 'synapse.csv'));
    const { createHash } = await import('node:crypto');
    expect(r.stdout).toContain(`table synapse: ${file.toString().trim().split('\n').length - 1} rows, sha256 ${createHash('sha256').update(file).digest('hex')}`);
    expect(r.stdout).toMatch(/published version 1: http:\/\/localhost:3030\/datasets\/python-recipe-spines\/versions\/1/);
    expect(r.stdout).toMatch(/@misc\{.*python-recipe-spines/);
    // the service holds what the recipe says: version 1, public, with the table
    const v = await (await svc.fetch('/datasets/python-recipe-spines/versions')).json();
    expect(v.versions.map((x: { version: number }) => x.version)).toEqual([1]);
    const t = await svc.fetch('/datasets/python-recipe-spines/tables/synapse?version=1');
    expect(Buffer.from(await t.arrayBuffer()).equals(file)).toBe(true);
    // run again: the id is taken, the error is the server's problem+json, printed readably
    const again = await recipe('upload_dataset.py', [], { SYNDB_TOKEN: token });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/409 Conflict: a dataset with id "python-recipe-spines" exists already/);
  });
});
