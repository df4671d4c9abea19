/**
 * Large loads on the remote store, resumable by key: a graph is staged chunk by chunk into staging
 * graphs named after the load's key (the SHA-256 of the input), with a record of every chunk
 * stored; when the load fails or the service dies, a load of the same input continues after the
 * last stored chunk. Nothing is visible until the whole load is committed as one transaction
 * (RemoteStore's write-ahead switch). A load that is never committed is dropped by the store's
 * recovery after uploadKeepMs.
 */
import { createHash } from 'node:crypto';
import { StoreError, type Binding, type WriteOp } from '../graph-store.js';
import { checkOps, type CheckedOp } from './ops.js';
import { NS, UPLOADS_GRAPH, UPLOAD_PREFIX, type PartRef } from './graphs.js';

/** A large load staged chunk by chunk; see openResumableLoad(). */
export interface ResumableLoad {
  /** Quads found already staged by an earlier attempt with the same input (not sent again). */
  readonly resumed: number;
  /** Quads staged so far (including resumed ones). */
  readonly staged: number;
  /**
   * Stage the next chunk: N-Triples lines (no blank nodes) of the graph. Chunks are given in the
   * same order on every attempt; chunks must not share triples.
   */
  stage(ntriples: string): Promise<void>;
  /**
   * One transaction: the graph is replaced by the staged triples, then `ops` (which must not
   * clear the graph or delete from it) are applied. Resolves when it is durable.
   */
  commit(ops: WriteOp[]): Promise<void>;
  /** Give the staged part up (it is otherwise kept for a retry, see uploadKeepMs). */
  discard(): Promise<void>;
}

/** What a load needs of the store that runs it (RemoteStore). */
export interface LoadHost {
  /** Throws when the store is closed. */
  check(): void;
  select(sparql: string, what: string): Promise<Binding[]>;
  update(sparql: string, what: string): Promise<void>;
  warn(message: string): void;
  /** Store N-Triples lines into a staging graph. */
  upload(staging: string, lines: string[]): Promise<void>;
  /** Run jobs with the store's parallelism. */
  parallel(jobs: Array<() => Promise<void>>): Promise<void>;
  transact(ops: WriteOp[]): Promise<void>;
  /** The write-ahead switch: the graph becomes the staged parts, then `ops` apply, in one transaction. */
  switchTo(ops: CheckedOp[], load: { graph: string; parts: PartRef[]; key: string }): Promise<void>;
  /** Quads per staged request, and per staging graph. */
  chunkQuads: number;
  sliceQuads: number;
}

