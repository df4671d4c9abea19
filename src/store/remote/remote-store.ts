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
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Store, namedNode, blankNode, literal as oxLiteral, quad } from 'oxigraph';
import { StoreError, type Binding, type GraphLoad, type GraphStore, type QueryOptions, type QueryResult, type StoreHealth, type StoreStats, type WriteOp, selectVia, askVia } from '../graph-store.js';
import { checkIri, checkOps, type CheckedOp } from './ops.js';
import { NS, WAL_GRAPH, REGISTRY_GRAPH, EMPTY_GRAPH, STAGING_PREFIX, UPLOADS_GRAPH, UPLOAD_PREFIX, type PartRef } from './graphs.js';
import { openResumableLoad, type ResumableLoad } from './resumable-load.js';
import { dropSteps, finishSteps, planTransaction, switchRequest, type Plan } from './plan.js';
import { copyUpdate } from '../copy-update.js';
import { pipelinedLoad } from '../pipelined-load.js';
import { canonicalDouble } from '../../util/xsd-double.js';
import { ntBindingTerm, ntLiteral } from '../../util/nt-term.js';
import { resultFormat } from '../query-forms.js';
import type { SelectQuery } from 'sparqljs';
import { serialize, walk, usesService, dropDatasetClauses, replaceGraphConstants, namedGraphsReached, graphListsAsDisjunctions, askToSelect, splitLeadingValues, wrapWithStr } from '../../sparql/index.js';
import { RemoteHttp, type HttpReply } from './http.js';
import { GraphGate, type GraphSet } from './gate.js';
import { Lease } from './lease.js';
import { parseResults, normaliseNTriples, serialiseGraph, serialiseResults, RESULTS_ACCEPT } from './results.js';
import { VALUES_MAX, parseForServerAsync } from './dialect.js';
import { storeLog, type StoreLogger } from '../store-log.js';

const XSD_DOUBLE = 'http://www.w3.org/2001/XMLSchema#double';

const XSD_FLOAT = 'http://www.w3.org/2001/XMLSchema#float';


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

export interface TransactOptions {
  /** Called after every uploaded chunk with the quads staged so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

export class RemoteStore implements GraphStore {
  private readonly http: RemoteHttp;
  private readonly queryUrl: string;
  private readonly updateUrl: string;
  private readonly gspUrl?: string;
  private readonly opts: Required<Pick<RemoteStoreOptions, 'queryTimeoutMs' | 'maxResultBytes' | 'chunkQuads' | 'applyDeadlineMs' | 'parallelUploads' | 'sliceQuads' | 'uploadKeepMs' | 'copyPageQuads'>> & { insertChunk: number };
  /** Queries wait while a switch is applied to a graph they read (see gate.ts). */
  private readonly gate = new GraphGate();
  /** The writer lease (undefined when disabled). */
  private readonly lease?: Lease;
  private readonly warn: (m: string) => void;
  private writeChain: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Set when a write failed after (maybe) reaching its commit point: recover before the next read or write. */
  private needsRecovery = false;
  private recovering?: Promise<void>;
  private server = '';
  /** Our graphs (the registry), cached: the named graphs of a query that does not name them. */
  private known = new Set<string>();
  /** Transactions of this process being written now (recover() leaves them alone). */
  private readonly inflight = new Set<string>();
  /** Transactions of this process that failed before being acknowledged: always rolled back. */
  private readonly aborted = new Set<string>();
  /** Staging graphs being dropped in the background (close() waits for them). */
  private readonly dropping = new Set<Promise<unknown>>();

  private constructor(private readonly o: RemoteStoreOptions) {
    this.queryUrl = o.queryUrl;
    this.updateUrl = o.updateUrl || o.queryUrl;
    this.gspUrl = o.gspUrl || undefined;
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
    if (o.lease !== false) {
      this.lease = new Lease(
        { update: (q, w) => this.update(q, w), select: (q, w) => this.internalSelect(q, w), warn: this.warn },
        typeof o.lease === 'object' ? o.lease.ttlMs : undefined,
      );
    }
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
    await s.update(`DELETE DATA { GRAPH <${WAL_GRAPH}> { <${NS}probe> <${NS}probe> "probe" } }`, 'checking that the SPARQL server accepts updates');
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

  // ------------------------------------------------------------------ protocol

  private explain(reply: HttpReply, url: string, what: string, isUpdate: boolean): StoreError {
    const text = reply.body.trim().slice(0, 800);
    if (reply.status === 404) return new StoreError(`${what}: no SPARQL endpoint at ${url} (HTTP 404); check ${isUpdate ? 'SYNDB_STORE_UPDATE_URL' : 'SYNDB_STORE'}`, 'unavailable');
    if (reply.status === 403 || /SR186|No permission|SECURITY/i.test(text)) {
      return new StoreError(
        `${what}: the SPARQL server at ${url} refused (${reply.status}): ${text.split('\n')[0]}. The service needs update rights: ` +
          'for Virtuoso use the /sparql-auth endpoint with SYNDB_STORE_USER and SYNDB_STORE_PASSWORD of a user with the SPARQL_UPDATE role; ' +
          'for Fuseki set SYNDB_STORE_UPDATE_URL to the dataset\'s /update endpoint',
        'unavailable',
      );
    }
    if (reply.status === 405 || reply.status === 415) return new StoreError(`${what}: ${url} does not accept SPARQL ${isUpdate ? 'updates' : 'queries'} by POST (HTTP ${reply.status}); check ${isUpdate ? 'SYNDB_STORE_UPDATE_URL' : 'SYNDB_STORE'}`, 'unavailable');
    if (!isUpdate && reply.status >= 400 && reply.status < 600 && reply.status !== 503) {
      return new StoreError(`the SPARQL server could not run the query: ${text}`, 'bad-query');
    }
    return new StoreError(`${what}: the SPARQL server at ${url} answered HTTP ${reply.status}: ${text}`, 'unavailable');
  }

  /** One SPARQL Update request (form-encoded POST). */
  private async update(sparql: string, what: string): Promise<void> {
    const body = new URLSearchParams({ update: sparql }).toString();
    const reply = await this.retryConflicts(what, () => this.http.send('POST', this.updateUrl, { what, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: '*/*' }, body }));
    if (reply.status >= 300) throw this.explain(reply, this.updateUrl, what, true);
  }

