/**
 * Large loads on an external SPARQL server (printed, not asserted): a generated synapse table
 * (plus its neuron table) uploaded as CSV through our service — streamed parse, row validation,
 * chunked, staged, atomic store writes — into Virtuoso 7 (started on loopback), then queried
 * through our /sparql endpoint with the connectomics query mix of bench/sparql.ts adapted to the
 * table columns. The embedded store runs the same steps for the sizes it can hold, in the same run.
 *
 *   npx tsx bench/remote.ts                               # 10 M triples on Virtuoso, 1 M on both
 *   npx tsx bench/remote.ts --triples 1000000,10000000 --embedded-max 2000000 --runs 5
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { configFromEnv } from '../src/service/config.js';
import { openContext, type ServiceContext } from '../src/service/context.js';
import { TableService } from '../src/service/tables.js';
import { startServer } from '../src/http/server.js';
import { NS } from '../src/model/namespaces.js';
import { startVirtuoso, type Virtuoso } from '../test/helpers/virtuoso.js';
import { rng } from './rng.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const SIZES = arg('triples', '1000000,10000000').split(',').map(Number);
const EMBEDDED_MAX = Number(arg('embedded-max', '2000000'));
const RUNS = Number(arg('runs', '5'));
/** Triples per synapse row (type, cid, inDataset, row number, neuron, pre, post, 5 numbers) and per neuron row. */
const PER_SYNAPSE = 12;
const SYNAPSES_PER_NEURON = 50;
const admin = { user: 'bench', role: 'admin' as const };


function neuronCsv(n: number): Readable {
  const rand = rng(7);
  const types = ['pyramidal', 'interneuron', 'stellate', 'basket'];
  return Readable.from((function* () {
    yield 'cid,voxel_volume,neuron_type\n';
    let buf = '';
    for (let i = 0; i < n; i++) {
      buf += `n${i},${Math.floor(rand() * 1e9)},${types[Math.floor(rand() * types.length)]}\n`;
      if (buf.length > 1 << 16) { yield buf; buf = ''; }
    }
    yield buf;
  })());
}

function synapseCsv(n: number, neurons: number): Readable {
  const rand = rng(42);
  return Readable.from((function* () {
    yield 'cid,neuron_id,pre_id,post_id,voxel_volume,centroid_x,centroid_y,centroid_z,connection_score\n';
    let buf = '';
    for (let i = 0; i < n; i++) {
      const a = Math.floor(rand() * neurons), b = Math.floor(rand() * neurons);
      buf += `s${i},n${a},n${a},n${b},${rand().toFixed(6)},${(rand() * 1e5).toFixed(1)},${(rand() * 1e5).toFixed(1)},${(rand() * 1e5).toFixed(1)},${rand().toFixed(3)}\n`;
      if (buf.length > 1 << 16) { yield buf; buf = ''; }
    }
    yield buf;
  })());
}

