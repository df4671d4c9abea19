/**
 * The importers' way into the table store: a CAVE table (its root ids as cids, the CAVE source
 * recorded), a connectome matrix and the Dendritic Consortium tables, each under the dataset's
 * write lock, replacing the draft's graph of that kind whole (src/model/importers/ parse them).
 */
import { Readable } from 'node:stream';
import { caveToSyndb, CaveFormatError } from '../model/importers/cave.js';
import { parseConnectome, connectomeQuads } from '../model/importers/connectome.js';
import { importDendritic } from '../model/importers/dendritic.js';
import { parse as parseCsvSync } from 'csv-parse/sync';
import type { Quad } from '../util/rdf.js';
import { df, iri, lit, typed, toNQuads, inGraph, RDF_TYPE } from '../util/rdf.js';
import { NS } from '../model/namespaces.js';
import { activityQuads } from '../provenance/activity.js';
import { InputError } from '../model/problems.js';
import type { ServiceContext } from './context.js';
import type { DatasetEntry } from '../model/catalog.js';
import { ConflictError } from '../model/problems.js';
import type { Caller } from '../model/caller.js';
import { TableService, registerDraftTable, type UploadProgress } from './tables.js';
import { storeRecords, distributionQuads, plainSchemaQuads } from './table-description.js';

const S = (l: string) => iri(NS.syndb + l);

export interface CaveImportOptions {
  /** Name of the CAVE table (e.g. synapses_pni_2). */
  table: string;
  materializationVersion?: number;
  /** ISO 8601 timestamp of the materialization. */
  timestamp?: string;
  resolution?: [number, number, number];
  onProgress?: (p: UploadProgress) => void;
  label?: string;
}

/** Import a CAVE table export as the synapse or nucleus table of the dataset's draft, with the source table as provenance. */
export async function importCave(svc: TableService, id: string, source: Readable, caller: Caller, o: CaveImportOptions) {
  if (!o.table || !/^[A-Za-z0-9_.-]+$/.test(o.table)) throw new InputError('The CAVE import is not valid', [{ path: 'table', value: o.table, message: 'the CAVE table name is required (letters, digits, _ . -), e.g. synapses_pni_2', severity: 'Violation' }], 422);
  if (o.materializationVersion !== undefined && (!Number.isInteger(o.materializationVersion) || o.materializationVersion < 0)) throw new InputError('The CAVE import is not valid', [{ path: 'materializationVersion', value: String(o.materializationVersion), message: 'the materialization version must be a non-negative whole number, e.g. 117', severity: 'Violation' }], 422);
  if (o.timestamp !== undefined && Number.isNaN(Date.parse(o.timestamp))) throw new InputError('The CAVE import is not valid', [{ path: 'timestamp', value: o.timestamp, message: 'the materialization timestamp must be an ISO 8601 date-time, e.g. 2021-06-11T08:10:00.215114Z', severity: 'Violation' }], 422);
  const cave = caveToSyndb(source, { resolution: o.resolution });
  const it = cave.csv[Symbol.asyncIterator]();
  let first: IteratorResult<string>;
  try { first = await it.next(); } catch (e) {
    if (e instanceof CaveFormatError) throw new InputError('The CAVE table cannot be imported', [{ path: 'header', message: e.message, severity: 'Violation' }], 422);
    throw e;
  }
  if (first.done) throw new InputError('The CAVE table cannot be imported', [{ path: 'header', message: 'the file is empty', severity: 'Violation' }], 422);
  async function* all() { yield first.value as string; for (;;) { const n = await it.next(); if (n.done) return; yield n.value; } }
  const P = (ns: keyof typeof NS, l: string) => iri(NS[ns] + l);
  return svc.upload(id, cave.compartment, Readable.from(all()), caller, {
    activityKind: 'Import', mediaType: 'text/csv', onProgress: o.onProgress,
    label: `${cave.compartment} table converted from the CAVE table ${o.table}`,
    extraProvenance: (a) => {
      const src = iri(`${a}/source`);
      const d = cave.digest();
      const q: Quad[] = [
        df.quad(iri(a), P('prov', 'used'), src),
        df.quad(src, RDF_TYPE, S('SourceTable')), df.quad(src, RDF_TYPE, P('prov', 'Entity')),
        df.quad(src, P('schema', 'name'), lit(o.table)), df.quad(src, S('sourceSystem'), lit('CAVE')),
        df.quad(src, P('dcat', 'byteSize'), typed(d.bytes, 'nonNegativeInteger')),
        df.quad(src, iri('http://spdx.org/rdf/terms#checksum'), iri(`${a}/source/checksum`)),
        df.quad(iri(`${a}/source/checksum`), RDF_TYPE, iri('http://spdx.org/rdf/terms#Checksum')),
        df.quad(iri(`${a}/source/checksum`), iri('http://spdx.org/rdf/terms#algorithm'), iri('http://spdx.org/rdf/terms#checksumAlgorithm_sha256')),
        df.quad(iri(`${a}/source/checksum`), iri('http://spdx.org/rdf/terms#checksumValue'), typed(d.sha256, 'hexBinary')),
      ];
      if (o.label) q.push(df.quad(src, P('rdfs', 'label'), lit(o.label)));
      if (o.materializationVersion !== undefined) q.push(df.quad(src, S('materializationVersion'), typed(o.materializationVersion, 'integer')));
      if (o.timestamp) q.push(df.quad(src, S('materializationTimestamp'), typed(o.timestamp, 'dateTime')));
      if (o.resolution) q.push(df.quad(src, P('rdfs', 'comment'), lit(`positions converted to nm with a voxel resolution of ${o.resolution.join(' x ')} nm`)));
      return q;
    },
  });
}

