/**
 * The embedded store's replicas: worker threads started from the data directory, each holding the
 * whole graph, with the bounded wait queue of requests for a free one. A replica that breaks (its
 * engine traps, a query passes its timeout, the thread dies) is terminated and rebuilt from the
 * data directory, at once after an isolated break and with a growing back-off after many, while
 * the others keep serving.
 */
import { StoreError, type StoreHealth } from '../graph-store.js';
import type { Manifest } from './files.js';
import type { WorkerError, WorkerRequest } from './store-worker.js';
import { spawnModuleWorker } from '../../util/worker-spawn.js';
import { QueryQuarantine, queryFingerprint, type QuarantineOptions } from '../query-quarantine.js';
import { Pending, Replica, Waiter, WorkerGone, toStoreError } from './replica.js';
import type { StoreLog } from '../store-log.js';
import type { ResolvedOptions } from './options.js';

/** Breaks counted for the rebuild back-off are those of the last minute. */
const BREAK_WINDOW_MS = 60_000;

/** queryTimeoutMs (for the words of a timeout), waitMs and rebuildBackoffMs: see EmbeddedStoreOptions. */
export interface ReplicaPoolOptions extends Pick<ResolvedOptions, 'queryTimeoutMs' | 'waitMs' | 'rebuildBackoffMs'> {
  dataDir: string;
  /** What a new replica loads: the durable state now (every later write is posted to it too). */
  durable: () => { manifest: Manifest | undefined; journalBytes: number[] };
  /** True once the store is closing: no rebuilds, and queued requests are refused. */
  closed: () => boolean;
  quarantine?: QuarantineOptions;
  log: StoreLog;
}

export class ReplicaPool {
  private list: Replica[] = [];
  private nextId = 1;
  private nextReplica = 1;
  private initializing = new Set<Promise<unknown>>();
  /** Requests waiting for a free, ready replica (FIFO). */
  private waiting: Waiter[] = [];
  /** True once start() has its first replica: from then on a failed replica is always rebuilt. */
  private opened = false;
  /** Times of recent replica breaks (the rebuild back-off grows with them). */
  private breaks: number[] = [];
  /** Rebuilds waiting for their back-off delay. */
  private delayed = new Set<NodeJS.Timeout>();
  /** Rebuilds in a row whose replica failed while loading, and the last such error. */
  private loadFailures = 0;
  private lastLoadError?: string;
  readonly counters: StoreHealth['counters'] = { queries: 0, timeouts: 0, engineFailures: 0, rebuilds: 0, refused: 0 };
  private readonly quarantine: QueryQuarantine;

  constructor(private readonly o: ReplicaPoolOptions) {
    this.quarantine = new QueryQuarantine(o.quarantine);
  }

  /** The replicas in service (loading or serving); a new array whenever one is added or retired. */
  get replicas(): readonly Replica[] {
    return this.list;
  }

  /**
   * Resolves once one replica holds the data; the others load after it, one at a time, so they do
   * not compete with it for CPU (bench/restart.ts: 1 M triples, 2 replicas).
   */
  async start(workers: number): Promise<void> {
    await this.spawnReplica();
    this.opened = true;
    this.loadMoreReplicas(workers - 1);
  }

