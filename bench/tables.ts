/**
 * Compartment table ingest and download (printed, not asserted).
 *
 *   npm run build && node dist/bench/tables.js [--rows N] [--repeat R]       (default 100000 rows, 2 repeats)
 *     The columnar comparison: peers in the same run, interleaved and repeated on the same CSV
 *     (wide synapse table, 15 columns):
 *      - duckdb:  DuckDB alone, read the CSV -> write Parquet (the floor)
 *      - ours:    PUT over HTTP to this service: validated, stored as Parquet + CSV files, described
 *                 in the graph, rows not as triples (SYNDB_TABLE_ROWS_AS_TRIPLES_MAX=0)
 *      - triples: today's path, PUT ?triples=true (validated + every row as triples in the store);
 *                 left out above 500,000 rows on the embedded store (it cannot hold them)
 *     each: rows/s, wall and CPU seconds (this process: the server and DuckDB run in it), RSS
 *     growth; then on the table uploaded by `ours`: Parquet and CSV download rows/s over HTTP, a
 *     filtered query (one pre_id) p50 over 21 requests, and publishing the version.
 *     The real run is `--rows 10000000` (and `--rows 100000000` for the 100 M-row ingest).
 *
 *   npm run build && node dist/bench/tables.js --legacy [ROWS...] [--narrow] [--store virtuoso]
 *     ROWS default 100000 (e.g. 100000 1000000); SKIP_JENA=1 leaves out the Jena comparison.
 *     --narrow: 7 columns (cid, pre_id, post_id, voxel_volume, centroid_x/y/z: 10 triples a row)
 *       instead of 15 (17 triples a row); a 1M-row wide table is more than the embedded store
 *       holds (SYNDB_STORE_MAX_QUADS, 12 M) and is refused before anything is written.
 *     --store virtuoso: the service on a Virtuoso 7 started on loopback (test/helpers/virtuoso.ts).
 *
 *   npm run build && node dist/bench/tables.js --goals [--triples 5000000] [--repeat 2] [--quick] [--json]
 *     Goals P1 and P3, peers in the same run, interleaved (order reversed every other repeat) and
 *     repeated, on one wide synapse table of ceil(TRIPLES / 17) rows (--quick: 170,000 triples):
 *      - ours:  PUT over HTTP to `syndb serve` in its own process with the default configuration
 *               (a fresh data directory each repeat): validated, durably stored, the rows as triples
 *               (the default below SYNDB_TABLE_ROWS_AS_TRIPLES_MAX); wall until the 201, CPU of the
 *               server process (/proc, all threads) until it is idle again (the second replica
 *               applies the rows after the reply) plus this client's;
 *      - Store.load: the same triples, already serialised as N-Quads in memory, into a fresh
 *               oxigraph Store (no_transaction, 48 MB pieces) in this process (not validated, not durable);
 *      - Jena:  `shacl validate` of the same triples (as N-Triples) with shapes/compartments.ttl +
 *               `tdbloader` into a fresh TDB, CPU of the two JVMs (bash `times`).
 *     P1: Jena / ours ≥ 3x and Store.load / ours ≥ 1.0x (time ratios, wall and CPU, medians).
 *     P3: the service process's resident memory (VmRSS once idle, VmHWM peak) holding the table,
 *     goal ≤ 3 GB at 5 M triples. A peer that fails fails the run (exit 1).
 *
 * For a generated synapse table of ROWS rows (SynDB column names, CAVE-like ids):
 *  - ours: validated (compiled shapes) + durably stored via `TableService.upload`, rows/s, peak RSS
 *  - (a) the same triples, already serialised as N-Quads, loaded into a fresh oxigraph Store with
 *        Store.load (48 MB at a time, the largest string that is practical; no_transaction, its fastest mode) - the floor for any
 *        oxigraph-based store
 *  - (b) Apache Jena: `shacl validate` of the same rows + `tdbloader` into TDB, end to end
 *  - download: rows/s of GET-equivalent CSV streaming from the graph, and whether the downloaded
 *    CSV is byte-identical to the upload (SHA-256); on an external store twice (the first pass over
 *    a freshly loaded table is slower there)
 */
import { mkdtempSync, rmSync, createWriteStream, createReadStream, statSync, readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Store } from 'oxigraph';
import { parse } from 'csv-parse';
import { configFromEnv } from '../src/service/config.js';
import { startServer } from '../src/http/server.js';
import { DuckDBInstance } from '@duckdb/node-api';
import { openContext } from '../src/service/context.js';
import { TableService, tableSchemas } from '../src/service/tables.js';
import { mapHeader, convertRow, rowToNQuads } from '../src/model/tables/rows.js';
import { projectPath } from '../src/util/paths.js';
import { NS } from '../src/model/namespaces.js';
import { startVirtuoso, type Virtuoso } from '../test/helpers/virtuoso.js';
import { BASE, TOKEN, allReplicasServing, cpuSeconds, median, rssBytes, spawnService, stopChild } from './service-process.js';

