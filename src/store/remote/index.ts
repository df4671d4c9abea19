/** The remote store (any SPARQL 1.1 server), as the rest of store/ opens it. */
export { RemoteStore, openRemoteStore, type RemoteStoreOptions, type TransactOptions } from './remote-store.js';
export { RemoteHttp } from './http.js';