function queries(D: string): { name: string; q: string }[] {
  const T = `${D}/tables`;
  const syn = (i: number) => `<${T}/synapse/rows/s${i}>`;
  return [
    { name: 'point lookup', q: `PREFIX syndb: <${NS.syndb}> SELECT ?p ?o FROM <${T}/synapse> WHERE { ${syn(4242)} ?p ?o }` },
    { name: 'point lookups x20 (VALUES)', q: `PREFIX syndb: <${NS.syndb}> SELECT ?s ?v FROM <${T}/synapse> WHERE { VALUES ?s { ${Array.from({ length: 20 }, (_, k) => syn(k * 997 + 13)).join(' ')} } ?s syndb:voxelVolume ?v }` },
    { name: 'filter on a value (COUNT)', q: `PREFIX syndb: <${NS.syndb}> SELECT (COUNT(?s) AS ?n) FROM <${T}/synapse> WHERE { ?s a syndb:Synapse ; syndb:voxelVolume ?v FILTER(?v > 0.95) }` },
    { name: 'filter + ORDER BY + LIMIT', q: `PREFIX syndb: <${NS.syndb}> SELECT ?s ?v FROM <${T}/synapse> WHERE { ?s syndb:voxelVolume ?v FILTER(?v < 0.5) } ORDER BY DESC(?v) ?s LIMIT 10` },
    { name: 'join: pre and post neuron of one type', q: `PREFIX syndb: <${NS.syndb}> SELECT (COUNT(*) AS ?n) FROM <${T}/synapse> FROM <${T}/neuron> WHERE { ?s syndb:preSynaptic ?a ; syndb:postSynaptic ?b . ?a syndb:neuronType ?t . ?b syndb:neuronType ?t }` },
    { name: 'aggregate per neuron type', q: `PREFIX syndb: <${NS.syndb}> SELECT ?t (COUNT(?s) AS ?n) (AVG(?v) AS ?avg) FROM <${T}/synapse> FROM <${T}/neuron> WHERE { ?s syndb:neuron ?b ; syndb:voxelVolume ?v . ?b syndb:neuronType ?t } GROUP BY ?t ORDER BY ?t` },
  ];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

async function run(backend: 'embedded' | 'virtuoso', triples: number): Promise<Map<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'syndb-bench-remote-'));
  let v: Virtuoso | undefined;
  let ctx: ServiceContext | undefined;
  const out = new Map<string, number>();
  try {
    const env: Record<string, string> = { SYNDB_DATA_DIR: join(dir, 'data'), PORT: '0', SYNDB_ADMIN_TOKEN: 'bench' };
    if (backend === 'virtuoso') {
      v = await startVirtuoso({ buffers: 680_000 }); // ≈ 5.5 GB page cache
      Object.assign(env, { SYNDB_STORE: v.url, SYNDB_STORE_GSP_URL: v.gspUrl, SYNDB_STORE_USER: v.user, SYNDB_STORE_PASSWORD: v.password });
    }
    const config = { ...configFromEnv(env), queryTimeoutMs: 3_600_000 };
    ctx = await openContext(config);
    await ctx.datasets.create(JSON.stringify({ id: 'bench', title: 'Generated synapses', description: 'benchmark data', creators: [{ name: 'Bench, Mark' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['synapse', 'neuron'] }), 'json', admin);
    const synapses = Math.round(triples / (PER_SYNAPSE + 5 / SYNAPSES_PER_NEURON));
    const neurons = Math.max(10, Math.floor(synapses / SYNAPSES_PER_NEURON));
    const tables = new TableService(ctx);
    const before = (await ctx.store.stats()).quads;
    const t0 = performance.now();
    let last = 0;
    // where the time goes: pass 1 (parse + validate every row) ends when the row count is known
    let validateMs = 0;
    let started = 0;
    const progress = (what: string) => (p: { phase: string; rows: number; totalRows?: number }) => {
      const now = performance.now();
      if (p.phase === 'validate' && p.totalRows !== undefined) validateMs += now - started;
      if (process.stderr.isTTY && now - last > 1000) { last = now; process.stderr.write(`\r  ${backend}: ${what} ${p.phase} ${p.rows.toLocaleString('en')}${p.totalRows ? ` / ${p.totalRows.toLocaleString('en')}` : ''} rows      `); }
    };
    started = performance.now();
    await tables.upload('bench', 'neuron', neuronCsv(neurons), admin, { onProgress: progress('neuron') });
    started = performance.now();
    await tables.upload('bench', 'synapse', synapseCsv(synapses, neurons), admin, { onProgress: progress('synapse') });
    const loadS = (performance.now() - t0) / 1000;
    // the remote store drops its staging graphs after acknowledging: wait for that before querying
    await (ctx.store as { idle?: () => Promise<void> }).idle?.();
    const settledS = (performance.now() - t0) / 1000;
    const loaded = (await ctx.store.stats()).quads - before;
    if (process.stderr.isTTY) process.stderr.write('\r'.padEnd(80) + '\r');
    console.log(`\n${backend}: ${loaded.toLocaleString('en')} triples (${synapses.toLocaleString('en')} synapse + ${neurons.toLocaleString('en')} neuron rows) loaded through the service in ${loadS.toFixed(1)} s = ${Math.round(loaded / loadS).toLocaleString('en')} triples/s` +
      ` (of which parse + validate ${(validateMs / 1000).toFixed(1)} s; staging dropped after ${settledS.toFixed(1)} s; rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB)`);
    out.set('load triples/s', loaded / loadS);
    const srv = await startServer(ctx, () => {});
    try {
      const D = ctx.iris.draft('bench');
      for (const { name, q } of queries(D)) {
        const call = async () => {
          const r = await fetch(`${srv.url}/sparql`, { method: 'POST', headers: { 'content-type': 'application/sparql-query', accept: 'application/sparql-results+json', authorization: 'Bearer bench' }, body: q });
          const text = await r.text();
          if (!r.ok) throw new Error(`${name}: ${r.status} ${text.slice(0, 300)}`);
          const j = JSON.parse(text) as { head: { vars: string[] }; results: { bindings: Array<Record<string, { value: string }>> } };
          return j.results.bindings.length === 1 && j.head.vars[0] === 'n' ? Number(j.results.bindings[0].n.value) : j.results.bindings.length;
        };
        await call();
        const ms: number[] = [];
        let rows = 0;
        for (let i = 0; i < RUNS; i++) { const t = performance.now(); rows = await call(); ms.push(performance.now() - t); }
        out.set(name, median(ms));
        out.set(`${name} rows`, rows);
      }
    } finally {
      await srv.stop();
    }
    // publish: the draft's tables become version 1 inside the store (on Virtuoso: copied by the server, staged, then switched)
    const countTable = async (version: number | 'draft') => {
      const g = ctx!.iris.table('bench', version, 'synapse');
      const r = await ctx!.store.select(`SELECT (COUNT(*) AS ?n) WHERE { GRAPH <${g}> { ?s ?p ?o } }`, { namedGraphs: [g] });
      return Number(r[0]?.n?.value ?? 0);
    };
    const draftTriples = await countTable('draft');
    const tp = performance.now();
    await ctx.datasets.publish('bench', admin);
    out.set('publish (tables moved to version 1)', performance.now() - tp);
    const published = await countTable(1);
    console.log(`${backend}: published version 1 in ${((performance.now() - tp) / 1000).toFixed(1)} s; synapse table ${draftTriples.toLocaleString('en')} triples in the draft, ${published.toLocaleString('en')} in version 1${published === draftTriples ? '' : ' — MISMATCH'}`);
    await (ctx.store as { idle?: () => Promise<void> }).idle?.();
    // a restart of the service on the loaded store (remote: lease, recovery, catalog; embedded: snapshot + journal)
    await ctx.close();
    ctx = undefined;
    const t1 = performance.now();
    ctx = await openContext(config);
    out.set('service restart on the loaded store', performance.now() - t1);
  } finally {
    await ctx?.close();
    await v?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

for (const n of SIZES) {
  console.log(`\n=== ${n.toLocaleString('en')} triples (target) ===`);
  const virt = await run('virtuoso', n);
  const emb = n <= EMBEDDED_MAX ? await run('embedded', n) : undefined;
  console.log(`\n| measure | Virtuoso 7 (remote) | embedded | remote ÷ embedded |\n|---|---|---|---|`);
  for (const [k, val] of virt) {
    if (k.endsWith(' rows')) continue;
    const e = emb?.get(k);
    const unit = k === 'load triples/s' ? '' : ' ms';
    const show = (x: number | undefined) => (x === undefined ? '—' : k === 'load triples/s' ? Math.round(x).toLocaleString('en') : fmt(x) + unit);
    const rows = virt.get(`${k} rows`);
    const erows = emb?.get(`${k} rows`);
    const label = rows === undefined ? k : `${k} (rows ${rows}${erows !== undefined ? ` / ${erows}` : ''})`;
    console.log(`| ${label} | ${show(val)} | ${show(e)} | ${e === undefined ? '—' : (val / e).toFixed(2)} |`);
  }
}
