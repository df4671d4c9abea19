/**
 * Versions of a dataset: the list (with release date, notes and withdrawal), withdrawal of a
 * version (a PROV activity that invalidates it; its data leaves the default graph, its
 * provenance stays), and deterministic (sorted) dumps of immutable graphs.
 */
import type { ReadContext } from '../model/read-context.js';
import type { Caller } from '../model/caller.js';
import { InputError } from '../model/problems.js';
import { NS } from '../model/namespaces.js';
import type { GraphStore, WriteOp } from '../store/graph-store.js';
import type { DatasetEntry } from '../model/catalog.js';
import { df, iri, lit, typed, toNQuads, inGraph, parseRdf, type Quad } from '../util/rdf.js';
import { activityQuads } from './activity.js';

export type VersionsContext = ReadContext;

export interface VersionInfo {
  version: number;
  iri: string;
  title?: string;
  issued?: string;
  notes?: string;
  withdrawn?: { at?: string; reason?: string; by?: string };
}

/** The lines of a graph dump in code-point order: the same graph always gives the same bytes. */
export async function sortedNQuads(store: GraphStore, graph: string): Promise<string> {
  const lines = (await store.dumpGraph(graph)).split('\n').filter((l) => l.trim() !== '');
  lines.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/**
 * A graph's quads in a stable order (see sortedNQuads), the triples about the node named like
 * the graph (the dataset version) first, so that Turtle and JSON-LD lead with it.
 */
export async function sortedGraph(store: GraphStore, graph: string): Promise<Quad[]> {
  const lines = (await sortedNQuads(store, graph)).split('\n').filter(Boolean);
  const head = `<${graph}> `;
  const ordered = [...lines.filter((l) => l.startsWith(head)), ...lines.filter((l) => !l.startsWith(head))];
  return parseRdf(ordered.length ? `${ordered.join('\n')}\n` : '', 'application/n-quads');
}

const one = (rows: Array<Record<string, { value: string }>>, k: string) => rows[0]?.[k]?.value;

/** Every version of a dataset the caller may see (ascending), with release and withdrawal facts. */
export async function listVersions(ctx: VersionsContext, id: string, caller: Caller): Promise<VersionInfo[]> {
  const e = ctx.catalog.entry(id, caller);
  const C = ctx.iris.concept(id);
  const out: VersionInfo[] = [];
  for (const n of e.versions) {
    const V = ctx.iris.version(id, n);
    const rows = await ctx.store.select(`SELECT ?title ?issued ?notes WHERE { GRAPH <${V}> {
      OPTIONAL { <${V}> <${NS.dcterms}title> ?title } OPTIONAL { <${V}> <${NS.dcterms}issued> ?issued }
      OPTIONAL { <${V}> <${NS.adms}versionNotes> ?notes } } } LIMIT 1`);
    const info: VersionInfo = { version: n, iri: V, title: one(rows, 'title'), issued: one(rows, 'issued'), notes: one(rows, 'notes') };
    if (e.withdrawn.has(n)) info.withdrawn = await withdrawalOf(ctx, C, V);
    out.push(info);
  }
  return out;
}

/** The withdrawal facts of a version (concept graph). */
export async function withdrawalOf(ctx: Pick<ReadContext, 'store'>, concept: string, version: string): Promise<{ at?: string; reason?: string; by?: string }> {
  const rows = await ctx.store.select(`SELECT ?reason ?at ?by WHERE { GRAPH <${concept}> { <${version}> <${NS.syndb}withdrawn> true .
    OPTIONAL { <${version}> <${NS.syndb}withdrawalReason> ?reason } OPTIONAL { <${version}> <${NS.syndb}withdrawnAt> ?at }
    OPTIONAL { <${version}> <${NS.syndb}withdrawnBy> ?by } } } LIMIT 1`);
  return { reason: one(rows, 'reason'), at: one(rows, 'at'), by: one(rows, 'by') };
}

/** Parse and check a withdrawal request body ({"reason": "..."} or plain text). */
export function parseWithdrawalBody(body: unknown, contentType: string | undefined): string {
  let reason: unknown;
  if (typeof body === 'string' && body.trim() !== '' && (contentType ?? '').toLowerCase().startsWith('application/json')) {
    let j: unknown;
    try { j = JSON.parse(body); } catch (e) {
      throw new InputError('Malformed JSON', [{ path: '$', message: `the body is not JSON (${(e as Error).message}); send {"reason": "why the version is withdrawn"}`, severity: 'Violation' }], 400);
    }
    if (!j || typeof j !== 'object' || Array.isArray(j)) {
      throw new InputError('Invalid withdrawal request', [{ path: '$', value: JSON.stringify(j), message: 'the body must be a JSON object {"reason": "why the version is withdrawn"}', severity: 'Violation' }], 422);
    }
    const unknown = Object.keys(j).filter((k) => k !== 'reason');
    if (unknown.length) {
      throw new InputError('Invalid withdrawal request', unknown.map((k) => ({ path: k, message: `unknown field "${k}"; the body is {"reason": "..."}`, severity: 'Violation' as const })), 422);
    }
    reason = (j as { reason?: unknown }).reason;
  } else if (typeof body === 'string') reason = body;
  const problem = (message: string, value?: string) => new InputError('Invalid withdrawal request', [{ path: 'reason', value, message, severity: 'Violation' }], 422);
  if (reason === undefined || reason === null || (typeof reason === 'string' && reason.trim() === '')) throw problem('reason is required: say why the version is withdrawn (it is shown on the tombstone page and in citations)');
  if (typeof reason !== 'string') throw problem('reason must be a string', JSON.stringify(reason));
  const r = reason.trim();
  if (r.length > 2000) throw problem(`reason is ${r.length} characters long; at most 2000 are allowed`, `${r.slice(0, 40)}…`);
  return r;
}

/**
 * The write that withdraws versions of a dataset (withdrawVersion; DELETE of a published dataset
 * withdraws all its live versions): the concept graph records `syndb:withdrawn true`, the reason,
 * when and by whom, and the current version moves to the latest live one; a Withdrawal activity
 * invalidates the versions (and `invalidated`, e.g. a discarded draft). `extraOps` run in the same
 * transaction; `applied()` updates the catalog once the transaction is durable.
 */
export function withdrawalChange(ctx: VersionsContext, e: DatasetEntry, versions: number[], reason: string, caller: Caller,
  request: { body: string; mediaType: string }, opts: { invalidated?: string[]; label?: string; extraOps?: WriteOp[] } = {}): { ops: WriteOp[]; activity: string; applied: () => void } {
  const id = e.id;
  const started = new Date();
  const C = ctx.iris.concept(id);
  const user = caller.user ?? 'anonymous';
  const Vs = versions.map((n) => ctx.iris.version(id, n));
  const act = activityQuads(ctx.iris, {
    kind: 'Withdrawal', user, startedAt: started,
    used: [{ content: request.body, mediaType: request.mediaType, label: 'withdrawal request' }],
    invalidated: [...Vs, ...(opts.invalidated ?? [])], label: opts.label ?? `withdraw version ${versions.join(', ')} of ${id}: ${reason}`,
  });
  const add: Quad[] = Vs.flatMap((V) => [
    df.quad(iri(V), iri(`${NS.syndb}withdrawn`), typed('true', 'boolean')),
    df.quad(iri(V), iri(`${NS.syndb}withdrawalReason`), lit(reason)),
    df.quad(iri(V), iri(`${NS.syndb}withdrawnAt`), typed(started.toISOString(), 'dateTime')),
    df.quad(iri(V), iri(`${NS.syndb}withdrawnBy`), iri(ctx.iris.agent(user))),
  ]);
  const del: Quad[] = [];
  const before = ctx.catalog.latest(e);
  const after = e.versions.filter((v) => !versions.includes(v) && !e.withdrawn.has(v)).at(-1);
  if (before !== after) {
    if (before !== undefined) del.push(df.quad(iri(C), iri(`${NS.dcat}hasCurrentVersion`), iri(ctx.iris.version(id, before))));
    if (after !== undefined) add.push(df.quad(iri(C), iri(`${NS.dcat}hasCurrentVersion`), iri(ctx.iris.version(id, after))));
  }
  const ops: WriteOp[] = [
    ...(del.length ? [{ op: 'delete' as const, nquads: toNQuads(inGraph(del, C)) }] : []),
    { op: 'add', nquads: toNQuads(inGraph(add, C)) },
    ...(opts.extraOps ?? []),
    { op: 'add', nquads: toNQuads(inGraph(act.quads, ctx.catalog.provGraph(id))) },
  ];
  return { ops, activity: act.iri, applied: () => { for (const n of versions) e.withdrawn.add(n); } };
}
