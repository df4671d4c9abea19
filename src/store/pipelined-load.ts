/**
 * A GraphLoad (graph-store.ts) built from one store step: each chunk is handed to `step` while the
 * caller prepares the next one, and the steps run strictly in order.
 */
import type { GraphLoad, WriteOp } from './graph-store.js';

/**
 * `step(ntriples, first, commit)` stores one chunk (`first`: nothing was stored by this load yet;
 * `commit`: the ops of the final step); `undo(sent)` runs after a failure and says whether the graph
 * was emptied.
 */
export function pipelinedLoad(
  step: (ntriples: string, first: boolean, commit?: WriteOp[]) => Promise<void>,
  undo: (sent: boolean) => Promise<boolean>,
): GraphLoad {
  let inflight: Promise<void> | undefined;
  let sent = false;
  const next = async (ntriples: string, commit?: WriteOp[]) => {
    const first = !sent;
    sent = true;
    if (inflight) await inflight;
    inflight = undefined;
    const p = step(ntriples, first, commit);
    if (commit) return p;
    inflight = p;
    p.catch(() => undefined);
  };
  return {
    add: (ntriples) => next(ntriples),
    commit: (ops, ntriples = '') => next(ntriples, ops),
    async abandon() {
      await inflight?.catch(() => undefined);
      inflight = undefined;
      return undo(sent);
    },
  };
}