// Jena of ../shared beside the project, or of SYNDB_SHARED_DIR, or SYNDB_JENA
const JENA = process.env.SYNDB_JENA ?? join(process.env.SYNDB_SHARED_DIR ?? projectPath('..', 'shared'), 'tools', 'jena');
const ADMIN = { user: 'bench', role: 'admin' as const };

const argv = process.argv.slice(2);
const NARROW = argv.includes('--narrow');
const STORE = argv.includes('--store') ? argv[argv.indexOf('--store') + 1] : 'embedded';

/** An 18-digit root id as CAVE has them (above 2^53: made as text, exact): 8646911350000xxxxx / 8646911351000xxxxx. */
const rootId = (hi: 0 | 1, x: number) => `864691135${hi}000${String(x).padStart(5, '0')}`;

async function generate(file: string, n: number, badRow = 0) {
  const out = createWriteStream(file);
  out.write(NARROW
    ? 'cid,pre_id,post_id,voxel_volume,centroid_x,centroid_y,centroid_z\n'
    : 'cid,parent_id,parent_table,neuron_id,voxel_volume,centroid_x,centroid_y,centroid_z,connection_score,cleft_score,GABA,glutamate,cave_id,pre_id,post_id\n');
  let buf = '';
  for (let i = 1; i <= n; i++) {
    buf += NARROW
      ? `${i},${rootId(0, i % 50000)},${rootId(1, (i * 7) % 50000)},${200 + (i % 5000)},${((i * 37) % 40000000) / 100},${((i * 13) % 30000000) / 100},${(i % 20000) * 40}\n`
      : `${i},sp${i % 90000},dendritic_spine,${rootId(0, i % 50000)},${i === badRow ? 'twelve' : 200 + (i % 5000)},${((i * 37) % 40000000) / 100},${((i * 13) % 30000000) / 100},${(i % 20000) * 40},${(i % 1000) / 1000},${((i * 7) % 1000) / 1000},${((i * 3) % 500) / 1000},${((i * 11) % 500) / 1000},${88000000 + i},${rootId(0, i % 50000)},${rootId(1, (i * 7) % 50000)}\n`;
    if (buf.length > 1 << 20) { if (!out.write(buf)) await once(out, 'drain'); buf = ''; }
  }
  out.end(buf);
  await once(out, 'finish');
}

function rssSampler() {
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 100);
  return { stop() { clearInterval(t); return peak; }, get peak() { return peak; } };
}

const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;

