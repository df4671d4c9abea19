/**
 * Pictures drawn from our own data (src/http/pictures/*) and the pages that show them: bounded
 * sizes (large matrices and skeletons are reduced), well-formed SVG with a title and a text
 * description, served as image/svg+xml; the dataset pages (badges, date, size, rows, publication
 * titles, named formats without duplicates, no empty sections, CAVE source tables) and the table page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { startTestService, type TestService } from './helpers/service.js';
import { ensureReferees, parseXml, xmlWellFormed } from './helpers/fair.js';
import { heatmapFrame, reduceMatrix, MAX_SIDE } from '../src/http/pictures/heatmap-svg.js';
import { histogramFrame } from '../src/http/pictures/histogram-svg.js';
import { skeletonFrame, thin, MAX_SEGMENTS } from '../src/http/pictures/skeleton-svg.js';
import { barsFrame, MAX_BARS } from '../src/http/pictures/bars-svg.js';
import { svgDocument, quantileClasses } from '../src/http/pictures/svg-frame.js';
import { checkSwc } from '../src/model/assets/swc.js';
import { syntheticNeuron, addSkeletonDataset } from './helpers/synthetic-swc.js';

ensureReferees();
const wellFormed = (svg: string) => expect(xmlWellFormed(svg), svg.slice(0, 300)).toBeUndefined();
const textOf = (svg: string, tag: 'title' | 'desc') => parseXml(svg).children.find((c) => c.tag === `{http://www.w3.org/2000/svg}${tag}`)?.text;

describe('picture modules', () => {
  it('a heatmap keeps at most 40 x 40 cells, sums the rest as "other", and says so', () => {
    const n = 120;
    const rows = Array.from({ length: n }, (_, i) => `axon ${i}`), columns = Array.from({ length: n }, (_, j) => `target ${j}`);
    const counts = rows.map((_, i) => columns.map((_, j) => (i === 7 && j === 3 ? 5000 : (i * j) % 13)));
    const m = reduceMatrix({ rowLabel: 'axon class', rows, columns, counts });
    expect(m.rows).toHaveLength(MAX_SIDE);
    expect(m.columns).toHaveLength(MAX_SIDE);
    expect(m.rows.at(-1)).toBe(`other (${n - MAX_SIDE + 1})`);
    const sum = (c: Array<Array<number | undefined>>) => c.flat().reduce<number>((a, b) => a + (b ?? 0), 0);
    expect(sum(m.counts)).toBe(sum(counts)); // nothing lost, only merged
    const svg = svgDocument(heatmapFrame({ rowLabel: 'axon class', rows, columns, counts }, { id: 'h', title: 'Big matrix' }));
    wellFormed(svg);
    expect(svg.length).toBeLessThan(400_000);
    expect(textOf(svg, 'desc')).toMatch(/^Heatmap of 120 axon class by 120 postsynaptic target types \(shown: the 39 largest of each.*The largest cell is axon 7 → target 3 with 5,000 synapses/);
  });

  it('quantile classes use every shade and put the largest value in the darkest', () => {
    const c = quantileClasses([0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 1000]);
    expect(c.of(0)).toBe(0);
    expect(c.of(undefined)).toBe(0);
    expect(c.of(1)).toBe(1);
    expect(c.of(1000)).toBe(6);
    expect(new Set([1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 1000].map((v) => c.of(v))).size).toBe(6);
    expect(quantileClasses([7, 7, 7]).of(7)).toBe(6);
  });

  it('a histogram draws each bin and describes the column in words', () => {
    const f = histogramFrame({ name: 'voxel_volume', type: 'DOUBLE', count: 15, nulls: 2, min: 2, max: 12, mean: 5.5, histogram: [{ from: 2, to: 7, count: 11 }, { from: 7, to: 12, count: 4 }] }, { id: 'x', unit: 'nm³' });
    const svg = svgDocument(f);
    wellFormed(svg);
    expect((svg.match(/<rect /g) ?? []).length).toBe(2);
    expect(textOf(svg, 'title')).toBe('Distribution of voxel_volume');
    expect(textOf(svg, 'desc')).toBe('Histogram of voxel_volume: 15 values and 2 empty from 2 to 12 nm³, mean 5.5 nm³; 2 equal-width bins, the tallest (2 to 7) holds 11 rows.');
  });

  it('a large skeleton is thinned to at most 3000 segments, each joined to a kept ancestor', async () => {
    const r = await checkSwc(syntheticNeuron(40_000, 3), { keepNodes: true });
    expect(r.problems).toEqual([]);
    const n = r.nodes!;
    expect(n.x).toHaveLength(40_000);
    const segs = thin(n);
    expect(segs.length).toBeLessThanOrEqual(MAX_SEGMENTS);
    expect(segs.length).toBeGreaterThan(MAX_SEGMENTS / 2);
    for (const [c, a] of segs.slice(0, 200)) { // a is an ancestor of c
      let k = n.parent[c];
      while (k >= 0 && k !== a) k = n.parent[k];
      expect(k).toBe(a);
    }
    const svg = svgDocument(skeletonFrame(n, { id: 's', name: 'big.swc', unit: 'µm' }));
    wellFormed(svg);
    expect(svg.length).toBeLessThan(600_000);
    expect(textOf(svg, 'desc')).toMatch(/^Three projections of the skeleton big\.swc: 40,000 nodes \(soma 1, axon [\d,]+, basal dendrite [\d,]+, apical dendrite [\d,]+\).*thinned to [\d,]+ segments/);
  });

  it('a small skeleton is drawn whole', async () => {
    const r = await checkSwc(readFileSync('test/fixtures/assets/neuron.swc', 'utf8'), { keepNodes: true });
    expect(thin(r.nodes!)).toHaveLength(6);
    const svg = svgDocument(skeletonFrame(r.nodes!, { id: 's', name: 'neuron.swc', unit: 'µm' }));
    expect(textOf(svg, 'desc')).toBe('Three projections of the skeleton neuron.swc: 7 nodes (soma 1, axon 2, basal dendrite 4), extent 9 × 32 × 12 µm in x, y, z.');
  });

  it('a bar chart shows at most 12 bars and names the rest', () => {
    const items = Array.from({ length: 20 }, (_, i) => ({ label: `region ${i}`, count: 20 - i }));
    const svg = svgDocument(barsFrame(items, { id: 'b', title: 'By region', unit: 'datasets' }));
    wellFormed(svg);
    expect((svg.match(/<rect /g) ?? []).length).toBe(MAX_BARS);
    expect(textOf(svg, 'desc')).toMatch(/^region 0: 20 datasets; .*region 11: 9 datasets; and 8 more\.$/);
  });
});

describe('pictures and pages over HTTP', () => {
  let svc: TestService;
  const html = (path: string) => svc.fetch(path, { headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } });
  beforeAll(async () => {
    svc = await startTestService();
    await addSkeletonDataset(svc, syntheticNeuron(6000, 11));
  }, 300_000);
  afterAll(async () => svc?.stop());

  it('serves the L4 connectome heatmap as SVG, with the figure-3 classes', async () => {
    const res = await svc.fetch('/datasets/l4dense-motta2019/connectome.svg');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    const svg = await res.text();
    wellFormed(svg);
    expect(textOf(svg, 'title')).toBe('Connectome of Dense connectomic reconstruction in layer 4 of the somatosensory cortex: data repository');
    expect(textOf(svg, 'desc')).toBe('Heatmap of 4 axon class by 6 postsynaptic target types; 7,848 synapses in all. The largest cell is Corticocortical → Other with 1,200 synapses. Darker cells have more synapses (shades by sixths of the non-empty cells).');
    expect((await svc.fetch('/datasets/microns-minnie65-v117/connectome.svg')).status).toBe(404);
  });

  it('serves a histogram of a numeric column, and says why a text column has none', async () => {
    const res = await svc.fetch('/datasets/syndb-style-example/tables/synapse/columns/voxel_volume/histogram.svg');
    expect(res.status).toBe(200);
    const svg = await res.text();
    wellFormed(svg);
    const stats = await (await svc.fetch('/datasets/syndb-style-example/tables/synapse/stats')).json() as { columns: Array<{ name: string; histogram?: Array<{ count: number }> }> };
    const bins = stats.columns.find((c) => c.name === 'voxel_volume')!.histogram!;
    expect((svg.match(/<rect /g) ?? []).length).toBe(bins.length);
    expect(textOf(svg, 'desc')).toContain(`Histogram of voxel_volume: ${bins.reduce((a, b) => a + b.count, 0)} values`);
    const text = await svc.fetch('/datasets/syndb-style-example/tables/synapse/columns/neuron_id/histogram.svg');
    expect(text.status).toBe(404);
    expect((await text.json() as { detail: string }).detail).toMatch(/"neuron_id" is not numeric \(VARCHAR\).*numeric columns: .*voxel_volume/);
    expect((await svc.fetch('/datasets/syndb-style-example/tables/synapse/columns/nope/histogram.svg')).status).toBe(404);
  });

  it('serves three projections of an SWC skeleton, thinned', async () => {
    const res = await svc.fetch('/datasets/skeleton-example/assets/neuron-1.swc/projection.svg');
    expect(res.status).toBe(200);
    const svg = await res.text();
    wellFormed(svg);
    expect(textOf(svg, 'desc')).toMatch(/^Three projections of the skeleton neuron-1\.swc: 6,000 nodes .* µm in x, y, z; thinned to [\d,]+ segments for drawing\.$/);
    expect((await svc.fetch('/datasets/skeleton-example/assets/nope.swc/projection.svg')).status).toBe(404);
  });

  it('a table URL is the table page for a browser and the CSV for everyone else', async () => {
    const page = await html('/datasets/syndb-style-example/tables/synapse');
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const body = await page.text();
    expect(body).toMatch(/<h1>synapse table<\/h1>/);
    expect(body).toMatch(/<strong>15<\/strong> rows/);
    expect((body.match(/<figure data-histogram=/g) ?? []).length).toBeGreaterThan(10);
    expect(body).toContain('<td>nm³</td>'); // units by symbol, not IRI
    expect(body).not.toContain('http://qudt.org/vocab/unit/');
    for (const accept of [undefined, '*/*', 'text/csv']) {
      const csv = await svc.fetch('/datasets/syndb-style-example/tables/synapse', { headers: accept ? { accept } : {} });
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    }
    const viaFormat = await svc.fetch('/datasets/syndb-style-example/tables/synapse?format=csv', { headers: { accept: 'text/html' } });
    expect(viaFormat.headers.get('content-type')).toMatch(/^text\/csv/);
  });

  it('the L4 page: licence badge, date, size, rows, publication titles, the heatmap, named formats once', async () => {
    const body = await (await html('/datasets/l4dense-motta2019')).text();
    expect(body).toContain('<span class="badge-k">Licence</span><a class="badge-v" href="https://spdx.org/licenses/CC-BY-4.0.html">CC BY 4.0</a>');
    expect(body).toMatch(/<dt>Published<\/dt><dd><time datetime="\d{4}-\d\d-\d\dT[^"]+">\d{1,2} \w+ \d{4}<\/time><\/dd>/);
    expect(body).toMatch(/<dt>Size<\/dt><dd>\d+ B <small class="muted">in 1 file<\/small>/);
    expect(body).toContain('<dt>Rows</dt><dd>24</dd>'); // the connectome's non-empty cells
    expect(body).toContain('>Dense connectomic reconstruction in layer 4 of the somatosensory cortex</a> <span class="muted">(2019)</span>');
    expect(body).toContain('>SegEM: Efficient Image Analysis for High-Resolution Connectomics</a>');
    expect(body).toMatch(/<svg [^>]*role="img" aria-labelledby="connectome-t connectome-d"/);
    expect(body).toContain('Imported from: l4dense-motta2019.connectome.csv: sample connectome matrix (illustrative classes and counts, not the published figure 3).');
    const metadata = /<h2 class="card-h">Metadata<\/h2><p>(.*?)<\/p>/s.exec(body)![1];
    const names = [...metadata.matchAll(/>([^<]+)<\/a>/g)].map((m) => m[1]);
    expect(names).toEqual(['JSON-LD', 'DCAT-AP', 'Turtle', 'N-Triples', 'RDF/XML', 'DataCite JSON', 'Linkset']);
    expect(body).not.toMatch(/>application\/|>text\/turtle</);
    const citeDownloads = [.../Download: (.*?)<\/small>/s.exec(body.slice(body.indexOf('data-citation-box')))![1].matchAll(/>([^<]+)<\/a>/g)].map((m) => m[1]);
    expect(new Set(citeDownloads).size).toBe(citeDownloads.length);
  });

  it('the MICrONS page shows its CAVE source tables, and no empty rows or sections', async () => {
    const body = await (await html('/datasets/microns-minnie65-v117')).text();
    const sources = [...body.matchAll(/<tr data-source-table="([^"]+)">/g)].map((m) => m[1]);
    expect(sources).toEqual(['allen_soma_coarse_cell_class_model_v1', 'nucleus_detection_v0', 'nucleus_neuron_svm', 'synapses_pni_2']);
    expect(body).toMatch(/synapses_pni_2<\/code>.*?<td>CAVE<\/td><td>version 117<br><small><time datetime="2021-06-11T08:10:00.215114Z">2021-06-11<\/time><\/small><\/td><td class="num">337,000,000<\/td>/s);
    expect(body).toContain('deprecated: use <code>nucleus_ref_neuron_svm</code>');
    expect(body).toContain('<dt>Source tables</dt><dd>4 <small class="muted">(337,000,000 rows stated)</small></dd>');
    expect(body).toContain('<dt>Files</dt><dd>none hosted here');
    expect(body).not.toContain('Publications');
    expect(body).not.toContain('No compartment tables');
    expect(body).not.toMatch(/<dd>\s*<\/dd>/); // no empty row
    expect(body).not.toMatch(/<section[^>]*><h2[^>]*>[^<]*<\/h2>\s*<\/section>/); // no empty section
  });

  it('the synthetic example page lists its tables with sizes; a skeleton dataset draws its skeleton', async () => {
    const body = await (await html('/datasets/syndb-style-example')).text();
    const tables = [...body.matchAll(/<tr data-table="([^"]+)"><th scope="row"><a href="([^"]+)">/g)].map((m) => [m[1], m[2]]);
    expect(tables.map((t) => t[0])).toEqual(['dendrite', 'dendritic-spine', 'mitochondrion', 'neuron', 'synapse']);
    expect(tables[4][1]).toBe('/datasets/syndb-style-example/tables/synapse?version=1');
    expect(body).toMatch(/<tr data-table="synapse">.*?<td class="num">15<\/td><td class="num">24<\/td><td class="num">[\d.]+ kB<\/td>/s);
    expect(body).not.toContain('Publications');
    const skel = await (await html('/datasets/skeleton-example')).text();
    expect(skel).toMatch(/<svg [^>]*aria-labelledby="skel-0-t skel-0-d"/);
    expect(skel).toMatch(/<strong>neuron-1\.swc<\/strong>: 6,000 nodes, \d+ branch points, [\d,.]+ µm of cable, with soma/);
  });

  it('the home page draws datasets by species, region and method', async () => {
    const body = await (await html('/')).text();
    for (const f of ['species', 'region', 'method']) expect(body).toMatch(new RegExp(`<figure class="card" data-chart="${f}">.*?<svg [^>]*role="img" aria-labelledby="chart-${f}-t chart-${f}-d"`, 's'));
    expect(body).toMatch(/<desc id="chart-species-d">Mus musculus: 5 datasets; Hydra vulgaris: 1 dataset\.<\/desc>/);
  });
});
