/**
 * SQL that profiles a table whose rows the SQL checks (sql-checks.ts) found valid, over the same
 * relation (the staged upload): what the service needs to store it, measured by DuckDB instead of
 * row by row in JavaScript (model/tables/column-types.ts, rows.ts):
 *  - the widths of the integer columns (their Parquet type),
 *  - the first spelling of each parent_table value (the download writes it back as uploaded),
 *  - an upper bound of the quads the rows become (capacity check before loading them as triples),
 *  - the ids named by the link columns that may point to any table, split into those that are
 *    cids of the uploaded table and the others (looked up in the dataset's other tables).
 * Text results travel base64-encoded (a leading U+FEFF survives @duckdb/node-api's decoder).
 */
import { NS } from '../namespaces.js';
import { findCompartment } from '../compartment-names.js';
import type { ColumnDef } from './schema.js';
import { PARENT_TABLE, type ColumnMap } from './rows.js';
import { isIntegerColumn, type IntegerWidth } from './column-types.js';
import { sqlIdent, jsTrim, nz, splitMulti } from './sql-fragments.js';

const b64 = (x: string) => `to_base64(encode(${x}))`;
const unb64 = (x: string | null) => (x === null ? '' : Buffer.from(x, 'base64').toString('utf8'));

/** The link columns whose target is found by looking the id up (pre_id, post_id, …: not parent_id, not a single target). */
export function lookupColumns(map: ColumnMap): Array<{ i: number; col: ColumnDef }> {
  const out: Array<{ i: number; col: ColumnDef }> = [];
  map.cols.forEach((c, i) => { if (c !== undefined && c !== PARENT_TABLE && c.kind === 'link' && c.property !== `${NS.syndb}parent` && (c.targets?.length ?? 0) !== 1) out.push({ i, col: c }); });
  return out;
}

/**
 * One query: the rows, the quad bound and the integer widths; `read` turns its one result row into
 * them. `extra`: more aggregates over the relation computed in the same scan, read back as text.
 */
export function profileQuery(map: ColumnMap, relation: string, extra: string[] = []): { sql: string; read: (row: Array<string | null>) => { rows: number; quadBound: number; widths: Map<number, IntegerWidth>; extra: Array<string | null> } } {
  const col = (i: number) => sqlIdent(map.headers[i]);
  const parts = ['CAST(count(*) AS VARCHAR)'];
  // every row: rdf:type, cid, inDataset, csvw:rownum and at most one syndb:sourceLexical; then one quad a value
  const values: string[] = [];
  map.cols.forEach((c, i) => {
    if (c === undefined || c === PARENT_TABLE) return;
    values.push(c.multi ? `coalesce(sum(len(${splitMulti(col(i))})), 0)` : `count(NULLIF(${col(i)}, ''))`);
  });
  parts.push(`CAST(count(*) * 5 + ${values.length ? values.join(' + ') : '0'} AS VARCHAR)`);
  const ints = map.cols.map((_, i) => i).filter((i) => isIntegerColumn(map, i));
  for (const i of ints) {
    const v = nz(col(i));
    const digits = `regexp_replace(${v}, '^[+-]?0*', '')`;
    parts.push(`CAST(bool_or(starts_with(${v}, '-')) AS VARCHAR)`, `CAST(max(length(${digits})) AS VARCHAR)`, `CAST(max(CASE WHEN length(${digits}) <= 38 THEN TRY_CAST(${digits} AS HUGEINT) END) AS VARCHAR)`);
  }
  const own = parts.length;
  for (const e of extra) parts.push(`CAST(${e} AS VARCHAR)`);
  return {
    sql: `SELECT ${parts.join(', ')} FROM ${relation}`,
    read: (row) => {
      const widths = new Map<number, IntegerWidth>();
      ints.forEach((i, k) => {
        const [neg, digits, big] = row.slice(2 + k * 3, 5 + k * 3);
        if (digits === null) return; // no value in the column
        widths.set(i, { neg: neg === 'true', big: BigInt(big ?? '0'), huge: Number(digits) > 38 });
      });
      return { rows: Number(row[0]), quadBound: Number(row[1]), widths, extra: row.slice(own) };
    },
  };
}

/** The first spelling (in row order) of each compartment named in the parent_table column. */
export function spellingsQuery(map: ColumnMap, relation: string): { sql: string; read: (rows: Array<Array<string | null>>) => Map<string, string> } | undefined {
  if (map.parentTableIndex < 0) return undefined;
  const v = jsTrim(nz(sqlIdent(map.headers[map.parentTableIndex])));
  return {
    // one row per distinct spelling (the shapes allow only compartment names there: a few)
    sql: `SELECT ${b64('v')}, CAST(min(__row) AS VARCHAR) AS first FROM (SELECT ${v} AS v, __row FROM ${relation}) WHERE v <> '' GROUP BY v ORDER BY min(__row) LIMIT 10000`,
    read: (rows) => {
      const out = new Map<string, string>();
      for (const r of rows) { const s = unb64(r[0]); const slug = findCompartment(s)?.slug; if (slug && !out.has(slug)) out.set(slug, s); }
      return out;
    },
  };
}

/**
 * The distinct ids the lookup columns name, each with whether it is a cid of the table itself
 * (`cid` the header name of the cid column). The values are trimmed as the JavaScript path trims them.
 */
export function lookupIdsQuery(map: ColumnMap, relation: string): { sql: string; read: (rows: Array<Array<string | null>>) => { own: Set<string>; others: Set<string> } } | undefined {
  const cols = lookupColumns(map);
  if (!cols.length) return undefined;
  const ids = cols.map(({ i, col: c }) => {
    const v = sqlIdent(map.headers[i]);
    return c.multi ? `SELECT unnest(${splitMulti(v)}) AS x FROM ${relation}` : `SELECT ${jsTrim(nz(v))} AS x FROM ${relation}`;
  });
  const cid = sqlIdent(map.headers[map.cidIndex]);
  return {
    sql: `SELECT ${b64('x')}, x IN (SELECT ${cid} FROM ${relation} WHERE ${cid} IS NOT NULL) FROM (SELECT DISTINCT x FROM (${ids.join(' UNION ALL ')}) WHERE x <> '')`,
    read: (rows) => {
      const own = new Set<string>(), others = new Set<string>();
      for (const r of rows) (r[1] === 'true' ? own : others).add(unb64(r[0]));
      return { own, others };
    },
  };
}
