/** Configuration from the environment (INTERFACE.md "Configuration"). */
import { resolve } from 'node:path';
import { DEFAULT_INPUT_LIMITS, type InputLimits } from '../model/input-limits.js';

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
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, dflt: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
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
    inputLimits: {
      maxTriples: positiveInt(env, 'SYNDB_MAX_INPUT_TRIPLES', DEFAULT_INPUT_LIMITS.maxTriples),
      maxDepth: positiveInt(env, 'SYNDB_MAX_INPUT_DEPTH', DEFAULT_INPUT_LIMITS.maxDepth),
      maxItems: positiveInt(env, 'SYNDB_MAX_INPUT_ITEMS', DEFAULT_INPUT_LIMITS.maxItems),
      maxString: positiveInt(env, 'SYNDB_MAX_INPUT_STRING', DEFAULT_INPUT_LIMITS.maxString),
    },
    parseWorkers: positiveInt(env, 'SYNDB_PARSE_WORKERS', 1, 0),
    parseInlineBytes: positiveInt(env, 'SYNDB_PARSE_INLINE_BYTES', 8192, 0),
    parseTimeoutMs: positiveInt(env, 'SYNDB_PARSE_TIMEOUT_MS', 120_000),
  };
}
