/**
 * FAIR publication of dataset pages, read as a harvester would: the landing page's schema.org
 * block (parsed by rdflib, an independent JSON-LD processor, and compared with our Turtle parsed
 * by Apache Jena), content negotiation (schema.org / DCAT profiles, DataCite XML/JSON), FAIR
 * signposting Link headers and linksets, and nothing private exposed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { startTestService, BASE, type TestService } from './helpers/service.js';
import { ensureReferees, rdflibNTriples, jenaValidateFiles, tripleSet, tmpFile, xmlWellFormed, parseXml, findAll, first } from './helpers/fair.js';

let svc: TestService;
let alice: string;
const SCHEMA = 'http://schema.org/';
const L4 = `${BASE}/datasets/l4dense-motta2019`;
const TITLE_EVIL = 'Spines </script><script>alert("x")</script> <!-- & more';

const dataset = (over: Record<string, unknown>) => JSON.stringify({
  title: 'FAIR test dataset', description: 'A dataset made by the FAIR publication tests, with one neuron table and two versions.',
  creators: [{ name: 'Doe, Jane', orcid: '0000-0002-1825-0097', affiliation: 'Example University' }, { name: 'Example Lab', type: 'Organization' }],
  license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['neuron'],
  publications: [{ doi: '10.1126/science.aay3134' }], keywords: ['connectomics', 'test'],
  derivedFrom: ['https://doi.org/10.7554/eLife.26414'], ...over,
});

async function ok(path: string, init: RequestInit & { token?: string | null } = {}) {
  const res = await svc.fetch(path, init);
  expect(res.status, `${path}: ${res.status}`).toBe(200);
  return res;
}
const local = (u: string) => u.replace(BASE, '');
const post = (path: string, body: string, type = 'application/json', method = 'POST') => svc.fetch(path, { method, body, token: alice, headers: { 'content-type': type } });

function ldBlocks(html: string): string[] {
  return [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)].map((m) => m[1]);
}

beforeAll(async () => {
  ensureReferees();
  svc = await startTestService();
  alice = svc.ctx.tokens.create('alice', 'contributor');
  expect((await post('/datasets', dataset({ id: 'fair-tables', doi: '10.5555/fair,test;1' }))).status).toBe(201);
  expect((await post('/datasets/fair-tables/tables/neuron', readFileSync('examples/syndb-style/neuron.csv', 'utf8'), 'text/csv', 'PUT')).status).toBeLessThan(300);
  expect((await post('/datasets/fair-tables/versions', '{"notes":"first"}')).status).toBe(201);
  expect((await post('/datasets/fair-tables', dataset({ id: 'fair-tables', doi: '10.5555/fair,test;1', title: 'FAIR test dataset, second release' }), 'application/json', 'PUT')).status).toBe(200);
  expect((await post('/datasets/fair-tables/tables/neuron', readFileSync('examples/syndb-style/neuron.csv', 'utf8'), 'text/csv', 'PUT')).status).toBeLessThan(300);
  expect((await post('/datasets/fair-tables/versions', '{"notes":"second"}')).status).toBe(201);
  expect((await post('/datasets?publish=true', dataset({ id: 'fair-script', title: TITLE_EVIL }))).status).toBe(201);
  expect((await post('/datasets?publish=true', dataset({ id: 'fair-private', title: 'Private FAIR dataset', access: 'private' }))).status).toBe(201);
  expect((await post('/datasets?publish=true', dataset({ id: 'fair-embargoed', title: 'Embargoed FAIR dataset', access: 'embargoed', embargoEndDate: '2099-01-01' }))).status).toBe(201);
}, 120_000);
afterAll(async () => svc?.stop());

describe('landing page: one schema.org Dataset block with Google\'s properties', () => {
  it('concept and version pages carry exactly one JSON-LD block, with the required and recommended properties', async () => {
    for (const [path, version] of [['/datasets/fair-tables', '2'], ['/datasets/fair-tables/versions/1', '1']] as const) {
      const html = await (await ok(path, { headers: { accept: 'text/html' } })).text();
      const blocks = ldBlocks(html);
      expect(blocks, path).toHaveLength(1);
      expect(html.replace('<script src="/static/app.js" defer></script>', '').match(/<script/g)).toHaveLength(1); // the JSON-LD block; the page's own script aside
      const d = JSON.parse(blocks[0]) as Record<string, any>;
      expect(typeof d['@context']).toBe('object');
      expect(d['@type']).toBe('Dataset');
      expect(d['@id']).toBe(`${BASE}${path}`);
      expect(d.url).toBe(`${BASE}${path}`);
      expect(d.name).toMatch(/^FAIR test dataset/);
      expect(d.description.length).toBeGreaterThanOrEqual(50);
      expect(d.identifier).toContain('https://doi.org/10.5555/fair,test;1');
      expect(d.creator[0]).toMatchObject({ '@type': 'Person', '@id': 'https://orcid.org/0000-0002-1825-0097', name: 'Doe, Jane', familyName: 'Doe', givenName: 'Jane' });
      expect(d.creator[0].affiliation[0].name).toBe('Example University');
      expect(d.creator[1]).toMatchObject({ '@type': 'Organization', name: 'Example Lab' });
      expect(d.identifier).toBe('https://doi.org/10.5555/fair,test;1'); // one identifier, the DOI
      expect([d.sameAs].flat()).toContain('https://doi.org/10.5555/fair,test;1');
      expect(d.license).toMatchObject({ '@type': 'CreativeWork', '@id': 'http://spdx.org/licenses/CC-BY-4.0', url: 'https://spdx.org/licenses/CC-BY-4.0' });
      expect(d.keywords).toEqual(['connectomics', 'test']);
      expect(d.version).toBe(version);
      expect(d.datePublished).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(d.citation).toEqual([expect.objectContaining({ '@type': 'ScholarlyArticle', '@id': 'https://doi.org/10.1126/science.aay3134' })]);
      expect(d.isAccessibleForFree).toBe(true);
      expect(d.measurementTechnique).toMatchObject({ '@id': 'https://w3id.org/syndb/vocab/method/SBEM', name: 'serial block-face scanning electron microscopy' });
      expect(d.includedInDataCatalog).toMatchObject({ '@type': 'DataCatalog', '@id': `${BASE}/catalog` });
      expect(d.about.map((a: { '@id': string }) => a['@id']).sort()).toEqual(['http://purl.obolibrary.org/obo/MBA_385', 'http://purl.obolibrary.org/obo/NCBITaxon_10090']);
      expect(d['prov:wasGeneratedBy']['@id']).toMatch(new RegExp(`^${BASE}/activities/`));
      expect(d.isBasedOn).toEqual(['https://doi.org/10.7554/eLife.26414']);
      // every distribution is a DataDownload with a format and a URL that answers in that format
      expect(d.distribution.length).toBeGreaterThanOrEqual(2);
      for (const dl of d.distribution) {
        expect(dl['@type']).toBe('DataDownload');
        const res = await ok(local(dl.contentUrl));
        expect(res.headers.get('content-type'), dl.contentUrl).toContain(dl.encodingFormat);
        await res.arrayBuffer();
      }
    }
  });
  it('variableMeasured lists the columns of the uploaded table; the CSV download is version-exact', async () => {
    const d = JSON.parse(ldBlocks(await (await ok('/datasets/fair-tables/versions/1?format=html')).text())[0]);
    const names = d.variableMeasured.map((v: { name: string }) => v.name);
    expect(names).toEqual(expect.arrayContaining(['voxel_volume', 'mesh_volume', 'centroid_x']));
    const vv = d.variableMeasured.find((v: { name: string }) => v.name === 'voxel_volume');
    expect(vv).toMatchObject({ '@type': 'PropertyValue', propertyID: 'https://w3id.org/syndb/ontology#voxelVolume' });
    const csv = d.distribution.find((x: { encodingFormat: string }) => x.encodingFormat === 'text/csv');
    expect(csv.contentUrl).toBe(`${BASE}/datasets/fair-tables/tables/neuron?version=1`);
    expect((await (await ok(local(csv.contentUrl))).text()).split('\n')[0]).toContain('voxel_volume');
  });
  it('the block is safe against </script> and <!-- in values', async () => {
    const html = await (await ok('/datasets/fair-script', { headers: { accept: 'text/html' } })).text();
    const blocks = ldBlocks(html);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).not.toMatch(/<\/?script|<!--/i);
    expect(JSON.parse(blocks[0]).name).toBe(TITLE_EVIL);
    expect(html.replace('<script src="/static/app.js" defer></script>', '').match(/<script/g)).toHaveLength(1); // the JSON-LD block; the page's own script aside
  });
  it('<link rel="alternate"> to every other format, each answering with its media type', async () => {
    const html = await (await ok('/datasets/l4dense-motta2019', { headers: { accept: 'text/html' } })).text();
    const links = [...html.matchAll(/<link rel="alternate" type="([^"]+)" href="([^"]+)">/g)].map((m) => ({ type: m[1].replace(/&quot;/g, '"'), href: m[2].replace(/&amp;/g, '&') }));
    const types = links.map((l) => l.type.split(';')[0]);
    for (const t of ['application/ld+json', 'text/turtle', 'application/n-triples', 'application/rdf+xml', 'application/vnd.datacite.datacite+json', 'application/x-bibtex', 'application/x-research-info-systems', 'application/vnd.citationstyles.csl+json']) {
      expect(types, t).toContain(t);
    }
    // DataCite XML needs a DOI: offered where the dataset has one, not where it has none
    expect(types).not.toContain('application/vnd.datacite.datacite+xml');
    const withDoi = await (await ok('/datasets/fair-tables', { headers: { accept: 'text/html' } })).text();
    expect(withDoi).toContain('<link rel="alternate" type="application/vnd.datacite.datacite+xml"');
    for (const l of links) {
      const res = await ok(local(l.href));
      expect(res.headers.get('content-type'), l.href).toContain(l.type.split(';')[0]);
      await res.arrayBuffer();
    }
  });
});

describe('the JSON-LD block says what our Turtle says (rdflib vs Jena)', () => {
  it('every statement of the landing page block is in the Turtle and the RDF/XML of the same page', async () => {
    const pages = ['/datasets/l4dense-motta2019', '/datasets/fair-tables/versions/1', '/datasets/microns-minnie65-v117'];
    const docs = await Promise.all(pages.map(async (path) => ({
      path,
      block: ldBlocks(await (await ok(path, { headers: { accept: 'text/html' } })).text())[0],
      ttl: await (await ok(path, { headers: { accept: 'text/turtle' } })).text(),
      rdfxml: await (await ok(path, { headers: { accept: 'application/rdf+xml' } })).text(),
    })));
    // Jena accepts our Turtle and RDF/XML strictly
    expect(await jenaValidateFiles(docs.flatMap((d) => [tmpFile('page.ttl', d.ttl), tmpFile('page.rdf', d.rdfxml)]))).toBe('');
    const nts = rdflibNTriples(docs.flatMap((d) => [{ data: d.block, format: 'json-ld' as const }, { data: d.ttl, format: 'turtle' as const }, { data: d.rdfxml, format: 'xml' as const }]));
    docs.forEach(({ path }, i) => {
      const [fromBlock, fromTtl, fromXml] = nts.slice(i * 3, i * 3 + 3).map(tripleSet);
      expect(fromBlock.size, path).toBeGreaterThan(40);
      expect([...fromBlock].filter((t) => !fromTtl.has(t)), path).toEqual([]);
      // schema.org, the PROV-O of the generating activity, the bare DOI of a cited article (dcterms:identifier,
      // shapes/publication.ttl) and the SPDX checksums of the downloads
      expect([...fromBlock].filter((t) => !(t.includes(SCHEMA) || t.includes('http://www.w3.org/ns/prov#') || t.includes('rdf-syntax-ns#type') || t.includes('http://purl.org/dc/terms/identifier') || t.includes(' NamedNode:http://spdx.org/rdf/terms#'))), path).toEqual([]);
      expect([...fromXml].filter((t) => !fromTtl.has(t)), path).toEqual([]);
      expect(fromXml, path).toEqual(fromTtl);
      // the full graph: the stored statements are there too
      expect([...fromTtl].some((t) => t.includes('https://w3id.org/syndb/ontology#brainRegion'))).toBe(true);
    });
  });
  it('application/ld+json is schema.org by default and equals the landing page block', async () => {
    const html = await (await ok('/datasets/l4dense-motta2019', { headers: { accept: 'text/html' } })).text();
    const res = await ok('/datasets/l4dense-motta2019', { headers: { accept: 'application/ld+json' } });
    const body = await res.json() as Record<string, unknown>;
    expect(body).toEqual(JSON.parse(ldBlocks(html)[0]));
    expect(body['@context']).toMatchObject({ '@vocab': SCHEMA });
  });
});

describe('DCAT profile', () => {
  const isDcat = (doc: Record<string, any>) => {
    expect(typeof doc['@context']).toBe('object');
    const nodes = doc['@graph'] as Array<Record<string, any>>;
    const ds = nodes.find((n) => n['@id'] === L4)!;
    expect([ds['@type']].flat()).toContain('dcat:Dataset');
    expect(ds['dcat:distribution']).toBeDefined();
    return nodes;
  };
  it('asked for with a profile on the media type or ?profile=dcat', async () => {
    const a = await ok('/datasets/l4dense-motta2019', { headers: { accept: 'application/ld+json; profile="http://www.w3.org/ns/dcat#"' } });
    expect(a.headers.get('content-type')).toContain('application/ld+json');
    const docA = await a.json() as Record<string, any>;
    isDcat(docA);
    const b = await ok('/datasets/l4dense-motta2019?format=jsonld&profile=dcat');
    expect(await b.json()).toEqual(docA);
    const c = await ok('/datasets/l4dense-motta2019', { headers: { accept: 'application/ld+json;profile="http://data.europa.eu/r5r/"' } });
    isDcat(await c.json() as Record<string, any>);
  });
  it('?profile=syndb keeps the full stored graph as JSON-LD (inline context, no network)', async () => {
    const doc = await (await ok('/datasets/l4dense-motta2019?format=jsonld&profile=syndb')).json() as Record<string, unknown>;
    expect(typeof doc['@context']).toBe('object');
    const nt = tripleSet(rdflibNTriples([{ data: JSON.stringify(doc), format: 'json-ld' }])[0]);
    expect([...nt].some((t) => t.includes('https://w3id.org/syndb/ontology#brainRegion'))).toBe(true);
    expect([...nt].some((t) => t.includes('http://schema.org/measurementTechnique'))).toBe(true);
  });
  it('an unknown profile is a 406 problem naming the profiles offered', async () => {
    const res = await svc.fetch('/datasets/l4dense-motta2019?profile=marc21');
    expect(res.status).toBe(406);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await res.json() as { detail: string }).detail).toMatch(/marc21.*dcat/);
  });
});

describe('DataCite Metadata Schema 4', () => {
  const dc = (path: string) => ok(path, { headers: { accept: 'application/vnd.datacite.datacite+xml' } }).then((r) => r.text());
  it('XML is well-formed with every required property and the relations', async () => {
    const xml = await dc('/datasets/fair-tables/versions/2');
    expect(xmlWellFormed(xml)).toBeUndefined();
    const root = parseXml(xml);
    expect(root.tag).toBe('{http://datacite.org/schema/kernel-4}resource');
    expect(first(root, 'identifier')).toMatchObject({ text: '10.5555/fair,test;1', attrs: { identifierType: 'DOI' } });
    const creators = findAll(root, 'creator');
    expect(creators).toHaveLength(2);
    expect(first(creators[0], 'creatorName')).toMatchObject({ text: 'Doe, Jane', attrs: { nameType: 'Personal' } });
    expect(first(creators[0], 'nameIdentifier')).toMatchObject({ text: 'https://orcid.org/0000-0002-1825-0097', attrs: { nameIdentifierScheme: 'ORCID' } });
    expect(first(creators[1], 'creatorName').attrs.nameType).toBe('Organizational');
    expect(first(root, 'title').text).toBe('FAIR test dataset, second release');
    expect(first(root, 'publisher').text).toBe('SynDB Graph');
    expect(first(root, 'publicationYear').text).toMatch(/^\d{4}$/);
    expect(first(root, 'resourceType').attrs.resourceTypeGeneral).toBe('Dataset');
    expect(findAll(root, 'subject').map((s) => s.attrs.valueURI)).toEqual(expect.arrayContaining(['http://purl.obolibrary.org/obo/NCBITaxon_10090', 'http://purl.obolibrary.org/obo/MBA_385']));
    expect(findAll(root, 'rights').map((r) => r.attrs.rightsURI)).toContain('https://spdx.org/licenses/CC-BY-4.0');
    expect(first(root, 'description').attrs.descriptionType).toBe('Abstract');
    expect(first(root, 'version').text).toBe('2');
    const rel = findAll(root, 'relatedIdentifier').map((r) => `${r.attrs.relationType} ${r.attrs.relatedIdentifierType} ${r.text}`);
    expect(rel).toEqual(expect.arrayContaining([
      'IsSupplementTo DOI 10.1126/science.aay3134',
      'IsDerivedFrom DOI 10.7554/eLife.26414',
      `IsVersionOf URL ${BASE}/datasets/fair-tables`,
      `IsNewVersionOf URL ${BASE}/datasets/fair-tables/versions/1`,
    ]));
    const concept = parseXml(await dc('/datasets/fair-tables'));
    expect(findAll(concept, 'relatedIdentifier').filter((r) => r.attrs.relationType === 'HasVersion').map((r) => r.text))
      .toEqual([`${BASE}/datasets/fair-tables/versions/1`, `${BASE}/datasets/fair-tables/versions/2`]);
  });
  it('a dataset without a DOI is not offered as DataCite XML (the schema requires one): 406 problem+json; DataCite JSON stays', async () => {
    const res = await svc.fetch('/datasets/l4dense-motta2019/versions/1', { headers: { accept: 'application/vnd.datacite.datacite+xml' } });
    expect(res.status).toBe(406);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await res.json() as { detail: string }).detail).toMatch(/no DOI/);
    const j = await (await ok('/datasets/l4dense-motta2019/versions/1?format=datacite-json')).json() as Record<string, any>;
    expect(j.doi).toBeUndefined();
    expect(j.alternateIdentifiers[0]).toEqual({ alternateIdentifier: `${L4}/versions/1`, alternateIdentifierType: 'URL' });
    expect(j.creators).toHaveLength(9);
  });
  it('JSON carries the same record (DataCite REST API attributes)', async () => {
    const res = await ok('/datasets/fair-tables/versions/2', { headers: { accept: 'application/vnd.datacite.datacite+json' } });
    expect(res.headers.get('content-type')).toContain('application/vnd.datacite.datacite+json');
    const j = await res.json() as Record<string, any>;
    expect(j.doi).toBe('10.5555/fair,test;1');
    expect(j.types.resourceTypeGeneral).toBe('Dataset');
    expect(j.creators[0].nameIdentifiers[0]).toMatchObject({ nameIdentifierScheme: 'ORCID' });
    expect(j.titles[0].title).toBe('FAIR test dataset, second release');
    expect(j.publisher.name).toBe('SynDB Graph');
    expect(j.relatedIdentifiers).toContainEqual(expect.objectContaining({ relationType: 'IsSupplementTo', relatedIdentifier: '10.1126/science.aay3134' }));
    expect((await ok('/datasets/fair-tables/versions/2?format=datacite-json')).headers.get('content-type')).toContain('datacite+json');
  });
});

describe('FAIR signposting', () => {
  const parseLinks = (h: string) => h.split(',').map((part) => {
    const m = /^\s*<([^<>]*)>((?:\s*;\s*[a-z-]+="[^"]*")+)\s*$/.exec(part);
    expect(m, `a comma-split part is a whole link: ${part}`).not.toBeNull();
    const attrs = Object.fromEntries([...m![2].matchAll(/([a-z-]+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    return { href: m![1], ...attrs } as { href: string; rel: string; type?: string; profile?: string };
  });
  it('level 1: Link headers on the landing page survive comma splitting', async () => {
    for (const method of ['GET', 'HEAD']) {
      const res = await ok('/datasets/fair-tables', { method, headers: { accept: 'text/html' } });
      const links = parseLinks(res.headers.get('link')!);
      const rel = (r: string) => links.filter((l) => l.rel === r);
      expect(rel('cite-as')).toEqual([{ href: 'https://doi.org/10.5555/fair%2Ctest%3B1', rel: 'cite-as' }]);
      expect(rel('author').map((l) => l.href)).toEqual(['https://orcid.org/0000-0002-1825-0097']);
      expect(rel('license').map((l) => l.href)).toEqual(['http://spdx.org/licenses/CC-BY-4.0']);
      expect(rel('type').map((l) => l.href).sort()).toEqual(['https://schema.org/AboutPage', 'https://schema.org/Dataset']);
      expect(rel('describedby').length).toBeGreaterThanOrEqual(4);
      for (const l of [...rel('describedby'), ...rel('item'), ...rel('linkset')]) expect(l.type, l.href).toBeTruthy();
      expect(rel('item').map((l) => l.type)).toEqual(expect.arrayContaining(['text/csv']));
      expect(rel('linkset').map((l) => l.type).sort()).toEqual(['application/linkset', 'application/linkset+json']);
      if (method === 'GET') {
        for (const l of [...rel('describedby'), ...rel('item')]) {
          const r = await ok(local(l.href));
          expect(r.headers.get('content-type'), l.href).toContain(l.type);
          await r.arrayBuffer();
        }
      }
    }
  });
  it('level 2: the linkset (JSON and native) is anchored at exactly the landing page', async () => {
    for (const [path, landing] of [['/datasets/fair-tables/linkset', `${BASE}/datasets/fair-tables`], ['/datasets/fair-tables/versions/1/linkset', `${BASE}/datasets/fair-tables/versions/1`]]) {
      const res = await ok(path);
      expect(res.headers.get('content-type')).toContain('application/linkset+json');
      const ls = (await res.json() as { linkset: Array<Record<string, any>> }).linkset;
      expect(ls[0].anchor).toBe(landing);
      for (const rel of ['cite-as', 'describedby', 'item', 'license', 'type', 'author']) expect(ls[0][rel], rel).toBeDefined();
      expect(ls[0].type.map((t: { href: string }) => t.href).sort()).toEqual(['https://schema.org/AboutPage', 'https://schema.org/Dataset']);
      const header = parseLinks((await ok(local(landing), { method: 'HEAD' })).headers.get('link')!);
      expect(ls[0].describedby.map((x: { href: string }) => x.href)).toEqual(header.filter((l) => l.rel === 'describedby').map((l) => l.href));
      const text = await (await ok(path, { headers: { accept: 'application/linkset' } })).text();
      const values = text.trim().split(',\n');
      expect(values.length).toBeGreaterThan(8);
      expect(values.filter((v) => v.includes(`anchor="${landing}"`)).length).toBeGreaterThanOrEqual(8);
      for (const v of values) expect(v).toMatch(/^<[^<>]+>; rel="[a-z-]+"; anchor="[^"]+"/);
    }
  });
});

describe('private and embargoed datasets', () => {
  it('are not found by anyone else, in any format or linkset', async () => {
    for (const id of ['fair-private', 'fair-embargoed']) {
      for (const p of [`/datasets/${id}`, `/datasets/${id}?format=datacite`, `/datasets/${id}?format=jsonld&profile=dcat`, `/datasets/${id}/linkset`, `/datasets/${id}/versions/1/linkset`]) {
        const res = await svc.fetch(p);
        expect(res.status, p).toBe(404);
        expect(await res.text()).not.toMatch(/Private FAIR|Embargoed FAIR/);
      }
    }
  });
  it('their owner sees them (not free to access)', async () => {
    const d = await (await ok('/datasets/fair-private?format=jsonld', { token: alice })).json() as Record<string, unknown>;
    expect(d.isAccessibleForFree).toBe(false);
  });
});
