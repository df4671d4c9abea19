/** Configuration from the environment (INTERFACE.md "Configuration"). */
import { join, resolve } from 'node:path';

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
    tableDir: resolve(env.SYNDB_TABLE_DIR ?? join(resolve(env.SYNDB_DATA_DIR ?? './data'), 'tables')),
    tableRowsAsTriplesMax: nonNegative(env.SYNDB_TABLE_ROWS_AS_TRIPLES_MAX, 1_000_000, 'SYNDB_TABLE_ROWS_AS_TRIPLES_MAX'),
    tableMemoryLimit: env.SYNDB_TABLE_MEMORY_LIMIT ?? '1GB',
  };
}

function nonNegative(v: string | undefined, dflt: number, name: string): number {
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number >= 0, got "${v}"`);
  return n;
}
