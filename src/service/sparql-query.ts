/**
 * SPARQL 1.1 queries as a caller may ask them: the graphs the caller may read (the default graph
 * union and every nameable graph, catalog + free graphs), the dataset a request names cut down to
 * them, the query run on the store, and the VoID statistics of what an anonymous caller can query.
 */
import type { ServiceContext } from './context.js';
import { ANONYMOUS, type Caller } from '../model/caller.js';
import { NO_GRAPH, type QueryResult } from '../store/graph-store.js';
import { sparqlWrites } from './sparql-update.js';
import type { GraphRights } from './graph-rights.js';

/** The dataset a request names: the protocol's parameters, else the query's FROM / FROM NAMED. */
export interface RequestedDataset {
  defaultGraphUri: string[];
  namedGraphUri: string[];
  from: string[];
  fromNamed: string[];
}

/** VoID numbers of the public graphs. */
export interface PublicStats { at: number; dflt: { triples: number; subjects: number; properties: number; classes: number }; graphs: Map<string, number> }

const STATS_TTL_MS = 15_000;

export class SparqlQueries {
  private stats?: PublicStats;

  constructor(private readonly ctx: ServiceContext, private readonly rights: GraphRights) {}

  /** The graphs a caller may read: [default graph union, every nameable graph]. */
  async visible(caller: Caller): Promise<{ dflt: string[]; named: Set<string> }> {
    const free = await this.rights.readableFree(caller);
    const named = new Set([...this.ctx.catalog.namedGraphs(caller), ...free]);
    const dflt = [...this.ctx.catalog.defaultGraphs(caller)];
    if (free.includes(this.rights.defaultGraph)) dflt.push(this.rights.defaultGraph);
    return { dflt, named };
  }

  /**
   * Run `query` (the original text: the engine's error positions stay right) over the dataset the
   * request names, cut down to what the caller may read; the dataset given here replaces FROM /
   * FROM NAMED. A graph set left empty names no graph.
   */
  async query(caller: Caller, query: string, asked: RequestedDataset, opts: { format: string; timeoutMs: number; baseIri: string }): Promise<QueryResult> {
    const { dflt, named } = await this.visible(caller);
    const allowedDefault = new Set([...named, ...dflt]);
    let defaultGraph = dflt;
    let namedGraphs = [...named];
    if (asked.defaultGraphUri.length > 0 || asked.namedGraphUri.length > 0) { // the protocol's dataset overrides the query's (SPARQL 1.1 Protocol §2.1.4)
      defaultGraph = asked.defaultGraphUri.filter((g) => allowedDefault.has(g));
      namedGraphs = asked.namedGraphUri.filter((g) => named.has(g));
    } else if (asked.from.length > 0 || asked.fromNamed.length > 0) {
      defaultGraph = asked.from.filter((g) => allowedDefault.has(g));
      namedGraphs = asked.fromNamed.filter((g) => named.has(g));
    }
    return this.ctx.store.query(query, {
      defaultGraph: defaultGraph.length ? defaultGraph : [NO_GRAPH],
      namedGraphs: namedGraphs.length ? namedGraphs : [NO_GRAPH],
      format: opts.format, timeoutMs: opts.timeoutMs, baseIri: opts.baseIri,
    });
  }

  /** VoID numbers of the public graphs (cached for a few seconds: the query touches every public triple). */
  async publicStats(): Promise<PublicStats> {
    const c = this.stats;
    if (c && Date.now() - c.at < STATS_TTL_MS) return c;
    const { dflt, named } = await this.visible(ANONYMOUS);
    const names = [...named];
    const store = this.ctx.store;
    const [row] = await store.select(`SELECT (COUNT(*) AS ?t) (COUNT(DISTINCT ?s) AS ?s2) (COUNT(DISTINCT ?p) AS ?p2) WHERE { ?s ?p ?o }`, { defaultGraph: dflt, namedGraphs: [NO_GRAPH] });
    const [cls] = await store.select(`SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }`, { defaultGraph: dflt, namedGraphs: [NO_GRAPH] });
    const per = await store.select(`SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g`, { defaultGraph: [NO_GRAPH], namedGraphs: names.length ? names : [NO_GRAPH] });
    const s: PublicStats = {
      at: Date.now(),
      dflt: { triples: Number(row?.t?.value ?? 0), subjects: Number(row?.s2?.value ?? 0), properties: Number(row?.p2?.value ?? 0), classes: Number(cls?.n?.value ?? 0) },
      graphs: new Map(per.map((r) => [r.g.value, Number(r.n.value)])),
    };
    this.stats = s;
    return s;
  }
}

const instances = new WeakMap<ServiceContext, SparqlQueries>();
/** The query service of a context (one per context: it caches the public statistics). */
export function sparqlQueries(ctx: ServiceContext): SparqlQueries {
  let q = instances.get(ctx);
  if (!q) { q = new SparqlQueries(ctx, sparqlWrites(ctx)); instances.set(ctx, q); }
  return q;
}
