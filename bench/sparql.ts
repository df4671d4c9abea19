/**
 * SPARQL benchmark (printed, not asserted): a connectomics query mix (point lookups, filters, joins,
 * aggregates, property paths over the region hierarchy) over generated synapse tables, our HTTP
 * endpoint against, in the same run and on the same triples:
 *   (a) oxigraph in-process (the engine our store runs, without HTTP, workers and access control:
 *       our overhead). It holds the same graph layout as our store: the tables in their named
 *       graphs, queried with the same default-graph union (ontology, dataset graphs, tables);
 *   (b) Virtuoso 7 (Debian's virtuoso-opensource-7-bin, test/helpers/virtuoso.ts, loopback only):
 *       every triple in one graph, loaded with its bulk loader (isql: ld_dir + rdf_loader_run in
 *       two sessions + checkpoint); the query text is unchanged, the graph is named by the protocol
 *       parameter default-graph-uri (without it Virtuoso's default graph is the union of all its
 *       graphs, including its own system graphs);
 *   (b') the same Virtuoso also holding our graph layout, written by our store (SYNDB_STORE): ours on
 *       it ('ours-v', `syndb serve` in its own process) against Virtuoso's own endpoint given the
 *       same default graphs as default-graph-uri parameters ('virtuoso-v'): the same queries on
 *       the same server, so the difference is our endpoint (HTTP, rewriting, access control);
 *   (c) Apache Jena 4.5 (Debian's libapache-jena-java): a TDB2 database built with `tdbloader` of
 *       ../shared/tools/jena (which maps it to tdb2.tdbloader), every triple in the default graph,
 *       served by bench/peers/JenaSparqlServer.java (JDK HTTP server, ARQ, one read transaction per
 *       query, 16 threads). It is compiled with javac at bench time; the classpath is the one the
 *       shared script builds (its jar list and Debian xerces-messages fix), printed by running a
 *       one-line Java program through the script, so the jar list is not repeated here.
 * Every HTTP engine gets the same request: POST application/x-www-form-urlencoded query=…, Accept
 * application/sparql-results+json (Virtuoso 7.2.5 never answers a POST application/sparql-query).
 *
 *   npm run build && node dist/bench/sparql.js                  # 100k synapses
 *   node --max-old-space-size=8192 dist/bench/sparql.js --synapses 1000000 --runs 3
 *   node dist/bench/sparql.js --quick                            # 10k synapses, 3 runs, shorter throughput windows
 *   node dist/bench/sparql.js --json                             # the figures as one JSON line, last on stdout (bench/all.ts)
 *   (a peer that cannot run, or a query that fails on an engine, is named loudly and the bench
 *    exits 1; --allow-missing accepts a missing peer)
 *
 * Ours is `syndb serve` in its own process (bench/service-process.ts), default replica workers
 * (SYNDB_STORE_WORKERS), on a data directory whose tables reached the store with the bulk 'load'
 * op (loading is not what is measured here); timed once all its replicas serve. This process is the
 * HTTP client of every server; in-process oxigraph runs in it.
 *
 * Printed: load time per engine; per query the median latency (warm: one run first, then --runs
 * timed runs interleaved across the engines, one query at a time), the CPU time a query took (mean
 * over the timed runs: the server process, /proc/<pid>/stat with all its threads, plus this client
 * process, process.cpuUsage; for in-process oxigraph this process; for ours-v ours and Virtuoso),
 * the ratio of ours to each peer and of ours-v to virtuoso-v ("v÷v"), wall and CPU (> 1: we are
 * slower; for throughput the peer's q/s ÷ ours, so > 1 is slower too), and the result count per engine (rows, or the value of a
 * single COUNT ?n), marked COUNTS DIFFER when an engine disagrees with ours; throughput (q/s, and
 * CPU ms a query, server + client) of the query mix, round-robin, with 1/4/16 concurrent clients
 * for every HTTP engine, and of in-process oxigraph with one client (it answers one query at a time
 * on one thread), each over at least max(4 × clients, 32) requests and 5 s. Above 100k synapses the
 * throughput mix keeps the point lookups only (the scans take seconds each).
 */
