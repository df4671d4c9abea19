/**
 * The history of a dataset: every PROV-O activity that created, edited, published, uploaded to,
 * withdrew or updated it (its provenance graph `<concept>/provenance`, plus activities in the
 * shared provenance graph that touched its IRIs), newest first.
 */
import type { ReadContext } from '../model/read-context.js';
import type { Caller } from '../model/caller.js';
import { NS } from '../model/namespaces.js';
import { parseRdf, type Quad } from '../util/rdf.js';
import { SPDX_TERMS } from './activity.js';

export type HistoryContext = ReadContext;

export interface HistoryInput {
  iri: string;
  label?: string;
  mediaType?: string;
  byteSize?: number;
  sha256?: string;
  /** The changing entity this input is a state of (the draft, for a publication). */
  specializationOf?: string;
}

export interface HistoryEntry {
  activity: string;
  /** Create, Edit, Publish, TableUpload, AssetUpload, Withdrawal, SparqlUpdate, Delete, Import, or Activity. */
  kind: string;
  label: string;
  /** A sentence: who did what, in plain words. */
  summary: string;
  agent: { iri: string; name: string };
  startedAt: string;
  endedAt: string;
  used: HistoryInput[];
  generated: string[];
  invalidated: string[];
}

const P = {
  prov: (l: string) => `<${NS.prov}${l}>`,
};

/** The graphs that may hold activities of this dataset. */
function provGraphs(ctx: HistoryContext, id: string) {
  return { own: ctx.catalog.provGraph(id), shared: ctx.iris.provenanceGraph, concept: ctx.iris.concept(id) };
}

const str = (s: string) => JSON.stringify(s);

/** IRIs of the activities that belong to dataset `id`. */
async function activityIris(ctx: HistoryContext, id: string): Promise<string[]> {
  const g = provGraphs(ctx, id);
  const rows = await ctx.store.select(`SELECT DISTINCT ?a WHERE {
    { GRAPH <${g.own}> { ?a a ${P.prov('Activity')} } }
    UNION
    { GRAPH <${g.shared}> { ?a a ${P.prov('Activity')} ; ${P.prov('generated')}|${P.prov('invalidated')}|${P.prov('used')} ?x }
      FILTER(STR(?x) = ${str(g.concept)} || STRSTARTS(STR(?x), ${str(`${g.concept}/`)})) }
  }`);
  return rows.map((r) => r.a.value);
}

const values = (iris: string[]) => `VALUES ?a { ${iris.map((i) => `<${i}>`).join(' ')} }`;

/** Every change of a dataset the caller may read, newest first. */
export async function datasetHistory(ctx: HistoryContext, id: string, caller: Caller): Promise<HistoryEntry[]> {
  ctx.catalog.visibleEntry(id, caller);
  const acts = await activityIris(ctx, id);
  if (!acts.length) return [];
  const g = provGraphs(ctx, id);
  const inGraphs = `FILTER(?g = <${g.own}> || ?g = <${g.shared}>)`;
  const [base, used, links] = await Promise.all([
    ctx.store.select(`SELECT ?a ?kind ?label ?agent ?account ?start ?end WHERE { ${values(acts)}
      GRAPH ?g { ?a a ${P.prov('Activity')} .
        OPTIONAL { ?a a ?kind FILTER(STRSTARTS(STR(?kind), ${str(NS.syndb)})) }
        OPTIONAL { ?a <${NS.rdfs}label> ?label }
        OPTIONAL { ?a ${P.prov('wasAssociatedWith')} ?agent OPTIONAL { ?agent <${NS.foaf}accountName> ?account } }
        OPTIONAL { ?a ${P.prov('startedAtTime')} ?start }
        OPTIONAL { ?a ${P.prov('endedAtTime')} ?end } } ${inGraphs} }`),
    ctx.store.select(`SELECT ?a ?u ?label ?format ?size ?sha ?of WHERE { ${values(acts)}
      GRAPH ?g { ?a ${P.prov('used')} ?u .
        OPTIONAL { ?u <${NS.rdfs}label> ?label } OPTIONAL { ?u <${NS.dcterms}format> ?format } OPTIONAL { ?u <${NS.dcat}byteSize> ?size }
        OPTIONAL { ?u <${SPDX_TERMS}checksum> ?c . ?c <${SPDX_TERMS}checksumValue> ?sha ; <${SPDX_TERMS}algorithm> <${SPDX_TERMS}checksumAlgorithm_sha256> .
          FILTER(STRSTARTS(STR(?c), CONCAT(STR(?a), "/"))) }
        OPTIONAL { ?u ${P.prov('specializationOf')} ?of } } ${inGraphs} }`),
    ctx.store.select(`SELECT ?a ?p ?x WHERE { ${values(acts)} VALUES ?p { ${P.prov('generated')} ${P.prov('invalidated')} }
      GRAPH ?g { ?a ?p ?x } ${inGraphs} }`),
  ]);
  const entries = new Map<string, HistoryEntry>();
  for (const r of base) {
    const a = r.a.value;
    let e = entries.get(a);
    if (!e) {
      const agentIri = r.agent?.value ?? '';
      e = {
        activity: a, kind: 'Activity', label: r.label?.value ?? '', summary: '',
        agent: { iri: agentIri, name: r.account?.value ?? decodeURIComponent(agentIri.split('/').pop() ?? '') },
        startedAt: r.start?.value ?? '', endedAt: r.end?.value ?? '', used: [], generated: [], invalidated: [],
      };
      entries.set(a, e);
    }
    if (r.kind) e.kind = r.kind.value.slice(NS.syndb.length);
  }
  for (const r of used) {
    const e = entries.get(r.a.value);
    if (!e) continue;
    let u = e.used.find((x) => x.iri === r.u.value);
    if (!u) { u = { iri: r.u.value }; e.used.push(u); }
    if (r.label) u.label = r.label.value;
    if (r.format) u.mediaType = r.format.value;
    if (r.size) u.byteSize = Number(r.size.value);
    if (r.sha) u.sha256 = r.sha.value.toLowerCase();
    if (r.of) u.specializationOf = r.of.value;
  }
  for (const r of links) {
    const e = entries.get(r.a.value);
    if (!e) continue;
    const list = r.p.value.endsWith('generated') ? e.generated : e.invalidated;
    if (!list.includes(r.x.value)) list.push(r.x.value);
  }
  const out = [...entries.values()];
  for (const e of out) {
    e.generated.sort(); e.invalidated.sort(); e.used.sort((x, y) => x.iri.localeCompare(y.iri));
    e.summary = summarize(ctx, e);
  }
  return out.sort((x, y) => (Date.parse(y.startedAt) || 0) - (Date.parse(x.startedAt) || 0)
    || (Date.parse(y.endedAt) || 0) - (Date.parse(x.endedAt) || 0) || y.activity.localeCompare(x.activity));
}

