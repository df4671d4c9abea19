/**
 * The state tag of a dataset (the basis of its ETags): every change to a dataset, whatever the
 * route (edit, PATCH, publish, withdrawal, tables, assets, SPARQL Update, Graph Store), records an
 * activity in the dataset's provenance graph, so the digest of those activity IRIs changes with
 * every change and with nothing else. `If-Match` compares with it (strong comparison, RFC 9110).
 */
import { createHash } from 'node:crypto';
import type { GraphStore } from '../store/graph-store.js';
import { NS } from '../model/namespaces.js';

export async function datasetStateTag(store: GraphStore, provGraph: string): Promise<string> {
  const rows = await store.select(`SELECT DISTINCT ?a WHERE { GRAPH <${provGraph}> { ?a a <${NS.prov}Activity> } }`);
  const list = rows.map((r) => r.a.value).sort();
  return createHash('sha256').update(`${provGraph}\n${list.join('\n')}`).digest('hex').slice(0, 32);
}

/**
 * The ETag of one representation: the state tag and a digest of what selects the representation
 * (media type, profile, style, …), so each representation has its own strong validator.
 */
export function representationEtag(state: string, variant: string): string {
  return `"${state}-${createHash('sha256').update(variant).digest('hex').slice(0, 8)}"`;
}

/**
 * Does an If-Match field value hold for the current state? Absent: yes; `*`: yes (the dataset
 * exists); else one of the listed strong entity tags is an ETag of the current state (of any of
 * its representations). Weak tags (W/"…") never match (RFC 9110 13.1.1).
 */
export function ifMatchHolds(field: string | undefined, state: string): boolean {
  if (field === undefined) return true;
  const v = field.trim();
  if (v === '*') return true;
  for (const m of v.matchAll(/(W\/)?"([^"]*)"/g)) {
    if (m[1]) continue;
    if (m[2] === state || m[2].startsWith(`${state}-`)) return true;
  }
  return false;
}
