/**
 * Compartment tables: the upload (received through SHA-256 into the table directory, every row
 * validated by table-validation.ts, kept as the CSV uploaded and its typed Parquet copy, described
 * in the draft's table graph by table-description.ts, and its rows loaded as triples when they
 * fit), the reads (description, files, one row's triples, CSV download from the graph for tables
 * older than their files) and the CSVW metadata. A table with any invalid row is rejected whole
 * and nothing is written. The importers go through the same upload (table-importers.ts).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { streamFailure, onPrematureClose } from '../util/stream-state.js';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import type { Quad } from '../util/rdf.js';
import { df, iri, lit, toNQuads, inGraph, sparqlString, parseRdf } from '../util/rdf.js';
import { NS } from '../model/namespaces.js';
import { findCompartment, compartmentConcept } from '../model/compartment-names.js';
import { compileTableSchemas, CSVW, QUDT, type TableSchema } from '../model/tables/schema.js';
import { mapHeader, convertRow, encodeCid, rowToNTriples, parseRowIri, PARENT_TABLE, CSVW_ROWNUM, SOURCE_LEXICAL, type ColumnMap, type LinkResolver } from '../model/tables/rows.js';
import { lookupColumns } from '../model/tables/sql-profile.js';
import { validateTable, TableRejected, MAX_LISTED_PROBLEMS, type OtherTable, type ValidTable } from './table-validation.js';
import { activityQuads } from '../provenance/activity.js';
import { InputError } from '../model/problems.js';
import type { ServiceContext } from './context.js';
import type { DatasetEntry } from '../model/catalog.js';
import { ConflictError, NotFoundError } from '../model/problems.js';
import type { Caller } from '../model/caller.js';
import { StoreError, type WriteOp } from '../store/graph-store.js';
import { canonicalDouble } from '../util/xsd-double.js';
import { csvField } from '../util/csv-field.js';
import { fileSystemError, type ColumnStats, type ColumnType, type StoredFile } from '../store/tables/table-files.js';
import { describeTable } from './table-description.js';
export { PARQUET_TYPE } from './table-description.js';

const FS_CODES = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS', 'EFBIG']);
const isFileSystemError = (e: unknown) => FS_CODES.has((e as { code?: string })?.code ?? '');

/** Rows of N-Quads per store transaction (about 30-60 MB of N-Quads for wide tables). */
export const CHUNK_BYTES = 48 * 1024 * 1024;

/** Progress of an upload: bytes received, rows validated, rows stored (totalRows once known). */
export interface UploadProgress { phase: 'receive' | 'validate' | 'store'; rows: number; bytes: number; totalRows?: number }

export interface UploadOptions {
  onProgress?: (p: UploadProgress) => void;
  mediaType?: string;
  /** Label of the input in the provenance record (e.g. the file name). */
  label?: string;
  /** Activity kind for provenance (importers use 'Import'). */
  activityKind?: 'TableUpload' | 'Import';
  /** Extra provenance quads for the activity (importers: source table, materialization). Subject `ACTIVITY` is replaced by the activity IRI. */
  extraProvenance?: (activity: string) => Quad[];
  /** Load the rows as triples too: true (refused when the store cannot hold them), false (Parquet only), undefined: when they fit (SYNDB_TABLE_ROWS_AS_TRIPLES_MAX and the store's capacity). */
  triples?: boolean;
}

export interface UploadResult {
  id: string;
  compartment: string;
  table: string;
  rows: number;
  columns: string[];
  sha256: string;
  bytes: number;
  activity: string;
  /** The Parquet file of this version (content-addressed: its SHA-256 is its name). */
  parquet: { sha256: string; bytes: number };
  /** Whether the rows are also triples in the SPARQL graph (else: in the Parquet and CSV files only). */
  rowsInGraph: boolean;
  /** Why the rows are not in the graph (and how to get them there), when they are not. */
  note?: string;
  /** Which row validator checked the table: 'sql' (DuckDB) or 'javascript' (row by row). */
  validator: 'sql' | 'javascript';
}

const schemaCache = new WeakMap<object, Map<string, TableSchema>>();

export function tableSchemas(ctx: ServiceContext): Map<string, TableSchema> {
  const key = ctx.datasets.d.shapes;
  let s = schemaCache.get(key);
  if (!s) { s = compileTableSchemas(ctx.datasets.d.shapes.quads, ctx.datasets.d.ontology.quads); schemaCache.set(key, s); }
  return s;
}

const S = (l: string) => iri(NS.syndb + l);

export class TableService {
  constructor(readonly ctx: ServiceContext) {}

  get schemas() { return tableSchemas(this.ctx); }

  schema(compartment: string): TableSchema {
    const c = findCompartment(compartment);
    if (!c) throw new NotFoundError(`"${compartment}" is not a compartment; the tables are: ${[...this.schemas.keys()].join(', ')}`);
    return this.schemas.get(c.slug)!;
  }

  /** Upload (replace) a compartment table of the dataset's draft from a CSV byte stream. */
  upload(id: string, compartment: string, source: Readable, caller: Caller, opts: UploadOptions = {}): Promise<UploadResult> {
    return this.ctx.datasets.locks.dataset(id, () => this.uploadUnlocked(id, compartment, source, caller, opts));
  }