function describeEntity(ctx: HistoryContext, iriValue: string): string {
  const p = ctx.iris.parse(iriValue);
  if (!p) return iriValue;
  const rest = p.rest ? p.rest.replace(/^\//, '') : '';
  const what = p.version === 'draft' ? 'the draft' : typeof p.version === 'number' ? `version ${p.version}` : 'the dataset';
  if (!rest) return what;
  const t = /^tables\/([a-z-]+)/.exec(rest);
  if (t) return `the ${t[1]} table of ${what}`;
  return `${rest} of ${what}`;
}

const VERBS: Record<string, string> = {
  Create: 'created', Edit: 'edited', Publish: 'published', TableUpload: 'uploaded', AssetUpload: 'uploaded',
  Withdrawal: 'withdrew', SparqlUpdate: 'changed by SPARQL Update', Delete: 'deleted', Import: 'imported',
  DoiRegistration: 'registered at DataCite',
};

/** One sentence: "alice published version 2", "alice withdrew version 1 (reason)". */
function summarize(ctx: HistoryContext, e: HistoryEntry): string {
  const who = e.agent.name || 'someone';
  const verb = VERBS[e.kind] ?? 'changed';
  let objects: string[];
  if (e.kind === 'Create') objects = ['the dataset (as a draft)'];
  else if (e.kind === 'Withdrawal') objects = e.invalidated.map((x) => describeEntity(ctx, x));
  else if (e.kind === 'DoiRegistration') return e.label;
  else if (e.kind === 'SparqlUpdate') return `${who} changed ${[...e.generated, ...e.invalidated].map((x) => describeEntity(ctx, x)).join(', ') || 'the data'} with a SPARQL Update`;
  else objects = [...e.generated.map((x) => describeEntity(ctx, x)), ...e.invalidated.map((x) => `${describeEntity(ctx, x)} (removed)`)];
  const inputs = e.used.filter((u) => u.sha256 && !u.specializationOf).map((u) => `${u.label ?? 'input'}${u.byteSize !== undefined ? `, ${u.byteSize} bytes` : ''}`);
  let s = `${who} ${verb} ${objects.join(', ') || 'the dataset'}`;
  if (e.kind === 'Withdrawal') {
    const reason = /: (.*)$/s.exec(e.label)?.[1];
    if (reason) s += ` because: ${reason}`;
  } else if (inputs.length && e.kind !== 'Publish') s += ` from ${inputs.join('; ')}`;
  return s;
}

/**
 * The provenance records of a dataset as quads (for JSON-LD / Turtle): its provenance graph plus
 * the activities of the shared provenance graph that touched it, in a stable order.
 */
export async function historyQuads(ctx: HistoryContext, id: string, caller: Caller): Promise<Quad[]> {
  ctx.catalog.visibleEntry(id, caller);
  const g = provGraphs(ctx, id);
  const own = parseRdf(await ctx.store.dumpGraph(g.own), 'application/n-quads');
  const acts = await activityIris(ctx, id);
  const sharedActs = (await Promise.all(acts.map(async (a) => (await ctx.store.ask(`ASK { GRAPH <${g.shared}> { <${a}> a ${P.prov('Activity')} } }`)) ? a : undefined))).filter((a): a is string => !!a);
  let shared: Quad[] = [];
  if (sharedActs.length) {
    const res = await ctx.store.query(`CONSTRUCT { ?a ?p ?o . ?o ?p2 ?o2 . ?o2 ?p3 ?o3 } WHERE { ${values(sharedActs)}
      GRAPH <${g.shared}> { ?a ?p ?o OPTIONAL { FILTER(?p = ${P.prov('used')} || ?p = ${P.prov('wasAssociatedWith')}) ?o ?p2 ?o2
        OPTIONAL { FILTER(?p2 = <${SPDX_TERMS}checksum>) ?o2 ?p3 ?o3 } } } }`, { format: 'application/n-triples' });
    shared = parseRdf(res.body, 'application/n-triples');
  }
  const seen = new Set<string>();
  const out: Array<{ k: string; q: Quad }> = [];
  for (const q of [...own, ...shared]) {
    const k = `${q.subject.value}\u0000${q.predicate.value}\u0000${q.object.termType}:${q.object.value}\u0000${q.object.termType === 'Literal' ? (q.object as { datatype: { value: string } }).datatype.value : ''}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ k, q });
  }
  return out.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0)).map((x) => x.q);
}

/**
 * One activity (`B/activities/{uuid}`) as quads: itself, its inputs with their checksums, its
 * agent. Undefined when it does not exist or touches a dataset the caller may not read.
 */
export async function activityQuadsFor(ctx: HistoryContext, activity: string, caller: Caller): Promise<Quad[] | undefined> {
  const rows = await ctx.store.select(`SELECT DISTINCT ?g WHERE { GRAPH ?g { <${activity}> a ${P.prov('Activity')} } }`);
  const graphs = rows.map((r) => r.g.value).filter((g) => g === ctx.iris.provenanceGraph || g.endsWith('/provenance'));
  if (!graphs.length) return undefined;
  const out: Quad[] = [];
  const seen = new Set<string>();
  for (const g of graphs) {
    const res = await ctx.store.query(`CONSTRUCT { <${activity}> ?p ?o . ?o ?p2 ?o2 . ?o2 ?p3 ?o3 } WHERE { GRAPH <${g}> { <${activity}> ?p ?o
      OPTIONAL { FILTER(?p = ${P.prov('used')} || ?p = ${P.prov('wasAssociatedWith')}) ?o ?p2 ?o2
        OPTIONAL { FILTER(?p2 = <${SPDX_TERMS}checksum>) ?o2 ?p3 ?o3 } } } }`, { format: 'application/n-triples' });
    for (const q of parseRdf(res.body, 'application/n-triples')) {
      const k = `${q.subject.value} ${q.predicate.value} ${q.object.termType} ${q.object.value}`;
      if (!seen.has(k)) { seen.add(k); out.push(q); }
    }
  }
  // every dataset it names must be readable by the caller
  const named = new Set<string>();
  for (const q of out) for (const t of [q.subject, q.object]) {
    const p = t.termType === 'NamedNode' ? ctx.iris.parse(t.value) : undefined;
    if (p) named.add(p.id);
  }
  for (const g of graphs) { const p = ctx.iris.parse(g); if (p) named.add(p.id); }
  for (const id of named) {
    const e = ctx.catalog.entries.get(id);
    if (!e || !ctx.catalog.graphsVisible(e, caller)) return undefined;
  }
  if (!named.size && caller.role !== 'admin') return undefined;
  const key = (q: Quad) => `${q.subject.value}\u0000${q.predicate.value}\u0000${q.object.value}`;
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * One agent (`B/users/{name}`, the prov:wasAssociatedWith of activities) as quads: its own
 * statements (prov:Agent, foaf:OnlineAccount, foaf:accountName). Undefined unless it carried out
 * an activity of a dataset whose graphs the caller may read (so a name is not given away by
 * private datasets alone).
 */
export async function agentQuadsFor(ctx: HistoryContext, agent: string, caller: Caller): Promise<Quad[] | undefined> {
  const rows = await ctx.store.select(`SELECT DISTINCT ?g WHERE { GRAPH ?g { ?a ${P.prov('wasAssociatedWith')} <${agent}> } }`);
  const visible = rows.map((r) => r.g.value).filter((g) => {
    if (!g.endsWith('/provenance')) return false;
    const p = ctx.iris.parse(g);
    const e = p && ctx.catalog.entries.get(p.id);
    return !!e && ctx.catalog.graphsVisible(e, caller);
  });
  if (!visible.length) return undefined;
  const res = await ctx.store.query(`CONSTRUCT { <${agent}> ?p ?o } WHERE { GRAPH <${visible[0]}> { <${agent}> ?p ?o } }`, { format: 'application/n-triples' });
  const quads = parseRdf(res.body, 'application/n-triples');
  return quads.length ? quads : undefined;
}
