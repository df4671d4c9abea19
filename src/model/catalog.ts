/**
 * In-memory index of the datasets (read from their concept graphs at start, kept current by
 * every write): who may read what, and which graphs form the default graph of a query. Its read
 * interface (entry, visibleEntry, graphFor, requireWrite) is what every layer above asks.
 */
import type { GraphStore } from '../store/graph-store.js';
import { NS } from './namespaces.js';
import type { Iris } from './iris.js';
import { ACCESS, type AccessLevel } from './dataset-json.js';
import type { Caller } from './caller.js';
import { ForbiddenError, NotFoundError } from './problems.js';

export interface DatasetEntry {
  id: string;
  access: AccessLevel;
  embargoEnd?: string;
  owner: string;
  title: string;
  hasDraft: boolean;
  versions: number[];
  withdrawn: Set<number>;
  /** compartment slugs with a table graph, per version key ('draft' or n) */
  tables: Map<string, string[]>;
}

/** The graph that stands for a dataset page, and its subject (the version or draft IRI). */
export interface DatasetTarget { graph: string; subject: string; version?: number }

export class Catalog {
  readonly entries = new Map<string, DatasetEntry>();
  constructor(readonly iris: Iris) {}

  async load(store: GraphStore) {
    this.entries.clear();
    const rows = await store.select(`PREFIX syndb: <${NS.syndb}> PREFIX dcterms: <${NS.dcterms}> PREFIX dcat: <${NS.dcat}>
      SELECT ?c ?id ?access ?owner ?title ?draft ?v ?embargo WHERE {
        GRAPH ?c { ?c a syndb:DatasetConcept ; dcterms:identifier ?id ; dcterms:accessRights ?access ; syndb:owner ?owner ; dcterms:title ?title .
          OPTIONAL { ?c syndb:hasDraft ?draft } OPTIONAL { ?c dcat:hasVersion ?v } OPTIONAL { ?c syndb:embargoEndDate ?embargo } } }`);
    for (const r of rows) {
      const id = r.id.value;
      let e = this.entries.get(id);
      if (!e) {
        const access = (Object.entries(ACCESS).find(([, v]) => v === r.access.value)?.[0] ?? 'private') as AccessLevel;
        e = { id, access, owner: r.owner.value, title: r.title.value, hasDraft: false, versions: [], withdrawn: new Set(), tables: new Map(), embargoEnd: r.embargo?.value };
        this.entries.set(id, e);
      }
      if (r.draft) e.hasDraft = true;
      if (r.v) {
        const n = this.iris.parse(r.v.value)?.version;
        if (typeof n === 'number' && !e.versions.includes(n)) e.versions.push(n);
      }
    }
    for (const e of this.entries.values()) e.versions.sort((a, b) => a - b);
    const withdrawn = await store.select(`PREFIX syndb: <${NS.syndb}> SELECT ?v WHERE { GRAPH ?g { ?v syndb:withdrawn true } }`);
    for (const w of withdrawn) {
      const p = this.iris.parse(w.v.value);
      if (p && typeof p.version === 'number') this.entries.get(p.id)?.withdrawn.add(p.version);
    }
    const tables = await store.graphs();
    for (const g of tables) {
      const p = this.iris.parse(g);
      const m = p?.rest && /^\/tables\/([a-z-]+)$/.exec(p.rest);
      if (p && m && p.version !== undefined) {
        const e = this.entries.get(p.id);
        const k = String(p.version);
        if (e) e.tables.set(k, [...(e.tables.get(k) ?? []), m[1]]);
      }
    }
  }

  /** The dataset entry if the caller may see it; 404 otherwise (never reveals private ids). */
  entry(id: string, caller: Caller): DatasetEntry {
    const e = this.entries.get(id);
    if (!e || !this.canRead(e, caller)) throw new NotFoundError(`no dataset "${id}"`);
    return e;
  }

  /**
   * For reads of its content (description, versions, history): as entry(), and a never-published
   * draft is 404 to anyone who may not write it, in the words of a missing dataset (the same rule
   * as SPARQL's graph sets, graphsVisible()). Writes keep entry(): 401/403 say what is missing.
   */
  visibleEntry(id: string, caller: Caller): DatasetEntry {
    const e = this.entries.get(id);
    if (!e || !this.graphsVisible(e, caller)) throw new NotFoundError(`no dataset "${id}"`);
    return e;
  }

  /** The graph to show for GET /datasets/{id}[/versions/n]: latest published version, else the draft (to its writers). */
  graphFor(id: string, caller: Caller, version?: number): DatasetTarget {
    return this.targetOf(this.visibleEntry(id, caller), caller, version);
  }

