/**
 * One dataset page as every reader of it sees it (GET /datasets/{id}[/versions/n], its linkset,
 * its citation page): the dataset is looked up once, its graph read once (sorted: the same version
 * always gives the same bytes), and its publication metadata, citation record, tables and state
 * are worked out from them when asked, each at most once. The routers only negotiate and render.
 */
import type { ServiceContext } from './context.js';
import type { Caller } from '../model/caller.js';
import type { DatasetEntry, DatasetTarget } from '../model/catalog.js';
import { parseRdf, type Quad } from '../util/rdf.js';
import { sortedGraph } from '../provenance/versions.js';
import { datasetMetadata, type DatasetMetadata } from '../publish/metadata.js';
import { datasetDois } from '../publish/dois.js';
import { datasetCitation, type CitationRecord } from '../publish/citation/index.js';
import { TableService } from './tables.js';
import { distributionSizes } from './distribution-sizes.js';
import type { TableSchema } from '../model/tables/schema.js';

/** A compartment table of the page's version (or draft): its columns, row count, size and downloads. */
export interface TableInfo {
  slug: string;
  rows: number;
  columns: Array<{ name: string; description?: string; unit?: string; datatype?: string }>;
  /** The table page (HTML: columns, statistics, histograms). */
  page: string;
  download: string;
  parquet: string;
  csvw: string;
  bytes: { csv?: number; parquet?: number };
}

export interface DatasetView {
  id: string;
  entry: DatasetEntry;
  target: DatasetTarget;
  quads: Quad[];
  /** The publication view (DCAT, schema.org, DataCite, signposting) of the page asked for. */
  metadata(): Promise<DatasetMetadata>;
  /** The citation record of the version (or draft) shown. */
  citation(): Promise<CitationRecord>;
  tables(): Promise<TableInfo[]>;
  /** The dataset's state tag, from which the ETags of its representations are made. */
  state(): Promise<string>;
}

const once = <T>(f: () => Promise<T>): (() => Promise<T>) => {
  let p: Promise<T> | undefined;
  return () => (p ??= f());
};

/** The dataset page of `id` (`version`: a published version; omitted: the latest, else the draft to its writers). */
export async function datasetView(ctx: ServiceContext, id: string, caller: Caller, version?: number): Promise<DatasetView> {
  const entry = ctx.datasets.visibleEntry(id, caller);
  const target = ctx.catalog.targetOf(entry, caller, version);
  const quads = await sortedGraph(ctx.store, target.graph);
  const page = version === undefined ? ctx.iris.concept(id) : ctx.iris.version(id, version);
  return {
    id, entry, target, quads,
    metadata: once(() => datasetMetadata({ store: ctx.store, iris: ctx.iris, catalog: ctx.catalog, publisher: ctx.config.publisher }, entry, target, page, quads)),
    citation: once(async () => {
      const v = target.version;
      const doi = v !== undefined ? (await datasetDois(ctx.store, ctx.iris.concept(id))).versions[v] : undefined;
      return datasetCitation(quads, target.subject, { publisher: ctx.config.publisher, withdrawn: v !== undefined && entry.withdrawn.has(v) ? {} : undefined, doi });
    }),
    tables: once(() => tableInfos(ctx, entry, target.version)),
    state: once(() => ctx.datasets.stateTag(id)),
  };
}

/** The citation record of one dataset graph (a version a collection lists), or undefined when the graph is empty. */
export async function graphCitation(ctx: ServiceContext, graph: string): Promise<CitationRecord | undefined> {
  const quads = parseRdf(await ctx.store.dumpGraph(graph), 'application/n-quads');
  return quads.length ? datasetCitation(quads, graph, { publisher: ctx.config.publisher }) : undefined;
}

/** A table's stored columns with the descriptions and units of the compartment's column definitions. */
export function describedColumns(schema: TableSchema, stored: Array<{ name: string; property?: string; unit?: string; datatype?: string }>): TableInfo['columns'] {
  return stored.map((c) => {
    const def = schema.columns.find((x) => x.property === c.property || x.name === c.name);
    return { name: c.name, description: def?.description ?? def?.label, unit: c.unit ?? def?.unit, datatype: c.datatype };
  });
}

/** Tables of a dataset version (or draft) with their stored descriptions, column definitions and file sizes. */
async function tableInfos(ctx: ServiceContext, e: DatasetEntry, version: number | undefined): Promise<TableInfo[]> {
  const id = e.id;
  const tables = new TableService(ctx);
  const key = version === undefined ? 'draft' : String(version);
  const out: TableInfo[] = [];
  for (const slug of [...(e.tables.get(key) ?? [])].sort()) {
    if (slug === 'connectome' || slug === 'dendritic-consortium') continue; // imported graphs, shown by their own sections
    try {
      const graph = ctx.iris.table(id, version ?? 'draft', slug);
      const d = await tables.description(graph);
      const base = `/datasets/${id}/tables/${slug}?version=${key}`;
      out.push({
        slug, rows: d.rows,
        columns: describedColumns(tables.schema(slug), d.columns),
        page: base, download: `${base}&format=csv`, parquet: `${base}&format=parquet`, csvw: `${base}&format=csvw`,
        bytes: await distributionSizes(ctx, graph),
      });
    } catch { /* a table without a stored description is left out */ }
  }
  return out;
}
