/**
 * Recovery of the remote store (remote-store.ts, "Atomic writes without server transactions"):
 * interrupted writes finished from their write-ahead records — committed ones with complete
 * staging rolled forward, the rest rolled back — staging graphs of applied transactions dropped,
 * resumable loads not touched for uploadKeepMs dropped, and the registry of our graphs read again.
 */
import { StoreError } from '../graph-store.js';
import { NS, WAL_GRAPH, REGISTRY_GRAPH, UPLOADS_GRAPH, UPLOAD_PREFIX } from './graphs.js';
import type { Plan } from './plan.js';
import type { Lease } from './lease.js';
import type { RemoteRequests } from './requests.js';
import type { RemoteWrites } from './writes.js';

/** What recovery needs of the store that runs it (RemoteStore). */
export interface RecoveryHost {
  requests: RemoteRequests;
  writes: RemoteWrites;
  lease?: Lease;
  /** Our graphs (the registry), cached: refilled from the registry. */
  known: Set<string>;
  warn(message: string): void;
  uploadKeepMs: number;
}

/** Refill the cached registry of our graphs. */
async function readRegistry(host: RecoveryHost): Promise<void> {
  const reg = await host.requests.internalSelect(`SELECT ?g WHERE { GRAPH <${REGISTRY_GRAPH}> { ?g a <${NS}Graph> } }`, 'reading the graph registry');
  host.known.clear();
  for (const r of reg) host.known.add(r.g.value);
}

/**
 * Finish interrupted writes (see the header). Only in the process holding the lease (another one
 * could be writing those records right now); without it, only the registry is read.
 */
export async function recoverWrites(host: RecoveryHost): Promise<void> {
  const { requests, writes } = host;
  if (host.lease && !host.lease.held) {
    writes.needsRecovery = false;
    await readRegistry(host);
    return;
  }
  const rows = await requests.internalSelect(
    `SELECT ?tx ?plan ?state WHERE { GRAPH <${WAL_GRAPH}> { ?tx <${NS}plan> ?plan OPTIONAL { ?tx <${NS}state> ?state } } }`,
    'reading the write-ahead records',
  );
  const loadsInUse = new Set<string>();
  for (const r of rows) {
    let plan: Plan;
    try {
      plan = JSON.parse(r.plan.value) as Plan;
    } catch {
      host.warn(`dropping an unreadable write-ahead record ${r.tx.value}`);
      await requests.update(`DELETE WHERE { GRAPH <${WAL_GRAPH}> { <${r.tx.value}> ?p ?o } }`, 'dropping a damaged write-ahead record');
      continue;
    }
    if (plan.upload) loadsInUse.add(plan.upload);
    if (writes.inflight.has(plan.tx)) continue;
    const committed = !writes.aborted.has(plan.tx) && r.state?.value === 'committed' && (await writes.verifyStaging(plan, false));
    if (committed) {
      host.warn(`finishing transaction ${plan.tx}, committed but interrupted before it was applied`);
      if (!(await writes.apply(plan, 0))) throw new StoreError(`transaction ${plan.tx} could not be applied yet; the SPARQL server is not available`, 'unavailable');
    } else {
      host.warn(`rolling back transaction ${plan.tx}, interrupted before its commit point`);
      await writes.rollback(plan);
    }
    writes.aborted.delete(plan.tx);
  }
  // staging graphs of applied transactions whose drop was cut off
  const drops = await requests.internalSelect(`SELECT ?d ?g WHERE { GRAPH <${WAL_GRAPH}> { ?d <${NS}staging> ?g } }`, 'reading the staging graphs to drop');
  const byRecord = new Map<string, string[]>();
  for (const d of drops) byRecord.set(d.d.value, [...(byRecord.get(d.d.value) ?? []), d.g.value]);
  for (const [rec, graphs] of byRecord) {
    await requests.update([...graphs.map((g) => `DROP SILENT GRAPH <${g}>`), `DELETE WHERE { GRAPH <${WAL_GRAPH}> { <${rec}> ?p ?o } }`].join(' ;\n'), 'dropping staging graphs of applied transactions');
  }
  // resumable loads: keep the recent ones (a retry continues them), drop the old ones
  const loads = await requests.internalSelect(
    `SELECT ?u ?t ?k WHERE { GRAPH <${UPLOADS_GRAPH}> { { ?u <${NS}created> ?t } UNION { ?u <${NS}chunk> ?c BIND(STRAFTER(STRAFTER(STRAFTER(STRAFTER(?c, "|"), "|"), "|"), "|") AS ?t) } UNION { ?u <${NS}slice> ?k } } }`,
    'reading the records of resumable loads',
  );
  const lastTouched = new Map<string, number>();
  const slicesOf = new Map<string, number[]>();
  for (const l of loads) {
    const key = l.u.value.slice(`${NS}upload/`.length);
    lastTouched.set(key, Math.max(lastTouched.get(key) ?? 0, l.t ? Number(l.t.value) : 0));
    if (l.k) slicesOf.set(key, [...(slicesOf.get(key) ?? []), Number(l.k.value)]);
  }
  for (const [key, t] of lastTouched) {
    if (loadsInUse.has(key) || Date.now() - t < host.uploadKeepMs) continue;
    host.warn(`dropping the staged part of a load not resumed for ${Math.round((Date.now() - t) / 3600_000)} h`);
    const drops = (slicesOf.get(key) ?? []).map((k) => `DROP SILENT GRAPH <${UPLOAD_PREFIX}${key}:${k}>`);
    await requests.update([...drops, `DELETE WHERE { GRAPH <${UPLOADS_GRAPH}> { <${NS}upload/${key}> ?p ?o } }`].join(' ;\n'), 'dropping an old resumable load');
  }
  // No scan for staging graphs that no record names (it reads every quad: 1.9 s per million
  // measured on Virtuoso): every staging graph is named by a transaction record, a load record or
  // a drop record from before it is written until after it is dropped.
  await readRegistry(host);
  writes.needsRecovery = false;
}
