/**
 * What the layers under service/ (provenance, search, publish) are handed of the ServiceContext:
 * the store, the IRI scheme and the catalog (with its read interface: entry, graphFor, …).
 */
import type { GraphStore } from '../store/graph-store.js';
import type { Iris } from './iris.js';
import type { Catalog } from './catalog.js';

export interface ReadContext {
  store: GraphStore;
  iris: Iris;
  catalog: Catalog;
}
