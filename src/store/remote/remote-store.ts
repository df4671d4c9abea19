/**
 * The remote GraphStore: any SPARQL 1.1 server, spoken to only through standards — the SPARQL 1.1
 * Protocol (query + update) and, when configured, the Graph Store Protocol for bulk uploads.
 *
 * Atomic writes without server transactions. Measured on Virtuoso 7.2.5: a request of several
 * update operations is NOT atomic (when the third operation fails, the first stays applied), so
 * the store never relies on it. A transaction is written as
 *   1. a write-ahead record in the graph urn:syndb:store:wal naming, per op, the staging graph
 *      that holds its quads and how many distinct quads it must hold, plus the staged quads
 *      themselves (one INSERT DATA when small; chunks — resumable, each idempotent — when large);
 *   2. the commit point: the record in state "committed" with every staging graph complete;
 *   3. the switch: one request that applies the ops in order from the staging graphs (CLEAR,
 *      INSERT … WHERE, DELETE … WHERE), registers the graphs, deletes the record, drops staging.
 * Applying is idempotent (each op sets quads present or absent), so an interrupted switch is
 * simply run again: by the same call (retries with back-off while the server restarts), or by
 * recover(), which runs at open and before any read or write after a failed one. A record that is
 * not committed, or whose staging graphs are incomplete, is rolled back (staging dropped); its
 * transaction was never acknowledged. Staging graphs are never part of a query's dataset.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Store, namedNode, blankNode, literal as oxLiteral, quad } from 'oxigraph';
import {
  StoreError,
  type Binding,
  type GraphStore,
  type QueryOptions,
  type QueryResult,
  type StoreStats,
  type WriteOp,
  selectVia,
  askVia,
} from '../graph-store.js';
import { checkIri, checkOps, termString, type CheckedOp } from './ops.js';
import { queryKind, resultFormat } from '../embedded/sparql.js';
import { RemoteHttp, type HttpReply } from './http.js';
import { canonicalDouble, normaliseJson, normaliseNTriples, serialiseGraph, serialiseResults } from './results.js';

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
  logger?: { warn(message: string): void };
  /** Fault injection for tests: stop (as if this process died) after staging, or right after the commit point. */
  crashAt?: 'staged' | 'committed';
}