  private async uploadUnlocked(id: string, compartment: string, source: Readable, caller: Caller, opts: UploadOptions): Promise<UploadResult> {
    const e = this.ctx.datasets.entry(id, caller);
    this.ctx.datasets.requireWrite(e, caller);
    const schema = this.schema(compartment);
    if (!e.hasDraft) throw new ConflictError(`dataset "${id}" has no draft; tables are uploaded to a draft (PUT /datasets/${id} starts a new one)`);
    const started = new Date();
    const D = this.ctx.iris.draft(id);
    const T = this.ctx.iris.table(id, 'draft', schema.slug);
    const files = this.ctx.tableFiles;
    let spool: string;
    try { spool = files.tmpPath('csv'); } catch (err) { throw fileSystemError(err, `the ${schema.slug} table cannot be received`); }
    const written: StoredFile[] = [];
    let valid: ValidTable | undefined;
    const onProgress = opts.onProgress;
    try {
      // ---------------- receive: checksum and spool (the validator reads the rows from the file)
      const { sha256, bytes } = await receive(source, spool, (n) => onProgress?.({ phase: 'receive', rows: 0, bytes: n }));
      // ---------------- validate every row (SQL over the staged file, or row by row in JavaScript)
      const others = await this.otherTables(e, schema.slug);
      valid = await validateTable({ schema, file: spool, dataset: D, files, otherTables: others, validator: this.ctx.config.tableValidator, onProgress: (rows) => onProgress?.({ phase: 'validate', rows, bytes }) });
      const { map, rows } = valid;
      onProgress?.({ phase: 'validate', rows, bytes, totalRows: rows });
      // rows as triples: when asked, or when they fit (per deployment) and the store can hold them
      let rowsNote: string | undefined;
      let asTriples: boolean;
      if (opts.triples === true) { await this.checkCapacity(T, await valid.quads(), rows, schema.slug); asTriples = true; }
      else if (opts.triples === false) { asTriples = false; rowsNote = `the rows of this table were uploaded as Parquet only (?triples=false): they are not in the SPARQL graph. Upload the table again with ?triples=true to load them as triples`; }
      else {
        const max = this.ctx.config.tableRowsAsTriplesMax;
        const tooLarge = rows <= max ? await this.capacityProblem(T, await valid.quads(), rows, schema.slug) : undefined;
        asTriples = rows <= max && tooLarge === undefined;
        if (!asTriples) rowsNote = `the ${rows.toLocaleString('en')} rows of this table are in its Parquet and CSV files only, not in the SPARQL graph: ${tooLarge ?? `this service loads tables of at most ${max.toLocaleString('en')} rows as triples (SYNDB_TABLE_ROWS_AS_TRIPLES_MAX)`}. Query the rows with GET …/tables/${schema.slug}?format=parquet (filters ?column=value, ?column.gte=, ?column.lte=, ?columns=) or read the Parquet file with DuckDB, pandas or Spark; to have them in the graph, upload the table again with ?triples=true${tooLarge ? ' on a service with an external SPARQL store (SYNDB_STORE, see "Running at scale" in the README)' : ''}`;
      }

      // ---------------- the table files: the CSV as uploaded and its typed Parquet copy, content-addressed
      const specs = map.headers.map((h, i) => ({ name: h.trim(), type: valid!.types[i] }));
      let csvFile: StoredFile;
      try {
        csvFile = files.keep(spool, sha256, 'csv');
      } catch (err) { throw fileSystemError(err, `the ${schema.slug} table could not be stored`); }
      written.push(csvFile);
      const parquet = valid.staged ? await files.stagedToParquet(valid.staged, specs) : await files.csvToParquet(csvFile.path, specs, rows, valid.skipLines);
      written.push(parquet);
      const stats = await files.stats(parquet.sha256, specs, parquet.written).catch((err: unknown) => { throw fileSystemError(err, 'the column statistics could not be computed'); });
      const tableFiles = { csv: csvFile, parquet, specs, stats, asTriples, note: rowsNote };

      // ---------------- links of the lookup columns (pre_id, post_id, …) to rows of this or the draft's other tables
      const found = new Map<string, string>();
      let resolve: LinkResolver | undefined;
      if (asTriples) {
        const { own, others: ids } = await valid.lookups();
        for (const [t, o] of others) {
          if (!ids.size) break;
          for (const x of await o.present(ids)) { if (!found.has(x)) found.set(x, t); ids.delete(x); }
        }
        const lookups = new Set(lookupColumns(map).map((c) => c.col));
        resolve = (col, x) => (lookups.has(col) ? (own.has(x) ? schema.slug : found.get(x)) : undefined);
      }
      files.unstage(valid.staged);

      // ---------------- the rows as triples, the description and provenance to the store
      const columns = map.headers.map((h) => h.trim());
      const act = activityQuads(this.ctx.iris, {
        kind: opts.activityKind ?? 'TableUpload', user: caller.user ?? 'anonymous', startedAt: started,
        used: [{ sha256, byteSize: bytes, mediaType: opts.mediaType ?? 'text/csv', label: opts.label ?? `${schema.slug} table (CSV)` }],
        generated: [T], label: `upload of the ${schema.slug} table of ${id} (${rows} rows)`,
      });
      const description = describeTable(this.ctx, schema, map, { id, T, D, rows, sha256, bytes, activity: act.iri, spellings: valid.spellings, modified: new Date(), files: tableFiles });
      const hasCompartment = await this.ctx.store.ask(`ASK { GRAPH <${D}> { <${D}> <${NS.syndb}compartment> <${compartmentConcept(schema.slug)}> } }`);
      const finalOps: WriteOp[] = [
        { op: 'add', nquads: toNQuads(inGraph(description, T)) },
        { op: 'add', nquads: toNQuads(inGraph([...act.quads, ...(opts.extraProvenance?.(act.iri) ?? [])], this.ctx.datasets.provGraph(id))) },
      ];
      if (!hasCompartment) finalOps.push({ op: 'add', nquads: toNQuads(inGraph([df.quad(iri(D), S('compartment'), iri(compartmentConcept(schema.slug)))], D)) });
      if (!asTriples) await this.ctx.store.transact([{ op: 'clear', graph: T }, ...finalOps]);
      else await this.storeRows(e, { schema, map, D, T, file: csvFile.path, rows, bytes, sha256, resolve: resolve!, found, finalOps, onProgress });
      onProgress?.({ phase: 'store', rows, bytes, totalRows: rows });
      registerDraftTable(e, schema.slug);
      this.ctx.datasets.changed(id); // the draft's metadata (e.g. for its reserved DOI) has a new table
      return { id, compartment: schema.slug, table: T, rows, columns, sha256, bytes, activity: act.iri, parquet: { sha256: parquet.sha256, bytes: parquet.bytes }, rowsInGraph: asTriples, ...(rowsNote ? { note: rowsNote } : {}), validator: valid.validator };
    } catch (err) {
      for (const f of written) files.remove(f);
      if (isFileSystemError(err)) throw fileSystemError(err, `the ${schema.slug} table could not be received`);
      throw err;
    } finally {
      files.unstage(valid?.staged);
      rmSync(spool, { force: true });
    }
  }

