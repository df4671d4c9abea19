export { EmbeddedStore, openEmbeddedStore, restoreStore, type EmbeddedStoreOptions } from './embedded-store.js';
export { spawnModuleWorker, workerModuleUrl } from '../../util/worker-spawn.js';
