/**
 * Service restart benchmark (P5, printed, not asserted): the time from starting `syndb serve`
 * (node dist/src/cli/main.js serve, its own process, as an operator starts it) until it answers
 * a SPARQL point lookup correctly over HTTP, on a data directory holding N synapse-table triples.
 *
 *   npm run build && node dist/bench/restart.js                  # 1,000,000 triples, 3 runs
 *   node dist/bench/restart.js --triples 100000 --runs 1         # (--quick: the same)
 *   node dist/bench/restart.js --json                            # one JSON line (bench/all.ts)
 *
 * The table reaches the store the way table uploads put it there: a 'load' op naming an
 * N-Triples file in the journal. Two data directories are measured:
 *   journal   the service stopped without compaction: start-up replays the journal (re-reads the file)
 *   snapshot  the service stopped cleanly (close writes the snapshot): start-up loads the snapshot
 * each with 1 and 2 replica workers (SYNDB_STORE_WORKERS), interleaved (every configuration once,
 * then again, …). Printed per configuration: the median wall time until the first correct answer,
 * the time until the "listening" log line, and the CPU-seconds the server process used until the
 * answer (/proc/<pid>/stat, all its threads), beside the same load by oxigraph's Store.load in a
 * child process (the floor: parsing and indexing the triples once). Also printed: the time to
 * import the server's modules alone (node -e import(…)), to see where start-up goes.
 */
import { copyFileSync, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { configFromEnv } from '../src/service/config.js';
import { openStore } from '../src/store/open-store.js';
import { openContext } from '../src/service/context.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const QUICK = process.argv.includes('--quick');
const TRIPLES = Number(arg('triples', QUICK ? '100000' : '1000000'));
const RUNS = Number(arg('runs', QUICK ? '1' : '3'));
const JSON_OUT = process.argv.includes('--json');
const BASE = 'http://localhost:3030';
const S = 'https://w3id.org/syndb/ontology#';
const XSD = 'http://www.w3.org/2001/XMLSchema#';
const GRAPH = `${BASE}/datasets/bench/versions/1/tables/synapse`;
const PROBE = `${GRAPH}/rows/4242`;
const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const SERVER_MODULE = fileURLToPath(new URL('../src/http/server.js', import.meta.url));
const TOKEN = 'bench-admin-token';
const log = (m: string) => process.stderr.write(`${m}\n`);

/** The synapse table as N-Triples (10 triples a row), written to `file`. */
async function writeTable(file: string, triples: number): Promise<void> {
  const out = createWriteStream(file);
  const rows = Math.ceil(triples / 10);
  let buf: string[] = [];
  for (let r = 0; r < rows; r++) {
    const s = `<${GRAPH}/rows/${r}>`;
    buf.push(
      `${s} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <${S}Synapse> .\n`,
      `${s} <${S}cid> "${r}" .\n`,
      `${s} <${S}voxelVolume> "${(r * 0.37).toFixed(3)}"^^<${XSD}double> .\n`,
      `${s} <${S}surfaceArea> "${(r * 0.11).toFixed(3)}"^^<${XSD}double> .\n`,
      `${s} <${S}centroidX> "${r % 9973}"^^<${XSD}integer> .\n`,
      `${s} <${S}centroidY> "${r % 7919}"^^<${XSD}integer> .\n`,
      `${s} <${S}centroidZ> "${r % 6007}"^^<${XSD}integer> .\n`,
      `${s} <${S}neuron> <${GRAPH}/rows/${r >> 4}> .\n`,
      `${s} <${S}parent> <${GRAPH}/rows/${r >> 5}> .\n`,
      `${s} <http://purl.org/dc/terms/description> "synapse ${r} of block ${r >> 10}"@en .\n`,
    );
    if (buf.length >= 10_000) {
      if (!out.write(buf.join(''))) await once(out, 'drain');
      buf = [];
    }
  }
  out.end(buf.join(''));
  await once(out, 'finish');
}

/** A data directory with the table in its journal ('load' op), stopped with or without compaction. */
async function prepare(kind: 'journal' | 'snapshot', table: string): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), `syndb-restart-${kind}-`));
  const config = configFromEnv({ SYNDB_DATA_DIR: dataDir, SYNDB_BASE_IRI: BASE });
  // the ontology graph and a published dataset whose table graph holds the rows
  const ctx = await openContext(config);
  await ctx.datasets.create(JSON.stringify({ id: 'bench', title: 'Generated synapses', description: 'benchmark data', creators: [{ name: 'Bench, Mark' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['synapse'] }), 'json', { user: 'bench', role: 'admin' }, { publish: true });
  await ctx.close();
  const store = await openStore(config, { workers: 1, compactOnClose: kind === 'snapshot', compactBytes: Number.MAX_SAFE_INTEGER });
  // the store takes the file (moves it into its loads/ directory): give it a copy
  const file = join(dataDir, 'upload.nt');
  copyFileSync(table, file);
  await store.transact([{ op: 'load', graph: GRAPH, file }]);
  await store.close();
  return dataDir;
}

/** utime + stime of a process and all its threads, in seconds (Linux /proc). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // fields 14 and 15, clock ticks (USER_HZ = 100)
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  const gone = once(child, 'exit').then(() => undefined);
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return gone.finally(() => clearTimeout(t));
}

interface Start { wallS: number; listenS: number; cpuS: number }

/** Start the service on `dataDir`, wait for a correct answer to the probe, stop it (clean, without a new snapshot when nothing changed). */
async function startService(dataDir: string, workers: number): Promise<Start> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [MAIN, 'serve'], {
    env: { ...process.env, SYNDB_DATA_DIR: dataDir, SYNDB_BASE_IRI: BASE, PORT: '0', SYNDB_EXAMPLES: '0', SYNDB_ADMIN_TOKEN: TOKEN, SYNDB_STORE_WORKERS: String(workers) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += d;
        const m = /"msg":"listening","url":"([^"]+)"/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`syndb serve exited (${code}) before listening:\n${stderr.slice(-2000)}`)));
    });
    const listenS = (performance.now() - t0) / 1000;
    const q = `ASK { GRAPH <${GRAPH}> { <${PROBE}> <${S}cid> "4242" } }`;
    for (;;) {
      const r = await fetch(`${url}/sparql`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/sparql-results+json' }, body: new URLSearchParams({ query: q }) }).catch((e: Error) => e);
      if (!(r instanceof Error) && r.ok) {
        const j = (await r.json()) as { boolean?: boolean };
        if (j.boolean !== true) throw new Error(`the restarted service does not hold <${PROBE}>: answered ${JSON.stringify(j)}`);
        break;
      }
      if (r instanceof Response && r.status !== 503) throw new Error(`probe query failed: HTTP ${r.status} ${await r.text()}`);
      if (performance.now() - t0 > 300_000) throw new Error('the service did not answer within 300 s');
      await new Promise((res) => setTimeout(res, 20));
    }
    const wallS = (performance.now() - t0) / 1000;
    return { wallS, listenS, cpuS: cpuSeconds(child.pid!) };
  } finally {
    await stopChild(child);
  }
}