import { closeSync, existsSync, linkSync, mkdirSync, mkdtempSync, openSync, readSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import http from 'node:http';
import oxigraph from 'oxigraph';
import { configFromEnv } from '../src/service/config.js';
import { openContext, type ServiceContext } from '../src/service/context.js';
import { ANONYMOUS } from '../src/model/caller.js';
import { NS } from '../src/model/namespaces.js';
import { startVirtuoso, type Virtuoso } from '../test/helpers/virtuoso.js';
import { JENA as SHARED_JENA } from '../test/helpers/shared.js';
import { rng } from './rng.js';
import { BASE, allReplicasServing, cpuSeconds, spawnService, stopChild } from './service-process.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const QUICK = process.argv.includes('--quick');
const JSON_OUT = process.argv.includes('--json');
const SIZES = arg('synapses', QUICK ? '10000' : '100000').split(',').map(Number);
const RUNS = Number(arg('runs', QUICK ? '3' : '5'));
/** Shortest throughput window, ms. */
const WINDOW_MS = QUICK ? 1000 : 5000;
/** The tables go to stderr with --json (stdout's last line is the JSON). */
const say = (m = '') => (JSON_OUT ? process.stderr.write(`${m}\n`) : console.log(m));
const JENA = arg('jena', SHARED_JENA);
const CLIENTS = [1, 4, 16];
const S = NS.syndb;
const SKOS = 'http://www.w3.org/2004/02/skos/core#';
const OBO = 'http://purl.obolibrary.org/obo/';
const SPARQL_JSON = 'application/sparql-results+json';
const run = promisify(execFile);

const PREFIXES = `PREFIX syndb: <${S}> PREFIX skos: <${SKOS}> PREFIX obo: <${OBO}> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n`;

interface BenchQuery { name: string; kind: 'point' | 'scan' | 'filter' | 'join' | 'aggregate' | 'path'; q: string }

function queries(base: string): BenchQuery[] {
  const syn = (i: number) => `<${base}/datasets/bench/versions/1/tables/synapse/rows/s${i}>`;
  return [
    { name: 'point lookup', kind: 'point', q: `${PREFIXES}SELECT ?p ?o WHERE { ${syn(4242)} ?p ?o }` },
    { name: 'point lookups x20 (VALUES)', kind: 'point', q: `${PREFIXES}SELECT ?s ?v WHERE { VALUES ?s { ${Array.from({ length: 20 }, (_, k) => syn(k * 997 + 13)).join(' ')} } ?s syndb:voxelVolume ?v }` },
    { name: 'SELECT of up to 100,000 rows (a table read)', kind: 'scan', q: `${PREFIXES}SELECT ?s ?v WHERE { ?s syndb:voxelVolume ?v } LIMIT 100000` },
    { name: 'filter on a value', kind: 'filter', q: `${PREFIXES}SELECT (COUNT(?s) AS ?n) WHERE { ?s a syndb:Synapse ; syndb:voxelVolume ?v FILTER(?v > 0.95) }` },
    { name: 'filter + ORDER BY + LIMIT', kind: 'filter', q: `${PREFIXES}SELECT ?s ?v WHERE { ?s syndb:voxelVolume ?v FILTER(?v < 0.5) } ORDER BY DESC(?v) ?s LIMIT 10` },
    { name: 'join: pre and post neuron in one region', kind: 'join', q: `${PREFIXES}SELECT (COUNT(*) AS ?n) WHERE { ?s syndb:neuron ?a ; syndb:parent ?b . ?a syndb:brainRegion ?r . ?b syndb:brainRegion ?r }` },
    { name: 'aggregate per region', kind: 'aggregate', q: `${PREFIXES}SELECT ?r (COUNT(?s) AS ?n) (AVG(?v) AS ?avg) WHERE { ?s syndb:parent ?b ; syndb:voxelVolume ?v . ?b syndb:brainRegion ?r } GROUP BY ?r ORDER BY ?r` },
    { name: 'property path: synapses under isocortex', kind: 'path', q: `${PREFIXES}SELECT (COUNT(?s) AS ?n) WHERE { ?s syndb:parent ?b . ?b syndb:brainRegion ?r . ?r skos:broader* obo:MBA_315 }` },
    { name: 'property path: region ancestors of every neuron', kind: 'path', q: `${PREFIXES}SELECT ?anc (COUNT(DISTINCT ?b) AS ?neurons) WHERE { ?b a syndb:Neuron ; syndb:brainRegion ?r . ?r skos:broader+ ?anc } GROUP BY ?anc ORDER BY ?anc` },
  ];
}

/** A file written in 1 MiB pieces. */
function lineWriter(path: string) {
  const fd = openSync(path, 'w');
  let buf = '';
  const flush = () => { writeSync(fd, buf); buf = ''; };
  return {
    line(s: string) { buf += `${s}\n`; if (buf.length > 1 << 20) flush(); },
    close() { flush(); closeSync(fd); },
  };
}

/** A file in 4 MiB pieces (for oxigraph's load, which takes an iterable). */
function* filePieces(path: string): Generator<Uint8Array> {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(4 << 20);
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) yield buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

interface Data {
  /** The non-table graphs of our default graph (ontology, dataset, provenance, version) as N-Quads, and as N-Triples. */
  metaNq: string; metaNt: string;
  /** One N-Triples file per table graph. */
  tables: { graph: string; file: string }[];
  /** The graphs whose union is the default graph of an anonymous query on our endpoint. */
  defaultGraphs: string[];
  tableTriples: number; metaTriples: number;
}

/** The generated neuron and synapse tables (seeded), written as N-Triples files, and the other graphs of our default graph. */
async function writeData(ctx: ServiceContext, dir: string, n: number, regions: string[]): Promise<Data> {
  const D = `${ctx.iris.base}/datasets/bench/versions/1`;
  const T = `${D}/tables`;
  const tables = ['neuron', 'synapse'].map((t) => ({ graph: ctx.iris.table('bench', 1, t), file: join(dir, `${t}.nt`) }));
  const [neu, syn] = tables.map((t) => lineWriter(t.file));
  const rand = rng(42);
  const neurons = Math.max(10, Math.floor(n / 50));
  const xsdD = 'http://www.w3.org/2001/XMLSchema#double';
  const row = (w: typeof neu, s: string, po: string[]) => { for (const x of po) w.line(`${s} ${x} .`); };
  for (let i = 0; i < neurons; i++) {
    row(neu, `<${T}/neuron/rows/n${i}>`, [`<${NS.rdf}type> <${S}Neuron>`, `<${S}cid> "n${i}"`, `<${S}inDataset> <${D}>`, `<${S}brainRegion> <${regions[Math.floor(rand() * regions.length)]}>`]);
  }
  for (let i = 0; i < n; i++) {
    row(syn, `<${T}/synapse/rows/s${i}>`, [
      `<${NS.rdf}type> <${S}Synapse>`, `<${S}cid> "s${i}"`, `<${S}inDataset> <${D}>`,
      `<${S}parent> <${T}/neuron/rows/n${Math.floor(rand() * neurons)}>`,
      `<${S}neuron> <${T}/neuron/rows/n${Math.floor(rand() * neurons)}>`,
      `<${S}voxelVolume> "${rand().toFixed(6)}"^^<${xsdD}>`,
    ]);
  }
  neu.close(); syn.close();
  const meta = ctx.catalog.defaultGraphs(ANONYMOUS);
  const nq = (await Promise.all(meta.map((g) => ctx.store.dumpGraph(g)))).join('').split('\n').filter(Boolean);
  const metaNq = join(dir, 'meta.nq'), metaNt = join(dir, 'meta.nt');
  writeFileSync(metaNq, `${nq.join('\n')}\n`);
  writeFileSync(metaNt, `${nq.map((l) => l.replace(/ <[^>]*> \.$/, ' .')).join('\n')}\n`);
  return { metaNq, metaNt, tables, defaultGraphs: [...meta, ...tables.map((t) => t.graph)], tableTriples: neurons * 4 + n * 6, metaTriples: nq.length };
}

/** An engine under test: one SPARQL SELECT in, SPARQL JSON results text out. */
interface Engine {
  name: string;
  /** Seconds to load the data (and what that covers). */
  load: { s: number; how: string };
  query(q: string): Promise<string>;
  /** Serves several queries at once (the HTTP servers; in-process oxigraph runs one at a time). */
  concurrent: boolean;
  /** The server's processes when they are not this one (ours on Virtuoso: ours and Virtuoso): their CPU time is counted beside this client's. */
  pids: number[];
  stop(): Promise<void>;
}

const secondsSince = (t: number) => (performance.now() - t) / 1000;

/** CPU seconds of this process (client, or in-process engine) plus the engine's server process since the start of the span. */
function cpuSpan(e: Engine): () => number {
  const servers = () => e.pids.reduce((a, pid) => a + cpuSeconds(pid), 0);
  const c0 = process.cpuUsage(), s0 = servers();
  return () => { const c = process.cpuUsage(c0); return (c.user + c.system) / 1e6 + servers() - s0; };
}

/** A SPARQL Protocol client: POST form, keep-alive, no client-side timeout. */
function sparqlClient(url: string, params: Array<[string, string]> = []): (q: string) => Promise<string> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const once = (q: string) => new Promise<string>((resolve, reject) => {
    const body = new URLSearchParams([['query', q], ...params]).toString();
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: SPARQL_JSON, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 200) resolve(text);
        else reject(new Error(`${res.statusCode} ${text.replace(/\s+/g, ' ').slice(0, 300)}`));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
  // in-process oxigraph blocks the event loop for seconds: a server may close an idle keep-alive socket under us
  return (q) => once(q).catch((e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? once(q) : Promise.reject(e)));
}

/**
 * Ours: the tables go into the store with the bulk 'load' op (it takes the files over), the context
 * is closed (snapshot), then `syndb serve` on that data directory in its own process.
 */
async function oursEngine(ctx: ServiceContext, data: Data, dataDir: string): Promise<Engine> {
  const t = performance.now();
  await ctx.store.transact(data.tables.map((x) => ({ op: 'load' as const, graph: x.graph, file: x.file })));
  // the other replicas apply the load after transact() returns: ready once every replica answers (a replica answers in order)
  const counts = await Promise.all(Array.from({ length: 4 }, () => ctx.store.stats().then((s) => s.quads)));
  const s = secondsSince(t);
  if (new Set(counts).size !== 1) throw new Error(`the store replicas disagree after the load: ${counts.join(', ')} quads`);
  await ctx.catalog.load(ctx.store);
  const ours = ctx.catalog.defaultGraphs(ANONYMOUS);
  if (ours.join(' ') !== data.defaultGraphs.join(' ')) throw new Error(`our default graph is not the one given to oxigraph: ${ours.join(' ')}`);
  await ctx.close();
  const t1 = performance.now();
  const svc = await spawnService(dataDir, { SYNDB_CLIENT_QUERIES: '64', SYNDB_CLIENT_QUEUE: '64', SYNDB_QUERY_TIMEOUT_MS: '3600000' });
  try {
    const replicas = await allReplicasServing(svc.url);
    return {
      name: 'ours', load: { s, how: `'load' op, ${counts[0].toLocaleString('en')} quads in the store, every replica; then syndb serve (own process) with ${replicas} replicas serving after ${secondsSince(t1).toFixed(1)} s` },
      query: sparqlClient(`${svc.url}/sparql`), concurrent: true, pids: [svc.child.pid!], stop: () => stopChild(svc.child),
    };
  } catch (e) {
    await stopChild(svc.child);
    throw e;
  }
}

/** (a) oxigraph in this thread, same graph layout and default-graph union as our store. */
function oxigraphEngine(data: Data): Engine {
  const t = performance.now();
  const ox = new oxigraph.Store();
  ox.load(filePieces(data.metaNq), { format: 'application/n-quads', no_transaction: true });
  for (const x of data.tables) ox.load(filePieces(x.file), { format: 'application/n-triples', to_graph_name: oxigraph.namedNode(x.graph), no_transaction: true });
  const s = secondsSince(t);
  const default_graph = data.defaultGraphs.map((g) => oxigraph.namedNode(g));
  return {
    name: 'oxigraph', load: { s, how: `Store.load, ${ox.size.toLocaleString('en')} quads` }, concurrent: false, pids: [],
    query: async (q) => ox.query(q, { results_format: SPARQL_JSON, default_graph }) as string,
    stop: async () => { (ox as unknown as { free(): void }).free(); },
  };
}

/** The pid of the virtuoso-t started on `dir` (test/helpers/virtuoso.ts starts it with -c <dir>/virtuoso.ini). */
function virtuosoPid(dir: string): number {
  const ini = join(dir, 'virtuoso.ini');
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').includes(ini)) return Number(p);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`no virtuoso-t process with ${ini} (its CPU time cannot be measured)`);
}

/** (b) Virtuoso 7: bulk loader into one graph, queried over HTTP with default-graph-uri. */
async function virtuosoEngine(data: Data, n: number): Promise<Engine & { virtuoso: Virtuoso }> {
  const v = await startVirtuoso({ buffers: Math.min(400_000, Math.max(50_000, Math.round(n / 4))) }); // 8 KiB pages: 0.4 GB at 100k, 2 GB at 1M
  try {
    const sqlPort = /\[Parameters\][^[]*?ServerPort\s*=\s*[\d.]+:(\d+)/.exec(readFileSync(join(v.dir, 'virtuoso.ini'), 'utf8'))?.[1];
    if (!sqlPort) throw new Error(`no SQL port in ${v.dir}/virtuoso.ini`);
    const isql = async (sql: string) => {
      const { stdout } = await run('isql-vt', [`127.0.0.1:${sqlPort}`, 'dba', 'dba', `exec=${sql}`], { maxBuffer: 1 << 24 });
      if (/\*\*\* Error/.test(stdout)) throw new Error(`isql: ${sql}: ${stdout.slice(stdout.indexOf('*** Error'), stdout.indexOf('*** Error') + 500)}`);
      return stdout;
    };
    const G = 'urn:syndb:bench';
    const dir = join(v.dir, 'load');
    mkdirSync(dir);
    for (const f of [data.metaNt, ...data.tables.map((x) => x.file)]) linkSync(f, join(dir, basename(f)));
    const t = performance.now();
    await isql(`ld_dir('${dir}', '*.nt', '${G}');`);
    await Promise.all([isql('rdf_loader_run();'), isql('rdf_loader_run();')]);
    await isql('checkpoint;');
    const s = secondsSince(t);
    const errors = await isql(`SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;`);
    if (!/\b0 Rows\./.test(errors)) throw new Error(`Virtuoso bulk load errors:\n${errors}`);
    const query = sparqlClient(`http://127.0.0.1:${v.httpPort}/sparql`, [['default-graph-uri', G]]);
    const count = countRows(await query('SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'));
    return { name: 'virtuoso', load: { s, how: `ld_dir + 2× rdf_loader_run + checkpoint, ${count.toLocaleString('en')} triples in <${G}>` }, query, concurrent: true, pids: [virtuosoPid(v.dir)], stop: () => v.stop(), virtuoso: v };
  } catch (e) {
    await v.stop();
    throw e;
  }
}

/** A file in pieces of about `bytes`, each ending at a line end. */
function* lineChunks(path: string, bytes: number): Generator<string> {
  let rest = '';
  for (const piece of filePieces(path)) {
    const text = rest + Buffer.from(piece).toString('utf8');
    const end = text.lastIndexOf('\n') + 1;
    rest = text.slice(end);
    if (end > 0 && text.length >= bytes) yield text.slice(0, end);
    else rest = text;
  }
  if (rest) yield rest;
}

/**
 * (b') The same Virtuoso holding our graph layout, written by our store (SYNDB_STORE: the ontology
 * and dataset graphs as the service writes them, the tables by GraphStore.loadGraph): ours on it
 * (`syndb serve`, own process) and Virtuoso's own endpoint given the same default graphs
 * (default-graph-uri, one per graph). The pair answers P2's "on Virtuoso, our endpoint within
 * 10 % of Virtuoso's own endpoint on the same queries".
 */
async function onVirtuosoEngines(v: Virtuoso, virtuosoPid: number, data: Data, dir: string): Promise<Engine[]> {
  const env = { SYNDB_STORE: v.url, SYNDB_STORE_GSP_URL: v.gspUrl, SYNDB_STORE_USER: v.user, SYNDB_STORE_PASSWORD: v.password };
  const dataDir = join(dir, 'store-on-virtuoso');
  const t = performance.now();
  const ctx = await openContext(configFromEnv({ SYNDB_DATA_DIR: dataDir, SYNDB_BASE_IRI: BASE, ...env }));
  try {
    await createDataset(ctx);
    for (const x of data.tables) {
      const load = await ctx.store.loadGraph(x.graph, `bench-${basename(x.file, '.nt')}`);
      for (const chunk of lineChunks(x.file, 4 << 20)) await load.add(chunk);
      await load.commit([]);
    }
    await (ctx.store as { idle?: () => Promise<void> }).idle?.();
    await ctx.catalog.load(ctx.store);
    const ours = ctx.catalog.defaultGraphs(ANONYMOUS);
    if (ours.join(' ') !== data.defaultGraphs.join(' ')) throw new Error(`our default graph on Virtuoso is not the one of the embedded store: ${ours.join(' ')}`);
  } finally {
    await ctx.close();
  }
  const s = secondsSince(t);
  const svc = await spawnService(dataDir, { ...env, SYNDB_CLIENT_QUERIES: '64', SYNDB_CLIENT_QUEUE: '64', SYNDB_QUERY_TIMEOUT_MS: '3600000' });
  return [
    { name: 'ours-v', load: { s, how: `through our store (GSP) into Virtuoso; syndb serve on it (own process; CPU: ours + Virtuoso)` }, query: sparqlClient(`${svc.url}/sparql`), concurrent: true, pids: [svc.child.pid!, virtuosoPid], stop: () => stopChild(svc.child) },
    { name: 'virtuoso-v', load: { s: 0, how: `Virtuoso's endpoint on the graphs of ours-v, default-graph-uri × ${data.defaultGraphs.length}` }, query: sparqlClient(`http://127.0.0.1:${v.httpPort}/sparql`, data.defaultGraphs.map((g) => ['default-graph-uri', g])), concurrent: true, pids: [virtuosoPid], stop: async () => {} },
  ];
}

/** The published dataset the tables belong to (the same in every store). */
async function createDataset(ctx: ServiceContext): Promise<void> {
  const admin = { user: 'bench', role: 'admin' as const };
  await ctx.datasets.create(JSON.stringify({ id: 'bench', title: 'Generated synapses', description: 'benchmark data', creators: [{ name: 'Bench, Mark' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['synapse', 'neuron'] }), 'json', admin, { publish: true });
}

/** (c) Jena: TDB2 by the shared script's tdbloader, served by bench/peers/JenaSparqlServer.java. */
async function jenaEngine(data: Data, dir: string): Promise<Engine> {
  const loc = join(dir, 'tdb2');
  const t = performance.now();
  await run(JENA, ['tdbloader', `--loc=${loc}`, data.metaNt, ...data.tables.map((x) => x.file)], { maxBuffer: 1 << 26 });
  const s = secondsSince(t);
  // the classpath of the shared script (jar list + xerces-messages fix), printed by a Java program it runs
  writeFileSync(join(dir, 'Cp.java'), 'public class Cp { public static void main(String[] a) { System.out.print(System.getProperty("java.class.path")); } }\n');
  const cp = (await run(JENA, [join(dir, 'Cp.java')])).stdout.trim().replace(/^:/, '');
  const here = dirname(fileURLToPath(import.meta.url)); // bench/ (tsx) or dist/bench/ (compiled)
  const src = [join(here, 'peers', 'JenaSparqlServer.java'), join(here, '..', '..', 'bench', 'peers', 'JenaSparqlServer.java')].find((f) => existsSync(f));
  if (!src) throw new Error('bench/peers/JenaSparqlServer.java not found');
  const classes = join(dir, 'jena-classes');
  await run('javac', ['-nowarn', '-cp', cp, '-d', classes, src]);
  const java = spawn('java', [...(process.env.JENA_JAVA_OPTS ?? '-Xmx4g').split(/\s+/).filter(Boolean), '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', '-cp', `${classes}:${cp}`, 'JenaSparqlServer', loc, '16'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => java.once('exit', () => r()));
  const kill = () => java.kill();
  process.once('exit', kill); // also when the bench dies
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      java.stdout.on('data', (c: Buffer) => { out += c; const m = /listening (\d+)/.exec(out); if (m) resolve(Number(m[1])); });
      java.once('exit', (code) => reject(new Error(`JenaSparqlServer exited with ${code}: ${out}`)));
    });
    return {
      name: 'jena', load: { s, how: 'tdb2.tdbloader (one JVM)' }, query: sparqlClient(`http://127.0.0.1:${port}/sparql`), concurrent: true, pids: [java.pid!],
      stop: async () => { process.off('exit', kill); java.kill(); await exited; },
    };
  } catch (e) {
    process.off('exit', kill);
    java.kill();
    throw e;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms: number) => (Number.isNaN(ms) ? '-' : ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? (a / b).toFixed(2) : '-');
/** NaN (not measured) as null in the JSON. */
const num = (x: number) => (Number.isFinite(x) ? x : null);

/** Result count: the rows, or the value of a lone COUNT bound to ?n. */
function countRows(body: string): number {
  const j = JSON.parse(body) as { head: { vars: string[] }; results: { bindings: Array<Record<string, { value: string }>> } };
  return j.results.bindings.length === 1 && j.head.vars.length === 1 && j.head.vars[0] === 'n' ? Number(j.results.bindings[0].n.value) : j.results.bindings.length;
}

/** Queries that failed on an engine, and peers that could not run: named again at the end; the bench exits 1. */
const failures: string[] = [];
const missing: string[] = [];
const ALLOW_MISSING = process.argv.includes('--allow-missing');

interface Timing { ms: number; cpuMs: number; rows: string }

/**
 * Median latency, mean CPU time and result count of one query on every engine, the runs
 * interleaved (engine 1, 2, 3, then again) after one warm-up run each, so that a noisy moment of
 * the shared machine falls on every engine alike. An engine's error is reported in its row (and
 * fails the run), not thrown.
 */
async function timeQuery(engines: Engine[], name: string, q: string): Promise<Timing[]> {
  const out = engines.map(() => ({ ms: [] as number[], cpu: 0, body: '', error: '' }));
  const once = async (i: number, timed: boolean) => {
    if (out[i].error) return;
    const cpu = cpuSpan(engines[i]);
    const t = performance.now();
    try {
      out[i].body = await engines[i].query(q);
      if (timed) { out[i].ms.push(performance.now() - t); out[i].cpu += cpu(); }
    } catch (err) {
      out[i].error = `error (${(err as Error).message.slice(0, 160)})`;
      failures.push(`${name} on ${engines[i].name}: ${out[i].error}`);
    }
  };
  for (let i = 0; i < engines.length; i++) await once(i, false);
  for (let r = 0; r < RUNS; r++) for (let i = 0; i < engines.length; i++) await once(i, true);
  return out.map((o) => (o.error ? { ms: NaN, cpuMs: NaN, rows: o.error } : { ms: median(o.ms), cpuMs: (o.cpu * 1000) / o.ms.length, rows: String(countRows(o.body)) }));
}

/** Queries per second of the mix and CPU ms a query, round-robin, `clients` at a time, over at least max(4 × clients, 32) requests (--quick: 2 × clients) and WINDOW_MS. */
async function throughput(e: Engine, mix: BenchQuery[], clients: number): Promise<{ qps: number; cpuMs: number }> {
  if (clients > 1 && !e.concurrent) return { qps: NaN, cpuMs: NaN };
  const min = QUICK ? clients * 2 : Math.max(clients * 4, 32);
  let next = 0, done = 0;
  const cpu = cpuSpan(e);
  const t = performance.now();
  try {
    await Promise.all(Array.from({ length: clients }, async () => {
      while (next < min || performance.now() - t < WINDOW_MS) { await e.query(mix[next++ % mix.length].q); done++; }
    }));
  } catch (err) {
    const m = `throughput of ${e.name}, ${clients} clients: ${(err as Error).message.slice(0, 200)}`;
    say(`  ${m}`);
    failures.push(m);
    return { qps: NaN, cpuMs: NaN };
  }
  const s = secondsSince(t);
  return { qps: done / s, cpuMs: (cpu() * 1000) / done };
}

/** Start a peer; one that cannot start is reported loudly, left out of the tables, and fails the run. */
async function peer<T>(name: string, start: () => T | Promise<T>): Promise<T | undefined> {
  try {
    return await start();
  } catch (e) {
    const why = (e as Error).message.split('\n').slice(0, 3).join(' ');
    missing.push(`${name}: ${why}`);
    say(`\n*** PEER MISSING: ${name} could not run, so there are no ratios against it: ${why}\n`);
    return undefined;
  }
}

export interface SparqlSize {
  synapses: number; tableTriples: number; runs: number; engines: string[];
  load: Record<string, number>;
  /** Per query: median wall ms, mean CPU ms (server + client), result count, per engine (null: failed). */
  queries: Array<{ name: string; kind: BenchQuery['kind']; ms: Record<string, number | null>; cpuMs: Record<string, number | null>; rows: Record<string, string> }>;
  throughput: Array<{ clients: number; qps: Record<string, number | null>; cpuMs: Record<string, number | null> }>;
  differ: string[];
}
export interface SparqlResult { sizes: SparqlSize[]; missing: string[]; failures: string[] }

async function bench(n: number): Promise<SparqlSize> {
  const dir = mkdtempSync(join(tmpdir(), 'syndb-bench-sparql-'));
  const engines: Engine[] = [];
  const config = configFromEnv({ SYNDB_DATA_DIR: join(dir, 'store'), SYNDB_BASE_IRI: BASE, PORT: '0' });
  let ctx: ServiceContext | undefined = await openContext(config);
  const base = ctx.iris.base;
  try {
    await createDataset(ctx);
    const regionRows = await ctx.store.select(`PREFIX skos: <${SKOS}> PREFIX obo: <${OBO}> SELECT DISTINCT ?r WHERE { GRAPH <${ctx.iris.ontologyGraph}> { { ?r skos:broader+ obo:MBA_315 } UNION { ?r skos:broader+ obo:MBA_1089 } UNION { ?r skos:broader+ obo:MBA_698 } } } ORDER BY ?r`);
    const regions = regionRows.map((r) => r.r.value).filter((_, i) => i % 7 === 0).slice(0, 60);
    const t0 = performance.now();
    const data = await writeData(ctx, dir, n, regions);
    say(`\n=== ${n.toLocaleString('en')} synapses: ${data.tableTriples.toLocaleString('en')} table triples + ${data.metaTriples.toLocaleString('en')} ontology/dataset triples (generated in ${secondsSince(t0).toFixed(1)} s); ${RUNS} timed runs per query; timings on a shared 2-core machine`);

    // the peers read the files first: our store takes them over
    const virtuoso = await peer('virtuoso', () => virtuosoEngine(data, n));
    const onVirtuoso = virtuoso ? await peer('ours on virtuoso', () => onVirtuosoEngines(virtuoso.virtuoso, virtuoso.pids[0], data, dir)) : undefined;
    for (const e of [await peer('oxigraph', () => oxigraphEngine(data)), virtuoso, ...(onVirtuoso ?? []), await peer('jena', () => jenaEngine(data, dir))]) if (e) engines.push(e);
    const c = ctx;
    ctx = undefined; // oursEngine closes it
    engines.unshift(await oursEngine(c, data, config.dataDir));
    say('\nload (not what is measured; for reference):');
    for (const e of engines) say(`  ${e.name.padEnd(9)} ${e.load.s.toFixed(1).padStart(7)} s  ${e.load.how}`);

    // the ratios: ours ÷ each peer (except the pair on Virtuoso), and ours on Virtuoso ÷ Virtuoso's endpoint on the same graphs
    const at = (name: string) => engines.findIndex((e) => e.name === name);
    const pairs: Array<{ label: string; a: number; b: number }> = engines.slice(1).filter((e) => !e.name.endsWith('-v')).map((e) => ({ label: `÷${e.name.slice(0, 4)}`, a: 0, b: at(e.name) }));
    if (at('ours-v') >= 0 && at('virtuoso-v') >= 0) pairs.push({ label: 'v÷v', a: at('ours-v'), b: at('virtuoso-v') });
    const col = (s: string, w = 10) => s.padStart(w);
    const ratios = (xs: number[]) => pairs.map((p) => col(ratio(xs[p.a], xs[p.b]), 6)).join(' ');
    const head = (title: string, w: number, cw = 10) => `${title.padEnd(w)} ${engines.map((e) => col(e.name, cw)).join(' ')} ${pairs.map((p) => col(p.label, 6)).join(' ')}`;
    const differ: string[] = [];
    const figures: SparqlSize['queries'] = [];
    const lines: { wall: string[]; cpu: string[] } = { wall: [], cpu: [] };
    for (const { name, kind, q } of queries(base)) {
      const r = await timeQuery(engines, name, q);
      const odd = engines.filter((_, i) => r[i].rows !== r[0].rows).map((e) => e.name);
      if (odd.length) differ.push(`${name}: ${engines.map((e, i) => `${e.name} ${r[i].rows}`).join(', ')}`);
      const by = <T>(f: (x: Timing) => T) => Object.fromEntries(engines.map((e, i) => [e.name, f(r[i])]));
      figures.push({ name, kind, ms: by((x) => num(x.ms)), cpuMs: by((x) => num(x.cpuMs)), rows: by((x) => x.rows) });
      lines.wall.push(`${name.padEnd(48)} ${r.map((x) => col(fmt(x.ms))).join(' ')} ${ratios(r.map((x) => x.ms))}  ${r.map((x) => x.rows).join('/')}${odd.length ? `  <-- COUNTS DIFFER (${odd.join(', ')})` : ''}`);
      lines.cpu.push(`${name.padEnd(48)} ${r.map((x) => col(fmt(x.cpuMs))).join(' ')} ${ratios(r.map((x) => x.cpuMs))}`);
    }
    say(`\n${head('median ms per query (wall)', 48)}  rows (${engines.map((e) => e.name).join('/')})`);
    for (const l of lines.wall) say(l);
    say(`\n${head('CPU ms per query (server + client, mean)', 48)}`);
    for (const l of lines.cpu) say(l);
    for (const d of differ) say(`COUNTS DIFFER: ${d}`);

    const mix = queries(base).filter((x) => n <= 100_000 || x.kind === 'point');
    say(`\nthroughput, q/s and CPU ms a query (server + client) (mix: ${mix.length === queries(base).length ? `all ${mix.length} queries` : mix.map((x) => x.name).join(', ')}; round-robin)`);
    say(head('clients', 8, 15));
    const tp: SparqlSize['throughput'] = [];
    for (const clients of CLIENTS) {
      const xs: Array<{ qps: number; cpuMs: number }> = [];
      for (const e of engines) xs.push(await throughput(e, mix, clients));
      tp.push({ clients, qps: Object.fromEntries(engines.map((e, i) => [e.name, num(xs[i].qps)])), cpuMs: Object.fromEntries(engines.map((e, i) => [e.name, num(xs[i].cpuMs)])) });
      say(`${String(clients).padEnd(8)} ${xs.map((x) => col(Number.isNaN(x.qps) ? '-' : `${x.qps.toFixed(1)} (${fmt(x.cpuMs)})`, 15)).join(' ')} ${pairs.map((p) => col(ratio(xs[p.b].qps, xs[p.a].qps), 6)).join(' ')}`);
    }
    return { synapses: n, tableTriples: data.tableTriples, runs: RUNS, engines: engines.map((e) => e.name), load: Object.fromEntries(engines.map((e) => [e.name, e.load.s])), queries: figures, throughput: tp, differ };
  } finally {
    for (const e of [...engines].reverse()) await e.stop().catch(() => undefined);
    await ctx?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const sizes: SparqlSize[] = [];
for (const n of SIZES) sizes.push(await bench(n));
if (missing.length) say(`\n*** ${missing.length} peer(s) missing; the ratios above leave them out:\n${missing.map((m) => `  - ${m}`).join('\n')}`);
if (failures.length) say(`\n*** ${failures.length} failure(s):\n${failures.map((m) => `  - ${m}`).join('\n')}`);
if (JSON_OUT) process.stdout.write(`${JSON.stringify({ sizes, missing, failures } satisfies SparqlResult)}\n`);
if (failures.length || (missing.length && !ALLOW_MISSING)) {
  process.stderr.write(`sparql bench: ${[missing.length ? `${missing.length} peer(s) missing (${missing.map((m) => m.split(':')[0]).join(', ')}; --allow-missing accepts it)` : '', failures.length ? `${failures.length} failure(s): ${failures[0]}` : ''].filter(Boolean).join('; ')}\n`);
  process.exitCode = 1;
}
