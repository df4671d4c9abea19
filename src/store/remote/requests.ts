/**
 * The requests the remote store sends: SPARQL 1.1 Protocol queries and updates, with the server's
 * errors explained (what to fix, and whether the query or the server is at fault) and writes the
 * server ended as deadlocks sent again; quad counts of graphs; and the upload of N-Triples into a
 * staging graph (Graph Store Protocol POST when configured, else INSERT DATA).
 */
import { StoreError, type Binding } from '../graph-store.js';
import { EMPTY_GRAPH } from './graphs.js';
import type { RemoteHttp, HttpReply } from './http.js';
import { parseResults, RESULTS_ACCEPT } from './results.js';

/** The protocol dataset of a query (see RemoteRequests.rawQuery). */
export interface Dataset { defaultGraph?: string[]; namedGraphs?: string[] }

export interface RequestOptions {
  http: RemoteHttp;
  queryUrl: string;
  updateUrl: string;
  gspUrl?: string;
  /** Default query timeout (ms); internal queries wait at least 10 minutes. */
  queryTimeoutMs: number;
  maxResultBytes: number;
  /** Quads per INSERT DATA request. */
  insertChunk: number;
  /** Our graphs (the registry): the named graphs of a query that names none (read when sent). */
  known: ReadonlySet<string>;
  warn(message: string): void;
}

function explain(reply: HttpReply, url: string, what: string, isUpdate: boolean): StoreError {
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

export class RemoteRequests {
  readonly queryTimeoutMs: number;

  constructor(private readonly o: RequestOptions) {
    this.queryTimeoutMs = o.queryTimeoutMs;
  }

  /** One SPARQL Update request (form-encoded POST). */
  async update(sparql: string, what: string): Promise<void> {
    const body = new URLSearchParams({ update: sparql }).toString();
    const reply = await this.retryConflicts(what, () => this.o.http.send('POST', this.o.updateUrl, { what, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: '*/*' }, body }));
    if (reply.status >= 300) throw explain(reply, this.o.updateUrl, what, true);
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
      if (attempt >= 3) this.o.warn(`${what}: the server reported a deadlock (attempt ${attempt}); sending it again in ${pause} ms`);
      await new Promise((r) => setTimeout(r, pause));
    }
  }

  /**
   * A query with the raw server answer (SPARQL JSON or N-Triples).
   * `dataset` undefined: no protocol dataset (the server's own: internal bookkeeping queries only).
   * Otherwise the dataset is always explicit, so every server agrees (a Virtuoso default graph is
   * otherwise the union of all graphs): default = the given graphs or one empty graph; named = the
   * given graphs or all of ours (never staging or bookkeeping graphs).
   */
  async rawQuery(sparql: string, accept: string, dataset: Dataset | undefined, timeoutMs: number, what: string, signal = AbortSignal.timeout(timeoutMs)): Promise<string> {
    const form = new URLSearchParams({ query: sparql });
    if (dataset) {
      const dg = dataset.defaultGraph?.length ? dataset.defaultGraph : [EMPTY_GRAPH];
      const ng = [...(dataset.namedGraphs ?? this.o.known), EMPTY_GRAPH];
      for (const g of dg) form.append('default-graph-uri', g);
      for (const g of ng) form.append('named-graph-uri', g);
    }
    let reply: HttpReply;
    try {
      reply = await this.o.http.send('POST', this.o.queryUrl, { what, headers: { 'content-type': 'application/x-www-form-urlencoded', accept }, body: form.toString(), signal });
    } catch (e) {
      if (signal.aborted) throw new StoreError(`query exceeded the timeout of ${timeoutMs} ms and was stopped`, 'timeout');
      throw e;
    }
    if (reply.status >= 300) throw explain(reply, this.o.queryUrl, what, false);
    if (Buffer.byteLength(reply.body) > this.o.maxResultBytes) {
      throw new StoreError(`the query result is larger than ${this.o.maxResultBytes} bytes; add a LIMIT or narrow the query`, 'too-large');
    }
    return reply.body;
  }

  /** A bookkeeping SELECT (no protocol dataset, a long timeout). */
  async internalSelect(sparql: string, what: string): Promise<Binding[]> {
    const body = await this.rawQuery(sparql, RESULTS_ACCEPT, undefined, Math.max(this.o.queryTimeoutMs, 600_000), what);
    const r = await parseResults(body, 'bindings');
    return 'bindings' in r ? r.bindings : [];
  }

  async countGraph(graph: string): Promise<number> {
    const rows = await this.internalSelect(`SELECT (COUNT(*) AS ?n) WHERE { GRAPH <${graph}> { ?s ?p ?o } }`, `counting the quads of ${graph}`);
    return Number(rows[0]?.n?.value ?? 0);
  }

  async countGraphs(graphs: string[]): Promise<Map<string, number>> {
    const rows = await this.internalSelect(
      `SELECT ?g (COUNT(*) AS ?n) WHERE { VALUES ?g { ${graphs.map((g) => `<${g}>`).join(' ')} } GRAPH ?g { ?s ?p ?o } } GROUP BY ?g`,
      'counting graphs',
    );
    return new Map(rows.map((r) => [r.g.value, Number(r.n.value)]));
  }

  /** Upload triples into a staging graph: Graph Store Protocol POST when configured, else INSERT DATA. */
  async upload(staging: string, lines: string[]): Promise<void> {
    const body = lines.join('\n') + '\n';
    const gspUrl = this.o.gspUrl;
    if (gspUrl) {
      const url = `${gspUrl}${gspUrl.includes('?') ? '&' : '?'}graph=${encodeURIComponent(staging)}`;
      const reply = await this.retryConflicts('uploading a chunk', () => this.o.http.send('POST', url, { what: 'uploading a chunk (Graph Store Protocol)', headers: { 'content-type': 'application/n-triples' }, body }));
      if (reply.status >= 300) throw explain(reply, gspUrl, 'uploading a chunk (Graph Store Protocol)', true);
      return;
    }
    const chunk = this.o.insertChunk;
    if (lines.length <= chunk) {
      await this.update(`INSERT DATA { GRAPH <${staging}> {\n${body}} }`, 'uploading a chunk');
      return;
    }
    for (let i = 0; i < lines.length; i += chunk) {
      await this.update(`INSERT DATA { GRAPH <${staging}> {\n${lines.slice(i, i + chunk).join('\n')}\n} }`, 'uploading a chunk');
    }
  }
}