  /**
   * The rows of a validated table as triples in the draft's table graph, in chunks of N-Triples
   * (one transaction when the table is small); the last transaction carries `finalOps` (the table
   * description and provenance). Each row is converted once, here.
   */
  private async storeRows(e: DatasetEntry, t: { schema: TableSchema; map: ColumnMap; D: string; T: string; file: string; rows: number; bytes: number; sha256: string; resolve: LinkResolver; found: Map<string, string>; finalOps: WriteOp[]; onProgress?: (p: UploadProgress) => void }): Promise<void> {
    const { schema, D, T } = t;
    // the key names this input: a store that stages loads continues a failed upload of the same file
    const load = await this.ctx.store.loadGraph(T, createHash('sha256').update(`${t.sha256}\n${JSON.stringify([...t.found].sort())}`).digest('hex'));
    let chunk = '';
    let storeFailure: unknown;
    let n = 0;
    try {
      await eachRecordAsync(t.file, async (rec) => {
        n++;
        const conv = convertRow({ schema, map: t.map, dataset: D, resolve: t.resolve }, rec, n);
        chunk += rowToNTriples(schema, conv, n, D);
        if (chunk.length >= CHUNK_BYTES) {
          const text = chunk;
          chunk = '';
          try {
            await load.add(text);
          } catch (err) {
            storeFailure = err;
            throw err;
          }
          t.onProgress?.({ phase: 'store', rows: n, bytes: t.bytes, totalRows: t.rows });
        }
      }).catch((err: unknown) => { throw storeFailure ?? err; }); // the store's error, not the stream's abort that follows it
      await load.commit(t.finalOps, chunk);
    } catch (err) {
      if (await load.abandon()) {
        // the store emptied the graph: the draft no longer has this table
        const draftTables = e.tables.get('draft')?.filter((x) => x !== schema.slug) ?? [];
        e.tables.set('draft', draftTables);
      }
      throw err;
    }
  }

  /**
   * The draft's other tables, for link checks and lookups: the relation of their cids in their
   * Parquet file (undefined for a table stored before tables had Parquet files), which of some ids
   * are missing, and which are present.
   */
  private async otherTables(e: DatasetEntry, slug: string): Promise<Map<string, OtherTable>> {
    const out = new Map<string, OtherTable>();
    for (const t of e.tables.get('draft') ?? []) {
      if (t === slug || !this.schemas.has(t)) continue;
      const graph = this.ctx.iris.table(e.id, 'draft', t);
      const d = await this.description(graph).catch(() => undefined);
      const cidCol = d?.parquet && d.specs && this.ctx.tableFiles.has(d.parquet, 'parquet') ? d.specs[mapHeader(this.schemas.get(t)!, d.specs.map((c) => c.name)).cidIndex]?.name : undefined;
      const file = cidCol ? { sha256: d!.parquet!, cid: cidCol } : undefined;
      const present = async (ids: Set<string>): Promise<Set<string>> => {
        if (file) return this.ctx.tableFiles.presentValues(file.sha256, file.cid, ids);
        const found = new Set<string>();
        const list = [...ids];
        for (let i = 0; i < list.length; i += 500) {
          const res = await this.ctx.store.select(`SELECT ?cid WHERE { VALUES ?cid { ${list.slice(i, i + 500).map(sparqlString).join(' ')} } ?r <${NS.syndb}cid> ?cid }`, { defaultGraph: [graph] });
          for (const b of res) found.add(b.cid.value);
        }
        return found;
      };
      out.set(t, {
        relation: file ? this.ctx.tableFiles.columnRelation(file.sha256, file.cid, 'cid') : undefined,
        present,
        missing: async (ids) => { const p = await present(ids); return new Set([...ids].filter((x) => !p.has(x))); },
      });
    }
    return out;
  }


  /**
   * Refuse, before anything is written, a table the store cannot hold (the embedded store's
   * replicas keep every quad in a WebAssembly heap of at most 4 GB): the reply says how many quads
   * the table needs, how many the store holds and what to do instead.
   */
  private async checkCapacity(T: string, quads: number, rows: number, slug: string): Promise<void> {
    const p = await this.capacityProblem(T, quads, rows, slug);
    if (p) throw new StoreError(`${p}; nothing was stored. Tables of this size need the service on an external SPARQL server (SYNDB_STORE, see "Running at scale" in the README), or an upload without ?triples=true (the rows are then kept in Parquet only)`, 'too-large');
  }

  /** Why the store cannot hold the table's triples, or undefined when it can. */
  private async capacityProblem(T: string, quads: number, rows: number, slug: string): Promise<string | undefined> {
    const max = this.ctx.store.maxQuads;
    if (max === undefined) return undefined;
    const held = (await this.ctx.store.stats()).quads;
    if (held + quads + 100 <= max) return undefined; // +100: the table description and provenance
    const replaced = Number((await this.ctx.store.select(`SELECT (COUNT(*) AS ?n) WHERE { GRAPH <${T}> { ?s ?p ?o } }`))[0]?.n.value ?? 0);
    if (held - replaced + quads + 100 <= max) return undefined;
    const f = (n: number) => n.toLocaleString('en');
    return `the ${slug} table (${f(rows)} rows) becomes ${f(quads)} triples, and the embedded store, which already holds ${f(held - replaced)}, takes at most ${f(max)} (SYNDB_STORE_MAX_QUADS; each in-memory replica is limited to a 4 GB WebAssembly heap)`;
  }

