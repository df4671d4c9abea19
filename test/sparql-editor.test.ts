/**
 * The query editor for browsers: GET /sparql with Accept: text/html is YASGUI (no CDN: every
 * script is served by us), its example queries run against the example data and return rows.
 * In a browser: test/sparql-editor-browser.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './helpers/service.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { EXAMPLE_QUERIES } from '../src/http/sparql-editor/page.js';
import { NS } from '../src/model/namespaces.js';

let svc: TestService;
beforeAll(async () => { svc = await startTestService(); }, 60_000);
afterAll(async () => svc?.stop());

describe('query editor', () => {
  it('a browser gets YASGUI, served from our own files; a noscript form; no external resources', async () => {
    const res = await svc.fetch('/sparql', { headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    const noscript = /<noscript>([\s\S]*)<\/noscript>/.exec(html)?.[1] ?? '';
    expect(noscript).toContain('<form id="sparql-form" action="/sparql" method="post">');
    expect(noscript).toContain('<textarea id="query" name="query"');
    for (const e of EXAMPLE_QUERIES) expect(html).toContain(e.name.replace(/&/g, '&amp;'));
    const srcs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    for (const s of srcs) expect(s.startsWith('/') || s.startsWith('#') || s === 'data:,', s).toBe(true);
    expect(srcs).toEqual(expect.arrayContaining(['/static/yasgui/yasgui.min.js', '/static/yasgui/yasgui.min.css', '/sparql/_editor/editor.js', '/sparql/_editor/chart.js']));
    // the configuration the page hands to YASGUI: our endpoint, examples, prefixes from the namespace module
    const config = JSON.parse(/<script type="application\/json" id="sparql-config">([\s\S]*?)<\/script>/.exec(html)![1]);
    expect(config.endpoint).toBe('/sparql');
    expect(config.examples).toEqual(EXAMPLE_QUERIES);
    expect(config.prefixes).toEqual(NS);
    const js = await svc.fetch('/sparql/_editor/editor.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(await js.text()).toContain('new Yasgui(');
    expect((await svc.fetch('/sparql/_editor/nope.js')).status).toBe(404);
    const prefixes = await svc.fetch('/sparql/_editor/prefixes.json');
    expect(await prefixes.json()).toEqual(NS);
  });

  it('YASGUI files come from node_modules/@zazuko/yasgui under /static/yasgui/', async () => {
    const dir = join(createRequire(import.meta.url).resolve('@zazuko/yasgui/package.json'), '..', 'build');
    for (const [file, type] of [['yasgui.min.js', /javascript/], ['yasgui.min.css', /text\/css/]] as const) {
      const res = await svc.fetch(`/static/yasgui/${file}`);
      expect(res.status, file).toBe(200);
      expect(res.headers.get('content-type')).toMatch(type);
      expect(Buffer.from(await res.arrayBuffer()).equals(readFileSync(join(dir, file))), file).toBe(true);
    }
    const missing = await svc.fetch('/static/yasgui/package.json');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await svc.fetch('/static/yasgui/..%2Fpackage.json')).status).toBe(404);
  });

  it('non-browser clients are unaffected: service description, and a query by GET', async () => {
    const sd = await svc.fetch('/sparql', { headers: { accept: 'text/turtle' } });
    expect(sd.status).toBe(200);
    expect(sd.headers.get('content-type')).toMatch(/text\/turtle/);
    expect(await sd.text()).toContain('sd:Service');
    const q = await svc.fetch(`/sparql?query=${encodeURIComponent('ASK { ?s ?p ?o }')}`, { headers: { accept: 'text/html,*/*;q=0.8' } });
    expect(q.status).toBe(200);
    expect(q.headers.get('content-type')).toMatch(/sparql-results\+json/);
  });

  it('the form works without JavaScript (POST form with format=)', async () => {
    const body = new URLSearchParams({ query: EXAMPLE_QUERIES[0].query, format: 'csv' });
    const res = await svc.fetch('/sparql', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, body });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
  });

  for (const e of EXAMPLE_QUERIES) {
    it(`example query runs and returns rows: ${e.name}`, async () => {
      const res = await svc.fetch('/sparql', { method: 'POST', headers: { 'content-type': 'application/sparql-query', accept: 'application/sparql-results+json' }, body: e.query });
      expect(res.status, await res.clone().text()).toBe(200);
      const rows = (await res.json()).results.bindings;
      expect(rows.length, e.name).toBeGreaterThan(0);
    });
  }
});
