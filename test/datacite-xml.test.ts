/**
 * Every DataCite XML we serve validates against the DataCite Metadata Schema kernel-4 XSD (xmllint
 * --schema, the XSD kept in test/fixtures/datacite-kernel-4): each example dataset's concept and
 * versions as application/vnd.datacite.datacite+xml and as OAI-PMH oai_datacite records, once DOIs
 * are registered (with the local DataCite stand-in). Without a DOI, DataCite XML is not offered:
 * 406 problem+json saying why, and in OAI-PMH the item is oai_dc only (cannotDisseminateFormat,
 * noRecordsMatch), as a harvester expects of a repository whose records lack the mandatory DOI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './helpers/service.js';
import { startDataCiteServer, xsdProblems, type DataCiteTestServer } from './helpers/datacite-server.js';
import { parseXml, findAll, first } from './helpers/fair.js';
import { ensureDebianPackages } from './helpers/debian.js';
import { exampleFiles } from '../src/service/examples.js';

const XML = 'application/vnd.datacite.datacite+xml';
let dc: DataCiteTestServer;
let withDois: TestService;
let without: TestService;

beforeAll(async () => {
  ensureDebianPackages(['libxml2-utils']);
  dc = await startDataCiteServer();
  [withDois, without] = await Promise.all([
    startTestService({ examples: true, config: { datacite: { url: dc.url, prefix: dc.prefix, user: dc.user, password: dc.password, retryMs: 200, maxRetryMs: 1000, timeoutMs: 20_000, checkMs: 60_000 } } }),
    startTestService({ examples: true }),
  ]);
  await withDois.ctx.dois!.idle();
  expect(withDois.ctx.dois!.status()).toMatchObject({ pending: 0 });
}, 300_000);
afterAll(async () => { await withDois?.stop(); await without?.stop(); await dc?.close(); });

/** Every page of every example: the concept and each published version. */
function pages(svc: TestService): string[] {
  const out: string[] = [];
  for (const e of svc.ctx.catalog.entries.values()) {
    out.push(`/datasets/${e.id}`);
    for (const v of e.versions) out.push(`/datasets/${e.id}/versions/${v}`);
  }
  return out.sort();
}

describe('with DOIs registered', () => {
  it('every example is loaded and has DOIs (concept and versions findable at DataCite)', () => {
    expect(withDois.ctx.catalog.entries.size).toBe(exampleFiles().length);
    for (const e of withDois.ctx.catalog.entries.values()) {
      expect(dc.get(`${dc.prefix}/syndb.${e.id}`)?.state, e.id).toBe('findable');
      for (const v of e.versions) expect(dc.get(`${dc.prefix}/syndb.${e.id}.v${v}`)?.state, `${e.id} v${v}`).toBe('findable');
    }
  });
  it('the DataCite XML of every page validates against the kernel-4 XSD and carries its DOI', async () => {
    const list = pages(withDois);
    expect(list.length).toBeGreaterThanOrEqual(2 * exampleFiles().length);
    for (const p of list) {
      const res = await withDois.fetch(p, { headers: { accept: XML } });
      expect(res.status, p).toBe(200);
      expect(res.headers.get('content-type')).toContain(XML);
      const xml = await res.text();
      expect(await xsdProblems(xml), p).toEqual([]);
      const m = /^\/datasets\/([^/]+)(?:\/versions\/(\d+))?$/.exec(p)!;
      expect(first(parseXml(xml), 'identifier'), p).toMatchObject({ text: `${dc.prefix}/syndb.${m[1]}${m[2] ? `.v${m[2]}` : ''}`, attrs: { identifierType: 'DOI' } });
    }
  });
  it('every oai_datacite record validates against the kernel-4 XSD', async () => {
    const text = await (await withDois.fetch('/oai?verb=ListRecords&metadataPrefix=oai_datacite')).text();
    expect(findAll(parseXml(text), 'error')).toEqual([]);
    const resources = [...text.matchAll(/<resource xmlns="http:\/\/datacite\.org\/schema\/kernel-4"[\s\S]*?<\/resource>/g)].map((x) => x[0]);
    expect(resources).toHaveLength(withDois.ctx.catalog.entries.size);
    for (const r of resources) expect(await xsdProblems(`<?xml version="1.0" encoding="UTF-8"?>\n${r}\n`)).toEqual([]);
    for (const e of withDois.ctx.catalog.entries.values()) {
      const rec = await (await withDois.fetch(`/oai?verb=GetRecord&metadataPrefix=oai_datacite&identifier=oai:localhost:${e.id}`)).text();
      expect(findAll(parseXml(rec), 'identifier').some((x) => x.text === `${dc.prefix}/syndb.${e.id}` && x.attrs.identifierType === 'DOI'), e.id).toBe(true);
    }
  });
  it('an XSD violation is caught (the check can fail)', async () => {
    const xml = await (await withDois.fetch(pages(withDois)[0], { headers: { accept: XML } })).text();
    expect(await xsdProblems(xml.replace(/<publicationYear>[^<]*<\/publicationYear>\s*/, ''))).not.toEqual([]);
    expect(await xsdProblems(xml.replace('resourceTypeGeneral="Dataset"', 'resourceTypeGeneral="Data set"'))).not.toEqual([]);
  });
});

