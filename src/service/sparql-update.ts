/**
 * Writes through SPARQL 1.1 Update and the Graph Store Protocol, under the same rules as every
 * other write: only graphs the caller may change, SHACL validation of every changed graph,
 * one atomic and durable transaction, a PROV-O record. The update is parsed once (src/sparql,
 * with the configured limits); its syntax tree says which graphs it names and which it writes.
 * An update that names a graph its author may not change is refused whole (403) before it runs;
 * a `GRAPH ?g` template is checked on the graphs it actually changed.
 * Who may change which graph: graph-rights.ts.
 */
import { randomUUID } from 'node:crypto';
import type { ServiceContext } from './context.js';
import type { Caller } from '../model/caller.js';
import type { WriteOp } from '../store/graph-store.js';
import { NS } from '../model/namespaces.js';
import { GraphRights, AR_PUBLIC, DCT_ACCESS, isAbsoluteIri } from './graph-rights.js';
import { parseRdf, toNQuads, inGraph, type Quad } from '../util/rdf.js';
import { checkGraphContent } from './draft-check.js';
import { activityQuads } from '../provenance/activity.js';
import { ForbiddenError, InputError, type Problem } from '../model/problems.js';
import { parseUpdateAsync, analyseUpdate, withUsing, SparqlSyntaxError } from '../sparql/index.js';
import { insideLiteral, stripGraph, toQuadLine } from '../util/triple-lines.js';
import { runScratchUpdate } from './scratch-update.js';

/** Oxigraph's parse errors read "error at 1:5: expected …": the position, if the message has one. */
export function errorPosition(message: string): { line: number; column: number } | undefined {
  const m = /(?:at|line)\s+(\d+):(\d+)/.exec(message);
  return m ? { line: Number(m[1]), column: Number(m[2]) } : undefined;
}

export class SparqlWrites extends GraphRights {
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

export class UpdateRequestError extends Error {
  constructor(message: string, readonly position?: { line: number; column: number }) {
    super(message);
    this.name = 'UpdateRequestError';
  }
}

const instances = new WeakMap<ServiceContext, SparqlWrites>();
/** The write service of a context (one per context: it serialises SPARQL/GSP writes). */
export function sparqlWrites(ctx: ServiceContext): SparqlWrites {
  let w = instances.get(ctx);
  if (!w) { w = new SparqlWrites(ctx); instances.set(ctx, w); }
  return w;
}
