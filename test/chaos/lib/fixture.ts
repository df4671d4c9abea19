/**
 * The service every chaos run attacks: a fresh data directory, two contributors (the owner of the
 * targets and another one), a published dataset with a synapse table and a draft-only dataset.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createToken, startService, CHAOS_ADMIN, type ServiceProcess } from './service-process.js';
import { send } from './send.js';
import type { CorpusTargets, Who } from './corpus.js';

export const BASE_IRI = 'http://localhost:3030';

export const datasetJson = (id: string, title = `Chaos ${id}`, extra: Record<string, unknown> = {}) => JSON.stringify({
  id, title, description: `${title}: a dataset the chaos suite writes`, creators: [{ name: 'Doe, Jane' }], license: 'CC-BY-4.0',
  species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['synapse'], ...extra,
});

export interface ChaosService {
  svc: ServiceProcess;
  dataDir: string;
  tokens: Record<Who | 'admin', string | undefined>;
  targets: CorpusTargets;
  restart(extra?: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

async function expectStatus(p: Promise<{ status: number; body: string }>, want: number, what: string) {
  const r = await p;
  if (r.status !== want) throw new Error(`${what}: expected ${want}, got ${r.status}: ${r.body.slice(0, 500)}`);
}

export async function startChaosService(extra: Record<string, string> = {}): Promise<ChaosService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'syndb-chaos-'));
  const owner = createToken(dataDir, 'chaos-owner');
  const other = createToken(dataDir, 'chaos-other');
  const cs: ChaosService = {
    svc: await startService(dataDir, extra),
    dataDir,
    tokens: { anon: undefined, owner, other, admin: CHAOS_ADMIN },
    targets: { draft: 'chaos-draft', published: 'chaos-published', base: BASE_IRI },
    async restart(more = {}) { await cs.svc.stop(); cs.svc = await startService(dataDir, { ...extra, ...more }); },
    async close() { await cs.svc.stop(); rmSync(dataDir, { recursive: true, force: true }); },
  };
  const url = cs.svc.url;
  const json = { 'content-type': 'application/json' };
  await expectStatus(send(url, 'POST', '/datasets', { token: owner, headers: json, body: datasetJson('chaos-published') }), 201, 'create published');
  await expectStatus(send(url, 'PUT', '/datasets/chaos-published/tables/synapse', { token: owner, headers: { 'content-type': 'text/csv' }, body: 'cid,voxel_volume\ns1,100\ns2,200\n' }), 201, 'table upload');
  await expectStatus(send(url, 'POST', '/datasets/chaos-published/versions', { token: owner, headers: json, body: '{}' }), 201, 'publish');
  await expectStatus(send(url, 'POST', '/datasets', { token: owner, headers: json, body: datasetJson('chaos-draft') }), 201, 'create draft');
  return cs;
}

/** Every quad of the store with its graph, sorted, hashed (admin SPARQL), and the count. */
export async function storeDigest(url: string): Promise<{ quads: number; sha256: string }> {
  const r = await send(url, 'POST', '/sparql', { token: CHAOS_ADMIN, headers: { 'content-type': 'application/sparql-query', accept: 'text/tab-separated-values' }, body: 'SELECT ?g ?s ?p ?o WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }', timeoutMs: 120_000, maxBody: Infinity });
  if (r.status !== 200) throw new Error(`store dump failed: ${r.status} ${r.body.slice(0, 300)}`);
  const lines = r.body.split('\n').slice(1).filter(Boolean).map((l) => l.replace(/_:[A-Za-z0-9]+/g, '_:b')).sort();
  const digest = { quads: lines.length, sha256: createHash('sha256').update(lines.join('\n')).digest('hex') };
  // the lines themselves, not enumerable (toEqual compares the digest), for digestDiff
  return Object.defineProperty(digest, 'lines', { value: lines, enumerable: false });
}

/** The quads one digest has and the other lacks (first `max` each), to name what a request changed. */
export function digestDiff(before: object, after: object, max = 15): string {
  const a = new Set((before as { lines?: string[] }).lines ?? []);
  const b = new Set((after as { lines?: string[] }).lines ?? []);
  const gone = [...a].filter((l) => !b.has(l));
  const added = [...b].filter((l) => !a.has(l));
  return [`${gone.length} quads gone, ${added.length} added`, ...gone.slice(0, max).map((l) => `- ${l.slice(0, 300)}`), ...added.slice(0, max).map((l) => `+ ${l.slice(0, 300)}`)].join('\n');
}

/** A normal read and a normal write by the owner; both must succeed. `n` makes each write new. */
export async function normalRoundTrip(cs: ChaosService, n: number): Promise<{ query: number; write: number; detail: string }> {
  const q = await send(cs.svc.url, 'GET', `/sparql?query=${encodeURIComponent('SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://www.w3.org/ns/dcat#Dataset> }')}`, { headers: { accept: 'application/sparql-results+json' }, timeoutMs: 60_000 });
  const w = await send(cs.svc.url, 'PUT', `/datasets/${cs.targets.draft}`, { token: cs.tokens.owner, headers: { 'content-type': 'application/json' }, body: datasetJson(cs.targets.draft, `Chaos draft edit ${n}`), timeoutMs: 60_000 });
  return { query: q.status, write: w.status, detail: `${q.body.slice(0, 200)} | ${w.body.slice(0, 300)}` };
}
