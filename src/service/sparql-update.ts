/**
 * Writes through SPARQL 1.1 Update and the Graph Store Protocol, under the same rules as every
 * other write: only graphs the caller may change, SHACL validation of every changed graph,
 * one atomic and durable transaction, a PROV-O record. The update is parsed once (src/sparql,
 * with the configured limits); its syntax tree says which graphs it names and which it writes.
 * An update that names a graph its author may not change is refused whole (403) before it runs;
 * a `GRAPH ?g` template is checked on the graphs it actually changed.
 *
 * Where graphs may live (docs: README "SPARQL endpoint"):
 * - dataset graphs (B/datasets/…): only a dataset's draft graph and its existing draft table
 *   graphs may be changed, by whoever may write the dataset; versions, concept, provenance are
 *   immutable or managed by the service;
 * - service graphs (B/graphs/…, B/activities/…, B/users/…, B/collections/…): never;
 * - free graphs: any IRI outside B, graphs under B/store/ (GSP direct identification) and the
 *   store default graph B/graphs/default: written by admins only; readable by admins and curators,
 *   and by everyone once an admin marks the graph public (GSP `?access=public`), which is recorded
 *   in the system graph as `<g> dcterms:accessRights ar:PUBLIC`.
 */
import { randomUUID } from 'node:crypto';
import oxigraph from 'oxigraph';
import type { ServiceContext } from './context.js';
import type { Caller } from '../model/caller.js';
import type { WriteOp } from '../store/graph-store.js';
import { NS } from '../model/namespaces.js';
import { parseRdf, toNQuads, inGraph, type Quad } from '../util/rdf.js';
import { checkGraphContent } from './draft-check.js';
import { activityQuads } from '../provenance/activity.js';
import { InputError, type Problem } from '../model/problems.js';
import { ForbiddenError } from '../model/problems.js';
import { parseUpdateAsync, analyseUpdate, withUsing, SparqlSyntaxError, type UpdateTargets } from '../sparql/index.js';

/** Oxigraph's parse errors read "error at 1:5: expected …": the position, if the message has one. */
export function errorPosition(message: string): { line: number; column: number } | undefined {
  const m = /(?:at|line)\s+(\d+):(\d+)/.exec(message);
  return m ? { line: Number(m[1]), column: Number(m[2]) } : undefined;
}

// ------------------------------------------------------------------------------------ graph rights

