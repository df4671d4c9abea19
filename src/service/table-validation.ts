/**
 * Validation of an uploaded compartment table (a CSV file already received into the spool): every
 * problem of every row at once (the shapes' messages, row and column named), or what the service
 * needs to store the table. Two validators give the same verdict and report (proven on a
 * differential corpus, test/tables-sql-checks.test.ts):
 *  - SQL (the default): the row shapes compiled to DuckDB queries (model/tables/sql-checks.ts) over
 *    the file staged as text columns (TableFiles.stageCsv); the rows never pass through JavaScript.
 *  - JavaScript (rows.ts checkRow), row by row, for what the SQL path cannot take exactly: a file
 *    DuckDB's reader refuses (field counts, bytes that are not UTF-8, …), a header spanning lines,
 *    a shape pattern RE2 cannot run, another table of the draft without a Parquet file.
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { findCompartment } from '../model/compartment-names.js';
import type { TableSchema } from '../model/tables/schema.js';
import { CidIndex } from '../model/tables/cid-index.js';
import { LinkChecks } from '../model/tables/link-check.js';
import { mapHeader, convertRow, checkRow, rowQuadCount, PARENT_TABLE, type RowProblem, type ColumnMap } from '../model/tables/rows.js';
import { rowCheckQueries, SqlCheckUnsupported } from '../model/tables/sql-checks.js';
import { ColumnTypes, typeOf } from '../model/tables/column-types.js';
import { lookupColumns, lookupIdsQuery, profileQuery, spellingsQuery } from '../model/tables/sql-profile.js';
import { CsvNotStaged, type ColumnType, type StagedTable, type TableFiles } from '../store/tables/table-files.js';

export const MAX_LISTED_PROBLEMS = 100;

/** The reply for a rejected table: the first problems and the count of every kind. */
export class TableRejected extends Error {
  /** The problem's title over HTTP: 'Invalid Table' (rows or header break the shapes) or 'Malformed CSV'. */
  title = 'Invalid Table';
  constructor(readonly summary: string, readonly problems: RowProblem[], readonly counts: Record<string, number>, readonly total: number, readonly rowsChecked: number, readonly header: Array<{ column: string; position: number; message: string }> = []) {
    super(summary);
    this.name = 'TableRejected';
  }
}

/** Another table of the draft, for link checks: the relation of its cids (its Parquet file), and lookups of ids. */
export interface OtherTable {
  /** A relation with a text column `cid`, or undefined when the table has no Parquet file (stored before tables had them). */
  relation?: string;
  /** Which of the ids are cids of that table. */
  present: (ids: Set<string>) => Promise<Set<string>>;
  /** Which of the ids are not. */
  missing: (ids: Set<string>) => Promise<Set<string>>;
}

/** A valid table: what storing it needs. */
export interface ValidTable {
  map: ColumnMap;
  rows: number;
  /** The Parquet type of each column (header order). */
  types: ColumnType[];
  /** The first spelling of each compartment named in parent_table (slug -> as uploaded). */
  spellings: Map<string, string>;
  /** Quads the rows become as triples (an upper bound on the SQL path). */
  quads: () => Promise<number>;
  /** The ids of the lookup columns (pre_id, post_id, …): cids of this table, and the others. */
  lookups: () => Promise<{ own: Set<string>; others: Set<string> }>;
  /** The lines of the file up to the end of the header (1, unless blank lines precede it or it spans lines). */
  headerLines: number;
  /** What DuckDB's reader must skip to reach the first row: the blank lines and the header (as one line: its reader skips whole records). */
  skipLines: number;
  /** The file staged by the SQL path (the typed Parquet copy is made from it), else undefined. */
  staged?: StagedTable;
  validator: 'sql' | 'javascript';
}

