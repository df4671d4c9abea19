/**
 * The row validator as SQL for DuckDB: the compiled SHACL row shapes (schema.ts) become SELECTs
 * over the uploaded table that report exactly what the JavaScript validator reports for the same
 * CSV (rows.ts mapHeader/convertRow/checkRow, plus the table-level checks of the upload: field
 * counts, duplicate cids, empty table, links to rows that do not exist). Proven by the
 * differential corpus in test/tables-sql-checks.test.ts.
 *
 * ## The relation
 * `relation` is any DuckDB relation (table, view, `read_csv(…)`, subquery in parentheses) with
 *  - one VARCHAR column per header field, named EXACTLY as `ctx.columns` (the header as uploaded,
 *    untrimmed), holding the field as uploaded (no trimming, no type detection). An empty field
 *    may be '' or NULL: both mean "no value", as in the JavaScript validator.
 *  - `__row` BIGINT: the row number the JavaScript validator gives the record: 1 for the first
 *    record after the header line, counting records as csv-parse yields them with
 *    `{ bom: true, relax_column_count: true, skip_empty_lines: true }` (a line that is completely
 *    empty is not a record and has no number; a quoted field spanning lines is one record).
 *    `csvRelation()` (sql-relation.ts) builds such a relation from a CSV file.
 *  - optionally `__fields` INTEGER, the number of fields of the record; with `ctx.fieldCount`
 *    a record whose count differs from the header's is reported (syndb:FieldCount).
 * The header itself must have been checked with mapHeader first: rowCheckQueries throws when
 * the header has problems (those are reported without any row check, as the service does).
 *
 * ## The result
 * Every returned string is one SELECT giving rows ("row" BIGINT, "column" VARCHAR, value VARCHAR,
 * message VARCHAR, kind VARCHAR, path VARCHAR): one row per problem, with the row, column (the
 * header spelling, trimmed, as the service reports it), value and message (the shape's
 * sh:message) of the JavaScript validator's RowProblem; `kind` and `path` are RowProblem.kind
 * (for the per-kind counts of the rejection) and RowProblem.path (NULL when it has none).
 * sql-report.ts unions them, counts per kind and lists the first problems.
 *
 * ## Links
 * Link values become row IRIs (`{dataset}/tables/{target}/rows/{encodeURIComponent(id)}`) exactly
 * as in convertRow; pass `ctx.dataset` (the draft IRI) so that reported values are the same IRIs.
 * `ctx.otherTables` maps the dataset's other tables (compartment slug or SynDB table name) to a
 * relation with a VARCHAR column `cid`; a checked link (link-check.ts) to a table in that map (or
 * to the uploaded table itself) must name one of its cids.
 *
 * ## Cost
 * The checks of single-valued link columns (IRI building, sh:or patterns, existence) run once per
 * distinct (id, parent_table) and only failing pairs are joined back to rows; everything else is
 * one scan with one regex match per typed cell. Measured (2 busy cores, 1 M rows of a 15-column
 * synapse table already in DuckDB): ~2.5 s for the scan, ~0.1 s per link column, ~0.9 s for the
 * duplicate-cid check.
 *
 * A sh:pattern that RE2 cannot run as JavaScript does (sql-regex.ts) makes rowCheckQueries throw
 * SqlCheckUnsupported: the caller then validates with the JavaScript validator instead.
 */
import { NS } from '../namespaces.js';
import { findCompartment } from '../compartment-names.js';
import type { ColumnDef, TableSchema } from './schema.js';
import { mapHeader, PARENT_TABLE, LEXICAL, UNKNOWN_TABLE_MESSAGE, PARENT_WITHOUT_ID_MESSAGE, unresolvedLinkMessage } from './rows.js';
import { isCheckedLink, staticTarget, danglingLinkMessage, DANGLING_LINK } from './link-check.js';
import { sqlString, sqlIdent, jsTrim, nz, encodeComponent, slugOf, struct, lexicalSql, doubleSql, splitMulti, valueChecks, type Check, type ElemChecks } from './sql-fragments.js';

export { sqlString, sqlIdent, SqlCheckUnsupported } from './sql-fragments.js';

const XSD = NS.xsd;

export interface RowCheckContext {
  /** The header as uploaded (the relation's column names). */
  columns: string[];
  /** The dataset's other tables: compartment slug (or SynDB table name) -> relation with a `cid` column. */
  otherTables?: Map<string, string>;
  /** The dataset (draft) IRI: base of the row IRIs that link values become (as in convertRow). */
  dataset?: string;
  /** The relation has `__fields` (fields in the record): report records whose count differs from the header's. */
  fieldCount?: boolean;
}

