/**
 * Nothing published changes or disappears, nothing uploaded is dropped: a metadata edit
 * (PUT /datasets/{id}) keeps the draft's assets and tables; every asset URL a version announced
 * (its dcat:downloadURL, /versions/{n}/assets/{name}, ?version=n) keeps serving the same bytes
 * after later versions drop the asset or reuse its name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { startTestService, BASE, type TestService } from './helpers/service.js';
import { projectPath } from '../src/util/paths.js';
import { NS } from '../src/model/namespaces.js';

let svc: TestService;
let alice: string;
const swc = readFileSync(new URL('./fixtures/assets/neuron.swc', import.meta.url));
const swc3 = Buffer.from(swc.toString('utf8').replace('7 3 9 12 0 0.5 4', '7 3 9 12 0 0.5 4\n8 3 9 12 1 0.5 7'));
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const firstNeuron = () => readFileSync(projectPath('examples', 'syndb-style', 'neuron.csv'), 'utf8').split('\n')[1].split(',')[0];
const description = (title: string) => JSON.stringify({ id: 'av', title, description: 'Assets across versions.', creators: [{ name: 'Doe, Jane' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['neuron'] });
const put = (title: string) => svc.fetch('/datasets/av', { method: 'PUT', token: alice, headers: { 'content-type': 'application/json' }, body: description(title) });
const upload = (name: string, body: Buffer<ArrayBuffer>, row = '') => svc.fetch(`/datasets/av/assets?filename=${name}${row ? `&row=${row}` : ''}`, { method: 'POST', token: alice, headers: { 'content-type': 'text/plain' }, body });
const publish = () => svc.fetch('/datasets/av/versions', { method: 'POST', token: alice });
const local = (url: string) => { expect(url.startsWith(BASE)).toBe(true); return url.slice(BASE.length); };
const bytes = async (path: string, token: string | null = null) => {
  const r = await svc.fetch(path, { token });
  expect(r.status, `${path}: ${r.status}`).toBe(200);
  return Buffer.from(await r.arrayBuffer());
};
/** dcat:downloadURL and dcat:accessURL values in a version's RDF (its graph with the DCAT description). */
async function announcedUrls(n: number): Promise<string[]> {
  const r = await svc.fetch(`/datasets/av/versions/${n}`, { headers: { accept: 'application/n-triples' } });
  expect(r.status).toBe(200);
  const urls = new Set<string>();
  for (const l of (await r.text()).split('\n')) {
    const m = /^\S+ <http:\/\/www\.w3\.org\/ns\/dcat#(?:downloadURL|accessURL)> <([^>]+)> \.$/.exec(l);
    if (m) urls.add(m[1]);
  }
  return [...urls];
}

beforeAll(async () => {
  svc = await startTestService({ examples: false });
  alice = svc.ctx.tokens.create('alice', 'contributor');
  const c = await svc.fetch('/datasets', { method: 'POST', token: alice, headers: { 'content-type': 'application/json' }, body: description('Assets across versions') });
  expect(c.status).toBe(201);
  const neurons = readFileSync(projectPath('examples', 'syndb-style', 'neuron.csv'), 'utf8');
  const t = await svc.fetch('/datasets/av/tables/neuron', { method: 'PUT', body: neurons, headers: { 'content-type': 'text/csv' }, token: alice });
  expect(t.status).toBe(201);
  expect((await upload('a.swc', swc)).status).toBe(201);
  expect((await upload('row.swc', swc, `neuron/${firstNeuron()}`)).status).toBe(201);
}, 120_000);
afterAll(async () => svc?.stop());

describe('a metadata edit keeps what was uploaded', () => {
  it('PUT /datasets/{id} keeps the draft\'s assets (on the dataset and on rows) and its tables', async () => {
    const r = await put('Assets across versions, retitled');
    expect(r.status, await r.clone().text()).toBe(200);
    const list = await svc.fetch('/datasets/av/assets?version=draft', { token: alice });
    expect(list.status).toBe(200);
    const assets = ((await list.json()) as { assets: Array<{ name: string; sha256: string; attachedTo: { compartment?: string } }> }).assets;
    expect(assets.map((a) => a.name).sort()).toEqual(['a.swc', 'row.swc']);
    expect(assets.find((a) => a.name === 'row.swc')!.attachedTo.compartment).toBe('neuron');
    expect(await bytes('/datasets/av/assets/a.swc?version=draft', alice)).toEqual(swc);
    const D = svc.ctx.iris.draft('av');
    expect(await svc.ctx.store.ask(`ASK { GRAPH <${D}> { <${D}> <${NS.dcterms}title> "Assets across versions, retitled" ; <${NS.syndb}compartment> ?c } }`)).toBe(true);
    const table = await svc.fetch('/datasets/av/tables/neuron?version=draft', { token: alice, headers: { accept: 'text/csv' } });
    expect(table.status).toBe(200);
  });
});

describe('published asset URLs answer forever with the same bytes', () => {
  it('version 1 announces version-scoped URLs; they still serve its files after version 2 drops them and version 3 reuses the name', async () => {
    expect((await publish()).status).toBe(201);
    const v1 = svc.ctx.iris.version('av', 1);
    const urls1 = await announcedUrls(1);
    expect(urls1).toContain(`${v1}/assets/a.swc`);
    expect(urls1).toContain(`${v1}/assets/row.swc`);
    expect(urls1.filter((u) => u.startsWith(`${BASE}/datasets/av/assets/`))).toEqual([]);

    // version 2: a new description, no assets
    expect((await put('Assets across versions, v2')).status).toBe(200);
    expect((await publish()).status).toBe(201);
    // version 3: a different file under the old name
    expect((await put('Assets across versions, v3')).status).toBe(200);
    expect((await upload('a.swc', swc3)).status).toBe(201);
    expect((await publish()).status).toBe(201);

    for (const u of urls1) {
      const r = await svc.fetch(local(u), { method: 'HEAD' });
      expect(r.status, u).toBe(200);
    }
    expect(await bytes(local(`${v1}/assets/a.swc`))).toEqual(swc);
    expect(await bytes(local(`${v1}/assets/row.swc`))).toEqual(swc);
    expect(await bytes('/datasets/av/assets/a.swc?version=1')).toEqual(swc);
    const head = await svc.fetch('/datasets/av/versions/1/assets/a.swc');
    expect(head.headers.get('etag')).toBe(`"${sha(swc)}"`);
    expect(await bytes(local(`${svc.ctx.iris.version('av', 3)}/assets/a.swc`))).toEqual(swc3);
    expect((await svc.fetch('/datasets/av/versions/2/assets/a.swc')).status).toBe(404);
    // the version-less URL is the latest version's file, or the newest earlier one's
    expect(await bytes('/datasets/av/assets/a.swc')).toEqual(swc3);
    expect(await bytes('/datasets/av/assets/row.swc')).toEqual(swc);
    expect((await svc.fetch('/datasets/av/versions/1/assets')).status).toBe(200);
    expect((await svc.fetch('/datasets/av/versions/x/assets/a.swc')).status).toBe(404);
  });
});
