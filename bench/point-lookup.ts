/**
 * Point-lookup overhead (P2, printed, not asserted): one SPARQL point lookup through our HTTP
 * endpoint (`syndb serve` in its own process: HTTP, access control, the hand-off to a replica
 * worker and back) against the same query on oxigraph in-process, on the same synapse table.
 *
 *   npm run build && node dist/bench/point-lookup.js [--triples 100000] [--queries 2000] [--json]
 *
 * Blocks of 50 queries alternate between the two (A B A B …) so machine load hits both alike.
 * Printed: median latency (ms, wall) per engine and ours minus oxigraph (goal ≤ 1 ms), and the
 * CPU time per query: for ours the server process (/proc/<pid>/stat, all threads) plus this
 * client process, for oxigraph this process (process.cpuUsage).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import oxigraph from 'oxigraph';
import { GRAPH, cpuSeconds, median, prepareDataDir, row, sparql, spawnService, stopChild, writeTable } from './service-process.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const QUICK = process.argv.includes('--quick');
const TRIPLES = Number(arg('triples', '100000'));
const QUERIES = Number(arg('queries', QUICK ? '400' : '2000'));
const BLOCK = 50;
const rows = Math.ceil(TRIPLES / 10);
const query = (i: number) => `SELECT ?p ?o WHERE { GRAPH <${GRAPH}> { <${row((i * 7919) % rows)}> ?p ?o } }`;

export interface PointLookupResult { triples: number; queries: number; oursMs: number; oxigraphMs: number; oursCpuMs: number; serverCpuMs: number; oxigraphCpuMs: number }

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'syndb-point-'));
  const table = join(work, 'synapse.nt');
  let dataDir: string | undefined;
  try {
    await writeTable(table, TRIPLES);
    const ox = new oxigraph.Store();
    ox.load(readFileSync(table, 'utf8'), { format: 'application/n-triples', to_graph_name: oxigraph.namedNode(GRAPH), no_transaction: true });
    dataDir = await prepareDataDir('snapshot', table);
    const svc = await spawnService(dataDir);
    try {
      const ours: number[] = [];
      const oxi: number[] = [];
      let oursCpu = 0;
      let serverCpu = 0;
      let oxCpu = 0;
      const ask = async (i: number) => {
        const r = await sparql(svc.url, query(i));
        if (r instanceof Error) throw new Error(`our endpoint failed: ${r.message}`);
        const j = (await r.json()) as { results?: { bindings: unknown[] } };
        if (!r.ok || j.results?.bindings.length !== 10) throw new Error(`our endpoint answered HTTP ${r.status} with ${JSON.stringify(j).slice(0, 300)}`);
      };
      for (let i = 0; i < 100; i++) { await ask(i); ox.query(query(i)); } // warm-up
      for (let done = 0; done < QUERIES; done += BLOCK) {
        let c0 = process.cpuUsage();
        const s0 = cpuSeconds(svc.child.pid!);
        for (let i = done; i < done + BLOCK; i++) {
          const t = performance.now();
          await ask(i);
          ours.push(performance.now() - t);
        }
        let c = process.cpuUsage(c0);
        const server = (cpuSeconds(svc.child.pid!) - s0) * 1000;
        serverCpu += server;
        oursCpu += (c.user + c.system) / 1000 + server;
        c0 = process.cpuUsage();
        for (let i = done; i < done + BLOCK; i++) {
          const t = performance.now();
          const res = ox.query(query(i)) as unknown[];
          oxi.push(performance.now() - t);
          if (res.length !== 10) throw new Error(`oxigraph found ${res.length} triples, expected 10`);
        }
        c = process.cpuUsage(c0);
        oxCpu += (c.user + c.system) / 1000;
      }
      const r: PointLookupResult = { triples: TRIPLES, queries: ours.length, oursMs: median(ours), oxigraphMs: median(oxi), oursCpuMs: oursCpu / ours.length, serverCpuMs: serverCpu / ours.length, oxigraphCpuMs: oxCpu / oxi.length };
      if (process.argv.includes('--json')) { process.stdout.write(`${JSON.stringify(r)}\n`); return; }
      console.log(`point lookup, ${TRIPLES.toLocaleString('en')} triples, ${r.queries} queries each, interleaved in blocks of ${BLOCK}; goal P2: ours − oxigraph ≤ 1 ms`);
      console.log('| engine | median ms (wall) | CPU ms / query |');
      console.log('|---|---:|---:|');
      console.log(`| ours: HTTP + replica worker (server in its own process) | ${r.oursMs.toFixed(3)} | ${r.oursCpuMs.toFixed(3)} (server ${r.serverCpuMs.toFixed(3)} + client) |`);
      console.log(`| oxigraph in-process | ${r.oxigraphMs.toFixed(3)} | ${r.oxigraphCpuMs.toFixed(3)} |`);
      console.log(`| ours − oxigraph | ${(r.oursMs - r.oxigraphMs).toFixed(3)} | ${(r.oursCpuMs - r.oxigraphCpuMs).toFixed(3)} |`);
    } finally {
      await stopChild(svc.child);
    }
  } finally {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`point-lookup bench failed: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
