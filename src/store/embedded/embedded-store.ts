/**
 * The embedded GraphStore: oxigraph in-memory replicas in worker threads, made durable by a
 * snapshot + fsynced journal in a data directory, with a single-writer lock.
 *
 * Writes: validate in one replica → append the journal record and fsync → post the ops to every
 * replica (each applies them all-or-nothing, in LSN order) → resolve. Queries go to the least busy
 * replica; one that exceeds its timeout is ended by terminating that worker, which is respawned
 * from the data directory while the other replicas keep serving.
 */
import { accessSync, constants as fsConstants, existsSync, mkdirSync, readdirSync, rmSync, openSync, closeSync, fsyncSync, truncateSync } from 'node:fs';
import { copyFile, open as openFile, readFile, rename, unlink } from 'node:fs/promises';
import { isAbsolute, join, resolve as resolvePath } from 'node:path';
import { StoreError, type Binding, type GraphLoad, type GraphStore, type QueryOptions, type QueryResult, type StoreHealth, type StoreStats, type WriteOp, selectVia, askVia } from '../graph-store.js';
import { acquireLock, fsyncDir, journalName, readManifest, snapshotDirName, writeManifest, type Manifest, fileSeq } from './files.js';
import { JournalWriter, encodeRecord, scanJournal } from './journal.js';
import { checkGraphIri, WriteOpError, type OpMeta } from './ops.js';
import { fileChunkLoad } from './file-load.js';
import { corruptJournalError } from './recovery.js';
import { queryKind, resultFormat } from '../query-forms.js';
import type { WorkerError, WorkerRequest } from './store-worker.js';
import { spawnModuleWorker } from '../../util/worker-spawn.js';
import { QueryQuarantine, queryFingerprint, type QuarantineOptions } from '../query-quarantine.js';
import { Pending, Replica, Waiter, WorkerGone, toStoreError } from './replica.js';
import { LOADS_DIR, removeLoadFiles } from './restore.js';
import { boundedIntFromEnv } from '../../util/env.js';
import { storeLog, type StoreLogger } from '../store-log.js';

export interface EmbeddedStoreOptions {
  dataDir: string;
  /** Open without the writer lock; writes are refused with StoreError 'read-only'. */
  readOnly?: boolean;
  /** Default query timeout (ms); QueryOptions.timeoutMs overrides it. Default 30000. */
  queryTimeoutMs?: number;
  /** Largest serialised query result (bytes); bigger results fail with 'too-large'. Default 128 MiB. */
  maxResultBytes?: number;
  /** Number of replica worker threads (each holds the whole graph in memory). Default SYNDB_STORE_WORKERS, else 2. */
  workers?: number;
  /**
   * Most quads a replica may hold (GraphStore.maxQuads). Default SYNDB_STORE_MAX_QUADS, else
   * 12,000,000: oxigraph's WebAssembly heap is at most 4 GB, measured full between 13.6 M and
   * 15.3 M quads of synapse rows (bench/tables.ts); longer literals need more.
   */
  maxQuads?: number;
  /** Journal size (bytes) that triggers a new snapshot. Default 64 MiB. */
  compactBytes?: number;
  /** Write a new snapshot at close() when the journal is not empty. Default true. */
  compactOnClose?: boolean;
  /**
   * Longest wait (ms) of a request for a free query engine, e.g. while the only replica is rebuilt;
   * then StoreError 'unavailable' with a retry hint. Default SYNDB_STORE_WAIT_MS, else 30000.
   */
  waitMs?: number;
  /** Back-off between rebuilds of failing replicas: first delay and cap (ms). Defaults 200 and 10000. */
  rebuildBackoffMs?: { base: number; cap: number };
  /** Refusal of queries that broke engines (see query-quarantine.ts). */
  quarantine?: QuarantineOptions;
  /** warn: human-readable lines; event (optional): structured records, e.g. a query that broke an engine. */
  logger?: StoreLogger;
}

const DEFAULTS = { queryTimeoutMs: 30_000, maxResultBytes: 128 * 1024 * 1024, workers: 2, compactBytes: 64 * 1024 * 1024, maxQuads: 12_000_000, waitMs: 30_000, rebuildBackoffMs: { base: 200, cap: 10_000 } };

/** Breaks counted for the rebuild back-off are those of the last minute. */
const BREAK_WINDOW_MS = 60_000;

/** A whole number from the environment variable `name`, within [min, max]; undefined when unset. */
function intFromEnv(name: string, min: number, max: number, what: string): number | undefined {
  return boundedIntFromEnv(name, min, max, (v) => new StoreError(`${name}=${JSON.stringify(v)} is not understood: expected ${what} from ${min.toLocaleString('en')} to ${max.toLocaleString('en')}`, 'unavailable'));
}

