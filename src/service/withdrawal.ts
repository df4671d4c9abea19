/** Withdrawal of one published version (POST /datasets/{id}/versions/{n}/withdraw). */
import type { ServiceContext } from './context.js';
import type { Caller } from '../model/caller.js';
import { ConflictError, NotFoundError } from '../model/problems.js';
import { withdrawalChange } from '../provenance/versions.js';

/**
 * Withdraw version n: the concept graph records `syndb:withdrawn true`, the reason, when and by
 * whom; a Withdrawal activity invalidates the version. The version graph itself is not touched
 * (it stays queryable by name and citable); Catalog.latest() skips it from now on.
 */
export function withdrawVersion(ctx: Pick<ServiceContext, 'store' | 'iris' | 'catalog' | 'datasets'>, id: string, n: number, reason: string, caller: Caller, request: { body: string; mediaType: string }): Promise<{ id: string; version: number; iri: string; activity: string; latestVersion: number | null }> {
  return ctx.datasets.locks.dataset(id, () => withdrawUnlocked(ctx, id, n, reason, caller, request));
}

async function withdrawUnlocked(ctx: Pick<ServiceContext, 'store' | 'iris' | 'catalog' | 'datasets'>, id: string, n: number, reason: string, caller: Caller, request: { body: string; mediaType: string }) {
  const e = ctx.datasets.entry(id, caller);
  ctx.datasets.requireWrite(e, caller);
  if (!e.versions.includes(n)) throw new NotFoundError(`dataset "${id}" has no version ${n}${e.versions.length ? `; versions: ${e.versions.join(', ')}` : ''}`);
  if (e.withdrawn.has(n)) throw new ConflictError(`version ${n} of "${id}" is already withdrawn`);
  const change = withdrawalChange(ctx, e, [n], reason, caller, request);
  await ctx.store.transact(change.ops);
  change.applied();
  ctx.datasets.changed(id);
  return { id, version: n, iri: ctx.iris.version(id, n), activity: change.activity, latestVersion: ctx.catalog.latest(e) ?? null };
}