  /** Which graph of an imported table (connectome) a read means, by the same rules as resolveTable. */
  resolveImported(id: string, slug: 'connectome' | 'dendritic-consortium', caller: Caller, version?: string): { graph: string; version: number | 'draft'; dataset: string } {
    const e = this.ctx.datasets.entry(id, caller);
    const has = (k: string) => (e.tables.get(k) ?? []).includes(slug);
    const at = (v: number | 'draft') => ({ graph: this.ctx.iris.table(id, v, slug), version: v, dataset: v === 'draft' ? this.ctx.iris.draft(id) : this.ctx.iris.version(id, v) });
    if (version === 'draft') {
      if (!e.hasDraft || !this.ctx.catalog.canWrite(e, caller) || !has('draft')) throw new NotFoundError(`the draft of "${id}" has no ${slug} table you may read`);
      return at('draft');
    }
    if (version !== undefined && version !== '') {
      const n = Number(version);
      if (!Number.isInteger(n) || !e.versions.includes(n) || !has(String(n))) throw new NotFoundError(`version "${version}" of "${id}" has no ${slug} table`);
      return at(n);
    }
    const latest = this.ctx.catalog.latest(e);
    if (latest !== undefined && has(String(latest))) return at(latest);
    if (e.hasDraft && this.ctx.catalog.canWrite(e, caller) && has('draft')) return at('draft');
    throw new NotFoundError(`dataset "${id}" has no ${slug} table`);
  }

