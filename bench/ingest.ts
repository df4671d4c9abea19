/**
 * Ingest throughput and restart time through the service (parse -> SHACL -> durable store with
 * provenance), against oxigraph's own Store.load of the same N-Quads in the same run.
 *   npm run build && node dist/bench/ingest.js [triples ...]     (default: 100000 1000000)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import oxigraph from 'oxigraph';
import { configFromEnv } from '../src/service/config.js';
import { openContext } from '../src/service/context.js';
import { projectPath } from '../src/util/paths.js';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const targets = sizes.length ? sizes : [100_000, 1_000_000];
const template = JSON.parse(readFileSync(projectPath('examples/l4dense-motta2019.json'), 'utf8'));
const admin = { user: 'bench', role: 'admin' as const };

console.log('| triples | datasets | ingest s | triples/s (ours) | restart s | Store.load s | triples/s (Store.load) | ours / Store.load |');
console.log('|---|---|---|---|---|---|---|---|');
for (const target of targets) {
  const dataDir = mkdtempSync(join(tmpdir(), 'syndb-bench-'));
  const config = configFromEnv({ SYNDB_DATA_DIR: dataDir, SYNDB_BASE_IRI: 'http://localhost:3030' });
  let ctx = await openContext(config);
  const base = (await ctx.store.stats()).quads;
  const t0 = performance.now();
  let n = 0;
  while ((await ctx.store.stats()).quads - base < target) {
    const batch = 50;
    for (let i = 0; i < batch; i++) {
      await ctx.datasets.create(JSON.stringify({ ...template, id: `bench-${n}`, title: `${template.title} #${n}` }), 'json', admin);
      n++;
    }
    if (process.stderr.isTTY) process.stderr.write(`\r${n} datasets`);
  }
  const ingestS = (performance.now() - t0) / 1000;
  const triples = (await ctx.store.stats()).quads - base;
  const dumpFile = join(dataDir, 'dump.nq');
  await ctx.store.backup(dumpFile);
  await ctx.close();
  const r0 = performance.now();
  ctx = await openContext(config);
  const restartS = (performance.now() - r0) / 1000;
  await ctx.close();
  const nq = readFileSync(dumpFile, 'utf8');
  // the peer as our store loads: oxigraph's bulk path (no_transaction), CPU-seconds beside wall time
  const l0 = performance.now(), c0 = process.cpuUsage();
  const s = new oxigraph.Store();
  s.load(nq, { format: 'application/n-quads', no_transaction: true });
  const loadS = (performance.now() - l0) / 1000;
  const lc = process.cpuUsage(c0), loadCpu = (lc.user + lc.system) / 1e6;
  console.log(`  Store.load (no_transaction): ${loadS.toFixed(2)} s wall, ${loadCpu.toFixed(2)} CPU-s`);
  const ours = triples / ingestS, raw = s.size / loadS;
  console.log(`| ${triples} | ${n} | ${ingestS.toFixed(1)} | ${ours.toFixed(0)} | ${restartS.toFixed(2)} | ${loadS.toFixed(2)} | ${raw.toFixed(0)} | ${(ours / raw).toFixed(3)} |`);
  rmSync(dataDir, { recursive: true, force: true });
}
