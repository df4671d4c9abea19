/**
 * The embedded store's GraphLoad: each chunk becomes an N-Triples file that one transaction loads
 * with the 'load' op (the store takes the file over); the first transaction clears the graph, the
 * last carries the commit's ops. After a failure the graph is cleared, so no half graph stays.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GraphLoad, GraphStore, WriteOp } from '../graph-store.js';
import { pipelinedLoad } from '../pipelined-load.js';

/** `dir`: where the chunk files are written before the store takes them over (on the store's disk). */
export function fileChunkLoad(store: Pick<GraphStore, 'transact'>, dir: string, graph: string): GraphLoad {
  mkdirSync(dir, { recursive: true });
  return pipelinedLoad(
    async (ntriples, first, commit) => {
      const ops: WriteOp[] = first ? [{ op: 'clear', graph }] : [];
      let file: string | undefined;
      if (ntriples) {
        file = join(dir, `${randomUUID()}.nt`);
        await writeFile(file, ntriples);
        ops.push({ op: 'load', graph, file, sha256: createHash('sha256').update(ntriples).digest('hex') });
      }
      if (commit) ops.push(...commit);
      try {
        await store.transact(ops);
      } finally {
        // a file the store took over is gone from here; one of a failed transaction is removed
        if (file) rmSync(file, { force: true });
      }
    },
    async (sent) => {
      if (!sent) return false;
      await store.transact([{ op: 'clear', graph }]).catch(() => undefined);
      return true;
    },
  );
}
