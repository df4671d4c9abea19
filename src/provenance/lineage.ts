/**
 * Lineage: what a dataset version (and its tables) was derived from, transitively: other
 * datasets here (followed into their own lineage), external datasets by DOI or URL, CAVE
 * tables at a materialization version and timestamp, and the method papers it references.
 */
import type { ReadContext } from '../model/read-context.js';
import type { Caller } from '../model/caller.js';
import { NS, compactIri } from '../model/namespaces.js';
import { df, iri, lit, typed, RDF_TYPE, type Quad, type Term } from '../util/rdf.js';
import { sortedGraph } from './versions.js';

export type LineageContext = ReadContext;

export type LineageKind = 'version' | 'draft' | 'table' | 'source-table' | 'publication' | 'external';

export interface LineageNode {
  iri: string;
  kind: LineageKind;
  label: string;
  /** Readable facts: dataset id and version, DOI, materialization version and timestamp, row count, … */
  details: Record<string, string>;
  /** Steps from the starting version. */
  depth: number;
}

export interface LineageEdge {
  from: string;
  to: string;
  /** prov:wasDerivedFrom, dcterms:references (a method paper) or dcterms:isPartOf (a table of a version). */
  property: string;
  relation: 'derived from' | 'method paper' | 'table of';
}

export interface Lineage {
  root: string;
  nodes: LineageNode[];
  edges: LineageEdge[];
}

const MAX_NODES = 300;
const DERIVED = `${NS.prov}wasDerivedFrom`;
const REFERENCES = `${NS.dcterms}references`;

const objectsOf = (qs: Quad[], s: string, p: string) => qs.filter((q) => q.subject.value === s && q.predicate.value === p).map((q) => q.object);
const firstOf = (qs: Quad[], s: string, p: string) => objectsOf(qs, s, p)[0]?.value;

