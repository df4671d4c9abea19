/**
 * Open the configured GraphStore: the embedded backend (SYNDB_STORE unset or "embedded"), or a
 * remote SPARQL 1.1 server (SYNDB_STORE = its query endpoint URL; see src/store/remote/).
 */
import { StoreError, type GraphStore } from './graph-store.js';
import { openEmbeddedStore, type EmbeddedStoreOptions } from './embedded/embedded-store.js';
import { restoreStore } from './embedded/restore.js';
import { openRemoteStore } from './remote/remote-store.js';

export { restoreStore };
export { verifyDataDir, formatVerifyReport, type VerifyReport } from './embedded/verify.js';
export { repairDataDir, type RepairResult } from './embedded/repair.js';

/** The store part of the service configuration (src/service/config.ts `Config` fits it). */
export interface StoreConfig {
  /** 'embedded' (default) or the http(s) URL of a SPARQL 1.1 query endpoint (SYNDB_STORE). */
  store?: string;
  /** Embedded store directory (SYNDB_DATA_DIR). */
  dataDir: string;
  queryTimeoutMs?: number;
  maxResultBytes?: number;
  storeUpdateUrl?: string;
  storeGspUrl?: string;
  storeUser?: string;
  storePassword?: string;
  /** A query that broke query engines this many times is refused for queryRefuseMs (embedded store). */
  queryStrikes?: number;
  queryRefuseMs?: number;
}

/** Embedded-store settings that can be set per call (e.g. `{ readOnly: true }` for a second process). */
export type StoreOverrides = Partial<Omit<EmbeddedStoreOptions, 'dataDir'>>;

export async function openStore(config: StoreConfig, overrides: StoreOverrides = {}): Promise<GraphStore> {
  const kind = config.store?.trim() || 'embedded';
  if (kind === 'embedded') {
    return openEmbeddedStore({
      dataDir: config.dataDir,
      queryTimeoutMs: config.queryTimeoutMs,
      maxResultBytes: config.maxResultBytes,
      quarantine: { strikes: config.queryStrikes, refuseMs: config.queryRefuseMs },
      ...overrides,
    });
  }
  if (/^https?:\/\//.test(kind)) {
    return openRemoteStore({
      queryUrl: kind,
      updateUrl: config.storeUpdateUrl || undefined,
      gspUrl: config.storeGspUrl || undefined,
      user: config.storeUser || undefined,
      password: config.storePassword,
      queryTimeoutMs: config.queryTimeoutMs,
      maxResultBytes: config.maxResultBytes,
    });
  }
  throw new StoreError(`SYNDB_STORE=${JSON.stringify(kind)} is not understood: use "embedded" or the http(s) URL of a SPARQL 1.1 endpoint`, 'unavailable');
}