  /**
   * A write the server ended as a deadlock or serialization failure (SQLSTATE 40001; Virtuoso
   * "SR172: Transaction deadlocked", seen with parallel uploads) was rolled back by the server:
   * it is sent again after a short random pause. Every write we send may be sent twice.
   */
  private async retryConflicts(what: string, send: () => Promise<HttpReply>): Promise<HttpReply> {
    for (let attempt = 1; ; attempt++) {
      const reply = await send();
      if (reply.status < 500 || !/\b40001\b|SR172|deadlock/i.test(reply.body) || attempt >= 10) return reply;
      const pause = Math.round(50 * 2 ** Math.min(attempt, 6) * (0.5 + Math.random()));
      if (attempt >= 3) this.warn(`${what}: the server reported a deadlock (attempt ${attempt}); sending it again in ${pause} ms`);
      await new Promise((r) => setTimeout(r, pause));
    }
  }

  /** A query with the raw server answer (SPARQL JSON or N-Triples). */
  /**
   * `dataset` undefined: no protocol dataset (the server's own: internal bookkeeping queries only).
   * Otherwise the dataset is always explicit, so every server agrees (a Virtuoso default graph is
   * otherwise the union of all graphs): default = the given graphs or one empty graph; named = the
   * given graphs or all of ours (never staging or bookkeeping graphs).
   */
  private async rawQuery(sparql: string, accept: string, dataset: { defaultGraph?: string[]; namedGraphs?: string[] } | undefined, timeoutMs: number, what: string, signal = AbortSignal.timeout(timeoutMs)): Promise<string> {
    const form = new URLSearchParams({ query: sparql });
    if (dataset) {
      const dg = dataset.defaultGraph?.length ? dataset.defaultGraph : [EMPTY_GRAPH];
      const ng = [...(dataset.namedGraphs ?? this.known), EMPTY_GRAPH];
      for (const g of dg) form.append('default-graph-uri', g);
      for (const g of ng) form.append('named-graph-uri', g);
    }
    let reply: HttpReply;
    try {
      reply = await this.http.send('POST', this.queryUrl, { what, headers: { 'content-type': 'application/x-www-form-urlencoded', accept }, body: form.toString(), signal });
    } catch (e) {
      if (signal.aborted) throw new StoreError(`query exceeded the timeout of ${timeoutMs} ms and was stopped`, 'timeout');
      throw e;
    }
    if (reply.status >= 300) throw this.explain(reply, this.queryUrl, what, false);
    if (Buffer.byteLength(reply.body) > this.opts.maxResultBytes) {
      throw new StoreError(`the query result is larger than ${this.opts.maxResultBytes} bytes; add a LIMIT or narrow the query`, 'too-large');
    }
    return reply.body;
  }

  private async internalSelect(sparql: string, what: string): Promise<Binding[]> {
    const body = await this.rawQuery(sparql, RESULTS_ACCEPT, undefined, Math.max(this.opts.queryTimeoutMs, 600_000), what);
    const r = await parseResults(body, 'bindings');
    return 'bindings' in r ? r.bindings : [];
  }

  private check(): void {
    if (this.closed) throw new StoreError(`the remote store ${this.queryUrl} is closed`, 'closed');
  }

  private async ready(): Promise<void> {
    this.check();
    if (this.needsRecovery) await this.recover();
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
          if (this.needsRecovery) {
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
      return await this.runQuery(sparql, options);
    } catch (e) {
      if (e instanceof StoreError && e.code === 'timeout') this.counters.timeouts++;
      throw e;
    }
  }

