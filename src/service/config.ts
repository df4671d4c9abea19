/**
 * Configuration from the environment (INTERFACE.md "Configuration") and, under it, from a
 * configuration file: `SYNDB_CONFIG` names it, else the first `syndb.env` in the current
 * directory or one of its parents. The server (`syndb serve`, `npm start`) and every `syndb`
 * command read the same file, so `syndb token create` writes where the server reads.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { DEFAULT_SPARQL_LIMITS, LIMIT_SETTINGS, type SparqlLimits } from '../sparql/limits.js';
import { DEFAULT_INPUT_LIMITS, type InputLimits } from '../model/input-limits.js';
import { boundedIntFromEnv, choiceFromEnv } from '../util/env.js';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  baseIri: string;
  store: string;
  storeUpdateUrl?: string;
  storeGspUrl?: string;
  storeUser?: string;
  storePassword?: string;
  adminToken?: string;
  examples: boolean;
  /** Largest accepted request body, bytes (SYNDB_MAX_BODY, default 16 MiB). */
  maxBody: number;
  /** SPARQL query timeout, ms (SYNDB_QUERY_TIMEOUT_MS, default 30 s). */
  queryTimeoutMs: number;
  /** Largest serialised SPARQL result, bytes (SYNDB_MAX_RESULT_BYTES, default: the store's 128 MiB). */
  maxResultBytes?: number;
  /** Name of this service as publisher in citations (SYNDB_PUBLISHER). */
  publisher: string;
  /** Directory of the content-addressed table files (Parquet, CSV) (SYNDB_TABLE_DIR, default <data dir>/tables). May be shared storage. */
  tableDir: string;
  /** Tables of at most this many rows are also loaded as triples (SYNDB_TABLE_ROWS_AS_TRIPLES_MAX, default 1,000,000; 0 = never; per upload ?triples=true|false). */
  tableRowsAsTriplesMax: number;
  /** Memory the columnar engine may use (SYNDB_TABLE_MEMORY_LIMIT, DuckDB syntax, default 1GB). */
  tableMemoryLimit: string;
  /**
   * Which row validator checks uploaded tables (SYNDB_TABLE_VALIDATOR): 'sql' (default: the row
   * shapes as DuckDB queries, falling back to JavaScript for files DuckDB reads differently) or
   * 'javascript' (row by row, always). Both give the same verdict and report.
   */
  tableValidator: 'sql' | 'javascript';
  /**
   * Tables of at least this many rows get a sorted copy of each column they are filtered on, built
   * in the background after the first filter, so later filters on it read a row group or two
   * (SYNDB_TABLE_SORTED_COPY_MIN_ROWS, default 1,000,000; 0 = never).
   */
  tableSortedCopyMinRows: number;
  /** Threads of the columnar engine (SYNDB_TABLE_THREADS, default: the machine's available parallelism). */
  tableThreads: number;
  /** Fair share of /sparql between clients (see src/http/fair-share.ts). */
  fairShare: {
    /** Queries one client (token user, else address) runs at once (SYNDB_CLIENT_QUERIES, default 1). */
    perClient: number;
    /** Queries one client may have waiting on top (SYNDB_CLIENT_QUEUE, default 4). */
    perClientQueue: number;
    /** Queries running at once, all clients (SYNDB_MAX_QUERIES, default 8). */
    maxRunning: number;
    /** Queries waiting, all clients (SYNDB_QUERY_QUEUE, default 64). */
    queueSize: number;
    /** Longest wait for a slot, ms (SYNDB_QUEUE_WAIT_MS, default 10000). */
    queueWaitMs: number;
  };
  /** A query that broke query engines this many times (SYNDB_QUERY_STRIKES, default 2)… */
  queryStrikes: number;
  /** …is refused for this long after its last break, ms (SYNDB_QUERY_REFUSE_MS, default 600000). */
  queryRefuseMs: number;
  /** /health/ready fails below this much free disk space, bytes (SYNDB_MIN_FREE_BYTES, default 256 MiB). */
  minFreeBytes: number;
  /**
   * Limits on every SPARQL query and update, checked before it runs (SYNDB_SPARQL_MAX_LENGTH,
   * _DEPTH, _TRIPLE_PATTERNS, _VALUES_ROWS, _PATH; defaults in src/sparql/limits.ts).
   */
  sparqlLimits: SparqlLimits;
  /**
   * Count and depth limits on uploaded dataset descriptions (JSON, JSON-LD, Turtle):
   * SYNDB_MAX_INPUT_TRIPLES (50,000), SYNDB_MAX_INPUT_DEPTH (16), SYNDB_MAX_INPUT_ITEMS (10,000 per
   * array / object / property of a node), SYNDB_MAX_INPUT_STRING (262,144 characters).
   */
  inputLimits: InputLimits;
  /** Worker threads that parse and validate uploads off the main thread (SYNDB_PARSE_WORKERS, default 1; 0 = on the main thread). */
  parseWorkers: number;
  /**
   * Uploads up to this many bytes are checked on the main thread (SYNDB_PARSE_INLINE_BYTES, default
   * 8192): within the limits such a body holds a few hundred values (tens of ms), less than the
   * round trip to a worker, and most uploads never start one.
   */
  parseInlineBytes: number;
  /** Longest time one upload may spend in a parse worker before it is stopped with a 503, ms (SYNDB_PARSE_TIMEOUT_MS, default 120 s). */
  parseTimeoutMs: number;
  /** Largest table upload session, bytes (SYNDB_MAX_UPLOAD_BYTES, default 64 GiB). */
  maxUploadBytes: number;
  /** An upload session with no chunk for this long is removed, ms (SYNDB_UPLOAD_TTL_MS, default 24 h). */
  uploadTtlMs: number;
  /** Open upload sessions one user may have (SYNDB_UPLOAD_SESSIONS, default 8). */
  uploadSessionsPerUser: number;
  /** The configuration file read (undefined: none). */
  configFile?: string;
  /**
   * The DataCite repository account DOIs are registered with (SYNDB_DATACITE_URL, e.g.
   * https://api.test.datacite.org; SYNDB_DATACITE_PREFIX, e.g. 10.5072; SYNDB_DATACITE_USER, the
   * repository id, also read as SYNDB_DATACITE_REPOSITORY; SYNDB_DATACITE_PASSWORD). Unset: no DOI
   * is registered and identifiers stay landing-page URLs.
   */
  datacite?: DataCiteConfig;
}