  /**
   * The tables of an imported collection of tables (the Dendritic Consortium importer): each part's
   * name, title, rows and its two files (Parquet, CSV), from the graph's description.
   */
  async importedParts(graph: string): Promise<Array<{ name: string; title?: string; rows: number; parquet?: { sha256: string; bytes: number }; csv?: { sha256: string; bytes: number } }>> {
    const res = await this.ctx.store.select(`PREFIX dcterms: <${NS.dcterms}> PREFIX dcat: <${NS.dcat}> PREFIX syndb: <${NS.syndb}>
      SELECT ?part ?title ?file ?rows ?bytes WHERE { <${graph}> dcterms:hasPart ?part . OPTIONAL { ?part dcterms:title ?title }
        ?part dcat:distribution ?d . ?d syndb:fileName ?file ; syndb:rowCount ?rows ; dcat:byteSize ?bytes }`, { defaultGraph: [graph] });
    const parts = new Map<string, { name: string; title?: string; rows: number; parquet?: { sha256: string; bytes: number }; csv?: { sha256: string; bytes: number } }>();
    for (const b of res) {
      const seg = b.part.value.slice(b.part.value.lastIndexOf('/') + 1);
      let name: string;
      try { name = decodeURIComponent(seg); } catch { continue; }
      const p = parts.get(name) ?? { name, title: b.title?.value, rows: Number(b.rows.value) };
      parts.set(name, p);
      const m = /^([0-9a-f]{64})\.(parquet|csv)$/.exec(b.file.value);
      if (m) p[m[2] as 'parquet' | 'csv'] = { sha256: m[1], bytes: Number(b.bytes.value) };
    }
    return [...parts.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Which table graph a read means: ?version=n | draft, else the latest published version having it, else the draft (writers). */
  resolveTable(id: string, compartment: string, caller: Caller, version?: string): { schema: TableSchema; graph: string; version: number | 'draft'; dataset: string } {
    const e = this.ctx.datasets.entry(id, caller);
    const schema = this.schema(compartment);
    const has = (k: string) => (e.tables.get(k) ?? []).includes(schema.slug);
    const at = (v: number | 'draft') => ({ schema, graph: this.ctx.iris.table(id, v, schema.slug), version: v, dataset: v === 'draft' ? this.ctx.iris.draft(id) : this.ctx.iris.version(id, v) });
    if (version !== undefined && version !== '') {
      if (version === 'draft') {
        if (!e.hasDraft || !this.ctx.catalog.canWrite(e, caller)) throw new NotFoundError(`dataset "${id}" has no draft you may read`);
        if (!has('draft')) throw new NotFoundError(`the draft of "${id}" has no ${schema.slug} table`);
        return at('draft');
      }
      const n = Number(version);
      if (!Number.isInteger(n) || n < 1 || !e.versions.includes(n)) throw new NotFoundError(`dataset "${id}" has no version "${version}"${e.versions.length ? `; versions: ${e.versions.join(', ')}` : ''}`);
      if (!has(String(n))) throw new NotFoundError(`version ${n} of "${id}" has no ${schema.slug} table`);
      return at(n);
    }
    const latest = this.ctx.catalog.latest(e);
    if (latest !== undefined && has(String(latest))) return at(latest);
    if (e.hasDraft && this.ctx.catalog.canWrite(e, caller) && has('draft')) return at('draft');
    throw new NotFoundError(`dataset "${id}" has no ${schema.slug} table${latest === undefined ? ' published yet' : ` in version ${latest}`}`);
  }

  /** The stored description of a table: its columns in upload order, row count, checksum. */
  async description(graph: string) {
    const rows = await this.ctx.store.select(`PREFIX csvw: <${CSVW}> PREFIX schema: <${NS.schema}> PREFIX syndb: <${NS.syndb}>
      SELECT ?col ?name ?pos ?prop ?dt ?unit ?spelling ?st WHERE { <${graph}> csvw:tableSchema/csvw:column ?col . ?col csvw:name ?name ; schema:position ?pos .
        OPTIONAL { ?col syndb:storageType ?st } OPTIONAL { ?col csvw:propertyUrl ?prop } OPTIONAL { ?col csvw:datatype ?dt } OPTIONAL { ?col <${QUDT}hasUnit> ?unit } OPTIONAL { ?col <${NS.skos}hiddenLabel> ?spelling } }`, { defaultGraph: [graph] });
    const cols = new Map<string, { name: string; pos: number; property?: string; datatype?: string; unit?: string; spellings: string[]; storageType?: ColumnType }>();
    for (const r of rows) {
      let c = cols.get(r.col.value);
      if (!c) { c = { name: r.name.value, pos: Number(r.pos.value), property: r.prop?.value, datatype: r.dt?.value, unit: r.unit?.value, spellings: [], storageType: r.st?.value as ColumnType | undefined }; cols.set(r.col.value, c); }
      if (r.spelling && !c.spellings.includes(r.spelling.value)) c.spellings.push(r.spelling.value);
    }
    const meta = await this.ctx.store.select(`PREFIX syndb: <${NS.syndb}> PREFIX spdx: <http://spdx.org/rdf/terms#> PREFIX dcat: <${NS.dcat}> PREFIX dcterms: <${NS.dcterms}>
      SELECT ?rows ?sha ?bytes ?modified ?inGraph ?stats WHERE { <${graph}> syndb:rowCount ?rows . OPTIONAL { <${graph}> spdx:checksum/spdx:checksumValue ?sha } OPTIONAL { <${graph}> dcat:byteSize ?bytes } OPTIONAL { <${graph}> dcterms:modified ?modified }
        OPTIONAL { <${graph}> syndb:rowsInGraph ?inGraph } OPTIONAL { <${graph}> syndb:columnStatistics ?stats } }`, { defaultGraph: [graph] });
    if (!meta.length) throw new ConflictError(`the table ${graph} has no description (an interrupted upload?); upload it again`);
    const files = await this.ctx.store.select(`PREFIX syndb: <${NS.syndb}> PREFIX dcat: <${NS.dcat}> SELECT ?name WHERE { <${graph}> dcat:distribution/syndb:fileName ?name }`, { defaultGraph: [graph] });
    const file = (ext: string) => files.map((f) => f.name.value).find((n) => n.endsWith(`.${ext}`))?.slice(0, -(ext.length + 1));
    const columns = [...cols.values()].sort((a, b) => a.pos - b.pos);
    return {
      columns, rows: Number(meta[0].rows.value), sha256: meta[0].sha?.value, bytes: meta[0].bytes ? Number(meta[0].bytes.value) : undefined, modified: meta[0].modified?.value,
      /** Tables stored before the table files existed have their rows in the graph only. */
      rowsInGraph: meta[0].inGraph ? meta[0].inGraph.value === 'true' : true,
      parquet: file('parquet'), csv: file('csv'),
      specs: columns.every((c) => c.storageType) ? columns.map((c) => ({ name: c.name, type: c.storageType! })) : undefined,
      stats: meta[0].stats ? JSON.parse(meta[0].stats.value) as ColumnStats[] : undefined,
    };
  }

  /** The table's Parquet file and column types, or a 409 naming what to do (a table stored before the table files existed). */
  async files(graph: string, described?: Awaited<ReturnType<TableService['description']>>) {
    const desc = described ?? await this.description(graph);
    if (!desc.parquet || !desc.specs) throw new ConflictError(`the table ${graph} was stored before tables had Parquet files; upload it again to get Parquet downloads, filters and statistics`);
    if (!this.ctx.tableFiles.has(desc.parquet, 'parquet')) throw new StoreError(`the Parquet file ${desc.parquet}.parquet of ${graph} is missing from the table directory (SYNDB_TABLE_DIR=${this.ctx.config.tableDir}); restore it from a backup`, 'unavailable');
    return { ...desc, parquet: desc.parquet, specs: desc.specs };
  }

  /**
   * A row's triples (the CSVW mapping of the table): from the graph when the rows are there,
   * else made from the Parquet row exactly as an upload makes them (links to other tables are
   * resolved by the columns' declared targets).
   */
  async rowQuads(t: { schema: TableSchema; graph: string; dataset: string }, cid: string): Promise<Quad[] | undefined> {
    const desc = await this.description(t.graph);
    const subject = `${t.dataset}/tables/${t.schema.slug}/rows/${encodeCid(cid)}`;
    if (desc.rowsInGraph) {
      const res = await this.ctx.store.select(`SELECT ?p ?o WHERE { <${subject}> ?p ?o }`, { defaultGraph: [t.graph] });
      if (!res.length) return undefined;
      return res.map((b) => df.quad(iri(subject), iri(b.p.value), b.o.type === 'uri' ? iri(b.o.value) : b.o.type === 'bnode' ? df.blankNode(b.o.value) : b.o['xml:lang'] ? lit(b.o.value, b.o['xml:lang']) : df.literal(b.o.value, b.o.datatype ? iri(b.o.datatype) : undefined)));
    }
    const f = await this.files(t.graph);
    const names = f.specs.map((c) => c.name);
    const map = mapHeader(t.schema, names);
    if (map.cidIndex < 0) return undefined;
    const found = await this.ctx.tableFiles.row(f.parquet, f.specs, names[map.cidIndex], cid);
    if (!found) return undefined;
    const conv = convertRow({ schema: t.schema, map, dataset: t.dataset, resolve: (_c, x) => (x === cid ? t.schema.slug : undefined) }, found.cells.map((c) => c ?? ''), found.rownum);
    return parseRdf(rowToNTriples(t.schema, conv, found.rownum, t.dataset), 'application/n-triples');
  }

  /**
   * Stream the table as CSV with the uploaded column names, in the uploaded row order. `write`
   * is awaited for every chunk (backpressure). Pages of rows are fetched by row number, several
   * at once (see downloadPlan for the query of a page).
   */
  async download(graph: string, write: (chunk: string) => Promise<void> | void, opts: { pageRows?: number; onProgress?: (rows: number) => void } = {}) {
    const desc = await this.description(graph);
    if (!desc.rowsInGraph) {
      // the rows are in the table files only: the CSV as uploaded
      if (!desc.csv || !this.ctx.tableFiles.has(desc.csv, 'csv')) throw new StoreError(`the CSV file of ${graph} is missing from the table directory (SYNDB_TABLE_DIR=${this.ctx.config.tableDir}); restore it from a backup`, 'unavailable');
      for await (const chunk of createReadStream(this.ctx.tableFiles.path(desc.csv, 'csv'), { encoding: 'utf8', highWaterMark: 1 << 20 })) await write(chunk as string);
      opts.onProgress?.(desc.rows);
      return;
    }
    await write(desc.columns.map((c) => csvField(c.name)).join(',') + '\n');
    // an external server answers a VALUES block of more than ~2,000 terms in parts (Virtuoso refuses
    // ~5,000), so its pages are that size; a page may take longer than an interactive query
    const remote = this.ctx.store.bulkOps !== true;
    const page = opts.pageRows ?? (remote ? 2000 : Math.max(2000, Math.min(50_000, Math.floor(600_000 / Math.max(1, desc.columns.length)))));
    // pages in flight: the store works on the next pages while this process turns one into CSV
    // and writes it (measured, 15 columns, 2 cores: embedded 24,000 rows/s with 2, 31,000 with 3;
    // Virtuoso 7 13,000 with 1, 16,000 with 2 or 3)
    const inFlight = 3;
    const timeoutMs = Math.max(this.ctx.config.queryTimeoutMs, 300_000);
    const plan = downloadPlan(desc.columns);
    const pageCsv = async (start: number, end: number) => {
      const cells = await this.fetchPage(graph, plan, start, end, timeoutMs);
      let out = '';
      for (let k = 0; k < cells.length; k++) {
        const row = cells[k];
        if (!row) throw new ConflictError(`row ${start + k} of ${graph} is missing; the table is damaged`);
        let line = '';
        for (let i = 0; i < row.length; i++) {
          const c = row[i];
          if (i) line += ',';
          if (c !== undefined) line += csvField(typeof c === 'string' ? c : c.join(';'));
        }
        out += line + '\n';
      }
      return out;
    };
    const pending: Array<{ end: number; csv: Promise<string> }> = [];
    let next = 1;
    const launch = () => {
      if (next > desc.rows) return;
      const start = next;
      const end = Math.min(desc.rows, start + page - 1);
      next = end + 1;
      const csv = pageCsv(start, end);
      csv.catch(() => undefined); // awaited in order below; a failure after the reader left is not unhandled
      pending.push({ end, csv });
    };
    for (let k = 0; k < inFlight; k++) launch();
    while (pending.length) {
      const p = pending.shift()!;
      const out = await p.csv;
      launch();
      await write(out);
      opts.onProgress?.(p.end);
    }
  }

  /**
   * The cells of rows start..end (index = row - start): per column undefined (empty), one value,
   * or the distinct values of a multi-valued cell. One query, whose rows carry most values in one
   * string (see downloadPlan); when a value holds the separator, the page is asked for again with
   * one variable per column. VALUES ?n binds the row numbers, so a page is index lookups of its own
   * rows (no scan of the table): the download is linear in the rows.
   */
  private async fetchPage(graph: string, plan: DownloadPlan, start: number, end: number, timeoutMs: number): Promise<Array<Cells | undefined>> {
    const values = Array.from({ length: end - start + 1 }, (_, k) => start + k).join(' ');
    const where = `WHERE { VALUES ?n { ${values} } ?r <${CSVW_ROWNUM}> ?n . OPTIONAL { ?r <${SOURCE_LEXICAL}> ?lex } ${plan.patterns} }`;
    const rows: Array<Cells | undefined> = new Array(end - start + 1);
    const res = await this.ctx.store.select(`SELECT ${plan.lineVars} ${where}`, { defaultGraph: [graph], timeoutMs });
    const fields: Array<string | undefined> = [];
    let ok = true;
    for (const b of res) {
      const parts = b.line?.value.split(LINE_SEP);
      if (parts?.length !== plan.inLine.length + 2) { ok = false; break; }
      for (let k = 0; k < plan.inLine.length; k++) fields[plan.inLine[k]] = parts[k + 2] === '' ? undefined : parts[k + 2];
      for (const i of plan.typed) fields[i] = termField(b[`v${i}`]);
      addRow(plan, rows, Number(parts[0]) - start, parts[1] === '' ? undefined : parts[1].slice(1), fields);
    }
    if (ok) return rows;
    // a value holds the separator: the same page with one variable per column
    const again: Array<Cells | undefined> = new Array(end - start + 1);
    const res2 = await this.ctx.store.select(`SELECT ?n ?lex ${plan.vars} ${where}`, { defaultGraph: [graph], timeoutMs });
    for (const b of res2) {
      for (const c of plan.columns) {
        if (c.kind === 'double') {
          const s = b[`s${c.i}`];
          fields[c.i] = s === undefined ? undefined : b[`d${c.i}`] ? `~${s.value} ${b[`d${c.i}`].value}` : `'${s.value}`;
        } else fields[c.i] = termField(b[`v${c.i}`]);
      }
      addRow(plan, again, Number(b.n.value) - start, b.lex?.value, fields);
    }
    return again;
  }

  /** CSV on the Web metadata (JSON-LD) of a table. */
  async csvw(id: string, t: { schema: TableSchema; graph: string; version: number | 'draft'; dataset: string }) {
    const desc = await this.description(t.graph);
    const url = `${this.ctx.iris.concept(id)}/tables/${t.schema.slug}${t.version === 'draft' ? '?version=draft' : `?version=${t.version}`}`;
    const colDef = (name: string) => t.schema.byAlias.get(name) ?? t.schema.byAlias.get(name.toLowerCase());
    const base = `${t.dataset}/tables/`;
    return {
      '@context': ['http://www.w3.org/ns/csvw', { '@language': 'en', qudt: QUDT, unit: 'http://qudt.org/vocab/unit/', dcterms: NS.dcterms, syndb: NS.syndb, spdx: 'http://spdx.org/rdf/terms#', 'qudt:hasUnit': { '@type': '@id' }, 'dcterms:isPartOf': { '@type': '@id' }, 'dcterms:conformsTo': { '@type': '@id' } }],
      '@id': t.graph,
      url,
      'dcterms:title': `${t.schema.slug} table of ${id}${t.version === 'draft' ? ' (draft)' : `, version ${t.version}`}`,
      'dcterms:isPartOf': t.dataset,
      'dcterms:conformsTo': t.schema.shape,
      'dcterms:format': 'text/csv',
      'syndb:rowCount': desc.rows,
      ...(desc.sha256 ? { 'spdx:checksum': { 'spdx:algorithm': 'SHA-256', 'spdx:checksumValue': desc.sha256 } } : {}),
      dialect: { header: true, delimiter: ',', encoding: 'utf-8', lineTerminators: ['\n'] },
      tableSchema: {
        aboutUrl: `${base}${t.schema.slug}/rows/{cid}`,
        primaryKey: 'cid',
        columns: desc.columns.map((c) => {
          const def = colDef(c.name);
          const out: Record<string, unknown> = { name: csvwName(c.name), titles: c.name };
          if (c.name === PARENT_TABLE) {
            out['dc:description'] = 'The compartment table of the parent row (used to build the parent_id link).';
            out.suppressOutput = true;
            return out;
          }
          if (def?.description) out['dc:description'] = def.description;
          if (c.property) out.propertyUrl = c.property;
          if (def?.kind === 'link') {
            const target = c.property === `${NS.syndb}parent` ? `{parent_table}` : def.targets?.length === 1 ? def.targets[0] : undefined;
            if (target) out.valueUrl = `${base}${target}/rows/{${csvwName(c.name)}}`;
            out.datatype = 'string';
          } else if (c.datatype) out.datatype = c.datatype.startsWith(NS.xsd) ? c.datatype.slice(NS.xsd.length) : { base: c.datatype };
          if (def?.required) out.required = true;
          if (def?.multi) out.separator = ';';
          if (c.unit) out['qudt:hasUnit'] = c.unit;
          return out;
        }),
      },
    };
  }
}

export function registerDraftTable(e: DatasetEntry, slug: string) {
  const list = e.tables.get('draft') ?? [];
  if (!list.includes(slug)) e.tables.set('draft', [...list, slug]);
}

/** CSVW column names must not start with "_" and are used in URI templates: keep SynDB's names, replace what does not fit. */
const csvwName = (n: string) => n.replace(/[^A-Za-z0-9_.%-]/g, '_').replace(/^_/, 'c_');

/** One cell of a downloaded row: empty, one value, or the distinct values of a multi-valued cell in the order found. */
type Cells = Array<string | string[] | undefined>;

/**
 * The query of a download page. Sending one binding per column and row (each a typed literal or
 * an IRI in the result document) costs an external server most of its time: Virtuoso 7 answers
 * 15 columns at ~6,000 rows/s that way, and the remote store asks again for exact doubles. So
 * the row number, the source spellings and every column of a known kind travel as ONE string,
 * `STR(?n) TAB lex TAB field …`, each field empty (no value) or a marker and the value:
 *   <iri           a link (an IRI)
 *   'text          a literal's lexical form (strings, integers, anyURI: STR gives it unchanged)
 *   ~str residual  a double: STR(?v) and STR(?v - xsd:double(STR(?v))). Virtuoso's STR (like
 *                  every result format of it) writes 16 significant digits, which is not enough
 *                  for every double (0.30000000000000004 → "0.3"); the residual (exact: the two
 *                  are within a factor of 2) restores it. The embedded store writes the shortest
 *                  exact digits and a residual of 0.
 * Columns of other datatypes (booleans, dates: written differently by servers) keep a variable of
 * their own and the store's normalisation. A value holding a TAB makes its row split into the
 * wrong number of fields, which is noticed: the page is then asked for with one variable per column.
 */
interface DownloadPlan {
  columns: Array<{ i: number; property: string; kind: 'link-or-literal' | 'literal' | 'double' | 'typed'; parent: boolean }>;
  /** Column indexes carried in the line, in line order. */
  inLine: number[];
  /** Column indexes with a variable ?vI of their own. */
  typed: number[];
  /** The OPTIONAL patterns binding ?vI. */
  patterns: string;
  /** The projection of the line query: ?line and the typed columns' ?vI. */
  lineVars: string;
  /** The projection with one variable per column (doubles as ?sI ?dI). */
  vars: string;
  /** How many columns a row has; the parent_table column (or -1) and its spellings. */
  width: number;
  parentTable: number;
  parentSpellings: string[];
  /** Table slug -> its parent_table spelling (filled as met). */
  parentNames: Map<string, string>;
}

const LINE_SEP = '\t';
const XSD_STRING = `${NS.xsd}string`;
const XSD_DOUBLE = `${NS.xsd}double`;
/** Datatypes whose lexical form STR() gives as the store's results do (checked on Virtuoso 7 and oxigraph). */
const SAME_BY_STR = new Set([XSD_STRING, `${NS.xsd}integer`, `${NS.xsd}anyURI`]);

function downloadPlan(columns: Array<{ name: string; property?: string; datatype?: string; spellings: string[] }>): DownloadPlan {
  const cols: DownloadPlan['columns'] = [];
  columns.forEach((c, i) => {
    if (!c.property) return;
    // the description gives a datatype only to literal columns; links and plain literals have none
    const kind = c.datatype === undefined ? 'link-or-literal' : c.datatype === XSD_DOUBLE ? 'double' : SAME_BY_STR.has(c.datatype) ? 'literal' : 'typed';
    cols.push({ i, property: c.property, kind, parent: c.property === `${NS.syndb}parent` });
  });
  // Virtuoso takes an unbound variable as "" in STR/CONCAT and as false in isIRI (no error), so
  // every field is IF(BOUND(?v), …, "")
  const field = (c: DownloadPlan['columns'][number]) => {
    const v = `?v${c.i}`;
    const text = c.kind === 'double' ? `COALESCE(CONCAT("~", STR(${v}), " ", STR(${v} - <${XSD_DOUBLE}>(STR(${v})))), CONCAT("'", STR(${v})))`
      : c.kind === 'literal' ? `CONCAT("'", STR(${v}))`
      : `IF(isIRI(${v}), CONCAT("<", STR(${v})), CONCAT("'", STR(${v})))`;
    return `IF(BOUND(${v}), ${text}, "")`;
  };
  const inLine = cols.filter((c) => c.kind !== 'typed');
  const sep = ', "\\t", '; // LINE_SEP in SPARQL
  const line = `(CONCAT(STR(?n)${sep}IF(BOUND(?lex), CONCAT("'", STR(?lex)), "")${inLine.map((c) => sep + field(c)).join('')}) AS ?line)`;
  const parentTable = columns.findIndex((c) => c.name === PARENT_TABLE);
  return {
    columns: cols,
    inLine: inLine.map((c) => c.i),
    typed: cols.filter((c) => c.kind === 'typed').map((c) => c.i),
    patterns: cols.map((c) => `OPTIONAL { ?r <${c.property}> ?v${c.i} }`).join(' '),
    lineVars: [line, ...cols.filter((c) => c.kind === 'typed').map((c) => `?v${c.i}`)].join(' '),
    vars: cols.map((c) => (c.kind === 'double' ? `(STR(?v${c.i}) AS ?s${c.i}) (STR(?v${c.i} - <${XSD_DOUBLE}>(STR(?v${c.i}))) AS ?d${c.i})` : `?v${c.i}`)).join(' '),
    width: columns.length,
    parentTable,
    parentSpellings: parentTable >= 0 ? columns[parentTable].spellings : [],
    parentNames: new Map(),
  };
}

/** A result term as a line field (see DownloadPlan). */
function termField(t: { type: string; value: string } | undefined): string | undefined {
  return t === undefined ? undefined : t.type === 'uri' ? `<${t.value}` : `'${t.value}`;
}

/** One result row's fields (by column index) added to the cells of its table row. */
function addRow(plan: DownloadPlan, rows: Array<Cells | undefined>, k: number, lexJson: string | undefined, fields: Array<string | undefined>) {
  if (!(k >= 0 && k < rows.length)) throw new StoreError(`the store answered a download page with row ${k} outside it`, 'unavailable');
  let cells = rows[k];
  if (!cells) { cells = new Array(plan.width); rows[k] = cells; }
  const lex = lexJson === undefined ? undefined : JSON.parse(lexJson) as Record<string, string>;
  for (const c of plan.columns) {
    const f = fields[c.i];
    if (f === undefined) continue;
    if (lex && lex[c.property] !== undefined) { addCell(cells, c.i, lex[c.property]); continue; }
    const m = f.charCodeAt(0);
    if (m === 60 /* < */) {
      const iri = f.slice(1);
      const row = parseRowIri(iri);
      addCell(cells, c.i, row?.cid ?? iri);
      if (c.parent && plan.parentTable >= 0 && row) addCell(cells, plan.parentTable, parentTableName(plan, row.table));
    } else if (m === 126 /* ~ */) addCell(cells, c.i, exactDouble(f));
    else addCell(cells, c.i, f.slice(1));
  }
}

/**
 * A double field `~str residual` as the embedded store writes the double: the shortest digits that
 * round-trip. The sum of the two is the stored double (the residual's own rounding is far below
 * half an ulp of it). A server that gives no residual (not a double after all) leaves the text.
 */
function exactDouble(f: string): string {
  const sp = f.lastIndexOf(' ');
  const s = f.slice(1, sp);
  const r = f.slice(sp + 1);
  if (r === '') return Number.isNaN(Number(s)) && !/^[+-]?(inf|infinity|nan)$/i.test(s) ? s : canonicalDouble(s);
  const d = Number(r);
  if (d === 0) {
    // fast path: JavaScript prints it the same way (shortest digits, no exponent in this range)
    const x = Number(s);
    if ((x >= 1e-6 && x < 1e21) || (x <= -1e-6 && x > -1e21)) { if (String(x) === s) return s; }
    return canonicalDouble(s);
  }
  const x = Number(s) + d;
  return canonicalDouble(Number.isFinite(x) ? String(x) : s);
}

/** The parent_table value of a parent row in table `slug`: as spelled in the upload. */
function parentTableName(plan: DownloadPlan, slug: string): string {
  let name = plan.parentNames.get(slug);
  if (name === undefined) {
    name = plan.parentSpellings.find((s) => findCompartment(s)?.slug === slug) ?? slug;
    plan.parentNames.set(slug, name);
  }
  return name;
}

function addCell(cells: Cells, i: number, v: string) {
  const c = cells[i];
  if (c === undefined) cells[i] = v;
  else if (typeof c === 'string') { if (c !== v) cells[i] = [c, v]; }
  else if (!c.includes(v)) c.push(v);
}

/**
 * The request body into the spool file, through SHA-256. The source is piped, not handed to
 * pipeline(): a failure must not destroy the request (the reply still has to be sent); the rest of
 * the body is drained instead. A full or failing disk fails the upload (503), never the process.
 */
async function receive(source: Readable, path: string, progress: (bytes: number) => void): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  const file = createWriteStream(path);
  let bytes = 0;
  let lastReport = 0;
  const sink = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      if (bytes - lastReport >= 8 << 20) { lastReport = bytes; progress(bytes); }
      if (!file.write(chunk)) file.once('drain', () => cb()); else cb();
    },
    final(cb) { file.end((err?: Error | null) => cb(err ?? null)); },
  });
  const fail = (err: Error) => sink.destroy(err);
  file.on('error', fail);
  source.once('error', fail);
  // a body that failed while this upload waited for the dataset's lock never ends: fail now
  const gone = streamFailure(source);
  if (gone) fail(gone);
  const off = onPrematureClose(source, fail);
  source.pipe(sink);
  try {
    await finished(sink);
  } catch (err) {
    source.unpipe(sink);
    source.resume();
    if (!file.closed) await new Promise<void>((r) => { file.once('close', () => r()); file.destroy(); });
    throw err;
  } finally {
    off();
    source.off('error', fail);
  }
  progress(bytes);
  return { sha256: hash.digest('hex'), bytes };
}

/** Every record of a CSV file after the header, awaiting `fn` for each (backpressure). */
async function eachRecordAsync(file: string, fn: (rec: string[]) => Promise<void>): Promise<void> {
  let n = -1;
  await pipeline(createReadStream(file), parse({ bom: true, relax_column_count: true, skip_empty_lines: true }), async (records: AsyncIterable<string[]>) => {
    for await (const rec of records) if (++n > 0) await fn(rec);
  });
}

export function rejectionBody(r: TableRejected) {
  return {
    rowsChecked: r.rowsChecked,
    problemCount: r.total,
    counts: r.counts,
    ...(r.header.length ? { header: r.header } : {}),
    errors: r.problems.map((p) => ({ row: p.row, line: p.row + 1, column: p.column, value: p.value, expected: p.expected, kind: p.kind, ...(p.path ? { path: p.path } : {}) })),
  };
}

export { InputError, TableRejected, MAX_LISTED_PROBLEMS };
