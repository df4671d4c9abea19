/**
 * What the graph says of a table and its files: the DCAT distributions of the CSV and the Parquet
 * file (byte size, SHA-256, media type, column statistics), the CSVW schema of its columns, and
 * the files themselves for tables made by the importers (storeRecords).
 */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Quad } from '../util/rdf.js';
import { df, iri, lit, typed, RDF_TYPE } from '../util/rdf.js';
import { NS } from '../model/namespaces.js';
import { compartmentConcept } from '../model/compartment-names.js';
import { CSVW, QUDT, type ColumnDef, type TableSchema } from '../model/tables/schema.js';
import { PARENT_TABLE, type ColumnMap } from '../model/tables/rows.js';
import type { ServiceContext } from './context.js';
import { StoreError } from '../store/graph-store.js';
import { csvField } from '../util/csv-field.js';
import { fileSystemError, type ColumnStats, type ColumnType, type StoredFile } from '../store/tables/table-files.js';

const S = (l: string) => iri(NS.syndb + l);
const C = (l: string) => iri(CSVW + l);

export interface StoredTable { csv: StoredFile; parquet: StoredFile; specs: Array<{ name: string; type: ColumnType }>; stats: ColumnStats[]; asTriples: boolean; note?: string }

export const PARQUET_TYPE = 'application/vnd.apache.parquet';
const SPDX = 'http://spdx.org/rdf/terms#';

/**
 * The DCAT distributions of a table's two files (Parquet, CSV) under `base`, linked from `T`,
 * with size, SPDX checksum, media type, row count and file name, and the column statistics.
 */
export function distributionQuads(T: string, base: string, access: string, rows: number, files: { csv: StoredFile; parquet: StoredFile; stats: ColumnStats[] }, title: string, statsOf = T): Quad[] {
  const q: Quad[] = [];
  const add = (s: Quad['subject'], p: Quad['predicate'], o: Quad['object']) => q.push(df.quad(s, p, o));
  const dist = (kind: 'parquet' | 'csv', f: StoredFile, media: string, what: string) => {
    const x = iri(`${base}/${kind}`);
    add(iri(T), iri(`${NS.dcat}distribution`), x);
    add(x, RDF_TYPE, iri(`${NS.dcat}Distribution`));
    add(x, iri(`${NS.dcterms}title`), lit(`${title} as ${what}`, 'en'));
    add(x, iri(`${NS.dcat}mediaType`), iri(`https://www.iana.org/assignments/media-types/${media}`));
    add(x, iri(`${NS.dcterms}format`), lit(media));
    add(x, iri(`${NS.dcat}byteSize`), typed(f.bytes, 'nonNegativeInteger'));
    add(x, iri(`${NS.dcat}accessURL`), iri(access));
    add(x, S('rowCount'), typed(rows, 'integer'));
    add(x, S('fileName'), lit(`${f.sha256}.${kind}`));
    const c = iri(`${base}/${kind}/checksum`);
    add(x, iri(`${SPDX}checksum`), c);
    add(c, RDF_TYPE, iri(`${SPDX}Checksum`));
    add(c, iri(`${SPDX}algorithm`), iri(`${SPDX}checksumAlgorithm_sha256`));
    add(c, iri(`${SPDX}checksumValue`), typed(f.sha256, 'hexBinary'));
  };
  dist('parquet', files.parquet, PARQUET_TYPE, 'Parquet');
  dist('csv', files.csv, 'text/csv', 'CSV');
  add(iri(statsOf), S('columnStatistics'), lit(JSON.stringify(files.stats)));
  return q;
}

/** A CSVW schema of plain columns (name, position, storage type) for an imported table at `T`. */
export function plainSchemaQuads(T: string, specs: Array<{ name: string; type: ColumnType }>, rows: number | undefined): Quad[] {
  const q: Quad[] = [df.quad(iri(T), S('rowsInGraph'), typed('true', 'boolean')), df.quad(iri(T), iri(`${CSVW}tableSchema`), iri(`${T}/schema`)), df.quad(iri(`${T}/schema`), RDF_TYPE, C('Schema'))];
  if (rows !== undefined) q.push(df.quad(iri(T), S('rowCount'), typed(rows, 'integer')));
  specs.forEach((c, i) => {
    const cn = iri(`${T}/columns/${i + 1}`);
    q.push(df.quad(iri(`${T}/schema`), C('column'), cn), df.quad(cn, RDF_TYPE, C('Column')), df.quad(cn, C('name'), lit(c.name)),
      df.quad(cn, iri(`${NS.schema}position`), typed(i + 1, 'integer')), df.quad(cn, S('storageType'), lit(c.type)));
  });
  return q;
}

/**
 * Records (already validated by an importer) as the two content-addressed table files and their
 * description: the CSV written from them, its Parquet copy with the given column types, statistics.
 */
