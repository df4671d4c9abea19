/**
 * kill -9 while concurrent writers work over HTTP, then restart: every write the service
 * acknowledged (2xx) must be there after the restart, and every restart must succeed.
 * Three writers: new datasets (POST /datasets), SPARQL updates into a free graph, and edits of one
 * draft (whose final title must be the last acknowledged one or a later attempted one).
 */
import { rng } from '../../../bench/rng.js';
import { send } from './send.js';
import { datasetJson, type ChaosService } from './fixture.js';

export interface KillReport { cycles: number; acked: number; lost: string[]; failedRestarts: string[]; restartMs: number[] }

export async function killCycles(cs: ChaosService, cycles: number, seed = 9, log: (s: string) => void = () => {}): Promise<KillReport> {
  const rand = rng(seed);
  const report: KillReport = { cycles: 0, acked: 0, lost: [], failedRestarts: [], restartMs: [] };
  const ackedDatasets: string[] = [];
  const ackedTriples: number[] = [];
  let lastAckedTitle = -1;
  let seq = 0;
  const json = { 'content-type': 'application/json' };
  for (let c = 0; c < cycles; c++) {
    const url = cs.svc.url;
    let stop = false;
    const attemptedTitles: number[] = [];
    const writers = [
      (async () => {
        while (!stop) {
          const id = `kill-${c}-${seq++}`;
          const r = await send(url, 'POST', '/datasets', { token: cs.tokens.owner, headers: json, body: datasetJson(id), timeoutMs: 30_000 });
          if (r.status === 201) ackedDatasets.push(id);
          else if (r.status !== 0) { if (!stop) await new Promise((res) => setTimeout(res, 20)); }
        }
      })(),
      (async () => {
        while (!stop) {
          const i = seq++;
          const r = await send(url, 'POST', '/sparql', { token: cs.tokens.admin, headers: { 'content-type': 'application/sparql-update' }, body: `INSERT DATA { GRAPH <urn:chaos:kill> { <urn:chaos:s${i}> <urn:chaos:p> ${i} } }`, timeoutMs: 30_000 });
          if (r.status >= 200 && r.status < 300) ackedTriples.push(i);
          else if (r.status !== 0) { if (!stop) await new Promise((res) => setTimeout(res, 20)); }
        }
      })(),
      (async () => {
        while (!stop) {
          const i = seq++;
          attemptedTitles.push(i);
          const r = await send(url, 'PUT', `/datasets/${cs.targets.draft}`, { token: cs.tokens.owner, headers: json, body: datasetJson(cs.targets.draft, `Edit ${i}`), timeoutMs: 30_000 });
          if (r.status === 200) lastAckedTitle = Math.max(lastAckedTitle, i);
        }
      })(),
    ];
    await new Promise((res) => setTimeout(res, 200 + Math.floor(rand() * 1500)));
    await cs.svc.kill9();
    stop = true;
    await Promise.all(writers);
    const t0 = performance.now();
    try {
      await cs.restart();
    } catch (e) {
      report.failedRestarts.push(`cycle ${c}: ${(e as Error).message.slice(0, 2000)}`);
      break;
    }
    report.restartMs.push(performance.now() - t0);
    report.cycles++;
    // every acknowledged write is there
    const u = cs.svc.url;
    for (const id of ackedDatasets.splice(0)) {
      const r = await send(u, 'GET', `/datasets/${id}`, { token: cs.tokens.owner, headers: { accept: 'application/ld+json' } });
      report.acked++;
      if (r.status !== 200) report.lost.push(`dataset ${id}: ${r.status}`);
      else kept.push(id);
    }
    const have = await send(u, 'POST', '/sparql', { token: cs.tokens.admin, headers: { 'content-type': 'application/sparql-query', accept: 'text/csv' }, body: 'SELECT ?n WHERE { GRAPH <urn:chaos:kill> { ?s <urn:chaos:p> ?n } }' });
    const present = new Set(have.body.split('\n').slice(1).map((l) => l.trim()).filter(Boolean).map(Number));
    for (const i of ackedTriples.splice(0)) { report.acked++; if (!present.has(i)) report.lost.push(`update ${i}`); }
    if (lastAckedTitle >= 0) {
      const d = await send(u, 'GET', `/datasets/${cs.targets.draft}`, { token: cs.tokens.owner, headers: { accept: 'application/ld+json' } });
      const m = /Edit (\d+)/.exec(d.body);
      const now = m ? Number(m[1]) : -1;
      report.acked++;
      if (now < lastAckedTitle) report.lost.push(`draft edit ${lastAckedTitle} (found ${now})`);
    }
    log(`cycle ${c + 1}/${cycles}: restart ${Math.round(report.restartMs.at(-1)!)} ms, ${report.acked} acknowledged writes checked, ${report.lost.length} lost`);
  }
  // the datasets of earlier cycles are still there at the end
  for (const id of kept) {
    const r = await send(cs.svc.url, 'GET', `/datasets/${id}`, { token: cs.tokens.owner, headers: { accept: 'application/ld+json' } });
    if (r.status !== 200) report.lost.push(`dataset ${id} (at the end): ${r.status}`);
  }
  kept.length = 0;
  return report;
}
const kept: string[] = [];
