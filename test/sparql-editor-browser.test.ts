/**
 * YASGUI at /sparql in a real headless Chromium (Debian chromium + playwright-core): everything it
 * loads comes from this server (requests to any other host are recorded and aborted), no console
 * errors, one tab per example query, a query shows a results table, paging through a result of
 * three pages, our chart plugin draws a bar per row, the new-tab query carries our prefixes, the
 * noscript form, and axe-core with no violations at all. Screenshots: test-artifacts/e2e/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, ADMIN_TOKEN, type TestService } from './helpers/service.js';
import { browserUnavailable, openBrowser, screenshot, axe, type Browser, type Page } from './helpers/browser.js';
import { EXAMPLE_QUERIES, NEW_TAB_QUERY } from '../src/http/sparql-editor/page.js';
import { NS } from '../src/model/namespaces.js';

const unavailable = browserUnavailable();
if (unavailable) console.log(`[sparql-editor-browser] skipped: ${unavailable}`);

interface Watch { errors: string[]; failed: string[]; foreign: string[]; local: string[] }

describe.skipIf(!!unavailable)('YASGUI at /sparql in a browser', () => {
  let svc: TestService;
  let browser: Browser;
  beforeAll(async () => { [svc, browser] = await Promise.all([startTestService(), openBrowser()]); }, 300_000);
  afterAll(async () => { await browser?.close(); await svc?.stop(); });

  async function open(opts: { javaScriptEnabled?: boolean } = {}): Promise<{ page: Page; watch: Watch }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, baseURL: svc.url, javaScriptEnabled: opts.javaScriptEnabled ?? true });
    const origin = new URL(svc.url).origin;
    const watch: Watch = { errors: [], failed: [], foreign: [], local: [] };
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('data:') || new URL(url).origin === origin) { watch.local.push(new URL(url).pathname); return route.continue(); }
      watch.foreign.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') watch.errors.push(`${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => watch.errors.push(`pageerror: ${e.message}`));
    page.on('requestfailed', (r) => watch.failed.push(`${r.url()} ${r.failure()?.errorText}`));
    page.on('response', (r) => { if (r.status() >= 400) watch.failed.push(`${r.status()} ${r.url()}`); });
    return { page, watch };
  }
  const noViolations = async (page: Page, name: string) => {
    const v = await axe(page);
    expect(v, `${name}: ${JSON.stringify(v, null, 1)}`).toEqual([]);
  };
  const activePanel = (page: Page) => page.locator('.tabPanel.active');
  async function run(page: Page) {
    const panel = activePanel(page);
    await page.evaluate(() => { document.getElementById('editor-status')!.textContent = ''; });
    await panel.locator('.yasqe_queryButton').click();
    await expect.poll(() => page.locator('#editor-status').textContent(), { timeout: 30_000 }).toMatch(/results? in|ASK|failed|Answered/);
    return panel;
  }
  async function setQuery(page: Page, query: string) {
    await page.evaluate((q) => (window as unknown as { syndbYasgui: { getTab(): { getYasqe(): { setValue(s: string): void } } } }).syndbYasgui.getTab().getYasqe().setValue(q), query);
  }

  it('loads from this server only, with a tab per example query, runs one into a table; no console errors; axe clean', async () => {
    const { page, watch } = await open();
    await page.goto('/sparql');
    const tabs = page.locator('.yasgui .tabsList [role=tab]');
    await expect.poll(() => tabs.count(), { timeout: 30_000 }).toBe(EXAMPLE_QUERIES.length);
    expect(await page.locator('.yasgui .tabsList [role=tab] > span').allInnerTexts()).toEqual(EXAMPLE_QUERIES.map((e) => e.name));
    expect(watch.local).toEqual(expect.arrayContaining(['/static/yasgui/yasgui.min.js', '/static/yasgui/yasgui.min.css', '/sparql/_editor/editor.js', '/sparql/_editor/chart.js']));
    // the active tab is the first example, on our endpoint
    expect(await page.evaluate(() => (window as unknown as { syndbYasgui: { getTab(): { getYasqe(): { getValue(): string }; getEndpoint(): string } } }).syndbYasgui.getTab().getEndpoint())).toBe(`${svc.url}/sparql`);
    expect(await page.evaluate(() => (window as unknown as { syndbYasgui: { getTab(): { getYasqe(): { getValue(): string } } } }).syndbYasgui.getTab().getYasqe().getValue())).toBe(EXAMPLE_QUERIES[0].query);
    await noViolations(page, 'editor loaded');
    await screenshot(page, 'sparql-01-yasgui');

    const panel = await run(page);
    const rows = panel.locator('.yasr table.dataTable tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThan(0);
    const header = await panel.locator('.yasr table.dataTable thead th').allInnerTexts();
    expect(header.join(' ')).toMatch(/dataset.*title.*region.*method/);
    expect(await rows.first().innerText()).toMatch(/localhost:3030\/datasets\//);
    await noViolations(page, 'results table');
    await screenshot(page, 'sparql-02-table');
    expect(watch.foreign).toEqual([]);
    expect(watch.failed).toEqual([]);
    expect(watch.errors).toEqual([]);
  });

  it('pages through a result of three pages', async () => {
    const { page, watch } = await open();
    await page.goto('/sparql');
    await expect.poll(() => page.locator('.yasgui .tabsList [role=tab]').count(), { timeout: 30_000 }).toBe(EXAMPLE_QUERIES.length);
    await setQuery(page, 'SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 120');
    const panel = await run(page);
    const rows = panel.locator('.yasr table.dataTable tbody tr');
    await expect.poll(() => rows.count()).toBe(50);
    const first = await rows.first().innerText();
    const info = panel.locator('.dt-info');
    expect(await info.innerText()).toMatch(/1 to 50 of 120/);
    const next = panel.locator('.dt-paging button.next, .dt-paging .dt-paging-button.next').first();
    await next.click();
    await expect.poll(() => info.innerText()).toMatch(/51 to 100 of 120/);
    expect(await rows.count()).toBe(50);
    expect(await rows.first().innerText()).not.toBe(first);
    expect(await rows.first().locator('td').first().innerText()).toBe('51');
    await next.click();
    await expect.poll(() => info.innerText()).toMatch(/101 to 120 of 120/);
    expect(await rows.count()).toBe(20);
    await noViolations(page, 'paged table');
    await screenshot(page, 'sparql-03-paging');
    expect(watch.foreign).toEqual([]);
    expect(watch.failed).toEqual([]);
    expect(watch.errors).toEqual([]);
  });

  it('opens an example from the menu in a new tab and draws it as a bar chart', async () => {
    const { page, watch } = await open();
    await page.goto('/sparql');
    await expect.poll(() => page.locator('.yasgui .tabsList [role=tab]').count(), { timeout: 30_000 }).toBe(EXAMPLE_QUERIES.length);
    const i = EXAMPLE_QUERIES.findIndex((e) => e.name === 'Named graphs you can see');
    await page.getByLabel('Example queries').selectOption(String(i));
    await page.getByRole('button', { name: 'Open in a new tab' }).click();
    await expect.poll(() => page.locator('.yasgui .tabsList [role=tab]').count()).toBe(EXAMPLE_QUERIES.length + 1);
    expect(await page.locator('.yasgui .tabsList .tab.active [role=tab] > span').innerText()).toBe(EXAMPLE_QUERIES[i].name);
    const panel = await run(page);
    // the same query over HTTP: the bars must be its rows
    const res = await svc.fetch('/sparql', { method: 'POST', headers: { 'content-type': 'application/sparql-query', accept: 'application/sparql-results+json' }, body: EXAMPLE_QUERIES[i].query });
    const bindings = (await res.json()).results.bindings as Array<Record<string, { value: string }>>;
    expect(bindings.length).toBeGreaterThan(3);
    const chartButton = panel.locator('.yasr .select_chart');
    expect(await chartButton.getAttribute('class')).not.toMatch(/disabled/);
    await chartButton.click();
    const svg = panel.locator('figure.syndb-chart svg[role=img]');
    await expect.poll(() => svg.count()).toBe(1);
    expect(await svg.locator('rect').count()).toBe(bindings.length);
    const titles = await svg.locator('g.bar > title').allTextContents();
    expect(titles).toEqual(bindings.map((b) => `${b.g.value}: ${b.triples.value}`));
    // the longest bar is the largest count
    const widths = await svg.locator('rect').evaluateAll((els) => els.map((e) => Number(e.getAttribute('width'))));
    const counts = bindings.map((b) => Number(b.triples.value));
    expect(widths.indexOf(Math.max(...widths))).toBe(counts.indexOf(Math.max(...counts)));
    await noViolations(page, 'chart');
    await screenshot(page, 'sparql-04-chart');
    // a result without numbers cannot be charted
    await page.locator('.yasgui .tabsList [role=tab]').first().click();
    await setQuery(page, 'SELECT ?s WHERE { ?s ?p ?o } LIMIT 3');
    await run(page);
    await expect.poll(() => activePanel(page).locator('.yasr .select_chart').getAttribute('class')).toMatch(/disabled/);
    expect(watch.foreign).toEqual([]);
    expect(watch.failed).toEqual([]);
    expect(watch.errors).toEqual([]);
  });

  it('a new tab starts with our prefixes (from the namespace module)', async () => {
    const { page } = await open();
    await page.goto('/sparql');
    await expect.poll(() => page.locator('.yasgui .tabsList [role=tab]').count(), { timeout: 30_000 }).toBe(EXAMPLE_QUERIES.length);
    await page.getByRole('button', { name: 'Add a new tab' }).click();
    await expect.poll(() => page.locator('.yasgui .tabsList [role=tab]').count()).toBe(EXAMPLE_QUERIES.length + 1);
    const value = await page.evaluate(() => (window as unknown as { syndbYasgui: { getTab(): { getYasqe(): { getValue(): string } } } }).syndbYasgui.getTab().getYasqe().getValue());
    expect(value).toBe(NEW_TAB_QUERY);
    for (const p of ['syndb', 'dcterms', 'dcat', 'prov'] as const) expect(value).toContain(`PREFIX ${p}: <${NS[p]}>`);
    const prefixes = await page.evaluate(async () => (await fetch('/sparql/_editor/prefixes.json')).json());
    expect(prefixes).toEqual(NS);
    const panel = await run(page);
    await expect.poll(() => panel.locator('.yasr table.dataTable tbody tr').count()).toBeGreaterThan(0);
  });

  it('sends the bearer token of the token field; keeps the tabs on the next visit without repeating the examples', async () => {
    const { page } = await open();
    await page.goto('/sparql');
    await expect.poll(() => page.locator('.yasgui .tabsList [role=tab]').count(), { timeout: 30_000 }).toBe(EXAMPLE_QUERIES.length);
    const sent = () => page.waitForRequest((r) => r.url() === `${svc.url}/sparql` && r.method() === 'POST');
    let request = sent();
    await run(page);
    expect((await request).headers().authorization).toBeUndefined();
    await page.getByLabel('Bearer token (optional)').fill('secret-token-1');
    request = sent();
    await activePanel(page).locator('.yasqe_queryButton').click();
    expect((await request).headers().authorization).toBe('Bearer secret-token-1');
    // an unknown token is a 401: the status says the query failed
    await expect.poll(() => page.locator('#editor-status').textContent()).toMatch(/failed: 401 Unauthorized: the bearer token is not valid/);
    await page.getByLabel('Bearer token (optional)').fill(ADMIN_TOKEN);
    request = sent();
    await run(page);
    expect((await request).headers().authorization).toBe(`Bearer ${ADMIN_TOKEN}`);
    expect(await page.locator('#editor-status').textContent()).toMatch(/results? in/);
    await page.getByRole('button', { name: 'Add a new tab' }).click();
    await expect.poll(() => page.locator('.yasgui .tabsList [role=tab]').count()).toBe(EXAMPLE_QUERIES.length + 1);
    await page.reload();
    await expect.poll(() => page.locator('.yasgui .tabsList [role=tab]').count(), { timeout: 30_000 }).toBe(EXAMPLE_QUERIES.length + 1);
  });

  it('without JavaScript: a plain form (axe clean)', async () => {
    const { page, watch } = await open({ javaScriptEnabled: false });
    await page.goto('/sparql');
    await expect.poll(() => page.getByLabel('Query').isVisible()).toBe(true);
    expect(await page.getByLabel('Query').inputValue()).toBe(EXAMPLE_QUERIES[0].query);
    expect(await page.getByRole('button', { name: 'Run' }).isVisible()).toBe(true);
    expect(await page.locator('#yasgui').innerHTML()).toBe('');
    await screenshot(page, 'sparql-05-noscript');
    expect(watch.foreign).toEqual([]);
    // axe needs scripts: the page as a browser without JavaScript renders it (noscript content shown, no scripts)
    const html = (await (await svc.fetch('/sparql', { headers: { accept: 'text/html' } })).text())
      .replace(/<\/?noscript>/g, '').replace(/<script\b[^>]*src=[^>]*><\/script>/g, '');
    const js = await open();
    await js.page.route(`${svc.url}/sparql`, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
    await js.page.goto('/sparql');
    expect(await js.page.getByLabel('Query').inputValue()).toBe(EXAMPLE_QUERIES[0].query);
    await noViolations(js.page, 'noscript form');
  });

  it('the API reference /api (rendered from /openapi.json) is axe clean', async () => {
    const { page, watch } = await open();
    await page.goto('/api');
    expect(await page.locator('section.operation').count()).toBeGreaterThan(50);
    await noViolations(page, 'api reference');
    await screenshot(page, 'api-reference');
    expect(watch.foreign).toEqual([]);
    expect(watch.failed.filter((f) => !f.endsWith('/favicon.ico'))).toEqual([]);
  });
});