export interface TransactOptions {
  /** Called after every uploaded chunk with the quads staged so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

const NS = 'urn:syndb:store#';
export const WAL_GRAPH = 'urn:syndb:store:wal';
export const REGISTRY_GRAPH = 'urn:syndb:store:graphs';
export const EMPTY_GRAPH = 'urn:syndb:store:empty';
export const STAGING_PREFIX = 'urn:syndb:store:staging:';

type PlanOp = { op: 'clear'; graph: string } | { op: 'add' | 'delete'; parts: Array<{ graph: string; staging: string; count: number }> };
interface Plan { tx: string; ops: PlanOp[] }

/** Distinct triples (N-Triples lines) of a staged part. */
interface StagedPart { graph: string; staging: string; lines: string[] }

const literal = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;

/** The query with strings, comments and IRIs blanked out (same length), to find keywords safely. */
function mask(q: string): string {
  return q
    .replace(/"""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|#[^\n]*|<[^<>"{}|^`\\\s]*>/g, (m) => ' '.repeat(m.length));
}

/**
 * ASK rewritten as a SELECT of at most one row. Virtuoso 7.2 answers ASK wrongly when a protocol
 * dataset is given: ASK { GRAPH <g> { … } } is true for a graph outside named-graph-uri.
 */
export function askAsSelect(q: string): string {
  const m = mask(q);
  const at = /\bASK\b/i.exec(m);
  if (!at) return q;
  const out = `${q.slice(0, at.index)}SELECT (1 AS ?syndb_ask_)${q.slice(at.index + 3)}`;
  const tail = m.slice(m.lastIndexOf('}') + 1);
  return /\b(LIMIT|VALUES)\b/i.test(tail) ? out : `${out}\nLIMIT 1`;
}

/**
 * `GRAPH <g>` / `GRAPH pfx:g` naming a graph outside the query's named graphs becomes
 * `GRAPH <EMPTY_GRAPH>` (an empty graph that is in the dataset). Same meaning in SPARQL; needed
 * because Virtuoso 7.2 turns such a GRAPH block into the empty pattern (one solution) instead of
 * no solutions, which makes COUNT, ASK, OPTIONAL and NOT EXISTS wrong.
 */
export function rewriteGraphConstants(q: string, allowed: Set<string>): string {
  const m = q.replace(/"""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|#[^\n]*/g, (x) => ' '.repeat(x.length));
  const prefixes = new Map<string, string>();
  for (const p of m.matchAll(/\bPREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>/gi)) prefixes.set(p[1] ?? '', p[2]);
  const base = /\bBASE\s*<([^>]*)>/i.exec(m)?.[1];
  let out = '';
  let last = 0;
  for (const g of m.matchAll(/\bGRAPH\s*(?:<([^<>"{}|^`\\\s]*)>|([A-Za-z][\w.-]*)?:((?:[\w-]|\\.|%[0-9A-Fa-f]{2})(?:[\w.:-]|\\.|%[0-9A-Fa-f]{2})*)?)/gi)) {
    let iri: string | undefined;
    if (g[1] !== undefined) {
      try {
        iri = base ? new URL(g[1], base).href : g[1];
      } catch {
        iri = g[1];
      }
    } else {
      const ns = prefixes.get(g[2] ?? '');
      if (ns === undefined) continue; // undeclared prefix: the server reports the error
      iri = ns + (g[3] ?? '').replace(/\\(.)/g, '$1');
    }
    if (allowed.has(iri) || (g[1] !== undefined && allowed.has(g[1]))) continue;
    const afterKeyword = g.index + 5 + (g[0].slice(5).length - g[0].slice(5).trimStart().length);
    out += q.slice(last, afterKeyword) + `<${EMPTY_GRAPH}>`;
    last = g.index + g[0].length;
  }
  return out + q.slice(last);
}

/**
 * FROM / FROM NAMED clauses blanked out. When the caller gives the dataset (QueryOptions), it
 * replaces the query's, as on the embedded store and in the SPARQL Protocol; Virtuoso instead
 * honours the query's FROM over default-graph-uri, which would let a query name any graph.
 */
export function stripFromClauses(q: string): { text: string; found: boolean } {
  const m = q.replace(/"""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|#[^\n]*/g, (x) => ' '.repeat(x.length));
  let text = q;
  let found = false;
  for (const f of m.matchAll(/\bFROM\s+(?:NAMED\s+)?(?:<[^<>"{}|^`\s]*>|[A-Za-z][\w.-]*:[^\s{}()]*|:[^\s{}()]*)/gi)) {
    found = true;
    text = text.slice(0, f.index) + ' '.repeat(f[0].length) + text.slice(f.index + f[0].length);
  }
  return { text, found };
}

/** \u / \U escapes inside IRIs decoded (SPARQL allows them; Virtuoso rejects them). */
export function decodeIriEscapes(q: string): string {
  if (!/\\[uU]/.test(q)) return q;
  const m = q.replace(/"""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|#[^\n]*/g, (x) => ' '.repeat(x.length));
  let out = '';
  let last = 0;
  for (const t of m.matchAll(/<(?:[^<>"{}|^`\\\s]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>/g)) {
    if (!t[0].includes('\\')) continue;
    const decoded = q.slice(t.index, t.index + t[0].length).replace(/\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})/g, (_, a: string | undefined, b: string | undefined) => String.fromCodePoint(parseInt(a ?? b!, 16)));
    out += q.slice(last, t.index) + decoded;
    last = t.index + t[0].length;
  }
  return out + q.slice(last);
}

/** Text between quotes, comments and IRIs removed, to look for keywords safely. */
function skeleton(q: string): string {
  return q
    .replace(/"""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, '""')
    .replace(/#[^\n]*/g, ' ');
}

export class RemoteStore implements GraphStore {
  private readonly http: RemoteHttp;
  private readonly queryUrl: string;
  private readonly updateUrl: string;
  private readonly gspUrl?: string;
  private readonly opts: Required<Pick<RemoteStoreOptions, 'queryTimeoutMs' | 'maxResultBytes' | 'chunkQuads' | 'applyDeadlineMs'>> & { insertChunk: number };
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

  private constructor(private readonly o: RemoteStoreOptions) {
    this.queryUrl = o.queryUrl;
    this.updateUrl = o.updateUrl || o.queryUrl;
    this.gspUrl = o.gspUrl || undefined;
    this.http = new RemoteHttp({ user: o.user, password: o.password, retries: o.retries, backoffMs: o.backoffMs, logger: o.logger });
    this.warn = o.logger?.warn.bind(o.logger) ?? ((m) => console.warn(`[syndb remote store] ${m}`));
    this.opts = {
      queryTimeoutMs: o.queryTimeoutMs ?? 30_000,
      maxResultBytes: o.maxResultBytes ?? 128 * 1024 * 1024,
      chunkQuads: Math.max(1, o.chunkQuads ?? (o.gspUrl ? 50_000 : 1000)),
      insertChunk: Math.max(1, Math.min(o.chunkQuads ?? 1000, 1000)),
      applyDeadlineMs: o.applyDeadlineMs ?? 60_000,
    };
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
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/sparql-results+json' },
      body: new URLSearchParams({ query: `ASK { GRAPH <${WAL_GRAPH}> { ?s ?p ?o } }` }).toString(),
    });
    s.server = probe.headers.server ?? '';
    if (probe.status === 404) throw new StoreError(`no SPARQL endpoint at ${s.queryUrl} (HTTP 404); check SYNDB_STORE (Virtuoso: http://host:8890/sparql or /sparql-auth, Fuseki: http://host:3030/DATASET/query, Oxigraph: http://host:7878/query)`, 'unavailable');
    if (probe.status >= 300) throw new StoreError(`the SPARQL endpoint ${s.queryUrl} answered a test query with HTTP ${probe.status}: ${probe.body.slice(0, 300)}`, 'unavailable');
    normaliseJson(probe.body, 'boolean');
    // updates allowed? (an idempotent no-op on our own internal graph)
    await s.update(`DELETE DATA { GRAPH <${WAL_GRAPH}> { <${NS}probe> <${NS}probe> "probe" } }`, 'checking that the SPARQL server accepts updates');
    await s.recover();
    return s;
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
    const reply = await this.http.send('POST', this.updateUrl, {
      what,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: '*/*' },
      body: new URLSearchParams({ update: sparql }).toString(),
    });
    if (reply.status >= 300) throw this.explain(reply, this.updateUrl, what, true);
  }

  /** A query with the raw server answer (SPARQL JSON or N-Triples). */
  /**
   * `dataset` undefined: no protocol dataset (the server's own: internal bookkeeping queries only).
   * Otherwise the dataset is always explicit, so every server agrees (a Virtuoso default graph is
   * otherwise the union of all graphs): default = the given graphs or one empty graph; named = the
   * given graphs or all of ours (never staging or bookkeeping graphs).
   */
  private async rawQuery(sparql: string, accept: string, dataset: { defaultGraph?: string[]; namedGraphs?: string[] } | undefined, timeoutMs: number, what: string): Promise<string> {
    const form = new URLSearchParams({ query: sparql });
    if (dataset) {
      const dg = dataset.defaultGraph?.length ? dataset.defaultGraph : [EMPTY_GRAPH];
      const ng = [...(dataset.namedGraphs ?? this.known), EMPTY_GRAPH];
      for (const g of dg) form.append('default-graph-uri', g);
      for (const g of ng) form.append('named-graph-uri', g);
    }
    const signal = AbortSignal.timeout(timeoutMs);
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
    const body = await this.rawQuery(sparql, 'application/sparql-results+json', undefined, Math.max(this.opts.queryTimeoutMs, 600_000), what);
    const r = normaliseJson(body, 'bindings');
    return 'bindings' in r ? r.bindings : [];
  }

  private check(): void {
    if (this.closed) throw new StoreError(`the remote store ${this.queryUrl} is closed`, 'closed');
  }

  private async ready(): Promise<void> {
    this.check();
    if (this.needsRecovery) await this.recover();
  }

  // ------------------------------------------------------------------ reads

  async query(sparql: string, options: QueryOptions = {}): Promise<QueryResult> {
    await this.ready();
    if (typeof sparql !== 'string') throw new StoreError(`the query must be a string, got ${typeof sparql}`, 'bad-query');
    const kind = queryKind(sparql);
    if (kind === undefined) throw new StoreError('the query has no SELECT, ASK, CONSTRUCT or DESCRIBE form (or its prologue is malformed)', 'bad-query');
    const fmt = resultFormat(kind, options.format);
    if ('error' in fmt) throw new StoreError(fmt.error, 'bad-query');
    const sk = skeleton(sparql);
    const noIris = sk.replace(/<[^<>"{}|^`\\\s]*>/g, '<>');
    if (/^\s*define\s/im.test(noIris)) throw new StoreError('server-specific pragmas ("define …") are not allowed in queries', 'bad-query');
    if (/\bSERVICE\b/i.test(noIris)) throw new StoreError('SERVICE (federated query) is not allowed: only the data of this service can be queried', 'bad-query');
    if (/<\s*(bif|sql):/i.test(sk) || /(^|[\s(,])(bif|sql):/i.test(noIris)) throw new StoreError('server-specific functions (bif:, sql:) are not allowed in queries; use SPARQL 1.1 functions', 'bad-query');
    for (const [name, list] of [['defaultGraph', options.defaultGraph], ['namedGraphs', options.namedGraphs]] as const) {
      if (list === undefined) continue;
      if (!Array.isArray(list)) throw new StoreError(`QueryOptions.${name} must be an array of graph IRIs`, 'bad-query');
      list.forEach((g, i) => checkIri(g, `QueryOptions.${name}[${i}]`, 'bad-query'));
    }
    const text = options.baseIri && !/^\s*BASE\s/i.test(sk) ? `BASE <${options.baseIri}>\n${sparql}` : sparql;
    const given = options.defaultGraph !== undefined || options.namedGraphs !== undefined;
    const from = stripFromClauses(decodeIriEscapes(text));
    // the caller's dataset replaces the query's; without one, a query's own FROM applies
    const dataset = given || !from.found ? { defaultGraph: options.defaultGraph, namedGraphs: options.namedGraphs } : undefined;
    const timeoutMs = options.timeoutMs ?? this.opts.queryTimeoutMs;
    const named = new Set(options.namedGraphs ?? this.known);
    const text2 = dataset ? rewriteGraphConstants(from.text, named) : decodeIriEscapes(text);
    if (kind === 'graph') {
      const nt = await this.rawQuery(text2, 'application/n-triples', dataset, timeoutMs, 'running a query');
      return { kind, body: serialiseGraph(nt, fmt.mediaType), contentType: fmt.mediaType };
    }
    if (kind === 'boolean') {
      const body = await this.rawQuery(askAsSelect(text2), 'application/sparql-results+json', dataset, timeoutMs, 'running a query');
      const rows = normaliseJson(body, 'bindings');
      return { kind, body: serialiseResults({ boolean: 'bindings' in rows && rows.bindings.length > 0 }, fmt.mediaType), contentType: fmt.mediaType };
    }
    const body = await this.rawQuery(text2, 'application/sparql-results+json', dataset, timeoutMs, 'running a query');
    let r = normaliseJson(body, 'bindings') as { vars: string[]; bindings: Binding[] };
    if (dataset && r.bindings.some((b) => Object.values(b).some((t) => t.datatype === XSD_DOUBLE || t.datatype === XSD_FLOAT))) {
      r = await this.exactDoubles(text2, r, dataset, timeoutMs);
    }
    return { kind, body: serialiseResults(r, fmt.mediaType), contentType: fmt.mediaType };
  }

  /**
   * Virtuoso writes doubles with 6 significant digits in every result format (102475.1 → 102475.0)
   * although it stores them exactly; STR() gives every digit. The query is run again as a subquery
   * whose variables are also projected through STR(), and doubles take those lexical forms.
   */
  private async exactDoubles(q: string, r: { vars: string[]; bindings: Binding[] }, dataset: { defaultGraph?: string[]; namedGraphs?: string[] }, timeoutMs: number) {
    const m = mask(q);
    const at = /\bSELECT\b/i.exec(m);
    if (!at) return r;
    const lex = (v: string) => `syndb_lex_${v}`;
    const wrapped = `${q.slice(0, at.index)}SELECT ${r.vars.map((v) => `?${v} (STR(?${v}) AS ?${lex(v)})`).join(' ')} WHERE {\n${q.slice(at.index)}\n}`;
    let again: { vars: string[]; bindings: Binding[] };
    try {
      again = normaliseJson(await this.rawQuery(wrapped, 'application/sparql-results+json', dataset, timeoutMs, 'running a query'), 'bindings') as typeof again;
    } catch {
      return r; // e.g. a form the subquery cannot take: keep the first answer
    }
    if (again.bindings.length !== r.bindings.length) return r;
    return {
      vars: r.vars,
      bindings: again.bindings.map((b) => {
        const out: Binding = {};
        for (const v of r.vars) {
          const t = b[v];
          if (!t) continue;
          const exact = b[lex(v)]?.value;
          out[v] = (t.datatype === XSD_DOUBLE) && exact !== undefined ? { ...t, value: canonicalDouble(exact) } : t.datatype === XSD_FLOAT && exact !== undefined ? { ...t, value: exact } : t;
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
    await this.ready();
    checkIri(graph, 'dumpGraph()');
    return this.dumpUnlocked(graph);
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

  async graphs(): Promise<string[]> {
    await this.ready();
    const rows = await this.internalSelect(
      `SELECT DISTINCT ?g WHERE { GRAPH <${REGISTRY_GRAPH}> { ?g a <${NS}Graph> } FILTER EXISTS { GRAPH ?g { ?s ?p ?o } } }`,
      'listing graphs',
    );
    const list = rows.map((r) => r.g.value).sort();
    for (const g of list) this.known.add(g);
    return list;
  }

  async stats(): Promise<StoreStats> {
    await this.ready();
    const rows = await this.internalSelect(
      `SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?g) AS ?graphs) WHERE { GRAPH <${REGISTRY_GRAPH}> { ?g a <${NS}Graph> } GRAPH ?g { ?s ?p ?o } }`,
      'counting quads',
    );
    return { quads: Number(rows[0]?.n?.value ?? 0), graphs: Number(rows[0]?.graphs?.value ?? 0) };
  }

  /** N-Quads of every graph (gzip when the name ends in .gz); writes wait meanwhile, so it is consistent. */
  async backup(file: string): Promise<void> {
    await this.ready();
    const path = isAbsolute(file) ? file : resolvePath(file);
    await this.withWriteLock(async () => {
      const graphs = await this.graphs();
      const self = this;
      async function* parts() {
        for (const g of graphs) yield await self.dumpUnlocked(g);
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

  async transact(ops: WriteOp[], options: TransactOptions = {}): Promise<void> {
    this.check();
    const parsed = checkOps(ops);
    if (parsed.length === 0) return;
    await this.withWriteLock(async () => {
      await this.ready();
      const tx = `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
      const { plan, staged } = this.plan(tx, parsed);
      const total = staged.reduce((a, p) => a + p.lines.length, 0);
      const txIri = `${NS}tx/${tx}`;
      const record = (state: string) =>
        `<${txIri}> <${NS}plan> ${literal(JSON.stringify(plan))} . <${txIri}> <${NS}state> "${state}" . <${txIri}> <${NS}created> ${literal(new Date().toISOString())} .`;
      this.inflight.add(tx);
      try {
        try {
          if (total <= this.opts.insertChunk) {
            // one request: the committed record together with every staged quad (incomplete staging = not committed)
            const body = staged.map((p) => `GRAPH <${p.staging}> {\n${p.lines.join('\n')}\n}`).join('\n');
            await this.update(`INSERT DATA { GRAPH <${WAL_GRAPH}> { ${record('committed')} }\n${body} }`, 'writing a transaction');
            options.onProgress?.(total, total);
          } else {
            await this.update(`INSERT DATA { GRAPH <${WAL_GRAPH}> { ${record('preparing')} } }`, 'starting a transaction');
            let done = 0;
            for (const p of staged) {
              const size = this.gspUrl ? this.opts.chunkQuads : this.opts.insertChunk;
              for (let i = 0; i < p.lines.length; i += size) {
                const chunk = p.lines.slice(i, i + size);
                await this.upload(p.staging, chunk);
                done += chunk.length;
                options.onProgress?.(done, total);
              }
            }
            await this.verifyStaging(plan, true);
            if (this.o.crashAt === 'staged') throw new StoreError('fault injection: stopped after staging', 'unavailable');
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
          return;
        }
        const deadline = Date.now() + this.opts.applyDeadlineMs;
        for (let delay = 500; ; delay = Math.min(delay * 2, 5000)) {
          try {
            await this.update(this.switchRequest(plan), 'applying a transaction');
            this.remember(plan);
            return;
          } catch (e) {
            if (!(e instanceof StoreError) || e.code !== 'unavailable' || Date.now() + delay > deadline) {
              this.needsRecovery = true;
              this.warn(`transaction ${tx} is committed but could not be applied yet (${(e as Error).message}); it is applied before the next read or write`);
              return;
            }
            this.warn(`applying transaction ${tx} failed (${(e as Error).message}); retrying in ${delay} ms`);
            await new Promise((r) => setTimeout(r, delay));
          }
        }
      } finally {
        this.inflight.delete(tx);
      }
    });
  }

  /**
   * Group every add/delete by target graph into a staging graph of distinct triples. Adds are
   * reduced to their net effect (a quad a later op deletes or clears is not staged), so that the
   * switch can be one DELETE … INSERT operation: delete everything cleared or deleted, then insert
   * the net adds, which gives the same state as the ops in order.
   */
  private plan(tx: string, parsed: CheckedOp[]): { plan: Plan; staged: StagedPart[] } {
    const staged: StagedPart[] = [];
    const clearedLater = new Set<string>();
    const deletedLater = new Set<string>();
    const ops: PlanOp[] = new Array(parsed.length);
    for (let i = parsed.length - 1; i >= 0; i--) {
      const op = parsed[i];
      if (op.op === 'clear') {
        ops[i] = { op: 'clear', graph: op.graph };
        clearedLater.add(op.graph);
        continue;
      }
      const byGraph = new Map<string, Set<string>>();
      for (const q of op.quads) {
        const g = q.graph.value;
        const line = `${termString(q.subject)} ${termString(q.predicate)} ${termString(q.object)} .`;
        if (op.op === 'add' && (clearedLater.has(g) || deletedLater.has(`${line} ${g}`))) continue;
        let set = byGraph.get(g);
        if (!set) byGraph.set(g, (set = new Set()));
        set.add(line);
      }
      if (op.op === 'delete') for (const [g, lines] of byGraph) for (const l of lines) deletedLater.add(`${l} ${g}`);
      const parts = [...byGraph].map(([graph, lines], j) => {
        const staging = `${STAGING_PREFIX}${tx}:${i}:${j}:${createHash('sha1').update(graph).digest('hex').slice(0, 8)}`;
        staged.push({ graph, staging, lines: [...lines] });
        return { graph, staging, count: lines.size };
      });
      ops[i] = { op: op.op, parts };
    }
    staged.reverse();
    return { plan: { tx, ops }, staged };
  }

  /** Upload triples into a staging graph: Graph Store Protocol POST when configured, else INSERT DATA. */
  private async upload(staging: string, lines: string[]): Promise<void> {
    const body = lines.join('\n') + '\n';
    if (this.gspUrl) {
      const url = `${this.gspUrl}${this.gspUrl.includes('?') ? '&' : '?'}graph=${encodeURIComponent(staging)}`;
      const reply = await this.http.send('POST', url, { what: 'uploading a chunk (Graph Store Protocol)', headers: { 'content-type': 'application/n-triples' }, body });
      if (reply.status >= 300) throw this.explain(reply, this.gspUrl, 'uploading a chunk (Graph Store Protocol)', true);
      return;
    }
    await this.update(`INSERT DATA { GRAPH <${staging}> {\n${body}} }`, 'uploading a chunk');
  }

  /** Are all staging graphs of a plan complete? (throws when `strict` and one is not) */
  private async verifyStaging(plan: Plan, strict: boolean): Promise<boolean> {
    const parts = plan.ops.flatMap((o) => (o.op === 'clear' ? [] : o.parts));
    if (parts.length === 0) return true;
    const rows = await this.internalSelect(
      `SELECT ?g (COUNT(*) AS ?n) WHERE { VALUES ?g { ${parts.map((p) => `<${p.staging}>`).join(' ')} } GRAPH ?g { ?s ?p ?o } } GROUP BY ?g`,
      'checking staged data',
    );
    const have = new Map(rows.map((r) => [r.g.value, Number(r.n.value)]));
    for (const p of parts) {
      if ((have.get(p.staging) ?? 0) !== p.count) {
        if (strict) throw new StoreError(`staging graph ${p.staging} holds ${have.get(p.staging) ?? 0} quads, expected ${p.count}; the upload was incomplete, nothing was changed`, 'unavailable');
        return false;
      }
    }
    return true;
  }

  /**
   * The switch: ONE update operation applies the whole plan from its staging graphs (a single
   * operation is a single statement, so concurrent readers see the state before or after it; a
   * request of several operations is not isolated on Virtuoso), then the graphs are registered,
   * the record deleted and the staging graphs dropped.
   */
  private switchRequest(plan: Plan): string {
    const del: string[] = [];
    const ins: string[] = [];
    const registered = new Set<string>();
    for (const op of plan.ops) {
      if (op.op === 'clear') {
        del.push(`{ GRAPH <${op.graph}> { ?s ?p ?o } BIND(<${op.graph}> AS ?dg) }`);
        continue;
      }
      for (const p of op.parts) {
        if (op.op === 'add') {
          ins.push(`{ GRAPH <${p.staging}> { ?as ?ap ?ao } BIND(<${p.graph}> AS ?ag) }`);
          registered.add(p.graph);
        } else {
          del.push(`{ GRAPH <${p.staging}> { ?s ?p ?o } BIND(<${p.graph}> AS ?dg) }`);
        }
      }
    }
    const steps: string[] = [];
    if (del.length || ins.length) {
      const d = del.length ? `DELETE { GRAPH ?dg { ?s ?p ?o } }\n` : '';
      const i = ins.length ? `INSERT { GRAPH ?ag { ?as ?ap ?ao } }\n` : '';
      steps.push(`${d}${i}WHERE { ${[...del, ...ins].join('\n UNION ')} }`);
    }
    if (registered.size) steps.push(`INSERT DATA { GRAPH <${REGISTRY_GRAPH}> { ${[...registered].map((g) => `<${g}> a <${NS}Graph> .`).join(' ')} } }`);
    steps.push(`DELETE WHERE { GRAPH <${WAL_GRAPH}> { <${NS}tx/${plan.tx}> ?p ?o } }`);
    for (const op of plan.ops) if (op.op !== 'clear') for (const p of op.parts) steps.push(`DROP SILENT GRAPH <${p.staging}>`);
    return steps.join(' ;\n');
  }

  private remember(plan: Plan): void {
    for (const op of plan.ops) if (op.op === 'add') for (const p of op.parts) this.known.add(p.graph);
  }

  private async rollback(plan: Plan): Promise<void> {
    const drops = plan.ops.flatMap((o) => (o.op === 'clear' ? [] : o.parts.map((p) => `DROP SILENT GRAPH <${p.staging}>`)));
    await this.update([...drops, `DELETE WHERE { GRAPH <${WAL_GRAPH}> { <${NS}tx/${plan.tx}> ?p ?o } }`].join(' ;\n'), 'rolling back a transaction');
  }

  /**
   * Finish interrupted writes: roll forward every committed record whose staging is complete, roll
   * back the rest, and drop staging graphs no record names. Runs at open and after a failed write.
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
    const rows = await this.internalSelect(
      `SELECT ?tx ?plan ?state WHERE { GRAPH <${WAL_GRAPH}> { ?tx <${NS}plan> ?plan OPTIONAL { ?tx <${NS}state> ?state } } }`,
      'reading the write-ahead records',
    );
    const known = new Set<string>();
    for (const r of rows) {
      let plan: Plan;
      try {
        plan = JSON.parse(r.plan.value) as Plan;
      } catch {
        this.warn(`dropping an unreadable write-ahead record ${r.tx.value}`);
        await this.update(`DELETE WHERE { GRAPH <${WAL_GRAPH}> { <${r.tx.value}> ?p ?o } }`, 'dropping a damaged write-ahead record');
        continue;
      }
      for (const o of plan.ops) if (o.op !== 'clear') for (const p of o.parts) known.add(p.staging);
      if (this.inflight.has(plan.tx)) continue;
      const committed = !this.aborted.has(plan.tx) && r.state?.value === 'committed' && (await this.verifyStaging(plan, false));
      if (committed) {
        this.warn(`finishing transaction ${plan.tx}, committed but interrupted before it was applied`);
        await this.update(this.switchRequest(plan), 'applying an interrupted transaction');
        this.remember(plan);
      } else {
        this.warn(`rolling back transaction ${plan.tx}, interrupted before its commit point`);
        await this.rollback(plan);
      }
      this.aborted.delete(plan.tx);
    }
    const orphans = await this.internalSelect(
      `SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "${STAGING_PREFIX}")) }`,
      'looking for leftover staging graphs',
    );
    const drop = orphans.map((o) => o.g.value).filter((g) => !known.has(g));
    if (drop.length) await this.update(drop.map((g) => `DROP SILENT GRAPH <${g}>`).join(' ;\n'), 'dropping leftover staging graphs');
    const reg = await this.internalSelect(`SELECT ?g WHERE { GRAPH <${REGISTRY_GRAPH}> { ?g a <${NS}Graph> } }`, 'reading the graph registry');
    this.known = new Set(reg.map((r) => r.g.value));
    this.needsRecovery = false;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.writeChain;
    this.closed = true;
    await this.http.close();
  }
}

export function openRemoteStore(options: RemoteStoreOptions): Promise<RemoteStore> {
  return RemoteStore.open(options);
}

/** Re-export for callers that need canonical N-Triples from a server answer. */
export { normaliseNTriples };
