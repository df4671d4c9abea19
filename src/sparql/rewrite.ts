/**
 * Rewrites of a query's syntax tree that keep its meaning, for engines that need them (the
 * external store's dialect, see store/remote/dialect.ts). Each changes the tree in place;
 * `serialize` (parse.ts) writes the result as text.
 */
import type { Query, SelectQuery, ValuePatternRow, Pattern } from 'sparqljs';
import { walk } from './analyse.js';
import { serialize } from './parse.js';

const iri = (value: string) => ({ termType: 'NamedNode', value }) as never;

/** The name of a GRAPH pattern (`o` any node of the tree), or undefined when `o` is not one. */
function graphName(o: Record<string, unknown>): { termType: string; value: string } | undefined {
  const name = o.name as { termType?: string; value?: string } | undefined;
  return o.type === 'graph' && Array.isArray(o.patterns) && name?.termType ? (name as { termType: string; value: string }) : undefined;
}

/**
 * Every `GRAPH <g>` pattern (in groups, OPTIONAL, UNION, MINUS, EXISTS and subqueries) whose
 * graph is not in `allowed` names `replacement` instead. Returns how many were replaced.
 */
export function replaceGraphConstants(tree: Query, allowed: Set<string>, replacement: string): number {
  let n = 0;
  walk(tree, (o) => {
    const name = graphName(o);
    if (name?.termType === 'NamedNode' && !allowed.has(name.value)) {
      o.name = iri(replacement);
      n++;
    }
  });
  return n;
}

/** Remove FROM / FROM NAMED; true when the query had any. */
export function dropDatasetClauses(tree: Query): boolean {
  const had = !!tree.from && (tree.from.default.length > 0 || tree.from.named.length > 0);
  delete tree.from;
  return had;
}

/**
 * The graphs a query can reach as named graphs: undefined when some GRAPH pattern has a variable
 * (any named graph), otherwise the IRIs of its `GRAPH <g>` patterns.
 */
export function namedGraphsReached(tree: Query): Set<string> | undefined {
  const out = new Set<string>();
  let variable = false;
  walk(tree, (o) => {
    const name = graphName(o);
    if (name?.termType === 'NamedNode') out.add(name.value);
    else if (name) variable = true;
  });
  return variable ? undefined : out;
}

/** ASK turned into a SELECT of at most one row binding `variable` to 1 (same solutions exist or not). */
export function askToSelect(tree: Query, variable: string): SelectQuery {
  const t = tree as unknown as SelectQuery;
  t.queryType = 'SELECT';
  t.variables = [{ expression: { termType: 'Literal', value: '1', language: '', datatype: iri('http://www.w3.org/2001/XMLSchema#integer') } as never, variable: { termType: 'Variable', value: variable } as never }];
  t.limit = t.limit === undefined ? 1 : Math.min(t.limit, 1);
  return t;
}

/**
 * Virtuoso 7.2 dies (SIGSEGV) on a query over a dataset whose `GRAPH ?g { … }` holds a UNION and a
 * BIND when ?g is restricted to a list of two or more graphs by VALUES or IN (found with the
 * queries of our own pages; any anonymous caller could send one), also on `?g = <a> || ?g = <b>`,
 * but answers `sameTerm(?g, <a>) || sameTerm(?g, <b>)`: the same, since GRAPH binds ?g to IRIs,
 * whose `=` is sameTerm, IN being that disjunction (SPARQL 1.1 §17.4.1.9). Rewritten here, in place:
 * - `?g IN (…)` / `?g NOT IN (…)` of a GRAPH variable ?g, as sameTerm joined by `||` (negated);
 * - a VALUES block of ?g alone, without UNDEF, in the group of a GRAPH ?g pattern (or inside that
 *   pattern when nothing else in it mentions ?g, or as the trailing VALUES of a query that does not
 *   group), as such a FILTER in that group: the same solutions, since GRAPH binds ?g in every
 *   solution of the group, always to an IRI.
 * Returns the first GRAPH variable still restricted by a VALUES block of two or more rows in a
 * GRAPH pattern holding a UNION and a BIND (a form not rewritten: the caller refuses it), or
 * undefined.
 */