  /** GraphStore.health(): the external server counts as one replica; nothing is asked of it (readiness of the server shows in the answers). */
  health(): StoreHealth {
    const problems: string[] = [];
    if (this.closed) problems.push('the store is closed');
    if (this.needsRecovery) problems.push('a write failed half-way and is rolled back before the next request');
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

  private async runQuery(sparql: string, options: QueryOptions): Promise<QueryResult> {
    this.check();
    if (typeof sparql !== 'string') throw new StoreError(`the query must be a string, got ${typeof sparql}`, 'bad-query');
    // the server gets the query written back from its syntax tree, in the dialect it answers right
    const tree = await parseForServerAsync(sparql, options.baseIri);
    const kind = tree.queryType === 'SELECT' ? 'bindings' : tree.queryType === 'ASK' ? 'boolean' : 'graph';
    const fmt = resultFormat(kind, options.format);
    if ('error' in fmt) throw new StoreError(fmt.error, 'bad-query');
    if (usesService(tree)) throw new StoreError('SERVICE (federated query) is not allowed: only the data of this service can be queried', 'bad-query');
    let serverSpecific: string | undefined;
    walk(tree, (o) => { if (o.termType === 'NamedNode' && /^(bif|sql):/i.test(o.value as string)) serverSpecific ??= o.value as string; });
    if (serverSpecific) throw new StoreError(`server-specific functions (bif:, sql:) are not allowed in queries, found <${serverSpecific}>; use SPARQL 1.1 functions`, 'bad-query');
    for (const [name, list] of [['defaultGraph', options.defaultGraph], ['namedGraphs', options.namedGraphs]] as const) {
      if (list === undefined) continue;
      if (!Array.isArray(list)) throw new StoreError(`QueryOptions.${name} must be an array of graph IRIs`, 'bad-query');
      list.forEach((g, i) => checkIri(g, `QueryOptions.${name}[${i}]`, 'bad-query'));
    }
    const given = options.defaultGraph !== undefined || options.namedGraphs !== undefined;
    const hasFrom = !!tree.from && (tree.from.default.length > 0 || tree.from.named.length > 0);
    // the caller's dataset replaces the query's; without one, a query's own FROM applies
    const dataset = given || !hasFrom ? { defaultGraph: options.defaultGraph, namedGraphs: options.namedGraphs } : undefined;
    if (dataset) dropDatasetClauses(tree);
    // Virtuoso 7.2 dies (SIGSEGV) on some lists of graphs: written as it answers them, or refused
    const risky = graphListsAsDisjunctions(tree);
    if (risky) throw new StoreError(`a VALUES list for ?${risky}, the graph of a GRAPH pattern that holds a UNION and a BIND, makes the external store (Virtuoso 7.2) crash; restrict the graph with FILTER(sameTerm(?${risky}, <…>) || sameTerm(?${risky}, <…>)) in the group of that GRAPH pattern instead`, 'bad-query');
    const timeoutMs = options.timeoutMs ?? this.opts.queryTimeoutMs;
    const signal = AbortSignal.timeout(timeoutMs);
    // the graphs this query can read, for the gate (all of ours when the named graphs are not given)
    const reads: GraphSet = dataset && dataset.namedGraphs !== undefined ? new Set([...(dataset.defaultGraph ?? []), ...dataset.namedGraphs]) : 'all';
    return this.gated(reads, async () => {
      // GRAPH <g> outside the named graphs names the empty graph (see EMPTY_GRAPH): same meaning, and
      // Virtuoso 7.2 otherwise answers such a block with one empty solution
      let sent = dataset;
      if (dataset) {
        const allowed = options.namedGraphs ?? [...this.known];
        replaceGraphConstants(tree, new Set(allowed), EMPTY_GRAPH);
        // a query whose GRAPH patterns all name their graph needs only those as named graphs (Virtuoso
        // spends about half a millisecond a query on each graph of the dataset)
        const reached = namedGraphsReached(tree);
        sent = { defaultGraph: dataset.defaultGraph, namedGraphs: reached ? allowed.filter((g) => reached.has(g)) : allowed };
      }
      if (kind === 'graph') {
        const nt = await this.rawQuery(serialize(tree), 'application/n-triples', sent, timeoutMs, 'running a query', signal);
        return { kind, body: serialiseGraph(nt, fmt.mediaType), contentType: fmt.mediaType };
      }
      if (kind === 'boolean') {
        // Virtuoso 7.2 answers ASK wrongly when a protocol dataset is given: a SELECT of at most one row instead
        const body = await this.rawQuery(serialize(askToSelect(tree, 'syndb_ask_')), RESULTS_ACCEPT, sent, timeoutMs, 'running a query', signal);
        const rows = await parseResults(body, 'bindings');
        return { kind, body: serialiseResults({ boolean: 'bindings' in rows && rows.bindings.length > 0 }, fmt.mediaType), contentType: fmt.mediaType };
      }
      // a large VALUES block goes in parts (Virtuoso refuses about 5,000 terms in one)
      const vars: string[] = [];
      const bindings: Binding[] = [];
      // variables seen holding doubles: later parts ask for their exact forms at once
      const dvars = new Set<string>();
      const doubles = (r: { bindings: Binding[] }) => {
        const found = new Set<string>();
        for (const b of r.bindings) for (const [k, t] of Object.entries(b)) if (t.datatype === XSD_DOUBLE || t.datatype === XSD_FLOAT) found.add(k);
        return found;
      };
      const split = splitLeadingValues(tree, VALUES_MAX);
      const parts: Array<{ text: string; tree?: SelectQuery }> = split ? split.map((text) => ({ text })) : [{ text: serialize(tree), tree: tree as SelectQuery }];
      for (const part of parts) {
        let r = dataset && dvars.size ? await this.exactQuery(part, vars, dvars, sent!, timeoutMs, signal) : undefined;
        if (r && [...doubles(r)].some((v) => !dvars.has(v))) r = undefined; // a new double column: ask again
        if (!r) {
          const plain = await parseResults(await this.rawQuery(part.text, RESULTS_ACCEPT, sent, timeoutMs, 'running a query', signal), 'bindings') as { vars: string[]; bindings: Binding[] };
          r = plain;
          const dv = doubles(plain);
          if (dataset && dv.size) {
            for (const v of dv) dvars.add(v);
            const exact = await this.exactQuery(part, plain.vars, dvars, sent!, timeoutMs, signal);
            if (exact && exact.bindings.length === plain.bindings.length) r = exact;
          }
        }
        for (const v of r.vars) if (!vars.includes(v)) vars.push(v);
        for (const b of r.bindings) bindings.push(b);
      }
      return { kind, body: serialiseResults({ vars, bindings }, fmt.mediaType), contentType: fmt.mediaType };
    }, signal, timeoutMs);
  }

  /**
   * Virtuoso writes doubles with 6 significant digits in every result format (102475.1 → 102475.0)
   * although it stores them exactly; STR() gives every digit. The query is run as a subquery whose
   * variables that hold doubles (`dvars`) are also projected through STR(), and doubles take those
   * lexical forms. Undefined when the query cannot be wrapped (then the rounded answer stays).
   */
  private async exactQuery(part: { text: string; tree?: SelectQuery }, vars: string[], dvars: Set<string>, dataset: { defaultGraph?: string[]; namedGraphs?: string[] }, timeoutMs: number, signal: AbortSignal): Promise<{ vars: string[]; bindings: Binding[] } | undefined> {
    const lex = (v: string) => `syndb_lex_${v}`;
    const wrapped = wrapWithStr(part.tree ?? ((await parseForServerAsync(part.text)) as SelectQuery), vars, dvars, lex);
    let again: { vars: string[]; bindings: Binding[] };
    try {
      again = await parseResults(await this.rawQuery(wrapped, RESULTS_ACCEPT, dataset, timeoutMs, 'running a query', signal), 'bindings') as typeof again;
    } catch (e) {
      if (signal.aborted) throw e;
      return undefined; // e.g. a form the subquery cannot take
    }
    return {
      vars,
      bindings: again.bindings.map((b) => {
        const out: Binding = {};
        for (const v of vars) {
          const t = b[v];
          if (!t) continue;
          const exact = b[lex(v)]?.value;
          out[v] = t.datatype === XSD_DOUBLE && exact !== undefined ? { ...t, value: canonicalDouble(exact) } : t.datatype === XSD_FLOAT && exact !== undefined ? { ...t, value: exact } : t;
        }
        return out;
      }),
    };
  }

  select(sparql: string, options: Omit<QueryOptions, 'format'> = {}): Promise<Binding[]> {
    return selectVia((q, o) => this.query(q, o), sparql, options);
  }

  ask(sparql: string, options: Omit<QueryOptions, 'format'> = {}): Promise<boolean> {
    return askVia((q, o) => this.query(q, o), sparql, options);
  }

  private async countGraph(graph: string): Promise<number> {
    const rows = await this.internalSelect(`SELECT (COUNT(*) AS ?n) WHERE { GRAPH <${graph}> { ?s ?p ?o } }`, `counting the quads of ${graph}`);
    return Number(rows[0]?.n?.value ?? 0);
  }

  async dumpGraph(graph: string): Promise<string> {
    this.check();
    checkIri(graph, 'dumpGraph()');
    return this.gated(new Set([graph]), () => this.dumpUnlocked(graph));
  }

  private async dumpUnlocked(graph: string): Promise<string> {
    const nt = await this.rawQuery(`CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <${graph}> { ?s ?p ?o } }`, 'application/n-triples', { namedGraphs: [graph] }, Math.max(this.opts.queryTimeoutMs, 600_000), `reading graph ${graph}`);
    if (!nt.trim()) return '';
    const store = new Store();
    try {
      store.load(nt, { format: 'application/n-triples', to_graph_name: namedNode(graph) });
    } catch (e) {
      throw new StoreError(`the SPARQL server sent invalid N-Triples for graph ${graph}: ${(e as Error).message}`, 'unavailable');
    }
    if (nt.includes(`^^<${XSD_DOUBLE}>`) || nt.includes(`^^<${XSD_FLOAT}>`)) {
      // the server's N-Triples round doubles to 6 digits (see exactDoubles): take them through STR()
      const rows = await this.internalSelect(
        `SELECT ?s ?p (STR(?o) AS ?lex) (DATATYPE(?o) AS ?dt) WHERE { GRAPH <${graph}> { ?s ?p ?o FILTER(isLiteral(?o) && (DATATYPE(?o) = <${XSD_DOUBLE}> || DATATYPE(?o) = <${XSD_FLOAT}>)) } }`,
        `reading the numbers of graph ${graph}`,
      );
      const g = namedNode(graph);
      for (const dt of [XSD_DOUBLE, XSD_FLOAT]) for (const q of store.match(null, null, null, g)) if (q.object.termType === 'Literal' && q.object.datatype.value === dt) store.delete(q);
      for (const row of rows) {
        const subj = row.s.type === 'uri' ? namedNode(row.s.value) : blankNode(row.s.value);
        store.add(quad(subj, namedNode(row.p.value), oxLiteral(row.lex.value, namedNode(row.dt.value)), g));
      }
    }
    const expected = await this.countGraph(graph);
    if (store.size !== expected) {
      throw new StoreError(`graph ${graph} has ${expected} quads but the server returned ${store.size}: its result-size limit cut the answer (Virtuoso: raise [SPARQL] ResultSetMaxRows in virtuoso.ini)`, 'too-large');
    }
    return store.dump({ format: 'application/n-quads' });
  }

  /**
   * One page of an unordered scan of a graph as N-Quads (writes wait meanwhile, so the pages of
   * one backup are of the same state and, on Virtuoso, in the same index order). Literals are read
   * through STR(): Virtuoso's result formats round doubles to 6 digits.
   */
  private async dumpPage(graph: string, limit: number, offset: number): Promise<string> {
    const rows = await this.internalSelect(
      `SELECT ?s ?p ?o (STR(?o) AS ?lex) (DATATYPE(?o) AS ?dt) (LANG(?o) AS ?lang) WHERE { { SELECT ?s ?p ?o WHERE { GRAPH <${graph}> { ?s ?p ?o } } LIMIT ${limit} OFFSET ${offset} } }`,
      `reading graph ${graph} (quads ${offset + 1} to ${offset + limit})`,
    );
    let out = '';
    for (const r of rows) {
      const o = r.o.type === 'literal' ? ntLiteral(r.lex.value, r.lang?.value.toLowerCase(), r.dt?.value) : ntBindingTerm(r.o);
      out += `${ntBindingTerm(r.s)} ${ntBindingTerm(r.p)} ${o} <${graph}> .\n`;
    }
    return out;
  }

  async graphs(): Promise<string[]> {
    this.check();
    const rows = await this.gated('all', () => this.internalSelect(
      `SELECT DISTINCT ?g WHERE { GRAPH <${REGISTRY_GRAPH}> { ?g a <${NS}Graph> } FILTER EXISTS { GRAPH ?g { ?s ?p ?o } } }`,
      'listing graphs',
    ));
    const list = rows.map((r) => r.g.value).sort();
    for (const g of list) this.known.add(g);
    return list;
  }

  async stats(): Promise<StoreStats> {
    this.check();
    const rows = await this.gated('all', () => this.internalSelect(
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
    await this.withWriteLock(async () => {
      const graphs = await this.graphs();
      const self = this;
      async function* parts() {
        for (const g of graphs) {
          const n = await self.countGraph(g);
          if (n <= page) {
            yield await self.gated(new Set([g]), () => self.dumpUnlocked(g));
            continue;
          }
          // a large graph (a table) in pages: no single answer has to hold it
          let written = 0;
          for (let offset = 0; offset < n; offset += page) {
            const text = await self.gated(new Set([g]), () => self.dumpPage(g, page, offset));
            written += text ? text.split('\n').length - 1 : 0;
            yield text;
          }
          if (written !== n) throw new StoreError(`backup: graph ${g} has ${n} quads but its pages held ${written}; the backup is incomplete`, 'unavailable');
        }
      }
      const out = createWriteStream(path);
      if (path.endsWith('.gz')) await pipeline(Readable.from(parts()), createGzip(), out);
      else await pipeline(Readable.from(parts()), out);
    });
  }

  // ------------------------------------------------------------------ writes

  private withWriteLock<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writeChain.then(fn, fn);
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  /** Writes need the lease; a lease taken now (not held before) means: finish others' interrupted writes first. */
  private async ensureLease(): Promise<void> {
    if (!this.lease) return;
    if (await this.lease.check()) this.needsRecovery = true;
  }

  async transact(ops: WriteOp[], options: TransactOptions = {}): Promise<void> {
    this.check();
    const parsed = checkOps(ops);
    if (parsed.length === 0) return;
    await this.withWriteLock(() => this.write(parsed, undefined, options));
  }

  /**
   * One transaction: plan, stage, commit point, switch. `load`: a resumable load's staging graphs,
   * applied as "clear load.graph, add them" before the ops.
   */
  private async write(parsed: CheckedOp[], load: { graph: string; parts: PartRef[]; key: string } | undefined, options: TransactOptions): Promise<void> {
    await this.ensureLease();
    await this.ready();
    const tx = `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
    const sources = [...new Set(parsed.flatMap((o) => (o.op === 'copy' ? [o.from] : [])))];
    const { plan, staged, copies } = planTransaction(tx, parsed, sources.length ? await this.countGraphs(sources) : new Map(), this.opts.sliceQuads);
    if (load) {
      plan.ops.unshift({ op: 'clear', graph: load.graph }, { op: 'add', parts: load.parts });
      plan.upload = load.key;
    }
    const uploads = staged.reduce((a, p) => a + p.lines.length, 0);
    const total = uploads + copies.reduce((a, c) => a + c.parts.reduce((b, p) => b + p.count, 0), 0);
    const txIri = `${NS}tx/${tx}`;
    const record = (state: string) =>
      `<${txIri}> <${NS}plan> ${ntLiteral(JSON.stringify(plan))} . <${txIri}> <${NS}state> "${state}" . <${txIri}> <${NS}created> ${ntLiteral(new Date().toISOString())} .`;
    this.inflight.add(tx);
    try {
      try {
        if (!load && !copies.length && total <= this.opts.insertChunk) {
          // one request: the committed record together with every staged quad (incomplete staging = not committed)
          const body = staged.map((p) => `GRAPH <${p.staging}> {\n${p.lines.join('\n')}\n}`).join('\n');
          await this.update(`INSERT DATA { GRAPH <${WAL_GRAPH}> { ${record('committed')} }\n${body} }`, 'writing a transaction');
          options.onProgress?.(total, total);
        } else {
          await this.update(`INSERT DATA { GRAPH <${WAL_GRAPH}> { ${record('preparing')} } }`, 'starting a transaction');
          let done = 0;
          const size = this.gspUrl ? this.opts.chunkQuads : this.opts.insertChunk;
          const jobs: Array<() => Promise<void>> = [];
          for (const p of staged) {
            for (let i = 0; i < p.lines.length; i += size) {
              const chunk = p.lines.slice(i, i + size);
              jobs.push(async () => {
                await this.upload(p.staging, chunk);
                done += chunk.length;
                options.onProgress?.(done, total);
              });
            }
          }
          await this.parallel(jobs);
          // copies are staged by the server: part k (a staging graph) holds quads k·slice … of an
          // unordered scan of the source, copied in pages of at most copyPageQuads per request, one
          // request at a time (two in parallel deadlocked on Virtuoso, and each retry redid a page)
          const copyJobs: Array<() => Promise<void>> = [];
          const pageSize = Math.min(this.opts.copyPageQuads, this.opts.sliceQuads);
          for (const c of copies) {
            const n = c.parts.reduce((a, p) => a + p.count, 0);
            c.parts.forEach((p, k) => {
              for (let at = 0; at < p.count; at += pageSize) {
                const limit = Math.min(pageSize, p.count - at), offset = k * this.opts.sliceQuads + at;
                copyJobs.push(async () => {
                  await this.update(copyUpdate({ from: c.from, to: p.staging, rewrite: c.rewrite }, limit < n ? { limit, offset } : undefined), `copying ${c.from} to ${p.graph} (quads ${offset + 1} to ${offset + limit} of ${n})`);
                  done += limit;
                  options.onProgress?.(done, total);
                });
              }
            });
          }
          for (const job of copyJobs) await job();
          await this.verifyStaging(plan, true);
          if (this.o.crashAt === 'staged') throw new StoreError('fault injection: stopped after staging', 'unavailable');
          await this.lease?.check(); // still the writer at the commit point
          await this.update(
            `DELETE { GRAPH <${WAL_GRAPH}> { <${txIri}> <${NS}state> "preparing" } } INSERT { GRAPH <${WAL_GRAPH}> { <${txIri}> <${NS}state> "committed" } } WHERE { }`,
            'committing a transaction',
          );
        }
      } catch (e) {
        // Not acknowledged, so it must not become visible: remove what was staged. If the server
        // cannot be reached now, remember the abort; recover() rolls it back (even if the server
        // did receive the commit and only its answer was lost).
        this.aborted.add(tx);
        try {
          await this.rollback(plan);
          this.aborted.delete(tx);
        } catch {
          this.needsRecovery = true;
        }
        throw e;
      }
      // The commit point is passed: the write is durable on the server and is acknowledged.
      // The switch is retried while the server is away; if it still fails, recover() applies
      // it before any other read or write of this process (or at the next open).
      if (this.o.crashAt === 'committed') {
        this.needsRecovery = true;
        this.lease?.abandon();
        return;
      }
      await this.apply(plan, this.opts.applyDeadlineMs);
    } finally {
      this.inflight.delete(tx);
    }
  }

  /** Run upload jobs, `parallelUploads` at a time; the first failure is thrown once all have ended. */
  private async parallel(jobs: Array<() => Promise<void>>): Promise<void> {
    let next = 0;
    let failure: { e: unknown } | undefined;
    const worker = async () => {
      while (next < jobs.length && !failure) {
        const job = jobs[next++];
        try {
          await job();
        } catch (e) {
          failure ??= { e };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.parallelUploads, jobs.length) }, worker));
    if (failure) throw failure.e;
  }

  /** The graphs a plan changes (what the gate holds while it is applied). */
  private static targets(plan: Plan): Set<string> {
    const out = new Set<string>();
    for (const op of plan.ops) {
      if (op.op === 'clear') out.add(op.graph);
      else for (const p of op.parts) out.add(p.graph);
    }
    return out;
  }

  /**
   * Apply a committed plan while the gate keeps this process's readers of its graphs out. Retries
   * transient failures until `deadlineMs` has passed (the gate stays closed meanwhile: a switch
   * that was cut off may be half applied); then leaves it to recover(). Returns whether it was
   * applied.
   */
  private async apply(plan: Plan, deadlineMs: number): Promise<boolean> {
    const deadline = Date.now() + deadlineMs;
    let applied = false;
    let dropLater: string | undefined;
    await this.gate.write(RemoteStore.targets(plan), async () => {
      for (let delay = 500; ; delay = Math.min(delay * 2, 5000)) {
        try {
          dropLater = await this.applySteps(plan);
          this.remember(plan);
          applied = true;
          return;
        } catch (e) {
          if (!(e instanceof StoreError) || e.code !== 'unavailable' || Date.now() + delay > deadline) {
            this.needsRecovery = true;
            this.warn(`transaction ${plan.tx} is committed but could not be applied yet (${(e as Error).message}); it is applied before the next read or write`);
            return;
          }
          this.warn(`applying transaction ${plan.tx} failed (${(e as Error).message}); retrying in ${delay} ms`);
          await new Promise((r) => setTimeout(r, delay));
        }
      }
    });
    // dropping large staging graphs takes a while: neither readers nor the writer wait for it (a
    // record names them until they are gone; recover() finishes the job after a crash)
    if (dropLater) {
      const p = this.update(dropLater, 'dropping staging graphs').catch((e: Error) => this.warn(`could not drop the staging graphs of ${plan.tx} (${e.message}); recover() drops them later`));
      this.dropping.add(p);
      void p.finally(() => this.dropping.delete(p));
    }
    return applied;
  }

  private async countGraphs(graphs: string[]): Promise<Map<string, number>> {
    const rows = await this.internalSelect(
      `SELECT ?g (COUNT(*) AS ?n) WHERE { VALUES ?g { ${graphs.map((g) => `<${g}>`).join(' ')} } GRAPH ?g { ?s ?p ?o } } GROUP BY ?g`,
      'counting graphs',
    );
    return new Map(rows.map((r) => [r.g.value, Number(r.n.value)]));
  }

  /**
   * The data steps of a switch. Small plans: ONE update operation does it all (plus bookkeeping, in
   * the same request). Larger ones (more than sliceQuads staged or cleared): a sequence of requests,
   * each idempotent, so that re-running the sequence after an interruption gives the same result;
   * returns the request that drops the staging graphs, to be sent after the gate is opened.
   */
  private async applySteps(plan: Plan): Promise<string | undefined> {
    const slice = this.opts.sliceQuads;
    const staged = plan.ops.reduce((a, o) => a + (o.op === 'clear' ? 0 : o.parts.reduce((b, p) => b + p.count, 0)), 0);
    const clears = [...new Set(plan.ops.flatMap((o) => (o.op === 'clear' ? [o.graph] : [])))];
    let big = staged > slice || plan.upload !== undefined;
    let sizes = new Map<string, number>();
    if (!big && clears.length) {
      sizes = await this.countGraphs(clears);
      big = staged + [...sizes.values()].reduce((a, n) => a + n, 0) > slice;
    }
    if (!big) {
      await this.update(switchRequest(plan), 'applying a transaction');
      return undefined;
    }
    if (clears.length && sizes.size === 0) sizes = await this.countGraphs(clears);
    for (const g of clears) {
      // at most `slice` quads per request
      for (let left = sizes.get(g) ?? 0; left > 0; ) {
        if (left <= slice) await this.update(`DELETE WHERE { GRAPH <${g}> { ?s ?p ?o } }`, `clearing ${g}`);
        else await this.update(`DELETE { GRAPH <${g}> { ?s ?p ?o } } WHERE { { SELECT ?s ?p ?o WHERE { GRAPH <${g}> { ?s ?p ?o } } LIMIT ${slice} } }`, `clearing ${g} (${left} quads left)`);
        left = (await this.countGraphs([g])).get(g) ?? 0;
      }
    }
    for (const op of plan.ops) {
      if (op.op === 'delete') for (const p of op.parts) await this.update(`DELETE { GRAPH <${p.graph}> { ?s ?p ?o } } WHERE { GRAPH <${p.staging}> { ?s ?p ?o } }`, `applying deletions to ${p.graph}`);
    }
    for (const op of plan.ops) {
      if (op.op === 'add') for (const p of op.parts) await this.update(`ADD SILENT GRAPH <${p.staging}> TO GRAPH <${p.graph}>`, `applying additions to ${p.graph} (${p.count} quads)`);
    }
    const drops = dropSteps(plan);
    const record = `${NS}drop/${plan.tx}`;
    const staging = plan.ops.flatMap((o) => (o.op === 'clear' ? [] : o.parts.map((p) => `<${p.staging}>`)));
    const finish = finishSteps(plan);
    // the staging graphs are named in a drop record before the transaction's record goes
    if (staging.length) finish.splice(finish.length - 1, 0, `INSERT DATA { GRAPH <${WAL_GRAPH}> { <${record}> <${NS}staging> ${staging.join(', ')} } }`);
    await this.update(finish.join(' ;\n'), 'finishing a transaction');
    return drops.length ? [...drops, `DELETE WHERE { GRAPH <${WAL_GRAPH}> { <${record}> ?p ?o } }`].join(' ;\n') : undefined;
  }


  /** Upload triples into a staging graph: Graph Store Protocol POST when configured, else INSERT DATA. */
  private async upload(staging: string, lines: string[]): Promise<void> {
    const body = lines.join('\n') + '\n';
    if (this.gspUrl) {
      const url = `${this.gspUrl}${this.gspUrl.includes('?') ? '&' : '?'}graph=${encodeURIComponent(staging)}`;
      const reply = await this.retryConflicts('uploading a chunk', () => this.http.send('POST', url, { what: 'uploading a chunk (Graph Store Protocol)', headers: { 'content-type': 'application/n-triples' }, body }));
      if (reply.status >= 300) throw this.explain(reply, this.gspUrl, 'uploading a chunk (Graph Store Protocol)', true);
      return;
    }
    if (lines.length <= this.opts.insertChunk) {
      await this.update(`INSERT DATA { GRAPH <${staging}> {\n${body}} }`, 'uploading a chunk');
      return;
    }
    for (let i = 0; i < lines.length; i += this.opts.insertChunk) {
      await this.update(`INSERT DATA { GRAPH <${staging}> {\n${lines.slice(i, i + this.opts.insertChunk).join('\n')}\n} }`, 'uploading a chunk');
    }
  }

  /** Are all staging graphs of a plan complete? (throws when `strict` and one is not) */
  private async verifyStaging(plan: Plan, strict: boolean): Promise<boolean> {
    const parts = plan.ops.flatMap((o) => (o.op === 'clear' ? [] : o.parts));
    if (parts.length === 0) return true;
    const have = await this.countGraphs(parts.map((p) => p.staging));
    for (const p of parts) {
      if ((have.get(p.staging) ?? 0) !== p.count) {
        if (strict) throw new StoreError(`staging graph ${p.staging} holds ${have.get(p.staging) ?? 0} quads, expected ${p.count}; the upload (or the server's copy of a graph) was incomplete, nothing was changed`, 'unavailable');
        return false;
      }
    }
    return true;
  }




  private remember(plan: Plan): void {
    for (const op of plan.ops) if (op.op === 'add') for (const p of op.parts) this.known.add(p.graph);
  }

  /** Undo a transaction that did not reach its commit point: its own staging goes (a resumable load's staging stays for a retry). */
  private async rollback(plan: Plan): Promise<void> {
    const drops = plan.ops.flatMap((o) => (o.op === 'clear' ? [] : o.parts.filter((p) => p.staging.startsWith(STAGING_PREFIX)).map((p) => `DROP SILENT GRAPH <${p.staging}>`)));
    await this.update([...drops, `DELETE WHERE { GRAPH <${WAL_GRAPH}> { <${NS}tx/${plan.tx}> ?p ?o } }`].join(' ;\n'), 'rolling back a transaction');
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
    await this.ensureLease();
    await this.ready();
    return openResumableLoad({
      check: () => this.check(),
      select: (q, what) => this.internalSelect(q, what),
      update: (q, what) => this.update(q, what),
      warn: this.warn,
      upload: (staging, lines) => this.upload(staging, lines),
      parallel: (jobs) => this.parallel(jobs),
      transact: (ops) => this.transact(ops),
      switchTo: (parsed, load) => this.withWriteLock(() => this.write(parsed, load, {})),
      chunkQuads: this.gspUrl ? this.opts.chunkQuads : this.opts.insertChunk * 10,
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
   * (another one could be writing those records right now).
   */
  recover(): Promise<void> {
    if (!this.recovering) {
      this.recovering = this.doRecover().finally(() => {
        this.recovering = undefined;
      });
    }
    return this.recovering;
  }

  private async doRecover(): Promise<void> {
    if (this.lease && !this.lease.held) {
      this.needsRecovery = false;
      const reg = await this.internalSelect(`SELECT ?g WHERE { GRAPH <${REGISTRY_GRAPH}> { ?g a <${NS}Graph> } }`, 'reading the graph registry');
      this.known = new Set(reg.map((r) => r.g.value));
      return;
    }
    const rows = await this.internalSelect(
      `SELECT ?tx ?plan ?state WHERE { GRAPH <${WAL_GRAPH}> { ?tx <${NS}plan> ?plan OPTIONAL { ?tx <${NS}state> ?state } } }`,
      'reading the write-ahead records',
    );
    const loadsInUse = new Set<string>();
    for (const r of rows) {
      let plan: Plan;
      try {
        plan = JSON.parse(r.plan.value) as Plan;
      } catch {
        this.warn(`dropping an unreadable write-ahead record ${r.tx.value}`);
        await this.update(`DELETE WHERE { GRAPH <${WAL_GRAPH}> { <${r.tx.value}> ?p ?o } }`, 'dropping a damaged write-ahead record');
        continue;
      }
      if (plan.upload) loadsInUse.add(plan.upload);
      if (this.inflight.has(plan.tx)) continue;
      const committed = !this.aborted.has(plan.tx) && r.state?.value === 'committed' && (await this.verifyStaging(plan, false));
      if (committed) {
        this.warn(`finishing transaction ${plan.tx}, committed but interrupted before it was applied`);
        if (!(await this.apply(plan, 0))) throw new StoreError(`transaction ${plan.tx} could not be applied yet; the SPARQL server is not available`, 'unavailable');
      } else {
        this.warn(`rolling back transaction ${plan.tx}, interrupted before its commit point`);
        await this.rollback(plan);
      }
      this.aborted.delete(plan.tx);
    }
    // staging graphs of applied transactions whose drop was cut off
    const drops = await this.internalSelect(`SELECT ?d ?g WHERE { GRAPH <${WAL_GRAPH}> { ?d <${NS}staging> ?g } }`, 'reading the staging graphs to drop');
    const byRecord = new Map<string, string[]>();
    for (const d of drops) byRecord.set(d.d.value, [...(byRecord.get(d.d.value) ?? []), d.g.value]);
    for (const [rec, graphs] of byRecord) {
      await this.update([...graphs.map((g) => `DROP SILENT GRAPH <${g}>`), `DELETE WHERE { GRAPH <${WAL_GRAPH}> { <${rec}> ?p ?o } }`].join(' ;\n'), 'dropping staging graphs of applied transactions');
    }
    // resumable loads: keep the recent ones (a retry continues them), drop the old ones
    const loads = await this.internalSelect(
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
      if (loadsInUse.has(key) || Date.now() - t < this.opts.uploadKeepMs) continue;
      this.warn(`dropping the staged part of a load not resumed for ${Math.round((Date.now() - t) / 3600_000)} h`);
      const drops = (slicesOf.get(key) ?? []).map((k) => `DROP SILENT GRAPH <${UPLOAD_PREFIX}${key}:${k}>`);
      await this.update([...drops, `DELETE WHERE { GRAPH <${UPLOADS_GRAPH}> { <${NS}upload/${key}> ?p ?o } }`].join(' ;\n'), 'dropping an old resumable load');
    }
    // No scan for staging graphs that no record names (it reads every quad: 1.9 s per million
    // measured on Virtuoso): every staging graph is named by a transaction record, a load record or
    // a drop record from before it is written until after it is dropped.
    const reg = await this.internalSelect(`SELECT ?g WHERE { GRAPH <${REGISTRY_GRAPH}> { ?g a <${NS}Graph> } }`, 'reading the graph registry');
    this.known = new Set(reg.map((r) => r.g.value));
    this.needsRecovery = false;
  }

  /** Resolves when the writes of this process, including background drops of staging graphs, are done. */
  async idle(): Promise<void> {
    await this.writeChain;
    await Promise.all(this.dropping);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.writeChain;
    await Promise.all(this.dropping);
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
