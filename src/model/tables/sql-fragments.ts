/**
 * The JavaScript row validator's primitives as DuckDB SQL expressions over one value (used by
 * sql-checks.ts): JavaScript's trim, encodeURIComponent, findCompartment, lexical spaces, numeric
 * values and exact decimal comparison, and the per-value constraints of a property shape.
 */
import { NS } from '../namespaces.js';
import { COMPARTMENTS } from '../compartment-names.js';
import type { ColumnDef, CompiledProperty } from './schema.js';
import { LEXICAL, NUMERIC } from './rows.js';
import { jsRegexToRe2, JS_WHITESPACE_CHARS, JS_WHITESPACE_CLASS } from './sql-regex.js';
import { decimalParts, decimalText } from './decimal-compare.js';

const XSD = NS.xsd;
const EXACT = new Set([`${XSD}decimal`, `${XSD}integer`, `${XSD}nonNegativeInteger`]);

/** A shape the SQL checks cannot evaluate exactly as the JavaScript validator does. */
export class SqlCheckUnsupported extends Error {
  constructor(message: string) { super(message); this.name = 'SqlCheckUnsupported'; }
}

/** SQL string literal. */
export const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
/** SQL identifier. */
export const sqlIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

const WS = sqlString(JS_WHITESPACE_CHARS);
/** JavaScript's String.prototype.trim (trim() with a character list is slow: only when an end is whitespace). */
export const jsTrim = (x: string) => `(CASE WHEN ${x} = '' OR (NOT contains(${WS}, left(${x}, 1)) AND NOT contains(${WS}, right(${x}, 1))) THEN ${x} ELSE trim(${x}, ${WS}) END)`;
export const nz = (x: string) => `coalesce(${x}, '')`;
/** encodeURIComponent: url_encode leaves A-Z a-z 0-9 - _ . ~ alone; encodeURIComponent also ! ' ( ) *. */
export const encodeComponent = (x: string) => `(CASE WHEN regexp_matches(${x}, '[^A-Za-z0-9_.~!*''()-]') THEN replace(replace(replace(replace(replace(url_encode(${x}), '%21', '!'), '%27', ''''), '%28', '('), '%29', ')'), '%2A', '*') ELSE ${x} END)`;

export function re2(re: RegExp, what: string): string {
  const r = jsRegexToRe2(re);
  if (r === undefined) throw new SqlCheckUnsupported(`the pattern /${re.source}/${re.flags} of ${what} has no exact RE2 equivalent; validate this table with the JavaScript row validator`);
  return sqlString(r);
}

/** findCompartment(x) in SQL, for x already trimmed: the slug, or NULL. The usual spellings are matched directly. */
export function slugOf(x: string): string {
  const names = (c: (typeof COMPARTMENTS)[number]) => [...new Set([c.slug, c.table.replace(/_/g, '-'), `${c.slug}s`])];
  const direct = COMPARTMENTS.flatMap((c) => [...new Set([...names(c), c.table])].map((n) => `WHEN ${sqlString(n)} THEN ${sqlString(c.slug)}`));
  const k = `regexp_replace(lower(${x}), ${sqlString(`[${JS_WHITESPACE_CLASS}_]+`)}, '-', 'g')`;
  const whens = COMPARTMENTS.map((c) => `WHEN k IN (${names(c).map(sqlString).join(', ')}) OR (starts_with(k, ${sqlString(NS.syndbv)}) AND ends_with(k, ${sqlString(`/compartment/${c.slug}`)})) THEN ${sqlString(c.slug)}`);
  // the lambda binds k once (no correlated subquery)
  return `(CASE ${x} ${direct.join(' ')} ELSE (list_transform([${k}], lambda k: CASE ${whens.join(' ')} END))[1] END)`;
}

/** -1/0/1 comparing a valid xsd:decimal/xsd:integer lexical form with a bound, digit by digit. */
export function decimalCmp(x: string, bound: number): string {
  const b = decimalParts(decimalText(bound));
  const body = `ltrim(${x}, '+-')`;
  const ip = `ltrim(split_part(${body}, '.', 1), '0')`;
  const fp = `rtrim(split_part(${body}, '.', 2), '0')`;
  const sv = `(CASE WHEN ${ip} = '' AND ${fp} = '' THEN 0 WHEN starts_with(${x}, '-') THEN -1 ELSE 1 END)`;
  const m = `(CASE WHEN length(${ip}) <> ${b.int.length} THEN (CASE WHEN length(${ip}) < ${b.int.length} THEN -1 ELSE 1 END)`
    + ` WHEN ${ip} <> ${sqlString(b.int)} THEN (CASE WHEN ${ip} < ${sqlString(b.int)} THEN -1 ELSE 1 END)`
    + ` WHEN ${fp} <> ${sqlString(b.frac)} THEN (CASE WHEN ${fp} < ${sqlString(b.frac)} THEN -1 ELSE 1 END) ELSE 0 END)`;
  return `(CASE WHEN ${sv} <> ${b.sign} THEN (CASE WHEN ${sv} < ${b.sign} THEN -1 ELSE 1 END) WHEN ${sv} = 0 THEN 0 WHEN ${sv} = 1 THEN ${m} ELSE -${m} END)`;
}

