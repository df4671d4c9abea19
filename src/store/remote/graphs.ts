/** The remote store's own graphs on the server: write-ahead records, registry, staging, resumable loads. */
/** Namespace of the store's own records. */
export const NS = 'urn:syndb:store#';
export const WAL_GRAPH = 'urn:syndb:store:wal';
export const REGISTRY_GRAPH = 'urn:syndb:store:graphs';
export const EMPTY_GRAPH = 'urn:syndb:store:empty';
export const STAGING_PREFIX = 'urn:syndb:store:staging:';
/** Records of resumable loads (one subject per load, one literal per stored chunk). */
export const UPLOADS_GRAPH = 'urn:syndb:store:uploads';
/** Staging graphs of resumable loads: UPLOAD_PREFIX + key + ':' + slice number. */
export const UPLOAD_PREFIX = 'urn:syndb:store:upload:';

/** A staging graph holding `count` distinct quads of graph `graph`. */
export interface PartRef { graph: string; staging: string; count: number }
