/**
 * The long chaos runs (test/chaos/ runs the short ones in CI):
 *   npm run build && node dist/bench/chaos.js [--requests 10000] [--kills 100] [--clients 16] [--seconds 60] [--only requests|kills|load]
 * 1. hostile requests: counts by status, 5xx, hangs, store digest before/after;
 * 2. kill -9 cycles with concurrent writers: acknowledged writes checked, lost, failed restarts, restart times;
 * 3. load: N-1 clients send hostile and heavy queries for S seconds while one innocent client sends a
 *    simple query every 100 ms: its latency p50/p99/max, the statuses everyone got, CPU-seconds.
 */
import { parseArgs } from 'node:util';
import { hostileRequests } from '../test/chaos/lib/corpus.js';
import { hostileQueries } from '../test/chaos/lib/hostile-queries.js';
import { send, pool } from '../test/chaos/lib/send.js';
import { startChaosService, storeDigest, normalRoundTrip } from '../test/chaos/lib/fixture.js';
import { killCycles } from '../test/chaos/lib/kill-cycles.js';

const { values } = parseArgs({ options: {
  requests: { type: 'string', default: '10000' }, kills: { type: 'string', default: '100' },
  clients: { type: 'string', default: '16' }, seconds: { type: 'string', default: '60' }, only: { type: 'string' },
} });
const want = (k: string) => !values.only || values.only === k;
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN; };
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

if (want('requests')) {
  const cs = await startChaosService();
  const n = Number(values.requests);
  const before = await storeDigest(cs.svc.url);
  const statuses = new Map<number, number>();
  let fivexx = 0; let hangs = 0;
  const t0 = performance.now();
  await pool(hostileRequests(cs.targets, n, 2026), 8, async (r, i) => {
    const res = await send(cs.svc.url, r.method, r.path, { headers: r.headers, body: r.body, token: cs.tokens[r.who], timeoutMs: 60_000 });
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    if (res.hang) hangs++;
    else if (res.status >= 500) { fivexx++; if (fivexx <= 10) console.log(`  5xx: ${res.status} ${r.method} ${r.path.slice(0, 100)} (${r.name})`); }
    if ((i + 1) % 2000 === 0) console.log(`  ${i + 1}/${n} requests`);
  });
  const after = await storeDigest(cs.svc.url);
  const rt = await normalRoundTrip(cs, 1);
  console.log(`hostile requests: ${n} in ${((performance.now() - t0) / 1000).toFixed(1)} s; 5xx ${fivexx}; hangs ${hangs}; process alive ${!cs.svc.exited()}; store unchanged ${after.sha256 === before.sha256} (${after.quads} quads); normal query ${rt.query}, write ${rt.write}`);
  console.log(`  statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
  await cs.close();
}

if (want('kills')) {
  const cs = await startChaosService();
  const t0 = performance.now();
  const r = await killCycles(cs, Number(values.kills), 2026, (s) => { if (/cycle (\d+)\//.exec(s)?.[1].endsWith('0')) console.log(`  ${s}`); });
  console.log(`kill -9: ${r.cycles} cycles in ${((performance.now() - t0) / 1000).toFixed(0)} s; acknowledged writes checked ${r.acked}; lost ${r.lost.length}; failed restarts ${r.failedRestarts.length}; restart p50 ${Math.round(pct(r.restartMs, 0.5))} ms, max ${Math.round(Math.max(...r.restartMs))} ms`);
  for (const l of [...r.lost, ...r.failedRestarts].slice(0, 10)) console.log(`  ${l}`);
  await cs.close();
}

if (want('load')) {
  const cs = await startChaosService();
  const clients = Number(values.clients);
  const until = performance.now() + Number(values.seconds) * 1000;
  const hostile = hostileQueries().filter((h) => h.query.length < 200_000);
  const statuses = new Map<number, number>();
  const innocent: number[] = [];
  let innocentFailed = 0;
  const cpu0 = cpu();
  const t0 = performance.now();
  await Promise.all([
    ...Array.from({ length: clients - 1 }, async (_, c) => {
      let i = c;
      while (performance.now() < until) {
        const h = hostile[i++ % hostile.length];
        const r = await send(cs.svc.url, 'POST', `/sparql?${h.params ?? 'timeout=2000'}`, { headers: { 'content-type': 'application/sparql-query' }, body: h.query, timeoutMs: 60_000 });
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 429 || r.status === 503) await new Promise((res) => setTimeout(res, 50));
      }
    }),
    (async () => {
      while (performance.now() < until) {
        const r = await send(cs.svc.url, 'GET', `/sparql?query=${encodeURIComponent('ASK { ?s a <http://www.w3.org/ns/dcat#Dataset> }')}`, { token: cs.tokens.other, headers: { accept: 'application/sparql-results+json' }, timeoutMs: 60_000 });
        if (r.status === 200) innocent.push(r.ms); else innocentFailed++;
        await new Promise((res) => setTimeout(res, 100));
      }
    })(),
  ]);
  const rt = await normalRoundTrip(cs, 2);
  console.log(`load: ${clients - 1} hostile clients + 1 innocent for ${values.seconds} s (wall ${((performance.now() - t0) / 1000).toFixed(1)} s, bench CPU ${(cpu() - cpu0).toFixed(1)} s)`);
  console.log(`  innocent simple query: ${innocent.length} answered, ${innocentFailed} refused/failed; p50 ${pct(innocent, 0.5).toFixed(0)} ms, p99 ${pct(innocent, 0.99).toFixed(0)} ms, max ${Math.max(...innocent).toFixed(0)} ms; over 1 s: ${innocent.filter((x) => x > 1000).length}`);
  console.log(`  hostile statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}; afterwards query ${rt.query}, write ${rt.write}; process alive ${!cs.svc.exited()}`);
  await cs.close();
}