async function run(n: number) {
  const dir = mkdtempSync(join(tmpdir(), 'syndb-bench-tables-'));
  try {
    const csv = join(dir, 'synapse.csv');
    await generate(csv, n);
    console.log(`\n== synapse table, ${n} rows (${NARROW ? 'narrow, 7' : 'wide, 15'} columns), ${mb(statSync(csv).size)} of CSV, store: ${STORE}`);
    let virtuoso: Virtuoso | undefined;
    const env: Record<string, string> = { SYNDB_DATA_DIR: join(dir, 'data'), SYNDB_BASE_IRI: 'http://localhost:3030' };
    if (STORE === 'virtuoso') {
      virtuoso = await startVirtuoso({ buffers: 680_000 }); // ≈ 5.5 GB page cache
      Object.assign(env, { SYNDB_STORE: virtuoso.url, SYNDB_STORE_GSP_URL: virtuoso.gspUrl, SYNDB_STORE_USER: virtuoso.user, SYNDB_STORE_PASSWORD: virtuoso.password });
    }
    const ctx = await openContext({ ...configFromEnv(env), queryTimeoutMs: 3_600_000 });
    const ds = { id: 'bench', title: 'Bench', description: 'Generated synapses.', creators: [{ name: 'Bench, B' }], license: 'CC0-1.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['synapse'] };
    await ctx.datasets.create(JSON.stringify(ds), 'json', ADMIN);
    const svc = new TableService(ctx);
    const rssBefore = process.memoryUsage().rss;
    const rss = rssSampler();
    let t = performance.now();
    let lastPhase = '';
    const r = await svc.upload('bench', 'synapse', createReadStream(csv), ADMIN, {
      onProgress: (p) => {
        if (p.phase === 'validate' && p.totalRows !== undefined) console.log(`  all rows read and validated after ${((performance.now() - t) / 1000).toFixed(1)} s`);
        if (p.phase === 'store' && p.phase !== lastPhase) { lastPhase = p.phase; console.log(`  first chunk stored after ${((performance.now() - t) / 1000).toFixed(1)} s`); }
      },
    });
    const ours = (performance.now() - t) / 1000;
    const peak = rss.stop();
    const stats = await ctx.store.stats();
    console.log(`ours: ${r.rows} rows validated + durably stored in ${ours.toFixed(1)} s = ${Math.round(r.rows / ours)} rows/s (${stats.quads} quads in the store)`);
    console.log(`  RSS before ${mb(rssBefore)}, peak ${mb(peak)} (+${mb(peak - rssBefore)}; the store keeps ${ctx.store.constructor.name === 'EmbeddedStore' ? `${process.env.SYNDB_STORE_WORKERS ?? 2} in-memory replica(s), SYNDB_STORE_WORKERS` : 'its data'} in this process)`);
    // an external store drops the upload's staging graphs in the background: the download is
    // timed once that is done (it competes with it otherwise), and timed again: Virtuoso answers the
    // first pass over a freshly loaded table 2-3x slower than later ones (measured, 30,000 rows)
    const store = ctx.store as { idle?: () => Promise<void> };
    if (store.idle) {
      t = performance.now();
      await store.idle();
      console.log(`  the store's background work after the upload (dropping staging graphs) took ${((performance.now() - t) / 1000).toFixed(1)} s more`);
    }
    for (const label of STORE === 'embedded' ? ['download'] : ['download', '  again']) {
      t = performance.now();
      let rows = -1;
      const dlHash = createHash('sha256');
      await svc.download(r.table, (c) => { dlHash.update(c); for (let i = 0; i < c.length; i++) if (c.charCodeAt(i) === 10) rows++; });
      const dl = (performance.now() - t) / 1000;
      const same = dlHash.digest('hex') === r.sha256;
      console.log(`${label}: ${rows} rows in ${dl.toFixed(1)} s = ${Math.round(rows / dl)} rows/s; ${same ? 'byte-identical to the upload (SHA-256)' : 'NOT identical to the upload'}`);
    }
    t = performance.now();
    const counted = await ctx.store.select(`SELECT (COUNT(?s) AS ?n) (AVG(?v) AS ?avg) WHERE { GRAPH <${r.table}> { ?s <${NS.syndb}voxelVolume> ?v } }`);
    console.log(`query: COUNT + AVG(voxel_volume) over the table graph = ${counted[0]?.n.value} rows in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    await ctx.close();
    await virtuoso?.stop();
    if (STORE !== 'embedded') return;

    // the same triples as N-Quads files (48 MB pieces)
    const schema = tableSchemas(ctx).get('synapse')!;
    const D = 'http://localhost:3030/datasets/bench/draft', T = `${D}/tables/synapse`;
    const pieces: string[] = [];
    let cur = '', k = 0, map: ReturnType<typeof mapHeader> | undefined;
    const nt = createWriteStream(join(dir, 'rows.nt'));
    for await (const rec of createReadStream(csv).pipe(parse({ relax_column_count: true })) as AsyncIterable<string[]>) {
      if (!map) { map = mapHeader(schema, rec); continue; }
      k++;
      const q = rowToNQuads(schema, convertRow({ schema, map, dataset: D }, rec, k), k, D, T);
      cur += q;
      if (!nt.write(q.replaceAll(` <${T}> .\n`, ' .\n'))) await once(nt, 'drain');
      if (cur.length > 48 * 1048576) { pieces.push(cur); cur = ''; }
    }
    pieces.push(cur);
    nt.end();
    await once(nt, 'finish');
    t = performance.now();
    const st = new Store();
    for (const p of pieces) st.load(p, { format: 'application/n-quads', no_transaction: true }); // its fastest mode (the one our store workers use)
    const load = (performance.now() - t) / 1000;
    console.log(`(a) oxigraph Store.load of the same ${st.size} quads (already serialised, in memory, not durable): ${load.toFixed(1)} s = ${Math.round(n / load)} rows/s; ours / Store.load = ${(load / ours).toFixed(2)}x (aim >= 0.7x)`);
    pieces.length = 0;

    if (!process.env.SKIP_JENA) {
      t = performance.now();
      try {
        const report = execFileSync(JENA, ['shacl', 'validate', '--shapes', projectPath('shapes', 'compartments.ttl'), '--data', join(dir, 'rows.nt')], { maxBuffer: 1 << 30 }).toString();
        const v = (performance.now() - t) / 1000;
        execFileSync(JENA, ['tdbloader', '--loc', join(dir, 'tdb'), join(dir, 'rows.nt')], { stdio: 'ignore' });
        const total = (performance.now() - t) / 1000;
        console.log(`(b) Apache Jena shacl validate (${/sh:conforms\s+true/.test(report) ? 'conforms' : 'violations'}) ${v.toFixed(1)} s + tdbloader ${(total - v).toFixed(1)} s = ${total.toFixed(1)} s = ${Math.round(n / total)} rows/s; ours is ${(total / ours).toFixed(2)}x faster (aim >= 3x)`);
      } catch (e) {
        console.log(`(b) Apache Jena failed: ${(e as Error).message.slice(0, 300)}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}


/**
 * PUT a file over HTTP with node:http, the file piped into the request: memory stays flat and the
 * client costs little CPU (fetch with a web stream of the file cost ~20 CPU-s and ~1 GB RSS for a
 * 1.45 GB upload, and ran out of memory at 15 GB).
 */
async function putFile(url: string, file: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const req = request(url, { method: 'PUT', headers: { ...headers, 'content-length': String(statSync(file).size) } });
  const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.once('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
      res.once('error', reject);
    });
    req.once('error', reject);
  });
  // a server that answers early (a rejection) may stop reading: the answer counts, not the rest of the body
  await Promise.race([pipeline(createReadStream(file), req).catch(() => undefined), answered]);
  return answered;
}