/** Import a connectome matrix CSV into the draft's `connectome` graph (replacing it). */
export function importConnectome(svc: TableService, id: string, text: string, caller: Caller, o: { label?: string } = {}) {
  return svc.ctx.datasets.locks.dataset(id, () => importConnectomeUnlocked(svc, id, text, caller, o));
}

async function importConnectomeUnlocked(svc: TableService, id: string, text: string, caller: Caller, o: { label?: string }) {
  const ctx = svc.ctx;
  const e = ctx.datasets.entry(id, caller);
  ctx.datasets.requireWrite(e, caller);
  if (!e.hasDraft) throw new ConflictError(`dataset "${id}" has no draft; imports go to a draft (PUT /datasets/${id} starts a new one)`);
  const started = new Date();
  const m = parseConnectome(text);
  if (m.problems.length) throw new InputError('The connectome matrix is not valid', m.problems, 422);
  const T = ctx.iris.table(id, 'draft', 'connectome');
  const D = ctx.iris.draft(id);
  const act = activityQuads(ctx.iris, { kind: 'Import', user: caller.user ?? 'anonymous', startedAt: started, used: [{ content: text, mediaType: 'text/csv', label: o.label ?? 'connectome matrix (CSV)' }], generated: [T], label: `import of a connectome matrix into ${id} (${m.rows.length} x ${m.columns.length})` });
  const quads = connectomeQuads(m, T, D);
  quads.push(df.quad(iri(T), iri(`${NS.prov}wasGeneratedBy`), iri(act.iri)));
  // the matrix as a table file too: one row per non-empty cell
  const cells: string[][] = [];
  m.rows.forEach((r, i) => m.columns.forEach((c, j) => { const n = m.counts[i][j]; if (n !== undefined) cells.push([r, c, String(n)]); }));
  const stored = await storeRecords(ctx, ['pre_class', 'post_class', 'synapse_count'], cells, ['VARCHAR', 'VARCHAR', 'BIGINT']);
  quads.push(...distributionQuads(T, `${T}/distributions`, `${ctx.iris.concept(id)}/tables/connectome`, stored.rows, stored, 'connectome matrix (one row per non-empty cell)'), ...plainSchemaQuads(T, stored.specs, undefined)); // syndb:rowCount is the matrix's (connectomeQuads)
  await replaceImportedGraph(ctx, e, id, 'connectome', T, quads, act.quads);
  return { id, table: T, rows: m.rows.length, columns: m.columns.length, cells: quads.filter((q) => q.predicate.value === `${NS.syndb}synapseCount`).length, activity: act.iri, parquet: { sha256: stored.parquet.sha256, bytes: stored.parquet.bytes } };
}

