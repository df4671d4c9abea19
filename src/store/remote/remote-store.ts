/**
 * The remote GraphStore: any SPARQL 1.1 server, spoken to only through standards — the SPARQL 1.1
 * Protocol (query + update) and, when configured, the Graph Store Protocol for bulk uploads.
 *
 * Atomic writes without server transactions. Measured on Virtuoso 7.2.5: a request of several
 * update operations is NOT atomic (when the third operation fails, the first stays applied), so
 * the store never relies on it. A transaction is written as
 *   1. a write-ahead record in the graph urn:syndb:store:wal naming, per op, the staging graphs
 *      that hold its quads and how many distinct quads each must hold, plus the staged quads
 *      themselves (one INSERT DATA when small; chunks — in parallel, each idempotent — when large);
 *   2. the commit point: the record in state "committed" with every staging graph complete;
 *   3. the switch: the ops applied in order from the staging graphs — one DELETE/INSERT operation
 *      when small, else a sequence of idempotent requests (clear in slices, DELETE … WHERE per
 *      staging graph, ADD per staging graph) — then the graphs are registered, the record deleted
 *      and the staging dropped.
 * Applying is idempotent (each op sets quads present or absent), so an interrupted switch is
 * simply run again: by the same call (retries with back-off while the server restarts), or by
 * recover(), which runs at open and before any read or write after a failed one. A record that is
 * not committed, or whose staging graphs are incomplete, is rolled back (staging dropped); its
 * transaction was never acknowledged. Staging graphs are never part of a query's dataset.
 *
 * Isolation: the server does not isolate readers from a switch (Virtuoso shows part of even one
 * DELETE/INSERT operation to concurrent readers), so this process does: a reader/writer gate over
 * graph names (gate.ts) makes every query wait while a switch is applied to a graph of its dataset,
 * and makes the switch wait for the queries already running on those graphs. Staging is not gated.
 *
 * One writer per server: a lease record (lease.ts) names the process that writes; another process
 * reads, but its writes are refused with an error naming the holder.
 *
 * Large loads (resumableLoad, resumable-load.ts): a table is staged chunk by chunk, resumably by
 * key; nothing is visible until the whole load is committed as one transaction. The plan of a
 * transaction and its update steps: plan.ts; the store's own graphs: graphs.ts.
 *
 * This module is the GraphStore that composes the parts: requests.ts (the requests sent),
 * queries.ts (queries), dumps.ts (dumps and backup), writes.ts (the write path above),
 * recovery.ts (finishing interrupted writes).
 */
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { StoreError, type Binding, type GraphLoad, type GraphStore, type QueryOptions, type QueryResult, type StoreHealth, type StoreStats, type WriteOp, selectVia, askVia } from '../graph-store.js';
import { checkIri, checkOps } from './ops.js';
import { NS, WAL_GRAPH, REGISTRY_GRAPH } from './graphs.js';
import { openResumableLoad, type ResumableLoad } from './resumable-load.js';
import { pipelinedLoad } from '../pipelined-load.js';
import { RemoteHttp } from './http.js';
import { GraphGate, type GraphSet } from './gate.js';
import { Lease } from './lease.js';
import { parseResults, normaliseNTriples, RESULTS_ACCEPT } from './results.js';
import { RemoteRequests } from './requests.js';
import { runQuery } from './queries.js';
import { dumpGraph, writeBackup } from './dumps.js';
import { RemoteWrites, type TransactOptions } from './writes.js';
import { recoverWrites } from './recovery.js';
import { storeLog, type StoreLogger } from '../store-log.js';