describe('without a DOI', () => {
  it('no page offers DataCite XML: 406 problem+json saying why; DataCite JSON, JSON-LD and the signposting stay', async () => {
    const list = pages(without);
    expect(list.length).toBeGreaterThanOrEqual(2 * exampleFiles().length);
    for (const p of list) {
      for (const res of [await without.fetch(p, { headers: { accept: XML } }), await without.fetch(`${p}?format=datacite`)]) {
        expect(res.status, p).toBe(406);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        const body = await res.json() as { detail: string; reason: string; available: string[] };
        expect(body.reason).toBe('no-doi');
        expect(body.detail).toMatch(/no DOI/);
        expect(body.available).not.toContain(XML);
      }
      // asked for with a fallback, the fallback is served
      expect((await without.fetch(p, { headers: { accept: `${XML}, application/ld+json;q=0.5` } })).headers.get('content-type')).toContain('application/ld+json');
      expect((await without.fetch(`${p}?format=datacite-json`)).status).toBe(200);
      const link = (await without.fetch(p, { method: 'HEAD' })).headers.get('link')!;
      expect(link).not.toContain('format=datacite>');
      expect(link).toContain('format=datacite-json');
    }
  });
  it('OAI-PMH: items are oai_dc only; oai_datacite is cannotDisseminateFormat / noRecordsMatch', async () => {
    const oai = async (q: string) => parseXml(await (await without.fetch(`/oai?${q}`)).text());
    const id = `oai:localhost:${[...without.ctx.catalog.entries.keys()].sort()[0]}`;
    expect(findAll(await oai(`verb=ListMetadataFormats&identifier=${id}`), 'metadataPrefix').map((x) => x.text)).toEqual(['oai_dc']);
    expect(findAll(await oai('verb=ListMetadataFormats'), 'metadataPrefix').map((x) => x.text).sort()).toEqual(['oai_datacite', 'oai_dc']);
    expect(first(await oai(`verb=GetRecord&metadataPrefix=oai_datacite&identifier=${id}`), 'error').attrs.code).toBe('cannotDisseminateFormat');
    expect(first(await oai('verb=ListRecords&metadataPrefix=oai_datacite'), 'error').attrs.code).toBe('noRecordsMatch');
    expect(first(await oai('verb=ListIdentifiers&metadataPrefix=oai_datacite'), 'error').attrs.code).toBe('noRecordsMatch');
    expect(findAll(await oai('verb=ListRecords&metadataPrefix=oai_dc'), 'record')).toHaveLength(without.ctx.catalog.entries.size);
  });
});