export function graphListsAsDisjunctions(tree: Query): string | undefined {
  const graphVars = new Set<string>();
  walk(tree, (o) => {
    const name = graphName(o);
    if (name?.termType === 'Variable') graphVars.add(name.value);
  });
  if (!graphVars.size) return undefined;
  const variable = (name: string) => ({ termType: 'Variable', value: name });
  const same = (name: string, t: unknown) => ({ type: 'operation', operator: 'sameterm', args: [variable(name), t] });
  const anyOf = (name: string, terms: unknown[]): unknown => terms.map((t) => same(name, t)).reduce((a, b) => ({ type: 'operation', operator: '||', args: [a, b] }));
  const single = (rows: ValuePatternRow[]): { name: string; terms: unknown[] } | undefined => {
    const keys = new Set(rows.flatMap((r) => Object.keys(r)));
    if (keys.size !== 1 || rows.length < 2) return undefined;
    const [key] = keys;
    if (rows.some((r) => r[key] === undefined)) return undefined;
    return { name: key.replace(/^[?$]/, ''), terms: rows.map((r) => r[key]) };
  };
  const filter = (name: string, terms: unknown[]): Pattern => ({ type: 'filter', expression: anyOf(name, terms) }) as never;
  /** The VALUES of one group (`patterns`, with the trailing rows `extra`); the trailing rows left. */
  const rewriteGroup = (patterns: Pattern[], extra?: ValuePatternRow[]): ValuePatternRow[] | undefined => {
    const here = new Set<string>();
    for (const p of [...patterns]) {
      if (p.type !== 'graph' || p.name.termType !== 'Variable') continue;
      const g = p.name.value;
      here.add(g);
      const inner = p.patterns.findIndex((q) => q.type === 'values' && single(q.values)?.name === g);
      if (inner < 0) continue;
      const rest = p.patterns.filter((_, i) => i !== inner);
      if (mentions(rest, g)) continue;
      const { terms } = single((p.patterns[inner] as { values: ValuePatternRow[] }).values)!;
      p.patterns = rest;
      patterns.push(filter(g, terms));
    }
    patterns.forEach((p, i) => {
      if (p.type !== 'values') return;
      const v = single(p.values);
      if (v && here.has(v.name)) patterns[i] = filter(v.name, v.terms);
    });
    const v = extra && single(extra);
    if (!v || !here.has(v.name)) return extra;
    patterns.push(filter(v.name, v.terms));
    return undefined;
  };
  walk(tree, (o) => {
    if (o.type === 'operation' && (o.operator === 'in' || o.operator === 'notin')) {
      const [left, list] = o.args as [{ termType?: string; value?: string }, unknown[]];
      if (left?.termType !== 'Variable' || !graphVars.has(left.value!) || !Array.isArray(list) || list.length < 2) return;
      // IRIs only: `=` of anything with an IRI is sameTerm (a literal list keeps its value comparison)
      if (list.some((t) => (t as { termType?: string }).termType !== 'NamedNode')) return;
      const positive = anyOf(left.value!, list) as Record<string, unknown>;
      if (o.operator === 'in') Object.assign(o, positive);
      else Object.assign(o, { type: 'operation', operator: '!', args: [positive] });
    } else if (o.type === 'query' && Array.isArray(o.where)) {
      const q = o as unknown as SelectQuery;
      const groups = q.queryType === 'SELECT' && !!(q.group || q.having || hasTopAggregate(q));
      const trailing = rewriteGroup(q.where!, groups ? undefined : q.values);
      if (!groups) { if (trailing) q.values = trailing; else delete q.values; }
    } else if (o.type === 'union' && Array.isArray(o.patterns)) {
      // an alternative that is a bare GRAPH pattern becomes a group, so that a filter can go beside it
      o.patterns = (o.patterns as Pattern[]).map((p) => (p.type === 'graph' ? { type: 'group', patterns: [p] } : p));
    } else if (Array.isArray(o.patterns) && (o.type === 'group' || o.type === 'optional' || o.type === 'minus' || o.type === 'graph' || o.type === 'service')) {
      rewriteGroup(o.patterns as Pattern[]);
    }
  });
  // what is left: a list of graphs by VALUES for a GRAPH pattern of the form Virtuoso dies on
  const risky = new Set<string>();
  walk(tree, (o) => {
    const name = graphName(o);
    if (name?.termType !== 'Variable') return;
    let union = false;
    let bind = false;
    walk(o.patterns, (x) => { if (x.type === 'union') union = true; if (x.type === 'bind') bind = true; });
    if (union && bind) risky.add(name.value);
  });
  let left: string | undefined;
  walk(tree, (o) => {
    const rows = o.type === 'values' ? (o.values as ValuePatternRow[]) : o.type === 'query' ? (o.values as ValuePatternRow[] | undefined) : undefined;
    if (!rows || rows.length < 2) return;
    for (const k of Object.keys(rows[0] ?? {})) if (risky.has(k.replace(/^[?$]/, ''))) left ??= k.replace(/^[?$]/, '');
  });
  return left;
}

