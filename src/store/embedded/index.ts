export { EmbeddedStore, openEmbeddedStore, restoreStore, type EmbeddedStoreOptions } from './embedded-store.js';
export { spawnModuleWorker, workerModuleUrl } from './worker-spawn.js';