export interface ValidationInput {
  schema: TableSchema;
  /** The CSV as received. */
  file: string;
  /** The draft IRI (base of the row IRIs reported for links). */
  dataset: string;
  /** The draft's other tables (slug -> how to read their cids). */
  otherTables: Map<string, OtherTable>;
  files: TableFiles;
  /** 'javascript': always the row-by-row validator (SYNDB_TABLE_VALIDATOR). */
  validator?: 'sql' | 'javascript';
  onProgress?: (rows: number) => void;
}

/** The first record of the file (the header) and the lines up to its end (blank lines before it, line breaks in it), or undefined for a file without one. */
export async function readHeader(file: string): Promise<{ header: string[]; lines: number } | undefined> {
  let out: { header: string[]; lines: number } | undefined;
  await pipeline(createReadStream(file, { highWaterMark: 64 * 1024 }), parse({ bom: true, relax_column_count: true, skip_empty_lines: true, to: 1, info: true }), async (records: AsyncIterable<{ record: string[]; info: { lines: number } }>) => {
    for await (const r of records) { out = { header: r.record, lines: r.info.lines }; break; }
  }).catch((e: unknown) => { if (!out) throw e; });
  return out;
}

const rejectHeader = (schema: TableSchema, map: ColumnMap) => new TableRejected(`the header of the ${schema.slug} table is not valid`, [], {}, map.problems.length, 0, map.problems);
const rejected = (schema: TableSchema, total: number, rows: number, problems: RowProblem[], counts: Record<string, number>) =>
  new TableRejected(`${total} problem${total === 1 ? '' : 's'} in ${rows} rows of the ${schema.slug} table; nothing was stored`, problems, counts, total, rows);