  private spawnReplica(): Promise<void> {
    const worker = spawnModuleWorker(import.meta.url, './store-worker');
    const r = new Replica(this.nextReplica++, worker);
    worker.on('message', (m: { id: number; ok?: unknown; error?: WorkerError }) => {
      const p = r.pending.get(m.id);
      if (!p) return;
      r.pending.delete(m.id);
      if (p.timer) clearTimeout(p.timer);
      if (m.error?.name === 'EngineTrap') {
        // the WebAssembly engine trapped: its memory cannot be trusted; the request that did it is told, the replica rebuilt
        p.reject(this.engineFailure(r, p.req, m.error.message));
        this.retire(r, undefined);
      } else if (m.error?.name === 'ReplicaPoisoned') {
        // the replica may hold a half-applied write: nothing it says counts; rebuild it from disk
        this.o.log.warn(`store worker ${r.n} is being rebuilt from the data directory: ${m.error.message}`);
        // a transaction applied before it is journaled failed on bad input: the caller is told why
        if (p.req.type === 'validateApply' && (m.error.code === 'bad-input' || m.error.code === 'too-large')) p.reject(new StoreError(m.error.message, m.error.code));
        else p.reject(new WorkerGone());
        this.retire(r, undefined);
      } else if (m.error) p.reject(toStoreError(m.error));
      else p.resolve(m.ok);
    });
    worker.on('error', (e) => {
      if (r.gone) return;
      this.o.log.warn(`store worker ${r.n} failed: ${e.message}`);
      this.retire(r, new StoreError(`the query engine failed while running this request: ${e.message}`, 'unavailable'));
    });
    worker.on('exit', (code) => {
      if (r.gone) return;
      this.o.log.warn(`store worker ${r.n} exited unexpectedly (code ${code})`);
      this.retire(r, new StoreError(`the query engine stopped (exit code ${code}) while running this request`, 'unavailable'));
    });
    this.list.push(r);
    // Capture the durable state now (synchronously): every later write is posted to this replica too.
    const init: WorkerRequest = { type: 'init', dataDir: this.o.dataDir, ...this.o.durable() };
    const p = this.send(r, init).then(
      () => {
        r.ready = true;
        this.loadFailures = 0;
        this.lastLoadError = undefined;
        this.pump();
      },
      (e: Error) => {
        if (!(e instanceof WorkerGone)) {
          this.loadFailures++;
          this.lastLoadError = e.message;
          this.retire(r, undefined);
        }
        throw e instanceof WorkerGone ? new StoreError('store worker ended while loading', 'unavailable') : e;
      },
    );
    this.initializing.add(p);
    const done = () => this.initializing.delete(p);
    p.then(done, done);
    return p;
  }

  /** Start `n` more replicas one after another, in the background (a failed one is rebuilt as after a break). */
  private loadMoreReplicas(n: number): void {
    if (n <= 0 || this.o.closed()) return;
    this.spawnReplica().then(
      () => this.loadMoreReplicas(n - 1),
      (e: Error) => {
        if (this.o.closed()) return;
        this.o.log.warn(`a store worker could not be loaded (${e.message}); trying again`);
        this.loadMoreReplicas(n - 1);
      },
    );
  }

  /** Settles once no replica is loading from the data directory (its old files may then go). */
  async loaded(): Promise<void> {
    while (this.initializing.size > 0) await Promise.allSettled([...this.initializing]);
  }

  /** The error for a request whose engine trapped; logs it with the query's fingerprint and counts the break. */
  private engineFailure(r: Replica, req: WorkerRequest, message: string): StoreError {
    this.counters.engineFailures++;
    const fingerprint = req.type === 'query' ? queryFingerprint(req.sparql) : undefined;
    const breaks = fingerprint ? this.quarantine.recordBreak(fingerprint, `engine failure: ${message}`) : undefined;
    this.o.log.event({ msg: 'query engine failed', replica: r.n, request: req.type, error: message, fingerprint, breaks, action: 'rebuilding the replica from the data directory' });
    const what = req.type === 'query' ? 'this query' : `this request (${req.type})`;
    return new StoreError(
      `${what} made the query engine fail (${message}); that engine is being rebuilt and nothing was changed. Simplify the request (fewer nested expressions or patterns)${fingerprint ? `; a query that does this ${this.quarantine.strikes} times is refused for ${Math.round(this.quarantine.refuseMs / 1000)} s` : ''}`,
      'engine-failure',
      { fingerprint },
    );
  }

  /** Take a replica out of service: terminate it, fail its requests (queued ones run again elsewhere), schedule a rebuild. */
  retire(r: Replica, failOldest: Error | undefined): void {
    if (r.gone) return;
    r.gone = true;
    this.list = this.list.filter((x) => x !== r);
    void r.worker.terminate();
    const pend = [...r.pending.values()];
    r.pending.clear();
    pend.forEach((p, i) => {
      if (p.timer) clearTimeout(p.timer);
      // WorkerGone: a write is in the journal already (the rebuilt replica has it); a read goes back to the queue
      p.reject(i === 0 && failOldest ? failOldest : new WorkerGone());
    });
    if (this.opened && !this.o.closed()) this.scheduleRebuild();
  }

