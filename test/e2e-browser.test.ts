/**
 * End to end in a real headless Chromium (Debian chromium + playwright-core): search with facets
 * from the home page, open a dataset, copy a citation, download a table, an upload with an error,
 * a phone-sized screen, keyboard use, and axe-core with no serious violations. Screenshots go to
 * test-artifacts/e2e/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { startTestService, type TestService } from './helpers/service.js';
import { browserUnavailable, openBrowser, screenshot, axe, serious, ARTIFACTS, type Browser, type Page } from './helpers/browser.js';

const unavailable = browserUnavailable();
if (unavailable) console.log(`[e2e-browser] skipped: ${unavailable}`);

describe.skipIf(!!unavailable)('in a browser', () => {
  let svc: TestService;
  let browser: Browser;
  let token: string;
  const pages: Page[] = [];
  const newPage = async (opts: { viewport?: { width: number; height: number }; clipboard?: boolean } = {}) => {
    const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 900 }, baseURL: svc.url, acceptDownloads: true });
    if (opts.clipboard) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: svc.url });
    const p = await context.newPage();
    pages.push(p);
    return p;
  };
  const noSerious = async (page: Page, name: string) => {
    const v = serious(await axe(page));
    expect(v, `${name}: ${JSON.stringify(v, null, 1)}`).toEqual([]);
  };

  beforeAll(async () => {
    [svc, browser] = await Promise.all([startTestService(), openBrowser()]);
    token = svc.ctx.tokens.create('erin', 'contributor');
    console.log(`[e2e-browser] screenshots in ${ARTIFACTS}`);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
  });

  it('finds the mouse cortex EM datasets from the home page with facets, opens one, cites it, downloads a table', async () => {
    const page = await newPage({ clipboard: true });
    await page.goto('/');
    await noSerious(page, 'home');
    await screenshot(page, '01-home');
    await page.getByLabel('Search datasets').fill('mouse cortex');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\/datasets\?q=mouse\+cortex/);
    const initial = await page.locator('ol.results > li').evaluateAll((els) => els.map((e) => e.getAttribute('data-dataset')));
    expect(initial).toEqual(expect.arrayContaining(['l4dense-motta2019', 'microns-minnie65-v117', 'syndb-style-example', 'dendritic-consortium-mouse-v1']));
    // tick "electron microscopy (EM)": the form applies at once (JavaScript) and the list narrows
    await Promise.all([page.waitForURL(/modality=electron/), page.locator('fieldset[data-facet=modality] label', { hasText: 'electron microscopy' }).click()]);
    const narrowed = await page.locator('ol.results > li').evaluateAll((els) => els.map((e) => e.getAttribute('data-dataset')).sort());
    expect(narrowed).toEqual(['l4dense-motta2019', 'microns-minnie65-v117', 'syndb-style-example']);
    await expect.poll(() => page.locator('fieldset[data-facet=modality] input[value=electron]').isChecked()).toBe(true);
    await noSerious(page, 'results');
    await screenshot(page, '02-results-em');

    // open a dataset
    await page.getByRole('link', { name: /Synthetic SynDB-style example/ }).click();
    await page.waitForURL(/\/datasets\/syndb-style-example$/);
    await expect.poll(() => page.locator('h1').textContent()).toMatch(/Synthetic SynDB-style example/);
    await screenshot(page, '03-dataset');

    // cite it: the landing page's citation box if it has one, else the citation page it links from search
    if (await page.locator('[data-citation-box]').count() === 0) await page.goto('/datasets/syndb-style-example/cite');
    const box = page.locator('[data-citation-box]').first();
    await box.locator('select').selectOption('bibtex');
    await box.getByRole('button', { name: 'Copy citation' }).click();
    await expect.poll(() => box.locator('.status').textContent()).toContain('Copied');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toMatch(/^@dataset\{|^@misc\{|^@online\{/);
    expect(copied).toContain('syndb-style-example');
    await noSerious(page, 'citation');
    await screenshot(page, '04-citation');

    // download a table
    const table = page.locator('[data-table=synapse]');
    expect(await table.locator('td').first().innerText()).toBe('15'); // rows
    const [download] = await Promise.all([page.waitForEvent('download'), table.getByRole('link', { name: 'Download CSV of synapse' }).click()]);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(download.suggestedFilename()).toMatch(/syndb-style-example-v1-synapse\.csv/);
    expect(csv.split('\n')[0]).toMatch(/cid/);
    expect(csv.trim().split('\n').length).toBeGreaterThan(2);
  });

  it('an upload with an error shows the problem next to its field, and keeps what was typed', async () => {
    const page = await newPage();
    await page.goto('/upload');
    await page.getByLabel('Your API token').fill(token);
    await page.getByLabel('Title').fill('Spines in mouse V1 from the browser');
    await page.getByLabel('Description').fill('Dendritic spines.');
    await page.getByLabel('Creators').fill('Doe, Jane | 0000-0002-1825-0097');
    await page.getByLabel('Species').fill('mouze');
    await page.getByLabel('Brain region').fill('V1');
    await page.getByLabel('Microscopy method').fill('FIB-SEM');
    await page.getByLabel('synapse', { exact: true }).check();
    await noSerious(page, 'upload form');
    await page.getByRole('button', { name: 'Check and upload' }).click();
    await page.waitForLoadState('domcontentloaded');
    const err = page.locator('#species-err');
    await expect.poll(() => err.textContent()).toMatch(/unknown species "mouze".*Mus musculus/s);
    expect(await page.getByLabel('Species').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Title').inputValue()).toBe('Spines in mouse V1 from the browser');
    expect(await page.locator('#title-err').count()).toBe(0);
    await noSerious(page, 'upload with errors');
    await screenshot(page, '05-upload-error');
    // fixed, it is stored and shown
    await page.getByLabel('Your API token').fill(token);
    await page.getByLabel('Species').fill('mouse');
    await page.getByLabel('Publish as version 1 now').check();
    await page.getByRole('button', { name: 'Check and upload' }).click();
    await page.waitForURL(/\/datasets\/spines-in-mouse-v1-from-the-browser$/);
    await page.goto('/datasets?region=V1');
    expect(await page.locator('li[data-dataset="spines-in-mouse-v1-from-the-browser"]').count()).toBe(1);
  });

  it('works on a phone and with the keyboard; collection page passes axe', async () => {
    const page = await newPage({ viewport: { width: 375, height: 740 } });
    await page.goto('/datasets?region=isocortex');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, '06-phone-results');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('q');
    const res = await svc.fetch('/collections', { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'cortex-em', title: 'Mouse cortex EM', members: ['l4dense-motta2019', 'syndb-style-example'] }) });
    expect(res.status).toBe(201);
    const desk = await newPage();
    await desk.goto('/collections/cortex-em');
    expect(await desk.locator('h1').textContent()).toBe('Mouse cortex EM');
    await noSerious(desk, 'collection');
    await screenshot(desk, '07-collection');
    // without JavaScript the results still read, and the facet form has its Apply button
    const ctx = await browser.newContext({ javaScriptEnabled: false, baseURL: svc.url });
    const nojs = await ctx.newPage();
    await nojs.goto('/datasets?modality=electron');
    const shown = await nojs.locator('ol.results > li').evaluateAll((els) => els.map((e) => e.getAttribute('data-dataset')));
    expect(shown).toEqual(expect.arrayContaining(['l4dense-motta2019', 'microns-minnie65-v117', 'syndb-style-example']));
    expect(shown).not.toContain('dendritic-consortium-mouse-v1');
    expect(await nojs.getByRole('button', { name: 'Apply filters' }).isVisible()).toBe(true);
    await ctx.close();
  });
});
