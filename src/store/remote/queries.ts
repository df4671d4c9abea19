/**
 * Queries on the remote store: a caller's SPARQL checked (no SERVICE, no bif:/sql: functions),
 * given an explicit dataset, written back from its syntax tree in the dialect the server answers
 * right (dialect.ts), run while the gate keeps switches of its graphs out, and its answer made
 * identical to the embedded store's (results.ts; doubles with every digit, see exactQuery).
 */
import type { SelectQuery } from 'sparqljs';
import { StoreError, type Binding, type QueryOptions, type QueryResult } from '../graph-store.js';
import { resultFormat } from '../query-forms.js';
import { canonicalDouble } from '../../util/xsd-double.js';
import { serialize, walk, usesService, dropDatasetClauses, replaceGraphConstants, namedGraphsReached, graphListsAsDisjunctions, askToSelect, splitLeadingValues, wrapWithStr } from '../../sparql/index.js';
import { checkIri } from './ops.js';
import { EMPTY_GRAPH } from './graphs.js';
import type { GraphSet } from './gate.js';
import { parseResults, serialiseGraph, serialiseResults, RESULTS_ACCEPT } from './results.js';
import { VALUES_MAX, parseForServerAsync } from './dialect.js';
import type { Dataset, RemoteRequests } from './requests.js';
import { XSD_NS } from '../../util/rdf.js';

const XSD_DOUBLE = `${XSD_NS}double`;
const XSD_FLOAT = `${XSD_NS}float`;

/** What a query needs of the store that runs it (RemoteStore). */
export interface QueryHost {
  requests: RemoteRequests;
  /** Our graphs (the registry): the named graphs of a query that does not give them. */
  known: ReadonlySet<string>;
  /** Throws when the store is closed. */
  check(): void;
  /** Run `fn` while no switch is applied to `graphs` (RemoteStore.gated). */
  gated<T>(graphs: GraphSet, fn: () => Promise<T>, signal?: AbortSignal, timeoutMs?: number): Promise<T>;
}

