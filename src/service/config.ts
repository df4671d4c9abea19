/** Configuration from the environment (INTERFACE.md "Configuration"). */
import { resolve } from 'node:path';
import { DEFAULT_SPARQL_LIMITS, LIMIT_SETTINGS, type SparqlLimits } from '../sparql/limits.js';

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
   * Limits on every SPARQL query and update, checked before it runs (SYNDB_SPARQL_MAX_LENGTH,
   * _DEPTH, _TRIPLE_PATTERNS, _VALUES_ROWS, _PATH; defaults in src/sparql/limits.ts).
   */
  sparqlLimits: SparqlLimits;
}

/** SPARQL limits from SYNDB_SPARQL_MAX_…; each must be a positive integer. */
function sparqlLimitsFromEnv(env: NodeJS.ProcessEnv): SparqlLimits {
  const out = { ...DEFAULT_SPARQL_LIMITS };
  for (const key of Object.keys(LIMIT_SETTINGS) as (keyof SparqlLimits)[]) {
    const raw = env[LIMIT_SETTINGS[key]];
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${LIMIT_SETTINGS[key]} must be a positive integer, got "${raw}"`);
    out[key] = n;
  }
  return out;
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
    sparqlLimits: sparqlLimitsFromEnv(env),
  };
}
