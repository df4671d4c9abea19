/**
 * The table store: every table version is an immutable, content-addressed file in the table
 * directory, named by the SHA-256 of its bytes (`<sha256>.parquet` for the columnar copy,
 * `<sha256>.csv` for the CSV as uploaded). A file is written under a temporary name in
 * `<dir>/tmp/` and renamed into place when complete, so a name always means whole, checked bytes;
 * the same bytes uploaded twice (or published as a new version) are one file.
 *
 * Only this module (and duckdb.ts) knows that DuckDB reads and writes the files.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { StoreError } from '../graph-store.js';
import { openEngine, sqlIdent, sqlString, type Engine } from './duckdb.js';
import { SortedCopies, type SortedCopyState } from './sorted-copies.js';

/** The column types a table file has (chosen per column from the CSVW schema and the values). */
export type ColumnType = 'BIGINT' | 'UBIGINT' | 'DECIMAL(38,0)' | 'DOUBLE' | 'BOOLEAN' | 'VARCHAR';
export interface ColumnSpec { name: string; type: ColumnType }

export interface ColumnStats {
  name: string;
  type: ColumnType;
  count: number;
  nulls: number;
  min?: number | string | boolean;
  max?: number | string | boolean;
  mean?: number;
  /** Numeric columns: 10 equal-width bins over [min, max] of the finite values. */
  histogram?: Array<{ from: number; to: number; count: number }>;
  /** Text columns: approximate number of distinct values. */
  distinct?: number;
}

export interface StoredFile { sha256: string; bytes: number; path: string; created: boolean }

/**
 * What the Parquet writer measured while writing a file (COPY … RETURN_STATS): its rows and, per
 * column name, the NULLs and the smallest and largest value as text. Used by stats() for the
 * numeric columns (exact there; the writer's text bounds are truncated, its booleans are 0/1).
 */
export interface WrittenStats { rows: number; columns: Map<string, { nulls: number; min?: string; max?: string }> }

/** A Parquet file written by TableFiles, with what its writer measured. */
export interface WrittenParquet extends StoredFile { written?: WrittenStats }

/** An uploaded CSV file as text columns in a temporary Parquet file (TableFiles.stageCsv). */
export interface StagedTable {
  path: string;
  /** Data records DuckDB read. */
  rows: number;
  /** The relation sql-checks.ts expects: the header's columns as uploaded and `__row`. */
  relation: string;
  header: string[];
  /**
   * Two aggregates over `relation` (TRUE or FALSE): a record has more or fewer fields than the
   * header, a field holds a quote (records csv-parse reads otherwise). Run them in the first scan of
   * the staged rows and hand their values to TableFiles.confirmStaged before trusting any check.
   */
  readAsCsvParse: string[];
}

/** DuckDB's CSV reader refused the file where csv-parse may not (see TableFiles.stageCsv). */
export class CsvNotStaged extends Error {
  constructor(message: string) { super(message); this.name = 'CsvNotStaged'; }
}

export interface Filter { column: string; op: 'in' | 'gte' | 'lte'; values: string[] }
export interface Selection { columns: ColumnSpec[]; filters: Filter[] }

/** DuckDB's NULL string while staging: text no uploaded table holds (two control characters), so an empty field stays ''. */
const NO_NULL = '\u0001\u0002';
const INTEGER = /^[+-]?[0-9]+$/;
const DOUBLE = /^[+-]?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))([Ee][+-]?[0-9]+)?$|^-?INF$|^NaN$/;

/** Whether a filter value (text from a URL) is a value of a column of that type. */
export function valueFits(type: ColumnType, v: string): boolean {
  if (type === 'BIGINT') return INTEGER.test(v) && BigInt(v) >= -(2n ** 63n) && BigInt(v) < 2n ** 63n;
  if (type === 'UBIGINT') return INTEGER.test(v) && BigInt(v) >= 0n && BigInt(v) < 2n ** 64n;
  if (type === 'DECIMAL(38,0)') return INTEGER.test(v) && v.replace(/^[+-]?0*/, '').length <= 38;
  if (type === 'DOUBLE') return DOUBLE.test(v);
  if (type === 'BOOLEAN') return /^(true|false|1|0)$/.test(v);
  return true;
}

