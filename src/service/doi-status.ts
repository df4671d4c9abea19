/**
 * The DOI status of a dataset as users see it (GET /datasets/{id}/versions, the publish answer):
 * per concept and version, the DOI and its state as DataCite last confirmed it, and whether work
 * for the dataset is waiting (with its failures and next retry) in the DOI registrar's queue.
 */
import type { ServiceContext } from './context.js';
import { doiRecords } from '../publish/dois.js';
import type { DoiState } from '../publish/datacite-api.js';
import type { DoiTask } from './doi-registrar.js';

export interface DoiView {
  /** The DOI, once DataCite confirmed it (reserved, registered or findable); null before. */
  doi: string | null;
  state: DoiState | null;
  /** https://doi.org/… when the DOI resolves (registered or findable). */
  resolver?: string;
}

export interface DatasetDoiStatus {
  /** Whether this service registers DOIs (a DataCite account is configured). */
  registering: boolean;
  concept: DoiView;
  versions: Record<number, DoiView>;
  /** Work waiting for DataCite (retried with backoff); absent when none. */
  queued?: Pick<DoiTask, 'since' | 'attempts' | 'nextAttemptAt' | 'lastAttemptAt' | 'lastError'>;
}

const view = (r: { doi: string; state: DoiState } | undefined): DoiView => r
  ? { doi: r.doi, state: r.state, ...(r.state !== 'draft' ? { resolver: `https://doi.org/${r.doi}` } : {}) }
  : { doi: null, state: null };

export async function datasetDoiStatus(ctx: Pick<ServiceContext, 'store' | 'iris' | 'catalog' | 'dois'>, id: string): Promise<DatasetDoiStatus> {
  const C = ctx.iris.concept(id);
  const recs = await doiRecords(ctx.store, [C]);
  const e = ctx.catalog.entries.get(id);
  const versions: Record<number, DoiView> = {};
  for (const n of e?.versions ?? []) versions[n] = view(recs.get(ctx.iris.version(id, n)));
  const t = ctx.dois?.taskOf(id);
  return {
    registering: !!ctx.dois, concept: view(recs.get(C)), versions,
    ...(t ? { queued: { since: t.since, attempts: t.attempts, nextAttemptAt: t.nextAttemptAt, lastAttemptAt: t.lastAttemptAt, lastError: t.lastError } } : {}),
  };
}
