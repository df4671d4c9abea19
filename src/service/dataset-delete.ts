/**
 * DELETE /datasets/{id}. A dataset never published is removed entirely: its concept, draft,
 * draft tables, asset descriptions, imports and provenance graphs, and its catalog entry (its id
 * may be used again); a Delete activity in the service's provenance graph records that it was.
 * A published dataset keeps its citable record: every live version is withdrawn as
 * POST …/versions/{n}/withdraw does (tombstones, 410), and its draft is discarded, in one
 * transaction. (Content-addressed table and asset files are shared by name with any dataset that
 * uploaded the same bytes and stay where they are.)
 */
import type { ServiceContext } from './context.js';
import type { Caller } from '../model/caller.js';
import { type WriteConditions } from './datasets.js';
import { ConflictError } from '../model/problems.js';
import { activityQuads } from '../provenance/activity.js';
import { withdrawalChange } from '../provenance/versions.js';
import { NS } from '../model/namespaces.js';
import { df, iri, toNQuads, inGraph } from '../util/rdf.js';
import type { WriteOp } from '../store/graph-store.js';

export type DeleteResult =
  | { id: string; removed: true; activity: string }
  | { id: string; removed: false; withdrawn: number[]; reason: string; draftDiscarded: boolean; latestVersion: null; activity: string; tombstone: string };

export type DeleteContext = Pick<ServiceContext, 'store' | 'iris' | 'catalog' | 'datasets'>;

export function deleteDataset(ctx: DeleteContext, id: string, caller: Caller, request: { reason?: string; body: string; mediaType: string }, cond: WriteConditions = {}): Promise<DeleteResult> {
  return ctx.datasets.locks.dataset(id, async () => {
    const e = ctx.datasets.entry(id, caller);
    ctx.datasets.requireWrite(e, caller);
    await ctx.datasets.requireState(id, cond);
    const user = caller.user ?? 'anonymous';
    const C = ctx.iris.concept(id), D = ctx.iris.draft(id);
    if (e.versions.length === 0) {
      const graphs = (await ctx.store.graphs()).filter((g) => ctx.iris.parse(g)?.id === id);
      const act = activityQuads(ctx.iris, { kind: 'Delete', user, startedAt: new Date(), invalidated: [C], label: `delete the unpublished dataset ${id}` });
      await ctx.store.transact([
        ...graphs.map((graph): WriteOp => ({ op: 'clear', graph })),
        { op: 'add', nquads: toNQuads(inGraph(act.quads, ctx.iris.provenanceGraph)) },
      ]);
      ctx.catalog.entries.delete(id);
      ctx.datasets.changed(id);
      return { id, removed: true, activity: act.iri };
    }
    const live = e.versions.filter((v) => !e.withdrawn.has(v));
    if (!live.length && !e.hasDraft) throw new ConflictError(`every version of "${id}" is already withdrawn and it has no draft: there is nothing left to delete`);
    const reason = request.reason ?? `the dataset was deleted by ${user}`;
    const draftTables = e.hasDraft ? e.tables.get('draft') ?? [] : [];
    const discard: WriteOp[] = e.hasDraft ? [
      { op: 'clear', graph: D },
      ...draftTables.map((t): WriteOp => ({ op: 'clear', graph: ctx.iris.table(id, 'draft', t) })),
      { op: 'delete', nquads: toNQuads(inGraph([df.quad(iri(C), iri(`${NS.syndb}hasDraft`), iri(D))], C)) },
    ] : [];
    const change = withdrawalChange(ctx, e, live, reason, caller, { body: request.body, mediaType: request.mediaType }, {
      invalidated: e.hasDraft ? [D] : [], extraOps: discard,
      label: `delete ${id}: ${live.length ? `withdraw version ${live.join(', ')}` : 'no live version'}${e.hasDraft ? ', discard the draft' : ''}: ${reason}`,
    });
    await ctx.store.transact(change.ops);
    change.applied();
    const draftDiscarded = e.hasDraft;
    e.hasDraft = false;
    e.tables.delete('draft');
    ctx.datasets.changed(id);
    return { id, removed: false, withdrawn: live, reason, draftDiscarded, latestVersion: null, activity: change.activity, tombstone: ctx.iris.version(id, e.versions.at(-1)!) };
  });
}