/** Validate the received table: the SQL validator, or the JavaScript one where SQL cannot be exact. Throws TableRejected. */
export async function validateTable(input: ValidationInput): Promise<ValidTable> {
  const head = await readHeader(input.file).catch((err: unknown) => {
    const r = csvSyntaxRejection(err, 0);
    if (!r) throw err;
    const h = new TableRejected('the header line is not a CSV record; nothing was stored', [], { 'syndb:CsvSyntax': 1 }, 1, 0, [{ column: '', position: 0, message: r.problems[0].expected }]);
    h.title = 'Malformed CSV';
    throw h;
  });
  if (!head) throw new TableRejected('the table is empty: it needs a header line and at least one row', [], { 'syndb:EmptyTable': 1 }, 1, 0, [{ column: '', position: 0, message: 'no header line' }]);
  const map = mapHeader(input.schema, head.header);
  if (map.problems.length) throw rejectHeader(input.schema, map);
  const sql = input.validator === 'javascript' || head.lines !== 1 ? undefined : await validateSql(input, map).catch((e: unknown) => {
    if (e instanceof SqlCheckUnsupported || e instanceof CsvNotStaged) return undefined;
    throw e;
  });
  const breaks = head.header.reduce((n, h) => n + (h.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
  return { ...(sql ?? await validateJs(input, map)), headerLines: head.lines, skipLines: head.lines - breaks };
}

async function validateSql(input: ValidationInput, map: ColumnMap): Promise<Omit<ValidTable, 'headerLines' | 'skipLines'> | undefined> {
  const { schema, files } = input;
  const others = new Map<string, string>();
  for (const [t, o] of input.otherTables) {
    if (!o.relation) return undefined; // a table stored before tables had Parquet files
    others.set(t, o.relation);
  }
  // the queries first: a shape SQL cannot run exactly throws before the file is staged
  rowCheckQueries(schema, '__probe', { columns: map.headers, otherTables: new Map([...others.keys()].map((t) => [t, '__probe'])), dataset: input.dataset });
  const staged = await files.stageCsv(input.file, map.headers);
  try {
    // one scan: the profile of the rows (what storing them needs) and whether DuckDB read every record as csv-parse does
    const prof = profileQuery(map, staged.relation, staged.readAsCsvParse);
    const profile = prof.read((await files.rows(prof.sql))[0]);
    files.confirmStaged(profile.extra);
    input.onProgress?.(staged.rows);
    const queries = rowCheckQueries(schema, staged.relation, { columns: map.headers, otherTables: others, dataset: input.dataset });
    const r = await files.problems(queries, MAX_LISTED_PROBLEMS);
    if (r.total > 0) {
      const problems: RowProblem[] = r.problems.map((p) => ({ row: p.row, column: p.column, expected: p.message, kind: p.kind, ...(p.value !== null ? { value: p.value } : {}), ...(p.path ? { path: p.path } : {}) }));
      throw rejected(schema, r.total, staged.rows, problems, r.counts);
    }
    const sp = spellingsQuery(map, staged.relation);
    const spellings = sp ? sp.read(await files.rows(sp.sql)) : new Map<string, string>();
    let lookups: Promise<{ own: Set<string>; others: Set<string> }> | undefined;
    return {
      map, rows: profile.rows, staged, validator: 'sql', spellings,
      types: map.headers.map((_, i) => typeOf(map, i, profile.widths.get(i))),
      quads: async () => profile.quadBound,
      lookups: () => (lookups ??= (async () => {
        const q = lookupIdsQuery(map, staged.relation);
        return q ? q.read(await files.rows(q.sql)) : { own: new Set<string>(), others: new Set<string>() };
      })()),
    };
  } catch (e) {
    files.unstage(staged);
    throw e;
  }
}

/** The JavaScript validator: every record of the file converted and checked (rows.ts), then the table-level checks. */
async function validateJs(input: ValidationInput, map: ColumnMap): Promise<Omit<ValidTable, 'headerLines' | 'skipLines'>> {
  const { schema, dataset } = input;
  const types = new ColumnTypes();
  const problems: RowProblem[] = [];
  const counts: Record<string, number> = {};
  let total = 0;
  const note = (p: RowProblem) => { total++; counts[p.kind] = (counts[p.kind] ?? 0) + 1; if (problems.length < MAX_LISTED_PROBLEMS) problems.push(p); };
  const headerOf = new Map<string, string>();
  map.cols.forEach((c, i) => { if (c && c !== PARENT_TABLE) headerOf.set(c.property, map.headers[i].trim()); });
  const links = new LinkChecks(schema, map, (t) => t === schema.slug || input.otherTables.has(t));
  const cids = new CidIndex();
  const suspects: Array<{ row: number; earlier: number; cid: string }> = [];
  const lookupCols = lookupColumns(map);
  const linkIds = new Set<string>();
  const spellings = new Map<string, string>();
  let rows = 0;
  let quads = 0;
  await eachRecord(input.file, (rec) => {
    rows++;
    types.see(map, rec);
    if (rec.length !== map.headers.length) note({ row: rows, column: '', value: `${rec.length} fields`, expected: `${map.headers.length} fields, as in the header`, kind: 'syndb:FieldCount' });
    const conv = convertRow({ schema, map, dataset }, rec, rows);
    quads += rowQuadCount(conv);
    links.note(rec);
    for (const p of checkRow(schema, conv, rows)) note(p.path ? { ...p, column: headerOf.get(p.path) ?? p.column } : p);
    if (conv.cid !== '') {
      const earlier = cids.add(conv.cid, rows);
      if (earlier !== undefined) suspects.push({ row: rows, earlier, cid: conv.cid });
    }
    for (const { i, col } of lookupCols) { const v = rec[i] ?? ''; if (v) for (const x of col.multi ? v.split(';') : [v]) if (x.trim()) linkIds.add(x.trim()); }
    if (map.parentTableIndex >= 0) { const v = (rec[map.parentTableIndex] ?? '').trim(); const slug = v && findCompartment(v)?.slug; if (slug && !spellings.has(slug)) spellings.set(slug, v); }
    if (input.onProgress && (rows & 4095) === 0) input.onProgress(rows);
  });
  // same hash as an earlier row's cid: a duplicate when the earlier row's cid is the same string
  if (suspects.length) {
    const earlierCid = await cidsOfRows(input.file, map.cidIndex, new Set(suspects.map((x) => x.earlier)));
    for (const x of suspects) if (earlierCid.get(x.earlier) === x.cid) note({ row: x.row, column: 'cid', value: x.cid, expected: `cid must be unique in the table; it is also the cid of row ${x.earlier}`, kind: 'syndb:DuplicateCid' });
  }
  if (rows === 0) note({ row: 0, column: '', expected: 'at least one row after the header', kind: 'syndb:EmptyTable' });
  // links that must name an existing row: the rows naming a missing one are read again
  const missing = new Map<string, Set<string>>();
  for (const [t, ids] of links.ids) {
    const m = t === schema.slug ? new Set([...ids].filter((x) => !cids.has(x))) : await input.otherTables.get(t)!.missing(ids);
    if (m.size) missing.set(t, m);
  }
  if (missing.size) await eachRecord(input.file, (rec, n) => { for (const p of links.problems(rec, n, (t, x) => missing.get(t)?.has(x) ?? false)) note({ ...p, column: headerOf.get(p.path!) ?? p.column }); });
  if (total > 0) throw rejected(schema, total, rows, problems, counts);
  const own = new Set<string>(), others = new Set<string>();
  for (const x of linkIds) (cids.has(x) ? own : others).add(x);
  return {
    map, rows, spellings, validator: 'javascript',
    types: map.headers.map((_, i) => types.type(map, i)),
    quads: async () => quads,
    lookups: async () => ({ own, others }),
  };
}

/** Every record of a CSV file after the header, with its row number (1 = the first after the header). */
export async function eachRecord(file: string, fn: (rec: string[], row: number) => void): Promise<void> {
  let n = -1;
  try {
    await pipeline(createReadStream(file), parse({ bom: true, relax_column_count: true, skip_empty_lines: true }), async (records: AsyncIterable<string[]>) => {
      for await (const rec of records) if (++n > 0) fn(rec, n);
    });
  } catch (err) {
    throw csvSyntaxRejection(err, Math.max(0, n)) ?? err;
  }
}

/**
 * A record CSV cannot read (a quote inside an unquoted field, a quote never closed, text after a
 * closing quote) as the table's one problem, naming the record and the line; other errors: undefined.
 */
export function csvSyntaxRejection(err: unknown, rowsRead: number): TableRejected | undefined {
  const e = err as { code?: unknown; message?: unknown; lines?: unknown; records?: unknown };
  if (typeof e?.code !== 'string' || !/^(CSV_|INVALID_OPENING_QUOTE)/.test(e.code) || typeof e.message !== 'string') return undefined;
  // csv-parse counts the records it read before this one (the header is one)
  const row = typeof e.records === 'number' ? Math.max(1, e.records) : rowsRead + 1;
  const line = typeof e.lines === 'number' ? e.lines : undefined;
  const what = e.message.replace(/^[^:]*:\s*/, '').replace(/\.$/, '');
  const problem: RowProblem = { row, column: '', expected: `a CSV record (RFC 4180): ${what}. Quote a field that holds a quote, comma or line break ("a ""b"" c"), and close every quote${line !== undefined ? ` (the record ends on line ${line})` : ''}`, kind: 'syndb:CsvSyntax' };
  const r = new TableRejected(`row ${row}${line !== undefined ? ` (line ${line})` : ''} is not a CSV record; nothing was stored`, [problem], { 'syndb:CsvSyntax': 1 }, 1, row - 1);
  r.title = 'Malformed CSV';
  return r;
}

/** The cid of each of the given rows (1 = the first after the header) of a CSV file. */
async function cidsOfRows(file: string, cidIndex: number, rows: Set<number>): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  let n = -1;
  await pipeline(createReadStream(file), parse({ bom: true, relax_column_count: true, skip_empty_lines: true }), async (records: AsyncIterable<string[]>) => {
    for await (const rec of records) {
      if (++n > 0 && rows.has(n)) out.set(n, rec[cidIndex] ?? '');
      if (out.size === rows.size) break;
    }
  }).catch((e: unknown) => { if (out.size < rows.size) throw e; }); // stopping early closes the stream under the parser
  return out;
}
