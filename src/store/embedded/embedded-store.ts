/**
 * The embedded GraphStore: oxigraph in-memory replicas in worker threads (replica-pool.ts), made
 * durable by a snapshot + fsynced journal in a data directory (open-dir.ts opens it), with a
 * single-writer lock.
 *
 * Writes: validate in one replica → append the journal record and fsync → post the ops to every
 * replica (each applies them all-or-nothing, in LSN order) → resolve. Queries go to the least busy
 * replica; one that exceeds its timeout is ended by terminating that worker, which is respawned
 * from the data directory while the other replicas keep serving.
 */
import { accessSync, constants as fsConstants, existsSync, mkdirSync, rmSync, openSync, closeSync, fsyncSync } from 'node:fs';
import { copyFile, open as openFile, rename, unlink } from 'node:fs/promises';
import { isAbsolute, join, resolve as resolvePath } from 'node:path';
import { StoreError, type Binding, type GraphLoad, type GraphStore, type QueryOptions, type QueryResult, type StoreHealth, type StoreStats, type WriteOp, selectVia, askVia } from '../graph-store.js';
import { acquireLock, fsyncDir, journalName, snapshotDirName, writeManifest, type Manifest, fileSeq } from './files.js';
import { JournalWriter, encodeRecord } from './journal.js';
import { checkGraphIri, WriteOpError, type OpMeta } from './ops.js';
import { fileChunkLoad } from './file-load.js';
import { queryKind, resultFormat } from '../query-forms.js';
import type { WorkerRequest } from './store-worker.js';
import { type Replica, WorkerGone } from './replica.js';
import { ReplicaPool } from './replica-pool.js';
import { openDataDir } from './open-dir.js';
import { LOADS_DIR, removeLoadFiles } from './restore.js';
import { storeLog } from '../store-log.js';
import { resolveOptions, type EmbeddedStoreOptions, type ResolvedOptions } from './options.js';

/** open-store.ts and index.ts take the options from here, with the store. */
export type { EmbeddedStoreOptions };

