/**
 * SPARQL benchmark (printed, not asserted): a connectomics query mix over generated synapse tables,
 * our HTTP endpoint against (a) the same queries in-process on oxigraph (our overhead) and
 * (c) Apache Jena (TDB1 via ../shared/tools/jena, warm JVM timings with --repeat), same data, same run.
 *
 *   npx tsx bench/sparql.ts                      # 100k synapses
 *   npx tsx bench/sparql.ts --synapses 100000,1000000 --runs 7
 *
 * Per query: median latency per engine, ratio of ours to each peer, result counts (must agree);
 * throughput of our endpoint with 1/4/16 concurrent clients (and of in-process oxigraph, which runs
 * one query at a time on one thread). Virtuoso (b) is not run: the Debian package is not installed on
 * this machine and the brief makes it optional. Jena throughput is not measured: there is no Fuseki
 * server here (only command-line tools, one JVM per call, one process per TDB location).
 */
import { mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import oxigraph from 'oxigraph';
import { configFromEnv } from '../src/service/config.js';
import { openContext } from '../src/service/context.js';
import { startServer } from '../src/http/server.js';
import { NS } from '../src/model/namespaces.js';
import { rng } from './rng.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const SIZES = arg('synapses', '100000').split(',').map(Number);
const RUNS = Number(arg('runs', '5'));
const JENA = arg('jena', '/work/shared/tools/jena');
const S = NS.syndb;
const SKOS = 'http://www.w3.org/2004/02/skos/core#';
const OBO = 'http://purl.obolibrary.org/obo/';

const PREFIXES = `PREFIX syndb: <${S}> PREFIX skos: <${SKOS}> PREFIX obo: <${OBO}> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n`;

function queries(base: string): { name: string; kind: string; q: string }[] {
  const syn = (i: number) => `<${base}/datasets/bench/versions/1/tables/synapse/rows/s${i}>`;
  return [
    { name: 'point lookup', kind: 'point', q: `${PREFIXES}SELECT ?p ?o WHERE { ${syn(4242)} ?p ?o }` },
    { name: 'point lookups x20 (VALUES)', kind: 'point', q: `${PREFIXES}SELECT ?s ?v WHERE { VALUES ?s { ${Array.from({ length: 20 }, (_, k) => syn(k * 997 + 13)).join(' ')} } ?s syndb:voxelVolume ?v }` },
    { name: 'filter on a value', kind: 'filter', q: `${PREFIXES}SELECT (COUNT(?s) AS ?n) WHERE { ?s a syndb:Synapse ; syndb:voxelVolume ?v FILTER(?v > 0.95) }` },
    { name: 'filter + ORDER BY + LIMIT', kind: 'filter', q: `${PREFIXES}SELECT ?s ?v WHERE { ?s syndb:voxelVolume ?v FILTER(?v < 0.5) } ORDER BY DESC(?v) ?s LIMIT 10` },
    { name: 'join: pre and post neuron in one region', kind: 'join', q: `${PREFIXES}SELECT (COUNT(*) AS ?n) WHERE { ?s syndb:neuron ?a ; syndb:parent ?b . ?a syndb:brainRegion ?r . ?b syndb:brainRegion ?r }` },
    { name: 'aggregate per region', kind: 'aggregate', q: `${PREFIXES}SELECT ?r (COUNT(?s) AS ?n) (AVG(?v) AS ?avg) WHERE { ?s syndb:parent ?b ; syndb:voxelVolume ?v . ?b syndb:brainRegion ?r } GROUP BY ?r ORDER BY ?r` },
    { name: 'property path: synapses under isocortex', kind: 'path', q: `${PREFIXES}SELECT (COUNT(?s) AS ?n) WHERE { ?s syndb:parent ?b . ?b syndb:brainRegion ?r . ?r skos:broader* obo:MBA_315 }` },
    { name: 'property path: region ancestors of every neuron', kind: 'path', q: `${PREFIXES}SELECT ?anc (COUNT(DISTINCT ?b) AS ?neurons) WHERE { ?b a syndb:Neuron ; syndb:brainRegion ?r . ?r skos:broader+ ?anc } GROUP BY ?anc ORDER BY ?anc` },
  ];
}


function generate(base: string, n: number, regions: string[]): string[] {
  const D = `${base}/datasets/bench/versions/1`;
  const T = `${D}/tables`;
  const rand = rng(42);
  const neurons = Math.max(10, Math.floor(n / 50));
  const lines: string[] = [];
  const xsdD = 'http://www.w3.org/2001/XMLSchema#double';
  for (let i = 0; i < neurons; i++) {
    const N = `<${T}/neuron/rows/n${i}>`;
    lines.push(`${N} <${NS.rdf}type> <${S}Neuron> .`, `${N} <${S}cid> "n${i}" .`, `${N} <${S}inDataset> <${D}> .`, `${N} <${S}brainRegion> <${regions[Math.floor(rand() * regions.length)]}> .`);
  }
  for (let i = 0; i < n; i++) {
    const X = `<${T}/synapse/rows/s${i}>`;
    lines.push(
      `${X} <${NS.rdf}type> <${S}Synapse> .`, `${X} <${S}cid> "s${i}" .`, `${X} <${S}inDataset> <${D}> .`,
      `${X} <${S}parent> <${T}/neuron/rows/n${Math.floor(rand() * neurons)}> .`,
      `${X} <${S}neuron> <${T}/neuron/rows/n${Math.floor(rand() * neurons)}> .`,
      `${X} <${S}voxelVolume> "${rand().toFixed(6)}"^^<${xsdD}> .`,
    );
  }
  return lines;
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

function countRows(body: string): number {
  const j = JSON.parse(body);
  return j.results.bindings.length === 1 && j.head.vars.length === 1 && j.head.vars[0] === 'n' ? Number(j.results.bindings[0].n.value) : j.results.bindings.length;
}

async function main() {
  for (const n of SIZES) {
    const dir = mkdtempSync(join(tmpdir(), 'syndb-bench-'));
    const config = { ...configFromEnv({ SYNDB_DATA_DIR: join(dir, 'store'), PORT: '0', SYNDB_ADMIN_TOKEN: 'bench' }), queryTimeoutMs: 600_000 };
    const ctx = await openContext(config);
    const base = ctx.iris.base;
    const admin = { user: 'bench', role: 'admin' as const };
    await ctx.datasets.create(JSON.stringify({ id: 'bench', title: 'Generated synapses', description: 'benchmark data', creators: [{ name: 'Bench, Mark' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['synapse', 'neuron'] }), 'json', admin, { publish: true });
    const regionRows = await ctx.store.select(`PREFIX skos: <${SKOS}> PREFIX obo: <${OBO}> SELECT DISTINCT ?r WHERE { GRAPH <${ctx.iris.ontologyGraph}> { { ?r skos:broader+ obo:MBA_315 } UNION { ?r skos:broader+ obo:MBA_1089 } UNION { ?r skos:broader+ obo:MBA_698 } } } ORDER BY ?r`);
    const regions = regionRows.map((r) => r.r.value).filter((_, i) => i % 7 === 0).slice(0, 60);
    const t0 = Date.now();
    const lines = generate(base, n, regions);
    // the tables as graphs of the published version (loading is not what is measured)
    const neuronG = `${base}/datasets/bench/versions/1/tables/neuron`, synG = `${base}/datasets/bench/versions/1/tables/synapse`;
    const CHUNK = 200_000;
    for (let i = 0; i < lines.length; i += CHUNK) {
      const part = lines.slice(i, i + CHUNK).map((l) => `${l.slice(0, -2)} <${l.includes('/neuron/rows/') && !l.includes('/synapse/rows/') ? neuronG : synG}> .`).join('\n');
      await ctx.store.transact([{ op: 'add', nquads: `${part}\n` }]);
    }
    await ctx.catalog.load(ctx.store);
    const srv = await startServer(ctx, () => {});
    const ontoNt = await ctx.store.dumpGraph(ctx.iris.ontologyGraph);
    const ontoTriples = ontoNt.split('\n').filter(Boolean).map((l) => l.replace(/ <[^>]*> \.$/, ' .')).join('\n');
    console.log(`\n=== ${n.toLocaleString('en')} synapses, ${lines.length.toLocaleString('en')} table triples + ${ontoNt.split('\n').length - 1} ontology triples (generated and loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);

    // (a) in-process oxigraph over the same triples
    const ox = new oxigraph.Store();
    ox.load(ontoTriples, { format: 'application/n-triples' });
    for (let i = 0; i < lines.length; i += CHUNK) ox.load(lines.slice(i, i + CHUNK).join('\n'), { format: 'application/n-triples' });
    // (c) Jena TDB1
    let jenaLoc: string | undefined;
    try {
      const ntFile = join(dir, 'all.nt');
      const fd = openSync(ntFile, 'w');
      writeSync(fd, `${ontoTriples}\n`);
      for (let i = 0; i < lines.length; i += CHUNK) writeSync(fd, `${lines.slice(i, i + CHUNK).join('\n')}\n`);
      closeSync(fd);
      jenaLoc = join(dir, 'tdb');
      const tl = Date.now();
      execFileSync(JENA, ['tdbloader', `--loc=${jenaLoc}`, ntFile], { stdio: 'pipe', maxBuffer: 1 << 26 });
      console.log(`Jena TDB1 load: ${((Date.now() - tl) / 1000).toFixed(1)} s`);
    } catch (e) {
      console.log(`Jena not available: ${(e as Error).message.split('\n')[0]}`);
      jenaLoc = undefined;
    }

    const qs = queries(base);
    const http = async (q: string, retry = true): Promise<string> => {
      // the in-process peer blocks the event loop for seconds: an idle keep-alive socket may be closed under us
      const r = await fetch(`${srv.url}/sparql`, { method: 'POST', headers: { 'content-type': 'application/sparql-query', accept: 'application/sparql-results+json' }, body: q }).catch((e: Error) => { if (retry) return undefined; throw e; });
      if (!r) return http(q, false);
      if (!r.ok) throw new Error(`${r.status} ${await r.text()}`);
      return r.text();
    };
    console.log(`\n${'query'.padEnd(48)} ${'ours ms'.padStart(9)} ${'oxigraph'.padStart(9)} ${'jena'.padStart(9)} ${'÷oxi'.padStart(6)} ${'÷jena'.padStart(6)}  rows (ours/oxi/jena)`);
    for (const { name, q } of qs) {
      await http(q); // warm-up
      const ours: number[] = [];
      let oursBody = '';
      for (let i = 0; i < RUNS; i++) { const t = performance.now(); oursBody = await http(q); ours.push(performance.now() - t); }
      const oxi: number[] = [];
      let oxiBody = '';
      for (let i = 0; i < RUNS + 1; i++) { const t = performance.now(); oxiBody = ox.query(q, { results_format: 'application/sparql-results+json' }) as string; if (i > 0) oxi.push(performance.now() - t); }
      let jenaMs: number | undefined, jenaRows: number | string = '-';
      if (jenaLoc) {
        const qf = join(dir, 'q.rq');
        writeFileSync(qf, q);
        const r = spawnSync(JENA, ['tdbquery', `--loc=${jenaLoc}`, `--repeat=1,${RUNS}`, '--time', '--results=JSON', `--file=${qf}`], { maxBuffer: 1 << 28 });
        const out = r.stdout.toString(), err = r.stderr.toString();
        const times = [...`${out}\n${err}`.matchAll(/^Time:\s*([\d.]+)\s*sec/gm)].map((m) => Number(m[1]) * 1000);
        if (times.length) jenaMs = median(times.slice(-RUNS));
        const jsonStart = out.indexOf('{');
        const jsonEnd = out.indexOf('\n}', jsonStart);
        if (jsonStart >= 0 && jsonEnd > 0) jenaRows = countRows(out.slice(jsonStart, jsonEnd + 2));
        else jenaRows = `error: ${err.split('\n').find((l) => l.trim()) ?? r.status}`;
      }
      const mo = median(ours), mx = median(oxi);
      const ro = countRows(oursBody), rx = countRows(oxiBody);
      const agree = ro === rx && (jenaRows === '-' || jenaRows === ro) ? '' : '  <-- COUNTS DIFFER';
      console.log(`${name.padEnd(48)} ${fmt(mo).padStart(9)} ${fmt(mx).padStart(9)} ${(jenaMs !== undefined ? fmt(jenaMs) : '-').padStart(9)} ${(mo / mx).toFixed(2).padStart(6)} ${(jenaMs ? (mo / jenaMs).toFixed(2) : '-').padStart(6)}  ${ro}/${rx}/${jenaRows}${agree}`);
    }

    // throughput: the mix, round-robin, with 1/4/16 concurrent clients for a fixed number of requests
    // above 100k synapses the throughput mix keeps the point lookups only (whole-table scans take many seconds each)
    const mix = qs.filter((x) => n <= 100_000 || x.kind === 'point');
    for (const clients of [1, 4, 16]) {
      const total = Math.max(clients * 4, 32);
      let next = 0;
      const t = performance.now();
      await Promise.all(Array.from({ length: clients }, async () => {
        for (;;) { const i = next++; if (i >= total) return; await http(mix[i % mix.length].q); }
      }));
      const secs = (performance.now() - t) / 1000;
      let oxiSecs = 0;
      if (clients === 1) { const t2 = performance.now(); for (let i = 0; i < total; i++) ox.query(mix[i % mix.length].q, { results_format: 'application/sparql-results+json' }); oxiSecs = (performance.now() - t2) / 1000; }
      console.log(`throughput, ${String(clients).padStart(2)} client${clients === 1 ? ' ' : 's'}: ours ${(total / secs).toFixed(1)} q/s${clients === 1 ? `, in-process oxigraph ${(total / oxiSecs).toFixed(1)} q/s (ratio ${((total / secs) / (total / oxiSecs)).toFixed(2)})` : ''}`);
    }
    await srv.stop();
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
