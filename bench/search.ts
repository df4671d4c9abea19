/**
 * Search and page latency at N generated datasets (P4, printed, not asserted): the service runs as
 * `syndb serve` in its own process (default configuration, as an operator starts it) and this
 * process is its client over HTTP, so the client does not share the server's event loop.
 *
 *   npm run build && node dist/bench/search.js [--datasets 1000] [--runs 300] [--quick] [--json]
 *   (--quick: 100 timed requests per operation instead of 300, still 1,000 datasets;
 *    --json: the figures as one JSON line, the last line of stdout, for bench/all.ts)
 *
 * Timed over HTTP (one request at a time, keep-alive; a warm-up of 5 each first), in rounds: a
 * block of 10 requests of every operation, then the next block of every operation, …, so that a
 * noisy moment of the shared machine falls on every operation alike:
 *   - the landing page (HTML), JSON-LD and BibTeX of a dataset (GET /datasets/{id}), the citation
 *     page (GET /datasets/{id}/cite): goal P4 p95 ≤ 20 ms for the first three;
 *   - faceted search (GET /datasets?…, 6 queries with hierarchy expansion), as JSON and as the HTML
 *     results page: goal P4 p95 ≤ 50 ms; the home page.
 * For each: p50 and p95 (ms, wall) and the CPU ms a request of the server process (/proc/<pid>/stat,
 * all its threads) and of this client. Before the service starts, the same faceted searches on the
 * in-memory index in this process (no HTTP: the index's share). After the timings, the alternative
 * design as a peer: the same filter as one SPARQL query through our /sparql (VALUES-expanded
 * hierarchy, no facet counts), 20 runs. A request that fails or times out (30 s) is reported, the
 * other timings still run, and the bench exits 1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import { configFromEnv } from '../src/service/config.js';
import { openContext } from '../src/service/context.js';
import { loadExamples } from '../src/service/examples.js';
import { loadVocabulary } from '../src/model/vocabulary.js';
import { expandCurie, NS } from '../src/model/namespaces.js';
import { COMPARTMENTS } from '../src/model/compartment-names.js';
import { searchServices } from '../src/service/search-services.js';
import { parseParams } from '../src/search/query.js';
import { ANONYMOUS } from '../src/model/caller.js';
import { BASE, allReplicasServing, cpuSeconds, spawnService, stopChild } from './service-process.js';
import { rng } from './rng.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const QUICK = process.argv.includes('--quick');
const JSON_OUT = process.argv.includes('--json');
const N = Number(arg('datasets', '1000'));
const RUNS = Number(arg('runs', QUICK ? '100' : '300'));
const BLOCK = 10;
const TIMEOUT_MS = 30_000;
const log = (m: string) => (JSON_OUT ? process.stderr.write(`${m}\n`) : console.log(m));

export interface SearchOp { name: string; goalP95Ms?: number; runs: number; p50Ms: number; p95Ms: number; serverCpuMs: number; clientCpuMs: number; wallS: number; serverCpuS: number; error?: string }
export interface SearchResult { datasets: number; ops: SearchOp[]; inMemory: { p50Ms: number; p95Ms: number; cpuMs: number }; sparql: SearchOp; failures: string[] }

const pct = (xs: number[], p: number) => { if (!xs.length) return NaN; const a = [...xs].sort((x, y) => x - y); return a[Math.min(a.length - 1, Math.floor((p / 100) * a.length))]; };
const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;

/** A data directory with the examples and N generated datasets (seeded), published; the in-memory index timed on it. */
async function prepare(dataDir: string, queries: string[]) {
  const ctx = await openContext(configFromEnv({ SYNDB_DATA_DIR: dataDir, SYNDB_BASE_IRI: BASE }));
  try {
    await loadExamples(ctx);
    const vocab = await loadVocabulary();
    const regions = [...vocab.descendants(expandCurie('MBA:315')!), ...vocab.descendants(expandCurie('MBA:1089')!), ...vocab.descendants(expandCurie('MBA:512')!)]
      .filter((r) => r.startsWith(`${NS.obo}MBA_`)).sort();
    const methods = vocab.termsOf('microscopyMethod');
    const rnd = rng(42);
    const pick = <T>(a: readonly T[]) => a[Math.floor(rnd() * a.length)];
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
    log(`${N} datasets generated and published in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // the index's share, in this process (no HTTP)
    const s = await searchServices(ctx);
    const parsed = queries.map((q) => parseParams(new URLSearchParams(q).entries(), { defaultPageSize: 20 }));
    for (let i = 0; i < 5; i++) s.index.search(parsed[i % parsed.length], ANONYMOUS, s.view(ANONYMOUS));
    const xs: number[] = [];
    const c0 = process.cpuUsage();
    for (let i = 0; i < RUNS; i++) { const t = performance.now(); s.index.search(parsed[i % parsed.length], ANONYMOUS, s.view(ANONYMOUS)); xs.push(performance.now() - t); }
    const inMemory = { p50Ms: pct(xs, 50), p95Ms: pct(xs, 95), cpuMs: cpuMs(process.cpuUsage(c0)) / RUNS };

    // the alternative design's query: the filter region=isocortex + EM methods, hierarchy expanded into VALUES
    const iso = [...vocab.descendants(expandCurie('MBA:315')!)].map((x) => `<${x}>`).join(' ');
    const em = methods.filter((m) => /electron/.test(vocab.labels(m).join(' '))).map((x) => `<${x}>`).join(' ');
    const sparql = `PREFIX syndb: <${NS.syndb}> PREFIX dcterms: <${NS.dcterms}> SELECT ?d ?t WHERE { VALUES ?r { ${iso} } VALUES ?m { ${em} } ?d syndb:brainRegion ?r ; syndb:microscopyMethod ?m ; dcterms:title ?t } ORDER BY ?t LIMIT 20`;
    return { publicIds, inMemory, sparql };
  } finally {
    await ctx.close();
  }
}

/** One HTTP request (keep-alive), the body read whole; rejects on a status other than 200 or after TIMEOUT_MS. */
function client(base: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return (path: string, accept: string, body?: string) => new Promise<string>((resolve, reject) => {
    const headers: Record<string, string | number> = { accept };
    if (body !== undefined) Object.assign(headers, { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) });
    const req = http.request(`${base}${path}`, { method: body === undefined ? 'GET' : 'POST', agent, headers, timeout: TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 200) resolve(text);
        else reject(new Error(`${path.slice(0, 80)}: HTTP ${res.statusCode} ${text.replace(/\s+/g, ' ').slice(0, 200)}`));
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${path.slice(0, 80)}: no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    req.end(body);
  });
}

interface Op { name: string; goalP95Ms?: number; request: (i: number) => Promise<string>; check?: (body: string) => void }

/** Time the operations in interleaved blocks; an operation that fails is stopped and reported, the others go on. */
async function timeOps(ops: Op[], runs: number, pid: number): Promise<SearchOp[]> {
  const st = ops.map(() => ({ ms: [] as number[], server: 0, client: 0, wall: 0, error: '' }));
  for (const [k, op] of ops.entries()) {
    try {
      for (let i = 0; i < 5; i++) op.check?.(await op.request(i));
    } catch (e) {
      st[k].error = (e as Error).message;
    }
  }
  for (let done = 0; done < runs; done += BLOCK) {
    for (const [k, op] of ops.entries()) {
      const s = st[k];
      if (s.error) continue;
      const c0 = process.cpuUsage(), s0 = cpuSeconds(pid), w0 = performance.now();
      try {
        for (let i = done; i < Math.min(runs, done + BLOCK); i++) {
          const t = performance.now();
          await op.request(i);
          s.ms.push(performance.now() - t);
        }
      } catch (e) {
        s.error = (e as Error).message;
      }
      s.wall += (performance.now() - w0) / 1000;
      s.server += cpuSeconds(pid) - s0;
      s.client += cpuMs(process.cpuUsage(c0)) / 1000;
    }
  }
  return ops.map((op, k) => {
    const s = st[k], n = s.ms.length;
    return { name: op.name, goalP95Ms: op.goalP95Ms, runs: n, p50Ms: pct(s.ms, 50), p95Ms: pct(s.ms, 95), serverCpuMs: n ? (s.server * 1000) / n : NaN, clientCpuMs: n ? (s.client * 1000) / n : NaN, wallS: s.wall, serverCpuS: s.server, ...(s.error ? { error: s.error } : {}) };
  });
}

async function main(): Promise<void> {
  const queries = [
    'region=isocortex&modality=electron',
    'region=UBERON:0000956&compartment=synapse&compartment=mitochondrion',
    'region=hippocampal%20formation&gene=Shank3',
    'q=synapses%20cortex&region=!VISp',
    'q=region:isocortex%20AND%20(method:SBEM%20OR%20method:FIB-SEM)%20NOT%20tag:alpha',
    'species=mouse&expression=knock-out&sort=title&page=2',
  ];
  const dataDir = mkdtempSync(join(tmpdir(), 'syndb-bench-search-'));
  try {
    const { publicIds, inMemory, sparql } = await prepare(dataDir, queries);
    const svc = await spawnService(dataDir);
    try {
      const replicas = await allReplicasServing(svc.url);
      log(`syndb serve (own process, pid ${svc.child.pid}) listening after ${svc.listenS.toFixed(1)} s, its ${replicas} replica(s) serving after ${((performance.now() - svc.startedAt) / 1000).toFixed(1)} s`);
      const get = client(svc.url);
      const id = (i: number) => publicIds[(i * 7) % publicIds.length];
      const expect = (what: string, ok: (b: string) => boolean) => (b: string) => { if (!ok(b)) throw new Error(`${what}: unexpected answer ${b.slice(0, 200)}`); };
      const ops: Op[] = [
        { name: 'GET /datasets/{id} landing page (HTML)', goalP95Ms: 20, request: (i) => get(`/datasets/${id(i)}`, 'text/html'), check: expect('landing page', (b) => b.includes('<html')) },
        { name: 'GET /datasets/{id} JSON-LD', goalP95Ms: 20, request: (i) => get(`/datasets/${id(i)}`, 'application/ld+json'), check: expect('JSON-LD', (b) => '@context' in (JSON.parse(b) as object)) },
        { name: 'GET /datasets/{id} BibTeX', goalP95Ms: 20, request: (i) => get(`/datasets/${id(i)}`, 'application/x-bibtex'), check: expect('BibTeX', (b) => /^\s*@\w+\{/.test(b)) },
        { name: 'GET /datasets?… faceted search, JSON (6 queries, hierarchy expansion)', goalP95Ms: 50, request: (i) => get(`/datasets?${queries[i % queries.length]}`, 'application/json'), check: expect('search JSON', (b) => typeof JSON.parse(b) === 'object') },
        { name: 'GET /datasets?… faceted search, HTML results page', goalP95Ms: 50, request: (i) => get(`/datasets?${queries[i % queries.length]}`, 'text/html'), check: expect('search HTML', (b) => b.includes('<html')) },
        { name: 'GET /datasets/{id}/cite citation page', request: (i) => get(`/datasets/${id(i)}/cite`, 'text/html') },
        { name: 'GET / home page', request: () => get('/', 'text/html') },
      ];
      const timed = await timeOps(ops, RUNS, svc.child.pid!);
      // the peer: the alternative design, one SPARQL query a search (a failure or timeout is reported, not thrown)
      const [sparqlOp] = await timeOps([{ name: 'same filter as one SPARQL query through /sparql (VALUES-expanded hierarchy), no facets', request: () => get('/sparql', 'application/sparql-results+json', new URLSearchParams({ query: sparql }).toString()) }], 20, svc.child.pid!);
      const failures = [...timed, sparqlOp].filter((o) => o.error).map((o) => `${o.name}: ${o.error}`);
      const result: SearchResult = { datasets: N, ops: timed, inMemory, sparql: sparqlOp, failures };
      if (JSON_OUT) process.stdout.write(`${JSON.stringify(result)}\n`);
      else print(result);
      if (failures.length) {
        process.stderr.write(`search bench: ${failures.length} operation(s) failed:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
        process.exitCode = 1;
      }
    } finally {
      await stopChild(svc.child);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function print(r: SearchResult): void {
  const f = (x: number) => (Number.isNaN(x) ? '-' : x.toFixed(2));
  console.log(`\n${r.datasets.toLocaleString('en')} datasets; syndb serve in its own process, this process its HTTP client; blocks of ${BLOCK} interleaved across operations`);
  console.log('| operation | goal p95 | runs | p50 ms | p95 ms | server CPU ms / req | client CPU ms / req | wall s | server CPU-s |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const o of [...r.ops, r.sparql]) {
    console.log(`| ${o.name} | ${o.goalP95Ms ? `≤ ${o.goalP95Ms} ms` : ''} | ${o.runs} | ${f(o.p50Ms)} | ${f(o.p95Ms)}${o.goalP95Ms && o.p95Ms > o.goalP95Ms ? ' (over)' : ''} | ${f(o.serverCpuMs)} | ${f(o.clientCpuMs)} | ${o.wallS.toFixed(2)} | ${o.serverCpuS.toFixed(2)} |${o.error ? ` FAILED: ${o.error}` : ''}`);
  }
  console.log(`| (faceted search on the in-memory index, in this process, no HTTP) | | | ${f(r.inMemory.p50Ms)} | ${f(r.inMemory.p95Ms)} | ${f(r.inMemory.cpuMs)} (this process) | | | |`);
  const json = r.ops.find((o) => o.name.includes('search, JSON'))!;
  console.log(`\none SPARQL query a search / faceted search JSON over HTTP (p50, the SPARQL query without the facet counts the index also computes): ${r.sparql.error ? 'FAILED' : `${(r.sparql.p50Ms / json.p50Ms).toFixed(1)}x wall, ${(r.sparql.serverCpuMs / json.serverCpuMs).toFixed(1)}x server CPU`}`);
}

main().catch((e) => {
  console.error(`search bench failed: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
