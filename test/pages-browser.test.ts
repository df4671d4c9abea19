/**
 * The pages a researcher meets, in a real headless Chromium (Debian chromium + playwright-core):
 * home (counts by species, region, method), the L4 dataset (connectome heatmap), MICrONS (CAVE
 * source tables), a skeleton dataset (SWC projections), a table page (a histogram per numeric
 * column), lineage and SPARQL (query run into a table). On each: the pictures are rendered (they
 * have a size on screen and an accessible name and description), no request fails, and axe-core
 * reports no violations at all. Full-page screenshots are kept in test-artifacts/e2e/pages-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './helpers/service.js';
import { browserUnavailable, openBrowser, screenshot, axe, ARTIFACTS, type Browser, type Page } from './helpers/browser.js';
import { syntheticNeuron, addSkeletonDataset } from './helpers/synthetic-swc.js';

const unavailable = browserUnavailable();
if (unavailable) console.log(`[pages-browser] skipped: ${unavailable}`);

describe.skipIf(!!unavailable)('pages in a browser', () => {
  let svc: TestService;
  let browser: Browser;
  const failed: string[] = [];

  beforeAll(async () => {
    [svc, browser] = await Promise.all([startTestService(), openBrowser()]);
    await addSkeletonDataset(svc, syntheticNeuron(8000, 5));
    console.log(`[pages-browser] screenshots in ${ARTIFACTS}`);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
  });

  async function open(path: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: svc.url });
    const page = await context.newPage();
    page.on('response', (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`); });
    page.on('pageerror', (e) => failed.push(`pageerror on ${path}: ${e.message}`));
    await page.goto(path);
    return page;
  }
  const clean = async (page: Page, name: string) => {
    const v = await axe(page);
    expect(v, `${name}: ${JSON.stringify(v, null, 1)}`).toEqual([]);
    expect(failed).toEqual([]);
  };
  /** Every picture matching `selector`: drawn (a size on screen) with a name and a description for screen readers. */
  async function pictures(page: Page, selector: string) {
    return page.locator(selector).evaluateAll((els) => els.map((el) => {
      const svg = el as SVGSVGElement;
      const r = svg.getBoundingClientRect();
      const ids = (svg.getAttribute('aria-labelledby') ?? '').split(' ');
      return { role: svg.getAttribute('role'), width: Math.round(r.width), height: Math.round(r.height), title: document.getElementById(ids[0])?.textContent ?? '', desc: document.getElementById(ids[1])?.textContent ?? '', shapes: svg.querySelectorAll('rect,path,circle').length };
    }));
  }

  it('home: datasets by species, brain region and method', async () => {
    const page = await open('/');
    const charts = await pictures(page, '[data-chart] svg');
    expect(charts.map((c) => c.title)).toEqual(['By species', 'By brain region (with sub-regions)', 'By microscopy method']);
    for (const c of charts) {
      expect(c).toMatchObject({ role: 'img' });
      expect(c.width).toBeGreaterThan(200);
      expect(c.desc).toMatch(/: \d+ datasets?/);
    }
    expect(charts[0].desc).toBe('Mus musculus: 5 datasets; Hydra vulgaris: 1 dataset.');
    await clean(page, 'home');
    await screenshot(page, 'pages-01-home');
  });

  it('L4 dataset: badges, facts, publication titles and the connectome heatmap', async () => {
    const page = await open('/datasets/l4dense-motta2019');
    expect(await page.locator('.badges.trust').innerText()).toMatch(/Licence\s*CC BY 4\.0/);
    expect(await page.locator('.landing-side').innerText()).toMatch(/Published\s+\d{1,2} \w+ \d{4}[\s\S]*Size\s+\d+ B in 1 file[\s\S]*Rows\s+24/);
    expect(await page.locator('#pubs-h + ul li a').first().innerText()).toBe('Dense connectomic reconstruction in layer 4 of the somatosensory cortex');
    const [heat] = await pictures(page, '#connectome-h ~ figure svg');
    expect(heat.width).toBeGreaterThan(400);
    expect(heat.shapes).toBeGreaterThanOrEqual(24); // 4 x 6 cells and the legend
    expect(heat.desc).toMatch(/^Heatmap of 4 axon class by 6 postsynaptic target types/);
    // the text alternative: the matrix as a table
    await page.getByText('The matrix as a table').click();
    expect(await page.locator('#connectome-h ~ details table tbody tr').count()).toBe(4);
    await clean(page, 'L4 dataset');
    await screenshot(page, 'pages-02-dataset-l4');
  });

  it('MICrONS dataset: its CAVE source tables, no empty sections', async () => {
    const page = await open('/datasets/microns-minnie65-v117');
    expect(await page.locator('tr[data-source-table]').count()).toBe(4);
    expect(await page.locator('tr[data-source-table="synapses_pni_2"]').innerText()).toMatch(/CAVE\s+version 117\s+2021-06-11\s+337,000,000/);
    expect(await page.getByRole('heading', { name: 'Publications' }).count()).toBe(0);
    expect(await page.getByText('No compartment tables').count()).toBe(0);
    await clean(page, 'MICrONS dataset');
    await screenshot(page, 'pages-03-dataset-microns');
  });

  it('a skeleton dataset: three projections of the SWC skeleton', async () => {
    const page = await open('/datasets/skeleton-example');
    const [skel] = await pictures(page, '#skel-h ~ figure svg');
    expect(skel.title).toBe('Skeleton neuron-1.swc');
    expect(skel.width).toBeGreaterThan(600);
    expect(skel.desc).toMatch(/^Three projections of the skeleton neuron-1\.swc: 8,000 nodes/);
    await clean(page, 'skeleton dataset');
    await screenshot(page, 'pages-04-dataset-skeleton');
  });

  it('a table page: sizes, downloads, a histogram of each numeric column; its CSV still downloads', async () => {
    const page = await open('/datasets/syndb-style-example');
    await page.getByRole('link', { name: 'synapse', exact: true }).click();
    await page.waitForURL(/\/tables\/synapse\?version=1$/);
    expect(await page.locator('h1').innerText()).toBe('synapse table');
    const stats = await (await svc.fetch('/datasets/syndb-style-example/tables/synapse/stats')).json() as { columns: Array<{ name: string; histogram?: unknown[] }> };
    const numeric = stats.columns.filter((c) => c.histogram).map((c) => c.name);
    const hists = await pictures(page, '[data-histogram] svg');
    expect(hists.map((h) => h.title)).toEqual(numeric.map((n) => `Distribution of ${n}`));
    for (const h of hists) expect(h.width).toBeGreaterThan(250);
    await clean(page, 'table page');
    await screenshot(page, 'pages-05-table');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('syndb-style-example-v1-synapse.csv');
  });

  it('on a phone the dataset and table pages do not scroll sideways', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 740 }, baseURL: svc.url });
    const page = await context.newPage();
    for (const path of ['/datasets/l4dense-motta2019', '/datasets/microns-minnie65-v117', '/datasets/skeleton-example', '/datasets/syndb-style-example/tables/synapse?version=1']) {
      await page.goto(path);
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), path).toBeLessThanOrEqual(0);
    }
    await page.goto('/datasets/l4dense-motta2019');
    await screenshot(page, 'pages-08-phone-dataset-l4');
    await context.close();
  });

  it('lineage and SPARQL pages', async () => {
    const lineage = await open('/datasets/l4dense-motta2019/lineage');
    expect((await pictures(lineage, 'figure svg')).length).toBe(1);
    await clean(lineage, 'lineage');
    await screenshot(lineage, 'pages-06-lineage');
    const sparql = await open('/sparql');
    await expect.poll(() => sparql.locator('.yasgui .tabsList [role=tab]').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await sparql.locator('.tabPanel.active .yasqe_queryButton').click();
    await expect.poll(() => sparql.locator('.tabPanel.active .yasr table.dataTable tbody tr').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await clean(sparql, 'SPARQL');
    await screenshot(sparql, 'pages-07-sparql');
  });
});