/** SYNDB_STORE_WORKERS: the number of replica workers (each holds the whole graph in memory). */
const workersFromEnv = () => intFromEnv('SYNDB_STORE_WORKERS', 1, 64, 'a whole number of store workers');

/** SYNDB_STORE_MAX_QUADS: the most quads the embedded store accepts from large writers. */
const maxQuadsFromEnv = () => intFromEnv('SYNDB_STORE_MAX_QUADS', 1000, 1_000_000_000, 'a whole number of quads');

/** SYNDB_STORE_WAIT_MS: the longest wait of a request for a free query engine. */
const waitMsFromEnv = () => intFromEnv('SYNDB_STORE_WAIT_MS', 100, 3_600_000, 'a number of milliseconds');


export class EmbeddedStore implements GraphStore {
  /** transact() takes the 'load' op (files on this machine) as well. */
  readonly bulkOps = true;
  private replicas: Replica[] = [];
  /** Settled when a held replica (see Replica.held) is released. */
  private released?: { promise: Promise<void>; resolve: () => void };
  private nextId = 1;
  private nextReplica = 1;
  private txid = 0;
  private writeChain: Promise<unknown> = Promise.resolve();
  private closed = false;
  private closing?: Promise<void>;
  private compacting?: Promise<void>;
  private initializing = new Set<Promise<unknown>>();
  /** Requests waiting for a free, ready replica (FIFO). */
  private waiting: Waiter[] = [];
  /** True once open() has its replicas: from then on a failed replica is always rebuilt. */
  private opened = false;
  /** Times of recent replica breaks (the rebuild back-off grows with them). */
  private breaks: number[] = [];
  /** Rebuilds waiting for their back-off delay. */
  private delayed = new Set<NodeJS.Timeout>();
  /** Rebuilds in a row whose replica failed while loading, and the last such error. */
  private loadFailures = 0;
  private lastLoadError?: string;
  /** Set while the last journal append failed (cleared by the next successful one). */
  private journalError?: string;
  private readonly counters = { queries: 0, timeouts: 0, engineFailures: 0, rebuilds: 0, refused: 0 };
  private readonly quarantine: QueryQuarantine;
  private readonly warn: (m: string) => void;
  private readonly event: (o: Record<string, unknown>) => void;
  private readonly opts: Required<Omit<EmbeddedStoreOptions, 'logger' | 'readOnly' | 'dataDir' | 'compactOnClose' | 'quarantine'>>;

  private constructor(
    readonly dataDir: string,
    readonly readOnly: boolean,
    options: EmbeddedStoreOptions,
    private manifest: Manifest | undefined,
    private journalSizes: number[],
    private lsn: number,
    private seq: number,
    private journal: JournalWriter | undefined,
    private releaseLock: (() => void) | undefined,
    private readonly compactOnClose: boolean,
  ) {
    ({ warn: this.warn, event: this.event } = storeLog(options.logger, 'store'));
    this.quarantine = new QueryQuarantine(options.quarantine);
    this.opts = {
      queryTimeoutMs: options.queryTimeoutMs ?? DEFAULTS.queryTimeoutMs,
      maxResultBytes: options.maxResultBytes ?? DEFAULTS.maxResultBytes,
      workers: Math.max(1, options.workers ?? workersFromEnv() ?? DEFAULTS.workers),
      compactBytes: options.compactBytes ?? DEFAULTS.compactBytes,
      maxQuads: options.maxQuads ?? maxQuadsFromEnv() ?? DEFAULTS.maxQuads,
      waitMs: options.waitMs ?? waitMsFromEnv() ?? DEFAULTS.waitMs,
      rebuildBackoffMs: options.rebuildBackoffMs ?? DEFAULTS.rebuildBackoffMs,
    };
  }

  /** GraphStore.maxQuads: see EmbeddedStoreOptions.maxQuads. */
  get maxQuads(): number {
    return this.opts.maxQuads;
  }