/** oxigraph's Store.load of the same file with no_transaction, in a child process (module load included). */
async function rawLoad(table: string): Promise<Start> {
  const code = `import('oxigraph').then(({ default: ox }) => { const fs = require('node:fs'); const s = new ox.Store();
    s.load(fs.readFileSync(${JSON.stringify(table)}, 'utf8'), { format: 'application/n-triples', to_graph_name: ox.namedNode(${JSON.stringify(GRAPH)}), no_transaction: true });
    process.stdout.write(String(s.size) + '\\n'); setInterval(() => {}, 1000); })`;
  return timedChild(['-e', code], (out) => /^\d+\n/.test(out));
}

/** The server's modules alone: node importing dist/src/http/server.js and the context. */
async function moduleLoad(): Promise<Start> {
  const ctxModule = fileURLToPath(new URL('../src/service/context.js', import.meta.url));
  const code = `Promise.all([import(${JSON.stringify(SERVER_MODULE)}), import(${JSON.stringify(ctxModule)})]).then(() => { process.stdout.write('ok\\n'); setInterval(() => {}, 1000); })`;
  return timedChild(['-e', code], (out) => out.startsWith('ok'));
}

async function timedChild(args: string[], done: (out: string) => boolean): Promise<Start> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: fileURLToPath(new URL('../..', import.meta.url)) });
  let err = '';
  child.stderr!.on('data', (d) => { err += d; });
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d) => { out += d; if (done(out)) resolve(); });
      child.once('exit', (c) => reject(new Error(`child exited (${c}):\n${err.slice(-2000)}`)));
    });
    const wallS = (performance.now() - t0) / 1000;
    return { wallS, listenS: wallS, cpuS: cpuSeconds(child.pid!) };
  } finally {
    await stopChild(child);
  }
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

export interface RestartResult { triples: number; runs: number; rows: { name: string; wallS: number; listenS: number; cpuS: number }[] }

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'syndb-restart-'));
  const table = join(work, 'synapse.nt');
  const dirs: string[] = [];
  try {
    log(`restart bench: ${TRIPLES.toLocaleString('en')} triples, ${RUNS} run(s) of every configuration, interleaved`);
    await writeTable(table, TRIPLES);
    const journal = await prepare('journal', table);
    const snapshot = await prepare('snapshot', table);
    dirs.push(journal, snapshot);
    const configs: { name: string; run: () => Promise<Start> }[] = [
      { name: 'service, snapshot, 1 replica', run: () => startService(snapshot, 1) },
      { name: 'service, snapshot, 2 replicas', run: () => startService(snapshot, 2) },
      { name: 'service, journal replay, 1 replica', run: () => startService(journal, 1) },
      { name: 'service, journal replay, 2 replicas', run: () => startService(journal, 2) },
      { name: 'Store.load (no_transaction), own process', run: () => rawLoad(table) },
      { name: 'module loading only (server + context)', run: () => moduleLoad() },
    ];
    const samples = configs.map(() => [] as Start[]);
    for (let r = 0; r < RUNS; r++) {
      for (const [i, c] of configs.entries()) {
        const s = await c.run();
        log(`  run ${r + 1}: ${c.name}: ${s.wallS.toFixed(2)} s wall, ${s.cpuS.toFixed(2)} CPU-s`);
        samples[i].push(s);
      }
    }
    const result: RestartResult = {
      triples: TRIPLES, runs: RUNS,
      rows: configs.map((c, i) => ({ name: c.name, wallS: median(samples[i].map((s) => s.wallS)), listenS: median(samples[i].map((s) => s.listenS)), cpuS: median(samples[i].map((s) => s.cpuS)) })),
    };
    if (JSON_OUT) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    const raw = result.rows[4];
    console.log(`\n${TRIPLES.toLocaleString('en')} triples; medians of ${RUNS} run(s); goal P5: first answer ≤ 10 s`);
    console.log('| configuration | first answer (s, wall) | listening (s) | CPU-s until answer | wall / Store.load | CPU / Store.load |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const row of result.rows) {
      console.log(`| ${row.name} | ${row.wallS.toFixed(2)} | ${row.listenS.toFixed(2)} | ${row.cpuS.toFixed(2)} | ${(row.wallS / raw.wallS).toFixed(2)}x | ${(row.cpuS / raw.cpuS).toFixed(2)}x |`);
    }
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`restart bench failed: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