/** A problem reported when `cond` holds: SQL for its column, value, message and kind. */
export interface Check { cond: string; column: string; value: string; message: string; kind: string; /** RowProblem.path: the property of a SHACL (or link) problem. */ path?: string }
/** Checks of the elements of a multi-valued cell: `elems` a SQL list, `v` the lambda variable. */
export interface ElemChecks { elems: string; checks: Check[] }

export const struct = (c: Check) => `{'column': ${sqlString(c.column)}, 'value': CAST(${c.value} AS VARCHAR), 'message': ${sqlString(c.message)}, 'kind': ${sqlString(c.kind)}, 'path': ${c.path === undefined ? 'NULL::VARCHAR' : sqlString(c.path)}}`;

/** The term of one value (a literal's text or a link's IRI) and whether the value becomes a term. */
export interface Term {
  text: string;
  isLink: boolean;
  dt?: string;
  col: ColumnDef;
  /** A computed column: whether the text is in the datatype's lexical space (else computed inline). */
  lexOk?: string;
  /** A computed column: the value as a DOUBLE for xsd:double/xsd:float (else computed inline). */
  num?: string;
}

/** Whether `x` is in the lexical space of `dt` (SQL). */
export function lexicalSql(x: string, dt: string | undefined): string {
  const re = dt === undefined ? undefined : LEXICAL[dt];
  return re ? `regexp_matches(${x}, ${re2(re, `the lexical space of ${dt}`)})` : 'TRUE';
}

/** numericValue of rows.ts for a double/float `x` whose lexical validity is `ok`: NULL when not comparable. */
export function doubleSql(x: string, ok: string): string {
  return `(CASE WHEN NOT ${ok} OR ${x} = 'NaN' THEN NULL WHEN ${x} = 'INF' THEN 'inf'::DOUBLE WHEN ${x} = '-INF' THEN '-inf'::DOUBLE`
    + ` ELSE coalesce(TRY_CAST(${x} AS DOUBLE), CASE WHEN starts_with(${x}, '-') THEN '-inf'::DOUBLE ELSE 'inf'::DOUBLE END) END)`;
}

/** splitMulti of rows.ts in SQL: the ';'-separated values, trimmed, without empty ones. */
export function splitMulti(v: string): string {
  return `list_filter(list_transform(string_split(${nz(v)}, ';'), lambda s: ${jsTrim('s')}), lambda s: s <> '')`;
}

/** [constraint kind, SQL condition that the term `t` violates it] for the per-value constraints of `p`. */
export function valueChecks(p: CompiledProperty, t: Term): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const x = t.text;
  const lexical = (dt: string | undefined) => (t.lexOk && dt === t.dt ? t.lexOk : lexicalSql(x, dt));
  if (p.datatype !== undefined) {
    if (t.isLink || (t.dt ?? `${XSD}string`) !== p.datatype) out.push(['Datatype', 'TRUE']);
    else out.push(['Datatype', `NOT ${lexical(t.dt)}`]);
  }
  if (p.nodeKind !== undefined) {
    const k = p.nodeKind;
    const ok = k === 'IRI' || k === 'BlankNodeOrIRI' ? t.isLink : k === 'Literal' || k === 'BlankNodeOrLiteral' ? !t.isLink : k === 'IRIOrLiteral';
    if (!ok) out.push(['NodeKind', 'TRUE']);
  }
  const bounds: Array<[string, number | undefined, string]> = [['MinInclusive', p.minInclusive, '>='], ['MaxInclusive', p.maxInclusive, '<='], ['MinExclusive', p.minExclusive, '>'], ['MaxExclusive', p.maxExclusive, '<']];
  for (const [kind, b, op] of bounds) {
    if (b === undefined) continue;
    if (t.isLink || t.dt === undefined || !NUMERIC.has(t.dt)) { out.push([kind, 'TRUE']); continue; }
    if (EXACT.has(t.dt)) out.push([kind, `NOT coalesce(${lexical(t.dt)} AND ${decimalCmp(x, b)} ${op} 0, FALSE)`]);
    else {
      const n = t.num ?? doubleSql(x, lexical(t.dt));
      out.push([kind, `NOT coalesce(${n} ${op} ${sqlString(String(b))}::DOUBLE, FALSE)`]);
    }
  }
  if (p.pattern !== undefined) out.push(['Pattern', `NOT regexp_matches(${x}, ${re2(p.pattern, `${p.shape} (sh:pattern)`)})`]);
  if (p.in !== undefined) out.push(['In', p.in.length ? `${x} NOT IN (${p.in.map(sqlString).join(', ')})` : 'TRUE']);
  if (p.or !== undefined) {
    // sh:class members accept rows typed with the class in the validated data: an upload has none
    const ok = p.or.filter((m) => m.class === undefined).map((m) => (m.pattern ? `regexp_matches(${x}, ${re2(m.pattern, `${p.shape} (sh:or)`)})` : 'TRUE'));
    out.push(['Or', ok.length ? `NOT (${ok.join(' OR ')})` : 'TRUE']);
  }
  return out;
}