  /** @internal use openEmbeddedStore() */
  static async open(options: EmbeddedStoreOptions): Promise<EmbeddedStore> {
    const dataDir = resolvePath(options.dataDir);
    const readOnly = options.readOnly === true;
    const { warn } = storeLog(options.logger, 'store');
    let releaseLock: (() => void) | undefined;
    if (!readOnly) {
      mkdirSync(dataDir, { recursive: true });
      releaseLock = acquireLock(dataDir, warn);
    }
    try {
      let manifest = readManifest(dataDir);
      if (!manifest) {
        const ours = (existsSync(dataDir) ? readdirSync(dataDir) : []).filter((n) => /^(snapshot-\d+|journal-\d+\.log)$/.test(n));
        ours.sort();
        if (ours.length > 0) {
          throw new StoreError(`${join(dataDir, 'MANIFEST')} is missing but the directory holds store files (${ours.slice(0, 3).join(', ')}…); restore it from a backup instead of starting empty`, 'corrupt');
        }
      }
      if (!manifest && !readOnly) {
        // a fresh store: empty snapshot, empty journal, then the manifest that names them
        mkdirSync(join(dataDir, snapshotDirName(1)), { recursive: true });
        const fd = openSync(join(dataDir, journalName(1)), 'w');
        fsyncSync(fd);
        closeSync(fd);
        fsyncDir(dataDir);
        manifest = {
          format: 'syndb-embedded-store',
          version: 1,
          generation: 1,
          snapshot: { dir: snapshotDirName(1), lsn: 0, files: [] },
          journals: [{ file: journalName(1), firstLsn: 1 }],
        };
        writeManifest(dataDir, manifest);
      }
      const journalSizes: number[] = [];
      let lsn = manifest?.snapshot.lsn ?? 0;
      let seq = 0;
      if (manifest) {
        seq = Math.max(fileSeq(manifest.snapshot.dir), ...manifest.journals.map((j) => fileSeq(j.file)));
        for (const [idx, j] of manifest.journals.entries()) {
          const path = join(dataDir, j.file);
          let buf: Buffer;
          try {
            buf = await readFile(path);
          } catch (e) {
            throw new StoreError(`journal ${path} named in the manifest cannot be read: ${(e as Error).message}`, 'corrupt');
          }
          if (j.firstLsn !== lsn + 1) throw new StoreError(`journal ${path} starts at transaction ${j.firstLsn}, expected ${lsn + 1}`, 'corrupt');
          const scan = scanJournal(buf, lsn);
          const last = idx === manifest.journals.length - 1;
          if (scan.problem) {
            // damage followed by intact records (or by later journals) is corruption, never a torn tail
            if (scan.resumes) throw corruptJournalError(path, dataDir, buf, lsn, scan);
            if (!last) throw corruptJournalError(path, dataDir, buf, lsn, scan, `Later journals depend on it, so the store was not opened and nothing was truncated.`);
            const dropped = scan.totalBytes - scan.validBytes;
            if (readOnly) {
              warn(`journal ${path}: ignoring a torn or corrupt tail of ${dropped} bytes (${scan.problem}); read-only open leaves the file as it is`);
            } else {
              warn(`journal ${path}: discarding a torn or corrupt tail of ${dropped} bytes (${scan.problem}); the last ${scan.records.length ? `intact transaction is ${scan.lastLsn}` : 'snapshot is complete'}`);
              truncateSync(path, scan.validBytes);
              const fd = openSync(path, 'r+');
              fsyncSync(fd);
              closeSync(fd);
            }
          }
          journalSizes.push(scan.validBytes);
          lsn = scan.lastLsn;
        }
        if (!readOnly) {
          EmbeddedStore.removeLeftovers(dataDir, manifest, warn);
          const snapLsn = manifest.snapshot.lsn;
          const last = lsn;
          removeLoadFiles(dataDir, (n) => n <= snapLsn || n > last, (name) => warn(`removing ${LOADS_DIR}/${name}, a bulk-load file no journal record needs`));
        }
      }
      const journal =
        manifest && !readOnly
          ? await JournalWriter.open(join(dataDir, manifest.journals[manifest.journals.length - 1].file), journalSizes[journalSizes.length - 1])
          : undefined;
      const store = new EmbeddedStore(dataDir, readOnly, options, manifest, journalSizes, lsn, seq, journal, releaseLock, options.compactOnClose !== false);
      try {
        // the store answers once one replica holds the data; the others load after it, one at a
        // time, so they do not compete with it for CPU (bench/restart.ts: 1 M triples, 2 replicas)
        await store.spawnReplica();
        store.opened = true;
        store.loadMoreReplicas(store.opts.workers - 1);
      } catch (e) {
        await store.shutdownWorkers();
        await journal?.close();
        throw e;
      }
      if (!readOnly && journal && journal.bytes > store.opts.compactBytes) store.scheduleCompaction();
      return store;
    } catch (e) {
      releaseLock?.();
      throw e;
    }
  }

  /** Remove files of interrupted steps (snapshots / journals / temp files the manifest does not name). */
  private static removeLeftovers(dataDir: string, m: Manifest, warn: (s: string) => void): void {
    const keep = new Set([m.snapshot.dir, ...m.journals.map((j) => j.file)]);
    for (const name of readdirSync(dataDir)) {
      const ours = /^(snapshot-\d+|journal-\d+\.log)$/.test(name) || /^MANIFEST\.tmp-/.test(name);
      if (!ours || keep.has(name)) continue;
      warn(`removing leftover ${name} from an interrupted compaction`);
      rmSync(join(dataDir, name), { recursive: true, force: true });
    }
  }