/** The transitive lineage of a dataset (its latest version, or `version`), as far as the caller may read. */
export async function datasetLineage(ctx: LineageContext, id: string, caller: Caller, version?: number): Promise<Lineage> {
  const start = ctx.catalog.graphFor(id, caller, version);
  const nodes = new Map<string, LineageNode>();
  const edges: LineageEdge[] = [];
  const edgeKeys = new Set<string>();
  const addEdge = (from: string, to: string, property: string, relation: LineageEdge['relation']) => {
    const k = `${from} ${property} ${to}`;
    if (edgeKeys.has(k)) return;
    edgeKeys.add(k);
    edges.push({ from, to, property, relation });
  };
  const queue: Array<{ graph: string; subject: string; depth: number; id: string; version?: number }> = [];
  const visitLocal = (dsId: string, subject: string, v: number | undefined, depth: number) => {
    if (nodes.has(subject)) return;
    const e = ctx.catalog.entries.get(dsId)!;
    const details: Record<string, string> = { dataset: dsId, version: v === undefined ? 'draft' : String(v) };
    if (v !== undefined && e.withdrawn.has(v)) details.withdrawn = 'true';
    nodes.set(subject, { iri: subject, kind: v === undefined ? 'draft' : 'version', label: e.title, details, depth });
    queue.push({ graph: subject, subject, depth, id: dsId, version: v });
  };
  visitLocal(id, start.subject, start.version, 0);

  /** A local IRI the caller may read, resolved to the graph to follow; undefined if it is not one. */
  const resolveLocal = (target: string): { id: string; subject: string; version?: number } | undefined => {
    const p = ctx.iris.parse(target);
    if (!p || p.rest) return undefined;
    const e = ctx.catalog.entries.get(p.id);
    if (!e || !ctx.catalog.canRead(e, caller)) return undefined;
    if (typeof p.version === 'number') return e.versions.includes(p.version) ? { id: p.id, subject: target, version: p.version } : undefined;
    if (p.version === 'draft') return undefined;
    try {
      const g = ctx.catalog.graphFor(p.id, caller);
      return { id: p.id, subject: g.subject, version: g.version };
    } catch { return undefined; }
  };

  const describeTarget = (qs: Quad[], t: Term, depth: number): string | undefined => {
    if (t.termType !== 'NamedNode') return undefined;
    const x = t.value;
    const local = resolveLocal(x);
    if (local) { visitLocal(local.id, local.subject, local.version, depth); return local.subject; }
    const have = nodes.get(x);
    const types = objectsOf(qs, x, `${NS.rdf}type`).map((o) => o.value);
    const name = firstOf(qs, x, `${NS.schema}name`) ?? firstOf(qs, x, `${NS.dcterms}title`) ?? firstOf(qs, x, `${NS.rdfs}label`);
    let node: LineageNode;
    if (types.includes(`${NS.syndb}SourceTable`)) {
      const details: Record<string, string> = {};
      const set = (k: string, p: string) => { const v = firstOf(qs, x, p); if (v) details[k] = v; };
      set('system', `${NS.syndb}sourceSystem`); set('materializationVersion', `${NS.syndb}materializationVersion`);
      set('materializationTimestamp', `${NS.syndb}materializationTimestamp`); set('rowCount', `${NS.syndb}rowCount`);
      set('supersededBy', `${NS.dcterms}isReplacedBy`);
      const label = `${details.system ? `${details.system} table ` : 'table '}${name ?? '?'}${details.materializationVersion ? ` v${details.materializationVersion}` : ''}`;
      node = { iri: x, kind: 'source-table', label, details, depth };
    } else if (x.startsWith(NS.doi)) {
      const doi = decodeURIComponent(x.slice(NS.doi.length));
      const details: Record<string, string> = { doi };
      const year = firstOf(qs, x, `${NS.schema}datePublished`);
      if (year) details.year = year.slice(0, 4);
      node = { iri: x, kind: types.includes(`${NS.schema}ScholarlyArticle`) || name ? 'publication' : 'external', label: name ?? `doi:${doi}`, details, depth };
    } else {
      node = { iri: x, kind: 'external', label: name ?? x, details: {}, depth };
    }
    if (have) {
      // keep the first depth, fill in what the other graph knows
      if (have.label === have.iri || have.label.startsWith('doi:')) have.label = node.label;
      if (have.kind === 'external' && node.kind !== 'external') have.kind = node.kind;
      have.details = { ...node.details, ...have.details };
    } else if (nodes.size < MAX_NODES) nodes.set(x, node);
    else return undefined;
    return x;
  };

  while (queue.length) {
    const cur = queue.shift()!;
    const qs = await sortedGraph(ctx.store, cur.graph);
    const e = ctx.catalog.entries.get(cur.id)!;
    const own = nodes.get(cur.subject)!;
    if (cur.depth === 0 || own.label === e.title) own.label = firstOf(qs, cur.subject, `${NS.dcterms}title`) ?? own.label;
    for (const t of objectsOf(qs, cur.subject, DERIVED)) {
      const to = describeTarget(qs, t, cur.depth + 1);
      if (to) addEdge(cur.subject, to, DERIVED, 'derived from');
    }
    for (const t of objectsOf(qs, cur.subject, REFERENCES)) {
      const to = describeTarget(qs, t, cur.depth + 1);
      if (to) addEdge(cur.subject, to, REFERENCES, 'method paper');
    }
    // tables of this version that declare their own sources
    for (const c of e.tables.get(cur.version === undefined ? 'draft' : String(cur.version)) ?? []) {
      const T = ctx.iris.table(cur.id, cur.version ?? 'draft', c);
      const tq = await ctx.store.select(`SELECT ?x WHERE { GRAPH <${T}> { <${T}> <${DERIVED}> ?x } }`);
      if (!tq.length) continue;
      const tableQuads = await sortedGraph(ctx.store, T);
      if (!nodes.has(T)) nodes.set(T, { iri: T, kind: 'table', label: `${c} table`, details: { dataset: cur.id, compartment: c }, depth: cur.depth + 1 });
      addEdge(cur.subject, T, `${NS.dcterms}hasPart`, 'table of');
      for (const r of tq) {
        const to = describeTarget(tableQuads, iri(r.x.value), cur.depth + 2);
        if (to) addEdge(T, to, DERIVED, 'derived from');
      }
    }
  }
  const nodeList = [...nodes.values()].sort((a, b) => a.depth - b.depth || kindOrder(a.kind) - kindOrder(b.kind) || a.label.localeCompare(b.label) || a.iri.localeCompare(b.iri));
  return { root: start.subject, nodes: nodeList, edges: edges.sort((a, b) => a.from.localeCompare(b.from) || a.property.localeCompare(b.property) || a.to.localeCompare(b.to)) };
}

const KINDS: LineageKind[] = ['version', 'draft', 'table', 'source-table', 'external', 'publication'];
const kindOrder = (k: LineageKind) => KINDS.indexOf(k);

/** Every node reachable from the root along the edges (the transitive chain). */
export function reachable(l: Lineage, from = l.root): Set<string> {
  const out = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const n = stack.pop()!;
    for (const e of l.edges) if (e.from === n && !out.has(e.to)) { out.add(e.to); stack.push(e.to); }
  }
  return out;
}

