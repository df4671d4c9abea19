/**
 * `npm run bench`: runs the goal benches, each in its own process, one after another, and prints
 * one table of the goals P1–P5 with the figures of this run, each against the peers that bench
 * measured in the same run. `--quick` passes --quick to each (small sizes, fewer runs: a few
 * minutes in all); goals are printed, never asserted.
 *
 *   P1, P3  bench/tables.ts --goals   validated durable table ingest over HTTP against Jena
 *                                     `shacl validate` + `tdbloader` and raw `Store.load` of the
 *                                     same triples (wall and CPU); the service's RSS holding them
 *   P2      bench/point-lookup.ts     point lookup over HTTP against in-process oxigraph
 *           bench/sparql.ts           the query mix over HTTP against in-process oxigraph, and
 *                                     ours on Virtuoso against Virtuoso's own endpoint on the
 *                                     same graphs; Virtuoso and Jena for reference (wall and CPU)
 *   P4      bench/search.ts           landing page, JSON-LD, BibTeX, faceted search p95 at 1,000
 *                                     datasets, client in its own process
 *   P5      bench/restart.ts          restart to the first answer against Store.load
 *
 * A bench that fails (a peer that cannot run included) fails this run: the others still run, its
 * rows say FAILED with its message, and the exit code is 1. The benches' own tables go to stderr.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PointLookupResult } from './point-lookup.js';
import type { RestartResult } from './restart.js';
import type { SearchResult } from './search.js';
import type { SparqlResult } from './sparql.js';
import type { TablesGoalResult } from './tables.js';

const quick = process.argv.includes('--quick') ? ['--quick'] : [];
const failures: string[] = [];

/** Run bench/<name>.js --json (its stderr passed through); its last stdout line parsed; a non-zero exit is a failure (the figures, if printed, still used). */
async function bench<T>(name: string, args: string[] = []): Promise<T | undefined> {
  const file = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
  const argv = [file, ...args, '--json', ...quick];
  process.stderr.write(`\n>>> node ${argv.map((a) => a.replace(/^.*\/dist\//, 'dist/')).join(' ')}\n`);
  const t = performance.now();
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout.on('data', (d: Buffer) => { out += d; });
  child.stderr.on('data', (d: Buffer) => { err += d; process.stderr.write(d); });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  process.stderr.write(`<<< ${name}: exit ${code}, ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
  let value: T | undefined;
  try {
    value = JSON.parse(out.trim().split('\n').at(-1) ?? '') as T;
  } catch {
    value = undefined;
  }
  if (code !== 0) failures.push(`bench/${name}.ts exited with ${code}: ${err.trim().split('\n').slice(-4).join(' / ')}`);
  else if (!value) failures.push(`bench/${name}.ts printed no JSON figures`);
  return value;
}

const s2 = (x: number | null | undefined) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(2) : '-');
const s1 = (x: number | null | undefined) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(1) : '-');
const times = (a: number | null | undefined, b: number | null | undefined) => (typeof a === 'number' && typeof b === 'number' && Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : '-');
const gb = (b: number) => `${(b / 2 ** 30).toFixed(2)} GB`;
const geomean = (xs: number[]) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);

type Line = [goal: string, target: string, run: string, ratio: string];

function p1p3(t: TablesGoalResult | undefined): Line[] {
  if (!t) return [['P1, P3 table ingest (bench/tables.ts --goals)', '', 'FAILED (see below)', '']];
  const n = t.distinct ?? t.triples;
  const ours = `ours ${s2(t.ours.wall)} s wall, ${s2(t.ours.cpu)} CPU-s`;
  return [
    [`P1 validated durable table ingest, ${n.toLocaleString('en')} triples, vs Jena shacl validate + tdbloader`, '≥ 3x (wall and CPU)', `${ours}; Jena ${s2(t.jena.wall)} s, ${s2(t.jena.cpu)} CPU-s`, `${times(t.jena.wall, t.ours.wall)} wall, ${times(t.jena.cpu, t.ours.cpu)} CPU`],
    [`P1 the same vs raw Store.load of the same triples`, '≥ 1.0x (wall and CPU)', `${ours}; Store.load ${s2(t.storeLoad.wall)} s, ${s2(t.storeLoad.cpu)} CPU-s`, `${times(t.storeLoad.wall, t.ours.wall)} wall, ${times(t.storeLoad.cpu, t.ours.cpu)} CPU`],
    [`P3 RSS of the service holding ${n.toLocaleString('en')} triples (default configuration, ${t.ours.replicas} replicas)${n < 5_000_000 ? '; the goal is at 5 M' : ''}`, '≤ 3 GB at 5 M triples', `peak ${gb(t.ours.peakRssBytes)}, ${gb(t.ours.rssBytes)} once idle`, `${times(t.ours.peakRssBytes, 3 * 2 ** 30)} of 3 GB`],
  ];
}

function p2(p: PointLookupResult | undefined, s: SparqlResult | undefined): Line[] {
  const lines: Line[] = [];
  if (p) lines.push([`P2 point lookup over HTTP − in-process oxigraph, ${p.triples.toLocaleString('en')} triples`, '≤ 1 ms', `${(p.oursMs - p.oxigraphMs).toFixed(2)} ms (${p.oursMs.toFixed(2)} vs ${p.oxigraphMs.toFixed(2)} median)`, `${times(p.oursCpuMs, p.oxigraphCpuMs)} CPU a query`]);
  else lines.push(['P2 point lookup (bench/point-lookup.ts)', '≤ 1 ms', 'FAILED (see below)', '']);
  const size = s?.sizes.at(-1);
  if (!size) return [...lines, ['P2 scans and joins (bench/sparql.ts)', 'within 10 %', 'FAILED (see below)', '']];
  const scans = size.queries.filter((q) => q.kind !== 'point');
  const at = `${size.synapses.toLocaleString('en')} synapses, medians of ${size.runs}`;
  /** ours ÷ peer per query, wall and CPU: geometric mean and the slowest query. */
  const compare = (label: string, goal: string, mix: typeof scans, ours: string, peer: string) => {
    const r = (k: 'ms' | 'cpuMs') => mix.map((q) => ({ name: q.name, x: (q[k][ours] ?? NaN) / (q[k][peer] ?? NaN) })).filter((v) => Number.isFinite(v.x));
    const wall = r('ms'), cpu = r('cpuMs');
    if (!size.engines.includes(peer) || !size.engines.includes(ours)) { lines.push([label, goal, `FAILED: ${!size.engines.includes(peer) ? peer : ours} did not run`, '']); return; }
    if (!wall.length) { lines.push([label, goal, 'FAILED: no query ran on both', '']); return; }
    const worst = wall.reduce((a, b) => (b.x > a.x ? b : a));
    lines.push([label, goal, `slowest: ${worst.name} ${worst.x.toFixed(2)}x wall`, `${geomean(wall.map((v) => v.x)).toFixed(2)}x wall, ${cpu.length ? geomean(cpu.map((v) => v.x)).toFixed(2) : '-'}x CPU (geometric mean of ${wall.length})`]);
  };
  compare(`P2 scans, filters, joins, aggregates, paths over HTTP (${at}) vs in-process oxigraph`, 'within 10 % (≤ 1.10x)', scans, 'ours', 'oxigraph');
  compare(`P2 ours on Virtuoso vs Virtuoso's own endpoint, same graphs and queries (${at}; CPU: ours + Virtuoso)`, 'within 10 % (≤ 1.10x)', size.queries, 'ours-v', 'virtuoso-v');
  compare(`P2 (reference) the same scans, ours vs Virtuoso's own endpoint (its loader, all in one graph)`, '', scans, 'ours', 'virtuoso');
  compare(`P2 (reference) the same scans, ours vs Jena TDB2 (bench/peers/JenaSparqlServer.java)`, '', scans, 'ours', 'jena');
  if (size.differ.length) lines.push(['P2 result counts', 'equal on every engine', `DIFFER: ${size.differ.join('; ')}`, '']);
  for (const m of s!.missing) lines.push([`P2 peer missing: ${m.split(':')[0]}`, '', `MISSING: ${m}`, '']);
  return lines;
}

function p4(s: SearchResult | undefined): Line[] {
  if (!s) return [['P4 pages and search (bench/search.ts)', '', 'FAILED (see below)', '']];
  const json = s.ops.find((o) => o.name.includes('search, JSON'));
  return s.ops.filter((o) => o.goalP95Ms).map((o): Line => [
    `P4 ${o.name}, ${s.datasets.toLocaleString('en')} datasets, client in its own process`, `p95 ≤ ${o.goalP95Ms} ms`,
    o.error ? `FAILED: ${o.error}` : `p95 ${s2(o.p95Ms)} ms (p50 ${s2(o.p50Ms)}), ${s2(o.serverCpuMs)} server CPU ms a request`,
    o === json ? `one SPARQL query instead (no facets): ${s.sparql.error ? `FAILED: ${s.sparql.error}` : `${times(s.sparql.p50Ms, o.p50Ms)} the p50`}` : '',
  ]);
}

function p5(r: RestartResult | undefined): Line[] {
  if (!r) return [['P5 restart (bench/restart.ts)', '≤ 10 s', 'FAILED (see below)', '']];
  const row = (n: string) => r.rows.find((x) => x.name.startsWith(n))!;
  const raw = row('Store.load');
  return ['service, snapshot, 1 replica', 'service, snapshot, 2 replicas', 'service, journal replay, 1 replica', 'service, journal replay, 2 replicas'].map((name): Line => {
    const x = row(name);
    return [`P5 restart to first answer, ${r.triples.toLocaleString('en')} triples (${name.replace('service, ', '')})${r.triples < 1_000_000 ? '; the goal is at 1 M' : ''}`, '≤ 10 s at 1 M', `${s1(x.wallS)} s wall, ${s1(x.cpuS)} CPU-s`, `${times(x.wallS, raw.wallS)} wall, ${times(x.cpuS, raw.cpuS)} CPU of Store.load`];
  });
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const tables = await bench<TablesGoalResult>('tables', ['--goals']);
  const point = await bench<PointLookupResult>('point-lookup');
  const sparql = await bench<SparqlResult>('sparql');
  const search = await bench<SearchResult>('search');
  const restart = await bench<RestartResult>('restart');
  const lines = [...p1p3(tables), ...p2(point, sparql), ...p4(search), ...p5(restart)];
  console.log(`\ngoals of one run${quick.length ? ' (--quick: small sizes, fewer runs)' : ''}, ${((performance.now() - t0) / 60000).toFixed(1)} min; printed, not asserted; peer ratios: the peer's time / ours for P1 (> 1: we are faster), ours / the peer's for P2 (> 1: we are slower)`);
  console.log('| goal | target | this run | ratio to peer (same run) |');
  console.log('|---|---|---|---|');
  for (const l of lines) console.log(`| ${l.join(' | ')} |`);
  if (failures.length) {
    console.log(`\n${failures.length} bench(es) failed (exit 1):\n${failures.map((f) => `  - ${f}`).join('\n')}`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error((e as Error).stack ?? e);
  process.exit(1);
});
