/**
 * The embedded store's options: what a caller may set, and their defaults, some from the
 * environment (SYNDB_STORE_WORKERS, SYNDB_STORE_MAX_QUADS, SYNDB_STORE_WAIT_MS).
 */
import { StoreError } from '../graph-store.js';
import type { QuarantineOptions } from '../query-quarantine.js';
import { boundedIntFromEnv } from '../../util/env.js';
import type { StoreLogger } from '../store-log.js';

export interface EmbeddedStoreOptions {
  dataDir: string;
  /** Open without the writer lock; writes are refused with StoreError 'read-only'. */
  readOnly?: boolean;
  /** Default query timeout (ms); QueryOptions.timeoutMs overrides it. Default 30000. */
  queryTimeoutMs?: number;
  /** Largest serialised query result (bytes); bigger results fail with 'too-large'. Default 128 MiB. */
  maxResultBytes?: number;
  /** Number of replica worker threads (each holds the whole graph in memory). Default SYNDB_STORE_WORKERS, else 2. */
  workers?: number;
  /**
   * Most quads a replica may hold (GraphStore.maxQuads). Default SYNDB_STORE_MAX_QUADS, else
   * 12,000,000: oxigraph's WebAssembly heap is at most 4 GB, measured full between 13.6 M and
   * 15.3 M quads of synapse rows (bench/tables.ts); longer literals need more.
   */
  maxQuads?: number;
  /** Journal size (bytes) that triggers a new snapshot. Default 64 MiB. */
  compactBytes?: number;
  /** Write a new snapshot at close() when the journal is not empty. Default true. */
  compactOnClose?: boolean;
  /**
   * Longest wait (ms) of a request for a free query engine, e.g. while the only replica is rebuilt;
   * then StoreError 'unavailable' with a retry hint. Default SYNDB_STORE_WAIT_MS, else 30000.
   */
  waitMs?: number;
  /** Back-off between rebuilds of failing replicas: first delay and cap (ms). Defaults 200 and 10000. */
  rebuildBackoffMs?: { base: number; cap: number };
  /** Refusal of queries that broke engines (see query-quarantine.ts). */
  quarantine?: QuarantineOptions;
  /** warn: human-readable lines; event (optional): structured records, e.g. a query that broke an engine. */
  logger?: StoreLogger;
}

const DEFAULTS = { queryTimeoutMs: 30_000, maxResultBytes: 128 * 1024 * 1024, workers: 2, compactBytes: 64 * 1024 * 1024, maxQuads: 12_000_000, waitMs: 30_000, rebuildBackoffMs: { base: 200, cap: 10_000 } };

/** A whole number from the environment variable `name`, within [min, max]; undefined when unset. */
function intFromEnv(name: string, min: number, max: number, what: string): number | undefined {
  return boundedIntFromEnv(name, min, max, (v) => new StoreError(`${name}=${JSON.stringify(v)} is not understood: expected ${what} from ${min.toLocaleString('en')} to ${max.toLocaleString('en')}`, 'unavailable'));
}

/** SYNDB_STORE_WORKERS: the number of replica workers (each holds the whole graph in memory). */
const workersFromEnv = () => intFromEnv('SYNDB_STORE_WORKERS', 1, 64, 'a whole number of store workers');

/** SYNDB_STORE_MAX_QUADS: the most quads the embedded store accepts from large writers. */
const maxQuadsFromEnv = () => intFromEnv('SYNDB_STORE_MAX_QUADS', 1000, 1_000_000_000, 'a whole number of quads');

/** SYNDB_STORE_WAIT_MS: the longest wait of a request for a free query engine. */
const waitMsFromEnv = () => intFromEnv('SYNDB_STORE_WAIT_MS', 100, 3_600_000, 'a number of milliseconds');

/** The options that have a default, each settled. */
export type ResolvedOptions = Required<Omit<EmbeddedStoreOptions, 'logger' | 'readOnly' | 'dataDir' | 'compactOnClose' | 'quarantine'>>;

/** `options` with every default filled in (a bad environment variable throws StoreError 'unavailable'). */
export function resolveOptions(options: EmbeddedStoreOptions): ResolvedOptions {
  return {
    queryTimeoutMs: options.queryTimeoutMs ?? DEFAULTS.queryTimeoutMs,
    maxResultBytes: options.maxResultBytes ?? DEFAULTS.maxResultBytes,
    workers: Math.max(1, options.workers ?? workersFromEnv() ?? DEFAULTS.workers),
    compactBytes: options.compactBytes ?? DEFAULTS.compactBytes,
    maxQuads: options.maxQuads ?? maxQuadsFromEnv() ?? DEFAULTS.maxQuads,
    waitMs: options.waitMs ?? waitMsFromEnv() ?? DEFAULTS.waitMs,
    rebuildBackoffMs: options.rebuildBackoffMs ?? DEFAULTS.rebuildBackoffMs,
  };
}
