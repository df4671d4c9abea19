/** The CLI's search (src/cli/search-command.ts, the options commander parses) on a real store: the same filters and errors as GET /datasets. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './helpers/service.js';
import { runSearch } from '../src/cli/search-command.js';
import { InputError } from '../src/model/problems.js';

let svc: TestService;
beforeAll(async () => { svc = await startTestService(); }, 60_000);
afterAll(async () => svc?.stop());

const ids = (t: string) => t.split('\n').slice(1).filter((l) => l.includes('\t')).map((l) => l.split('\t')[0]).sort();

describe('syndb search', () => {
  it('region hierarchy, facets, AND/NOT, free text', async () => {
    expect(ids((await runSearch(svc.ctx, { region: ['UBERON:0000956'], modality: ['EM'] })).text)).toEqual(['l4dense-motta2019', 'microns-minnie65-v117', 'syndb-style-example']);
    expect(ids((await runSearch(svc.ctx, { region: ['V1'] })).text)).toEqual(['dendritic-consortium-mouse-v1', 'syndb-style-example']);
    expect(ids((await runSearch(svc.ctx, { compartment: ['synapse', 'mitochondrion'], and: ['compartment'] })).text)).toEqual(['syndb-style-example']);
    expect(ids((await runSearch(svc.ctx, { region: ['isocortex'], method: ['!SBEM'], text: ['NOT', 'minnie65'] })).text)).toEqual(['dendritic-consortium-mouse-v1', 'syndb-style-example']);
    const json = JSON.parse((await runSearch(svc.ctx, { q: ['barrel cortex'], format: 'json', facets: true })).text);
    expect(json.datasets.map((d: { id: string }) => d.id)).toEqual(['l4dense-motta2019']);
    expect(json.facets.region.length).toBeGreaterThan(0);
  });
  it('prints facet counts', async () => {
    const { text } = await runSearch(svc.ctx, { species: ['mouse'], facets: true });
    expect(text).toMatch(/^4 datasets/);
    expect(text).toMatch(/Imaging modality:\n {2}\s?\s?electron\t3\telectron microscopy \(EM\)/);
  });
  it('bad filters are an InputError naming the option and value', async () => {
    const e = await runSearch(svc.ctx, { species: ['mouze'] }).catch((x) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).problems[0]).toMatchObject({ path: 'species', value: 'mouze' });
    expect((e as InputError).problems[0].message).toMatch(/Mus musculus/);
  });
});
