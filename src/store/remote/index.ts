export { RemoteStore, openRemoteStore, type RemoteStoreOptions, type TransactOptions } from './remote-store.js';
export { RemoteHttp } from './http.js';