const AR_PUBLIC = 'http://publications.europa.eu/resource/authority/access-right/PUBLIC';
const DCT_ACCESS = `${NS.dcterms}accessRights`;
const isAbsoluteIri = (s: string) => /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|^`\\]*$/.test(s);

export class SparqlWrites {
  /** Non-empty free graphs (kept current by our writes; only this module writes them). */
  private free = new Set<string>();
  private publicFree = new Set<string>();
  private loaded?: Promise<void>;

  constructor(readonly ctx: ServiceContext) {}

  get base() { return this.ctx.iris.base; }
  /** The graph that stands for "the default graph" of updates and of GSP `?default`. */
  get defaultGraph() { return `${this.base}/graphs/default`; }

  private async load() {
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
  private mayWriteSomeGraph(c: Caller): boolean {
    if (c.role === 'admin') return true;
    for (const e of this.ctx.catalog.entries.values()) if (e.hasDraft && this.ctx.catalog.canWrite(e, c)) return true;
    return false;
  }

  /** SPARQL and Graph Store writes may touch any graph: each runs alone (no dataset write beside it). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    return this.ctx.datasets.locks.all(fn);
  }

  /**
   * Run a SPARQL Update for the caller. Its graph store is: the caller's free graphs (admins),
   * the default graph B/graphs/default, and every graph the caller may read that the update names
   * explicitly. Only graphs the caller may write may change; all must stay valid.
   */
  async update(caller: Caller, text: string, opts: { using?: string[]; usingNamed?: string[]; baseIri: string; timeoutMs?: number }): Promise<WriteOutcome> {
    if (caller.role === 'anonymous') throw new ForbiddenError('SPARQL Update needs a token: send "Authorization: Bearer <token>"', 401);
    // limits and syntax before anything else (SparqlLimitError goes up as it is: a 400 naming the limit)
    let tree;
    try {
      tree = (await parseUpdateAsync(text, { base: opts.baseIri, limits: this.ctx.config.sparqlLimits })).tree;
    } catch (e) {
      if (e instanceof SparqlSyntaxError) throw new UpdateRequestError(`the update is not valid SPARQL 1.1 Update: ${e.message}`, e.position);
      throw e;
    }
    const a = analyseUpdate(tree);
    if (a.usesService) throw new UpdateRequestError('SERVICE (federated query) is not available on this endpoint');
    return this.serial(async () => {
      await this.load();
      const started = new Date();
      const using = opts.using ?? [], usingNamed = opts.usingNamed ?? [];
      if ((using.length || usingNamed.length) && a.hasUsingOrWith) {
        throw new UpdateRequestError('the request has using-graph-uri / using-named-graph-uri parameters and the update has USING or WITH clauses; SPARQL 1.1 Protocol §2.2.3 forbids both, use one or the other');
      }
      for (const g of [...using, ...usingNamed]) if (!isAbsoluteIri(g)) throw new UpdateRequestError(`using-graph-uri / using-named-graph-uri "${g}" is not an absolute IRI`);
      const refusals = this.targetRefusals(a.targets, caller);
      if (refusals.length) throw new ForbiddenError(`nothing was changed: ${refusals.join('; ')}`, 403);
      const names = new Set<string>();
      if (caller.role === 'admin') for (const g of this.free) names.add(g);
      const readableNamed = new Set(this.ctx.catalog.namedGraphs(caller));
      for (const g of [...a.iris, ...using, ...usingNamed]) {
        if (g === this.defaultGraph) continue;
        if (this.isFree(g) ? this.free.has(g) && this.canReadFree(g, caller) : readableNamed.has(g)) names.add(g);
      }
      names.delete(this.defaultGraph);
      const defaultReadable = this.canReadFree(this.defaultGraph, caller);
      const dText = defaultReadable && this.free.has(this.defaultGraph) ? await this.ctx.store.dumpGraph(this.defaultGraph) : '';
      const graphs: [string, string][] = [];
      for (const g of names) graphs.push([g, await this.ctx.store.dumpGraph(g)]);
      const r = await runScratchUpdate({ defaultNq: dText, graphs, update: withUsing(text, tree, using, usingNamed), baseIri: opts.baseIri }, Math.min(opts.timeoutMs ?? Infinity, this.ctx.config.queryTimeoutMs));
      if ('error' in r) throw new UpdateRequestError(`the update is not valid SPARQL 1.1 Update: ${r.error}`, errorPosition(r.error));
      const beforeSets = new Map(Object.entries(r.before).map(([g, l]) => [g, new Set(l)]));
      const afterSets = new Map(Object.entries(r.after).map(([g, l]) => [g, new Set(l)]));
      const after = new Set([...afterSets.keys(), ...beforeSets.keys()]);
      const dumpOf = (g: string) => afterSets.get(g) ?? new Set<string>();
      const changes = new Map<string, { add: string[]; del: string[] }>();
      for (const g of after) {
        const now = dumpOf(g);
        const was = beforeSets.get(g) ?? new Set<string>();
        const add = [...now].filter((l) => !was.has(l));
        const del = [...was].filter((l) => !now.has(l));
        if (add.length || del.length) changes.set(g === '' ? this.defaultGraph : g, { add, del });
      }
      return this.commit(caller, changes, { kind: 'update', text, started });
    });
  }

  /** GSP PUT (replace) / POST (merge) of parsed triples into graph g. */
  async putGraph(caller: Caller, g: string, triples: string, mode: 'put' | 'post', input: { body: string | Buffer; mediaType: string }, access?: 'public' | 'private'): Promise<WriteOutcome & { created: boolean }> {
    return this.serial(async () => {
      await this.load();
      const started = new Date();
      const refusal = this.writeRefusal(g, caller);
      if (refusal) throw new ForbiddenError(refusal, caller.role === 'anonymous' ? 401 : 403);
      if (access && !(this.isFree(g) && caller.role === 'admin')) throw new ForbiddenError('only admins may set ?access=, and only on graphs outside the dataset IRI space');
      const existed = this.isFree(g) ? this.free.has(g) : await this.exists(g);
      const was = new Set((existed ? stripGraph(await this.ctx.store.dumpGraph(g)) : '').split('\n').filter(Boolean));
      const incoming = new Set(triples.split('\n').filter(Boolean));
      const now = mode === 'put' ? incoming : new Set([...was, ...incoming]);
      const add = [...now].filter((l) => !was.has(l));
      const del = [...was].filter((l) => !now.has(l));
      const changes = new Map<string, { add: string[]; del: string[] }>();
      if (add.length || del.length) changes.set(g, { add, del });
      const out = await this.commit(caller, changes, { kind: 'gsp', text: input.body, mediaType: input.mediaType, started, label: `Graph Store ${mode.toUpperCase()} <${g}>` }, access ? { graph: g, access } : undefined);
      return { ...out, created: !existed && now.size > 0 };
    });
  }

  async deleteGraph(caller: Caller, g: string): Promise<WriteOutcome> {
    return this.serial(async () => {
      await this.load();
      const refusal = this.writeRefusal(g, caller);
      if (refusal) throw new ForbiddenError(refusal, caller.role === 'anonymous' ? 401 : 403);
      const was = stripGraph(await this.ctx.store.dumpGraph(g)).split('\n').filter(Boolean);
      const changes = new Map([[g, { add: [] as string[], del: was }]]);
      return this.commit(caller, changes, { kind: 'gsp', text: `DELETE <${g}>`, mediaType: 'text/plain', started: new Date(), label: `Graph Store DELETE <${g}>` });
    });
  }

  /** Check rights, skolemise, validate each changed graph, then one transaction with provenance. */
  private async commit(caller: Caller, changes: Map<string, { add: string[]; del: string[] }>, what: { kind: 'update' | 'gsp'; text: string | Buffer; mediaType?: string; started: Date; label?: string }, mark?: { graph: string; access: 'public' | 'private' }): Promise<WriteOutcome> {
    const refusals: string[] = [];
    for (const g of changes.keys()) {
      const r = this.writeRefusal(g, caller);
      if (r) refusals.push(r);
    }
    if (refusals.length) throw new ForbiddenError(`nothing was changed: ${refusals.join('; ')}`, caller.role === 'anonymous' ? 401 : 403);
    const problems: Problem[] = [];
    const reports: string[] = [];
    const ops: WriteOp[] = [];
    const newContent = new Map<string, Quad[]>();
    for (const [g, ch] of changes) {
      // blank nodes get fresh skolem IRIs in the graph they are written to (RDF 1.1 §3.5)
      const labels = new Map<string, string>();
      const sk = (line: string) => line.replace(/_:([A-Za-z0-9_\-.]+)/g, (m, l: string, off: number, s: string) => {
        if (insideLiteral(s, off)) return m;
        let v = labels.get(l);
        if (!v) { v = `<${g}/.well-known/genid/${randomUUID()}>`; labels.set(l, v); }
        return v;
      });
      ch.add = ch.add.map(sk);
      const was = stripGraph(g === this.defaultGraph && !this.free.has(g) ? '' : await this.ctx.store.dumpGraph(g)).split('\n').filter(Boolean);
      const del = new Set(ch.del);
      const content = [...was.filter((l) => !del.has(l)), ...ch.add];
      const quads = parseRdf(content.join('\n') + '\n', 'application/n-triples');
      newContent.set(g, quads);
      // the whole graph as it would be after the change (service/draft-check.ts)
      const touched = new Set(parseRdf([...ch.add, ...ch.del].join('\n') + '\n', 'application/n-triples').map((q) => q.subject.value));
      const pr = this.ctx.iris.parse(g);
      const check = await checkGraphContent(this.ctx.datasets.d, g, quads, { touched, draftTables: pr ? this.ctx.catalog.entries.get(pr.id)?.tables.get('draft') : undefined });
      if (check.report) reports.push(check.report);
      for (const r of check.problems) problems.push({ ...r, message: `in graph <${g}>: ${r.message}` });
      // the draft's access and embargo live in the concept graph too: they change only through PUT /datasets/{id}
      const p = this.ctx.iris.parse(g);
      if (p && p.version === 'draft' && !p.rest) {
        const D = this.ctx.iris.draft(p.id);
        const guarded = [DCT_ACCESS, `${NS.syndb}embargoEndDate`];
        for (const l of [...ch.add, ...ch.del]) {
          if (l.startsWith(`<${D}> `) && guarded.some((pr) => l.startsWith(`<${D}> <${pr}> `))) {
            problems.push({ path: l.includes('embargo') ? 'embargoEndDate' : 'access', value: l, message: `the access rights and embargo of "${p.id}" change only with PUT /datasets/${p.id}`, focusNode: D, severity: 'Violation' });
          }
        }
      }
    }
    if (problems.some((p) => p.severity === 'Violation')) throw new InputError('The change would make the store invalid', problems, 422, reports.join('\n'));
    for (const [g, ch] of changes) {
      if (ch.del.length) ops.push({ op: 'delete', nquads: ch.del.map((l) => toQuadLine(l, g)).join('') });
      if (ch.add.length) ops.push({ op: 'add', nquads: ch.add.map((l) => toQuadLine(l, g)).join('') });
    }
    const sys = this.ctx.iris.systemGraph;
    if (mark) {
      const line = `<${mark.graph}> <${DCT_ACCESS}> <${AR_PUBLIC}> <${sys}> .\n`;
      ops.push({ op: mark.access === 'public' ? 'add' : 'delete', nquads: line });
    }
    let activity: string | undefined;
    if (changes.size > 0 || mark) {
      const generated = changes.size > 0 ? [...changes.keys()] : [mark!.graph];
      const act = activityQuads(this.ctx.iris, {
        kind: 'SparqlUpdate', user: caller.user ?? 'anonymous', startedAt: what.started,
        used: [{ content: what.text, mediaType: what.mediaType ?? 'application/sparql-update', label: what.kind === 'update' ? 'SPARQL Update request' : 'Graph Store Protocol request body' }],
        generated, label: (what.label ?? `SPARQL Update changing ${changes.size} graph${changes.size === 1 ? '' : 's'}`) + (mark ? `; graph <${mark.graph}> marked ${mark.access}` : ''),
      });
      activity = act.iri;
      const provGraphs = new Set<string>();
      for (const g of generated) {
        const p = this.ctx.iris.parse(g);
        provGraphs.add(p ? `${this.ctx.iris.concept(p.id)}/provenance` : this.ctx.iris.provenanceGraph);
      }
      for (const pg of provGraphs) ops.push({ op: 'add', nquads: toNQuads(inGraph(act.quads, pg)) });
    }
    if (ops.length) await this.ctx.store.transact(ops);
    for (const [g, quads] of newContent) if (this.isFree(g)) { if (quads.length) this.free.add(g); else this.free.delete(g); }
    if (mark) { if (mark.access === 'public') this.publicFree.add(mark.graph); else this.publicFree.delete(mark.graph); }
    return { changed: [...changes.keys()], activity };
  }
}

export interface WriteOutcome { changed: string[]; activity?: string }

/**
 * The update runs on a scratch oxigraph store in a worker thread of its own, so a slow update never
 * blocks the event loop; it is ended after `timeoutMs`. Returns the triples (N-Triples lines, keyed
 * by graph name, '' = default graph) before and after, or the engine's error message.
 */
const SCRATCH_WORKER = `
const { parentPort, workerData: w } = require('node:worker_threads');
const ox = require(w.oxigraph);
const s = new ox.Store();
if (w.defaultNq) { const t = new ox.Store(); t.load(w.defaultNq, { format: 'application/n-quads' }); for (const q of t.match(null, null, null, null)) s.add(ox.quad(q.subject, q.predicate, q.object, ox.defaultGraph())); }
for (const [, nq] of w.graphs) if (nq) s.load(nq, { format: 'application/n-quads' });
const dump = () => { const out = {}; for (const q of s.match(null, null, null, null)) { const g = q.graph.termType === 'DefaultGraph' ? '' : q.graph.value; (out[g] ||= []).push(q.subject.toString() + ' ' + q.predicate.toString() + ' ' + q.object.toString() + ' .'); } return out; };
const before = dump();
try { s.update(w.update, { base_iri: w.baseIri }); } catch (e) { parentPort.postMessage({ error: String(e && e.message || e) }); return; }
parentPort.postMessage({ before, after: dump() });
`;

async function runScratchUpdate(input: { defaultNq: string; graphs: [string, string][]; update: string; baseIri: string }, timeoutMs: number): Promise<{ before: Record<string, string[]>; after: Record<string, string[]> } | { error: string }> {
  const { Worker } = await import('node:worker_threads');
  const { createRequire } = await import('node:module');
  const oxPath = createRequire(import.meta.url).resolve('oxigraph');
  const w = new Worker(`(() => {${SCRATCH_WORKER}})()`, { eval: true, workerData: { ...input, oxigraph: oxPath } });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { void w.terminate(); reject(new UpdateTimeoutError(`the update ran longer than ${timeoutMs} ms and was stopped; nothing was changed`)); }, timeoutMs);
    w.once('message', (m) => { clearTimeout(timer); void w.terminate(); resolve(m); });
    w.once('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

export class UpdateTimeoutError extends Error { constructor(m: string) { super(m); this.name = 'UpdateTimeoutError'; } }

export class UpdateRequestError extends Error {
  constructor(message: string, readonly position?: { line: number; column: number }) {
    super(message);
    this.name = 'UpdateRequestError';
  }
}

function insideLiteral(s: string, off: number): boolean {
  let inside = false;
  for (let i = 0; i < off; i++) {
    if (s[i] === '\\') { i++; continue; }
    if (s[i] === '"') inside = !inside;
  }
  return inside;
}

/** N-Quads of one graph → N-Triples lines (drops the graph term; our dumps have no blank graph names). */
export function stripGraph(nquads: string): string {
  if (!nquads) return '';
  const s = new oxigraph.Store();
  s.load(nquads, { format: 'application/n-quads' });
  const out: string[] = [];
  for (const q of s.match(null, null, null, null)) out.push(tripleLine(q));
  return out.join('\n');
}

/** One triple as an N-Triples line, in oxigraph's term syntax (the one form every diff here compares). */
export function tripleLine(q: { subject: { toString(): string }; predicate: { toString(): string }; object: { toString(): string } }): string {
  return `${q.subject.toString()} ${q.predicate.toString()} ${q.object.toString()} .`;
}

function toQuadLine(triple: string, g: string): string {
  return `${triple.replace(/\s*\.\s*$/, '')} <${g}> .\n`;
}

const instances = new WeakMap<ServiceContext, SparqlWrites>();
/** The write service of a context (one per context: it serialises SPARQL/GSP writes). */
export function sparqlWrites(ctx: ServiceContext): SparqlWrites {
  let w = instances.get(ctx);
  if (!w) { w = new SparqlWrites(ctx); instances.set(ctx, w); }
  return w;
}
