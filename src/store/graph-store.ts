/**
 * The one interface every layer above the store talks to. Two implementations:
 * embedded (oxigraph in worker threads + a durable journal) and remote (SPARQL 1.1
 * Protocol + Graph Store Protocol). Everything is async so the embedded engine never
 * blocks the HTTP event loop.
 */

/** A write step inside one atomic transaction. Quads are N-Quads text without blank nodes. */
export type WriteOp =
  | { op: 'clear'; graph: string }        // remove every quad of a named graph
  | { op: 'add'; nquads: string }          // add quads (N-Quads; default-graph lines are rejected)
  | { op: 'delete'; nquads: string }       // remove exactly these quads
  /**
   * Bulk load (stores with `bulkOps` only; services load through GraphStore.loadGraph()): the N-Triples file `file` (absolute path on the store's
   * file system, best inside its data directory) into the named graph `graph`. The store takes the
   * file over when the transaction commits (it is moved into the store and kept, by reference and
   * SHA-256, until the next snapshot); after a failed transaction it is left where it was.
   * `sha256` (hex), when given, must match the file.
   */
  | { op: 'load'; graph: string; file: string; sha256?: string }
  /**
   * Copy every quad of graph `from` into graph `to` inside the store:
   * the quads never pass through this process. `rewrite: [a, b]` replaces, in subjects and
   * objects, the IRI a and IRIs under it (a/… or a#…) by the same IRI under b. The remote store
   * copies `from` as it was before the transaction, and refuses a copy from a graph that an
   * earlier op changes or into a graph that a later op deletes from.
   */
  | { op: 'copy'; from: string; to: string; rewrite?: [string, string] };

/** A graph IRI that names no graph: as QueryOptions.defaultGraph or .namedGraphs, the query sees no graph there. */
export const NO_GRAPH = 'urn:syndb:no-graph';

export interface QueryOptions {
  /** Graph IRIs whose union is the default graph of the query. Omitted: the store's own default graph (empty). */
  defaultGraph?: string[];
  /** Graph IRIs visible to GRAPH / FROM NAMED. Omitted: all named graphs. */
  namedGraphs?: string[];
  /** Result serialisation: a media type oxigraph writes (application/sparql-results+json, …, text/turtle, application/n-triples, application/n-quads, application/rdf+xml). */
  format?: string;
  /** Abort (and report QueryTimeoutError) after this many milliseconds. */
  timeoutMs?: number;
  /** SPARQL base IRI for relative IRIs in the query. */
  baseIri?: string;
}

export interface QueryResult {
  /** 'boolean' for ASK, 'bindings' for SELECT, 'graph' for CONSTRUCT / DESCRIBE. */
  kind: 'boolean' | 'bindings' | 'graph';
  /** The serialised result in the requested format. */
  body: string;
  contentType: string;
}

/** A SELECT row in SPARQL JSON term form. */
export type Binding = Record<string, { type: 'uri' | 'literal' | 'bnode' | 'triple'; value: string; datatype?: string; 'xml:lang'?: string }>;

export interface StoreStats { quads: number; graphs: number; journalBytes?: number }

/**
 * What the store says about itself, cheaply and without running a query (GraphStore.health()):
 * for readiness checks and metrics. Backend-neutral: an external server reports one "replica".
 */
export interface StoreHealth {
  /** Every replica serving or being rebuilt, and writes possible (or the store opened read-only on purpose). */
  ready: boolean;
  /** Query engines: 'serving', 'loading' (starting or rebuilding), 'waiting' (rebuild delayed by back-off), 'failed'. */
  replicas: Array<{ id: number; state: 'serving' | 'loading' | 'waiting' | 'failed'; detail?: string }>;
  /** Writes can be made durable now (journal open and its directory writable; external: not read-only). */
  writable: boolean;
  readOnly: boolean;
  /** Why not writable / not ready, in words. */
  problems: string[];
  /** Bytes of journal not yet folded into a snapshot (embedded store only). */
  journalBytes?: number;
  /** Local directory whose free space matters to the store (embedded store only). */
  dataDir?: string;
  /** Requests waiting for a free query engine. */
  queueDepth: number;
  /** Counters since open. */
  counters: { queries: number; timeouts: number; engineFailures: number; rebuilds: number; refused: number };
}

/**
 * A graph being replaced by a bulk load (GraphStore.loadGraph()): chunks of N-Triples lines (no
 * blank nodes; chunks share no triples), given in the same order on every attempt, then one commit.
 * One chunk is stored while the caller prepares the next; each call waits for the one before it and
 * throws its failure.
 */
