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
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GRAPH, S, cpuSeconds, median, prepareDataDir, row, sparql, spawnService, stopChild, writeTable } from './service-process.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const QUICK = process.argv.includes('--quick');
const TRIPLES = Number(arg('triples', QUICK ? '100000' : '1000000'));
const RUNS = Number(arg('runs', QUICK ? '1' : '3'));
const JSON_OUT = process.argv.includes('--json');
const PROBE = row(4242);
const SERVER_MODULE = fileURLToPath(new URL('../src/http/server.js', import.meta.url));
const log = (m: string) => process.stderr.write(`${m}\n`);

interface Start { wallS: number; listenS: number; cpuS: number }

/** Start the service on `dataDir`, wait for a correct answer to the probe, stop it (clean, without a new snapshot when nothing changed). */
async function startService(dataDir: string, workers: number): Promise<Start> {
  const svc = await spawnService(dataDir, { SYNDB_STORE_WORKERS: String(workers) });
  try {
    const q = `ASK { GRAPH <${GRAPH}> { <${PROBE}> <${S}cid> "4242" } }`;
    for (;;) {
      const r = await sparql(svc.url, q);
      if (!(r instanceof Error) && r.ok) {
        const j = (await r.json()) as { boolean?: boolean };
        if (j.boolean !== true) throw new Error(`the restarted service does not hold <${PROBE}>: answered ${JSON.stringify(j)}`);
        break;
      }
      if (r instanceof Response && r.status !== 503) throw new Error(`probe query failed: HTTP ${r.status} ${await r.text()}`);
      if (performance.now() - svc.startedAt > 300_000) throw new Error('the service did not answer within 300 s');
      await new Promise((res) => setTimeout(res, 20));
    }
    return { wallS: (performance.now() - svc.startedAt) / 1000, listenS: svc.listenS, cpuS: cpuSeconds(svc.child.pid!) };
  } finally {
    await stopChild(svc.child);
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


export interface RestartResult { triples: number; runs: number; rows: { name: string; wallS: number; listenS: number; cpuS: number }[] }

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'syndb-restart-'));
  const table = join(work, 'synapse.nt');
  const dirs: string[] = [];
  try {
    log(`restart bench: ${TRIPLES.toLocaleString('en')} triples, ${RUNS} run(s) of every configuration, interleaved`);
    await writeTable(table, TRIPLES);
    const journal = await prepareDataDir('journal', table);
    const snapshot = await prepareDataDir('snapshot', table);
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