  /** graphFor() of an entry already looked up (visibleEntry()). */
  targetOf(e: DatasetEntry, caller: Caller, version?: number): DatasetTarget {
    const id = e.id;
    if (version !== undefined) {
      if (!e.versions.includes(version)) throw new NotFoundError(`dataset "${id}" has no version ${version}${e.versions.length ? `; versions: ${e.versions.join(', ')}` : ''}`);
      const g = this.iris.version(id, version);
      return { graph: g, subject: g, version };
    }
    const v = this.latest(e);
    if (v !== undefined) { const g = this.iris.version(id, v); return { graph: g, subject: g, version: v }; }
    if (e.hasDraft && this.canWrite(e, caller)) { const g = this.iris.draft(id); return { graph: g, subject: g }; }
    throw new NotFoundError(`dataset "${id}" has no published version yet`);
  }

  /** The dataset's own provenance graph. */
  provGraph(id: string) { return `${this.iris.concept(id)}/provenance`; }

  requireRole(caller: Caller, roles: string[]) {
    if (caller.role === 'anonymous') throw new ForbiddenError('this needs a token: send "Authorization: Bearer <token>" (create one with `syndb token create --name NAME --role contributor`)', 401);
    if (!roles.includes(caller.role)) throw new ForbiddenError(`role "${caller.role}" may not do this; needs one of: ${roles.join(', ')}`);
  }
  requireWrite(e: DatasetEntry, caller: Caller) {
    this.requireRole(caller, ['admin', 'curator', 'contributor']);
    if (!this.canWrite(e, caller)) throw new ForbiddenError(`only the owner of "${e.id}" or a curator may change it`);
  }

  isPublic(e: DatasetEntry, now = new Date()) {
    return e.access === 'public' || (e.access === 'embargoed' && !!e.embargoEnd && new Date(`${e.embargoEnd}T00:00:00Z`) <= now);
  }
  /** May the caller see this dataset at all? */
  canRead(e: DatasetEntry, c: Caller) {
    return this.isPublic(e) || c.role === 'admin' || c.role === 'curator' || (!!c.user && c.user === e.owner);
  }
  /** May the caller change it (edit, publish, upload tables)? */
  canWrite(e: DatasetEntry, c: Caller) {
    return c.role === 'admin' || c.role === 'curator' || (!!c.user && c.user === e.owner && c.role === 'contributor');
  }
  latest(e: DatasetEntry): number | undefined {
    const live = e.versions.filter((v) => !e.withdrawn.has(v));
    return live.length ? live[live.length - 1] : undefined;
  }

  readable(c: Caller): DatasetEntry[] {
    return [...this.entries.values()].filter((e) => this.canRead(e, c));
  }

  /**
   * May the caller see the dataset's graphs (concept, provenance, versions, tables) through SPARQL
   * and the Graph Store? Exactly when GET /datasets/{id} would answer: a readable dataset with a
   * published version, or one the caller may write. A never-published draft is invisible to
   * everyone else, even when its access level is public.
   */
  graphsVisible(e: DatasetEntry, c: Caller) {
    return this.canRead(e, c) && (e.versions.length > 0 || this.canWrite(e, c));
  }

  private withVisibleGraphs(c: Caller): DatasetEntry[] {
    return [...this.entries.values()].filter((e) => this.graphsVisible(e, c));
  }

  /** The graphs whose union is the SPARQL default graph for this caller (DESIGN.md "Graph layout"). */
  defaultGraphs(c: Caller): string[] {
    const out = [this.iris.ontologyGraph];
    for (const e of this.withVisibleGraphs(c)) {
      out.push(this.iris.concept(e.id), `${this.iris.concept(e.id)}/provenance`);
      const v = this.latest(e);
      if (v !== undefined) {
        out.push(this.iris.version(e.id, v));
        for (const t of e.tables.get(String(v)) ?? []) out.push(this.iris.table(e.id, v, t));
      }
    }
    return out;
  }

  /** Every graph the caller may name (FROM NAMED / GRAPH ?g). */
  namedGraphs(c: Caller): string[] {
    const out = [this.iris.ontologyGraph];
    for (const e of this.withVisibleGraphs(c)) {
      out.push(this.iris.concept(e.id), `${this.iris.concept(e.id)}/provenance`);
      for (const v of e.versions) {
        out.push(this.iris.version(e.id, v));
        for (const t of e.tables.get(String(v)) ?? []) out.push(this.iris.table(e.id, v, t));
      }
      if (e.hasDraft && this.canWrite(e, c)) {
        out.push(this.iris.draft(e.id));
        for (const t of e.tables.get('draft') ?? []) out.push(this.iris.table(e.id, 'draft', t));
      }
    }
    return out;
  }
}
