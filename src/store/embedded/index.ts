/** The embedded store (oxigraph replicas in worker threads, journal + snapshots), as the rest of store/ opens it. */
export { EmbeddedStore, openEmbeddedStore, type EmbeddedStoreOptions } from './embedded-store.js';
export { restoreStore } from './restore.js';
export { spawnModuleWorker, workerModuleUrl } from '../../util/worker-spawn.js';