export interface RemoteStoreOptions {
  /** SPARQL 1.1 query endpoint (SYNDB_STORE). */
  queryUrl: string;
  /** SPARQL 1.1 update endpoint (SYNDB_STORE_UPDATE_URL); default: the query endpoint. */
  updateUrl?: string;
  /** Graph Store Protocol endpoint (SYNDB_STORE_GSP_URL); used for bulk uploads when set. */
  gspUrl?: string;
  user?: string;
  password?: string;
  /** Default query timeout (ms). Default 30000. */
  queryTimeoutMs?: number;
  /** Largest query result (bytes). Default 128 MiB. */
  maxResultBytes?: number;
  /**
   * Distinct quads per upload request. Default: 50000 by Graph Store Protocol POST, 1000 by
   * INSERT DATA (Virtuoso's SPARQL parser runs out of memory near 5000 typed literals in one
   * request). Transactions up to one INSERT DATA chunk take two requests in all.
   */
  chunkQuads?: number;
  /** Retries of transient failures per request (default 6, ≈ 13 s of back-off). */
  retries?: number;
  backoffMs?: number;
  /** How long a committed write keeps retrying its switch while the server is away (ms, default 60000). */
  applyDeadlineMs?: number;
  logger?: StoreLogger;
  /** Staging uploads in flight at once (default 2; on 2 cores more gave nothing: Virtuoso parses them with the same CPUs). */
  parallelUploads?: number;
  /**
   * Largest number of quads one switch request moves (default 1,000,000): larger writes are
   * applied in several idempotent requests (Virtuoso: each request must stay within
   * TransactionAfterImageLimit).
   */
  sliceQuads?: number;
  /**
   * The writer lease (default on): one process writes to a server; see lease.ts. `false`: no
   * lease, recovery at open as if this were the only writer (tests that play several processes).
   */
  lease?: boolean | { ttlMs?: number };
  /**
   * Quads one request of a server-side copy takes (default 250,000): a copy with an IRI rewrite
   * ran at about 40 s per million quads on Virtuoso, so a request stays well within a minute.
   */
  copyPageQuads?: number;
  /** backup(): graphs larger than this are read in pages of this many quads (default 200,000). */
  backupPageQuads?: number;
  /** How long the staged part of a failed resumable load is kept for a retry (ms, default 7 days). */
  uploadKeepMs?: number;
  /** Fault injection for tests: stop (as if this process died) after staging, or right after the commit point. */
  crashAt?: 'staged' | 'committed';
}

export type { TransactOptions };

export class RemoteStore implements GraphStore {
  private readonly http: RemoteHttp;
  private readonly queryUrl: string;
  private readonly opts: Required<Pick<RemoteStoreOptions, 'queryTimeoutMs' | 'maxResultBytes' | 'chunkQuads' | 'applyDeadlineMs' | 'parallelUploads' | 'sliceQuads' | 'uploadKeepMs' | 'copyPageQuads'>> & { insertChunk: number };
  /** Queries wait while a switch is applied to a graph they read (see gate.ts). */
  private readonly gate = new GraphGate();
  /** The writer lease (undefined when disabled). */
  private readonly lease?: Lease;
  private readonly warn: (m: string) => void;
  private readonly requests: RemoteRequests;
  private readonly writes: RemoteWrites;
  private closed = false;
  private recovering?: Promise<void>;
  private server = '';
  /** Our graphs (the registry), cached: the named graphs of a query that does not name them. */
  private readonly known = new Set<string>();

