export { EmbeddedStore, openEmbeddedStore, type EmbeddedStoreOptions } from './embedded-store.js';
export { restoreStore } from './restore.js';
export { spawnModuleWorker, workerModuleUrl } from '../../util/worker-spawn.js';