/** One timed run of a peer: wall and CPU seconds, RSS growth (peak over the run). */
async function timed<T>(f: () => Promise<T>): Promise<{ value: T; wall: number; cpu: number; rss: number }> {
  const rss0 = process.memoryUsage().rss;
  const rss = rssSampler();
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  const value = await f();
  const wall = (performance.now() - t) / 1000;
  const c = process.cpuUsage(cpu0);
  return { value, wall, cpu: (c.user + c.system) / 1e6, rss: rss.stop() - rss0 };
}

async function columnar(n: number, repeat: number) {
  const dir = mkdtempSync(join(tmpdir(), 'syndb-bench-columnar-'));
  let stopServer: (() => Promise<void>) | undefined;
  let close: (() => Promise<void>) | undefined;
  try {
    const csv = join(dir, 'synapse.csv');
    await generate(csv, n);
    const csvBytes = statSync(csv).size;
    console.log(`\n== columnar: synapse table, ${n.toLocaleString('en')} rows (wide, 15 columns), ${mb(csvBytes)} of CSV; ${repeat} repeats, peers interleaved`);
    const config = { ...configFromEnv({ ...process.env, SYNDB_DATA_DIR: join(dir, 'data'), SYNDB_BASE_IRI: 'http://localhost:3030', PORT: '0' }), queryTimeoutMs: 3_600_000, tableRowsAsTriplesMax: 0 };
    const ctx = await openContext(config);
    close = () => ctx.close();
    const srv = await startServer(ctx, () => {});
    stopServer = () => srv.stop();
    const token = ctx.tokens.create('bench', 'admin');
    const auth = { authorization: `Bearer ${token}` };
    for (const id of ['bench-ours', 'bench-triples']) {
      const ds = { id, title: `Bench ${id}`, description: 'Generated synapses.', creators: [{ name: 'Bench, B' }], license: 'CC0-1.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['synapse'] };
      await ctx.datasets.create(JSON.stringify(ds), 'json', ADMIN);
    }
    const put = async (id: string, q: string, file = csv, expect = 201) => {
      const res = await putFile(`${srv.url}/datasets/${id}/tables/synapse${q}`, file, { 'content-type': 'text/csv', ...auth });
      const body = res.body;
      if ((res.status >= 300) !== (expect >= 300)) throw new Error(`upload ${id}${q}: ${res.status} ${body.slice(0, 300)}`);
      return JSON.parse(body) as { rows: number; parquet: { bytes: number }; validator?: string; errors?: Array<{ row: number; column: string; value: string }> };
    };
    // first, as a user would: the same table with one bad cell near the end is rejected whole
    // (left out with --no-reject, e.g. for the 100 M-row run: it needs a second copy of the CSV)
    if (!argv.includes('--no-reject')) {
      const badCsv = join(dir, 'synapse-bad.csv');
      const badRow = Math.max(1, n - 10);
      await generate(badCsv, n, badRow);
      const rej = await timed(() => put('bench-ours', '', badCsv, 422));
      const e0 = rej.value.errors?.[0];
      console.log(`  rejected (one bad cell in row ${badRow.toLocaleString('en')}): ${rej.wall.toFixed(2)} s wall, ${rej.cpu.toFixed(2)} CPU-s, RSS +${mb(rej.rss)}; the reply names row ${e0?.row}, column ${e0?.column}, value "${e0?.value}"; ${(await ctx.store.stats()).quads} quads in the store, ${readdirSync(config.tableDir).filter((f) => f !== 'tmp').length} table files kept, ${readdirSync(join(config.tableDir, 'tmp')).filter((f) => f !== 'duckdb').length} temporary files left`);
      rmSync(badCsv);
    }
    // DuckDB alone, with its own instance (as a user would run it), into the same temp directory
    const duck = await DuckDBInstance.create(':memory:', { threads: '2' });
    const duckAlone = async () => {
      const c = await duck.connect();
      const out = join(dir, `floor-${Math.random().toString(36).slice(2)}.parquet`);
      const r = await c.runAndReadAll(`COPY (SELECT * FROM read_csv('${csv}', header = true)) TO '${out}' (FORMAT parquet, COMPRESSION snappy)`);
      c.closeSync();
      const bytes = statSync(out).size;
      rmSync(out);
      return { rows: Number(r.getRows()[0][0]), bytes };
    };
    const peers: Array<[string, () => Promise<unknown>]> = [['duckdb', duckAlone], ['ours', () => put('bench-ours', '')]];
    if (n <= 500_000) peers.push(['triples', () => put('bench-triples', '?triples=true')]);
    else console.log('  (today\'s triple path left out: the embedded store cannot hold more than ~700,000 wide rows)');
    const results = new Map<string, Array<{ wall: number; cpu: number; rss: number }>>();
    for (let r = 0; r < repeat; r++) {
      const order = r % 2 === 0 ? peers : [...peers].reverse();
      for (const [name, f] of order) {
        const m = await timed(f);
        (results.get(name) ?? results.set(name, []).get(name)!).push(m);
        const v = (m.value as { validator?: string } | undefined)?.validator;
        console.log(`  run ${r + 1} ${name.padEnd(8)} ${m.wall.toFixed(2)} s wall, ${m.cpu.toFixed(2)} CPU-s, RSS +${mb(m.rss)}, ${Math.round(n / m.wall).toLocaleString('en')} rows/s${v ? ` (validated by ${v})` : ''}`);
      }
    }
    const best = (name: string) => { const xs = results.get(name)!; return xs.reduce((a, b) => (b.wall < a.wall ? b : a)); };
    const floor = best('duckdb');
    console.log('\n  peer      best wall   rows/s        CPU-s   RSS growth   vs DuckDB alone');
    for (const [name] of peers) {
      const b = best(name);
      console.log(`  ${name.padEnd(9)} ${b.wall.toFixed(2).padStart(8)} s ${Math.round(n / b.wall).toLocaleString('en').padStart(12)} ${b.cpu.toFixed(2).padStart(8)} ${mb(b.rss).padStart(10)}   ${(b.wall / floor.wall).toFixed(2)}x the time`);
    }

    // downloads of the table uploaded by `ours`, over HTTP
    const download = async (q: string, accept?: string) => {
      const t = performance.now();
      const res = await fetch(`${srv.url}/datasets/bench-ours/tables/synapse?version=draft${q}`, { headers: { ...auth, ...(accept ? { accept } : {}) } });
      if (res.status !== 200) throw new Error(`download ${q}: ${res.status} ${(await res.text()).slice(0, 200)}`);
      let bytes = 0;
      for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) bytes += c.length;
      return { s: (performance.now() - t) / 1000, bytes, rows: Number(res.headers.get('x-row-count')) };
    };
    const upHash = createHash('sha256');
    for await (const c of createReadStream(csv)) upHash.update(c as Buffer);
    const upSha = upHash.digest('hex');
    {
      const res = await fetch(`${srv.url}/datasets/bench-ours/tables/synapse?version=draft`, { headers: { ...auth, accept: 'text/csv' } });
      const h = createHash('sha256');
      for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) h.update(c);
      console.log(`  CSV download ${h.digest('hex') === upSha ? 'byte-identical to the upload (SHA-256)' : 'NOT identical to the upload'}`);
    }
    for (const [label, q, accept] of [['Parquet', '&format=parquet', undefined], ['CSV', '', 'text/csv']] as const) {
      const xs = [await download(q, accept), await download(q, accept)];
      const b = xs.reduce((a, c) => (c.s < a.s ? c : a));
      console.log(`  download ${label.padEnd(7)} ${mb(b.bytes)} in ${b.s.toFixed(2)} s = ${Math.round(n / b.s).toLocaleString('en')} rows/s (best of 2)`);
    }
    // one pre_id: the rows of one root id (n / 50,000 rows each in the generated table). The first
    // filters read the whole file and ask for a sorted copy of pre_id (built in the background);
    // then the same filters read a row group or two of the copy.
    const filterP50 = async (label: string, k0: number, times: number, ids = 1) => {
      const lat: number[] = [];
      let hits = 0;
      for (let k = 0; k < times; k++) {
        const q = Array.from({ length: ids }, (_, j) => `&pre_id=${rootId(0, ((k0 + k) * 2371 + j * 977) % Math.min(n, 50_000))}`).join('');
        const d = await download(q, 'text/csv');
        lat.push(d.s * 1000);
        hits = d.rows;
      }
      lat.sort((a, b) => a - b);
      console.log(`  filtered query (${label}, ${ids === 1 ? 'one pre_id' : `${ids} pre_ids`}, ${hits} rows, CSV over HTTP): p50 ${lat[Math.floor(times / 2)].toFixed(1)} ms, max ${lat[times - 1].toFixed(1)} ms on ${n.toLocaleString('en')} rows`);
    };
    await filterP50('whole file, before the sorted copy', 0, 5);
    const tc = performance.now(), cpu0 = process.cpuUsage();
    await ctx.tableFiles.settled();
    const sc = process.cpuUsage(cpu0), sortedCpu = (sc.user + sc.system) / 1e6;
    const st = await (await fetch(`${srv.url}/datasets/bench-ours/tables/synapse/stats?version=draft`, { headers: auth })).json() as { sortedCopies?: Record<string, string> };
    console.log(`  sorted copy of pre_id: ${st.sortedCopies?.pre_id ?? 'absent'} after ${((performance.now() - tc) / 1000).toFixed(1)} s more (${sortedCpu.toFixed(1)} CPU-s)`);
    await filterP50('sorted copy', 100, 21);
    await filterP50('sorted copy', 200, 21, 10);
    {
      // the floor: DuckDB alone, in process, the same one-id filter on its own Parquet file of the CSV
      const c = await duck.connect();
      const floorFile = join(dir, 'floor-filter.parquet');
      await c.run(`COPY (SELECT * FROM read_csv('${csv}', header = true)) TO '${floorFile}' (FORMAT parquet, COMPRESSION snappy)`);
      const lat: number[] = [];
      for (let k = 0; k < 21; k++) {
        const t = performance.now();
        await c.runAndReadAll(`SELECT * FROM read_parquet('${floorFile}') WHERE pre_id = ${rootId(0, ((300 + k) * 2371) % Math.min(n, 50_000))}`);
        lat.push(performance.now() - t);
      }
      lat.sort((a, b) => a - b);
      console.log(`  DuckDB alone, in process, one pre_id on its Parquet of the CSV: p50 ${lat[10].toFixed(1)} ms`);
      c.closeSync();
      rmSync(floorFile);
    }
    const tp = performance.now();
    const pub = await fetch(`${srv.url}/datasets/bench-ours/versions`, { method: 'POST', headers: auth });
    console.log(`  publish (${pub.status}): ${((performance.now() - tp) / 1000).toFixed(3)} s`);
    duck.closeSync();
  } finally {
    await stopServer?.();
    await close?.();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU seconds of `pid` once it has been idle (< 0.05 CPU-s in 1 s), polled every 250 ms; at most `maxS` seconds. */
async function cpuWhenIdle(pid: number, maxS = 600): Promise<number> {
  const t0 = performance.now();
  const samples: number[] = [cpuSeconds(pid)];
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    samples.push(cpuSeconds(pid));
    if (samples.length > 4 && samples.at(-1)! - samples.at(-5)! < 0.05) return samples.at(-5)!;
    if (performance.now() - t0 > maxS * 1000) return samples.at(-1)!;
  }
}

