/**
 * Rewrites of a query's syntax tree that keep its meaning, for engines that need them (the
 * external store's dialect, see store/remote/dialect.ts). Each changes the tree in place;
 * `serialize` (parse.ts) writes the result as text.
 */
import type { Query, SelectQuery, ValuePatternRow, Pattern } from 'sparqljs';
import { walk } from './analyse.js';
import { serialize } from './parse.js';

const iri = (value: string) => ({ termType: 'NamedNode', value }) as never;

/**
 * Every `GRAPH <g>` pattern (in groups, OPTIONAL, UNION, MINUS, EXISTS and subqueries) whose
 * graph is not in `allowed` names `replacement` instead. Returns how many were replaced.
 */
export function replaceGraphConstants(tree: Query, allowed: Set<string>, replacement: string): number {
  let n = 0;
  walk(tree, (o) => {
    const name = o.name as { termType?: string; value?: string } | undefined;
    if (o.type === 'graph' && Array.isArray(o.patterns) && name?.termType === 'NamedNode' && !allowed.has(name.value!)) {
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

/** ASK turned into a SELECT of at most one row binding `variable` to 1 (same solutions exist or not). */
export function askToSelect(tree: Query, variable: string): SelectQuery {
  const t = tree as unknown as SelectQuery;
  t.queryType = 'SELECT';
  t.variables = [{ expression: { termType: 'Literal', value: '1', language: '', datatype: iri('http://www.w3.org/2001/XMLSchema#integer') } as never, variable: { termType: 'Variable', value: variable } as never }];
  t.limit = t.limit === undefined ? 1 : Math.min(t.limit, 1);
  return t;
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
  const inner = { ...tree, prefixes: {}, base: undefined } as SelectQuery;
  const outer: SelectQuery = {
    type: 'query', queryType: 'SELECT', prefixes: tree.prefixes, base: tree.base,
    variables: vars.flatMap((v) => strVars.has(v)
      ? [variable(v), { expression: { type: 'operation', operator: 'str', args: [variable(v)] } as never, variable: variable(lexical(v)) }]
      : [variable(v)]),
    where: [{ type: 'group', patterns: [inner as never] }],
  };
  return serialize(outer);
}
