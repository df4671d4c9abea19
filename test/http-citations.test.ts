import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, BASE, type TestService } from './helpers/service.js';

let svc: TestService;
beforeAll(async () => { svc = await startTestService(); });
afterAll(async () => svc?.stop());

describe('citations by content negotiation', () => {
  it('BibTeX of the L4 dataset: authors in order, version, url, @misc', async () => {
    const res = await svc.fetch('/datasets/l4dense-motta2019', { headers: { accept: 'application/x-bibtex' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/x-bibtex/);
    const bib = await res.text();
    expect(bib).toMatch(/^@misc\{/);
    expect(bib).toMatch(/version\s*=\s*\{1\}/);
    expect(bib).toContain(`${BASE}/datasets/l4dense-motta2019/versions/1`);
    const authors = /author\s*=\s*\{(.*)\},?\n/.exec(bib)![1];
    expect(authors.indexOf('Motta')).toBeLessThan(authors.indexOf('Helmstaedter'));
    expect(authors.split(' and ')).toHaveLength(9);
  });
  it('BibLaTeX @dataset via ?format=biblatex', async () => {
    const bib = await (await svc.fetch('/datasets/l4dense-motta2019?format=biblatex')).text();
    expect(bib).toMatch(/^@dataset\{/);
  });
  it('RIS TY  - DATA ... ER  - ', async () => {
    const ris = await (await svc.fetch('/datasets/microns-minnie65-v117/versions/1', { headers: { accept: 'application/x-research-info-systems' } })).text();
    const lines = ris.split(/\r?\n/).filter((l) => l !== '');
    expect(lines[0]).toBe('TY  - DATA');
    expect(lines.at(-1)).toBe('ER  - ');
    for (const l of lines) expect(l).toMatch(/^[A-Z][A-Z0-9]  - /);
    expect(ris).toContain('MICrONS Consortium');
  });
  it('CSL-JSON and APA text with style= and locale= parameters', async () => {
    const csl = await (await svc.fetch('/datasets/l4dense-motta2019', { headers: { accept: 'application/vnd.citationstyles.csl+json' } })).json() as Array<{ type: string; version: string }>;
    expect(csl[0].type).toBe('dataset');
    expect(csl[0].version).toBe('1');
    const apaRes = await svc.fetch('/datasets/l4dense-motta2019', { headers: { accept: 'text/x-bibliography; style=apa' } });
    const apa = await apaRes.text();
    expect(apaRes.status, apa).toBe(200);
    expect(apa).toMatch(/^Motta, A\., Berning, M\./);
    expect(apa).toMatch(/\(Version 1\) \[Data set\]/);
    const ieee = await (await svc.fetch('/datasets/l4dense-motta2019?format=bibliography&style=ieee&locale=de-DE')).text();
    expect(ieee).toMatch(/A\. Motta/);
  });
  it('an unknown style is a 400 problem', async () => {
    const res = await svc.fetch('/datasets/l4dense-motta2019?format=bibliography&style=no-such-style');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
  });
  it('the same citation twice is byte-identical (nothing from the clock)', async () => {
    const a = await (await svc.fetch('/datasets/l4dense-motta2019?format=bibtex')).text();
    const b = await (await svc.fetch('/datasets/l4dense-motta2019?format=bibtex')).text();
    expect(a).toBe(b);
  });
});