/** Import Dendritic Consortium tables (name -> CSV text) into the draft's `dendritic-consortium` graph (replacing it). */
export function importDendriticTables(svc: TableService, id: string, tables: Map<string, string>, caller: Caller) {
  return svc.ctx.datasets.locks.dataset(id, () => importDendriticUnlocked(svc, id, tables, caller));
}

async function importDendriticUnlocked(svc: TableService, id: string, tables: Map<string, string>, caller: Caller) {
  const ctx = svc.ctx;
  const e = ctx.datasets.entry(id, caller);
  ctx.datasets.requireWrite(e, caller);
  const started = new Date();
  const T = ctx.iris.table(id, 'draft', 'dendritic-consortium');
  const r = importDendritic(tables, T, ctx.iris.draft(id));
  if (r.problems.length) throw new InputError('The Dendritic Consortium tables are not valid', r.problems, 422);
  if (!e.hasDraft) throw new ConflictError(`dataset "${id}" has no draft; imports go to a draft (PUT /datasets/${id} starts a new one)`);
  const act = activityQuads(ctx.iris, { kind: 'Import', user: caller.user ?? 'anonymous', startedAt: started, used: [...tables].map(([n, text]) => ({ content: text, mediaType: 'text/csv', label: `Dendritic Consortium table ${n}` })), generated: [T], label: `import of ${tables.size} Dendritic Consortium tables into ${id} (${r.records} records)` });
  const files: Array<{ name: string; sha256: string }> = [];
  const fileQuads: Quad[] = [];
  for (const [name, text] of tables) {
    const recs = parseCsvSync(text, { bom: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
    const [header, ...rest] = recs;
    if (!header) continue;
    const stored = await storeRecords(ctx, header.map((h) => h.trim()), rest.map((x) => header.map((_, i) => x[i] ?? '')), header.map(() => 'VARCHAR'));
    const Tn = `${T}/tables/${encodeURIComponent(name)}`;
    fileQuads.push(df.quad(iri(T), iri(`${NS.dcterms}hasPart`), iri(Tn)), df.quad(iri(Tn), iri(`${NS.dcterms}title`), lit(`Dendritic Consortium table ${name}`)),
      ...distributionQuads(Tn, `${Tn}/distributions`, `${ctx.iris.concept(id)}/tables/dendritic-consortium/${encodeURIComponent(name)}`, stored.rows, stored, `Dendritic Consortium table ${name}`));
    files.push({ name, sha256: stored.parquet.sha256 });
  }
  const quads = [...r.quads, ...fileQuads, df.quad(iri(T), RDF_TYPE, iri(`${NS.dcat}Dataset`)), df.quad(iri(T), iri(`${NS.dcterms}isPartOf`), iri(ctx.iris.draft(id))), df.quad(iri(T), iri(`${NS.prov}wasGeneratedBy`), iri(act.iri))];
  await replaceImportedGraph(ctx, e, id, 'dendritic-consortium', T, quads, act.quads);
  return { id, graph: T, tables: tables.size, records: r.records, activity: act.iri, parquet: files };
}

/** An importer's graph T (slug `slug`) of the draft replaced by `quads`, with its provenance, in one transaction. */
async function replaceImportedGraph(ctx: ServiceContext, e: DatasetEntry, id: string, slug: string, T: string, quads: Quad[], provenance: Quad[]) {
  await ctx.store.transact([
    { op: 'clear', graph: T },
    { op: 'add', nquads: toNQuads(inGraph(quads, T)) },
    { op: 'add', nquads: toNQuads(inGraph(provenance, ctx.datasets.provGraph(id))) },
  ]);
  registerDraftTable(e, slug);
  ctx.datasets.changed(id);
}

/** The draft of `e` has the table `slug` (catalog bookkeeping after a durable write). */
