/**
 * Bench helpers for a service in its own process: the synapse table as N-Triples, a data
 * directory holding it (a published dataset whose table graph was filled with the 'load' op, as
 * table uploads do), `syndb serve` started on it, and CPU-seconds and resident memory of a child
 * from /proc.
 */
import { copyFileSync, createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { configFromEnv } from '../src/service/config.js';
import { openStore } from '../src/store/open-store.js';
import { openContext } from '../src/service/context.js';

export const BASE = 'http://localhost:3030';
export const S = 'https://w3id.org/syndb/ontology#';
const XSD = 'http://www.w3.org/2001/XMLSchema#';
export const GRAPH = `${BASE}/datasets/bench/versions/1/tables/synapse`;
export const row = (r: number) => `${GRAPH}/rows/${r}`;
export const TOKEN = 'bench-admin-token';
const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

/** The synapse table as N-Triples (10 triples a row), written to `file`. */
export async function writeTable(file: string, triples: number): Promise<void> {
  const out = createWriteStream(file);
  const rows = Math.ceil(triples / 10);
  let buf: string[] = [];
  for (let r = 0; r < rows; r++) {
    const s = `<${row(r)}>`;
    buf.push(
      `${s} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <${S}Synapse> .\n`,
      `${s} <${S}cid> "${r}" .\n`,
      `${s} <${S}voxelVolume> "${(r * 0.37).toFixed(3)}"^^<${XSD}double> .\n`,
      `${s} <${S}surfaceArea> "${(r * 0.11).toFixed(3)}"^^<${XSD}double> .\n`,
      `${s} <${S}centroidX> "${r % 9973}"^^<${XSD}integer> .\n`,
      `${s} <${S}centroidY> "${r % 7919}"^^<${XSD}integer> .\n`,
      `${s} <${S}centroidZ> "${r % 6007}"^^<${XSD}integer> .\n`,
      `${s} <${S}neuron> <${row(r >> 4)}> .\n`,
      `${s} <${S}parent> <${row(r >> 5)}> .\n`,
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

/** A data directory with the table in its journal ('load' op), stopped with (snapshot) or without compaction (journal). */
export async function prepareDataDir(kind: 'journal' | 'snapshot', table: string): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), `syndb-bench-${kind}-`));
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
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // fields 14 and 15, clock ticks (USER_HZ = 100)
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  const gone = once(child, 'exit').then(() => undefined);
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return gone.finally(() => clearTimeout(t));
}

/** POST a SPARQL query to `url` as the bench admin; the Response (or the network error). */
export function sparql(url: string, query: string): Promise<Response | Error> {
  return fetch(`${url}/sparql`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/sparql-results+json' }, body: new URLSearchParams({ query }) }).catch((e: Error) => e);
}

export interface ServiceProcess { child: ChildProcess; url: string; startedAt: number; listenS: number }

/** `syndb serve` on `dataDir` (port 0, no examples); resolves at its "listening" log line; exits loudly when it dies first. */
/** Node options for the server process, e.g. `SYNDB_BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'` to profile it (NODE_OPTIONS refuses --cpu-prof). */
const SERVER_NODE_ARGS = (process.env.SYNDB_BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

export async function spawnService(dataDir: string, env: Record<string, string> = {}): Promise<ServiceProcess> {
  const startedAt = performance.now();
  const child = spawn(process.execPath, [...SERVER_NODE_ARGS, MAIN, 'serve'], {
    env: { ...process.env, SYNDB_DATA_DIR: dataDir, SYNDB_BASE_IRI: BASE, PORT: '0', SYNDB_EXAMPLES: '0', SYNDB_ADMIN_TOKEN: TOKEN, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += d;
        const m = /"msg":"listening"[^\n]*?"url":"([^"]+)"/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`syndb serve exited (${code}) before listening:\n${stderr.slice(-2000)}`)));
    });
    return { child, url, startedAt, listenS: (performance.now() - startedAt) / 1000 };
  } catch (e) {
    await stopChild(child);
    throw e;
  }
}

export const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

/** Wait until every replica of the service at `url` is serving (/health/ready), e.g. the ones a start loads in the background. */
export async function allReplicasServing(url: string, timeoutMs = 600_000): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const r = await fetch(`${url}/health/ready`).catch((e: Error) => e);
    if (!(r instanceof Error)) {
      const j = (await r.json().catch(() => ({}))) as { store?: { replicas?: Array<{ state: string }> } };
      const reps = j.store?.replicas ?? [];
      if (reps.some((x) => x.state === 'failed')) throw new Error(`a replica failed: ${JSON.stringify(reps)}`);
      if (r.ok && reps.length && reps.every((x) => x.state === 'serving')) return reps.length;
    }
    if (performance.now() - t0 > timeoutMs) throw new Error(`the replicas of ${url} were not all serving within ${timeoutMs / 1000} s`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** Resident memory of a process (Linux /proc/<pid>/status): now and its peak (VmHWM), bytes. */
export function rssBytes(pid: number | 'self' = 'self'): { rss: number; peak: number } {
  const st = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(st)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}