  /** Start a replacement replica, at once after an isolated break, later (exponential back-off, capped) after many. */
  private scheduleRebuild(): void {
    const now = Date.now();
    this.breaks = [...this.breaks.filter((t) => now - t < BREAK_WINDOW_MS), now].slice(-64);
    const n = this.breaks.length + this.loadFailures;
    const { base, cap } = this.o.rebuildBackoffMs;
    const delay = n <= 1 ? 0 : Math.min(cap, base * 2 ** Math.min(n - 2, 30));
    this.counters.rebuilds++;
    const start = () => {
      if (this.o.closed()) return;
      this.spawnReplica().catch((e: Error) => this.o.log.warn(`a store worker could not be rebuilt (${e.message}); trying again`));
    };
    if (delay === 0) return start();
    this.o.log.warn(`rebuilding a store worker in ${delay} ms (${n} failures in the last minute)`);
    const t = setTimeout(() => {
      this.delayed.delete(t);
      start();
    }, delay);
    t.unref();
    this.delayed.add(t);
  }

  /** Post a request to replica `r`; past `deadline` the replica is stopped (the only way to end a running query) and rebuilt. */
  send(r: Replica, req: WorkerRequest, deadline?: number): Promise<unknown> {
    if (r.gone) return Promise.reject(new WorkerGone());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const p: Pending = { req, resolve, reject, deadline };
      if (deadline !== undefined) {
        const ms = Math.max(0, deadline - Date.now());
        p.timer = setTimeout(() => {
          if (!r.pending.has(id)) return;
          r.pending.delete(id);
          this.counters.timeouts++;
          const fingerprint = req.type === 'query' ? queryFingerprint(req.sparql) : undefined;
          const breaks = fingerprint ? this.quarantine.recordBreak(fingerprint, `timeout after ${this.describeTimeout(req)}`) : undefined;
          this.o.log.event({ msg: `stopping store worker ${r.n}: a query ran past its timeout`, replica: r.n, request: req.type, timeout: this.describeTimeout(req), fingerprint, breaks, action: 'rebuilding the replica from the data directory' });
          reject(new StoreError(`query exceeded the timeout of ${this.describeTimeout(req)} and was stopped`, 'timeout', { fingerprint }));
          this.retire(r, undefined);
        }, ms);
      }
      r.pending.set(id, p);
      r.worker.postMessage({ id, req });
    });
  }

  private describeTimeout(req: WorkerRequest): string {
    return req.type === 'query' ? `${req.timeoutMs ?? this.o.queryTimeoutMs} ms` : 'its deadline';
  }

  /** Queue length of a replica: queries, dumps and snapshots weigh much more than applying a write. */
  private load(r: Replica): number {
    let n = r.ready ? 0 : 1_000_000;
    for (const p of r.pending.values()) n += p.req.type === 'apply' ? 1 : 1000;
    return n;
  }

  /** The least busy replica that is not held (may still be loading): for writes, which queue behind its load. */
  pick(): Replica | undefined {
    let best: Replica | undefined;
    let bestLoad = Infinity;
    for (const r of this.list) {
      if (r.gone || r.held) continue;
      const l = this.load(r);
      if (l < bestLoad) {
        best = r;
        bestLoad = l;
      }
    }
    return best;
  }

  /** A ready replica with no request of the wait queue in flight, least loaded first. */
  private free(): Replica | undefined {
    let best: Replica | undefined;
    for (const r of this.list) {
      if (r.gone || r.held || !r.ready || r.busy > 0) continue;
      if (!best || this.load(r) < this.load(best)) best = r;
    }
    return best;
  }

  /** Keep readers away from `r` (see Replica.held) until release(). */
  hold(r: Replica): void {
    r.held = true;
  }

  release(r: Replica): void {
    r.held = false;
    this.pump();
  }

  /** The refusal of a query whose fingerprint broke engines too often, or undefined. */
  refusal(sparql: string): StoreError | undefined {
    const fingerprint = queryFingerprint(sparql);
    const r = this.quarantine.refused(fingerprint);
    if (!r) return undefined;
    this.counters.refused++;
    return new StoreError(
      `this query is refused for ${r.retryAfterS} s: the same query (fingerprint ${fingerprint}) broke the query engine ${r.breaks} times recently (${r.reasons.join('; ')}); change it (narrow it, add LIMIT, simplify expressions) or retry after ${r.retryAfterS} s`,
      'refused',
      { fingerprint, retryAfterS: r.retryAfterS },
    );
  }

  /** Seconds until a rebuild can be expected (for Retry-After). */
  private retryHint(): number {
    const { cap } = this.o.rebuildBackoffMs;
    return Math.max(1, Math.ceil(Math.min(cap, 2000 * (this.delayed.size + 1)) / 1000));
  }

  /** Send a request to a free replica, waiting in the queue (bounded) while none is; re-queued if its worker is replaced meanwhile. */
  dispatch(req: WorkerRequest, deadline?: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.enqueue({ req, deadline, resolve, reject }, false);
    });
  }

  private enqueue(w: Waiter, front: boolean): void {
    if (this.o.closed()) return w.reject(this.closedError());
    const { waitMs } = this.o;
    const limit = Math.min(w.deadline ?? Infinity, Date.now() + waitMs);
    const timedOut = w.deadline !== undefined && w.deadline <= limit;
    w.timer = setTimeout(() => {
      const i = this.waiting.indexOf(w);
      if (i < 0) return;
      this.waiting.splice(i, 1);
      if (timedOut && w.req.type === 'query') {
        this.counters.timeouts++;
        return w.reject(new StoreError(`query exceeded the timeout of ${this.describeTimeout(w.req)} while waiting for a free query engine (all were busy or being rebuilt); retry, or raise the timeout`, 'timeout', { retryAfterS: this.retryHint() }));
      }
      const why = this.list.some((r) => r.ready) ? 'all query engines were busy' : 'the query engines are being rebuilt';
      const retryAfterS = this.retryHint();
      w.reject(new StoreError(`no query engine became free within ${waitMs < 1000 ? `${waitMs} ms` : `${Math.round(waitMs / 1000)} s`}: ${why}; nothing was changed, retry in ${retryAfterS} s`, 'unavailable', { retryAfterS }));
    }, Math.max(0, limit - Date.now()));
    if (front) this.waiting.unshift(w);
    else this.waiting.push(w);
    this.pump();
  }

  /** Hand queued requests to free replicas. */
  private pump(): void {
    while (this.waiting.length > 0) {
      const r = this.free();
      if (!r) return;
      const w = this.waiting.shift()!;
      clearTimeout(w.timer);
      if (w.req.type === 'query') {
        const refused = this.refusal(w.req.sparql);
        if (refused) {
          w.reject(refused);
          continue;
        }
      }
      r.busy++;
      this.send(r, w.req, w.deadline).then(
        (v) => {
          r.busy--;
          w.resolve(v);
          this.pump();
        },
        (e: Error) => {
          r.busy--;
          if (e instanceof WorkerGone && !this.o.closed()) this.enqueue(w, true);
          else w.reject(e);
          this.pump();
        },
      );
    }
  }

  /** The pool's part of StoreHealth: a line per replica (and per delayed rebuild), the queue and the counters. */
  health(): Pick<StoreHealth, 'replicas' | 'queueDepth' | 'counters'> {
    const replicas: StoreHealth['replicas'] = this.list.map((r) => ({ id: r.n, state: r.ready ? 'serving' : 'loading' }));
    const failing = this.loadFailures >= 3;
    for (let i = 0; i < this.delayed.size; i++) {
      replicas.push(failing
        ? { id: 0, state: 'failed', detail: `${this.loadFailures} rebuilds in a row failed while loading: ${this.lastLoadError}` }
        : { id: 0, state: 'waiting', detail: 'rebuild delayed by back-off after repeated failures' });
    }
    return { replicas, queueDepth: this.waiting.length, counters: { ...this.counters } };
  }

  private closedError(): StoreError {
    return new StoreError(`the store at ${this.o.dataDir} was closed`, 'closed');
  }

  /** Stop every replica: delayed rebuilds dropped, queued and in-flight requests refused as 'closed'. */
  async shutdown(): Promise<void> {
    for (const t of this.delayed) clearTimeout(t);
    this.delayed.clear();
    for (const w of this.waiting.splice(0)) {
      clearTimeout(w.timer);
      w.reject(this.closedError());
    }
    const rs = this.list;
    this.list = [];
    for (const r of rs) {
      r.gone = true;
      for (const p of r.pending.values()) {
        if (p.timer) clearTimeout(p.timer);
        p.reject(this.closedError());
      }
      r.pending.clear();
    }
    await Promise.all(rs.map((r) => r.worker.terminate()));
  }
}