export class EmbeddedStore implements GraphStore {
  /** transact() takes the 'load' op (files on this machine) as well. */
  readonly bulkOps = true;
  private readonly pool: ReplicaPool;
  private txid = 0;
  private writeChain: Promise<unknown> = Promise.resolve();
  private closed = false;
  private closing?: Promise<void>;
  private compacting?: Promise<void>;
  /** Set while the last journal append failed (cleared by the next successful one). */
  private journalError?: string;
  private readonly warn: (m: string) => void;
  private readonly opts: ResolvedOptions;

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
    const log = storeLog(options.logger, 'store');
    this.warn = log.warn;
    this.opts = resolveOptions(options);
    this.pool = new ReplicaPool({
      dataDir,
      durable: () => ({ manifest: this.manifest, journalBytes: [...this.journalSizes] }),
      closed: () => this.closed,
      queryTimeoutMs: this.opts.queryTimeoutMs,
      waitMs: this.opts.waitMs,
      rebuildBackoffMs: this.opts.rebuildBackoffMs,
      quarantine: options.quarantine,
      log,
    });
  }

  /** GraphStore.maxQuads: see EmbeddedStoreOptions.maxQuads. */
  get maxQuads(): number {
    return this.opts.maxQuads;
  }

  /** The replicas in service; every write is applied in each. */
  private get replicas(): readonly Replica[] {
    return this.pool.replicas;
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
      const { manifest, journalSizes, lsn, seq, journal } = await openDataDir(dataDir, readOnly, warn);
      const store = new EmbeddedStore(dataDir, readOnly, options, manifest, journalSizes, lsn, seq, journal, releaseLock, options.compactOnClose !== false);
      try {
        await store.pool.start(store.opts.workers);
      } catch (e) {
        await store.pool.shutdown();
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

  private check(write: boolean): void {
    if (this.closed) throw new StoreError(`the store at ${this.dataDir} is closed`, 'closed');
    if (write && this.readOnly) throw new StoreError(`the store at ${this.dataDir} was opened read-only; writes are refused`, 'read-only');
  }

  /** GraphStore.health(): replicas, journal, queue and counters, without asking a worker. */
  health(): StoreHealth {
    const { replicas, queueDepth, counters } = this.pool.health();
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
      queueDepth,
      counters,
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
    const refused = this.pool.refusal(sparql);
    if (refused) throw refused;
    this.pool.counters.queries++;
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
    const out = (await this.pool.dispatch(req, Date.now() + timeoutMs)) as { body: string; kind: QueryResult['kind']; contentType: string };
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
    return (await this.pool.dispatch({ type: 'dumpGraph', graph })) as string;
  }

  async graphs(): Promise<string[]> {
    this.check(false);
    return (await this.pool.dispatch({ type: 'graphs' })) as string[];
  }

  async stats(): Promise<StoreStats> {
    this.check(false);
    const s = (await this.pool.dispatch({ type: 'stats' })) as { quads: number; graphs: number };
    return { quads: s.quads, graphs: s.graphs, journalBytes: this.journalSizes.reduce((a, b) => a + b, 0) };
  }

  async backup(file: string): Promise<void> {
    this.check(false);
    const path = isAbsolute(file) ? file : resolvePath(file);
    await this.pool.dispatch({ type: 'backup', file: path });
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
        validator = this.pool.pick();
        if (!validator) {
          await this.pool.dispatch({ type: 'graphs' }); // waits for a replica or throws 'unavailable'
          continue;
        }
        try {
          meta = (await this.pool.send(validator, { type: 'validate', txid, ops })) as OpMeta[];
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
      const applies = this.replicas.map((r) => ({ r, p: this.apply(r, { type: 'apply', txid, lsn, ops, meta }) }));
      const mine = applies.find((a) => a.r === validator) ?? applies[0];
      if (mine) await mine.p.catch(() => undefined);
      if (journal.bytes > this.opts.compactBytes) this.scheduleCompaction();
    });
  }

  /** Post a journaled transaction to replica `r`; one that cannot apply it is rebuilt from the data directory (which has it). */
  private apply(r: Replica, req: Extract<WorkerRequest, { type: 'apply' }>): Promise<unknown> {
    const p = this.pool.send(r, req);
    p.catch((e: Error) => {
      if (e instanceof WorkerGone) return;
      this.warn(`store worker ${r.n} could not apply transaction ${req.lsn} (${e.message}); restarting it from the data directory`);
      this.pool.retire(r, undefined);
    });
    return p;
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
      validator = this.pool.pick();
      if (!validator) {
        await this.pool.dispatch({ type: 'graphs' });
        continue;
      }
      this.pool.hold(validator);
      try {
        meta = (await this.pool.send(validator, { type: 'validateApply', txid, lsn, ops })) as OpMeta[];
      } catch (e) {
        this.pool.release(validator);
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
      this.pool.retire(r, undefined);
      for (const m of moved.reverse()) await rename(m.to, m.from).catch(() => copyFile(m.to, m.from).then(() => unlink(m.to)).catch(() => undefined));
      this.pool.release(r);
      throw new StoreError(`the write could not be made durable (journal ${this.journal?.path}): ${(e as Error).message}; nothing was changed`, 'unavailable');
    }
    this.lsn = lsn;
    this.journalSizes[this.journalSizes.length - 1] = this.journal!.bytes;
    this.pool.release(r);
    for (const other of this.replicas) if (other !== r) void this.apply(other, { type: 'apply', txid, lsn, ops: journalOps, meta });
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
      const r = this.pool.pick();
      if (!r) throw new StoreError('no query engine is running to write the snapshot', 'unavailable');
      const snap = this.pool.send(r, { type: 'snapshot', dataDir: this.dataDir, dirName, expectLsn: at });
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
    await this.pool.loaded();
    for (const name of obsolete) rmSync(join(this.dataDir, name), { recursive: true, force: true });
    removeLoadFiles(this.dataDir, (n) => n <= rotated.at);
  }

  // ---------------------------------------------------------------- close

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
      await this.pool.shutdown();
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