  private constructor(private readonly o: RemoteStoreOptions) {
    this.queryUrl = o.queryUrl;
    this.http = new RemoteHttp({ user: o.user, password: o.password, retries: o.retries, backoffMs: o.backoffMs, logger: o.logger });
    this.warn = storeLog(o.logger, 'remote-store').warn;
    this.opts = {
      queryTimeoutMs: o.queryTimeoutMs ?? 30_000,
      maxResultBytes: o.maxResultBytes ?? 128 * 1024 * 1024,
      chunkQuads: Math.max(1, o.chunkQuads ?? (o.gspUrl ? 50_000 : 1000)),
      insertChunk: Math.max(1, Math.min(o.chunkQuads ?? 1000, 1000)),
      applyDeadlineMs: o.applyDeadlineMs ?? 60_000,
      parallelUploads: Math.max(1, o.parallelUploads ?? 2),
      sliceQuads: Math.max(1, o.sliceQuads ?? 1_000_000),
      copyPageQuads: Math.max(1, o.copyPageQuads ?? 250_000),
      uploadKeepMs: o.uploadKeepMs ?? 7 * 24 * 3600_000,
    };
    this.requests = new RemoteRequests({
      http: this.http,
      queryUrl: o.queryUrl,
      updateUrl: o.updateUrl || o.queryUrl,
      gspUrl: o.gspUrl || undefined,
      queryTimeoutMs: this.opts.queryTimeoutMs,
      maxResultBytes: this.opts.maxResultBytes,
      insertChunk: this.opts.insertChunk,
      known: this.known,
      warn: this.warn,
    });
    if (o.lease !== false) {
      this.lease = new Lease(
        { update: (q, w) => this.requests.update(q, w), select: (q, w) => this.requests.internalSelect(q, w), warn: this.warn },
        typeof o.lease === 'object' ? o.lease.ttlMs : undefined,
      );
    }
    this.writes = new RemoteWrites(
      { requests: this.requests, gate: this.gate, lease: this.lease, known: this.known, warn: this.warn, ready: () => this.ready() },
      {
        chunkQuads: this.opts.chunkQuads,
        insertChunk: this.opts.insertChunk,
        gsp: !!o.gspUrl,
        applyDeadlineMs: this.opts.applyDeadlineMs,
        parallelUploads: this.opts.parallelUploads,
        sliceQuads: this.opts.sliceQuads,
        copyPageQuads: this.opts.copyPageQuads,
        crashAt: o.crashAt,
      },
    );
  }

