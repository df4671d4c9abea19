/**
 * What a parsed request does, read from its syntax tree: the query form, the dataset clauses,
 * SERVICE, the graphs an update names and the graphs it writes (for the write policy).
 */
import type { Query, SparqlQuery, Update, UpdateOperation, GraphOrDefault, Quads } from 'sparqljs';
import { serialize } from './parse.js';

export type QueryForm = 'SELECT' | 'ASK' | 'CONSTRUCT' | 'DESCRIBE';

/** Call fn on every object of the tree (iteratively; RDF terms included). */
export function walk(tree: unknown, fn: (o: Record<string, unknown>) => void): void {
  const stack: unknown[] = [tree];
  while (stack.length) {
    const x = stack.pop();
    if (Array.isArray(x)) {
      for (const v of x) if (v && typeof v === 'object') stack.push(v);
      continue;
    }
    if (!x || typeof x !== 'object') continue;
    const o = x as Record<string, unknown>;
    fn(o);
    if (typeof o.termType === 'string' && o.termType !== 'Quad') continue;
    for (const [k, v] of Object.entries(o)) if (k !== 'prefixes' && v && typeof v === 'object') stack.push(v);
  }
}

/** Does the request use SERVICE (federated query) anywhere? */
export function usesService(tree: SparqlQuery): boolean {
  let found = false;
  walk(tree, (o) => { if (o.type === 'service') found = true; });
  return found;
}

/** IRIs called as functions (`<f>(…)` / `pfx:f(…)`), for refusing server-specific ones. */
export function functionIris(tree: SparqlQuery): string[] {
  const out: string[] = [];
  walk(tree, (o) => {
    const f = o.function as { termType?: string; value?: string } | undefined;
    if (o.type === 'functionCall' && f?.termType === 'NamedNode' && f.value) out.push(f.value);
  });
  return out;
}

export interface QueryAnalysis {
  form: QueryForm;
  from: string[];
  fromNamed: string[];
  usesService: boolean;
}

export function analyseQuery(tree: Query): QueryAnalysis {
  return {
    form: tree.queryType,
    from: (tree.from?.default ?? []).map((t) => t.value),
    fromNamed: (tree.from?.named ?? []).map((t) => t.value),
    usesService: usesService(tree),
  };
}

/** The graphs an update writes, as far as its text says. */
export interface UpdateTargets {
  /** Named graphs written by name. */
  graphs: Set<string>;
  /** The default graph is written (DATA, templates without GRAPH and without WITH, CLEAR DEFAULT, …). */
  defaultGraph: boolean;
  /** Every named graph is written (CLEAR / DROP NAMED or ALL). */
  allNamed: boolean;
  /** A template writes `GRAPH ?var`: which graphs depends on the data. */
  dynamic: boolean;
}

export interface UpdateAnalysis {
  /** Every IRI the update names: graphs it may read or write are among them. */
  iris: Set<string>;
  hasUsingOrWith: boolean;
  usesService: boolean;
  targets: UpdateTargets;
}

function templateTargets(quads: Quads[] | undefined, dflt: string | undefined, t: UpdateTargets) {
  for (const q of quads ?? []) {
    if (q.type === 'bgp') {
      if (!q.triples.length) continue;
      if (dflt) t.graphs.add(dflt); else t.defaultGraph = true;
    } else if (q.name.termType === 'NamedNode') t.graphs.add(q.name.value);
    else t.dynamic = true;
  }
}

function graphRef(g: GraphOrDefault & { named?: boolean; all?: boolean }, t: UpdateTargets) {
  if (g.all) { t.defaultGraph = true; t.allNamed = true; return; }
  if (g.named) { t.allNamed = true; return; }
  if (g.default) { t.defaultGraph = true; return; }
  if (g.name) t.graphs.add(g.name.value);
}

function opTargets(op: UpdateOperation, t: UpdateTargets) {
  if ('updateType' in op) {
    const o = op as { updateType: string; graph?: { value: string }; insert?: Quads[]; delete?: Quads[] };
    const dflt = op.updateType === 'insertdelete' ? o.graph?.value : undefined;
    templateTargets(o.insert, dflt, t);
    templateTargets(o.delete, dflt, t);
    return;
  }
  switch (op.type) {
    case 'clear': case 'drop': graphRef(op.graph, t); break;
    case 'create': graphRef(op.graph, t); break;
    case 'load': if (op.destination) t.graphs.add(op.destination.value); else t.defaultGraph = true; break;
    case 'move': graphRef(op.source, t); graphRef(op.destination, t); break;
    case 'add': case 'copy': graphRef(op.destination, t); break;
  }
}

export function analyseUpdate(tree: Update): UpdateAnalysis {
  const iris = new Set<string>();
  walk(tree, (o) => { if (o.termType === 'NamedNode') iris.add(o.value as string); });
  const targets: UpdateTargets = { graphs: new Set(), defaultGraph: false, allNamed: false, dynamic: false };
  let hasUsingOrWith = false;
  for (const op of tree.updates) {
    opTargets(op, targets);
    if ('updateType' in op && op.updateType === 'insertdelete') {
      const o = op as { graph?: unknown; using?: { default?: unknown[]; named?: unknown[] } };
      if (o.graph || o.using?.default?.length || o.using?.named?.length) hasUsingOrWith = true;
    }
  }
  return { iris, hasUsingOrWith, usesService: usesService(tree), targets };
}

/**
 * The update with `USING <g>` / `USING NAMED <g>` on each DELETE/INSERT … WHERE operation (the
 * protocol's using-graph-uri / using-named-graph-uri), written back as text; the text unchanged
 * when there are none. Changes the tree.
 */
export function withUsing(text: string, tree: Update, using: string[], usingNamed: string[]): string {
  if (using.length === 0 && usingNamed.length === 0) return text;
  let changed = false;
  for (const op of tree.updates) {
    if (!('updateType' in op) || op.updateType !== 'insertdelete') continue;
    (op as { using?: unknown }).using = {
      default: using.map((g) => ({ termType: 'NamedNode', value: g })),
      named: usingNamed.map((g) => ({ termType: 'NamedNode', value: g })),
    };
    changed = true;
  }
  return changed ? serialize(tree) : text;
}