const TYPES: Record<LineageKind, string[]> = {
  version: [`${NS.dcat}Dataset`, `${NS.prov}Entity`], draft: [`${NS.dcat}Dataset`, `${NS.prov}Entity`],
  table: [`${NS.dcat}Dataset`, `${NS.prov}Entity`], 'source-table': [`${NS.syndb}SourceTable`, `${NS.prov}Entity`],
  publication: [`${NS.schema}ScholarlyArticle`, `${NS.prov}Entity`], external: [`${NS.prov}Entity`],
};
const DETAIL_PROPS: Record<string, { p: string; dt?: string }> = {
  system: { p: `${NS.syndb}sourceSystem` }, materializationVersion: { p: `${NS.syndb}materializationVersion`, dt: 'integer' },
  materializationTimestamp: { p: `${NS.syndb}materializationTimestamp`, dt: 'dateTime' }, rowCount: { p: `${NS.syndb}rowCount`, dt: 'integer' },
  supersededBy: { p: `${NS.dcterms}isReplacedBy` }, doi: { p: `${NS.dcterms}identifier` }, year: { p: `${NS.schema}datePublished`, dt: 'gYear' },
  version: { p: `${NS.dcat}version` }, dataset: { p: `${NS.dcterms}isVersionOf` },
};

/** The lineage as RDF (PROV-O, DCAT, schema.org): one triple per edge, labels and facts per node. */
export function lineageQuads(ctx: Pick<ReadContext, 'iris'>, l: Lineage): Quad[] {
  const out: Quad[] = [];
  const add = (s: string, p: string, o: Quad['object']) => out.push(df.quad(iri(s), iri(p), o));
  for (const n of l.nodes) {
    for (const t of TYPES[n.kind]) add(n.iri, RDF_TYPE.value, iri(t));
    add(n.iri, `${NS.rdfs}label`, lit(n.label));
    for (const [k, v] of Object.entries(n.details)) {
      const d = DETAIL_PROPS[k];
      if (!d) continue;
      if (k === 'dataset') add(n.iri, d.p, iri(ctx.iris.concept(v)));
      else if (k === 'version' && v === 'draft') continue;
      else add(n.iri, d.p, d.dt ? typed(v, d.dt) : lit(v));
    }
    if (n.details.withdrawn) add(n.iri, `${NS.syndb}withdrawn`, typed('true', 'boolean'));
  }
  for (const e of l.edges) add(e.from, e.property, iri(e.to));
  return out;
}

/** JSON-LD document of the lineage: a readable context, one object per node, edges as links. */
export function lineageJsonLd(ctx: Pick<ReadContext, 'iris'>, l: Lineage): object {
  const context = {
    prov: NS.prov, dcat: NS.dcat, dcterms: NS.dcterms, schema: NS.schema, syndb: NS.syndb, rdfs: NS.rdfs, xsd: NS.xsd,
    label: 'rdfs:label',
    wasDerivedFrom: { '@id': 'prov:wasDerivedFrom', '@type': '@id', '@container': '@set' },
    references: { '@id': 'dcterms:references', '@type': '@id', '@container': '@set' },
    hasPart: { '@id': 'dcterms:hasPart', '@type': '@id', '@container': '@set' },
    isVersionOf: { '@id': 'dcterms:isVersionOf', '@type': '@id' },
    version: 'dcat:version', identifier: 'dcterms:identifier', isReplacedBy: 'dcterms:isReplacedBy',
    datePublished: { '@id': 'schema:datePublished', '@type': 'xsd:gYear' },
    sourceSystem: 'syndb:sourceSystem',
    materializationVersion: { '@id': 'syndb:materializationVersion', '@type': 'xsd:integer' },
    materializationTimestamp: { '@id': 'syndb:materializationTimestamp', '@type': 'xsd:dateTime' },
    rowCount: { '@id': 'syndb:rowCount', '@type': 'xsd:integer' },
    withdrawn: { '@id': 'syndb:withdrawn', '@type': 'xsd:boolean' },
  };
  const key: Record<string, string> = {
    system: 'sourceSystem', materializationVersion: 'materializationVersion', materializationTimestamp: 'materializationTimestamp',
    rowCount: 'rowCount', supersededBy: 'isReplacedBy', doi: 'identifier', year: 'datePublished', version: 'version', dataset: 'isVersionOf',
  };
  const graph = l.nodes.map((n) => {
    const o: Record<string, unknown> = { '@id': n.iri, '@type': TYPES[n.kind].map(compactIri), label: n.label };
    for (const [k, v] of Object.entries(n.details)) {
      if (k === 'withdrawn') { o.withdrawn = 'true'; continue; }
      if (!key[k] || (k === 'version' && v === 'draft')) continue;
      o[key[k]] = k === 'dataset' ? ctx.iris.concept(v) : v;
    }
    for (const [prop, name] of [[DERIVED, 'wasDerivedFrom'], [REFERENCES, 'references'], [`${NS.dcterms}hasPart`, 'hasPart']] as const) {
      const to = l.edges.filter((e) => e.from === n.iri && e.property === prop).map((e) => e.to);
      if (to.length) o[name] = to;
    }
    return o;
  });
  // no top-level @id: with one, @graph would be a named graph (JSON-LD 1.1 §4.9) and plain-graph readers would see nothing
  return { '@context': context, '@graph': graph };
}