export async function runQuery(host: QueryHost, sparql: string, options: QueryOptions): Promise<QueryResult> {
  host.check();
  if (typeof sparql !== 'string') throw new StoreError(`the query must be a string, got ${typeof sparql}`, 'bad-query');
  // the server gets the query written back from its syntax tree, in the dialect it answers right
  const tree = await parseForServerAsync(sparql, options.baseIri);
  const kind = tree.queryType === 'SELECT' ? 'bindings' : tree.queryType === 'ASK' ? 'boolean' : 'graph';
  const fmt = resultFormat(kind, options.format);
  if ('error' in fmt) throw new StoreError(fmt.error, 'bad-query');
  if (usesService(tree)) throw new StoreError('SERVICE (federated query) is not allowed: only the data of this service can be queried', 'bad-query');
  let serverSpecific: string | undefined;
  walk(tree, (o) => { if (o.termType === 'NamedNode' && /^(bif|sql):/i.test(o.value as string)) serverSpecific ??= o.value as string; });
  if (serverSpecific) throw new StoreError(`server-specific functions (bif:, sql:) are not allowed in queries, found <${serverSpecific}>; use SPARQL 1.1 functions`, 'bad-query');
  for (const [name, list] of [['defaultGraph', options.defaultGraph], ['namedGraphs', options.namedGraphs]] as const) {
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new StoreError(`QueryOptions.${name} must be an array of graph IRIs`, 'bad-query');
    list.forEach((g, i) => checkIri(g, `QueryOptions.${name}[${i}]`, 'bad-query'));
  }
  const given = options.defaultGraph !== undefined || options.namedGraphs !== undefined;
  const hasFrom = !!tree.from && (tree.from.default.length > 0 || tree.from.named.length > 0);
  // the caller's dataset replaces the query's; without one, a query's own FROM applies
  const dataset = given || !hasFrom ? { defaultGraph: options.defaultGraph, namedGraphs: options.namedGraphs } : undefined;
  if (dataset) dropDatasetClauses(tree);
  // Virtuoso 7.2 dies (SIGSEGV) on some lists of graphs: written as it answers them, or refused
  const risky = graphListsAsDisjunctions(tree);
  if (risky) throw new StoreError(`a VALUES list for ?${risky}, the graph of a GRAPH pattern that holds a UNION and a BIND, makes the external store (Virtuoso 7.2) crash; restrict the graph with FILTER(sameTerm(?${risky}, <…>) || sameTerm(?${risky}, <…>)) in the group of that GRAPH pattern instead`, 'bad-query');
  const timeoutMs = options.timeoutMs ?? host.requests.queryTimeoutMs;
  const signal = AbortSignal.timeout(timeoutMs);
  // the graphs this query can read, for the gate (all of ours when the named graphs are not given)
  const reads: GraphSet = dataset && dataset.namedGraphs !== undefined ? new Set([...(dataset.defaultGraph ?? []), ...dataset.namedGraphs]) : 'all';
  const requests = host.requests;
  return host.gated(reads, async () => {
    // GRAPH <g> outside the named graphs names the empty graph (see EMPTY_GRAPH): same meaning, and
    // Virtuoso 7.2 otherwise answers such a block with one empty solution
    let sent = dataset;
    if (dataset) {
      const allowed = options.namedGraphs ?? [...host.known];
      replaceGraphConstants(tree, new Set(allowed), EMPTY_GRAPH);
      // a query whose GRAPH patterns all name their graph needs only those as named graphs (Virtuoso
      // spends about half a millisecond a query on each graph of the dataset)
      const reached = namedGraphsReached(tree);
      sent = { defaultGraph: dataset.defaultGraph, namedGraphs: reached ? allowed.filter((g) => reached.has(g)) : allowed };
    }
    if (kind === 'graph') {
      const nt = await requests.rawQuery(serialize(tree), 'application/n-triples', sent, timeoutMs, 'running a query', signal);
      return { kind, body: serialiseGraph(nt, fmt.mediaType), contentType: fmt.mediaType };
    }
    if (kind === 'boolean') {
      // Virtuoso 7.2 answers ASK wrongly when a protocol dataset is given: a SELECT of at most one row instead
      const body = await requests.rawQuery(serialize(askToSelect(tree, 'syndb_ask_')), RESULTS_ACCEPT, sent, timeoutMs, 'running a query', signal);
      const rows = await parseResults(body, 'bindings');
      return { kind, body: serialiseResults({ boolean: 'bindings' in rows && rows.bindings.length > 0 }, fmt.mediaType), contentType: fmt.mediaType };
    }
    // a large VALUES block goes in parts (Virtuoso refuses about 5,000 terms in one)
    const vars: string[] = [];
    const bindings: Binding[] = [];
    // variables seen holding doubles: later parts ask for their exact forms at once
    const dvars = new Set<string>();
    const doubles = (r: { bindings: Binding[] }) => {
      const found = new Set<string>();
      for (const b of r.bindings) for (const [k, t] of Object.entries(b)) if (t.datatype === XSD_DOUBLE || t.datatype === XSD_FLOAT) found.add(k);
      return found;
    };
    const split = splitLeadingValues(tree, VALUES_MAX);
    const parts: Array<{ text: string; tree?: SelectQuery }> = split ? split.map((text) => ({ text })) : [{ text: serialize(tree), tree: tree as SelectQuery }];
    for (const part of parts) {
      let r = dataset && dvars.size ? await exactQuery(requests, part, vars, dvars, sent!, timeoutMs, signal) : undefined;
      if (r && [...doubles(r)].some((v) => !dvars.has(v))) r = undefined; // a new double column: ask again
      if (!r) {
        const plain = await parseResults(await requests.rawQuery(part.text, RESULTS_ACCEPT, sent, timeoutMs, 'running a query', signal), 'bindings') as { vars: string[]; bindings: Binding[] };
        r = plain;
        const dv = doubles(plain);
        if (dataset && dv.size) {
          for (const v of dv) dvars.add(v);
          const exact = await exactQuery(requests, part, plain.vars, dvars, sent!, timeoutMs, signal);
          if (exact && exact.bindings.length === plain.bindings.length) r = exact;
        }
      }
      for (const v of r.vars) if (!vars.includes(v)) vars.push(v);
      for (const b of r.bindings) bindings.push(b);
    }
    return { kind, body: serialiseResults({ vars, bindings }, fmt.mediaType), contentType: fmt.mediaType };
  }, signal, timeoutMs);
}

/**
 * Virtuoso writes doubles with 6 significant digits in every result format (102475.1 → 102475.0)
 * although it stores them exactly; STR() gives every digit. The query is run as a subquery whose
 * variables that hold doubles (`dvars`) are also projected through STR(), and doubles take those
 * lexical forms. Undefined when the query cannot be wrapped (then the rounded answer stays).
 */
async function exactQuery(requests: RemoteRequests, part: { text: string; tree?: SelectQuery }, vars: string[], dvars: Set<string>, dataset: Dataset, timeoutMs: number, signal: AbortSignal): Promise<{ vars: string[]; bindings: Binding[] } | undefined> {
  const lex = (v: string) => `syndb_lex_${v}`;
  const wrapped = wrapWithStr(part.tree ?? ((await parseForServerAsync(part.text)) as SelectQuery), vars, dvars, lex);
  let again: { vars: string[]; bindings: Binding[] };
  try {
    again = await parseResults(await requests.rawQuery(wrapped, RESULTS_ACCEPT, dataset, timeoutMs, 'running a query', signal), 'bindings') as typeof again;
  } catch (e) {
    if (signal.aborted) throw e;
    return undefined; // e.g. a form the subquery cannot take
  }
  return {
    vars,
    bindings: again.bindings.map((b) => {
      const out: Binding = {};
      for (const v of vars) {
        const t = b[v];
        if (!t) continue;
        const exact = b[lex(v)]?.value;
        out[v] = t.datatype === XSD_DOUBLE && exact !== undefined ? { ...t, value: canonicalDouble(exact) } : t.datatype === XSD_FLOAT && exact !== undefined ? { ...t, value: exact } : t;
      }
      return out;
    }),
  };
}
