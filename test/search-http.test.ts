/** GET /datasets search over a real server with the examples: hierarchy, facets, boolean logic, privacy, formats. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jsonld from 'jsonld';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestService, type TestService } from './helpers/service.js';
import { JENA } from './helpers/shared.js';

let svc: TestService;
let alice: string, bob: string;
beforeAll(async () => {
  svc = await startTestService();
  alice = svc.ctx.tokens.create('alice', 'contributor');
  bob = svc.ctx.tokens.create('bob', 'contributor');
  // a private dataset of alice in S1 (barrel field) and a published public one with a gene
  const base = { creators: [{ name: 'Doe, Jane' }], license: 'CC-BY-4.0', species: 'mouse', microscopyMethod: 'SBEM', compartments: ['synapse'] };
  for (const [id, extra, publish] of [
    ['secret-barrels', { title: 'Secret barrel cortex synapses', description: 'Private zebra-word data.', brainRegion: 'SSp-bfd', access: 'private', identifiers: ['SECRET-01'] }, true],
    ['shank3-v1-spines', { title: 'Shank3 knock-out spines in V1 layer 4', description: 'Spines.', brainRegion: 'VISp4', geneticManipulations: [{ gene: 'Shank3', expression: 'knock-out' }], tags: ['autism models'], publications: [{ doi: '10.1000/xyz123' }] }, true],
    ['alice-draft', { title: 'Draft only zebra cortex', description: 'Unpublished.', brainRegion: 'VISp' }, false],
  ] as const) {
    const res = await svc.fetch(`/datasets${publish ? '?publish=true' : ''}`, { method: 'POST', token: alice, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, ...base, ...extra }) });
    expect(res.status, await res.clone().text()).toBe(201);
  }
}, 60_000);
afterAll(async () => svc?.stop());

type Body = { total: number; datasets: Array<{ id: string; title: string }>; facets: Record<string, Array<{ value: string; label: string; count: number; selected: boolean }>>; resolved: unknown[]; links: Record<string, string> };
async function search(qs: string, token?: string): Promise<Body> {
  const res = await svc.fetch(`/datasets${qs ? `?${qs}` : ''}`, { headers: { accept: 'application/json' }, token });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json() as Promise<Body>;
}
const ids = (b: Body) => b.datasets.map((d) => d.id).sort();

describe('region hierarchy', () => {
  it('isocortex, cerebral cortex and UBERON:0000956 find V1 and S1 barrel-field layer 4 datasets', async () => {
    for (const r of ['isocortex', 'cerebral cortex', 'UBERON:0000956', 'http://purl.obolibrary.org/obo/UBERON_0000956']) {
      const b = await search(`region=${encodeURIComponent(r)}`);
      expect(ids(b), r).toEqual(expect.arrayContaining(['l4dense-motta2019', 'dendritic-consortium-mouse-v1', 'syndb-style-example', 'shank3-v1-spines']));
      expect(ids(b), r).not.toContain('dendritic-consortium-hydra');
    }
  });
  it('VISp / V1 finds V1 and its layers, not S1 nor the broader "visual areas" dataset', async () => {
    for (const r of ['VISp', 'V1', 'MBA:385', 'primary visual area']) {
      expect(ids(await search(`region=${encodeURIComponent(r)}`)), r).toEqual(['dendritic-consortium-mouse-v1', 'shank3-v1-spines', 'syndb-style-example']);
    }
  });
  it('a layer finds only that layer; S1 barrel field does not find V1', async () => {
    expect(ids(await search('region=VISp2%2F3'))).toEqual(['syndb-style-example']);
    expect(ids(await search('region=SSp-bfd'))).toEqual(['l4dense-motta2019']);
    expect(ids(await search('region=MBA:669'))).toEqual(['dendritic-consortium-mouse-v1', 'microns-minnie65-v117', 'shank3-v1-spines', 'syndb-style-example']);
  });
  it('region facet counts roll up the hierarchy', async () => {
    const b = await search('');
    const region = Object.fromEntries(b.facets.region.map((f) => [f.label, f.count]));
    expect(region.isocortex ?? region.Isocortex).toBe(5);
    expect(region['primary visual area']).toBe(3);
  });
});

describe('facets and boolean logic', () => {
  it('species, method, modality, gene, expression, compartment, tag, DOI, creator, identifier', async () => {
    expect(ids(await search('species=NCBITaxon:6087'))).toEqual(['dendritic-consortium-hydra']);
    expect(ids(await search('method=ssTEM'))).toEqual(['microns-minnie65-v117']);
    expect(ids(await search('modality=EM&region=isocortex'))).toEqual(['l4dense-motta2019', 'microns-minnie65-v117', 'shank3-v1-spines', 'syndb-style-example']);
    expect(ids(await search('gene=fmr1'))).toEqual(['syndb-style-example']);
    expect(ids(await search('expression=knock-out'))).toEqual(['shank3-v1-spines', 'syndb-style-example']);
    expect(ids(await search('compartment=mitochondria'))).toEqual(['syndb-style-example']);
    expect(ids(await search('tag=multimodal'))).toEqual(['dendritic-consortium-hydra', 'dendritic-consortium-mouse-v1']);
    expect(ids(await search('publication=https%3A%2F%2Fdoi.org%2F10.1126%2Fscience.aay3134'))).toEqual(['l4dense-motta2019']);
    expect(ids(await search('creator=Motta'))).toEqual(['l4dense-motta2019']);
    expect(ids(await search('identifier=RY_IMG_0001'))).toEqual(['dendritic-consortium-mouse-v1']);
    expect(ids(await search('identifier=synapses_pni_2'))).toEqual(['microns-minnie65-v117']);
  });
  it('OR within a facet, AND across facets, .op=and, ! for NOT', async () => {
    expect(ids(await search('method=SBEM&method=ssTEM'))).toEqual(['l4dense-motta2019', 'microns-minnie65-v117', 'shank3-v1-spines']);
    expect(ids(await search('method=SBEM&method=ssTEM&region=VISp'))).toEqual(['shank3-v1-spines']);
    expect(ids(await search('compartment=synapse&compartment=mitochondrion&compartment.op=and'))).toEqual(['syndb-style-example']);
    expect(ids(await search('region=isocortex&method=!SBEM'))).toEqual(['dendritic-consortium-mouse-v1', 'microns-minnie65-v117', 'syndb-style-example']);
  });
  it('the q language: words, phrases, facet:value, AND/OR/NOT, parentheses, CURIEs', async () => {
    expect(ids(await search('q=mouse%20cortex%20EM'))).toEqual(['l4dense-motta2019', 'microns-minnie65-v117', 'shank3-v1-spines', 'syndb-style-example']);
    expect(ids(await search(`q=${encodeURIComponent('"barrel cortex"')}`))).toEqual(['l4dense-motta2019']);
    expect(ids(await search(`q=${encodeURIComponent('(method:SBEM OR method:ssTEM) AND NOT region:V1')}`))).toEqual(['l4dense-motta2019', 'microns-minnie65-v117']);
    expect(ids(await search(`q=${encodeURIComponent('region:isocortex -gene:Fmr1 -gene:Shank3')}`))).toEqual(['dendritic-consortium-mouse-v1', 'l4dense-motta2019', 'microns-minnie65-v117']);
    expect(ids(await search(`q=${encodeURIComponent('UBERON:0000956 minnie65')}`))).toEqual(['microns-minnie65-v117']);
    expect(ids(await search(`q=${encodeURIComponent('NCBITaxon:6087 AND region:isocortex')}`))).toEqual([]);
    expect(ids(await search(`q=${encodeURIComponent('cnidarian OR minnie65')}`))).toEqual(['dendritic-consortium-hydra', 'microns-minnie65-v117']);
  });
  it('disjunctive facet counts: a facet counts as if its own filter were not set', async () => {
    const b = await search('method=SBEM');
    const m = Object.fromEntries(b.facets.method.map((f) => [f.value, f]));
    expect(m.SBEM.count).toBe(2);
    expect(m.SBEM.selected).toBe(true);
    expect(m.ssTEM.count).toBe(1);
    const species = Object.fromEntries(b.facets.species.map((f) => [f.value, f.count]));
    expect(species['NCBITaxon:10090']).toBe(2);
    expect(species['NCBITaxon:6087']).toBeUndefined();
    for (const f of ['species', 'region', 'method', 'modality', 'gene', 'expression', 'compartment', 'tag', 'collection', 'publication', 'creator', 'identifier']) expect(b.facets).toHaveProperty(f);
  });
  it('pagination and sort', async () => {
    const p1 = await search('pageSize=2&sort=title');
    const p2 = await search('pageSize=2&sort=title&page=2');
    expect(p1.total).toBe(6);
    expect(p1.datasets).toHaveLength(2);
    expect(p1.links.next).toContain('page=2');
    const all = await search('sort=title');
    expect([...p1.datasets, ...p2.datasets].map((d) => d.id)).toEqual(all.datasets.slice(0, 4).map((d) => d.id));
    expect(all.datasets.map((d) => d.title)).toEqual([...all.datasets.map((d) => d.title)].sort((a, b) => a.localeCompare(b, 'en')));
  });
});

describe('privacy', () => {
  it('private datasets and drafts appear only for those who may read them', async () => {
    for (const qs of ['', 'q=zebra', 'region=SSp-bfd', 'identifier=SECRET-01', 'q=secret']) {
      const anon = await search(qs);
      expect(ids(anon), qs).not.toContain('secret-barrels');
      expect(ids(anon), qs).not.toContain('alice-draft');
      expect(JSON.stringify(anon.facets), qs).not.toMatch(/SECRET-01|Secret barrel/);
      const other = await search(qs, bob);
      expect(ids(other)).not.toContain('secret-barrels');
      expect(ids(other)).not.toContain('alice-draft');
    }
    expect(ids(await search('q=zebra', alice))).toEqual(['alice-draft', 'secret-barrels']);
    const html = await (await svc.fetch('/datasets?q=secret', { headers: { accept: 'text/html' } })).text();
    expect(html).not.toContain('secret-barrels');
  });
  it('a draft edit is searchable for its writer at once (onChange)', async () => {
    const res = await svc.fetch('/datasets/alice-draft', { method: 'PUT', token: alice, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'Draft only quokka cortex', description: 'Unpublished.', creators: [{ name: 'Doe, Jane' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'VISp', microscopyMethod: 'SBEM', compartments: ['synapse'] }) });
    expect(res.status).toBe(200);
    expect(ids(await search('q=quokka', alice))).toEqual(['alice-draft']);
    expect(ids(await search('q=quokka'))).toEqual([]);
  });
});

describe('errors are specific problem+json', () => {
  it.each([
    ['species=mouze', 'species', /closest: Mus musculus/],
    ['region=visual%20cortexx', 'region', /unknown brain region/],
    ['compartment=spine-neck', 'compartment', /expected one of: neuron/],
    ['publication=not-a-doi', 'publication', /not a DOI/],
    ['pageSize=0', 'pageSize', /1 to 1000/],
    ['sort=random', 'sort', /relevance, title/],
    ['colour=red', 'colour', /unknown search parameter/],
    [`q=${encodeURIComponent('(region:V1')}`, 'q', /parenthesis is not closed/],
    ['collection=nope', 'collection', /no such collection/],
  ])('%s', async (qs, parameter, re) => {
    const res = await svc.fetch(`/datasets?${qs}`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const b = await res.json() as { errors: Array<{ parameter: string; message: string }> };
    expect(b.errors[0].parameter).toBe(parameter);
    expect(b.errors[0].message).toMatch(re);
  });
});

describe('formats', () => {
  it('JSON-LD is a Hydra collection that jsonld.js expands; its RDF passes Jena riot', async () => {
    const res = await svc.fetch('/datasets?region=isocortex&pageSize=2', { headers: { accept: 'application/ld+json' } });
    expect(res.headers.get('content-type')).toContain('application/ld+json');
    const doc = await res.json() as Record<string, unknown>;
    const expanded = await jsonld.expand(doc as never) as Array<Record<string, unknown>>;
    const coll = expanded.find((n) => (n['@type'] as string[] | undefined)?.includes('http://www.w3.org/ns/hydra/core#Collection'))!;
    expect((coll['http://www.w3.org/ns/hydra/core#totalItems'] as Array<{ '@value': number }>)[0]['@value']).toBe(5);
    expect(coll['http://www.w3.org/ns/hydra/core#member']).toHaveLength(2);
    const dir = mkdtempSync(join(tmpdir(), 'hydra-'));
    // (Jena's own JSON-LD reader cannot load documents on this machine: jsonld.js gives N-Quads, Jena checks them.)
    const nq = await jsonld.toRDF(doc as never, { format: 'application/n-quads' }) as unknown as string;
    expect(nq).toContain('<http://www.w3.org/ns/hydra/core#PartialCollectionView>');
    writeFileSync(join(dir, 'page.nq'), nq);
    const jena = spawnSync(JENA, ['riot', '--validate', '--strict', join(dir, 'page.nq')], { encoding: 'utf8' });
    expect(jena.status, jena.stderr + jena.stdout).toBe(0);
  }, 60_000);
  it('HTML: results with facets as a form that works without JavaScript', async () => {
    const html = await (await svc.fetch('/datasets?region=isocortex&method=SBEM', { headers: { accept: 'text/html' } })).text();
    expect(html).toContain('<form method="get" action="/datasets"');
    expect(html).toMatch(/<input type="checkbox" id="f-method-\d+" name="method" value="SBEM" checked>/);
    expect(html).toMatch(/<label for="q">Search datasets<\/label>/);
    expect(html).toContain('href="/datasets/l4dense-motta2019"');
    expect(html).not.toContain('href="/datasets/microns-minnie65-v117"');
  });
  it('home page: search box and facet links; the citation page has the citation box and term links', async () => {
    const home = await (await svc.fetch('/', { headers: { accept: 'text/html' } })).text();
    expect(home).toContain('action="/datasets"');
    expect(home).toMatch(/href="\/datasets\?modality=electron"/);
    expect(home).toMatch(/href="\/datasets\?region=MBA%3A315"/);
    const cite = await (await svc.fetch('/datasets/l4dense-motta2019/cite')).text();
    expect(cite).toContain('data-citation-box');
    expect(cite).toMatch(/<pre data-format="bibtex" hidden[^>]*>@/);
    expect(cite).toContain('href="http://purl.obolibrary.org/obo/MBA_1047"');
    expect((await svc.fetch('/datasets/secret-barrels/cite')).status).toBe(404);
  });
});