  /** Connect, check that the endpoints answer and that updates are allowed, and finish interrupted writes. */
  static async open(o: RemoteStoreOptions): Promise<RemoteStore> {
    for (const [name, url] of [['SYNDB_STORE', o.queryUrl], ['SYNDB_STORE_UPDATE_URL', o.updateUrl], ['SYNDB_STORE_GSP_URL', o.gspUrl]] as const) {
      if (!url) continue;
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        throw new StoreError(`${name}=${JSON.stringify(url)} is not a URL; expected the http(s) URL of a SPARQL 1.1 endpoint such as http://127.0.0.1:8890/sparql`, 'unavailable');
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new StoreError(`${name}=${url}: only http and https endpoints are supported`, 'unavailable');
    }
    const s = new RemoteStore(o);
    const probe = await s.http.send('POST', s.queryUrl, {
      what: 'connecting to the SPARQL query endpoint',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: RESULTS_ACCEPT },
      body: new URLSearchParams({ query: `ASK { GRAPH <${WAL_GRAPH}> { ?s ?p ?o } }` }).toString(),
    });
    s.server = probe.headers.server ?? '';
    if (probe.status === 404) throw new StoreError(`no SPARQL endpoint at ${s.queryUrl} (HTTP 404); check SYNDB_STORE (Virtuoso: http://host:8890/sparql or /sparql-auth, Fuseki: http://host:3030/DATASET/query, Oxigraph: http://host:7878/query)`, 'unavailable');
    if (probe.status >= 300) throw new StoreError(`the SPARQL endpoint ${s.queryUrl} answered a test query with HTTP ${probe.status}: ${probe.body.slice(0, 300)}`, 'unavailable');
    await parseResults(probe.body, 'boolean');
    // updates allowed? (an idempotent no-op on our own internal graph)
    await s.requests.update(`DELETE DATA { GRAPH <${WAL_GRAPH}> { <${NS}probe> <${NS}probe> "probe" } }`, 'checking that the SPARQL server accepts updates');
    if (s.lease) {
      try {
        await s.lease.acquire();
      } catch (e) {
        if (!(e instanceof StoreError) || e.code !== 'locked') throw e;
        // another process writes: this one may read (e.g. a CLI export); its writes are refused
        s.warn(`${e.message}. This process can read; its writes are refused until it gets the lease`);
      }
    }
    await s.recover();
    return s;
  }

  /** Does this process hold the writer lease now? (always true without a lease) */
  get writer(): boolean {
    return !this.lease || this.lease.held;
  }

  /** The gate's holders and waiters (diagnostics, tests). */
  get gateState(): { active: number; waiting: number } {
    return this.gate.state;
  }

  get serverName(): string {
    return this.server;
  }

  private check(): void {
    if (this.closed) throw new StoreError(`the remote store ${this.queryUrl} is closed`, 'closed');
  }

  private async ready(): Promise<void> {
    this.check();
    if (this.writes.needsRecovery) await this.recover();
  }

  /**
   * Run `fn` (one or several requests that together answer one read) while no switch is applied
   * to `graphs`: it waits for a switch in progress, and a switch waits for it. A read that finds
   * a write of this process interrupted after its commit point waits until recovery applied it.
   */
  private async gated<T>(graphs: GraphSet, fn: () => Promise<T>, signal?: AbortSignal, timeoutMs?: number): Promise<T> {
    for (;;) {
      await this.ready();
      let again = false;
      let out: T | undefined;
      try {
        out = await this.gate.read(graphs, async () => {
          if (this.writes.needsRecovery) {
            again = true;
            return undefined;
          }
          return fn();
        }, signal);
      } catch (e) {
        if (signal?.aborted && !(e instanceof StoreError)) throw new StoreError(`query exceeded the timeout of ${timeoutMs} ms (waiting for a write to be applied) and was stopped`, 'timeout');
        throw e;
      }
      if (!again) return out as T;
    }
  }

  // ------------------------------------------------------------------ reads

  /** Counters since open, for health(). */
  private readonly counters = { queries: 0, timeouts: 0, engineFailures: 0, rebuilds: 0, refused: 0 };

  async query(sparql: string, options: QueryOptions = {}): Promise<QueryResult> {
    this.counters.queries++;
    try {
      return await runQuery({ requests: this.requests, known: this.known, check: () => this.check(), gated: (g, fn, signal, timeoutMs) => this.gated(g, fn, signal, timeoutMs) }, sparql, options);
    } catch (e) {
      if (e instanceof StoreError && e.code === 'timeout') this.counters.timeouts++;
      throw e;
    }
  }

  /** GraphStore.health(): the external server counts as one replica; nothing is asked of it (readiness of the server shows in the answers). */
  health(): StoreHealth {
    const problems: string[] = [];
    if (this.closed) problems.push('the store is closed');
    if (this.writes.needsRecovery) problems.push('a write failed half-way and is rolled back before the next request');
    return {
      ready: !this.closed,
      replicas: [{ id: 1, state: this.closed ? 'failed' : 'serving', detail: this.server || undefined }],
      writable: !this.closed,
      readOnly: false,
      problems,
      queueDepth: 0,
      counters: { ...this.counters },
    };
  }

  select(sparql: string, options: Omit<QueryOptions, 'format'> = {}): Promise<Binding[]> {
    return selectVia((q, o) => this.query(q, o), sparql, options);
  }

  ask(sparql: string, options: Omit<QueryOptions, 'format'> = {}): Promise<boolean> {
    return askVia((q, o) => this.query(q, o), sparql, options);
  }

  async dumpGraph(graph: string): Promise<string> {
    this.check();
    checkIri(graph, 'dumpGraph()');
    return this.gated(new Set([graph]), () => dumpGraph(this.requests, graph));
  }

  async graphs(): Promise<string[]> {
    this.check();
    const rows = await this.gated('all', () => this.requests.internalSelect(
      `SELECT DISTINCT ?g WHERE { GRAPH <${REGISTRY_GRAPH}> { ?g a <${NS}Graph> } FILTER EXISTS { GRAPH ?g { ?s ?p ?o } } }`,
      'listing graphs',
    ));
    const list = rows.map((r) => r.g.value).sort();
    for (const g of list) this.known.add(g);
    return list;
  }

  async stats(): Promise<StoreStats> {
    this.check();
    const rows = await this.gated('all', () => this.requests.internalSelect(
      `SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?g) AS ?graphs) WHERE { GRAPH <${REGISTRY_GRAPH}> { ?g a <${NS}Graph> } GRAPH ?g { ?s ?p ?o } }`,
      'counting quads',
    ));
    return { quads: Number(rows[0]?.n?.value ?? 0), graphs: Number(rows[0]?.graphs?.value ?? 0) };
  }

  /** N-Quads of every graph (gzip when the name ends in .gz); writes wait meanwhile, so it is consistent. */
  async backup(file: string): Promise<void> {
    await this.ready();
    const path = isAbsolute(file) ? file : resolvePath(file);
    const page = Math.max(1, this.o.backupPageQuads ?? 200_000);
    await this.writes.withWriteLock(async () => {
      const graphs = await this.graphs();
      await writeBackup(this.requests, (g, fn) => this.gated(g, fn), path, graphs, page);
    });
  }

  // ------------------------------------------------------------------ writes

  async transact(ops: WriteOp[], options: TransactOptions = {}): Promise<void> {
    this.check();
    const parsed = checkOps(ops);
    if (parsed.length === 0) return;
    await this.writes.withWriteLock(() => this.writes.write(parsed, undefined, options));
  }

  // ------------------------------------------------------------------ resumable loads

  /**
   * Stage a large load into `graph` chunk by chunk, resumably: `key` names the input (e.g. the
   * SHA-256 of the uploaded file plus what else decides its triples). The staging graphs and a
   * record of the stored chunks are named after key + the digest of the first chunk; when an
   * earlier attempt with the same input failed (server or service restart, network), its stored
   * chunks are recognised by their digests and not sent again. Nothing is visible to readers
   * until commit(), which replaces the graph in one transaction. A load that is never committed
   * is dropped by recover() after uploadKeepMs.
   */
  async resumableLoad(graph: string, key: string): Promise<ResumableLoad> {
    this.check();
    checkIri(graph, 'resumableLoad()', 'bad-input');
    if (!/^[\w-]{1,200}$/.test(key)) throw new StoreError(`resumableLoad(): the key must be letters, digits, "_" or "-", got ${JSON.stringify(key.slice(0, 80))}`, 'bad-input');
    await this.writes.ensureLease();
    await this.ready();
    return openResumableLoad({
      check: () => this.check(),
      select: (q, what) => this.requests.internalSelect(q, what),
      update: (q, what) => this.requests.update(q, what),
      warn: this.warn,
      upload: (staging, lines) => this.requests.upload(staging, lines),
      parallel: (jobs) => this.writes.parallel(jobs),
      transact: (ops) => this.transact(ops),
      switchTo: (parsed, load) => this.writes.withWriteLock(() => this.writes.write(parsed, load, {})),
      chunkQuads: this.o.gspUrl ? this.opts.chunkQuads : this.opts.insertChunk * 10,
      sliceQuads: this.opts.sliceQuads,
    }, graph, key);
  }

  /**
   * A bulk load of `graph` as one resumable load (see resumableLoad()): nothing is visible until
   * commit(), and after a failure the staged part is kept for a load with the same key.
   */
  async loadGraph(graph: string, key: string): Promise<GraphLoad> {
    const load = await this.resumableLoad(graph, key);
    return pipelinedLoad(
      async (ntriples, _first, commit) => {
        await load.stage(ntriples);
        if (commit) await load.commit(commit);
      },
      async () => false,
    );
  }

  // ------------------------------------------------------------------ recovery

  /**
   * Finish interrupted writes: roll forward every committed record whose staging is complete, roll
   * back the rest, drop staging graphs no record names and resumable loads not touched for
   * uploadKeepMs. Runs at open and after a failed write — only in the process holding the lease
   * (another one could be writing those records right now). See recovery.ts.
   */
  recover(): Promise<void> {
    if (!this.recovering) {
      this.recovering = recoverWrites({ requests: this.requests, writes: this.writes, lease: this.lease, known: this.known, warn: this.warn, uploadKeepMs: this.opts.uploadKeepMs }).finally(() => {
        this.recovering = undefined;
      });
    }
    return this.recovering;
  }

  /** Resolves when the writes of this process, including background drops of staging graphs, are done. */
  async idle(): Promise<void> {
    await this.writes.idle();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.writes.idle();
    this.closed = true;
    if (this.lease?.held) await this.lease.release().catch(() => undefined);
    await this.http.close();
  }
}

export function openRemoteStore(options: RemoteStoreOptions): Promise<RemoteStore> {
  return RemoteStore.open(options);
}

/** Re-export for callers that need canonical N-Triples from a server answer. */
export { normaliseNTriples };
