/**
 * The query editor for browsers: GET /sparql with Accept: text/html is the editor (no CDN: every
 * script is served by us), its example queries run against the example data and return rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './helpers/service.js';
import { EXAMPLE_QUERIES } from '../src/http/sparql-editor/page.js';

let svc: TestService;
beforeAll(async () => { svc = await startTestService(); }, 60_000);
afterAll(async () => svc?.stop());

describe('query editor', () => {
  it('a browser gets the editor page; its script is served locally; no external resources', async () => {
    const res = await svc.fetch('/sparql', { headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain('<textarea id="query" name="query"');
    for (const e of EXAMPLE_QUERIES) expect(html).toContain(e.name.replace(/&/g, '&amp;'));
    const srcs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    for (const s of srcs) expect(s.startsWith('/') || s.startsWith('#'), s).toBe(true);
    const js = await svc.fetch('/sparql/_editor/editor.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(await js.text()).toContain("fetch('/sparql'");
    expect((await svc.fetch('/sparql/_editor/nope.js')).status).toBe(404);
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
