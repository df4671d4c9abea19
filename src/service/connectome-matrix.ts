/**
 * The connectome matrix of an imported `connectome` graph (src/model/importers/connectome.ts), read
 * back from its cells in the original row and column order, for pictures. At most MAX_CELLS cells
 * are read; `truncated` says when the graph holds more.
 */
import { NS } from '../model/namespaces.js';
import type { ServiceContext } from './context.js';

export const MAX_CELLS = 250_000;

export interface StoredMatrix {
  rowLabel: string;
  rows: string[];
  columns: string[];
  counts: Array<Array<number | undefined>>;
  cells: number;
  truncated: boolean;
  /** The label of the imported file in the provenance record (e.g. "….csv: sample connectome matrix (…)"). */
  source?: string;
}

export async function connectomeMatrix(ctx: ServiceContext, graph: string, dataset: string): Promise<StoredMatrix> {
  const res = await ctx.store.select(`PREFIX syndb: <${NS.syndb}>
    SELECT ?cell ?pre ?post ?n WHERE { ?cell a syndb:ConnectionCount ; syndb:preSynapticClass ?pre ; syndb:postSynapticClass ?post ; syndb:synapseCount ?n } LIMIT ${MAX_CELLS + 1}`, { defaultGraph: [graph] });
  const title = await ctx.store.select(`PREFIX dcterms: <${NS.dcterms}> SELECT ?t WHERE { <${graph}> dcterms:title ?t } LIMIT 1`, { defaultGraph: [graph] });
  const truncated = res.length > MAX_CELLS;
  const rowAt = new Map<string, number>(), colAt = new Map<string, number>();
  const cells = res.slice(0, MAX_CELLS).map((b) => {
    const m = /\/cells\/(\d+)\/(\d+)$/.exec(b.cell.value);
    const i = m ? Number(m[1]) : Number.MAX_SAFE_INTEGER, j = m ? Number(m[2]) : Number.MAX_SAFE_INTEGER;
    const pre = b.pre.value, post = b.post.value;
    rowAt.set(pre, Math.min(rowAt.get(pre) ?? i, i));
    colAt.set(post, Math.min(colAt.get(post) ?? j, j));
    return { pre, post, n: Number(b.n.value) };
  });
  const order = (m: Map<string, number>) => [...m.entries()].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).map(([k]) => k);
  const rows = order(rowAt), columns = order(colAt);
  const ri = new Map(rows.map((r, i) => [r, i])), ci = new Map(columns.map((c, j) => [c, j]));
  const counts: Array<Array<number | undefined>> = rows.map(() => columns.map(() => undefined));
  for (const c of cells) counts[ri.get(c.pre)!][ci.get(c.post)!] = c.n;
  // "connectome matrix (3 axon class x 6 target types)": the importer keeps the first header cell in the title
  const rowLabel = /\(\d+ (.+) x \d+ target types\)$/.exec(title[0]?.t.value ?? '')?.[1] ?? 'presynaptic class';
  const act = await ctx.store.select(`PREFIX prov: <${NS.prov}> SELECT ?a WHERE { <${graph}> prov:wasGeneratedBy ?a } LIMIT 1`, { defaultGraph: [graph] });
  const used = act[0] ? await ctx.store.select(`PREFIX prov: <${NS.prov}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?l WHERE { <${act[0].a.value}> prov:used ?e . ?e rdfs:label ?l } LIMIT 1`, { defaultGraph: [ctx.datasets.provGraph(dataset)] }) : [];
  return { rowLabel, rows, columns, counts, cells: cells.length, truncated, source: used[0]?.l.value };
}
