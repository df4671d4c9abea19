/**
 * Source assets over HTTP: SWC and mesh uploads (raw body and multipart), checks (422 with line
 * numbers, nothing stored), content-addressed files, the description in the draft graph
 * (checked by Apache Jena's SHACL validator), attachment to a row, downloads, access rules,
 * size limit, publication.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestService, BASE, type TestService } from './helpers/service.js';
import { JENA, parseJenaReport } from './helpers/jena.js';
import { NS } from '../src/model/namespaces.js';
import { projectPath } from '../src/util/paths.js';

let svc: TestService;
let alice: string;
let bob: string;
const swc = readFileSync(new URL('./fixtures/assets/neuron.swc', import.meta.url));
const broken = readFileSync(new URL('./fixtures/assets/broken.swc', import.meta.url));
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
// a minimal binary glTF: 12-byte header (magic, version 2, length) and an empty JSON chunk
const glb = (() => {
  const json = Buffer.from('{"asset":{"version":"2.0"}}  ');
  const b = Buffer.alloc(12 + 8 + json.length);
  b.write('glTF', 0, 'latin1'); b.writeUInt32LE(2, 4); b.writeUInt32LE(b.length, 8);
  b.writeUInt32LE(json.length, 12); b.write('JSON', 16, 'latin1'); json.copy(b, 20);
  return b;
})();

const post = (id: string, query: string, body: Buffer | string | FormData, token: string | null = alice, type?: string) =>
  svc.fetch(`/datasets/${id}/assets${query}`, { method: 'POST', body: body as BodyInit, headers: type ? { 'content-type': type } : {}, token });

beforeAll(async () => {
  svc = await startTestService({ examples: false });
  alice = svc.ctx.tokens.create('alice', 'contributor');
  bob = svc.ctx.tokens.create('bob', 'contributor');
  for (const [id, access] of [['assets-test', 'public'], ['assets-private', 'private']]) {
    const ds = { id, title: `Assets ${id}`, description: 'Assets.', creators: [{ name: 'Doe, Jane' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['neuron'], access };
    const res = await svc.fetch('/datasets', { method: 'POST', body: JSON.stringify(ds), headers: { 'content-type': 'application/json' }, token: alice });
    expect(res.status).toBe(201);
  }
  const neurons = readFileSync(projectPath('examples', 'syndb-style', 'neuron.csv'), 'utf8');
  const t = await svc.fetch('/datasets/assets-test/tables/neuron', { method: 'PUT', body: neurons, headers: { 'content-type': 'text/csv' }, token: alice });
  expect(t.status).toBe(201);
}, 120_000);
afterAll(async () => svc?.stop());

const firstNeuron = () => readFileSync(projectPath('examples', 'syndb-style', 'neuron.csv'), 'utf8').split('\n')[1].split(',')[0];

describe('upload', () => {
  it('stores an SWC skeleton attached to a row, summarised and described in the draft graph', async () => {
    const cid = firstNeuron();
    const res = await post('assets-test', `?filename=n1.swc&row=neuron/${cid}`, swc, alice, 'text/plain');
    expect(res.status).toBe(201);
    const body = await res.json() as Record<string, any>;
    expect(body).toMatchObject({ name: 'n1.swc', kind: 'SkeletonSWC', mediaType: 'text/plain', bytes: swc.length, sha256: sha(swc), downloadURL: `${BASE}/datasets/assets-test/assets/n1.swc`, replaced: false });
    expect(body.skeleton).toMatchObject({ nodeCount: 7, branchPointCount: 2, hasSoma: true });
    expect(body.skeleton.cableLengthNm).toBeCloseTo(52_000, 6); // micrometres by SWC convention -> nm
    expect(body.attachedTo).toMatchObject({ compartment: 'neuron', cid });
    // content-addressed file
    expect(readFileSync(join(svc.dataDir, 'assets', sha(swc)))).toEqual(swc);
    expect(readdirSync(join(svc.dataDir, 'assets')).filter((f) => f.startsWith('.tmp'))).toEqual([]);
    // graph
    const D = svc.ctx.iris.draft('assets-test');
    const A = `${D}/assets/n1.swc`;
    const g = await svc.ctx.store.select(`SELECT ?p ?o WHERE { GRAPH <${D}> { <${A}> ?p ?o } }`);
    const m = new Map(g.map((b) => [b.p.value, b.o]));
    expect(m.get(`${NS.dcat}mediaType`)?.value).toBe('https://www.iana.org/assignments/media-types/text/plain');
    expect(m.get(`${NS.dcat}byteSize`)?.value).toBe(String(swc.length)); // written as xsd:nonNegativeInteger; the store may give xsd:integer back
    expect(m.get(`${NS.syndb}nodeCount`)?.value).toBe('7');
    expect(m.get(`${NS.syndb}hasSoma`)?.value).toBe('true');
    expect(m.get(`${NS.dcterms}format`)?.value).toMatch(/SWC/);
    const link = await svc.ctx.store.ask(`ASK { GRAPH <${D}> { <${svc.ctx.iris.table('assets-test', 'draft', 'neuron')}/rows/${encodeURIComponent(cid)}> <${NS.dcat}distribution> <${A}> } }`);
    expect(link).toBe(true);
    const prov = await svc.ctx.store.select(`SELECT ?a ?v WHERE { GRAPH ?g { ?a a <${NS.syndb}AssetUpload> ; <${NS.prov}generated> <${A}> ; <${NS.prov}used>/<http://spdx.org/rdf/terms#checksum>/<http://spdx.org/rdf/terms#checksumValue> ?v } }`);
    expect(prov.map((p) => p.v.value)).toEqual([sha(swc)]);
  });

  it('stores a binary glTF mesh sent as multipart/form-data, on the dataset', async () => {
    const fd = new FormData();
    fd.append('swcUnit', 'um');
    fd.append('file', new Blob([glb], { type: 'model/gltf-binary' }), 'cell.glb');
    const res = await post('assets-test', '', fd);
    expect(res.status).toBe(201);
    const body = await res.json() as Record<string, any>;
    expect(body).toMatchObject({ name: 'cell.glb', kind: 'Mesh', mediaType: 'model/gltf-binary', bytes: glb.length, sha256: sha(glb), attachedTo: { dataset: svc.ctx.iris.draft('assets-test') } });
    expect(readFileSync(join(svc.dataDir, 'assets', sha(glb)))).toEqual(glb);
  });

  it('the description conforms to shapes/asset.ttl according to Apache Jena', async () => {
    const D = svc.ctx.iris.draft('assets-test');
    const nq = await svc.ctx.store.dumpGraph(D);
    const dir = mkdtempSync(join(tmpdir(), 'assets-jena-'));
    try {
      writeFileSync(join(dir, 'data.nt'), nq.split('\n').filter(Boolean).map((l) => l.replace(/\s*<[^<>]*>\s*\.\s*$/, ' .')).join('\n') + '\n');
      const out = execFileSync(JENA, ['shacl', 'validate', '--shapes', projectPath('shapes', 'asset.ttl'), '--data', join(dir, 'data.nt')], { encoding: 'utf8' });
      const report = parseJenaReport(out);
      expect(report.results).toEqual([]);
      expect(report.conforms).toBe(true);
      // and the referee sees the shapes bite: drop the checksum of one asset
      writeFileSync(join(dir, 'bad.nt'), readFileSync(join(dir, 'data.nt'), 'utf8').split('\n').filter((l) => !l.startsWith(`<${svc.ctx.iris.draft('assets-test')}/assets/n1.swc/checksum> <http://spdx.org/rdf/terms#algorithm>`)).join('\n'));
      const bad = parseJenaReport(execFileSync(JENA, ['shacl', 'validate', '--shapes', projectPath('shapes', 'asset.ttl'), '--data', join(dir, 'bad.nt')], { encoding: 'utf8' }));
      expect(bad.conforms).toBe(false);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  }, 60_000);

  it('rejects an invalid SWC file with every problem and its line number; nothing is stored', async () => {
    const before = await svc.quadCount();
    const res = await post('assets-test', '?filename=bad.swc', broken);
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    const body = await res.json() as { errors: Array<{ path: string; message: string }> };
    expect(body.errors.map((e) => e.path)).toEqual(['line 3 P', 'line 4 n', 'line 5 x', 'line 6 R', 'line 7']);
    expect(await svc.quadCount()).toBe(before);
    expect(existsSync(join(svc.dataDir, 'assets', sha(broken)))).toBe(false);
    const forest = await post('assets-test', '?filename=f.swc', '1 1 0 0 0 1 -1\n2 1 5 0 0 1 -1\n');
    expect(forest.status).toBe(422);
    expect(((await forest.json()) as { errors: Array<{ message: string }> }).errors[0].message).toMatch(/2 roots.*forest=true/);
    const allowed = await post('assets-test', '?filename=f.swc&forest=true&swcUnit=nm', '1 1 0 0 0 1 -1\n2 1 5 0 0 1 -1\n3 3 5 3 4 1 2\n');
    expect(allowed.status).toBe(201);
    expect(((await allowed.json()) as { skeleton: { cableLengthNm: number } }).skeleton.cableLengthNm).toBe(5);
  });

  it('rejects bad requests with specific problems', async () => {
    const cases: Array<[string, Buffer | string, string | undefined, number, RegExp]> = [
      ['?filename=x.tif', 'abc', undefined, 422, /unsupported file type.*\.glb/],
      ['', swc, undefined, 422, /file name is required/],
      ['?filename=../x.swc', swc, undefined, 422, /A-Z a-z 0-9/],
      ['?filename=x.glb', 'not a glb at all', undefined, 422, /starts with "glTF"/],
      ['?filename=x.swc&row=neuron/no-such-cell', swc, undefined, 422, /no neuron row with cid "no-such-cell"/],
      ['?filename=x.swc&row=brain/1', swc, undefined, 422, /"brain" is not a compartment/],
      ['?filename=x.glb', glb, 'text/csv', 422, /model\/gltf-binary/],
      ['?filename=x.swc&swcUnit=mm', swc, undefined, 422, /"um".*"nm"/],
    ];
    for (const [query, body, type, status, re] of cases) {
      const res = await post('assets-test', query, body, alice, type);
      expect(res.status, query).toBe(status);
      expect(((await res.json()) as { errors: Array<{ message: string }> }).errors.map((e) => e.message).join(' | '), query).toMatch(re);
    }
  });

  it('takes the row and the forest flag from multipart form fields', async () => {
    const fd = new FormData();
    fd.append('row', `neuron/${firstNeuron()}`);
    fd.append('forest', 'true');
    fd.append('file', new Blob(['1 1 0 0 0 1 -1\n2 1 9 0 0 1 -1\n']), 'two.swc');
    const res = await post('assets-test', '', fd);
    expect(res.status).toBe(201);
    const body = await res.json() as { attachedTo: { compartment: string }; skeleton: { nodeCount: number } };
    expect(body.attachedTo.compartment).toBe('neuron');
    expect(body.skeleton.nodeCount).toBe(2);
    const none = new FormData();
    none.append('row', 'neuron/x');
    const nf = await post('assets-test', '', none);
    expect(nf.status).toBe(400);
    expect(((await nf.json()) as { detail: string }).detail).toMatch(/no file part/);
  });

  it('needs a token and write access; private datasets stay invisible', async () => {
    expect((await post('assets-test', '?filename=a.swc', swc, null)).status).toBe(401);
    expect((await post('assets-test', '?filename=a.swc', swc, bob)).status).toBe(403);
    const hidden = await post('assets-private', '?filename=a.swc', swc, bob);
    expect(hidden.status).toBe(404);
    expect((await svc.fetch('/datasets/assets-private/assets', { token: bob })).status).toBe(404);
    expect((await post('assets-private', '?filename=a.swc', swc, alice)).status).toBe(201);
  });

  it('refuses a file over SYNDB_MAX_ASSET_BYTES with 413, storing nothing', async () => {
    process.env.SYNDB_MAX_ASSET_BYTES = '64';
    try {
      const big = Buffer.concat([swc, Buffer.from('\n'.repeat(10))]);
      const before = await svc.quadCount();
      const res = await post('assets-test', '?filename=big.swc', big);
      expect(res.status).toBe(413);
      expect(((await res.json()) as { detail: string }).detail).toMatch(/64 bytes/);
      // streamed without a length (chunked): the limit applies while writing
      const stream = new ReadableStream({ start(c) { c.enqueue(new Uint8Array(big)); c.close(); } });
      const chunked = await svc.fetch('/datasets/assets-test/assets?filename=big.swc', { method: 'POST', body: stream, headers: { 'content-type': 'text/plain' }, token: alice, duplex: 'half' } as RequestInit);
      expect(chunked.status).toBe(413);
      expect(await svc.quadCount()).toBe(before);
      expect(existsSync(join(svc.dataDir, 'assets', sha(big)))).toBe(false);
    } finally { delete process.env.SYNDB_MAX_ASSET_BYTES; }
  });
});

describe('list and download', () => {
  it('lists the draft assets to the owner as JSON, Turtle and HTML', async () => {
    const res = await svc.fetch('/datasets/assets-test/assets?version=draft', { token: alice });
    expect(res.status).toBe(200);
    const body = await res.json() as { version: string; assets: Array<{ name: string }> };
    expect(body.version).toBe('draft');
    expect(body.assets.map((a) => a.name)).toEqual(['cell.glb', 'f.swc', 'n1.swc', 'two.swc']);
    const ttl = await svc.fetch('/datasets/assets-test/assets?version=draft&format=ttl', { token: alice });
    expect(ttl.headers.get('content-type')).toMatch(/text\/turtle/);
    expect(await ttl.text()).toContain('SkeletonSWC');
    const ld = await svc.fetch('/datasets/assets-test/assets?version=draft', { token: alice, headers: { accept: 'application/ld+json' } });
    expect(ld.headers.get('content-type')).toMatch(/application\/ld\+json/);
    expect(JSON.stringify(await ld.json())).toContain('cell.glb');
    const html = await svc.fetch('/datasets/assets-test/assets?version=draft', { token: alice, headers: { accept: 'text/html' } });
    expect(await html.text()).toContain('n1.swc');
    // anonymous: no published version yet
    expect((await svc.fetch('/datasets/assets-test/assets')).status).toBe(404);
  });

  it('serves the file with its media type, size and name', async () => {
    const res = await svc.fetch('/datasets/assets-test/assets/cell.glb?version=draft', { token: alice });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('model/gltf-binary');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="cell.glb"');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(glb);
    const nf = await svc.fetch('/datasets/assets-test/assets/nope.glb?version=draft', { token: alice });
    expect(nf.status).toBe(404);
    expect(((await nf.json()) as { detail: string }).detail).toMatch(/no asset "nope.glb"; its assets: cell.glb/);
  });

  it('replacing a file of the same name keeps one description; publishing makes the assets public', async () => {
    const v2 = Buffer.from(swc.toString('utf8').replace('7 3 9 12 0 0.5 4', '7 3 9 12 0 0.5 4\n8 3 9 12 1 0.5 7'));
    const res = await post('assets-test', `?filename=n1.swc&row=neuron/${firstNeuron()}`, v2);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as { replaced: boolean }).replaced).toBe(true);
    const D = svc.ctx.iris.draft('assets-test');
    const counts = await svc.ctx.store.select(`SELECT (COUNT(*) AS ?n) WHERE { GRAPH <${D}> { <${D}/assets/n1.swc> <${NS.syndb}nodeCount> ?c } }`);
    expect(counts[0].n.value).toBe('1');
    const pub = await svc.fetch('/datasets/assets-test/versions', { method: 'POST', token: alice });
    expect(pub.status, await pub.clone().text()).toBe(201);
    const list = await svc.fetch('/datasets/assets-test/assets');
    expect(list.status).toBe(200);
    const body = await list.json() as { version: number; assets: Array<{ name: string; iri: string; skeleton?: { nodeCount: number }; attachedTo: { compartment?: string } }> };
    expect(body.version).toBe(1);
    const n1 = body.assets.find((a) => a.name === 'n1.swc')!;
    expect(n1.iri).toBe(`${svc.ctx.iris.version('assets-test', 1)}/assets/n1.swc`);
    expect(n1.skeleton?.nodeCount).toBe(8);
    expect(n1.attachedTo.compartment).toBe('neuron');
    const file = await svc.fetch('/datasets/assets-test/assets/n1.swc');
    expect(file.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(Buffer.from(await file.arrayBuffer())).toEqual(v2);
  });
});