/** A disk that is full or failing: the service answers 503 (StoreError 'unavailable'). */
export function fileSystemError(err: unknown, what: string): StoreError {
  const code = (err as { code?: string }).code;
  const msg = (err as Error).message ?? String(err);
  if (code === 'ENOSPC' || /No space left|disk is full|ENOSPC/i.test(msg)) return new StoreError(`${what}: the table directory is full (no space left on the device); nothing was stored. Free space in SYNDB_TABLE_DIR or move it to a larger disk`, 'unavailable');
  return new StoreError(`${what}: ${code ? `${code} ` : ''}${msg.split('\n')[0]}; nothing was stored`, 'unavailable');
}

export interface TableFilesOptions {
  memoryLimit?: string;
  threads?: number;
  /** Files of at least this many rows get sorted copies of the columns they are filtered on (default 1,000,000; 0 = never). */
  sortedCopyMinRows?: number;
  /** What happened to a sorted copy (built, failed), for the service's log. */
  log?: (o: Record<string, unknown>) => void;
}

/** An IN list of at most this many values on a sorted copy is read one value at a time. */
const MAX_PRUNED_VALUES = 256;
/** At most this many sorted copies of one file (each is as large as the file). */
const MAX_SORTED_COPIES = 4;

export class TableFiles {
  private engine?: Promise<Engine>;
  private readonly sorted: SortedCopies;
  /** The connection building a sorted copy (interrupted when the service closes). */
  private building?: DuckDBConnection;

  constructor(readonly dir: string, private readonly opts: TableFilesOptions = {}) {
    this.sorted = new SortedCopies((sha, column) => this.buildSorted(sha, column), opts.log);
  }

  private tmpDir() {
    const d = join(this.dir, 'tmp');
    mkdirSync(join(d, 'duckdb'), { recursive: true });
    return d;
  }

  /** A fresh path for a file being written (in the table directory's tmp folder: renames are atomic). */
  tmpPath(ext: string): string {
    return join(this.tmpDir(), `${randomUUID()}.${ext}`);
  }