export interface GraphLoad {
  /** The next chunk of the graph's triples. */
  add(ntriples: string): Promise<void>;
  /**
   * The graph holds exactly the chunks given (with `ntriples`, the last one), and `ops` (which must
   * not clear the graph or delete from it) are applied in the same transaction. Resolves when durable.
   */
  commit(ops: WriteOp[], ntriples?: string): Promise<void>;
  /**
   * After a failed add() or commit(): no half graph stays visible. Resolves to true when the graph
   * was emptied (a store that writes chunk by chunk), false when it is as it was before the load
   * (a store that stages loads: what is staged is kept, and a load with the same key continues it).
   */
  abandon(): Promise<boolean>;
}

export interface GraphStore {
  /** True when transact() accepts the 'load' op (the embedded store: files on its own disk); every store takes the other ops. */
  readonly bulkOps?: boolean;
  /**
   * Replace named graph `graph` by a bulk load (see GraphLoad). `key` (letters, digits, "_", "-")
   * names the input: a store that stages large loads (the remote store) resumes an earlier failed
   * load with the same key and graph without sending the stored chunks again.
   */
  loadGraph(graph: string, key: string): Promise<GraphLoad>;
  /**
   * Most quads the store can hold, when it has a hard limit (the embedded store: every replica keeps
   * all quads in oxigraph's 32-bit WebAssembly heap). Writers of large data check it before writing
   * and refuse with StoreError 'too-large'. Undefined: no known limit (external servers).
   */
  readonly maxQuads?: number;
  /** Run a SPARQL query; the result is serialised as options.format. */
  query(sparql: string, options?: QueryOptions): Promise<QueryResult>;
  /** Convenience: SELECT rows as SPARQL JSON bindings. */
  select(sparql: string, options?: Omit<QueryOptions, 'format'>): Promise<Binding[]>;
  /** Convenience: ASK. */
  ask(sparql: string, options?: Omit<QueryOptions, 'format'>): Promise<boolean>;
  /** Apply all ops atomically; resolves only when the change is durable. */
  transact(ops: WriteOp[]): Promise<void>;
  /** One named graph as N-Quads ('' if empty). */
  dumpGraph(graph: string): Promise<string>;
  /** Names of the non-empty named graphs. */
  graphs(): Promise<string[]>;
  stats(): Promise<StoreStats>;
  /** The store's own state (see StoreHealth); never waits for a query engine. */
  health(): StoreHealth;
  /** Write a consistent snapshot of everything to a file (N-Quads, gzip when the name ends in .gz). */
  backup(file: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Error codes: 'locked' (another process writes to the data directory), 'corrupt' (damaged files),
 * 'timeout', 'too-large' (result over the size limit), 'bad-query' (SPARQL syntax/evaluation error or
 * unavailable result format), 'unavailable', 'closed', 'read-only' (write on a read-only store),
 * 'bad-input' (a WriteOp or restored file is invalid: bad N-Quads, blank nodes, default-graph quads).
 */
export type StoreErrorCode = 'locked' | 'corrupt' | 'timeout' | 'too-large' | 'bad-query' | 'unavailable' | 'closed' | 'read-only' | 'bad-input'
  /** The query crashed the query engine that ran it (that engine is being rebuilt); `details.fingerprint` names it. */
  | 'engine-failure'
  /** The query is refused for a while because it broke query engines before; `details.retryAfterS` says when to retry. */
  | 'refused';

/** Extra facts an error carries for the HTTP layer (problem fields, Retry-After). */
export interface StoreErrorDetails {
  /** Hash of the normalised query text (see query-fingerprint.ts). */
  fingerprint?: string;
  /** Seconds after which a retry may succeed. */
  retryAfterS?: number;
}

export class StoreError extends Error {
  constructor(message: string, readonly code: StoreErrorCode, readonly details: StoreErrorDetails = {}) {
    super(message);
    this.name = 'StoreError';
  }
}

type QueryFn = (sparql: string, options: QueryOptions) => Promise<QueryResult>;

/** `select()` for any store in terms of its `query()`. */
export async function selectVia(query: QueryFn, sparql: string, options: Omit<QueryOptions, 'format'> = {}): Promise<Binding[]> {
  const r = await query(sparql, { ...options, format: 'application/sparql-results+json' });
  if (r.kind !== 'bindings') throw new StoreError(`select() needs a SELECT query, got a ${r.kind === 'boolean' ? 'ASK' : 'CONSTRUCT/DESCRIBE'} query`, 'bad-query');
  return (JSON.parse(r.body) as { results: { bindings: Binding[] } }).results.bindings;
}

/** `ask()` for any store in terms of its `query()`. */
export async function askVia(query: QueryFn, sparql: string, options: Omit<QueryOptions, 'format'> = {}): Promise<boolean> {
  const r = await query(sparql, { ...options, format: 'application/sparql-results+json' });
  if (r.kind !== 'boolean') throw new StoreError(`ask() needs an ASK query, got a ${r.kind === 'bindings' ? 'SELECT' : 'CONSTRUCT/DESCRIBE'} query`, 'bad-query');
  return (JSON.parse(r.body) as { boolean: boolean }).boolean;
}