export interface DataCiteConfig {
  /** Base URL of the DataCite REST API (no trailing slash). */
  url: string;
  /** The DOI prefix of the repository (10.NNNN). */
  prefix: string;
  /** Repository id (Basic auth user). */
  user: string;
  password: string;
  /** First retry after a failure, ms (SYNDB_DATACITE_RETRY_MS, default 30 s); doubles per failure up to maxRetryMs. */
  retryMs: number;
  /** Longest wait between retries, ms (SYNDB_DATACITE_MAX_RETRY_MS, default 1 h). */
  maxRetryMs: number;
  /** Timeout of one request to DataCite, ms (SYNDB_DATACITE_TIMEOUT_MS, default 30 s). */
  timeoutMs: number;
  /** How often every dataset's DOIs are compared with what it should have (embargo ends, missed changes), ms (SYNDB_DATACITE_CHECK_MS, default 1 min). */
  checkMs: number;
}

/** The DataCite account from the environment: all of URL, prefix, user and password, or none. */
function dataciteFromEnv(env: NodeJS.ProcessEnv): DataCiteConfig | undefined {
  const url = env.SYNDB_DATACITE_URL?.trim();
  const prefix = env.SYNDB_DATACITE_PREFIX?.trim();
  const user = (env.SYNDB_DATACITE_USER ?? env.SYNDB_DATACITE_REPOSITORY)?.trim();
  const password = env.SYNDB_DATACITE_PASSWORD;
  const given = { SYNDB_DATACITE_URL: url, SYNDB_DATACITE_PREFIX: prefix, SYNDB_DATACITE_USER: user, SYNDB_DATACITE_PASSWORD: password };
  const missing = Object.entries(given).filter(([, v]) => !v).map(([k]) => k);
  if (missing.length === 4) return undefined;
  if (missing.length) throw new Error(`DataCite is configured only in part: set ${missing.join(', ')} too (or unset every SYNDB_DATACITE_ variable to register no DOIs)`);
  if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(url!)) throw new Error(`SYNDB_DATACITE_URL must be an http(s) URL, got "${url}"`);
  if (!/^10\.\d{4,9}$/.test(prefix!)) throw new Error(`SYNDB_DATACITE_PREFIX must be a DOI prefix like 10.5072, got "${prefix}"`);
  return {
    url: url!.replace(/\/+$/, ''), prefix: prefix!, user: user!, password: password!,
    retryMs: intSetting(env, 'SYNDB_DATACITE_RETRY_MS', 30_000, 1, 86_400_000),
    maxRetryMs: intSetting(env, 'SYNDB_DATACITE_MAX_RETRY_MS', 3_600_000, 1, 7 * 86_400_000),
    timeoutMs: intSetting(env, 'SYNDB_DATACITE_TIMEOUT_MS', 30_000, 1, 600_000),
    checkMs: intSetting(env, 'SYNDB_DATACITE_CHECK_MS', 60_000, 10, 86_400_000),
  };
}