/** The SELECTs ("row", "column", value, message, kind) that report every problem of the rows of `relation` (see above). */
export function rowCheckQueries(schema: TableSchema, relation: string, ctx: RowCheckContext): string[] {
  const map = mapHeader(schema, ctx.columns);
  if (map.problems.length) throw new Error(`the header of the ${schema.slug} table has problems (${map.problems.map((p) => p.message).join('; ')}); report those (mapHeader) before checking rows`);
  const R = relation;
  const dataset = ctx.dataset ?? '';
  const col = (i: number) => sqlIdent(ctx.columns[i]);
  const headerOf = new Map<string, string>();
  const indexOf = new Map<string, number>();
  map.cols.forEach((c, i) => { if (c && c !== PARENT_TABLE) { headerOf.set(c.property, ctx.columns[i].trim()); indexOf.set(c.property, i); } });
  const ptRaw = map.parentTableIndex >= 0 ? nz(col(map.parentTableIndex)) : undefined;
  const propsOf = (c: ColumnDef) => schema.properties.filter((p) => p.path === c.property);
  const others = new Map<string, string>();
  for (const [name, rel] of ctx.otherTables ?? []) {
    const slug = findCompartment(name)?.slug;
    if (!slug) throw new Error(`otherTables: "${name}" is not a compartment table`);
    if (slug !== schema.slug) others.set(slug, rel);
  }
  const cid = col(map.cidIndex);
  const queries: string[] = [];

  /** The target table slug of a link of `c` (NULL = unresolved or unknown table), over columns __pt / __pt_slug. */
  const targetOf = (c: ColumnDef): string => {
    const st = staticTarget(c);
    const stSql = st === undefined ? 'NULL' : sqlString(st);
    return c.property === `${NS.syndb}parent` && ptRaw ? `(CASE WHEN __pt <> '' THEN __pt_slug ELSE ${stSql} END)` : stSql;
  };
  const iriOf = (target: string, id: string) => `(${sqlString(`${dataset}/tables/`)} || ${target} || '/rows/' || ${encodeComponent(id)})`;
  /** `rel` with layers of computed columns (each layer may use the ones before). */
  const layered = (rel: string, layers: Array<Array<[string, string]>>) => layers.reduce((r, defs) => (defs.length ? `(SELECT *, ${defs.map(([name, e]) => `${e} AS ${name}`).join(', ')} FROM ${r})` : r), rel);
  /** The condition that any of `checks` fails, and the list of the failing ones' problems (SQL). */
  const report = (checks: Check[], multi: ElemChecks[]) => {
    const any = [...checks.map((c) => `coalesce(${c.cond}, FALSE)`), ...multi.map((m) => `coalesce(len(list_filter(${m.elems}, lambda x: ${m.checks.map((c) => `(${c.cond})`).join(' OR ')})) > 0, FALSE)`)];
    const lists = [`[${checks.map((c) => `CASE WHEN ${c.cond} THEN ${struct(c)} END`).join(', ')}]`, ...multi.flatMap((m) => m.checks.map((c) => `list_transform(list_filter(${m.elems}, lambda x: ${c.cond}), lambda x: ${struct(c)})`))];
    return { any: any.join(' OR '), problems: `list_filter(flatten([${lists.join(', ')}]), lambda x: x IS NOT NULL)` };
  };

  // ---- single-valued link columns: every check depends on the id and parent_table only, so it is
  // evaluated once per distinct (id, parent_table) and the failing pairs are joined back to the rows
  const rowChecks: Check[] = [];
  const rowLayers: Array<Array<[string, string]>> = [[], [], []];
  if (ptRaw) rowLayers[0].push(['__pt', jsTrim(ptRaw)]);
  for (const i of indexOf.values()) {
    const c = map.cols[i] as ColumnDef;
    if (c.kind !== 'link' || c.multi) continue;
    const withPt = c.property === `${NS.syndb}parent` && ptRaw !== undefined;
    const checks: Check[] = [];
    if (withPt) checks.push({ cond: `__pt <> '' AND __pt_slug IS NULL`, column: PARENT_TABLE, value: '__pt', message: UNKNOWN_TABLE_MESSAGE, kind: 'syndb:UnknownTable' });
    if (staticTarget(c) === undefined) checks.push({ cond: withPt ? `__pt = ''` : 'TRUE', column: c.name, value: '__id', message: unresolvedLinkMessage(c), kind: 'syndb:UnresolvedLink' });
    for (const p of propsOf(c)) {
      const column = headerOf.get(p.path)!;
      const mk = (kind: string, cond: string, value: string): Check => ({ cond, column, value, message: p.message ?? kind, kind: `sh:${kind}ConstraintComponent`, path: p.path });
      if ((p.minCount ?? 0) > 0) {
        // the only check that fails on an empty cell: evaluated per row
        if (withPt && !rowLayers[1].some(([n]) => n === '__pt_slug')) rowLayers[1].push(['__pt_slug', slugOf('__pt')]);
        rowLayers[2].push([`__t${i}`, targetOf(c)]);
        rowChecks.push(mk('MinCount', p.minCount! > 1 ? 'TRUE' : `NOT (${nz(col(i))} <> '' AND __t${i} IS NOT NULL)`, 'NULL'));
      }
      if (p.maxCount !== undefined && p.maxCount < 1) checks.push(mk('MaxCount', '__iri IS NOT NULL', 'NULL'));
      for (const [kind, cond] of valueChecks(p, { text: '__iri', isLink: true, col: c })) checks.push(mk(kind, `__iri IS NOT NULL AND (${cond})`, '__iri'));
    }
    if (isCheckedLink(c)) {
      for (const t of c.targets!) {
        const rel = t === schema.slug ? R : others.get(t);
        if (rel === undefined) continue;
        const key = t === schema.slug ? cid : 'cid';
        checks.push({ cond: `__t = ${sqlString(t)} AND NOT (__id IN (SELECT ${key} FROM ${rel} WHERE ${key} IS NOT NULL))`, column: headerOf.get(c.property)!, value: '__id', message: danglingLinkMessage(c, t), kind: DANGLING_LINK, path: c.property });
      }
    }
    if (!checks.length) continue;
    const distinct = `(SELECT DISTINCT ${col(i)} AS __id${withPt ? `, ${ptRaw} AS __ptraw` : ''} FROM ${R} WHERE ${nz(col(i))} <> '')`;
    const values = layered(distinct, [withPt ? [['__pt', jsTrim('__ptraw')]] : [], withPt ? [['__pt_slug', slugOf('__pt')]] : [], [['__t', targetOf(c)]], [['__iri', `CASE WHEN __t IS NOT NULL THEN ${iriOf('__t', '__id')} END`]]]);
    const r = report(checks, []);
    const bad = `(SELECT __id${withPt ? ', __ptraw' : ''}, ${r.problems} AS ps FROM ${values} WHERE ${r.any})`;
    queries.push(`SELECT "row", p."column" AS "column", p.value AS value, p.message AS message, p.kind AS kind, p.path AS path FROM (SELECT r.__row AS "row", unnest(b.ps) AS p FROM ${R} r JOIN ${bad} b ON r.${col(i)} = b.__id${withPt ? ` AND ${ptRaw.replace(col(map.parentTableIndex), `r.${col(map.parentTableIndex)}`)} = b.__ptraw` : ''})`);
  }

  // ---- everything else in one scan of the table: rows with a problem build the list of them
  const single: Check[] = [...rowChecks];
  const multi: ElemChecks[] = [];
  if (ptRaw) {
    const parents = [...indexOf].filter(([p]) => p === `${NS.syndb}parent`).map(([, i]) => `${nz(col(i))} <> ''`);
    single.push({ cond: `__pt <> ''${parents.length ? ` AND NOT (${parents.join(' OR ')})` : ''}`, column: PARENT_TABLE, value: '__pt', message: PARENT_WITHOUT_ID_MESSAGE, kind: 'syndb:UnresolvedLink' });
  }
  for (const p of schema.properties) {
    if (p.path === `${NS.syndb}inDataset`) continue;
    const i = indexOf.get(p.path);
    const column = headerOf.get(p.path) ?? p.name;
    const mk = (kind: string, cond: string, value: string): Check => ({ cond, column, value, message: p.message ?? kind, kind: `sh:${kind}ConstraintComponent`, path: p.path });
    if (i === undefined) {
      if ((p.minCount ?? 0) > 0) single.push(mk('MinCount', 'TRUE', 'NULL'));
      continue;
    }
    const c = map.cols[i] as ColumnDef;
    if (c.kind === 'link' && !c.multi) continue; // above
    const v = col(i);
    const dt = c.kind === 'literal' ? (c.datatype === `${XSD}string` ? undefined : c.datatype) : undefined;
    if (c.multi) {
      const target = c.kind === 'link' ? staticTarget(c) : undefined;
      if (c.kind === 'link' && target === undefined) {
        // no value of the cell becomes a term: each is unresolved, and only the counts can fail
        if (p === propsOf(c)[0]) multi.push({ elems: splitMulti(v), checks: [{ cond: 'TRUE', column: c.name, value: 'x', message: unresolvedLinkMessage(c), kind: 'syndb:UnresolvedLink' }] });
        if ((p.minCount ?? 0) > 0) single.push(mk('MinCount', 'TRUE', 'NULL'));
        continue;
      }
      const elems = splitMulti(v);
      const n = `len(${elems})`;
      if (p.minCount !== undefined) single.push(mk('MinCount', `${n} < ${p.minCount}`, 'NULL'));
      if (p.maxCount !== undefined) single.push(mk('MaxCount', `${n} > ${p.maxCount}`, 'NULL'));
      const text = c.kind === 'link' ? iriOf(sqlString(target!), 'x') : 'x';
      const checks = valueChecks(p, { text, isLink: c.kind === 'link', dt, col: c }).map(([kind, cond]) => mk(kind, cond, text));
      if (checks.length) multi.push({ elems, checks });
      continue;
    }
    // a single-valued literal: its lexical validity (one regex match) and, for doubles, its value are computed once
    const cell: { lexOk?: string; num?: string } = {};
    if (dt !== undefined && LEXICAL[dt] && !rowLayers[0].some(([name]) => name === `__ok${i}`)) {
      rowLayers[0].push([`__ok${i}`, `CASE WHEN ${nz(v)} <> '' THEN ${lexicalSql(v, dt)} END`]);
      if (dt === `${XSD}double` || dt === `${XSD}float`) rowLayers[1].push([`__n${i}`, doubleSql(v, `__ok${i}`)]);
    }
    if (dt !== undefined && LEXICAL[dt]) { cell.lexOk = `__ok${i}`; if (dt === `${XSD}double` || dt === `${XSD}float`) cell.num = `__n${i}`; }
    const isTerm = `${nz(v)} <> ''`;
    if (p.minCount !== undefined && p.minCount > 0) single.push(mk('MinCount', p.minCount > 1 ? 'TRUE' : `NOT (${isTerm})`, 'NULL'));
    if (p.maxCount !== undefined && p.maxCount < 1) single.push(mk('MaxCount', isTerm, 'NULL'));
    for (const [kind, cond] of valueChecks(p, { text: v, isLink: false, dt, col: c, ...cell })) single.push(mk(kind, `${isTerm} AND (${cond})`, v));
  }
  if (single.length || multi.length) {
    const rel = layered(R, rowLayers);
    const r = report(single, multi);
    queries.push(`SELECT "row", p."column" AS "column", p.value AS value, p.message AS message, p.kind AS kind, p.path AS path FROM (SELECT __row AS "row", unnest(${r.problems}) AS p FROM ${rel} WHERE ${r.any})`);
  }

  // ---- the upload's table-level checks
  if (ctx.fieldCount) {
    const n = ctx.columns.length;
    queries.push(`SELECT __row AS "row", '' AS "column", CAST(__fields AS VARCHAR) || ' fields' AS value, ${sqlString(`${n} fields, as in the header`)} AS message, 'syndb:FieldCount' AS kind, NULL::VARCHAR AS path FROM ${R} WHERE __fields <> ${n}`);
  }
  queries.push(`SELECT 0::BIGINT AS "row", '' AS "column", NULL::VARCHAR AS value, 'at least one row after the header' AS message, 'syndb:EmptyTable' AS kind, NULL::VARCHAR AS path WHERE NOT EXISTS (SELECT 1 FROM ${R})`);
  queries.push(`SELECT r.__row AS "row", 'cid' AS "column", r.${cid} AS value, 'cid must be unique in the table; it is also the cid of row ' || CAST(d.first AS VARCHAR) AS message, 'syndb:DuplicateCid' AS kind, NULL::VARCHAR AS path`
    + ` FROM ${R} r JOIN (SELECT ${cid} AS cid, min(__row) AS first FROM ${R} WHERE ${nz(cid)} <> '' GROUP BY ${cid} HAVING count(*) > 1) d ON r.${cid} = d.cid WHERE r.__row > d.first`);
  return queries;
}
