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

export interface Filter { column: string; op: 'in' | 'gte' | 'lte'; values: string[] }
export interface Selection { columns: ColumnSpec[]; filters: Filter[] }

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

export class TableFiles {
  private engine?: Promise<Engine>;

  constructor(readonly dir: string, private readonly opts: { memoryLimit?: string; threads?: number } = {}) {}

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
   * `rows` is the number of data rows the validator read: DuckDB must find the same.
   */
  async csvToParquet(csv: string, columns: ColumnSpec[], rows: number): Promise<StoredFile> {
    const tmp = this.tmpPath('parquet');
    try {
      const read = `read_csv(${sqlString(csv)}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', strict_mode = false, columns = {${columns.map((c, i) => `${sqlString(`c${i}`)}: 'VARCHAR'`).join(', ')}})`;
      const cast = (c: ColumnSpec, i: number) => {
        const v = `NULLIF(${sqlIdent(`c${i}`)}, '')`;
        return `${c.type === 'VARCHAR' ? v : `CAST(${v} AS ${c.type})`} AS ${sqlIdent(c.name)}`;
      };
      const n = await this.withConnection(async (c) => {
        const r = await c.runAndReadAll(`COPY (SELECT ${columns.map(cast).join(', ')} FROM ${read}) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 122880)`);
        return Number(r.getRows()[0]?.[0] ?? -1);
      });
      if (n !== rows) throw new StoreError(`the columnar copy of the table has ${n} rows where the validator read ${rows}; nothing was stored (please report this file)`, 'unavailable');
      const sha256 = await sha256File(tmp);
      return this.keep(tmp, sha256, 'parquet');
    } catch (e) {
      rmSync(tmp, { force: true });
      if (e instanceof StoreError) throw e;
      throw fileSystemError(e, 'the table could not be written as Parquet');
    }
  }