/** Names of settings that are paths; relative ones in a configuration file are relative to the file. */
const PATH_SETTINGS = ['SYNDB_DATA_DIR', 'SYNDB_TABLE_DIR'];

/** The configuration file: SYNDB_CONFIG, else the nearest syndb.env from `cwd` upwards (undefined: none). */
export function findConfigFile(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string | undefined {
  if (env.SYNDB_CONFIG) {
    const f = resolve(cwd, env.SYNDB_CONFIG);
    if (!existsSync(f)) throw new Error(`SYNDB_CONFIG=${env.SYNDB_CONFIG}: no such file`);
    return f;
  }
  for (let d = resolve(cwd); ; d = dirname(d)) {
    const f = join(d, 'syndb.env');
    if (existsSync(f)) return f;
    if (dirname(d) === d) return undefined;
  }
}

/**
 * The environment with the configuration file's settings under it (a variable set in the
 * environment wins). The file has lines NAME=value (# comments, quotes as in .env files).
 */
export function environmentWithFile(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): { env: NodeJS.ProcessEnv; file?: string } {
  const file = findConfigFile(env, cwd);
  if (!file) return { env };
  const values = parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
  for (const k of PATH_SETTINGS) if (values[k] && !isAbsolute(values[k])) values[k] = resolve(dirname(file), values[k]);
  return { env: { ...values, ...env }, file };
}

/** One of `choices` from the environment (default when unset). */
const choiceSetting = <T extends string>(env: NodeJS.ProcessEnv, name: string, choices: readonly T[], dflt: T): T => choiceFromEnv(name, choices, dflt, env);

/** A whole number from the environment (default when unset), within [min, max]. */
const intSetting = (env: NodeJS.ProcessEnv, name: string, dflt: number, min: number, max: number): number =>
  boundedIntFromEnv(name, min, max, (v) => new Error(`${name} must be a whole number from ${min} to ${max}, got "${v}"`), env) ?? dflt;

/** SPARQL limits from SYNDB_SPARQL_MAX_…; each a positive whole number. */
function sparqlLimitsFromEnv(env: NodeJS.ProcessEnv): SparqlLimits {
  const out = { ...DEFAULT_SPARQL_LIMITS };
  for (const key of Object.keys(LIMIT_SETTINGS) as (keyof SparqlLimits)[]) out[key] = intSetting(env, LIMIT_SETTINGS[key], out[key], 1, Number.MAX_SAFE_INTEGER);
  return out;
}

/**
 * Put the configuration file's settings into process.env (where the environment does not set
 * them), so that every part of the process, also those reading a variable directly, sees them.
 * `syndb` (server and commands) calls this first. Returns the file read.
 */
export function applyConfigFile(cwd = process.cwd()): string | undefined {
  const { env, file } = environmentWithFile(process.env, cwd);
  for (const [k, v] of Object.entries(env)) if (process.env[k] === undefined && v !== undefined) process.env[k] = v;
  return file;
}

/**
 * The configuration. Called without arguments (server, CLI) it reads process.env and the
 * configuration file; with an explicit environment, only that (tests), unless `opts.file`.
 */
export function configFromEnv(given?: NodeJS.ProcessEnv, opts: { file?: boolean; cwd?: string } = {}): Config {
  const withFile = opts.file ?? given === undefined;
  const { env, file } = withFile ? environmentWithFile(given ?? process.env, opts.cwd) : { env: given!, file: undefined };
  const port = Number(env.PORT ?? 3030);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    dataDir: resolve(env.SYNDB_DATA_DIR ?? './data'),
    baseIri: (env.SYNDB_BASE_IRI ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    store: env.SYNDB_STORE ?? 'embedded',
    storeUpdateUrl: env.SYNDB_STORE_UPDATE_URL,
    storeGspUrl: env.SYNDB_STORE_GSP_URL,
    storeUser: env.SYNDB_STORE_USER,
    storePassword: env.SYNDB_STORE_PASSWORD,
    adminToken: env.SYNDB_ADMIN_TOKEN || undefined,
    examples: env.SYNDB_EXAMPLES === '1' || env.SYNDB_EXAMPLES === 'true',
    maxBody: Number(env.SYNDB_MAX_BODY ?? 16 * 1024 * 1024),
    queryTimeoutMs: Number(env.SYNDB_QUERY_TIMEOUT_MS ?? 30_000),
    maxResultBytes: env.SYNDB_MAX_RESULT_BYTES ? Number(env.SYNDB_MAX_RESULT_BYTES) : undefined,
    publisher: env.SYNDB_PUBLISHER ?? 'SynDB Graph',
    tableDir: resolve(env.SYNDB_TABLE_DIR ?? join(resolve(env.SYNDB_DATA_DIR ?? './data'), 'tables')),
    tableRowsAsTriplesMax: intSetting(env, 'SYNDB_TABLE_ROWS_AS_TRIPLES_MAX', 1_000_000, 0, Number.MAX_SAFE_INTEGER),
    tableMemoryLimit: env.SYNDB_TABLE_MEMORY_LIMIT ?? '1GB',
    tableSortedCopyMinRows: intSetting(env, 'SYNDB_TABLE_SORTED_COPY_MIN_ROWS', 1_000_000, 0, Number.MAX_SAFE_INTEGER),
    tableThreads: intSetting(env, 'SYNDB_TABLE_THREADS', availableParallelism(), 1, 1024),
    tableValidator: choiceSetting(env, 'SYNDB_TABLE_VALIDATOR', ['sql', 'javascript'] as const, 'sql'),
    fairShare: {
      perClient: intSetting(env, 'SYNDB_CLIENT_QUERIES', 1, 1, 1000),
      perClientQueue: intSetting(env, 'SYNDB_CLIENT_QUEUE', 4, 0, 100_000),
      maxRunning: intSetting(env, 'SYNDB_MAX_QUERIES', 8, 1, 10_000),
      queueSize: intSetting(env, 'SYNDB_QUERY_QUEUE', 64, 0, 1_000_000),
      queueWaitMs: intSetting(env, 'SYNDB_QUEUE_WAIT_MS', 10_000, 1, 3_600_000),
    },
    queryStrikes: intSetting(env, 'SYNDB_QUERY_STRIKES', 2, 1, 1000),
    queryRefuseMs: intSetting(env, 'SYNDB_QUERY_REFUSE_MS', 600_000, 0, 7 * 24 * 3_600_000),
    minFreeBytes: intSetting(env, 'SYNDB_MIN_FREE_BYTES', 256 * 1024 * 1024, 0, Number.MAX_SAFE_INTEGER),
    sparqlLimits: sparqlLimitsFromEnv(env),
    inputLimits: {
      maxTriples: intSetting(env, 'SYNDB_MAX_INPUT_TRIPLES', DEFAULT_INPUT_LIMITS.maxTriples, 1, Number.MAX_SAFE_INTEGER),
      maxDepth: intSetting(env, 'SYNDB_MAX_INPUT_DEPTH', DEFAULT_INPUT_LIMITS.maxDepth, 1, 10_000),
      maxItems: intSetting(env, 'SYNDB_MAX_INPUT_ITEMS', DEFAULT_INPUT_LIMITS.maxItems, 1, Number.MAX_SAFE_INTEGER),
      maxString: intSetting(env, 'SYNDB_MAX_INPUT_STRING', DEFAULT_INPUT_LIMITS.maxString, 1, Number.MAX_SAFE_INTEGER),
    },
    parseWorkers: intSetting(env, 'SYNDB_PARSE_WORKERS', 1, 0, 64),
    parseInlineBytes: intSetting(env, 'SYNDB_PARSE_INLINE_BYTES', 8192, 0, Number.MAX_SAFE_INTEGER),
    parseTimeoutMs: intSetting(env, 'SYNDB_PARSE_TIMEOUT_MS', 120_000, 1, 86_400_000),
    datacite: dataciteFromEnv(env),
    maxUploadBytes: intSetting(env, 'SYNDB_MAX_UPLOAD_BYTES', 64 * 1024 ** 3, 1, Number.MAX_SAFE_INTEGER),
    uploadTtlMs: intSetting(env, 'SYNDB_UPLOAD_TTL_MS', 24 * 3_600_000, 1000, 365 * 24 * 3_600_000),
    uploadSessionsPerUser: intSetting(env, 'SYNDB_UPLOAD_SESSIONS', 8, 1, 10_000),
    configFile: file,
  };
}
