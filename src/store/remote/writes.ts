/**
 * The write path of the remote store (remote-store.ts, "Atomic writes without server
 * transactions"): one writer at a time in this process, the lease checked, a transaction planned
 * (plan.ts), staged (uploads in parallel, server-side copies in pages), verified, committed,
 * switched in behind the gate and its staging dropped in the background; rolled back when it did
 * not reach its commit point. What a failed write leaves is finished by recovery.ts.
 */
import { randomBytes } from 'node:crypto';
import { StoreError } from '../graph-store.js';
import type { CheckedOp } from './ops.js';
import { NS, WAL_GRAPH, STAGING_PREFIX, type PartRef } from './graphs.js';
import { dropSteps, finishSteps, planTransaction, switchRequest, type Plan } from './plan.js';
import { copyUpdate } from '../copy-update.js';
import { ntLiteral } from '../../util/nt-term.js';
import type { GraphGate } from './gate.js';
import type { Lease } from './lease.js';
import type { RemoteRequests } from './requests.js';

export interface TransactOptions {
  /** Called after every uploaded chunk with the quads staged so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** What the write path needs of the store that runs it (RemoteStore). */
export interface WriteHost {
  requests: RemoteRequests;
  /** Switches wait for the readers of their graphs (see gate.ts). */
  gate: GraphGate;
  /** The writer lease (undefined when disabled). */
  lease?: Lease;
  /** Our graphs (the registry), cached: the graphs a switch adds to are remembered here. */
  known: Set<string>;
  warn(message: string): void;
  /** Throws when the store is closed; recovers first when a write failed half-way. */
  ready(): Promise<void>;
}

export interface WriteSettings {
  /** Quads per upload request by Graph Store Protocol (`gsp`), and by INSERT DATA (`insertChunk`). */
  chunkQuads: number;
  insertChunk: number;
  gsp: boolean;
  applyDeadlineMs: number;
  parallelUploads: number;
  sliceQuads: number;
  copyPageQuads: number;
  crashAt?: 'staged' | 'committed';
}

/** A resumable load's staging graphs, applied as "clear graph, add them" before a transaction's ops. */
export interface LoadSwitch { graph: string; parts: PartRef[]; key: string }

/** The graphs a plan changes (what the gate holds while it is applied). */
function targets(plan: Plan): Set<string> {
  const out = new Set<string>();
  for (const op of plan.ops) {
    if (op.op === 'clear') out.add(op.graph);
    else for (const p of op.parts) out.add(p.graph);
  }
  return out;
}

export class RemoteWrites {
  /** Set when a write failed after (maybe) reaching its commit point: recover before the next read or write. */
  needsRecovery = false;
  /** Transactions of this process being written now (recover() leaves them alone). */
  readonly inflight = new Set<string>();
  /** Transactions of this process that failed before being acknowledged: always rolled back. */
  readonly aborted = new Set<string>();
  /** Staging graphs being dropped in the background (close() waits for them). */
  private readonly dropping = new Set<Promise<unknown>>();
  private writeChain: Promise<unknown> = Promise.resolve();

  constructor(private readonly host: WriteHost, private readonly opts: WriteSettings) {}

  private get requests(): RemoteRequests {
    return this.host.requests;
  }

  /** Run `fn` after the writes before it (one writer at a time in this process). */
  withWriteLock<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writeChain.then(fn, fn);
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  /** Resolves when the writes of this process, including background drops of staging graphs, are done. */
  async idle(): Promise<void> {
    await this.writeChain;
    await Promise.all(this.dropping);
  }

  /** Writes need the lease; a lease taken now (not held before) means: finish others' interrupted writes first. */
  async ensureLease(): Promise<void> {
    if (!this.host.lease) return;
    if (await this.host.lease.check()) this.needsRecovery = true;
  }