/** `cmd args` through bash: wall seconds, CPU seconds of it and its children (bash `times`), exit code; stdout to `out`. */
async function timedCommand(cmd: string, args: string[], out: string): Promise<{ wall: number; cpu: number }> {
  const timesFile = `${out}.times`;
  const t = performance.now();
  let stderr = '';
  const code = await new Promise<number | null>((resolve, reject) => {
    const c = spawn('bash', ['-c', '"$@" > "$OUT"; s=$?; times > "$TIMES"; exit $s', 'bash', cmd, ...args], { env: { ...process.env, OUT: out, TIMES: timesFile }, stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr.on('data', (d) => { stderr += d; });
    c.once('error', reject);
    c.once('exit', resolve);
  });
  const wall = (performance.now() - t) / 1000;
  if (code !== 0) throw new Error(`${cmd} ${args[0]} exited with ${code}: ${stderr.slice(-600)}`);
  // the second line of `times`: user and system time of the shell's children, e.g. "0m12.345s 0m0.678s"
  const children = readFileSync(timesFile, 'utf8').trim().split('\n')[1] ?? '';
  const secs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (secs.length !== 2) throw new Error(`cannot read the CPU time of ${cmd} from \`times\`: "${children}"`);
  return { wall, cpu: secs[0] + secs[1] };
}

interface GoalRun { wall: number; cpu: number }
export interface TablesGoalResult {
  /** Rows; triples written (N-Quads lines); distinct triples (the size of the Store.load peer's store). */
  rows: number; triples: number; distinct: number | null; repeat: number;
  /** Medians over the repeats; ours' CPU is the server's (until idle) plus the client's. */
  ours: GoalRun & { serverCpu: number; rssBytes: number; peakRssBytes: number; replicas: number };
  storeLoad: GoalRun;
  jena: GoalRun & { validateWall: number; conforms: boolean };
  failures: string[];
}

/** Goals P1 (validated durable ingest against Jena and Store.load) and P3 (resident memory of the service holding the table). */
async function goals(triples: number, repeat: number, json: boolean): Promise<TablesGoalResult> {
  const say = (m: string) => (json ? process.stderr.write(`${m}\n`) : console.log(m));
  const dir = mkdtempSync(join(tmpdir(), 'syndb-bench-goals-'));
  try {
    const csv = join(dir, 'synapse.csv');
    const n = Math.ceil(triples / 17);
    await generate(csv, n);
    // the same triples, as N-Quads pieces in memory (Store.load) and as an N-Triples file (Jena)
    const prep = await openContext(configFromEnv({ SYNDB_DATA_DIR: join(dir, 'prep'), SYNDB_BASE_IRI: BASE }));
    const schema = tableSchemas(prep).get('synapse')!;
    await prep.close();
    const D = `${BASE}/datasets/bench/draft`, T = `${D}/tables/synapse`;
    const pieces: string[] = [];
    let cur = '', k = 0, quads = 0, map: ReturnType<typeof mapHeader> | undefined;
    const ntFile = join(dir, 'rows.nt');
    const nt = createWriteStream(ntFile);
    for await (const rec of createReadStream(csv).pipe(parse({ relax_column_count: true })) as AsyncIterable<string[]>) {
      if (!map) { map = mapHeader(schema, rec); continue; }
      k++;
      const q = rowToNQuads(schema, convertRow({ schema, map, dataset: D }, rec, k), k, D, T);
      cur += q;
      for (let i = q.indexOf('\n'); i >= 0; i = q.indexOf('\n', i + 1)) quads++;
      if (!nt.write(q.replaceAll(` <${T}> .\n`, ' .\n'))) await once(nt, 'drain');
      if (cur.length > 48 * 1048576) { pieces.push(cur); cur = ''; }
    }
    pieces.push(cur);
    nt.end();
    await once(nt, 'finish');
    say(`\n== goals P1/P3: synapse table, ${n.toLocaleString('en')} rows (wide, 15 columns), ${quads.toLocaleString('en')} triples, ${mb(statSync(csv).size)} of CSV; ${repeat} repeat(s), peers interleaved`);

    const ds = { id: 'bench', title: 'Bench', description: 'Generated synapses.', creators: [{ name: 'Bench, B' }], license: 'CC0-1.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['synapse'] };
    const ours = async (r: number) => {
      const dataDir = join(dir, `ours-${r}`);
      const c = await openContext(configFromEnv({ SYNDB_DATA_DIR: dataDir, SYNDB_BASE_IRI: BASE }));
      await c.datasets.create(JSON.stringify(ds), 'json', ADMIN);
      await c.close();
      const svc = await spawnService(dataDir);
      try {
        const replicas = await allReplicasServing(svc.url);
        const pid = svc.child.pid!;
        const s0 = cpuSeconds(pid), c0 = process.cpuUsage();
        const t = performance.now();
        const res = await putFile(`${svc.url}/datasets/bench/tables/synapse`, csv, { 'content-type': 'text/csv', authorization: `Bearer ${TOKEN}` });
        const body = res.body;
        const wall = (performance.now() - t) / 1000;
        if (res.status !== 201) throw new Error(`upload: HTTP ${res.status} ${body.slice(0, 300)}`);
        const reply = JSON.parse(body) as { rows: number; rowsInGraph?: boolean };
        if (reply.rows !== n || reply.rowsInGraph !== true) throw new Error(`upload: ${reply.rows} rows, rowsInGraph ${reply.rowsInGraph} (expected ${n} rows as triples): ${body.slice(0, 300)}`);
        const serverCpu = (await cpuWhenIdle(pid)) - s0;
        const cc = process.cpuUsage(c0);
        const mem = rssBytes(pid);
        return { wall, cpu: serverCpu + (cc.user + cc.system) / 1e6, serverCpu, rssBytes: mem.rss, peakRssBytes: mem.peak, replicas };
      } finally {
        await stopChild(svc.child);
        rmSync(dataDir, { recursive: true, force: true });
      }
    };
    let distinct: number | undefined;
    const storeLoad = async () => {
      const c0 = process.cpuUsage();
      const t = performance.now();
      const st = new Store();
      for (const p of pieces) st.load(p, { format: 'application/n-quads', no_transaction: true });
      const wall = (performance.now() - t) / 1000;
      const cc = process.cpuUsage(c0);
      // a row can state one triple twice (pre_id and neuron_id of the generated table are the same root id)
      if (distinct !== undefined && st.size !== distinct) throw new Error(`Store.load holds ${st.size} quads, ${distinct} the time before`);
      distinct = st.size;
      (st as unknown as { free(): void }).free();
      return { wall, cpu: (cc.user + cc.system) / 1e6, distinct };
    };
    const jena = async (r: number) => {
      const report = join(dir, 'shacl-report.ttl');
      const v = await timedCommand(JENA, ['shacl', 'validate', '--shapes', projectPath('shapes', 'compartments.ttl'), '--data', ntFile], report);
      const conforms = /sh:conforms\s+true/.test(readFileSync(report, 'utf8'));
      const l = await timedCommand(JENA, ['tdbloader', '--loc', join(dir, `tdb-${r}`), ntFile], join(dir, 'tdbloader.out'));
      rmSync(join(dir, `tdb-${r}`), { recursive: true, force: true });
      return { wall: v.wall + l.wall, cpu: v.cpu + l.cpu, validateWall: v.wall, conforms };
    };
    type Peer = 'ours' | 'Store.load' | 'Jena';
    const runs = new Map<Peer, Array<Record<string, number | boolean>>>();
    const failures: string[] = [];
    const peers: Array<[Peer, (r: number) => Promise<Record<string, number | boolean>>]> = [['ours', ours], ['Store.load', storeLoad], ['Jena', jena]];
    for (let r = 0; r < repeat; r++) {
      for (const [name, f] of r % 2 === 0 ? peers : [...peers].reverse()) {
        if (failures.some((x) => x.startsWith(`${name}:`))) continue;
        try {
          const m = await f(r);
          (runs.get(name) ?? runs.set(name, []).get(name)!).push(m);
          say(`  run ${r + 1} ${name.padEnd(10)} ${(m.wall as number).toFixed(2)} s wall, ${(m.cpu as number).toFixed(2)} CPU-s${'peakRssBytes' in m ? `, server RSS ${mb(m.rssBytes as number)} (peak ${mb(m.peakRssBytes as number)}), ${m.replicas} replicas` : ''}${'conforms' in m ? `, shacl validate ${(m.validateWall as number).toFixed(2)} s (${m.conforms ? 'conforms' : 'VIOLATIONS'})` : ''}`);
        } catch (e) {
          failures.push(`${name}: ${(e as Error).message}`);
          say(`  *** run ${r + 1} ${name} FAILED: ${(e as Error).message}`);
        }
      }
    }
    const med = (name: Peer, key: string) => median((runs.get(name) ?? []).map((m) => m[key] as number));
    const jenaConforms = (runs.get('Jena') ?? []).every((m) => m.conforms === true);
    if (runs.get('Jena')?.length && !jenaConforms) failures.push('Jena: shacl validate found violations in the generated table (ours accepted it): the peers did not do the same work');
    const result: TablesGoalResult = {
      rows: n, triples: quads, distinct: distinct ?? null, repeat,
      ours: { wall: med('ours', 'wall'), cpu: med('ours', 'cpu'), serverCpu: med('ours', 'serverCpu'), rssBytes: med('ours', 'rssBytes'), peakRssBytes: Math.max(...(runs.get('ours') ?? []).map((m) => m.peakRssBytes as number)), replicas: med('ours', 'replicas') },
      storeLoad: { wall: med('Store.load', 'wall'), cpu: med('Store.load', 'cpu') },
      jena: { wall: med('Jena', 'wall'), cpu: med('Jena', 'cpu'), validateWall: med('Jena', 'validateWall'), conforms: jenaConforms },
      failures,
    };
    const x = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : '-');
    say(`\n  medians of ${repeat}     wall s    CPU-s   peer time / ours (wall, CPU)   goal`);
    say(`  ours              ${result.ours.wall.toFixed(2).padStart(8)} ${result.ours.cpu.toFixed(2).padStart(8)}   (server ${result.ours.serverCpu.toFixed(2)} CPU-s until idle)`);
    say(`  Store.load        ${result.storeLoad.wall.toFixed(2).padStart(8)} ${result.storeLoad.cpu.toFixed(2).padStart(8)}   ${x(result.storeLoad.wall, result.ours.wall)}, ${x(result.storeLoad.cpu, result.ours.cpu)}                  P1: ≥ 1.0x`);
    say(`  Jena              ${result.jena.wall.toFixed(2).padStart(8)} ${result.jena.cpu.toFixed(2).padStart(8)}   ${x(result.jena.wall, result.ours.wall)}, ${x(result.jena.cpu, result.ours.cpu)}                  P1: ≥ 3x`);
    say(`  P3: service RSS holding ${quads.toLocaleString('en')} triples (${distinct?.toLocaleString('en') ?? '?'} distinct) (default configuration, ${result.ours.replicas} replicas): ${mb(result.ours.rssBytes)} once idle, peak ${mb(result.ours.peakRssBytes)} (goal ≤ 3 GB at 5,000,000 triples)`);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (argv.includes('--goals')) {
  const json = argv.includes('--json');
  const quick = argv.includes('--quick');
  const triples = argv.includes('--triples') ? Number(argv[argv.indexOf('--triples') + 1]) : quick ? 170_000 : 5_000_000;
  const repeat = argv.includes('--repeat') ? Number(argv[argv.indexOf('--repeat') + 1]) : 2;
  const r = await goals(triples, repeat, json);
  if (json) process.stdout.write(`${JSON.stringify(r)}\n`);
  if (r.failures.length) {
    process.stderr.write(`tables bench (goals): ${r.failures.length} failure(s):\n${r.failures.map((f) => `  - ${f}`).join('\n')}\n`);
    process.exitCode = 1;
  }
} else if (argv.includes('--legacy')) {
  const sizes = argv.filter((a, i) => /^\d+$/.test(a) && argv[i - 1] !== '--store').map(Number).filter((x) => x > 0);
  for (const n of sizes.length ? sizes : [100_000]) {
    try {
      await run(n);
    } catch (e) {
      console.log(`${n} rows: ${(e as Error).message}`);
    }
  }
} else {
  const rows = argv.includes('--rows') ? Number(argv[argv.indexOf('--rows') + 1]) : 100_000;
  const repeat = argv.includes('--repeat') ? Number(argv[argv.indexOf('--repeat') + 1]) : 2;
  if (!(Number.isInteger(rows) && rows > 0 && Number.isInteger(repeat) && repeat > 0)) throw new Error('--rows and --repeat take whole numbers > 0');
  await columnar(rows, repeat);
}