export async function storeRecords(ctx: ServiceContext, header: string[], records: Iterable<string[]>, types: ColumnType[]): Promise<{ csv: StoredFile; parquet: StoredFile; stats: ColumnStats[]; rows: number; specs: Array<{ name: string; type: ColumnType }> }> {
  const files = ctx.tableFiles;
  const tmp = files.tmpPath('csv');
  const written: StoredFile[] = [];
  try {
    let text = header.map(csvField).join(',') + '\n';
    let rows = 0;
    for (const r of records) { text += r.map(csvField).join(',') + '\n'; rows++; }
    await writeFile(tmp, text);
    const csv = files.keep(tmp, createHash('sha256').update(text).digest('hex'), 'csv');
    written.push(csv);
    const specs = header.map((name, i) => ({ name, type: types[i] }));
    const parquet = await files.csvToParquet(csv.path, specs, rows);
    written.push(parquet);
    const stats = await files.stats(parquet.sha256, specs);
    return { csv, parquet, stats, rows, specs };
  } catch (err) {
    rmSync(tmp, { force: true });
    for (const f of written) files.remove(f);
    if (err instanceof StoreError) throw err;
    throw fileSystemError(err, 'the imported table could not be stored');
  }
}

export function describeTable(ctx: ServiceContext, schema: TableSchema, map: ColumnMap, d: { id: string; T: string; D: string; rows: number; sha256: string; bytes: number; activity: string; spellings: Map<string, string>; modified: Date; files: StoredTable }): Quad[] {
  const T = iri(d.T);
  const q: Quad[] = [];
  const add = (s: Quad['subject'], p: Quad['predicate'], o: Quad['object']) => q.push(df.quad(s, p, o));
  add(T, RDF_TYPE, C('Table'));
  add(T, RDF_TYPE, iri(`${NS.dcat}Distribution`));
  add(T, iri(`${NS.dcterms}title`), lit(`${schema.slug} table of ${d.id}`));
  add(T, iri(`${NS.dcterms}isPartOf`), iri(d.D));
  add(T, S('compartment'), iri(compartmentConcept(schema.slug)));
  add(T, iri(`${NS.dcterms}conformsTo`), iri(schema.shape));
  add(T, S('rowCount'), typed(d.rows, 'integer'));
  add(T, iri(`${NS.dcterms}format`), lit('text/csv'));
  add(T, iri(`${NS.dcat}mediaType`), iri('https://www.iana.org/assignments/media-types/text/csv'));
  add(T, iri(`${NS.dcat}byteSize`), typed(d.bytes, 'nonNegativeInteger'));
  add(T, iri(`${NS.dcterms}modified`), typed(d.modified.toISOString(), 'dateTime'));
  add(T, iri(`${NS.prov}wasGeneratedBy`), iri(d.activity));
  const ck = iri(`${d.T}/checksum`);
  add(T, iri('http://spdx.org/rdf/terms#checksum'), ck);
  add(ck, RDF_TYPE, iri('http://spdx.org/rdf/terms#Checksum'));
  add(ck, iri('http://spdx.org/rdf/terms#algorithm'), iri('http://spdx.org/rdf/terms#checksumAlgorithm_sha256'));
  add(ck, iri('http://spdx.org/rdf/terms#checksumValue'), typed(d.sha256, 'hexBinary'));
  // the rows: in the graph or in the files only (and how to get them into the graph)
  add(T, S('rowsInGraph'), typed(String(d.files.asTriples), 'boolean'));
  if (d.files.note) add(T, iri(`${NS.rdfs}comment`), lit(d.files.note, 'en'));
  // DCAT distributions of the two content-addressed files
  const access = `${ctx.iris.concept(d.id)}/tables/${schema.slug}`;
  q.push(...distributionQuads(d.T, `${d.T}/distributions`, access, d.rows, d.files, `${schema.slug} table`));
  const ts = iri(`${d.T}/schema`);
  add(T, C('tableSchema'), ts);
  add(ts, RDF_TYPE, C('Schema'));
  map.headers.forEach((h, i) => {
    const col = map.cols[i] as ColumnDef | typeof PARENT_TABLE;
    const cn = iri(`${d.T}/columns/${i + 1}`);
    add(ts, C('column'), cn);
    add(cn, RDF_TYPE, C('Column'));
    add(cn, C('name'), lit(h.trim()));
    add(cn, iri(`${NS.schema}position`), typed(i + 1, 'integer'));
    add(cn, S('storageType'), lit(d.files.specs[i].type));
    const st = d.files.stats[i];
    if (st) {
      add(cn, S('valueCount'), typed(st.count, 'integer'));
      add(cn, S('nullCount'), typed(st.nulls, 'integer'));
      if (st.mean !== undefined && Number.isFinite(st.mean)) add(cn, S('meanValue'), typed(String(st.mean), 'double'));
      if (st.min !== undefined) add(cn, S('minValue'), lit(String(st.min)));
      if (st.max !== undefined) add(cn, S('maxValue'), lit(String(st.max)));
    }
    if (col === PARENT_TABLE) {
      for (const s of d.spellings.values()) add(cn, iri(`${NS.skos}hiddenLabel`), lit(s));
      return;
    }
    add(cn, C('propertyUrl'), iri(col.property));
    if (col.kind === 'literal' && col.datatype) add(cn, C('datatype'), iri(col.datatype));
    if (col.unit) add(cn, iri(`${QUDT}hasUnit`), iri(col.unit));
  });
  return q;
}

/** The problem+json body of a rejected table. */
