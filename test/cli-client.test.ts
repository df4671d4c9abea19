/**
 * `syndb` as a client of a running server (SYNDB_URL / --server, SYNDB_TOKEN / --token): the
 * compiled CLI run as a user runs it, against a real service on an ephemeral port. Every client
 * command, --help / --version, error blocks and exit codes, and the resumable table upload: a
 * 200,000-row table whose upload is killed (SIGKILL) halfway resumes and is stored identical.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startTestService, ADMIN_TOKEN, type TestService } from './helpers/service.js';
import { configFromEnv } from '../src/service/config.js';
import { UploadSessions } from '../src/service/upload-sessions.js';
import { TableService } from '../src/service/tables.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'bin', 'syndb.js');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
let svc: TestService;
let dir: string;
let token: string;

interface Run { code: number; stdout: string; stderr: string }
const baseEnv = () => {
  const e: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const k of ['SYNDB_URL', 'SYNDB_TOKEN', 'SYNDB_DATA_DIR', 'SYNDB_CONFIG']) delete e[k];
  return e;
};
function cli(args: string[], o: { env?: NodeJS.ProcessEnv; cwd?: string; server?: boolean; token?: string | null } = {}): Promise<Run> {
  const env = { ...baseEnv(), ...(o.server === false ? {} : { SYNDB_URL: svc.url }), ...(o.token === null ? {} : { SYNDB_TOKEN: o.token ?? token }), ...o.env };
  return new Promise((res) => {
    execFile(process.execPath, [CLI, ...args], { cwd: o.cwd ?? dir, env, maxBuffer: 256 * 1024 * 1024, encoding: 'buffer' }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout: stdout.toString('utf8'), stderr: stderr.toString('utf8') });
    });
  });
}
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const lines = (s: string) => s.trim().split('\n').length;

const DATASET = (id: string, extra: Record<string, unknown> = {}) => ({
  id, title: `Client test ${id}`, description: 'Dendritic spines of L2/3 pyramidal neurons.', creators: [{ name: 'Doe, Jane', orcid: '0000-0002-1825-0097' }],
  license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'FIB-SEM', compartments: ['synapse'], ...extra,
});

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error('run `npm run build` first (npm test does)');
  dir = mkdtempSync(join(tmpdir(), 'syndb-client-'));
  svc = await startTestService({ config: { tableRowsAsTriplesMax: 1000 } });
  token = svc.ctx.tokens.create('carol', 'contributor');
}, 180_000);
afterAll(async () => {
  await svc?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('syndb --help, --version, usage errors', () => {
  it('--version, --help on the program, every command and subcommand', async () => {
    const v = await cli(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(PKG.version);
    const h = await cli(['--help']);
    expect(h.code).toBe(0);
    for (const c of ['serve', 'validate', 'export', 'cite', 'query', 'search', 'dataset', 'table', 'asset', 'import', 'token', 'store']) expect(h.stdout).toContain(c);
    expect(h.stdout).toMatch(/Exit codes: 0 done, 1 refused.*2 usage error, 3 cannot connect, 4 not authorised/s);
    for (const args of [['dataset', '--help'], ['dataset', 'create', '--help'], ['dataset', 'patch', '--help'], ['dataset', 'withdraw', '--help'], ['table', 'upload', '--help'], ['table', 'download', '--help'],
      ['asset', 'upload', '--help'], ['query', '--help'], ['search', '--help'], ['token', 'create', '--help'], ['store', 'verify', '--help'], ['import', 'cave', '--help'], ['help', 'table']]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout, args.join(' ')).toMatch(/^Usage: syndb /);
    }
    expect((await cli(['table', 'upload', '--help'])).stdout).toMatch(/--limit-rate <bytes>/);
    // `--version` after a command is that command's option, not the program's
    expect((await cli(['export', '--help'])).stdout).toMatch(/--version <n>/);
  }, 240_000);

  it('usage errors: exit 2, one short block (the message and one usage line), no help dump', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['frobnicate'], /unknown command "frobnicate"/],
      [['dataset', 'create'], /missing required argument "file"/],
      [['table', 'upload', 'a', 'b'], /missing required argument "file"/],
      [['dataset', 'publish', 'x', '--bogus'], /unknown option "--bogus"/],
      [['table'], /"table" needs a command/],
      [['dataset', 'create', join('nope', 'missing.json')], /missing\.json: no such file/],
      [['table', 'upload', 'x', 'synapse', 'missing.csv', '--chunk-size', 'lots'], /missing\.csv: no such file|--chunk-size "lots"/],
    ];
    for (const [args, re] of cases) {
      const r = await cli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr).toMatch(/^usage: syndb/m);
      expect(lines(r.stderr), r.stderr).toBeLessThanOrEqual(3);
      expect(r.stdout).toBe('');
    }
    // a client-only command without a server is a usage error that says what is missing
    const r = await cli(['dataset', 'list'], { server: false });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/give --server URL or set SYNDB_URL/);
  }, 240_000);
});

describe('syndb datasets on a server', () => {
  it('validate (dry run), create, patch, edit, publish, export, cite, withdraw, delete', async () => {
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(DATASET('cli-spines')));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ title: 'x', species: 'mouze' }));

    const v = await cli(['validate', good]);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/good\.json: valid \(dataset "cli-spines"; nothing stored\)/);
    expect((await svc.fetch('/datasets/cli-spines', { token: ADMIN_TOKEN })).status).toBe(404); // the dry run stored nothing
    const vb = await cli(['dataset', 'validate', bad]);
    expect(vb.code).toBe(1);
    expect(vb.stderr).toMatch(/^syndb: 422 The dataset is not valid\n {2}\d+ problems found; nothing was stored\n/);
    expect(vb.stderr).toMatch(/✗ species = "mouze": unknown species/);
    expect(vb.stderr).toMatch(/did you mean: Mus musculus \[NCBITaxon:10090\]/);
    // the dry run on the HTTP API itself
    const dry = await svc.fetch('/datasets?dryRun=true', { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify(DATASET('dry-one')) });
    expect(dry.status).toBe(200);
    expect(await dry.json()).toMatchObject({ valid: true, id: 'dry-one' });
    const dryBad = await svc.fetch('/datasets?dryRun=true', { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: '{"title": "x"}' });
    expect(dryBad.status).toBe(422);
    expect(dryBad.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await svc.fetch('/datasets/dry-one', { token: ADMIN_TOKEN })).status).toBe(404);

    const c = await cli(['dataset', 'create', good]);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/created cli-spines \(draft\)/);
    const dup = await cli(['dataset', 'create', good]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/^syndb: 409 Conflict\n {2}a dataset with id "cli-spines" exists already/);

    const p = await cli(['dataset', 'patch', 'cli-spines', '--set', 'title=Spines of layer 2/3', '--set', 'keywords=["spines","L2/3"]']);
    expect(p.code, p.stderr).toBe(0);
    const json = async () => (await (await svc.fetch('/datasets/cli-spines', { token, headers: { accept: 'application/ld+json' } })).text());
    expect(await json()).toContain('Spines of layer 2/3');
    const pd = await cli(['dataset', 'patch', 'cli-spines', '--set', 'title=Never stored', '--dry-run']);
    expect(pd.code, pd.stderr).toBe(0);
    expect(pd.stdout).toMatch(/valid/);
    expect(await json()).not.toContain('Never stored');
    const pbad = await cli(['dataset', 'patch', 'cli-spines', '--set', 'species=mouze']);
    expect(pbad.code).toBe(1);
    expect(pbad.stderr).toMatch(/species = "mouze"/);

    const edited = join(dir, 'edited.json');
    writeFileSync(edited, JSON.stringify(DATASET('cli-spines', { title: 'Edited spines' })));
    expect((await cli(['dataset', 'edit', 'cli-spines', edited, '--dry-run'])).code).toBe(0);
    expect(await json()).not.toContain('Edited spines');
    const e = await cli(['dataset', 'edit', 'cli-spines', edited, '--if-match', '"stale"']);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/412 Precondition Failed/);
    expect((await cli(['dataset', 'edit', 'cli-spines', edited])).code).toBe(0);
    expect(await json()).toContain('Edited spines');

    const pub = await cli(['dataset', 'publish', 'cli-spines', '--notes', 'first release', '--json']);
    expect(pub.code, pub.stderr).toBe(0);
    expect(JSON.parse(pub.stdout)).toMatchObject({ id: 'cli-spines', version: 1 });

    const ttl = await cli(['export', 'cli-spines', '--format', 'ttl'], { token: null });
    expect(ttl.code, ttl.stderr).toBe(0);
    expect(ttl.stdout).toMatch(/"Edited spines"/);
    const jsonld = await cli(['export', 'cli-spines', '--format', 'jsonld', '--version', '1']);
    expect(JSON.parse(jsonld.stdout)['@context']).toBeDefined();
    const bib = await cli(['export', 'cli-spines', '--format', 'bibtex']);
    expect(bib.stdout).toMatch(/^@misc\{/);
    const ris = await cli(['cite', 'cli-spines', '--format', 'ris']);
    expect(ris.stdout).toMatch(/^TY {2}- DATA/m);
    const out = join(dir, 'cli-spines.ttl');
    expect((await cli(['export', 'cli-spines', '-o', out])).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(ttl.stdout);

    const w = await cli(['dataset', 'withdraw', 'cli-spines', '--reason', 'superseded']);
    expect(w.code, w.stderr).toBe(0);
    expect(w.stdout).toMatch(/version 1 withdrawn/);
    expect((await svc.fetch('/datasets/cli-spines/versions/1')).status).toBe(410);
    const gone = await cli(['export', 'cli-spines', '--version', '1']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^syndb: 410 Gone/);

    // an unpublished dataset is deleted
    const other = join(dir, 'other.json');
    writeFileSync(other, JSON.stringify(DATASET('cli-delete-me')));
    expect((await cli(['dataset', 'create', other])).code).toBe(0);
    const d = await cli(['dataset', 'delete', 'cli-delete-me']);
    expect(d.code, d.stderr).toBe(0);
    expect((await svc.fetch('/datasets/cli-delete-me', { token: ADMIN_TOKEN })).status).toBe(404);
    const d2 = await cli(['dataset', 'delete', 'cli-delete-me']);
    expect(d2.code).toBe(1);
    expect(d2.stderr).toMatch(/^syndb: 404 Not Found/);

    const list = await cli(['dataset', 'list']);
    expect(list.stdout).toMatch(/^syndb-style-example\tv1\t/m);
  }, 400_000);

  it('exit codes: 4 for a bad token or a missing right, 3 when no server answers', { timeout: 180_000 }, async () => {
    const f = join(dir, 'x.json');
    writeFileSync(f, JSON.stringify(DATASET('cli-auth')));
    const bad = await cli(['dataset', 'create', f], { token: 'not-a-token' });
    expect(bad.code).toBe(4);
    expect(bad.stderr).toMatch(/^syndb: 401 Unauthorized\n {2}the bearer token is not valid/);
    const none = await cli(['dataset', 'create', f], { token: null });
    expect(none.code).toBe(4);
    const reader = svc.ctx.tokens.create('rita', 'reader');
    expect((await cli(['dataset', 'publish', 'syndb-style-example'], { token: reader })).code).toBe(4);
    // a port nobody listens on
    const { createServer } = await import('node:net');
    const port = await new Promise<number>((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => res(p)); }); });
    const down = await cli(['--server', `http://127.0.0.1:${port}`, 'dataset', 'list']);
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/^syndb: cannot connect to http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
    expect(lines(down.stderr)).toBe(2);
    // --server after the command works as before it
    const after = await cli(['dataset', 'list', '--server', `http://127.0.0.1:${port}`], { server: false });
    expect(after.code).toBe(3);
  });
});

describe('syndb search, query, tables and assets on a server', () => {
  it('search by facets (text and JSON)', { timeout: 180_000 }, async () => {
    const r = await cli(['search', '--region', 'V1', '--species', 'mouse']);
    expect(r.code, r.stderr).toBe(0);
    const ids = r.stdout.split('\n').slice(1).filter((l) => l.includes('\t')).map((l) => l.split('\t')[0]).sort();
    expect(ids).toEqual(expect.arrayContaining(['dendritic-consortium-mouse-v1', 'syndb-style-example']));
    expect(ids).not.toContain('l4dense-motta2019');
    const j = await cli(['search', '--compartment', 'synapse', '--compartment', 'mitochondrion', '--and', 'compartment', '--format', 'json', '--facets']);
    const data = JSON.parse(j.stdout);
    expect(data.datasets.map((d: { id: string }) => d.id)).toEqual(['syndb-style-example']);
    expect(data.facets.region.length).toBeGreaterThan(0);
    const badFacet = await cli(['search', '--sort', 'sideways']);
    expect(badFacet.code).toBe(1);
    expect(badFacet.stderr).toMatch(/^syndb: 400 Bad Search/);
  });

  it('SPARQL as CSV, TSV and SPARQL JSON; a malformed query is one error block', { timeout: 180_000 }, async () => {
    const q = 'SELECT ?d WHERE { ?d <http://purl.org/dc/terms/isReferencedBy> <https://doi.org/10.1126/science.aay3134> }';
    const csv = await cli(['query', q, '--format', 'csv']);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout).toMatch(/^d\r?\nhttp:\/\/localhost:3030\/datasets\/l4dense-motta2019\/versions\/1\r?\n/);
    const tsv = await cli(['query', q, '--format', 'tsv']);
    expect(tsv.stdout).toMatch(/^\?d\n<http:\/\/localhost:3030\/datasets\/l4dense-motta2019\/versions\/1>/);
    const json = await cli(['query', q, '--format', 'json']);
    expect(JSON.parse(json.stdout).results.bindings[0].d.value).toBe('http://localhost:3030/datasets/l4dense-motta2019/versions/1');
    const file = join(dir, 'q.rq');
    writeFileSync(file, 'ASK { ?s ?p ?o }');
    expect(JSON.parse((await cli(['query', '--file', file, '--format', 'json'])).stdout).boolean).toBe(true);
    const bad = await cli(['query', 'SELECT * WHERE { ?s ?p }']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^syndb: 400 Malformed Query/);
  });

  it('table download (CSV byte for byte, Parquet, CSVW) and list', { timeout: 180_000 }, async () => {
    const csv = await cli(['table', 'download', 'syndb-style-example', 'synapse'], { token: null });
    expect(csv.code, csv.stderr).toBe(0);
    expect(sha(csv.stdout)).toBe(sha(readFileSync(join(ROOT, 'examples', 'syndb-style', 'synapse.csv'))));
    const pq = join(dir, 'synapse.parquet');
    const p = await cli(['table', 'download', 'syndb-style-example', 'synapse', '--format', 'parquet', '-o', pq]);
    expect(p.code, p.stderr).toBe(0);
    const bytes = readFileSync(pq);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('PAR1');
    expect(bytes.subarray(-4).toString('latin1')).toBe('PAR1');
    const meta = JSON.parse((await cli(['table', 'download', 'syndb-style-example', 'synapse', '--format', 'csvw'])).stdout);
    expect(JSON.stringify(meta)).toMatch(/tableSchema/);
    const cols = await cli(['table', 'download', 'syndb-style-example', 'synapse', '--columns', 'cid,pre_id']);
    expect(cols.stdout.split('\n')[0].trim()).toBe('cid,pre_id');
    const l = await cli(['table', 'list', 'syndb-style-example']);
    expect(l.stdout).toMatch(/^v1\t.*synapse/m);
    const missing = await cli(['table', 'download', 'syndb-style-example', 'axon']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^syndb: 404 Not Found/);
  });

  it('table upload: an invalid table is refused with its row/column problems as a short table; an asset upload (multipart)', async () => {
    const f = join(dir, 'tabled.json');
    writeFileSync(f, JSON.stringify(DATASET('cli-tables', { compartments: ['synapse', 'neuron'] })));
    expect((await cli(['dataset', 'create', f])).code).toBe(0);
    const bad = join(dir, 'bad-neurons.csv');
    writeFileSync(bad, 'cid,voxel_volume\nx1,-5\nx2,abc\n');
    const r = await cli(['table', 'upload', 'cli-tables', 'neuron', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^syndb: 422 Invalid Table\n/m);
    expect(r.stderr).toMatch(/^ {2}row +column +value +problem$/m);
    expect(r.stderr).toMatch(/^ {2}1 +voxel_volume +-5 +/m);
    expect(r.stderr).toMatch(/^ {2}2 +voxel_volume +abc +/m);
    const good = join(dir, 'neurons.csv');
    writeFileSync(good, readFileSync(join(ROOT, 'examples', 'syndb-style', 'neuron.csv')));
    const ok = await cli(['table', 'upload', 'cli-tables', 'neuron', good]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/rows stored in http:\/\/localhost:3030\/datasets\/cli-tables\/draft\/tables\/neuron; sha256 [0-9a-f]{64}; sent \d+ of \d+ bytes$/m);
    const down = await cli(['table', 'download', 'cli-tables', 'neuron', '--version', 'draft']);
    expect(sha(down.stdout)).toBe(sha(readFileSync(good)));

    const swc = join(ROOT, 'test', 'fixtures', 'assets', 'neuron.swc');
    const a = await cli(['asset', 'upload', 'cli-tables', swc, '--json']);
    expect(a.code, a.stderr).toBe(0);
    expect(JSON.parse(a.stdout)).toMatchObject({ name: 'neuron.swc', sha256: sha(readFileSync(swc)) });
    expect(a.stderr).toMatch(/bytes sent/);
    const fetched = await svc.fetch('/datasets/cli-tables/assets/neuron.swc?version=draft', { token });
    expect(sha(Buffer.from(await fetched.arrayBuffer()))).toBe(sha(readFileSync(swc)));
    const brokenSwc = await cli(['asset', 'upload', 'cli-tables', join(ROOT, 'test', 'fixtures', 'assets', 'broken.swc')]);
    expect(brokenSwc.code).toBe(1);
    expect(brokenSwc.stderr).toMatch(/^syndb: 422 The SWC file is not valid\n {2}5 problems found; nothing was stored\n {2}✗ line 3 P = "9": parent 9 of node 2 is not in the file$/m);
  }, 120_000);
});

describe('resumable table upload', () => {
  const COLS = ['cid', 'parent_id', 'parent_table', 'neuron_id', 'voxel_volume', 'centroid_x', 'centroid_y', 'centroid_z', 'connection_score', 'cleft_score', 'cave_id', 'pre_id', 'post_id'];
  function bigTable(file: string, rows: number) {
    const fd = openSync(file, 'w');
    writeSync(fd, `${COLS.join(',')}\n`);
    let buf = '';
    for (let i = 1; i <= rows; i++) {
      buf += `${[`s${i}`, `d${i % 97}`, 'dendrite', `n${i % 89}`, 1000 + (i % 5000), ((i * 37) % 400000 / 10).toFixed(1), i % 30000, (i % 200) * 40, ((i % 1000) / 1000).toFixed(3), ((i * 7 % 1000) / 1000).toFixed(3), 88_000_000 + i, `n${i % 89}`, `n${(i * 7) % 89}`].join(',')}\n`;
      if (buf.length > 1 << 16) { writeSync(fd, buf); buf = ''; }
    }
    writeSync(fd, buf);
    closeSync(fd);
  }

  it('a 200,000-row upload killed halfway (SIGKILL) resumes from the server\'s offset and is stored identical', async () => {
    const f = join(dir, 'big.json');
    writeFileSync(f, JSON.stringify(DATASET('cli-big')));
    expect((await cli(['dataset', 'create', f])).code).toBe(0);
    const csv = join(dir, 'big-synapses.csv');
    bigTable(csv, 200_000);
    const file = readFileSync(csv);
    const size = file.length;
    expect(size).toBeGreaterThan(10_000_000);

    // first run: 4 MiB/s in 1 MiB chunks; killed once the progress shows > 2 MiB sent
    const child = spawn(process.execPath, [CLI, 'table', 'upload', 'cli-big', 'synapse', csv, '--chunk-size', '1M', '--limit-rate', '4M', '--no-triples'],
      { cwd: dir, env: { ...baseEnv(), SYNDB_URL: svc.url, SYNDB_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err1 = '';
    const exited = new Promise<number | null>((res) => child.on('exit', (code, signal) => res(signal ? null : code)));
    await new Promise<void>((res, rej) => {
      const t = setTimeout(() => rej(new Error(`no progress: ${err1}`)), 60_000);
      child.stderr.on('data', (d: Buffer) => {
        err1 += d.toString();
        const sent = [...err1.matchAll(/ (\d+)\/\d+ bytes sent/g)].map((m) => Number(m[1]));
        if (sent.length && sent.at(-1)! > 2.5 * 1024 * 1024) { clearTimeout(t); res(); }
      });
    });
    child.kill('SIGKILL');
    expect(await exited).toBeNull(); // killed, not finished
    const sessionUrl = /upload session (\S+)/.exec(err1)![1];
    expect(sessionUrl).toMatch(/\/datasets\/cli-big\/tables\/synapse\/uploads\/[0-9a-f-]{36}$/);
    await new Promise((r) => setTimeout(r, 300));
    const head = await fetch(sessionUrl, { method: 'HEAD', headers: { authorization: `Bearer ${token}` } });
    expect(head.status).toBe(200);
    const offset = Number(head.headers.get('upload-offset'));
    expect(Number(head.headers.get('upload-length'))).toBe(size);
    expect(offset).toBeGreaterThan(2 * 1024 * 1024);
    expect(offset).toBeLessThan(size);
    // nothing stored yet
    expect((await svc.fetch('/datasets/cli-big/tables/synapse?version=draft', { token })).status).toBe(404);
    // someone else cannot see the session
    expect((await fetch(sessionUrl, { method: 'HEAD', headers: { authorization: `Bearer ${svc.ctx.tokens.create('mallory', 'contributor')}` } })).status).toBe(404);

    // second run: the same command resumes
    const second = await cli(['table', 'upload', 'cli-big', 'synapse', csv, '--chunk-size', '4M', '--no-triples']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(`upload session ${sessionUrl}`);
    expect(second.stderr).toMatch(new RegExp(`resuming at byte ${offset} of ${size}`));
    const m = /; sent (\d+) of (\d+) bytes \(resumed at byte (\d+)\)$/m.exec(second.stdout);
    expect(m, second.stdout).not.toBeNull();
    expect(Number(m![3])).toBe(offset);
    expect(Number(m![1])).toBe(size - offset);
    expect(Number(m![1])).toBeLessThan(size);
    expect(second.stdout).toMatch(/200000 rows stored/);
    // the session is gone, the table identical
    expect((await fetch(sessionUrl, { method: 'HEAD', headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
    const down = await svc.fetch('/datasets/cli-big/tables/synapse?version=draft', { token });
    expect(down.status).toBe(200);
    expect(sha(Buffer.from(await down.arrayBuffer()))).toBe(sha(file));
    const viaCli = await cli(['table', 'download', 'cli-big', 'synapse', '--version', 'draft', '-o', join(dir, 'back.csv')]);
    expect(viaCli.code, viaCli.stderr).toBe(0);
    expect(sha(readFileSync(join(dir, 'back.csv')))).toBe(sha(file));
  }, 300_000);

  it('the session protocol: offsets, ranges, checksums, limits, expiry, DELETE; problem+json for each refusal', async () => {
    const f = join(dir, 'proto.json');
    writeFileSync(f, JSON.stringify(DATASET('cli-proto')));
    expect((await cli(['dataset', 'create', f])).code).toBe(0);
    const body = readFileSync(join(ROOT, 'examples', 'syndb-style', 'synapse.csv'));
    const base = '/datasets/cli-proto/tables/synapse/uploads';
    const json = { 'content-type': 'application/json' };
    const open = async (o: Record<string, unknown>) => svc.fetch(base, { method: 'POST', token, headers: json, body: JSON.stringify(o) });
    const problem = async (r: Response, status: number, title: RegExp) => {
      expect(r.status).toBe(status);
      expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
      const p = await r.json();
      expect(p.title).toMatch(title);
      return p;
    };
    await problem(await open({ size: 0 }), 400, /Bad Request/);
    await problem(await open({ size: 1e15 }), 413, /Payload Too Large/);
    await problem(await svc.fetch(base, { method: 'POST', headers: json, body: JSON.stringify({ size: 10 }) }), 401, /Unauthorized/);
    await problem(await svc.fetch('/datasets/cli-proto/tables/nonsense/uploads', { method: 'POST', token, headers: json, body: JSON.stringify({ size: 10 }) }), 404, /Not Found/);

    const r = await open({ size: body.length, sha256: sha(body) });
    expect(r.status).toBe(201);
    const s = await r.json();
    expect(r.headers.get('location')).toBe(s.url);
    expect(s).toMatchObject({ offset: 0, size: body.length, resumed: false });
    const put = (range: string, b: Buffer<ArrayBuffer> | string) => svc.fetch(s.url, { method: 'PUT', token, headers: { 'content-range': range }, body: b });
    const half = Math.floor(body.length / 2);
    await problem(await put(`bytes 10-19/${body.length}`, body.subarray(10, 20)), 409, /Wrong Upload Offset/);
    await problem(await put(`bytes 0-9/${body.length + 1}`, body.subarray(0, 10)), 416, /Bad Content-Range/);
    await problem(await put('bytes 0-9', body.subarray(0, 10)), 400, /Bad Request/);
    const p1 = await put(`bytes 0-${half - 1}/${body.length}`, body.subarray(0, half));
    expect(p1.status).toBe(200);
    expect(p1.headers.get('upload-offset')).toBe(String(half));
    // asking again for the same file resumes the open session
    const again = await open({ size: body.length, sha256: sha(body) });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ id: s.id, offset: half, resumed: true });
    const done = await put(`bytes ${half}-${body.length - 1}/${body.length}`, body.subarray(half));
    expect(done.status).toBe(201);
    expect(await done.json()).toMatchObject({ rows: body.toString().trim().split('\n').length - 1, sha256: sha(body) });
    expect((await svc.fetch(s.url, { method: 'HEAD', token })).status).toBe(404);

    // a wrong checksum: refused whole, nothing stored, the session removed
    const w = await (await open({ size: body.length, sha256: '0'.repeat(64) })).json();
    const bad = await svc.fetch(w.url, { method: 'PUT', token, headers: { 'content-range': `bytes 0-${body.length - 1}/${body.length}` }, body });
    await problem(bad, 422, /Checksum Mismatch/);
    expect((await svc.fetch(w.url, { token })).status).toBe(404);

    // DELETE, and expiry (a sweep after the time to live removes the session)
    const d = await (await open({ size: 100 })).json();
    expect((await svc.fetch(d.url, { method: 'DELETE', token })).status).toBe(204);
    expect((await svc.fetch(d.url, { method: 'HEAD', token })).status).toBe(404);
    const x = await (await open({ size: 100 })).json();
    const sessions = new UploadSessions(svc.ctx, new TableService(svc.ctx));
    expect(sessions.sweep(Date.now() + 1000)).toBe(0);
    expect(sessions.sweep(Date.now() + svc.ctx.config.uploadTtlMs + 1000)).toBeGreaterThanOrEqual(1);
    const gone = await svc.fetch(x.url, { token });
    await problem(gone, 404, /Not Found/);
    // at most SYNDB_UPLOAD_SESSIONS open per user
    for (let i = 0; i < svc.ctx.config.uploadSessionsPerUser; i++) expect((await open({ size: 100 + i })).status).toBe(201);
    await problem(await open({ size: 99 }), 429, /Too Many Upload Sessions/);
    sessions.sweep(Date.now() + svc.ctx.config.uploadTtlMs + 1000);
  }, 120_000);
});

describe('syndb token create follows the configuration the server reads', () => {
  it('a syndb.env in the directory or a parent sets the data directory for both', { timeout: 120_000 }, async () => {
    const top = mkdtempSync(join(tmpdir(), 'syndb-conf-'));
    try {
      writeFileSync(join(top, 'syndb.env'), '# the service of this project\nSYNDB_DATA_DIR=./store-here\n');
      const sub = join(top, 'analysis');
      mkdirSync(sub);
      const r = await cli(['token', 'create', '--name', 'frank'], { cwd: sub, server: false, token: null });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`created in ${join(top, 'store-here')}/tokens.json (data directory from ${join(top, 'syndb.env')})`);
      expect(existsSync(join(top, 'store-here', 'tokens.json'))).toBe(true);
      expect(existsSync(join(sub, 'data'))).toBe(false);
      // the server's configuration (the same module, the same file) names the same directory
      expect(configFromEnv({}, { file: true, cwd: sub }).dataDir).toBe(join(top, 'store-here'));
      expect(configFromEnv({ SYNDB_DATA_DIR: '/elsewhere' }, { file: true, cwd: sub }).dataDir).toBe('/elsewhere'); // the environment wins
      // and the token authenticates on a server started on that directory
      const { TokenRegistry } = await import('../src/service/tokens.js');
      expect(new TokenRegistry(join(top, 'store-here')).verify(r.stdout.trim())).toMatchObject({ user: 'frank', role: 'contributor' });
    } finally {
      rmSync(top, { recursive: true, force: true });
    }
  });
});