  /**
   * One transaction: plan, stage, commit point, switch. `load`: a resumable load's staging graphs,
   * applied as "clear load.graph, add them" before the ops.
   */
  async write(parsed: CheckedOp[], load: LoadSwitch | undefined, options: TransactOptions): Promise<void> {
    await this.ensureLease();
    await this.host.ready();
    const tx = `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
    const sources = [...new Set(parsed.flatMap((o) => (o.op === 'copy' ? [o.from] : [])))];
    const { plan, staged, copies } = planTransaction(tx, parsed, sources.length ? await this.requests.countGraphs(sources) : new Map(), this.opts.sliceQuads);
    if (load) {
      plan.ops.unshift({ op: 'clear', graph: load.graph }, { op: 'add', parts: load.parts });
      plan.upload = load.key;
    }
    const uploads = staged.reduce((a, p) => a + p.lines.length, 0);
    const total = uploads + copies.reduce((a, c) => a + c.parts.reduce((b, p) => b + p.count, 0), 0);
    const txIri = `${NS}tx/${tx}`;
    const record = (state: string) =>
      `<${txIri}> <${NS}plan> ${ntLiteral(JSON.stringify(plan))} . <${txIri}> <${NS}state> "${state}" . <${txIri}> <${NS}created> ${ntLiteral(new Date().toISOString())} .`;
    this.inflight.add(tx);
    try {
      try {
        if (!load && !copies.length && total <= this.opts.insertChunk) {
          // one request: the committed record together with every staged quad (incomplete staging = not committed)
          const body = staged.map((p) => `GRAPH <${p.staging}> {\n${p.lines.join('\n')}\n}`).join('\n');
          await this.requests.update(`INSERT DATA { GRAPH <${WAL_GRAPH}> { ${record('committed')} }\n${body} }`, 'writing a transaction');
          options.onProgress?.(total, total);
        } else {
          await this.requests.update(`INSERT DATA { GRAPH <${WAL_GRAPH}> { ${record('preparing')} } }`, 'starting a transaction');
          let done = 0;
          const size = this.opts.gsp ? this.opts.chunkQuads : this.opts.insertChunk;
          const jobs: Array<() => Promise<void>> = [];
          for (const p of staged) {
            for (let i = 0; i < p.lines.length; i += size) {
              const chunk = p.lines.slice(i, i + size);
              jobs.push(async () => {
                await this.requests.upload(p.staging, chunk);
                done += chunk.length;
                options.onProgress?.(done, total);
              });
            }
          }
          await this.parallel(jobs);
          // copies are staged by the server: part k (a staging graph) holds quads k·slice … of an
          // unordered scan of the source, copied in pages of at most copyPageQuads per request, one
          // request at a time (two in parallel deadlocked on Virtuoso, and each retry redid a page)
          const copyJobs: Array<() => Promise<void>> = [];
          const pageSize = Math.min(this.opts.copyPageQuads, this.opts.sliceQuads);
          for (const c of copies) {
            const n = c.parts.reduce((a, p) => a + p.count, 0);
            c.parts.forEach((p, k) => {
              for (let at = 0; at < p.count; at += pageSize) {
                const limit = Math.min(pageSize, p.count - at), offset = k * this.opts.sliceQuads + at;
                copyJobs.push(async () => {
                  await this.requests.update(copyUpdate({ from: c.from, to: p.staging, rewrite: c.rewrite }, limit < n ? { limit, offset } : undefined), `copying ${c.from} to ${p.graph} (quads ${offset + 1} to ${offset + limit} of ${n})`);
                  done += limit;
                  options.onProgress?.(done, total);
                });
              }
            });
          }
          for (const job of copyJobs) await job();
          await this.verifyStaging(plan, true);
          if (this.opts.crashAt === 'staged') throw new StoreError('fault injection: stopped after staging', 'unavailable');
          await this.host.lease?.check(); // still the writer at the commit point
          await this.requests.update(
            `DELETE { GRAPH <${WAL_GRAPH}> { <${txIri}> <${NS}state> "preparing" } } INSERT { GRAPH <${WAL_GRAPH}> { <${txIri}> <${NS}state> "committed" } } WHERE { }`,
            'committing a transaction',
          );
        }
      } catch (e) {
        // Not acknowledged, so it must not become visible: remove what was staged. If the server
        // cannot be reached now, remember the abort; recover() rolls it back (even if the server
        // did receive the commit and only its answer was lost).
        this.aborted.add(tx);
        try {
          await this.rollback(plan);
          this.aborted.delete(tx);
        } catch {
          this.needsRecovery = true;
        }
        throw e;
      }
      // The commit point is passed: the write is durable on the server and is acknowledged.
      // The switch is retried while the server is away; if it still fails, recover() applies
      // it before any other read or write of this process (or at the next open).
      if (this.opts.crashAt === 'committed') {
        this.needsRecovery = true;
        this.host.lease?.abandon();
        return;
      }
      await this.apply(plan, this.opts.applyDeadlineMs);
    } finally {
      this.inflight.delete(tx);
    }
  }

  /** Run upload jobs, `parallelUploads` at a time; the first failure is thrown once all have ended. */
  async parallel(jobs: Array<() => Promise<void>>): Promise<void> {
    let next = 0;
    let failure: { e: unknown } | undefined;
    const worker = async () => {
      while (next < jobs.length && !failure) {
        const job = jobs[next++];
        try {
          await job();
        } catch (e) {
          failure ??= { e };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.parallelUploads, jobs.length) }, worker));
    if (failure) throw failure.e;
  }

  /**
   * Apply a committed plan while the gate keeps this process's readers of its graphs out. Retries
   * transient failures until `deadlineMs` has passed (the gate stays closed meanwhile: a switch
   * that was cut off may be half applied); then leaves it to recover(). Returns whether it was
   * applied.
   */
  async apply(plan: Plan, deadlineMs: number): Promise<boolean> {
    const deadline = Date.now() + deadlineMs;
    let applied = false;
    let dropLater: string | undefined;
    await this.host.gate.write(targets(plan), async () => {
      for (let delay = 500; ; delay = Math.min(delay * 2, 5000)) {
        try {
          dropLater = await this.applySteps(plan);
          this.remember(plan);
          applied = true;
          return;
        } catch (e) {
          if (!(e instanceof StoreError) || e.code !== 'unavailable' || Date.now() + delay > deadline) {
            this.needsRecovery = true;
            this.host.warn(`transaction ${plan.tx} is committed but could not be applied yet (${(e as Error).message}); it is applied before the next read or write`);
            return;
          }
          this.host.warn(`applying transaction ${plan.tx} failed (${(e as Error).message}); retrying in ${delay} ms`);
          await new Promise((r) => setTimeout(r, delay));
        }
      }
    });
    // dropping large staging graphs takes a while: neither readers nor the writer wait for it (a
    // record names them until they are gone; recover() finishes the job after a crash)
    if (dropLater) {
      const p = this.requests.update(dropLater, 'dropping staging graphs').catch((e: Error) => this.host.warn(`could not drop the staging graphs of ${plan.tx} (${e.message}); recover() drops them later`));
      this.dropping.add(p);
      void p.finally(() => this.dropping.delete(p));
    }
    return applied;
  }

  /**
   * The data steps of a switch. Small plans: ONE update operation does it all (plus bookkeeping, in
   * the same request). Larger ones (more than sliceQuads staged or cleared): a sequence of requests,
   * each idempotent, so that re-running the sequence after an interruption gives the same result;
   * returns the request that drops the staging graphs, to be sent after the gate is opened.
   */
  private async applySteps(plan: Plan): Promise<string | undefined> {
    const slice = this.opts.sliceQuads;
    const staged = plan.ops.reduce((a, o) => a + (o.op === 'clear' ? 0 : o.parts.reduce((b, p) => b + p.count, 0)), 0);
    const clears = [...new Set(plan.ops.flatMap((o) => (o.op === 'clear' ? [o.graph] : [])))];
    let big = staged > slice || plan.upload !== undefined;
    let sizes = new Map<string, number>();
    if (!big && clears.length) {
      sizes = await this.requests.countGraphs(clears);
      big = staged + [...sizes.values()].reduce((a, n) => a + n, 0) > slice;
    }
    if (!big) {
      await this.requests.update(switchRequest(plan), 'applying a transaction');
      return undefined;
    }
    if (clears.length && sizes.size === 0) sizes = await this.requests.countGraphs(clears);
    for (const g of clears) {
      // at most `slice` quads per request
      for (let left = sizes.get(g) ?? 0; left > 0; ) {
        if (left <= slice) await this.requests.update(`DELETE WHERE { GRAPH <${g}> { ?s ?p ?o } }`, `clearing ${g}`);
        else await this.requests.update(`DELETE { GRAPH <${g}> { ?s ?p ?o } } WHERE { { SELECT ?s ?p ?o WHERE { GRAPH <${g}> { ?s ?p ?o } } LIMIT ${slice} } }`, `clearing ${g} (${left} quads left)`);
        left = (await this.requests.countGraphs([g])).get(g) ?? 0;
      }
    }
    for (const op of plan.ops) {
      if (op.op === 'delete') for (const p of op.parts) await this.requests.update(`DELETE { GRAPH <${p.graph}> { ?s ?p ?o } } WHERE { GRAPH <${p.staging}> { ?s ?p ?o } }`, `applying deletions to ${p.graph}`);
    }
    for (const op of plan.ops) {
      if (op.op === 'add') for (const p of op.parts) await this.requests.update(`ADD SILENT GRAPH <${p.staging}> TO GRAPH <${p.graph}>`, `applying additions to ${p.graph} (${p.count} quads)`);
    }
    const drops = dropSteps(plan);
    const record = `${NS}drop/${plan.tx}`;
    const staging = plan.ops.flatMap((o) => (o.op === 'clear' ? [] : o.parts.map((p) => `<${p.staging}>`)));
    const finish = finishSteps(plan);
    // the staging graphs are named in a drop record before the transaction's record goes
    if (staging.length) finish.splice(finish.length - 1, 0, `INSERT DATA { GRAPH <${WAL_GRAPH}> { <${record}> <${NS}staging> ${staging.join(', ')} } }`);
    await this.requests.update(finish.join(' ;\n'), 'finishing a transaction');
    return drops.length ? [...drops, `DELETE WHERE { GRAPH <${WAL_GRAPH}> { <${record}> ?p ?o } }`].join(' ;\n') : undefined;
  }

  /** Are all staging graphs of a plan complete? (throws when `strict` and one is not) */
  async verifyStaging(plan: Plan, strict: boolean): Promise<boolean> {
    const parts = plan.ops.flatMap((o) => (o.op === 'clear' ? [] : o.parts));
    if (parts.length === 0) return true;
    const have = await this.requests.countGraphs(parts.map((p) => p.staging));
    for (const p of parts) {
      if ((have.get(p.staging) ?? 0) !== p.count) {
        if (strict) throw new StoreError(`staging graph ${p.staging} holds ${have.get(p.staging) ?? 0} quads, expected ${p.count}; the upload (or the server's copy of a graph) was incomplete, nothing was changed`, 'unavailable');
        return false;
      }
    }
    return true;
  }

  private remember(plan: Plan): void {
    for (const op of plan.ops) if (op.op === 'add') for (const p of op.parts) this.host.known.add(p.graph);
  }

  /** Undo a transaction that did not reach its commit point: its own staging goes (a resumable load's staging stays for a retry). */
  async rollback(plan: Plan): Promise<void> {
    const drops = plan.ops.flatMap((o) => (o.op === 'clear' ? [] : o.parts.filter((p) => p.staging.startsWith(STAGING_PREFIX)).map((p) => `DROP SILENT GRAPH <${p.staging}>`)));
    await this.requests.update([...drops, `DELETE WHERE { GRAPH <${WAL_GRAPH}> { <${NS}tx/${plan.tx}> ?p ?o } }`].join(' ;\n'), 'rolling back a transaction');
  }
}
