/**
 * Harvesting as a catalog would: /catalog validated against the DCAT-AP 3 shapes with Apache
 * Jena (zero violations), /sitemap.xml and /robots.txt, and an OAI-PMH harvester walking every
 * record through resumption tokens, plus every OAI-PMH error condition. Private and embargoed
 * datasets appear nowhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, BASE, type TestService } from './helpers/service.js';
import { jenaValidateMany } from './helpers/jena.js';
import { ensureReferees, rdflibNTriples, tripleSet, tmpFile, xmlWellFormed, parseXml, parseXmlMany, findAll, first, type XmlNode } from './helpers/fair.js';
import { sharedPath } from './helpers/shared.js';
import { startDataCiteServer, type DataCiteTestServer } from './helpers/datacite-server.js';

const DCAT_AP = sharedPath('conformance/dcat-ap/dcat-ap-3.0.0-SHACL.ttl');
let svc: TestService;
let alice: string;
let publicIds: string[];
// the service registers DOIs with a local DataCite stand-in (test/helpers/datacite-server.ts), so
// every public dataset has a DOI and an oai_datacite record (without one it has none: datacite-xml.test.ts)
let datacite: DataCiteTestServer;

const dataset = (over: Record<string, unknown>) => JSON.stringify({
  title: 'Harvest test dataset', description: 'A dataset made by the harvesting tests of the FAIR publication service.',
  creators: [{ name: 'Doe, Jane', orcid: '0000-0002-1825-0097' }], license: 'CC-BY-4.0', species: 'human', brainRegion: 'UBERON:0000956',
  microscopyMethod: 'SBEM', compartments: ['synapse'], publications: [{ doi: '10.1126/science.aay3134' }], ...over,
});
const post = (path: string, body: string, method = 'POST') => svc.fetch(path, { method, body, token: alice, headers: { 'content-type': 'application/json' } });
const local = (u: string) => u.replace(BASE, '');

beforeAll(async () => {
  ensureReferees();
  process.env.SYNDB_OAI_PAGE_SIZE = '2';
  datacite = await startDataCiteServer();
  svc = await startTestService({ config: { datacite: { url: datacite.url, prefix: datacite.prefix, user: datacite.user, password: datacite.password, retryMs: 200, maxRetryMs: 1000, timeoutMs: 10_000, checkMs: 60_000 } } });
  delete process.env.SYNDB_OAI_PAGE_SIZE;
  alice = svc.ctx.tokens.create('alice', 'contributor');
  expect((await post('/datasets?publish=true', dataset({ id: 'harvest-public' }))).status).toBe(201);
  expect((await post('/datasets/harvest-public', dataset({ id: 'harvest-public', title: 'Harvest test dataset v2' }), 'PUT')).status).toBe(200);
  expect((await post('/datasets/harvest-public/versions', '{"notes":"second"}')).status).toBe(201);
  expect((await post('/datasets?publish=true', dataset({ id: 'harvest-private', title: 'SECRET private dataset', access: 'private' }))).status).toBe(201);
  expect((await post('/datasets?publish=true', dataset({ id: 'harvest-embargoed', title: 'SECRET embargoed dataset', access: 'embargoed', embargoEndDate: '2099-01-01' }))).status).toBe(201);
  expect((await post('/datasets?publish=true', dataset({ id: 'harvest-withdrawn', title: 'Withdrawn harvest dataset' }))).status).toBe(201);
  expect((await post('/datasets/harvest-withdrawn/versions/1/withdraw', '{"reason":"test of withdrawal"}')).status).toBeLessThan(300);
  expect((await post('/datasets', dataset({ id: 'harvest-draft-only', title: 'SECRET never published' }))).status).toBe(201);
  const col = (body: object) => svc.fetch('/collections', { method: 'POST', body: JSON.stringify(body), token: alice, headers: { 'content-type': 'application/json' } });
  expect((await col({ id: 'harvest-set', title: 'Harvest set', members: ['harvest-public', 'harvest-private', 'l4dense-motta2019'] })).status).toBe(201);
  expect((await col({ id: 'harvest-tag', kind: 'tag', title: 'synthetic' })).status).toBe(201);
  expect((await col({ id: 'harvest-secret-col', title: 'SECRET collection', access: 'private', members: ['harvest-public'] })).status).toBe(201);
  await svc.ctx.dois!.idle();
  expect(svc.ctx.dois!.status().pending).toBe(0);
  publicIds = [...svc.ctx.catalog.entries.values()].filter((e) => e.access === 'public' && svc.ctx.catalog.latest(e) !== undefined).map((e) => e.id).sort();
  expect(publicIds).toEqual(expect.arrayContaining(['harvest-public', 'l4dense-motta2019']));
  expect(publicIds).not.toContain('harvest-withdrawn');
}, 120_000);
afterAll(async () => { await svc?.stop(); await datacite?.close(); });

const SECRET = /harvest-private|harvest-embargoed|SECRET/;

describe('/catalog: DCAT-AP 3', () => {
  let ttl: string;
  let page2: string;
  beforeAll(async () => {
    ttl = await (await svc.fetch('/catalog')).text();
    page2 = await (await svc.fetch('/catalog?pageSize=2&page=2', { headers: { accept: 'text/turtle' } })).text();
  });
  it('validates with zero violations (Jena, the DCAT-AP 3.0.0 shapes), whole and paged, and per dataset', async () => {
    const single = await (await svc.fetch('/datasets/harvest-public?format=jsonld&profile=dcat')).text();
    const singleTtl = rdflibNTriples([{ data: single, format: 'json-ld' }])[0];
    const reports = await jenaValidateMany([[DCAT_AP, tmpFile('catalog.ttl', ttl)], [DCAT_AP, tmpFile('catalog-p2.ttl', page2)], [DCAT_AP, tmpFile('dataset.nt', singleTtl)]]);
    for (const r of reports) {
      expect(r.results.filter((x) => x.severity.includes('Violation')), r.turtle.slice(0, 3000)).toEqual([]);
      expect(r.conforms).toBe(true);
    }
  });
  it('lists every public dataset with distributions, publisher, contact point and themes, and nothing private', async () => {
    const t = tripleSet(rdflibNTriples([{ data: ttl, format: 'turtle' }])[0]);
    const has = (s: string, p: string, o?: string) => [...t].some((x) => x.startsWith(`NamedNode:${s} NamedNode:${p} `) && (o === undefined || x.endsWith(` ${o}`)));
    const C = `${BASE}/catalog`;
    for (const id of publicIds) expect(has(C, 'http://www.w3.org/ns/dcat#dataset', `NamedNode:${BASE}/datasets/${id}`), id).toBe(true);
    expect([...t].filter((x) => x.startsWith(`NamedNode:${C} NamedNode:http://www.w3.org/ns/dcat#dataset `))).toHaveLength(publicIds.length);
    const D = `${BASE}/datasets/harvest-public`;
    for (const p of ['distribution', 'contactPoint', 'theme', 'landingPage', 'hasVersion', 'hasCurrentVersion']) expect(has(D, `http://www.w3.org/ns/dcat#${p}`), p).toBe(true);
    expect(has(D, 'http://purl.org/dc/terms/publisher')).toBe(true);
    expect(has(D, 'http://www.w3.org/ns/dcat#theme', 'NamedNode:http://purl.obolibrary.org/obo/NCBITaxon_9606')).toBe(true);
    expect(has(`${BASE}/datasets/microns-minnie65-v117`, 'http://purl.org/dc/terms/temporal')).toBe(true);
    expect(ttl).not.toMatch(SECRET);
    expect(ttl).not.toContain('harvest-withdrawn');
  });
  it('pages with Hydra links and answers JSON-LD with an inline context', async () => {
    expect(page2).toContain(`<${BASE}/catalog?page=1&pageSize=2>`);
    expect(page2).toMatch(/hydra:|http:\/\/www\.w3\.org\/ns\/hydra\/core#/);
    const j = await (await svc.fetch('/catalog', { headers: { accept: 'application/ld+json' } })).json() as Record<string, unknown>;
    expect(typeof j['@context']).toBe('object');
    const [a, b] = rdflibNTriples([{ data: JSON.stringify(j), format: 'json-ld' }, { data: ttl, format: 'turtle' }]).map(tripleSet);
    expect(a).toEqual(b);
    const bad = await svc.fetch('/catalog?page=0');
    expect(bad.status).toBe(400);
    expect((await bad.json() as { detail: string }).detail).toMatch(/page="0"/);
    expect((await svc.fetch('/catalog?page=99')).status).toBe(404);
  });
});

describe('/sitemap.xml and /robots.txt', () => {
  it('every public landing page with lastmod from provenance, nothing private', async () => {
    const res = await svc.fetch('/sitemap.xml');
    expect(res.status).toBe(200);
    const xml = await res.text();
    expect(xmlWellFormed(xml)).toBeUndefined();
    const root = parseXml(xml);
    expect(root.tag).toBe('{http://www.sitemaps.org/schemas/sitemap/0.9}urlset');
    const urls = findAll(root, 'url').map((u) => ({ loc: first(u, 'loc').text, lastmod: first(u, 'lastmod')?.text }));
    const expected = publicIds.flatMap((id) => {
      const e = svc.ctx.catalog.entries.get(id)!;
      return [`${BASE}/datasets/${id}`, ...e.versions.filter((v) => !e.withdrawn.has(v)).map((v) => `${BASE}/datasets/${id}/versions/${v}`)];
    });
    expect(urls.map((u) => u.loc).sort()).toEqual(expected.sort());
    expect(xml).not.toMatch(SECRET);
    // lastmod = end of the activity that published the latest version (provenance graph)
    const rows = await svc.ctx.store.select(`PREFIX prov: <http://www.w3.org/ns/prov#> SELECT ?t WHERE { GRAPH <${BASE}/datasets/harvest-public/provenance> { <${BASE}/datasets/harvest-public/versions/2> prov:wasGeneratedBy ?a . ?a prov:endedAtTime ?t } }`);
    const v2 = new Date(rows[0].t.value).toISOString().replace(/\.\d{3}Z$/, 'Z');
    expect(urls.find((u) => u.loc === `${BASE}/datasets/harvest-public`)!.lastmod).toBe(v2);
    expect(urls.find((u) => u.loc === `${BASE}/datasets/harvest-public/versions/2`)!.lastmod).toBe(v2);
    for (const u of urls) expect(u.lastmod, u.loc).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    for (const u of urls.slice(0, 4)) expect((await svc.fetch(local(u.loc), { method: 'HEAD', headers: { accept: 'text/html' } })).status, u.loc).toBe(200);
    expect((await svc.fetch('/sitemap.xml?part=2')).status).toBe(404);
  });
  it('robots.txt points to the sitemap', async () => {
    const res = await svc.fetch('/robots.txt');
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toMatch(new RegExp(`^Sitemap: ${BASE}/sitemap.xml$`, 'm'));
  });
});

describe('/oai: OAI-PMH 2.0', () => {
  const oai = async (query: string, method: 'GET' | 'POST' = 'GET'): Promise<{ xml: string; root: XmlNode }> => {
    const res = method === 'GET' ? await svc.fetch(`/oai?${query}`) : await svc.fetch('/oai', { method: 'POST', body: query, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
    const xml = await res.text();
    const [root] = parseXmlMany([xml]);
    expect(typeof root, `well-formed: ${String(root)}`).toBe('object');
    // nothing private, except what the request itself said (echoed in <request> and error messages)
    expect(xml.replace(/<request[^>]*>[^<]*<\/request>/, '').replace(/<error[^>]*>[^<]*<\/error>/, '')).not.toMatch(SECRET);
    return { xml, root: root as XmlNode };
  };


  it('Identify and ListMetadataFormats', async () => {
    const { root } = await oai('verb=Identify');
    expect(first(root, 'baseURL').text).toBe(`${BASE}/oai`);
    expect(first(root, 'protocolVersion').text).toBe('2.0');
    expect(first(root, 'adminEmail').text).toMatch(/@/);
    expect(first(root, 'granularity').text).toBe('YYYY-MM-DDThh:mm:ssZ');
    expect(first(root, 'earliestDatestamp').text).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const formats = findAll((await oai('verb=ListMetadataFormats')).root, 'metadataPrefix').map((x) => x.text);
    expect(formats.sort()).toEqual(['oai_datacite', 'oai_dc']);
    expect(findAll((await oai('verb=ListMetadataFormats&identifier=oai:localhost:harvest-public')).root, 'metadataPrefix')).toHaveLength(2);
  });

  it('a harvester walks every public record through resumption tokens (GET and POST)', async () => {
    for (const [prefix, method] of [['oai_dc', 'GET'], ['oai_datacite', 'POST']] as const) {
      const ids: string[] = [];
      let query = `verb=ListRecords&metadataPrefix=${prefix}`;
      let pages = 0;
      for (;;) {
        const { root } = await oai(query, method);
        pages++;
        for (const rec of findAll(root, 'record')) {
          ids.push(first(rec, 'identifier').text);
          expect(first(rec, 'datestamp').text).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
          if (prefix === 'oai_dc') expect(first(rec, 'title').tag).toBe('{http://purl.org/dc/elements/1.1/}title');
          else {
            expect(first(rec, 'resource').tag).toBe('{http://datacite.org/schema/kernel-4}resource');
            expect(findAll(rec, 'identifier').filter((x) => x.attrs.identifierType === 'DOI').map((x) => x.text)).toEqual([`${datacite.prefix}/syndb.${first(rec, 'header') && ids.at(-1)!.replace('oai:localhost:', '')}`]);
          }
        }
        const token = first(root, 'resumptionToken');
        if (token) expect(Number(token.attrs.completeListSize)).toBe(publicIds.length);
        if (!token || !token.text) break;
        query = `verb=ListRecords&resumptionToken=${encodeURIComponent(token.text)}`;
        expect(pages).toBeLessThan(50);
      }
      expect(pages).toBe(Math.ceil(publicIds.length / 2));
      expect(ids).toEqual(publicIds.map((id) => `oai:localhost:${id}`));
    }
  });

  it('ListIdentifiers, GetRecord, sets and selective harvesting by date', async () => {
    const all = findAll((await oai('verb=ListIdentifiers&metadataPrefix=oai_dc')).root, 'header');
    expect(all).toHaveLength(2);
    const rec = (await oai('verb=GetRecord&identifier=oai:localhost:harvest-public&metadataPrefix=oai_datacite')).root;
    expect(first(rec, 'title').text).toBe('Harvest test dataset v2');
    expect(findAll(rec, 'relatedIdentifier').filter((r) => r.attrs.relationType === 'HasVersion')).toHaveLength(2);
    const sets: string[] = [];
    for (let q = 'verb=ListSets'; ;) {
      const { root: r } = await oai(q);
      sets.push(...findAll(r, 'setSpec').map((s) => s.text));
      const t = first(r, 'resumptionToken');
      if (!t?.text) break;
      q = `verb=ListSets&resumptionToken=${t.text}`;
    }
    expect(sets).toEqual(expect.arrayContaining(['species', 'species:NCBITaxon_9606', 'species:NCBITaxon_10090', 'method:SBEM']));
    expect(sets).toEqual(expect.arrayContaining(['collection', 'collection:harvest-set']));
    expect(sets.filter((x) => x.includes('secret'))).toEqual([]);
    const inSet = findAll((await oai('verb=ListIdentifiers&metadataPrefix=oai_dc&set=collection:harvest-set')).root, 'identifier').map((x) => x.text);
    expect(inSet).toEqual(['oai:localhost:harvest-public', 'oai:localhost:l4dense-motta2019']);
    const tagged = findAll((await oai('verb=ListIdentifiers&metadataPrefix=oai_dc&set=collection:harvest-tag')).root, 'identifier').map((x) => x.text);
    expect(tagged).toEqual(['oai:localhost:syndb-style-example']);
    // the parent set holds the members of every collection below it
    expect(first((await oai('verb=ListIdentifiers&metadataPrefix=oai_dc&set=collection')).root, 'resumptionToken').attrs.completeListSize).toBe('3');
    // the only public human dataset is harvest-public
    const human = findAll((await oai('verb=ListIdentifiers&metadataPrefix=oai_dc&set=species:NCBITaxon_9606')).root, 'identifier').map((x) => x.text);
    expect(human).toEqual(['oai:localhost:harvest-public']);
    const today = new Date().toISOString().slice(0, 10);
    const { root } = await oai(`verb=ListIdentifiers&metadataPrefix=oai_dc&from=${today}&until=${today}`);
    expect(first(root, 'resumptionToken')?.attrs.completeListSize).toBe(String(publicIds.length));
  });

  it('every error condition of the protocol', async () => {
    const { root } = await oai('verb=ListRecords&metadataPrefix=oai_dc');
    const token = first(root, 'resumptionToken').text;
    const hidden = ['oai:localhost:harvest-private', 'oai:localhost:harvest-embargoed', 'oai:localhost:harvest-draft-only', 'oai:localhost:nope', 'harvest-public'];
    const cases: Array<[query: string, code: string, message?: RegExp]> = [
      ['', 'badVerb', /missing/],
      ['verb=Harvest', 'badVerb', /Harvest/],
      ['verb=Identify&verb=ListSets', 'badVerb', /repeated/],
      ['verb=ListRecords', 'badArgument', /metadataPrefix/],
      ['verb=Identify&foo=bar', 'badArgument', /foo/],
      ['verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc', 'badArgument', /repeated/],
      ['verb=ListRecords&metadataPrefix=oai_dc&from=2024-13-45', 'badArgument', /2024-13-45/],
      ['verb=ListRecords&metadataPrefix=oai_dc&from=yesterday', 'badArgument', /yesterday/],
      ['verb=ListRecords&metadataPrefix=oai_dc&from=2024-02-01&until=2024-01-01', 'badArgument', /later/],
      ['verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01&until=2025-01-01T00:00:00Z', 'badArgument', /granularit/],
      ['verb=GetRecord&identifier=oai:localhost:harvest-public', 'badArgument', /metadataPrefix/],
      [`verb=ListRecords&metadataPrefix=oai_dc&resumptionToken=${token}`, 'badArgument', /exclusive/],
      ['verb=ListRecords&resumptionToken=not-a-token', 'badResumptionToken'],
      [`verb=ListIdentifiers&resumptionToken=${token}`, 'badResumptionToken'],
      ['verb=ListSets&resumptionToken=%25%25', 'badResumptionToken'],
      ['verb=ListRecords&metadataPrefix=marc21', 'cannotDisseminateFormat', /marc21/],
      ['verb=GetRecord&identifier=oai:localhost:harvest-public&metadataPrefix=marc21', 'cannotDisseminateFormat'],
      ...hidden.flatMap((id): Array<[string, string]> => [[`verb=GetRecord&identifier=${id}&metadataPrefix=oai_dc`, 'idDoesNotExist'], [`verb=ListMetadataFormats&identifier=${id}`, 'idDoesNotExist']]),
      ['verb=ListMetadataFormats&identifier=oai:localhost:harvest-withdrawn', 'noMetadataFormats', /withdrawn/],
      ['verb=ListRecords&metadataPrefix=oai_dc&from=2090-01-01', 'noRecordsMatch'],
      ['verb=ListRecords&metadataPrefix=oai_dc&until=2000-01-01T00:00:00Z', 'noRecordsMatch'],
      ['verb=ListIdentifiers&metadataPrefix=oai_dc&set=species:NCBITaxon_0', 'noRecordsMatch'],
    ];
    const xmls = await Promise.all(cases.map(async ([q]) => {
      const res = await svc.fetch(`/oai?${q}`);
      expect(res.status, q).toBe(200);
      return res.text();
    }));
    const roots = parseXmlMany(xmls);
    const unknownMessage = (id: string) => `no item "${id}" in this repository; identifiers look like oai:localhost:{dataset-id}`;
    cases.forEach(([q, code, message], i) => {
      const r = roots[i];
      expect(typeof r, `${q}: ${String(r)}`).toBe('object');
      const errors = findAll(r as XmlNode, 'error');
      expect(errors.map((e) => e.attrs.code), q).toEqual([code]);
      if (message) expect(errors[0].text, q).toMatch(message);
      const request = first(r as XmlNode, 'request');
      if (code === 'badVerb' || code === 'badArgument') expect(request.attrs, q).toEqual({});
      else expect(request.attrs.verb, q).toBeDefined();
      if (code === 'idDoesNotExist') {
        const id = /identifier=([^&]+)/.exec(q)![1];
        expect(errors[0].text, 'private items are answered exactly like unknown ones').toBe(unknownMessage(id));
      }
      expect(xmls[i].replace(/<request[^>]*>[^<]*<\/request>/, '').replace(/<error[^>]*>[^<]*<\/error>/, '')).not.toMatch(SECRET);
    });
    const cdf = roots[16] as XmlNode;
    expect(first(cdf, 'request').attrs).toEqual({ verb: 'GetRecord', identifier: 'oai:localhost:harvest-public', metadataPrefix: 'marc21' });
  });

  it('noSetHierarchy on a repository without sets (an empty service)', async () => {
    const empty = await startTestService({ examples: false });
    try {
      const res = await empty.fetch('/oai?verb=ListSets');
      const root = parseXml(await res.text());
      expect(first(root, 'error').attrs.code).toBe('noSetHierarchy');
      const res2 = await empty.fetch('/oai?verb=ListRecords&metadataPrefix=oai_dc');
      expect(first(parseXml(await res2.text()), 'error').attrs.code).toBe('noRecordsMatch');
      expect(await (await empty.fetch('/catalog')).text()).not.toContain('dcat#dataset>');
    } finally {
      await empty.stop();
    }
  });
});
