/**
 * Who may read and write which graph through SPARQL and the Graph Store Protocol
 * (README "SPARQL endpoint"):
 * - dataset graphs (B/datasets/…): only a dataset's draft graph and its existing draft table
 *   graphs may be changed, by whoever may write the dataset; versions, concept, provenance are
 *   immutable or managed by the service;
 * - service graphs (B/graphs/…, B/activities/…, B/users/…, B/collections/…): never;
 * - free graphs: any IRI outside B, graphs under B/store/ (GSP direct identification) and the
 *   store default graph B/graphs/default: written by admins only; readable by admins and curators,
 *   and by everyone once an admin marks the graph public (GSP `?access=public`), which is recorded
 *   in the system graph as `<g> dcterms:accessRights ar:PUBLIC`.
 */
import type { ServiceContext } from './context.js';
import type { Caller } from '../model/caller.js';
import { NS } from '../model/namespaces.js';
import type { UpdateTargets } from '../sparql/index.js';

export const AR_PUBLIC = 'http://publications.europa.eu/resource/authority/access-right/PUBLIC';
export const DCT_ACCESS = `${NS.dcterms}accessRights`;
export const isAbsoluteIri = (s: string) => /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|^`\\]*$/.test(s);

export class GraphRights {
  /** Non-empty free graphs (kept current by the writes of SparqlWrites, which alone writes them). */
  protected free = new Set<string>();
  protected publicFree = new Set<string>();
  private loaded?: Promise<void>;

  constructor(readonly ctx: ServiceContext) {}

  get base() { return this.ctx.iris.base; }
  /** The graph that stands for "the default graph" of updates and of GSP `?default`. */
  get defaultGraph() { return `${this.base}/graphs/default`; }

  protected async load() {
    if (!this.loaded) {
      this.loaded = (async () => {
        for (const g of await this.ctx.store.graphs()) if (this.isFree(g)) this.free.add(g);
        const rows = await this.ctx.store.select(`SELECT ?g WHERE { GRAPH <${this.ctx.iris.systemGraph}> { ?g <${DCT_ACCESS}> <${AR_PUBLIC}> } }`);
        for (const r of rows) if (this.isFree(r.g.value)) this.publicFree.add(r.g.value);
      })();
      this.loaded.catch(() => { this.loaded = undefined; });
    }
    return this.loaded;
  }

  /** Graphs outside the service's own IRI space (see the module comment). */
  isFree(g: string): boolean {
    if (g === this.defaultGraph) return true;
    if (g === this.base || g.startsWith(`${this.base}/`) || g.startsWith(`${this.base}#`)) return g.startsWith(`${this.base}/store/`);
    return true;
  }

  canReadFree(g: string, c: Caller) {
    return c.role === 'admin' || c.role === 'curator' || this.publicFree.has(g);
  }

  /** Free graphs (non-empty) this caller may read. */
  async readableFree(c: Caller): Promise<string[]> {
    await this.load();
    return [...this.free].filter((g) => this.canReadFree(g, c));
  }

  /** May the caller read this graph at all (dataset graphs by the catalog, free graphs as above)? */
  async canRead(g: string, c: Caller): Promise<boolean> {
    await this.load();
    if (this.isFree(g)) return this.canReadFree(g, c);
    return this.ctx.catalog.namedGraphs(c).includes(g);
  }

  async exists(g: string): Promise<boolean> {
    await this.load();
    if (this.isFree(g)) return this.free.has(g);
    return (await this.ctx.store.ask(`ASK { GRAPH <${g}> { ?s ?p ?o } }`));
  }

  /**
   * Graph Store GET: graph g's N-Quads as the caller sees it, or undefined when it is absent to
   * the caller. The default graph always exists (SPARQL 1.1 Query §13.1), perhaps empty; to a
   * caller who may not read its statements it is empty, as in /sparql. Any other graph exists
   * while it has statements, and one the caller may not read is as absent as one that does not exist.
   */
  async readGraph(g: string, c: Caller): Promise<string | undefined> {
    const isDefault = g === this.defaultGraph;
    const readable = await this.canRead(g, c);
    if (!readable) return isDefault ? '' : undefined;
    const nq = await this.ctx.store.dumpGraph(g);
    return nq || isDefault ? nq : undefined;
  }

  /** Why the caller may not write graph g, or undefined if it may. */
  writeRefusal(g: string, c: Caller): string | undefined {
    if (c.role === 'anonymous') return 'writing needs a token: send "Authorization: Bearer <token>"';
    if (this.isFree(g)) {
      return c.role === 'admin' ? undefined : `only admins may write graphs outside the dataset IRI space (<${g}>)`;
    }
    const p = this.ctx.iris.parse(g);
    const e = p && this.ctx.catalog.entries.get(p.id);
    if (!p || !e || !this.ctx.catalog.canRead(e, c)) return `graph <${g}> is managed by the service and cannot be changed by SPARQL Update or the Graph Store Protocol`;
    if (!this.ctx.catalog.canWrite(e, c)) return `only the owner of dataset "${p.id}" or a curator may change its draft`;
    if (p.version !== 'draft') return `graph <${g}> is ${typeof p.version === 'number' ? `published version ${p.version} of "${p.id}", which is immutable` : `managed by the service (dataset "${p.id}")`}; change the draft <${this.ctx.iris.draft(p.id)}> and publish it`;
    if (!e.hasDraft) return `dataset "${p.id}" has no draft; create one with PUT /datasets/${p.id}`;
    if (p.rest) {
      const m = /^\/tables\/([a-z-]+)$/.exec(p.rest);
      if (!m || !(e.tables.get('draft') ?? []).includes(m[1])) return `<${g}> is not a table of the draft of "${p.id}"; upload tables with PUT /datasets/${p.id}/tables/{compartment}`;
    }
    return undefined;
  }

  /**
   * Why the caller may not make the writes an update names (empty when it may): every graph it
   * writes by name, the default graph, CLEAR/DROP NAMED or ALL (admins only). A `GRAPH ?g`
   * template is checked on the graphs it changes (commit); here only that the caller may write
   * some graph at all.
   */
  targetRefusals(t: UpdateTargets, c: Caller): string[] {
    const out = new Set<string>();
    if (t.defaultGraph) { const r = this.writeRefusal(this.defaultGraph, c); if (r) out.add(`the update writes the default graph: ${r}`); }
    for (const g of t.graphs) { const r = this.writeRefusal(g, c); if (r) out.add(r); }
    if (t.allNamed && c.role !== 'admin') out.add('CLEAR / DROP of NAMED or ALL graphs changes graphs managed by the service; only admins may, name the graph instead (CLEAR GRAPH <draft>)');
    if (t.dynamic && c.role !== 'admin' && !this.mayWriteSomeGraph(c)) out.add('the update writes GRAPH ?variable, and you may change no graph: only the draft of a dataset you own (or curate) can be changed');
    return [...out];
  }

  /** Has the caller a draft it may change (admins: always)? */
  protected mayWriteSomeGraph(c: Caller): boolean {
    if (c.role === 'admin') return true;
    for (const e of this.ctx.catalog.entries.values()) if (e.hasDraft && this.ctx.catalog.canWrite(e, c)) return true;
    return false;
  }
}