/** Does any of the patterns mention variable `name` (at any depth, VALUES included)? */
function mentions(patterns: Pattern[], name: string): boolean {
  let found = false;
  walk(patterns, (o) => {
    if (o.termType === 'Variable' && o.value === name) found = true;
    if (o.type === 'values') for (const r of o.values as ValuePatternRow[]) if (`?${name}` in r || `$${name}` in r) found = true;
  });
  return found;
}

/** Does the SELECT aggregate at its own level (in its projection, HAVING or ORDER BY)? */
function hasTopAggregate(q: SelectQuery): boolean {
  let found = false;
  walk([q.variables ?? [], q.having ?? [], q.order ?? []], (o) => { if (o.type === 'aggregate') found = true; });
  return found;
}

/** Does the tree hold an aggregate or a subquery anywhere below the top? */
function hasAggregateOrSubquery(tree: Query): boolean {
  let found = false;
  walk(tree.where ?? [], (o) => { if (o.type === 'aggregate' || o.type === 'query') found = true; });
  walk((tree as SelectQuery).variables ?? [], (o) => { if (o.type === 'aggregate') found = true; });
  return found;
}

/**
 * A SELECT whose WHERE group starts with a VALUES block of more than `max` rows, as queries of at
 * most `max` rows each (undefined when the query is not of that form, or small). Exact when the
 * solutions are only projected: join, filter and left join distribute over the union of the
 * blocks' rows. Any DISTINCT, REDUCED, aggregate, GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET,
 * trailing VALUES or subquery keeps the query whole.
 */
export function splitLeadingValues(tree: Query, max: number): string[] | undefined {
  if (tree.queryType !== 'SELECT') return undefined;
  const t = tree as SelectQuery;
  if (t.distinct || t.reduced || t.group || t.having || t.order || t.limit !== undefined || t.offset !== undefined || t.values) return undefined;
  const first = t.where?.[0] as Pattern | undefined;
  if (!first || first.type !== 'values' || first.values.length <= max) return undefined;
  if (hasAggregateOrSubquery(t)) return undefined;
  const rows: ValuePatternRow[] = first.values;
  const out: string[] = [];
  try {
    for (let i = 0; i < rows.length; i += max) {
      first.values = rows.slice(i, i + max);
      out.push(serialize(t));
    }
  } finally {
    first.values = rows;
  }
  return out;
}

/**
 * The SELECT as a subquery of a SELECT projecting `vars`, each also as STR(?v) AS ?`lexical(v)`
 * when it is in `strVars` (so an engine that rounds numbers in results gives their exact forms).
 */
export function wrapWithStr(tree: SelectQuery, vars: string[], strVars: Set<string>, lexical: (v: string) => string): string {
  const variable = (v: string) => ({ termType: 'Variable', value: v }) as never;
  // a subquery has no dataset of its own: FROM / FROM NAMED go to the outer query
  const inner = { ...tree, prefixes: {}, base: undefined, from: undefined } as SelectQuery;
  const outer: SelectQuery = {
    type: 'query', queryType: 'SELECT', prefixes: tree.prefixes, base: tree.base, from: tree.from,
    variables: vars.flatMap((v) => strVars.has(v)
      ? [variable(v), { expression: { type: 'operation', operator: 'str', args: [variable(v)] } as never, variable: variable(lexical(v)) }]
      : [variable(v)]),
    where: [{ type: 'group', patterns: [inner as never] }],
  };
  return serialize(outer);
}
