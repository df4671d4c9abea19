/**
 * HTTP caching (src/http/caching.ts) over HTTP: the files of a published version named by their
 * version (table CSV and Parquet, assets) are `public, max-age=…, immutable` with a strong ETag and
 * answer 304 to If-None-Match; what can change (the latest version under the concept IRI, version
 * metadata) is `no-cache` and revalidates to 304; drafts and private datasets are `private, no-store`;
 * a credentialed request never gets `public`; an error never carries the cacheable headers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { startTestService, type TestService } from './helpers/service.js';
import { projectPath } from '../src/util/paths.js';

let svc: TestService;
let alice: string;
const swc = readFileSync(new URL('./fixtures/assets/neuron.swc', import.meta.url));
const neurons = readFileSync(projectPath('examples', 'syndb-style', 'neuron.csv'), 'utf8');
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const description = (id: string, over: Record<string, unknown> = {}) => JSON.stringify({ id, title: `Caching ${id}`, description: 'A dataset of the HTTP caching tests.', creators: [{ name: 'Doe, Jane' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['neuron'], ...over });
const json = { 'content-type': 'application/json' };

async function makeDataset(id: string, over: Record<string, unknown> = {}, publish = true) {
  expect((await svc.fetch('/datasets', { method: 'POST', token: alice, headers: json, body: description(id, over) })).status).toBe(201);
  expect((await svc.fetch(`/datasets/${id}/tables/neuron`, { method: 'PUT', body: neurons, headers: { 'content-type': 'text/csv' }, token: alice })).status).toBe(201);
  expect((await svc.fetch(`/datasets/${id}/assets?filename=a.swc`, { method: 'POST', token: alice, headers: { 'content-type': 'text/plain' }, body: swc })).status).toBe(201);
  if (publish) expect((await svc.fetch(`/datasets/${id}/versions`, { method: 'POST', token: alice })).status).toBe(201);
}

beforeAll(async () => {
  svc = await startTestService({ examples: false });
  alice = svc.ctx.tokens.create('alice', 'contributor');
  await makeDataset('cache-public');
  // a draft on top of version 1
  expect((await svc.fetch('/datasets/cache-public', { method: 'PUT', token: alice, headers: json, body: description('cache-public', { title: 'Caching, draft title' }) })).status).toBe(200);
  await makeDataset('cache-private', { access: 'private' });
  await makeDataset('cache-draft', {}, false);
}, 120_000);
afterAll(async () => svc?.stop());

const IMMUTABLE = /^public, max-age=(\d+), immutable$/;

/** GET, then GET again with If-None-Match: 304, same validator and caching, no body. */
async function revalidates(path: string, accept?: string, token?: string) {
  const headers: Record<string, string> = accept ? { accept } : {};
  const r = await svc.fetch(path, { headers, token });
  const body = Buffer.from(await r.arrayBuffer());
  expect(r.status, path).toBe(200);
  const etag = r.headers.get('etag');
  expect(etag, `${path}: a strong ETag`).toMatch(/^"[^"]+"$/);
  const again = await svc.fetch(path, { headers: { ...headers, 'if-none-match': `W/"other", ${etag}` }, token });
  expect(again.status, `${path} with If-None-Match ${etag}: ${again.headers.get('etag')}`).toBe(304);
  expect((await again.arrayBuffer()).byteLength).toBe(0);
  expect(again.headers.get('etag')).toBe(etag);
  expect(again.headers.get('cache-control')).toBe(r.headers.get('cache-control'));
  const other = await svc.fetch(path, { headers: { ...headers, 'if-none-match': '"not-this-one"' }, token });
  expect(other.status).toBe(200);
  expect(Buffer.from(await other.arrayBuffer()).equals(body)).toBe(true);
  return { res: r, body, etag: etag! };
}

describe('the files of a published version are immutable', () => {
  it('table CSV and Parquet named by version: public, immutable, strong ETag (the file\'s SHA-256), 304', async () => {
    const csv = await revalidates('/datasets/cache-public/tables/neuron?version=1');
    expect(csv.res.headers.get('cache-control')).toMatch(IMMUTABLE);
    expect(Number(IMMUTABLE.exec(csv.res.headers.get('cache-control')!)![1])).toBeGreaterThanOrEqual(86_400);
    expect(csv.etag).toBe(`"${sha(csv.body)}"`);
    const pq = await revalidates('/datasets/cache-public/tables/neuron?version=1&format=parquet');
    expect(pq.res.headers.get('cache-control')).toMatch(IMMUTABLE);
    expect(pq.etag).toBe(`"${sha(pq.body)}"`);
  });
  it('assets at the version\'s IRI and with ?version=n: public, immutable, 304 (also for If-None-Match: *)', async () => {
    for (const path of ['/datasets/cache-public/versions/1/assets/a.swc', '/datasets/cache-public/assets/a.swc?version=1']) {
      const a = await revalidates(path);
      expect(a.res.headers.get('cache-control'), path).toMatch(IMMUTABLE);
      expect(a.etag).toBe(`"${sha(swc)}"`);
      expect((await svc.fetch(path, { headers: { 'if-none-match': '*' } })).status).toBe(304);
    }
  });
  it('a credentialed request gets the same answer as private (a shared cache must not keep it for others)', async () => {
    const r = await svc.fetch('/datasets/cache-public/tables/neuron?version=1', { token: alice });
    expect(r.status).toBe(200);
    await r.arrayBuffer();
    expect(r.headers.get('cache-control')).toMatch(/^private, max-age=\d+, immutable$/);
  });
});

describe('what can change is revalidated, drafts and private datasets are never stored', () => {
  it('the latest version under the concept IRI (table, asset, landing page) and version pages: no-cache, with 304', async () => {
    for (const [path, accept] of [['/datasets/cache-public/tables/neuron', undefined], ['/datasets/cache-public/assets/a.swc', undefined],
      ['/datasets/cache-public', 'text/turtle'], ['/datasets/cache-public', 'text/html'], ['/datasets/cache-public/versions/1', 'application/ld+json'], ['/datasets/cache-public/versions/1', 'text/turtle']] as const) {
      const r = await revalidates(path, accept);
      expect(r.res.headers.get('cache-control'), `${path} ${accept}`).toBe('no-cache');
    }
  });
  it('drafts: private, no-store (a never-published dataset\'s page, a draft\'s table and asset)', async () => {
    for (const path of ['/datasets/cache-draft', '/datasets/cache-draft/tables/neuron?version=draft', '/datasets/cache-draft/assets/a.swc?version=draft', '/datasets/cache-draft/assets/a.swc']) {
      const r = await svc.fetch(path, { token: alice });
      await r.arrayBuffer();
      expect(r.status, path).toBe(200);
      expect(r.headers.get('cache-control'), path).toBe('private, no-store');
    }
  });
  it('a private dataset, even its published version\'s files: private, no-store', async () => {
    for (const path of ['/datasets/cache-private', '/datasets/cache-private/versions/1', '/datasets/cache-private/tables/neuron?version=1', '/datasets/cache-private/versions/1/assets/a.swc']) {
      const r = await svc.fetch(path, { token: alice });
      await r.arrayBuffer();
      expect(r.status, path).toBe(200);
      expect(r.headers.get('cache-control'), path).toBe('private, no-store');
    }
  });
  it('an error never carries cacheable headers', async () => {
    const r = await svc.fetch('/datasets/cache-public/tables/neuron?version=7');
    expect(r.status).toBe(404);
    expect(r.headers.get('cache-control')).toBe('no-store');
  });
});
