/**
 * Every link we publish resolves: a crawl of the URLs of this service found in the example
 * datasets' landing pages (Link headers, HTML hrefs), JSON-LD (schema.org), DCAT Turtle, linksets,
 * the catalog, the sitemap and the OAI-PMH records. Each must answer 200 (following redirects),
 * as a harvester, a catalog or a reader clicking through would find it. URLs that name things
 * rather than documents (row IRIs, activity IRIs) are crawled too: each dereferences.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, BASE, type TestService } from './helpers/service.js';

let svc: TestService;
beforeAll(async () => { svc = await startTestService(); }, 240_000);
afterAll(async () => svc?.stop());

/**
 * URLs of this service in a text (IRIs in RDF, hrefs in HTML or XML, JSON strings). Skolem IRIs
 * (/.well-known/genid/…, RDF 1.1 §3.5) name blank nodes; they are identifiers, not links.
 */
function ours(text: string): string[] {
  const out = new Set<string>();
  const plain = text.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  for (const m of plain.matchAll(/https?:\/\/localhost:3030[^\s"'<>\\(){}[\]]*/g)) {
    const u = m[0].replace(/[.,;]+$/, '');
    if (!u.includes('/.well-known/genid/')) out.add(u);
  }
  return [...out];
}

describe('a crawl of every link the examples publish', () => {
  it('finds no broken link', async () => {
    const ids = ((await (await svc.fetch('/datasets')).json()) as { datasets: Array<{ id: string }> }).datasets.map((d) => d.id);
    expect(ids.length).toBeGreaterThan(3);
    const seeds: Array<[string, string | undefined]> = [['/catalog', 'text/turtle'], ['/sitemap.xml', undefined], ['/oai?verb=ListRecords&metadataPrefix=oai_dc', undefined], ['/oai?verb=ListIdentifiers&metadataPrefix=oai_dc', undefined]];
    for (const id of ids) {
      for (const accept of ['text/html', 'application/ld+json', 'text/turtle']) seeds.push([`/datasets/${id}`, accept]);
      seeds.push([`/datasets/${id}?profile=dcat`, 'text/turtle'], [`/datasets/${id}/linkset`, 'application/linkset+json'], [`/datasets/${id}/tables`, undefined]);
    }
    const found = new Map<string, string>(); // url -> where it was found
    for (const [path, accept] of seeds) {
      const res = await svc.fetch(path, { headers: accept ? { accept } : {} });
      expect(res.status, `${path} (${accept})`).toBe(200);
      const text = `${res.headers.get('link') ?? ''}\n${await res.text()}`;
      for (const u of ours(text)) if (!found.has(u)) found.set(u, `${path} (${accept ?? 'default'})`);
    }
    expect(found.size).toBeGreaterThan(50);
    const broken: string[] = [];
    for (const [u, where] of found) {
      const res = await fetch(svc.url + u.slice(BASE.length), { redirect: 'follow' });
      await res.arrayBuffer();
      if (res.status !== 200) broken.push(`${res.status} ${u} (in ${where})`);
    }
    expect(broken, `${broken.length} of ${found.size} links broken`).toEqual([]);
  }, 600_000);
});