  path(sha256: string, ext: 'parquet' | 'csv'): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new StoreError(`"${sha256}" is not a SHA-256 table file name`, 'bad-query');
    return join(this.dir, `${sha256}.${ext}`);
  }

  has(sha256: string, ext: 'parquet' | 'csv'): boolean {
    return existsSync(this.path(sha256, ext));
  }

  /**
   * The sorted copy of a Parquet file for one column: every row of the file with `__syndb_row` (its
   * 0-based place in the file), ordered by the column, in row groups small enough that a filter on
   * the column reads one or two of them. Named by the file and the column (derived, never changed).
   */
  sortedPath(sha256: string, column: string): string {
    return join(this.dir, `${this.path(sha256, 'parquet').slice(this.dir.length + 1, -'.parquet'.length)}.sorted-${createHash('sha256').update(column).digest('hex').slice(0, 16)}.parquet`);
  }

  /** Which columns of a file have a sorted copy, and which are being sorted. */
  sortedCopies(sha256: string, columns: ColumnSpec[]): Record<string, SortedCopyState> {
    const out: Record<string, SortedCopyState> = {};
    for (const c of columns) {
      const st = existsSync(this.sortedPath(sha256, c.name)) ? 'ready' : this.sorted.state(sha256, c.name);
      if (st) out[c.name] = st;
    }
    return out;
  }

  private async buildSorted(sha256: string, column: string): Promise<void> {
    const dest = this.sortedPath(sha256, column);
    if (existsSync(dest)) return;
    const tmp = this.tmpPath('parquet');
    const c = await this.connect();
    this.building = c;
    try {
      await c.run(`COPY (SELECT *, file_row_number AS __syndb_row FROM read_parquet(${sqlString(this.path(sha256, 'parquet'))}, file_row_number = true) ORDER BY ${sqlIdent(column)} NULLS LAST, __syndb_row) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 16384)`);
      renameSync(tmp, dest);
    } finally {
      this.building = undefined;
      c.closeSync();
      rmSync(tmp, { force: true });
    }
  }

  /**
   * The file to read for a selection: the sorted copy of a filtered column when there is one
   * (rows then come back in file order: `ORDER BY __syndb_row`), else the file itself. A file of at
   * least `sortedCopyMinRows` rows gets a sorted copy of each filtered column, built in the
   * background (one at a time; the query does not wait for it).
   */
  private source(sha256: string, filters: Filter[], rows: number | undefined, types: Map<string, ColumnType>, params: string[]): { from: string; order: string } {
    const file = { from: `read_parquet(${sqlString(this.path(sha256, 'parquet'))})`, order: '' };
    if (!filters.length) return file;
    const min = this.opts.sortedCopyMinRows ?? 1_000_000;
    const ready = filters.map((f) => f.column).filter((c) => existsSync(this.sortedPath(sha256, c)));
    if (min > 0 && rows !== undefined && rows >= min) {
      for (const f of filters) {
        if (ready.includes(f.column) || ready.length + this.sorted.pending(sha256) >= MAX_SORTED_COPIES) continue;
        this.sorted.request(sha256, f.column);
      }
    }
    const best = filters.find((f) => f.op === 'in' && ready.includes(f.column)) ?? filters.find((f) => ready.includes(f.column));
    if (!best) return file;
    const copy = `read_parquet(${sqlString(this.sortedPath(sha256, best.column))})`;
    const values = [...new Set(best.values)];
    if (best.op !== 'in' || values.length < 2 || values.length > MAX_PRUNED_VALUES) return { from: copy, order: ' ORDER BY __syndb_row' };
    // one pruned read per value: DuckDB prunes row groups for an IN list by its smallest and largest
    // value only, which in a sorted copy is most of the file
    const t = types.get(best.column)!;
    const each = values.map((v) => { params.push(v); return `SELECT * FROM ${copy} WHERE ${sqlIdent(best.column)} = ${t === 'VARCHAR' ? `$${params.length}` : `CAST($${params.length} AS ${t})`}`; });
    return { from: `(${each.join(' UNION ALL ')})`, order: ' ORDER BY __syndb_row' };
  }

  private async connect(): Promise<DuckDBConnection> {
    this.engine ??= (mkdirSync(this.dir, { recursive: true }), this.tmpDir(), openEngine(this.dir, this.opts));
    return (await this.engine).connect();
  }

  private async withConnection<T>(f: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    const c = await this.connect();
    try { return await f(c); } finally { c.closeSync(); }
  }

  /** Move a finished temporary file to its content-addressed name (sha256 of its bytes). */
  keep(tmp: string, sha256: string, ext: 'parquet' | 'csv'): StoredFile {
    const path = this.path(sha256, ext);
    const bytes = statSync(tmp).size;
    if (existsSync(path)) { rmSync(tmp, { force: true }); return { sha256, bytes, path, created: false }; }
    renameSync(tmp, path);
    return { sha256, bytes, path, created: true };
  }

  /** Remove a file this process created (a write that failed after it). */
  remove(f: StoredFile) {
    if (f.created) rmSync(f.path, { force: true });
  }

  /**
   * A validated CSV file -> a Parquet file with typed columns (in the CSV's column order).
   * `rows` is the number of data rows the validator read: DuckDB must find the same. `skipLines`:
   * the lines before the first row (blank lines, then the header, which its reader skips as one).
   */
  async csvToParquet(csv: string, columns: ColumnSpec[], rows: number, skipLines = 1): Promise<WrittenParquet> {
    const read = `read_csv(${sqlString(csv)}, header = false, skip = ${Math.max(0, Math.floor(skipLines))}, auto_detect = false, delim = ',', quote = '"', escape = '"', strict_mode = false, columns = {${columns.map((c, i) => `${sqlString(`c${i}`)}: 'VARCHAR'`).join(', ')}})`;
    return this.writeParquet(read, columns, rows);
  }

  /** Columns c0…cN of `read` (text) -> a content-addressed Parquet file of typed columns; `rows` must match. */
  private async writeParquet(read: string, columns: ColumnSpec[], rows: number): Promise<WrittenParquet> {
    const tmp = this.tmpPath('parquet');
    try {
      const cast = (c: ColumnSpec, i: number) => {
        const v = `NULLIF(${sqlIdent(`c${i}`)}, '')`;
        return `${c.type === 'VARCHAR' ? v : `CAST(${v} AS ${c.type})`} AS ${sqlIdent(c.name)}`;
      };
      // RETURN_STATS: the writer's column statistics come back with the row count (stats() uses them)
      const { n, written } = await this.withConnection(async (c) => {
        const r = await c.runAndReadAll(`COPY (SELECT ${columns.map(cast).join(', ')} FROM ${read}) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 122880, RETURN_STATS)`);
        const row = r.getRowObjectsJson()[0] as { count?: unknown; column_statistics?: Array<{ key: string; value: Array<{ key: string; value: string }> }> } | undefined;
        const n = Number(row?.count ?? -1);
        const byKey = new Map((row?.column_statistics ?? []).map((e) => [e.key, new Map(e.value.map((x) => [x.key, x.value]))]));
        const cols = new Map<string, { nulls: number; min?: string; max?: string }>();
        for (const col of columns) {
          const st = byKey.get(sqlIdent(col.name)) ?? byKey.get(col.name);
          const nulls = st?.get('null_count');
          if (st && nulls !== undefined) cols.set(col.name, { nulls: Number(nulls), min: st.get('min'), max: st.get('max') });
        }
        return { n, written: { rows: n, columns: cols } };
      });
      if (n !== rows) throw new StoreError(`the columnar copy of the table has ${n} rows where the validator read ${rows}; nothing was stored (please report this file)`, 'unavailable');
      const sha256 = await sha256File(tmp);
      return { ...this.keep(tmp, sha256, 'parquet'), written };
    } catch (e) {
      rmSync(tmp, { force: true });
      if (e instanceof StoreError) throw e;
      throw fileSystemError(e, 'the table could not be written as Parquet');
    }
  }

  /**
   * Count, nulls, min, max, mean of every column; histograms of numeric ones. `written` (what the
   * writer measured, WrittenParquet) gives the nulls and bounds of numeric columns whose bounds are
   * finite: their histograms are then binned in the same scan as the means; the other columns'
   * bounds are found by that scan and their histograms by one more.
   */
  async stats(sha256: string, columns: ColumnSpec[], written?: WrittenStats): Promise<ColumnStats[]> {
    const src = `read_parquet(${sqlString(this.path(sha256, 'parquet'))})`;
    return this.withConnection(async (c) => {
      const numeric = (t: ColumnType) => t !== 'VARCHAR' && t !== 'BOOLEAN';
      const conv = (col: ColumnSpec, x: unknown) => x === null || x === undefined ? undefined : col.type === 'VARCHAR' ? String(x).slice(0, 200) : col.type === 'BOOLEAN' ? String(x) === 'true' : col.type === 'DOUBLE' ? Number(x) : Number.isSafeInteger(Number(x)) ? Number(x) : String(x);
      // the writer's bounds of a numeric column: exact (NaN left out, as here); infinite ones are found by the scan
      const finite = (x: string | undefined) => x !== undefined && Number.isFinite(Number(x));
      const known = columns.map((col) => {
        const w = numeric(col.type) ? written?.columns.get(col.name) : undefined;
        return w && finite(w.min) && finite(w.max) ? w : undefined;
      });
      /** 10 equal-width bins over [min, max] of a numeric column (undefined: no finite bounds). */
      const binsOf = (s: ColumnStats) => {
        if (!numeric(s.type) || s.min === undefined || s.max === undefined) return undefined;
        const lo = Number(s.min), hi = Number(s.max);
        const w = (hi - lo) / 10;
        if (!Number.isFinite(w) || !Number.isFinite(lo)) return undefined;
        const q = sqlIdent(s.name);
        const bin = w > 0 ? `LEAST(CAST(floor((CAST(${q} AS DOUBLE) - CAST(${sqlString(String(lo))} AS DOUBLE)) / CAST(${sqlString(String(w))} AS DOUBLE)) AS INTEGER), 9)` : '0';
        const keep = `${q} IS NOT NULL${s.type === 'DOUBLE' ? ` AND isfinite(${q})` : ''}`;
        return { s, lo, hi, w, sql: `CAST(histogram(CASE WHEN ${keep} THEN ${bin} END) AS VARCHAR)` };
      };
      const histogram = (b: NonNullable<ReturnType<typeof binsOf>>, printed: unknown) => {
        const { s, lo, hi, w } = b;
        // a MAP printed as {0=12, 1=7, ...}
        const counts = new Map([...String(printed ?? '').matchAll(/(-?\d+)=(\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]));
        s.histogram = w > 0 ? Array.from({ length: 10 }, (_, j) => ({ from: lo + j * w, to: j === 9 ? hi : lo + (j + 1) * w, count: counts.get(j) ?? 0 })) : [{ from: lo, to: hi, count: counts.get(0) ?? 0 }];
      };
      const out: ColumnStats[] = columns.map((col, i) => {
        const k = known[i];
        const s: ColumnStats = { name: col.name, type: col.type, count: 0, nulls: 0 };
        if (k) { s.count = written!.rows - k.nulls; s.nulls = k.nulls; s.min = conv(col, k.min); s.max = conv(col, k.max); }
        return s;
      });
      const parts: string[] = ['count(*)'];
      const read: Array<(row: unknown[], total: number) => void> = [];
      columns.forEach((col, i) => {
        const q = sqlIdent(col.name);
        const v = col.type === 'DOUBLE' ? `CASE WHEN isfinite(${q}) THEN ${q} END` : q;
        const s = out[i];
        const mean = (x: unknown) => { if (x !== null && x !== undefined) s.mean = Number(x); };
        const b = known[i] ? binsOf(s) : undefined;
        if (known[i]) {
          const at = parts.length;
          parts.push(`avg(CAST(${v} AS DOUBLE))`);
          if (b) parts.push(b.sql);
          read.push((row) => { mean(row[at]); if (b) histogram(b, row[at + 1]); });
          return;
        }
        const at = parts.length;
        parts.push(`count(${q})`, `CAST(min(${v}) AS VARCHAR)`, `CAST(max(${v}) AS VARCHAR)`, numeric(col.type) ? `avg(CAST(${v} AS DOUBLE))` : col.type === 'VARCHAR' ? 'approx_count_distinct(' + q + ')' : 'NULL');
        read.push((row, total) => {
          const [count, min, max, extra] = row.slice(at, at + 4);
          s.count = Number(count); s.nulls = total - Number(count);
          if (min !== null) s.min = conv(col, min);
          if (max !== null) s.max = conv(col, max);
          if (numeric(col.type)) mean(extra);
          if (col.type === 'VARCHAR' && extra !== null) s.distinct = Number(extra);
        });
      });
      const row = (await c.runAndReadAll(`SELECT ${parts.join(', ')} FROM ${src}`)).getRows()[0];
      const total = Number(row[0]);
      for (const r of read) r(row, total);
      // the other numeric columns' histograms in one more scan
      const binned = out.flatMap((s, i) => { const b = known[i] ? undefined : binsOf(s); return b ? [b] : []; });
      if (binned.length) {
        const row = (await c.runAndReadAll(`SELECT ${binned.map((b) => b.sql).join(', ')} FROM ${src}`)).getRows()[0];
        binned.forEach((b, k) => histogram(b, row[k]));
      }
      return out;
    });
  }

  private where(sel: Selection, types: Map<string, ColumnType>): { sql: string; params: string[] } {
    const params: string[] = [];
    const conds = sel.filters.map((f) => {
      const t = types.get(f.column)!;
      const p = (v: string) => { params.push(v); return t === 'VARCHAR' ? `$${params.length}` : `CAST($${params.length} AS ${t})`; };
      const q = sqlIdent(f.column);
      if (f.op === 'in') return `${q} IN (${f.values.map(p).join(', ')})`;
      return `${q} ${f.op === 'gte' ? '>=' : '<='} ${p(f.values[0])}`;
    });
    return { sql: conds.length ? ` WHERE ${conds.join(' AND ')}` : '', params };
  }

  /**
   * The selected columns of the rows matching the filters (in file order) written as a temporary
   * Parquet or CSV file; the caller streams it and removes it. Values are bound parameters.
   */
  async select(sha256: string, all: ColumnSpec[], sel: Selection, format: 'parquet' | 'csv', rows?: number): Promise<{ path: string; rows: number }> {
    const types = new Map(all.map((c) => [c.name, c.type]));
    const { sql, params } = this.where(sel, types);
    const src = this.source(sha256, sel.filters, rows, types, params);
    const tmp = this.tmpPath(format);
    try {
      const rows = await this.withConnection(async (c) => {
        const r = await c.runAndReadAll(`COPY (SELECT ${sel.columns.map((x) => sqlIdent(x.name)).join(', ')} FROM ${src.from}${sql}${src.order}) TO ${sqlString(tmp)} (${format === 'parquet' ? 'FORMAT parquet, COMPRESSION snappy' : "FORMAT csv, HEADER true, DELIMITER ','"})`, params);
        return Number(r.getRows()[0]?.[0] ?? 0);
      });
      return { path: tmp, rows };
    } catch (e) {
      rmSync(tmp, { force: true });
      throw fileSystemError(e, 'the selection could not be written');
    }
  }

  /**
   * Run row checks given as SQL SELECTs, each yielding ("row", "column", value, message[, kind][, path])
   * per problem (src/model/tables/sql-checks.ts rowCheckQueries): every problem counted (per kind),
   * the first `limit` in row order returned. The checks read files of the table directory only.
   */
  async problems(queries: string[], limit: number): Promise<{ total: number; counts: Record<string, number>; problems: Array<{ row: number; column: string; value: string | null; message: string; kind: string; path?: string }> }> {
    if (!queries.length) return { total: 0, counts: {}, problems: [] };
    return this.withConnection(async (c) => {
      const union = queries.map((q) => `SELECT * FROM (${q})`).join(' UNION ALL BY NAME ');
      await c.run(`CREATE TEMP TABLE __problems AS ${union}`);
      try {
        const names = new Set((await c.runAndReadAll(`SELECT column_name FROM (DESCRIBE __problems)`)).getRows().map((r) => String(r[0])));
        const kind = names.has('kind') ? 'kind' : "'problem'";
        const path = names.has('path') ? 'CAST(path AS VARCHAR)' : 'NULL';
        const counts: Record<string, number> = {};
        let total = 0;
        for (const [k, n] of (await c.runAndReadAll(`SELECT ${kind} AS k, count(*) FROM __problems GROUP BY k`)).getRows()) { counts[String(k)] = Number(n); total += Number(n); }
        // values travel as base64: @duckdb/node-api decodes strings with a TextDecoder that drops a leading U+FEFF
        const rows = (await c.runAndReadAll(`SELECT "row", "column", to_base64(encode(CAST(value AS VARCHAR))), message, ${kind} AS k, ${path} FROM __problems ORDER BY "row", "column", k, value LIMIT ${Math.max(0, Math.floor(limit))}`)).getRows();
        return {
          total, counts,
          problems: rows.map((r) => ({ row: Number(r[0]), column: String(r[1] ?? ''), value: r[2] === null ? null : Buffer.from(String(r[2]), 'base64').toString('utf8'), message: String(r[3] ?? ''), kind: String(r[4]), ...(r[5] !== null ? { path: String(r[5]) } : {}) })),
        };
      } finally {
        await c.run('DROP TABLE IF EXISTS __problems');
      }
    }).catch((e: unknown) => { throw e instanceof StoreError ? e : fileSystemError(e, 'the table could not be checked'); });
  }

  /**
   * An uploaded CSV file staged for the row checks: every field as uploaded (text, no trimming, no
   * type detection) in a Parquet file of the tmp folder, read by DuckDB's parallel CSV reader. Its
   * `relation` has the header's columns (named exactly as uploaded) and `__row`, the record's number
   * (1 = the first after the header), as sql-checks.ts expects; the typed Parquet copy is made from
   * it (stagedToParquet), so the CSV is parsed once.
   *
   * DuckDB's reader refuses some files csv-parse reads (bytes that are not UTF-8, an unclosed
   * quote): then this throws CsvNotStaged and the caller validates the file with the JavaScript
   * validator, which names the record. Others it reads otherwise (a record with more or fewer
   * fields than the header, a quote inside a field): `readAsCsvParse` finds those in the caller's
   * first scan of the staged rows (one scan fewer than a check of its own), and confirmStaged
   * throws CsvNotStaged for them.
   */
  async stageCsv(csv: string, header: string[]): Promise<StagedTable> {
    const tmp = this.tmpPath('stage.parquet');
    const names = header.map((_, i) => `c${i}`);
    // one column more than the header and null_padding: a record with fewer fields has a NULL, one
    // with more a value in __extra (DuckDB drops trailing empty fields silently otherwise); an empty
    // field is '' (nullstr is a string no table holds), so NULL means "no such field"
    const cols = [...names, '__extra'].map((c) => `${sqlString(c)}: 'VARCHAR'`).join(', ');
    const read = (parallel: boolean) => `read_csv(${sqlString(csv)}, auto_detect = false, header = false, skip = 1, delim = ',', quote = '"', escape = '"', null_padding = true, nullstr = ${sqlString(NO_NULL)}, parallel = ${parallel}, columns = {${cols}})`;
    try {
      const rows = await this.withConnection(async (c) => {
        // a file read a few times and removed: plain, uncompressed pages (half the CPU of snappy with dictionaries)
        const copy = (parallel: boolean) => c.runAndReadAll(`COPY (SELECT * FROM ${read(parallel)}) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION uncompressed, DICTIONARY_SIZE_LIMIT 1, ROW_GROUP_SIZE 122880)`);
        // the parallel reader cannot pad records when a quoted field holds a line break: read that file serially
        const r = await copy(true).catch((e: Error) => { if (/Parameter Not Allowed/.test(e.message)) return copy(false); throw e; });
        return Number(r.getRows()[0]?.[0] ?? -1);
      });
      const src = `read_parquet(${sqlString(tmp)}, file_row_number = true)`;
      // header names are the table's column names (mapHeader): none is __syndb_extra
      const relation = `(SELECT file_row_number + 1 AS __row, __extra AS __syndb_extra, ${header.map((h, i) => `${sqlIdent(`c${i}`)} AS ${sqlIdent(h)}`).join(', ')} FROM ${src})`;
      // records csv-parse reads otherwise: a field count other than the header's, or a quote inside
      // a field (csv-parse refuses a quote in an unquoted field; DuckDB keeps it)
      const readAsCsvParse = [
        `coalesce(bool_or(__syndb_extra IS NOT NULL OR ${header.map((h) => `${sqlIdent(h)} IS NULL`).join(' OR ')}), FALSE)`,
        `coalesce(bool_or(${header.map((h) => `contains(${sqlIdent(h)}, '"')`).join(' OR ')}), FALSE)`,
      ];
      return { path: tmp, rows, relation, header, readAsCsvParse };
    } catch (e) {
      rmSync(tmp, { force: true });
      const msg = (e as Error).message ?? '';
      if (/CSV Error|Invalid Input Error|Invalid unicode|Conversion Error/i.test(msg) && !/No space left|ENOSPC|disk is full/i.test(msg)) throw new CsvNotStaged(msg.split('\n')[0]);
      throw fileSystemError(e, 'the table could not be read');
    }
  }

  /** The values of a staged table's `readAsCsvParse` aggregates: throws CsvNotStaged when DuckDB read a record otherwise than csv-parse. */
  confirmStaged(values: Array<string | null>): void {
    const [odd, quoted] = values;
    if (odd === 'true' || quoted === 'true') throw new CsvNotStaged(odd === 'true' ? 'a record has more or fewer fields than the header' : 'a field holds a quote character');
    if (odd !== 'false' || quoted !== 'false') throw new StoreError('the staged table could not be checked (please report this file)', 'unavailable');
  }

  /** The rows of a query over staged tables (text values, base64 on the wire: see problems). */
  async rows(sql: string): Promise<Array<Array<string | null>>> {
    return this.withConnection(async (c) => {
      const r = await c.runAndReadAll(sql);
      return r.getRows().map((row) => row.map((x) => (x === null || x === undefined ? null : String(x))));
    }).catch((e: unknown) => { throw e instanceof StoreError ? e : fileSystemError(e, 'the table could not be read'); });
  }

  /** A relation of one column of a table file, as text named `as` (the cids of a table for link checks). */
  columnRelation(sha256: string, column: string, as: string): string {
    return `(SELECT CAST(${sqlIdent(column)} AS VARCHAR) AS ${sqlIdent(as)} FROM read_parquet(${sqlString(this.path(sha256, 'parquet'))}))`;
  }

  /** Which of `values` occur in `column` of the table file (compared as text; values are bound parameters). */
  async presentValues(sha256: string, column: string, values: Iterable<string>): Promise<Set<string>> {
    const all = [...values];
    const out = new Set<string>();
    if (!all.length) return out;
    const q = sqlIdent(column);
    await this.withConnection(async (c) => {
      for (let i = 0; i < all.length; i += 1000) {
        const batch = all.slice(i, i + 1000);
        const r = await c.runAndReadAll(`SELECT DISTINCT to_base64(encode(CAST(${q} AS VARCHAR))) FROM read_parquet(${sqlString(this.path(sha256, 'parquet'))}) WHERE CAST(${q} AS VARCHAR) IN (${batch.map((_, k) => `$${k + 1}`).join(', ')})`, batch);
        for (const [v] of r.getRows()) out.add(Buffer.from(String(v), 'base64').toString('utf8'));
      }
    }).catch((e: unknown) => { throw e instanceof StoreError ? e : fileSystemError(e, 'the table could not be read'); });
    return out;
  }

  /** The staged table -> the table's Parquet file with typed columns (in the header's order, trimmed names). */
  async stagedToParquet(staged: StagedTable, columns: ColumnSpec[]): Promise<WrittenParquet> {
    const read = `read_parquet(${sqlString(staged.path)})`;
    return this.writeParquet(read, columns, staged.rows);
  }

  /** Remove a staged table's file. */
  unstage(staged: StagedTable | undefined) {
    if (staged) rmSync(staged.path, { force: true });
  }

  /** How many rows match (for the X-Row-Count header of a filtered download). */
  async count(sha256: string, all: ColumnSpec[], filters: Filter[], rows?: number): Promise<number> {
    const types = new Map(all.map((c) => [c.name, c.type]));
    const { sql, params } = this.where({ columns: all, filters }, types);
    const src = this.source(sha256, filters, rows, types, params);
    return this.withConnection(async (c) => Number((await c.runAndReadAll(`SELECT count(*) FROM ${src.from}${sql}`, params)).getRows()[0][0]));
  }

  /** The row whose `column` is `value` as text cells (null = empty) and its 1-based row number. */
  async row(sha256: string, all: ColumnSpec[], column: string, value: string): Promise<{ rownum: number; cells: Array<string | null> } | undefined> {
    return this.withConnection(async (c) => {
      const cells = all.map((x) => (x.type === 'DOUBLE' ? `CASE WHEN isinf(${sqlIdent(x.name)}) THEN (CASE WHEN ${sqlIdent(x.name)} > 0 THEN 'INF' ELSE '-INF' END) WHEN isnan(${sqlIdent(x.name)}) THEN 'NaN' ELSE CAST(${sqlIdent(x.name)} AS VARCHAR) END` : `CAST(${sqlIdent(x.name)} AS VARCHAR)`));
      const r = (await c.runAndReadAll(`SELECT file_row_number, ${cells.join(', ')} FROM read_parquet(${sqlString(this.path(sha256, 'parquet'))}, file_row_number = true) WHERE ${sqlIdent(column)} = $1 LIMIT 1`, [value])).getRows()[0];
      if (!r) return undefined;
      return { rownum: Number(r[0]) + 1, cells: r.slice(1).map((x) => (x === null ? null : String(x))) };
    });
  }

  /** Wait for the sorted copies being built (tests, benchmarks, an orderly shutdown). */
  async settled(): Promise<void> {
    await this.sorted.settled();
  }

  close() {
    this.sorted.stop();
    this.building?.interrupt();
    void this.engine?.then((e) => e.close()).catch(() => undefined);
    this.engine = undefined;
  }
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(path), h);
  return h.digest('hex');
}