  /** Count, nulls, min, max, mean of every column; histograms of numeric ones. */
  async stats(sha256: string, columns: ColumnSpec[]): Promise<ColumnStats[]> {
    const src = `read_parquet(${sqlString(this.path(sha256, 'parquet'))})`;
    return this.withConnection(async (c) => {
      const numeric = (t: ColumnType) => t !== 'VARCHAR' && t !== 'BOOLEAN';
      const parts: string[] = ['count(*)'];
      columns.forEach((col) => {
        const q = sqlIdent(col.name);
        const v = col.type === 'DOUBLE' ? `CASE WHEN isfinite(${q}) THEN ${q} END` : q;
        parts.push(`count(${q})`, `CAST(min(${v}) AS VARCHAR)`, `CAST(max(${v}) AS VARCHAR)`, numeric(col.type) ? `avg(CAST(${v} AS DOUBLE))` : col.type === 'VARCHAR' ? 'approx_count_distinct(' + q + ')' : 'NULL');
      });
      const row = (await c.runAndReadAll(`SELECT ${parts.join(', ')} FROM ${src}`)).getRows()[0];
      const total = Number(row[0]);
      const out: ColumnStats[] = columns.map((col, i) => {
        const [count, min, max, extra] = row.slice(1 + i * 4, 5 + i * 4);
        const s: ColumnStats = { name: col.name, type: col.type, count: Number(count), nulls: total - Number(count) };
        const conv = (x: unknown) => x === null || x === undefined ? undefined : col.type === 'VARCHAR' ? String(x).slice(0, 200) : col.type === 'BOOLEAN' ? String(x) === 'true' : col.type === 'DOUBLE' ? Number(x) : Number.isSafeInteger(Number(x)) ? Number(x) : String(x);
        if (min !== null) s.min = conv(min);
        if (max !== null) s.max = conv(max);
        if (numeric(col.type) && extra !== null && extra !== undefined) s.mean = Number(extra);
        if (col.type === 'VARCHAR' && extra !== null) s.distinct = Number(extra);
        return s;
      });
      for (const s of out) {
        if (!numeric(s.type) || s.min === undefined || s.max === undefined) continue;
        const lo = Number(s.min), hi = Number(s.max);
        const w = (hi - lo) / 10;
        if (!Number.isFinite(w) || !Number.isFinite(lo)) continue;
        const q = sqlIdent(s.name);
        const bin = w > 0 ? `LEAST(CAST(floor((CAST(${q} AS DOUBLE) - CAST(${sqlString(String(lo))} AS DOUBLE)) / CAST(${sqlString(String(w))} AS DOUBLE)) AS INTEGER), 9)` : '0';
        const res = (await c.runAndReadAll(`SELECT ${bin} AS b, count(*) FROM ${src} WHERE ${q} IS NOT NULL${s.type === 'DOUBLE' ? ` AND isfinite(${q})` : ''} GROUP BY b ORDER BY b`)).getRows();
        const counts = new Map(res.map((r) => [Number(r[0]), Number(r[1])]));
        s.histogram = w > 0 ? Array.from({ length: 10 }, (_, k) => ({ from: lo + k * w, to: k === 9 ? hi : lo + (k + 1) * w, count: counts.get(k) ?? 0 })) : [{ from: lo, to: hi, count: counts.get(0) ?? 0 }];
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
  async select(sha256: string, all: ColumnSpec[], sel: Selection, format: 'parquet' | 'csv'): Promise<{ path: string; rows: number }> {
    const types = new Map(all.map((c) => [c.name, c.type]));
    const { sql, params } = this.where(sel, types);
    const tmp = this.tmpPath(format);
    try {
      const rows = await this.withConnection(async (c) => {
        const r = await c.runAndReadAll(`COPY (SELECT ${sel.columns.map((x) => sqlIdent(x.name)).join(', ')} FROM read_parquet(${sqlString(this.path(sha256, 'parquet'))})${sql}) TO ${sqlString(tmp)} (${format === 'parquet' ? 'FORMAT parquet, COMPRESSION snappy' : "FORMAT csv, HEADER true, DELIMITER ','"})`, params);
        return Number(r.getRows()[0]?.[0] ?? 0);
      });
      return { path: tmp, rows };
    } catch (e) {
      rmSync(tmp, { force: true });
      throw fileSystemError(e, 'the selection could not be written');
    }
  }

  /**
   * Run row checks given as SQL SELECTs, each yielding ("row", "column", value, message[, kind]) per
   * problem (src/model/tables/sql-checks.ts rowCheckQueries): every problem counted (per kind), the
   * first `limit` in row order returned. The checks read files of the table directory only.
   */
  async problems(queries: string[], limit: number): Promise<{ total: number; counts: Record<string, number>; problems: Array<{ row: number; column: string; value: string | null; message: string; kind: string }> }> {
    if (!queries.length) return { total: 0, counts: {}, problems: [] };
    return this.withConnection(async (c) => {
      const union = queries.map((q) => `SELECT * FROM (${q})`).join(' UNION ALL BY NAME ');
      await c.run(`CREATE TEMP TABLE __problems AS ${union}`);
      try {
        const hasKind = (await c.runAndReadAll(`SELECT count(*) FROM (DESCRIBE __problems) WHERE column_name = 'kind'`)).getRows()[0][0];
        const kind = Number(hasKind) ? 'kind' : "'problem'";
        const counts: Record<string, number> = {};
        let total = 0;
        for (const [k, n] of (await c.runAndReadAll(`SELECT ${kind} AS k, count(*) FROM __problems GROUP BY k`)).getRows()) { counts[String(k)] = Number(n); total += Number(n); }
        const rows = (await c.runAndReadAll(`SELECT "row", "column", value, message, ${kind} AS k FROM __problems ORDER BY "row", "column" LIMIT ${Math.max(0, Math.floor(limit))}`)).getRows();
        return { total, counts, problems: rows.map((r) => ({ row: Number(r[0]), column: String(r[1] ?? ''), value: r[2] === null ? null : String(r[2]), message: String(r[3] ?? ''), kind: String(r[4]) })) };
      } finally {
        await c.run('DROP TABLE IF EXISTS __problems');
      }
    }).catch((e: unknown) => { throw e instanceof StoreError ? e : fileSystemError(e, 'the table could not be checked'); });
  }

  /** How many rows match (for the X-Row-Count header of a filtered download). */
  async count(sha256: string, all: ColumnSpec[], filters: Filter[]): Promise<number> {
    const { sql, params } = this.where({ columns: all, filters }, new Map(all.map((c) => [c.name, c.type])));
    return this.withConnection(async (c) => Number((await c.runAndReadAll(`SELECT count(*) FROM read_parquet(${sqlString(this.path(sha256, 'parquet'))})${sql}`, params)).getRows()[0][0]));
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

  close() {
    void this.engine?.then((e) => e.close()).catch(() => undefined);
    this.engine = undefined;
  }
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(path), h);
  return h.digest('hex');
}