/** A resumable load of `graph` under `key` (checked by the caller). */
export async function openResumableLoad(self: LoadHost, graph: string, key: string): Promise<ResumableLoad> {
  const size = self.chunkQuads;
  const slice = self.sliceQuads;
  let id: string | undefined; // the record's key, known after the first chunk
  let stored = new Map<string, { sha: string; count: number; slice: number }>();
  let chunkNo = 0;
  let offset = 0;
  const sliceCounts: number[] = [];
  /** Staging graphs (slice numbers) named in the record: each is named before anything is written to it. */
  const announced = new Set<number>();
  let resumed = 0;
  let finished = false;
  const rec = () => `${NS}upload/${id}`;
  const sliceGraph = (k: number) => `${UPLOAD_PREFIX}${id}:${k}`;
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');

  async function open(first: string) {
    id = sha(`${key}\n${graph}\n${sha(first)}`).slice(0, 40);
    const rows = await self.select(`SELECT ?c ?k WHERE { GRAPH <${UPLOADS_GRAPH}> { { <${rec()}> <${NS}chunk> ?c } UNION { <${rec()}> <${NS}slice> ?k } } }`, 'reading the record of an earlier upload');
    stored = new Map(rows.filter((r) => r.c).map((r) => {
      const [n, s, c, k] = r.c.value.split('|');
      return [n, { sha: s, count: Number(c), slice: Number(k) }];
    }));
    for (const r of rows) if (r.k) announced.add(Number(r.k.value));
    if (stored.size) {
      const quads = [...stored.values()].reduce((a, x) => a + x.count, 0);
      self.warn(`resuming the load of ${graph}: ${quads} quads in ${stored.size} chunks were stored by an earlier attempt and are not sent again`);
    } else {
      await self.update(`INSERT DATA { GRAPH <${UPLOADS_GRAPH}> { <${rec()}> <${NS}graph> <${graph}> ; <${NS}created> "${Date.now()}" } }`, 'starting a resumable load');
    }
  }

  async function discard() {
    finished = true;
    if (!id) return;
    const drops = [...announced].map((k) => `DROP SILENT GRAPH <${sliceGraph(k)}>`);
    await self.update([...drops, `DELETE WHERE { GRAPH <${UPLOADS_GRAPH}> { <${rec()}> ?p ?o } }`].join(' ;\n'), 'discarding a resumable load');
  }

  return {
    get resumed() { return resumed; },
    get staged() { return offset; },
    async stage(ntriples: string) {
      self.check();
      if (finished) throw new StoreError('this load was already committed or discarded', 'bad-input');
      const lines = [...new Set(ntriples.split('\n').filter((l) => l.trim() !== ''))];
      if (lines.length === 0) return;
      if (chunkNo === 0) await open(ntriples);
      const jobs: Array<() => Promise<void>> = [];
      for (let j = 0, part = 0; j < lines.length; j += size, part++) {
        const sub = lines.slice(j, j + size);
        const name = `${chunkNo}.${part}`;
        const digest = sha(sub.join('\n'));
        const k = Math.floor(offset / slice);
        offset += sub.length;
        sliceCounts[k] = (sliceCounts[k] ?? 0) + sub.length;
        const had = stored.get(name);
        if (had) {
          if (had.sha === digest && had.slice === k && had.count === sub.length) {
            resumed += sub.length;
            continue;
          }
          await discard().catch(() => undefined);
          throw new StoreError(`the part of ${graph} staged by an earlier attempt does not match this load (chunk ${name}); it was discarded: load again`, 'unavailable');
        }
        jobs.push(async () => {
          await self.upload(sliceGraph(k), sub);
          await self.update(`INSERT DATA { GRAPH <${UPLOADS_GRAPH}> { <${rec()}> <${NS}chunk> "${name}|${digest}|${sub.length}|${k}|${Date.now()}" } }`, 'recording a stored chunk');
        });
      }
      chunkNo++;
      const fresh = [...new Set(sliceCounts.keys())].filter((k) => !announced.has(k));
      if (fresh.length) {
        await self.update(`INSERT DATA { GRAPH <${UPLOADS_GRAPH}> { <${rec()}> <${NS}slice> ${fresh.join(', ')} } }`, 'naming the staging graphs of a load');
        for (const k of fresh) announced.add(k);
      }
      await self.parallel(jobs);
    },
    async commit(ops: WriteOp[]) {
      self.check();
      if (finished) throw new StoreError('this load was already committed or discarded', 'bad-input');
      const parsed = checkOps(ops);
      for (const op of parsed) {
        if ((op.op === 'clear' && op.graph === graph) || (op.op === 'delete' && op.quads.some((q) => q.graph.value === graph))) {
          throw new StoreError(`the ops committed with a load of ${graph} must not clear it or delete from it`, 'bad-input');
        }
      }
      if (!id) {
        // nothing staged: the graph is just cleared
        finished = true;
        await self.transact([{ op: 'clear', graph }, ...ops]);
        return;
      }
      const parts = sliceCounts.flatMap((n, k) => (n ? [{ graph, staging: sliceGraph(k), count: n }] : []));
      try {
        await self.switchTo(parsed, { graph, parts, key: id! });
        finished = true;
      } catch (e) {
        // staging that does not hold what the record says cannot be resumed: start afresh next time
        if (e instanceof StoreError && /^staging graph .* holds/.test(e.message)) await discard().catch(() => undefined);
        throw e;
      }
    },
    discard,
  };
}