  // ---------------------------------------------------------------- workers

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
        this.warn(`store worker ${r.n} is being rebuilt from the data directory: ${m.error.message}`);
        // a transaction applied before it is journaled failed on bad input: the caller is told why
        if (p.req.type === 'validateApply' && (m.error.code === 'bad-input' || m.error.code === 'too-large')) p.reject(new StoreError(m.error.message, m.error.code));
        else p.reject(new WorkerGone());
        this.retire(r, undefined);
      } else if (m.error) p.reject(toStoreError(m.error));
      else p.resolve(m.ok);
    });
    worker.on('error', (e) => {
      if (r.gone) return;
      this.warn(`store worker ${r.n} failed: ${e.message}`);
      this.retire(r, new StoreError(`the query engine failed while running this request: ${e.message}`, 'unavailable'));
    });
    worker.on('exit', (code) => {
      if (r.gone) return;
      this.warn(`store worker ${r.n} exited unexpectedly (code ${code})`);
      this.retire(r, new StoreError(`the query engine stopped (exit code ${code}) while running this request`, 'unavailable'));
    });
    this.replicas.push(r);
    // Capture the durable state now (synchronously): every later write is posted to this replica too.
    const init: WorkerRequest = { type: 'init', dataDir: this.dataDir, manifest: this.manifest, journalBytes: [...this.journalSizes] };
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
    if (n <= 0 || this.closed) return;
    this.spawnReplica().then(
      () => this.loadMoreReplicas(n - 1),
      (e: Error) => {
        if (this.closed) return;
        this.warn(`a store worker could not be loaded (${e.message}); trying again`);
        this.loadMoreReplicas(n - 1);
      },
    );
  }

  /** The error for a request whose engine trapped; logs it with the query's fingerprint and counts the break. */
  private engineFailure(r: Replica, req: WorkerRequest, message: string): StoreError {
    this.counters.engineFailures++;
    const fingerprint = req.type === 'query' ? queryFingerprint(req.sparql) : undefined;
    const breaks = fingerprint ? this.quarantine.recordBreak(fingerprint, `engine failure: ${message}`) : undefined;
    this.event({ msg: 'query engine failed', replica: r.n, request: req.type, error: message, fingerprint, breaks, action: 'rebuilding the replica from the data directory' });
    const what = req.type === 'query' ? 'this query' : `this request (${req.type})`;
    return new StoreError(
      `${what} made the query engine fail (${message}); that engine is being rebuilt and nothing was changed. Simplify the request (fewer nested expressions or patterns)${fingerprint ? `; a query that does this ${this.quarantine.strikes} times is refused for ${Math.round(this.quarantine.refuseMs / 1000)} s` : ''}`,
      'engine-failure',
      { fingerprint },
    );
  }

  /** Take a replica out of service: terminate it, fail its requests (queued ones run again elsewhere), schedule a rebuild. */
  private retire(r: Replica, failOldest: Error | undefined): void {
    if (r.gone) return;
    r.gone = true;
    this.replicas = this.replicas.filter((x) => x !== r);
    void r.worker.terminate();
    const pend = [...r.pending.values()];
    r.pending.clear();
    pend.forEach((p, i) => {
      if (p.timer) clearTimeout(p.timer);
      // WorkerGone: a write is in the journal already (the rebuilt replica has it); a read goes back to the queue
      p.reject(i === 0 && failOldest ? failOldest : new WorkerGone());
    });
    if (this.opened && !this.closed) this.scheduleRebuild();
  }

  /** Start a replacement replica, at once after an isolated break, later (exponential back-off, capped) after many. */
  private scheduleRebuild(): void {
    const now = Date.now();
    this.breaks = [...this.breaks.filter((t) => now - t < BREAK_WINDOW_MS), now].slice(-64);
    const n = this.breaks.length + this.loadFailures;
    const { base, cap } = this.opts.rebuildBackoffMs;
    const delay = n <= 1 ? 0 : Math.min(cap, base * 2 ** Math.min(n - 2, 30));
    this.counters.rebuilds++;
    const start = () => {
      if (this.closed) return;
      this.spawnReplica().catch((e: Error) => this.warn(`a store worker could not be rebuilt (${e.message}); trying again`));
    };
    if (delay === 0) return start();
    this.warn(`rebuilding a store worker in ${delay} ms (${n} failures in the last minute)`);
    const t = setTimeout(() => {
      this.delayed.delete(t);
      start();
    }, delay);
    t.unref();
    this.delayed.add(t);
  }

  private send(r: Replica, req: WorkerRequest, deadline?: number): Promise<unknown> {
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
          this.event({ msg: `stopping store worker ${r.n}: a query ran past its timeout`, replica: r.n, request: req.type, timeout: this.describeTimeout(req), fingerprint, breaks, action: 'rebuilding the replica from the data directory' });
          reject(new StoreError(`query exceeded the timeout of ${this.describeTimeout(req)} and was stopped`, 'timeout', { fingerprint }));
          this.retire(r, undefined);
        }, ms);
      }
      r.pending.set(id, p);
      r.worker.postMessage({ id, req });
    });
  }

  private describeTimeout(req: WorkerRequest): string {
    return req.type === 'query' ? `${req.timeoutMs ?? this.opts.queryTimeoutMs} ms` : 'its deadline';
  }

  /** Queue length of a replica: queries, dumps and snapshots weigh much more than applying a write. */
  private load(r: Replica): number {
    let n = r.ready ? 0 : 1_000_000;
    for (const p of r.pending.values()) n += p.req.type === 'apply' ? 1 : 1000;
    return n;
  }

  /** The least busy replica that is not held (may still be loading): for writes, which queue behind its load. */
  private pick(): Replica | undefined {
    let best: Replica | undefined;
    let bestLoad = Infinity;
    for (const r of this.replicas) {
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
    for (const r of this.replicas) {
      if (r.gone || r.held || !r.ready || r.busy > 0) continue;
      if (!best || this.load(r) < this.load(best)) best = r;
    }
    return best;
  }

  /** The refusal of a query whose fingerprint broke engines too often, or undefined. */
  private refusal(sparql: string): StoreError | undefined {
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
    const { cap } = this.opts.rebuildBackoffMs;
    return Math.max(1, Math.ceil(Math.min(cap, 2000 * (this.delayed.size + 1)) / 1000));
  }

  /** Send a request to a free replica, waiting in the queue (bounded) while none is; re-queued if its worker is replaced meanwhile. */
  private dispatch(req: WorkerRequest, deadline?: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.enqueue({ req, deadline, resolve, reject }, false);
    });
  }

  private enqueue(w: Waiter, front: boolean): void {
    if (this.closed) return w.reject(new StoreError(`the store at ${this.dataDir} was closed`, 'closed'));
    const limit = Math.min(w.deadline ?? Infinity, Date.now() + this.opts.waitMs);
    const timedOut = w.deadline !== undefined && w.deadline <= limit;
    w.timer = setTimeout(() => {
      const i = this.waiting.indexOf(w);
      if (i < 0) return;
      this.waiting.splice(i, 1);
      if (timedOut && w.req.type === 'query') {
        this.counters.timeouts++;
        return w.reject(new StoreError(`query exceeded the timeout of ${this.describeTimeout(w.req)} while waiting for a free query engine (all were busy or being rebuilt); retry, or raise the timeout`, 'timeout', { retryAfterS: this.retryHint() }));
      }
      const why = this.replicas.some((r) => r.ready) ? 'all query engines were busy' : 'the query engines are being rebuilt';
      const retryAfterS = this.retryHint();
      w.reject(new StoreError(`no query engine became free within ${this.opts.waitMs < 1000 ? `${this.opts.waitMs} ms` : `${Math.round(this.opts.waitMs / 1000)} s`}: ${why}; nothing was changed, retry in ${retryAfterS} s`, 'unavailable', { retryAfterS }));
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
          if (e instanceof WorkerGone && !this.closed) this.enqueue(w, true);
          else w.reject(e);
          this.pump();
        },
      );
    }
  }

  private check(write: boolean): void {
    if (this.closed) throw new StoreError(`the store at ${this.dataDir} is closed`, 'closed');
    if (write && this.readOnly) throw new StoreError(`the store at ${this.dataDir} was opened read-only; writes are refused`, 'read-only');
  }

  /** GraphStore.health(): replicas, journal, queue and counters, without asking a worker. */
  health(): StoreHealth {
    const replicas: StoreHealth['replicas'] = this.replicas.map((r) => ({ id: r.n, state: r.ready ? 'serving' : 'loading' }));
    const failing = this.loadFailures >= 3;
    for (let i = 0; i < this.delayed.size; i++) {
      replicas.push(failing
        ? { id: 0, state: 'failed', detail: `${this.loadFailures} rebuilds in a row failed while loading: ${this.lastLoadError}` }
        : { id: 0, state: 'waiting', detail: 'rebuild delayed by back-off after repeated failures' });
    }
    const problems: string[] = [];
    if (this.closed) problems.push('the store is closed');
    let writable = !this.readOnly && !this.closed && this.journal !== undefined;
    if (!this.readOnly && !this.closed) {
      if (this.journalError) {
        writable = false;
        problems.push(`the last journal write failed: ${this.journalError}`);
      }
      try {
        accessSync(this.dataDir, fsConstants.W_OK);
        if (this.journal) accessSync(this.journal.path, fsConstants.W_OK);
      } catch (e) {
        writable = false;
        problems.push(`the data directory or journal is not writable: ${(e as Error).message}`);
      }
    }
    if (replicas.length === 0) problems.push('no query engine is running or being rebuilt');
    for (const r of replicas) if (r.state === 'failed') problems.push(`store replica: ${r.detail}`);
    return {
      ready: problems.length === 0,
      replicas,
      writable,
      readOnly: this.readOnly,
      problems,
      journalBytes: this.journalSizes.reduce((a, b) => a + b, 0),
      dataDir: this.dataDir,
      queueDepth: this.waiting.length,
      counters: { ...this.counters },
    };
  }

  // ---------------------------------------------------------------- reads

  async query(sparql: string, options: QueryOptions = {}): Promise<QueryResult> {
    this.check(false);
    if (typeof sparql !== 'string') throw new StoreError(`the query must be a string, got ${typeof sparql}`, 'bad-query');
    const kind = queryKind(sparql);
    const fmt = resultFormat(kind ?? 'bindings', options.format);
    if ('error' in fmt) {
      if (kind !== undefined) throw new StoreError(fmt.error, 'bad-query');
    }
    for (const [name, list] of [['defaultGraph', options.defaultGraph], ['namedGraphs', options.namedGraphs]] as const) {
      if (list === undefined) continue;
      if (!Array.isArray(list)) throw new StoreError(`QueryOptions.${name} must be an array of graph IRIs`, 'bad-query');
      list.forEach((g, i) => {
        try {
          checkGraphIri(g, `QueryOptions.${name}[${i}]`);
        } catch (e) {
          throw new StoreError((e as WriteOpError).message, 'bad-query');
        }
      });
    }
    const refused = this.refusal(sparql);
    if (refused) throw refused;
    this.counters.queries++;
    const timeoutMs = options.timeoutMs ?? this.opts.queryTimeoutMs;
    const req = {
      type: 'query' as const,
      sparql,
      kind,
      mediaType: 'mediaType' in fmt ? fmt.mediaType : 'application/sparql-results+json',
      defaultGraph: options.defaultGraph,
      namedGraphs: options.namedGraphs,
      baseIri: options.baseIri,
      maxBytes: this.opts.maxResultBytes,
      timeoutMs,
    };
    const out = (await this.dispatch(req, Date.now() + timeoutMs)) as { body: string; kind: QueryResult['kind']; contentType: string };
    if (kind === undefined && options.format) {
      const again = resultFormat(out.kind, options.format);
      if ('error' in again) throw new StoreError(again.error, 'bad-query');
      if (again.mediaType !== out.contentType) return this.query(sparql, { ...options, format: again.mediaType });
    }
    return { kind: out.kind, body: out.body, contentType: out.contentType };
  }

  select(sparql: string, options: Omit<QueryOptions, 'format'> = {}): Promise<Binding[]> {
    return selectVia((q, o) => this.query(q, o), sparql, options);
  }

  ask(sparql: string, options: Omit<QueryOptions, 'format'> = {}): Promise<boolean> {
    return askVia((q, o) => this.query(q, o), sparql, options);
  }

  async dumpGraph(graph: string): Promise<string> {
    this.check(false);
    try {
      checkGraphIri(graph, 'dumpGraph()');
    } catch (e) {
      throw new StoreError((e as Error).message, 'bad-input');
    }
    return (await this.dispatch({ type: 'dumpGraph', graph })) as string;
  }

  async graphs(): Promise<string[]> {
    this.check(false);
    return (await this.dispatch({ type: 'graphs' })) as string[];
  }

  async stats(): Promise<StoreStats> {
    this.check(false);
    const s = (await this.dispatch({ type: 'stats' })) as { quads: number; graphs: number };
    return { quads: s.quads, graphs: s.graphs, journalBytes: this.journalSizes.reduce((a, b) => a + b, 0) };
  }

  async backup(file: string): Promise<void> {
    this.check(false);
    const path = isAbsolute(file) ? file : resolvePath(file);
    await this.dispatch({ type: 'backup', file: path });
  }

  // ---------------------------------------------------------------- writes

  private withWriteLock<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writeChain.then(fn, fn);
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  async transact(ops: WriteOp[]): Promise<void> {
    this.check(true);
    if (!Array.isArray(ops)) throw new StoreError(`transact() expects an array of write ops, got ${typeof ops}`, 'bad-input');
    if (ops.length === 0) return;
    if (ops.some((o) => o && typeof o === 'object' && o.op === 'load')) return this.withWriteLock(() => this.transactBulk(ops));
    return this.withWriteLock(async () => {
      this.check(true);
      const txid = ++this.txid;
      // 1. validate (parse every op) in a replica, off the main thread; nothing changes yet
      let validator: Replica | undefined;
      let meta: OpMeta[];
      for (;;) {
        validator = this.pick();
        if (!validator) {
          await this.dispatch({ type: 'graphs' }); // waits for a replica or throws 'unavailable'
          continue;
        }
        try {
          meta = (await this.send(validator, { type: 'validate', txid, ops })) as OpMeta[];
          break;
        } catch (e) {
          if (e instanceof WorkerGone) continue;
          throw e;
        }
      }
      // 2. durable: journal record written and fsynced
      const lsn = this.lsn + 1;
      const journal = this.journal!;
      try {
        await journal.append(encodeRecord(lsn, ops, meta));
        this.journalError = undefined;
      } catch (e) {
        this.journalError = (e as Error).message;
        throw new StoreError(`the write could not be made durable (journal ${journal.path}): ${(e as Error).message}; nothing was changed`, 'unavailable');
      }
      this.lsn = lsn;
      this.journalSizes[this.journalSizes.length - 1] = journal.bytes;
      // 3. apply in every replica (in LSN order); the validator's answer is awaited
      const applies = this.replicas.map((r) => {
        const p = this.send(r, { type: 'apply', txid, lsn, ops, meta });
        p.catch((e: Error) => {
          if (e instanceof WorkerGone) return;
          this.warn(`store worker ${r.n} could not apply transaction ${lsn} (${e.message}); restarting it from the data directory`);
          this.retire(r, undefined);
        });
        return { r, p };
      });
      const mine = applies.find((a) => a.r === validator) ?? applies[0];
      if (mine) await mine.p.catch(() => undefined);
      if (journal.bytes > this.opts.compactBytes) this.scheduleCompaction();
    });
  }

  /** A bulk load of `graph`, chunk by chunk as 'load' ops (see file-load.ts); `key` is not needed here. */
  async loadGraph(graph: string, _key: string): Promise<GraphLoad> {
    this.check(true);
    try {
      checkGraphIri(graph, 'loadGraph()');
    } catch (e) {
      throw new StoreError((e as Error).message, 'bad-input');
    }
    return fileChunkLoad(this, join(this.dataDir, 'uploads'), graph);
  }

  private hold(r: Replica): void {
    r.held = true;
    if (!this.released) {
      let resolve!: () => void;
      const promise = new Promise<void>((res) => (resolve = res));
      this.released = { promise, resolve };
    }
  }

  private release(r: Replica): void {
    r.held = false;
    const w = this.released;
    this.released = undefined;
    w?.resolve();
    this.pump();
  }

  /**
   * A transaction with bulk loads. Parsing the file is the check, so it is applied first in one
   * replica (held back from readers until durable), then each file is moved into
   * <dataDir>/loads/ and fsynced, the journal record (naming the file and its SHA-256) is written
   * and fsynced, and the other replicas load the same file.
   */
  private async transactBulk(ops: WriteOp[]): Promise<void> {
    this.check(true);
    const txid = ++this.txid;
    const lsn = this.lsn + 1;
    let validator: Replica | undefined;
    let meta: OpMeta[] | undefined;
    for (let attempt = 0; !meta; attempt++) {
      validator = this.pick();
      if (!validator) {
        await this.dispatch({ type: 'graphs' });
        continue;
      }
      this.hold(validator);
      try {
        meta = (await this.send(validator, { type: 'validateApply', txid, lsn, ops })) as OpMeta[];
      } catch (e) {
        this.release(validator);
        if (e instanceof WorkerGone && attempt < 3) continue;
        if (e instanceof WorkerGone) throw new StoreError('the store workers kept failing while applying this transaction; nothing was changed', 'unavailable');
        throw e;
      }
    }
    const r = validator!;
    const journalOps: WriteOp[] = ops.map((o) => ({ ...o }));
    const moved: Array<{ from: string; to: string }> = [];
    try {
      // the files become the store's, durably, before the record that names them
      const dir = join(this.dataDir, LOADS_DIR);
      if (!existsSync(dir)) {
        mkdirSync(dir, { recursive: true });
        fsyncDir(this.dataDir);
      }
      for (const [i, o] of journalOps.entries()) {
        if (o.op !== 'load') continue;
        const name = `${LOADS_DIR}/${lsn}-${i + 1}.nt`;
        const to = join(this.dataDir, name);
        try {
          await rename(o.file, to);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
          await copyFile(o.file, to);
        }
        moved.push({ from: o.file, to });
        const fh = await openFile(to, 'r');
        try {
          await fh.sync();
        } finally {
          await fh.close();
        }
        o.file = name;
      }
      fsyncDir(dir);
      await this.journal!.append(encodeRecord(lsn, journalOps, meta));
    } catch (e) {
      // not durable: the replica that applied it must go, and the caller keeps its files
      this.retire(r, undefined);
      for (const m of moved.reverse()) await rename(m.to, m.from).catch(() => copyFile(m.to, m.from).then(() => unlink(m.to)).catch(() => undefined));
      this.release(r);
      throw new StoreError(`the write could not be made durable (journal ${this.journal?.path}): ${(e as Error).message}; nothing was changed`, 'unavailable');
    }
    this.lsn = lsn;
    this.journalSizes[this.journalSizes.length - 1] = this.journal!.bytes;
    this.release(r);
    for (const other of this.replicas) {
      if (other === r) continue;
      this.send(other, { type: 'apply', txid, lsn, ops: journalOps, meta }).catch((e: Error) => {
        if (e instanceof WorkerGone) return;
        this.warn(`store worker ${other.n} could not apply transaction ${lsn} (${e.message}); restarting it from the data directory`);
        this.retire(other, undefined);
      });
    }
    if (this.journal!.bytes > this.opts.compactBytes) this.scheduleCompaction();
  }

  // ---------------------------------------------------------------- compaction

  private scheduleCompaction(): void {
    if (this.compacting || this.readOnly) return;
    this.compacting = this.compact()
      .catch((e: Error) => this.warn(`compaction failed, the journal is kept and replayed at open: ${e.message}`))
      .finally(() => {
        this.compacting = undefined;
      });
  }

  /** Write a new snapshot of the current state and start an empty journal. Crash-safe at every step. */
  async compact(): Promise<void> {
    if (this.readOnly) throw new StoreError('a read-only store cannot be compacted', 'read-only');
    // step 1 (under the write lock): rotate to a fresh journal, named in the manifest together with the old ones
    const rotated = await this.withWriteLock(async () => {
      const m = this.manifest!;
      if (this.journal!.bytes === 0 && m.journals.length === 1) return undefined;
      const seq = ++this.seq;
      const file = journalName(seq);
      const fd = openSync(join(this.dataDir, file), 'wx');
      fsyncSync(fd);
      closeSync(fd);
      fsyncDir(this.dataDir);
      const m2: Manifest = { ...m, journals: [...m.journals, { file, firstLsn: this.lsn + 1 }] };
      writeManifest(this.dataDir, m2);
      const old = this.journal!;
      this.journal = await JournalWriter.open(join(this.dataDir, file), 0);
      await old.close();
      this.manifest = m2;
      this.journalSizes.push(0);
      const at = this.lsn;
      const dirName = snapshotDirName(seq);
      // posted before any later write, so the replica dumps exactly the state at `at`
      const r = this.pick();
      if (!r) throw new StoreError('no query engine is running to write the snapshot', 'unavailable');
      const snap = this.send(r, { type: 'snapshot', dataDir: this.dataDir, dirName, expectLsn: at });
      return { snap, at, dirName, file };
    });
    if (!rotated) return;
    const files = (await rotated.snap) as Manifest['snapshot']['files'];
    // step 2: the manifest switches to the new snapshot + the new journal only
    const obsolete = await this.withWriteLock(async () => {
      const m = this.manifest!;
      const idx = m.journals.findIndex((j) => j.file === rotated.file);
      const m3: Manifest = {
        format: 'syndb-embedded-store',
        version: 1,
        generation: fileSeq(rotated.dirName),
        snapshot: { dir: rotated.dirName, lsn: rotated.at, files },
        journals: m.journals.slice(idx),
      };
      writeManifest(this.dataDir, m3);
      this.manifest = m3;
      this.journalSizes = this.journalSizes.slice(idx);
      return [m.snapshot.dir, ...m.journals.slice(0, idx).map((j) => j.file)];
    });
    // step 3: old files go once no worker is still loading them
    while (this.initializing.size > 0) await Promise.allSettled([...this.initializing]);
    for (const name of obsolete) rmSync(join(this.dataDir, name), { recursive: true, force: true });
    removeLoadFiles(this.dataDir, (n) => n <= rotated.at);
  }

  // ---------------------------------------------------------------- close

  private async shutdownWorkers(): Promise<void> {
    for (const t of this.delayed) clearTimeout(t);
    this.delayed.clear();
    for (const w of this.waiting.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new StoreError(`the store at ${this.dataDir} was closed`, 'closed'));
    }
    const rs = this.replicas;
    this.replicas = [];
    for (const r of rs) {
      r.gone = true;
      for (const p of r.pending.values()) {
        if (p.timer) clearTimeout(p.timer);
        p.reject(new StoreError(`the store at ${this.dataDir} was closed`, 'closed'));
      }
      r.pending.clear();
    }
    await Promise.all(rs.map((r) => r.worker.terminate()));
  }

  close(): Promise<void> {
    if (!this.closing) this.closing = this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.closed = true;
    try {
      await this.writeChain;
      if (this.compacting) await this.compacting;
      if (!this.readOnly && this.compactOnClose && this.journal && this.journal.bytes > 0) {
        try {
          await this.compact();
        } catch (e) {
          this.warn(`compaction at close failed; the journal is kept and replayed at the next open: ${(e as Error).message}`);
        }
      }
    } finally {
      await this.shutdownWorkers();
      await this.journal?.close();
      this.journal = undefined;
      this.releaseLock?.();
    }
  }
}

/** Open (creating if missing) an embedded store in `dataDir`. */
export function openEmbeddedStore(options: EmbeddedStoreOptions): Promise<EmbeddedStore> {
  return EmbeddedStore.open(options);
}
