/**
 * Search and page latency with N generated datasets (default 1000), printed, not asserted:
 * p50 / p95 of faceted searches with hierarchy expansion (in-memory index, over HTTP as JSON and
 * HTML), the same filter as one SPARQL query over the store (the alternative design), and landing /
 * citation page rendering.
 *   npm run build && node dist/bench/search.js [datasets]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromEnv } from '../src/service/config.js';
import { openContext } from '../src/service/context.js';
import { loadExamples } from '../src/service/examples.js';
import { startServer } from '../src/http/server.js';
import { loadVocabulary } from '../src/model/vocabulary.js';
import { expandCurie, NS } from '../src/model/namespaces.js';
import { COMPARTMENTS } from '../src/model/compartment-names.js';
import { searchServices } from '../src/service/search-services.js';
import { parseParams } from '../src/search/query.js';
import { ANONYMOUS } from '../src/model/caller.js';

const N = Number(process.argv[2] ?? 1000);
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = <T>(a: readonly T[]) => a[Math.floor(rnd() * a.length)];

const dataDir = mkdtempSync(join(tmpdir(), 'syndb-bench-search-'));
const config = configFromEnv({ SYNDB_DATA_DIR: dataDir, SYNDB_BASE_IRI: 'http://localhost:3030', PORT: '0' });
const ctx = await openContext(config);
await loadExamples(ctx);
const vocab = await loadVocabulary();
const regions = [...vocab.descendants(expandCurie('MBA:315')!), ...vocab.descendants(expandCurie('MBA:1089')!), ...vocab.descendants(expandCurie('MBA:512')!)]
  .filter((r) => r.startsWith(`${NS.obo}MBA_`)).sort();
const methods = vocab.termsOf('microscopyMethod');
const admin = { user: 'bench', role: 'admin' as const };
const t0 = performance.now();
const publicIds: string[] = [];
for (let i = 0; i < N; i++) {
  const doc = {
    id: `gen-${i}`, title: `Generated dataset ${i}: ${pick(['synapses', 'spines', 'axons', 'mitochondria', 'dense reconstruction'])} in ${vocab.label(pick(regions))}`,
    description: `Synthetic benchmark dataset number ${i}.`, creators: [{ name: `Author${i % 37}, A.` }], license: 'CC-BY-4.0', species: 'mouse',
    brainRegion: pick(regions).replace(`${NS.obo}MBA_`, 'MBA:'), microscopyMethod: pick(methods),
    compartments: [...new Set([pick(COMPARTMENTS).slug, pick(COMPARTMENTS).slug])],
    ...(rnd() < 0.3 ? { geneticManipulations: [{ gene: pick(['Fmr1', 'Shank3', 'Mecp2', 'Baz1a']), expression: pick(['knock-out', 'knock-in', 'overexpression']) }] } : {}),
    tags: [pick(['alpha', 'beta', 'gamma', 'delta'])], identifiers: [`GEN-${i}`],
    access: rnd() < 0.1 ? 'private' : 'public',
  };
  await ctx.datasets.create(JSON.stringify(doc), 'json', admin, { publish: true });
  if (doc.access === 'public') publicIds.push(doc.id);
  if (process.stderr.isTTY && i % 50 === 0) process.stderr.write(`\r${i}/${N} datasets`);
}
if (process.stderr.isTTY) process.stderr.write('\r');
console.log(`${N} datasets generated and published in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const tIndex = performance.now();
const s = await searchServices(ctx);
console.log(`search index built in ${(performance.now() - tIndex).toFixed(0)} ms`);
const srv = await startServer(ctx, () => {});

const pct = (xs: number[], p: number) => { const a = [...xs].sort((x, y) => x - y); return a[Math.min(a.length - 1, Math.floor((p / 100) * a.length))]; };
async function time(label: string, runs: number, f: (i: number) => Promise<unknown>) {
  for (let i = 0; i < 5; i++) await f(i);
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) { const t = performance.now(); await f(i); xs.push(performance.now() - t); }
  console.log(`| ${label} | ${runs} | ${pct(xs, 50).toFixed(2)} | ${pct(xs, 95).toFixed(2)} |`);
  return pct(xs, 50);
}
const queries = [
  'region=isocortex&modality=electron',
  'region=UBERON:0000956&compartment=synapse&compartment=mitochondrion',
  'region=hippocampal%20formation&gene=Shank3',
  'q=synapses%20cortex&region=!VISp',
  'q=region:isocortex%20AND%20(method:SBEM%20OR%20method:FIB-SEM)%20NOT%20tag:alpha',
  'species=mouse&expression=knock-out&sort=title&page=2',
];
const get = async (path: string, accept: string) => { const r = await fetch(srv.url + path, { headers: { accept } }); if (r.status !== 200) throw new Error(`${path}: ${r.status}`); return r.text(); };

console.log('\n| operation | runs | p50 ms | p95 ms |\n|---|---|---|---|');
const parsed = queries.map((q) => parseParams(new URLSearchParams(q).entries(), { defaultPageSize: 20 }));
const inMemory = await time('faceted search, in-memory index (match + all 12 facet counts)', 300, (i) => s.index.search(parsed[i % parsed.length], ANONYMOUS, s.view(ANONYMOUS)));
await time('GET /datasets?… JSON (6 faceted queries with hierarchy expansion)', 300, (i) => get(`/datasets?${queries[i % queries.length]}`, 'application/json'));
await time('GET /datasets?… HTML results page', 300, (i) => get(`/datasets?${queries[i % queries.length]}`, 'text/html'));
await time('GET / home page', 100, () => get('/', 'text/html'));
// The alternative design: the same filter (region=isocortex, EM methods) compiled to one SPARQL query per search.
const iso = [...vocab.descendants(expandCurie('MBA:315')!)].map((x) => `<${x}>`).join(' ');
const em = methods.filter((m) => /electron/.test(vocab.labels(m).join(' '))).map((x) => `<${x}>`).join(' ');
const sparql = await time('same filter as one SPARQL query (VALUES-expanded hierarchy), no facets', 20, () => ctx.store.select(
  `PREFIX syndb: <${NS.syndb}> PREFIX dcterms: <${NS.dcterms}> SELECT ?d ?t WHERE { VALUES ?r { ${iso} } VALUES ?m { ${em} } ?d syndb:brainRegion ?r ; syndb:microscopyMethod ?m ; dcterms:title ?t } ORDER BY ?t LIMIT 20`,
  { defaultGraph: ctx.catalog.defaultGraphs(ANONYMOUS) }));
console.log(`\nSPARQL per query / in-memory index (p50, without the facet counts the index also computes): ${(sparql / inMemory).toFixed(1)}x`);
console.log('\n| page | runs | p50 ms | p95 ms |\n|---|---|---|---|');
await time('GET /datasets/{id} landing page (HTML)', 200, (i) => get(`/datasets/${publicIds[(i * 7) % publicIds.length]}`, 'text/html'));
await time('GET /datasets/{id}/cite citation page (6 formats, tables)', 200, (i) => get(`/datasets/${publicIds[(i * 7) % publicIds.length]}/cite`, 'text/html'));
await time('GET /datasets/syndb-style-example/cite (5 tables)', 50, () => get('/datasets/syndb-style-example/cite', 'text/html'));

await srv.stop();
await ctx.close();
rmSync(dataDir, { recursive: true, force: true });
