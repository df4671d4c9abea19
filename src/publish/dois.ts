/**
 * The DOIs registered for a dataset at DataCite, as recorded in its concept graph by the DOI
 * registrar (src/service/doi-registrar.ts), and the names they get. One record per DOI:
 *
 *   <concept or version IRI> syndb:registeredDoi "10.5072/syndb.my-data.v1" ;
 *       syndb:doiState "draft" | "registered" | "findable" ;      (as DataCite last confirmed it)
 *       syndb:doiMetadataDigest "…" ; syndb:doiUpdated "…"^^xsd:dateTime .
 *
 * A DOI "exists" for the metadata we serve when it is registered or findable (it resolves); a
 * draft is only reserved.
 */
import type { GraphStore } from '../store/graph-store.js';
import { NS } from '../model/namespaces.js';
import { sparqlIri } from '../util/rdf.js';
import type { DoiState } from './datacite-api.js';

export const DOI_TERMS = {
  registeredDoi: `${NS.syndb}registeredDoi`,
  doiState: `${NS.syndb}doiState`,
  doiMetadataDigest: `${NS.syndb}doiMetadataDigest`,
  doiUpdated: `${NS.syndb}doiUpdated`,
} as const;

export interface DoiRecord { subject: string; doi: string; state: DoiState; digest?: string; updated?: string }

/** The DOI names of a dataset: stable, so a retried creation can never mint a second DOI. */
export const conceptDoiName = (prefix: string, id: string) => `${prefix}/syndb.${id}`;
export const versionDoiName = (prefix: string, id: string, n: number) => `${prefix}/syndb.${id}.v${n}`;

/** The DOI records in the given concept graphs, by subject (concept or version IRI). */
export async function doiRecords(store: GraphStore, conceptGraphs: string[]): Promise<Map<string, DoiRecord>> {
  const out = new Map<string, DoiRecord>();
  if (!conceptGraphs.length) return out;
  const rows = await store.select(`SELECT ?s ?d ?st ?h ?u WHERE { GRAPH ?c { ?s <${DOI_TERMS.registeredDoi}> ?d ; <${DOI_TERMS.doiState}> ?st .
      OPTIONAL { ?s <${DOI_TERMS.doiMetadataDigest}> ?h } OPTIONAL { ?s <${DOI_TERMS.doiUpdated}> ?u } } VALUES ?c { ${conceptGraphs.map(sparqlIri).join(' ')} } }`);
  for (const r of rows) {
    const st = r.st.value;
    if (st !== 'draft' && st !== 'registered' && st !== 'findable') continue;
    out.set(r.s.value, { subject: r.s.value, doi: r.d.value, state: st, digest: r.h?.value, updated: r.u?.value });
  }
  return out;
}

/** A DOI that resolves (registered or findable), not one only reserved. */
export const resolves = (r: DoiRecord | undefined): r is DoiRecord => !!r && (r.state === 'registered' || r.state === 'findable');

/** The DOIs of a dataset that resolve: the concept's and each version's. */
export interface DatasetDois { concept?: string; versions: Record<number, string> }

export async function datasetDois(store: GraphStore, conceptIri: string): Promise<DatasetDois> {
  const recs = await doiRecords(store, [conceptIri]);
  const out: DatasetDois = { versions: {} };
  for (const r of recs.values()) {
    if (!resolves(r)) continue;
    if (r.subject === conceptIri) out.concept = r.doi;
    else {
      const m = /\/versions\/(\d+)$/.exec(r.subject);
      if (m && r.subject === `${conceptIri}/versions/${m[1]}`) out.versions[Number(m[1])] = r.doi;
    }
  }
  return out;
}
