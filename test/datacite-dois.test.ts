/**
 * DOIs at DataCite (src/service/doi-registrar.ts, src/publish/datacite-api.ts) against the local
 * DataCite stand-in (test/helpers/datacite-server.ts: strict about auth, JSON:API, states, required
 * metadata, and the XML by xmllint against the kernel-4 XSD): a draft DOI when a dataset is created,
 * findable version DOIs with their relations when it is published, metadata updated on edit, hidden
 * on withdrawal, and DataCite down or failing never failing a publish (retried, visible).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './helpers/service.js';
import { startDataCiteServer, xsdProblems, type DataCiteTestServer } from './helpers/datacite-server.js';
import { parseXml, first, findAll } from './helpers/fair.js';

let dc: DataCiteTestServer;
let svc: TestService;
let alice: string;
const P = '10.5072';

const dataset = (over: Record<string, unknown>) => JSON.stringify({
  title: 'DOI test dataset', description: 'A dataset made by the DataCite tests, to be given DOIs.',
  creators: [{ name: 'Doe, Jane', orcid: '0000-0002-1825-0097' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1',
  microscopyMethod: 'SBEM', compartments: ['synapse'], publications: [{ doi: '10.1126/science.aay3134' }], ...over,
});
const send = (path: string, body: string, method = 'POST', type = 'application/json') => svc.fetch(path, { method, body, token: alice, headers: { 'content-type': type } });
const settle = () => svc.ctx.dois!.idle();
async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const rel = (d: { attributes: Record<string, any> } | undefined) => (d?.attributes.relatedIdentifiers ?? []).map((r: any) => `${r.relationType} ${r.relatedIdentifierType} ${r.relatedIdentifier}`);
const accept = (t: string) => ({ headers: { accept: t } });

beforeAll(async () => {
  dc = await startDataCiteServer({ prefix: P });
  svc = await startTestService({ examples: false, config: { datacite: { url: dc.url, prefix: P, user: dc.user, password: dc.password, retryMs: 150, maxRetryMs: 600, timeoutMs: 5000, checkMs: 60_000 } } });
  alice = svc.ctx.tokens.create('alice', 'contributor');
}, 120_000);
afterAll(async () => { await svc?.stop(); await dc?.close(); });

describe('the DataCite stand-in is strict', () => {
  const call = (method: string, path: string, body?: unknown, auth = true, type = 'application/vnd.api+json') => fetch(dc.url + path, {
    method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: { 'content-type': type, ...(auth ? { authorization: `Basic ${Buffer.from(`${dc.user}:${dc.password}`).toString('base64')}` } : {}) },
  });
  it('refuses bad credentials, foreign prefixes, non-JSON:API bodies, unknown DOIs, impossible transitions and invalid metadata', async () => {
    expect((await call('POST', '/dois', { data: { type: 'dois', attributes: { doi: `${P}/x1` } } }, false)).status).toBe(401);
    expect((await call('POST', '/dois', { data: { type: 'dois', attributes: { doi: '10.9999/x1' } } })).status).toBe(403);
    expect((await call('POST', '/dois', { data: { type: 'dois', attributes: { doi: `${P}/x1` } } }, true, 'application/json')).status).toBe(415);
    expect((await call('POST', '/dois', { data: { type: 'people', attributes: { doi: `${P}/x1` } } })).status).toBe(409);
    expect((await call('PUT', `/dois/${P}/nope`, { data: { type: 'dois', attributes: {} } })).status).toBe(404);
    const draft = await call('POST', '/dois', { data: { type: 'dois', attributes: { doi: `${P}/strict-1` } } });
    expect(draft.status).toBe(201);
    expect((await draft.json() as any).data.attributes.state).toBe('draft');
    expect((await call('POST', '/dois', { data: { type: 'dois', attributes: { doi: `${P}/STRICT-1` } } })).status).toBe(422); // taken (DOIs are case-insensitive)
    const bad = await call('PUT', `/dois/${P}/strict-1`, { data: { type: 'dois', attributes: { event: 'publish', url: 'https://example.org/x', titles: [], publicationYear: 'soon', types: { resourceTypeGeneral: 'Datasets' } } } });
    expect(bad.status).toBe(422);
    const errs = ((await bad.json()) as { errors: Array<{ source: string }> }).errors.map((e) => e.source);
    expect(errs).toEqual(expect.arrayContaining(['creators', 'titles', 'publisher', 'publicationYear', 'types.resourceTypeGeneral']));
    expect(dc.get(`${P}/strict-1`)!.state).toBe('draft');
    expect((await call('PUT', `/dois/${P}/strict-1`, { data: { type: 'dois', attributes: { event: 'hide' } } })).status).toBe(422); // a draft cannot be hidden
    const minimal = { url: 'https://example.org/x', creators: [{ name: 'A' }], titles: [{ title: 'T' }], publisher: 'P', publicationYear: '2024', types: { resourceTypeGeneral: 'Dataset' } };
    const wrongXml = Buffer.from('<resource xmlns="http://datacite.org/schema/kernel-4"><identifier identifierType="DOI">10.5072/strict-1</identifier></resource>').toString('base64');
    const xmlRes = await call('PUT', `/dois/${P}/strict-1`, { data: { type: 'dois', attributes: { ...minimal, event: 'publish', xml: wrongXml } } });
    expect(xmlRes.status).toBe(422); // the XML misses every other mandatory element (xmllint says so)
    expect(JSON.stringify(await xmlRes.json())).toMatch(/creators|Missing child element/);
    expect((await call('PUT', `/dois/${P}/strict-1`, { data: { type: 'dois', attributes: { ...minimal, event: 'publish' } } })).status).toBe(200);
    expect(dc.get(`${P}/strict-1`)!.state).toBe('findable');
    expect((await call('DELETE', `/dois/${P}/strict-1`)).status).toBe(405); // only drafts can be deleted
    expect((await call('PUT', `/dois/${P}/strict-1`, { data: { type: 'dois', attributes: { event: 'register' } } })).status).toBe(422);
    expect((await call('PUT', `/dois/${P}/strict-1`, { data: { type: 'dois', attributes: { event: 'hide' } } })).status).toBe(200);
    expect(dc.get(`${P}/strict-1`)!.state).toBe('registered');
  });
});

describe('DOIs of a dataset', () => {
  const C = `${P}/syndb.doi-life`, V1 = `${C}.v1`, V2 = `${C}.v2`;
  it('create: a draft concept DOI is reserved with the metadata; no DOI is served yet', async () => {
    expect((await send('/datasets', dataset({ id: 'doi-life' }))).status).toBe(201);
    await settle();
    const d = dc.get(C);
    expect(d?.state).toBe('draft');
    expect(d!.attributes.titles).toEqual([{ title: 'DOI test dataset' }]);
    const versions = await (await svc.fetch('/datasets/doi-life/versions', { token: alice })).json() as any;
    expect(versions.doi).toMatchObject({ registering: true, concept: { doi: C, state: 'draft' } });
    expect(versions.doi.queued).toBeUndefined();
    // a reserved draft does not resolve: not our identifier yet
    const res = await svc.fetch('/datasets/doi-life', { token: alice, ...accept('application/vnd.datacite.datacite+xml') });
    expect(res.status).toBe(406);
  });
  it('edit: the draft DOI\'s metadata follows', async () => {
    expect((await send('/datasets/doi-life', dataset({ id: 'doi-life', title: 'DOI test dataset, renamed' }), 'PUT')).status).toBe(200);
    await settle();
    expect(dc.get(C)!.attributes.titles).toEqual([{ title: 'DOI test dataset, renamed' }]);
    expect(dc.get(C)!.state).toBe('draft');
  });
  it('publish: the version DOI is findable, the concept DOI too, with HasVersion / IsVersionOf', async () => {
    const res = await send('/datasets/doi-life/versions', '{"notes": "first"}');
    expect(res.status).toBe(201);
    expect((await res.json() as any).doi).toMatchObject({ state: 'queued' });
    await settle();
    expect(dc.get(V1)?.state).toBe('findable');
    expect(dc.get(C)?.state).toBe('findable');
    expect(dc.get(V1)!.attributes.url).toBe(`${svc.ctx.iris.version('doi-life', 1)}`);
    expect(rel(dc.get(V1))).toContain(`IsVersionOf DOI ${C}`);
    expect(rel(dc.get(C))).toContain(`HasVersion DOI ${V1}`);
    expect(dc.log.some((l) => l.method === 'POST' && l.event === 'publish')).toBe(true);
  });
  it('the DOI is in every metadata we serve: DataCite XML (valid against kernel-4), schema.org, DCAT, BibTeX, RIS, signposting', async () => {
    const xml = await (await svc.fetch('/datasets/doi-life/versions/1', accept('application/vnd.datacite.datacite+xml'))).text();
    expect(await xsdProblems(xml)).toEqual([]);
    expect(first(parseXml(xml), 'identifier')).toMatchObject({ text: V1, attrs: { identifierType: 'DOI' } });
    const concept = parseXml(await (await svc.fetch('/datasets/doi-life?format=datacite')).text());
    expect(first(concept, 'identifier').text).toBe(C);
    expect(findAll(concept, 'relatedIdentifier').map((r) => `${r.attrs.relationType} ${r.attrs.relatedIdentifierType} ${r.text}`)).toContain(`HasVersion DOI ${V1}`);
    const ld = await (await svc.fetch('/datasets/doi-life/versions/1', accept('application/ld+json'))).json() as any;
    expect(ld.identifier).toContain(`https://doi.org/${V1}`);
    expect(ld.sameAs).toBe(`https://doi.org/${V1}`);
    const dcat = await (await svc.fetch('/datasets/doi-life/versions/1?format=ttl&profile=dcat')).text();
    expect(dcat).toContain(`https://doi.org/${V1}`);
    expect(await (await svc.fetch('/datasets/doi-life/versions/1', accept('application/x-bibtex'))).text()).toMatch(new RegExp(`doi\\s*=\\s*\\{${V1.replace(/\./g, '\\.')}\\}`));
    expect(await (await svc.fetch('/datasets/doi-life/versions/1?format=ris')).text()).toMatch(new RegExp(`^DO  - ${V1.replace(/\./g, '\\.')}\\s*$`, 'm'));
    expect((await svc.fetch('/datasets/doi-life/versions/1', { method: 'HEAD' })).headers.get('link')).toContain(`<https://doi.org/${V1}>; rel="cite-as"`);
    const hist = await (await svc.fetch('/datasets/doi-life/history')).json() as any;
    expect(hist.changes.map((c: any) => c.kind)).toContain('DoiRegistration');
    // the landing page's DOI badge links the version DOI
    const page = await (await svc.fetch('/datasets/doi-life/versions/1', accept('text/html'))).text();
    expect(page).toContain(`<li class="badge badge-doi"><span class="badge-k">DOI</span><a class="badge-v" href="https://doi.org/${V1}">${V1}</a></li>`);
  });
  it('a second version: IsNewVersionOf / IsPreviousVersionOf both ways, concept HasVersion both, concept title updated', async () => {
    expect((await send('/datasets/doi-life', dataset({ id: 'doi-life', title: 'DOI test dataset, second release' }), 'PUT')).status).toBe(200);
    expect((await send('/datasets/doi-life/versions', '{"notes": "second"}')).status).toBe(201);
    await settle();
    expect(dc.get(V2)?.state).toBe('findable');
    expect(rel(dc.get(V2))).toEqual(expect.arrayContaining([`IsVersionOf DOI ${C}`, `IsNewVersionOf DOI ${V1}`]));
    expect(rel(dc.get(V1))).toContain(`IsPreviousVersionOf DOI ${V2}`);
    expect(rel(dc.get(C))).toEqual(expect.arrayContaining([`HasVersion DOI ${V1}`, `HasVersion DOI ${V2}`]));
    expect(dc.get(C)!.attributes.titles).toEqual([{ title: 'DOI test dataset, second release' }]);
  });
  it('withdraw: the version\'s DOI stays registered but is hidden (event hide); its neighbours and the concept lose the relation', async () => {
    const hides = dc.log.filter((l) => l.event === 'hide').length;
    expect((await send('/datasets/doi-life/versions/1/withdraw', '{"reason": "wrong synapse table"}')).status).toBe(200);
    await settle();
    expect(dc.get(V1)?.state).toBe('registered');
    expect(dc.log.filter((l) => l.event === 'hide').length).toBe(hides + 1);
    expect(rel(dc.get(V2))).not.toContain(`IsNewVersionOf DOI ${V1}`);
    expect(rel(dc.get(C))).not.toContain(`HasVersion DOI ${V1}`);
    // the tombstone still cites the DOI, which still resolves
    const t = await svc.fetch('/datasets/doi-life/versions/1', accept('application/json'));
    expect(t.status).toBe(410);
    expect(JSON.stringify(await t.json())).toContain(V1);
    const versions = await (await svc.fetch('/datasets/doi-life/versions')).json() as any;
    expect(versions.versions[0].doi).toMatchObject({ doi: V1, state: 'registered' });
    expect(versions.versions[1].doi).toMatchObject({ doi: V2, state: 'findable', resolver: `https://doi.org/${V2}` });
  });
  it('a private dataset: a draft DOI with no metadata, no version DOI', async () => {
    expect((await send('/datasets?publish=true', dataset({ id: 'doi-private', access: 'private' }))).status).toBe(201);
    await settle();
    const d = dc.get(`${P}/syndb.doi-private`);
    expect(d?.state).toBe('draft');
    expect(d!.attributes.titles).toBeUndefined();
    expect(dc.get(`${P}/syndb.doi-private.v1`)).toBeUndefined();
  });
  it('a dataset with a DOI of its own gets none from us', async () => {
    expect((await send('/datasets?publish=true', dataset({ id: 'doi-own', doi: '10.5281/zenodo.1234567' }))).status).toBe(201);
    await settle();
    expect([...dc.dois.keys()].some((k) => k.includes('DOI-OWN'))).toBe(false);
    expect(await (await svc.fetch('/datasets/doi-own?format=ris')).text()).toMatch(/^DO  - 10\.5281\/zenodo\.1234567\s*$/m);
  });
});

describe('DataCite failing never fails a publish', () => {
  const status = async (id: string) => (await (await svc.fetch(`/datasets/${id}/versions`)).json()) as any;
  it('answering 500: publish is 201, the work waits (visible in /health/ready and the versions), and is done when DataCite is back', async () => {
    expect((await send('/datasets', dataset({ id: 'doi-500' }))).status).toBe(201);
    await settle();
    dc.fault = 500;
    try {
      expect((await send('/datasets/doi-500/versions', '{}')).status).toBe(201);
      await until('a failed attempt', () => (svc.ctx.dois!.taskOf('doi-500')?.attempts ?? 0) >= 2);
      const ready = await svc.fetch('/health/ready');
      expect(ready.status).toBe(200);
      const h = await ready.json() as any;
      expect(h.datacite).toMatchObject({ configured: true });
      expect(h.datacite.pending).toBeGreaterThanOrEqual(1);
      expect(h.datacite.tasks.find((t: any) => t.id === 'doi-500').lastError).toMatch(/500/);
      const s = await status('doi-500');
      expect(s.doi.queued.attempts).toBeGreaterThanOrEqual(2);
      expect(s.versions[0].doi).toMatchObject({ doi: null, state: null });
      // the version is published and served meanwhile, without a DOI
      expect((await svc.fetch('/datasets/doi-500/versions/1', accept('application/ld+json'))).status).toBe(200);
      expect((await svc.fetch('/datasets/doi-500/versions/1?format=datacite')).status).toBe(406);
    } finally { dc.fault = undefined; }
    await until('the retry', () => svc.ctx.dois!.taskOf('doi-500') === undefined);
    expect(dc.get(`${P}/syndb.doi-500.v1`)?.state).toBe('findable');
    expect((await status('doi-500')).versions[0].doi.state).toBe('findable');
    expect((await svc.fetch('/datasets/doi-500/versions/1?format=datacite')).status).toBe(200);
  });
  it('unreachable: publish is 201, retried with backoff until DataCite comes back; the queue is on disk', async () => {
    expect((await send('/datasets', dataset({ id: 'doi-down' }))).status).toBe(201);
    await settle();
    await dc.stop();
    try {
      expect((await send('/datasets/doi-down/versions', '{}')).status).toBe(201);
      await until('a failed attempt', () => (svc.ctx.dois!.taskOf('doi-down')?.attempts ?? 0) >= 1);
      expect(svc.ctx.dois!.taskOf('doi-down')!.lastError).toMatch(/could not be reached/);
      const t = svc.ctx.dois!.taskOf('doi-down')!;
      expect(Date.parse(t.nextAttemptAt)).toBeGreaterThan(Date.parse(t.lastAttemptAt!));
      // the queue is on disk
      const { readFileSync } = await import('node:fs');
      expect(readFileSync(`${svc.dataDir}/datacite/queue.json`, 'utf8')).toContain('doi-down');
    } finally { await dc.start(); }
    await until('the retry', () => svc.ctx.dois!.taskOf('doi-down') === undefined);
    expect(dc.get(`${P}/syndb.doi-down.v1`)?.state).toBe('findable');
    expect(dc.get(`${P}/syndb.doi-down`)?.state).toBe('findable');
  });
  it('deleting a never-published dataset deletes its draft DOI', async () => {
    expect((await send('/datasets', dataset({ id: 'doi-gone' }))).status).toBe(201);
    await settle();
    expect(dc.get(`${P}/syndb.doi-gone`)?.state).toBe('draft');
    expect((await svc.fetch('/datasets/doi-gone', { method: 'DELETE', token: alice })).status).toBeLessThan(300);
    await settle();
    expect(dc.get(`${P}/syndb.doi-gone`)).toBeUndefined();
  });
});
