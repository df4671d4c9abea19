/**
 * A small pool of worker threads that run checkDataset (parse, normalise, skolemise, SHACL) for
 * uploads, so that the main thread keeps answering (/health, readers) while a large or hostile
 * body is processed. Workers start on first use and are reused; one job per worker at a time,
 * the rest wait in order. A job that runs past the timeout, or a worker that dies (e.g. out of
 * memory), ends that job with a 503 and the worker is replaced on the next job.
 *
 * The main thread only re-reads the worker's N-Quads answer, in slices that yield to the event loop.
 */
import type { Worker } from 'node:worker_threads';
import { spawnModuleWorker } from '../util/worker-spawn.js';
import { parseNQuadsYielding } from '../util/rdf.js';
import type { InputFormat } from '../model/parse-input.js';
import type { InputLimits } from '../model/input-limits.js';
import type { CheckResult } from './datasets.js';
import type { ValidationReport } from '../shacl/results.js';
import { deserializeCheckError, type CheckJob, type CheckOk, type CheckReply } from './check-messages.js';

/** The upload could not be processed right now (worker stopped, out of memory, too slow): 503. */
export class ParseUnavailableError extends Error {
  readonly status = 503;
  constructor(message: string) { super(message); this.name = 'ParseUnavailableError'; }
}

interface Pending { job: CheckJob; resolve: (r: CheckReply) => void; reject: (e: Error) => void }
interface Slot { worker?: Worker; busy?: Pending & { timer: NodeJS.Timeout } }

export interface CheckPoolOptions { size: number; baseIri: string; limits: InputLimits; timeoutMs: number; maxMemoryMb?: number }

export class CheckPool {
  private slots: Slot[];
  private queue: Pending[] = [];
  private nextJob = 1;
  private closed = false;

  constructor(private readonly o: CheckPoolOptions) {
    this.slots = Array.from({ length: Math.max(1, o.size) }, () => ({}));
  }

  /** checkDataset in a worker; InputError / InputLimitError are rethrown as such. */
  async check(body: string, format: InputFormat, opts: { id?: string } = {}): Promise<CheckResult> {
    const ok = await this.run({ job: this.nextJob++, kind: 'check', body, format, id: opts.id });
    if (ok.kind !== 'check') throw new Error('parse worker: unexpected answer');
    return { parsed: ok.parsed, quads: await parseNQuadsYielding(ok.nquads), report: ok.report, problems: ok.problems };
  }

  /** A Graph Store body -> N-Triples lines (graph-body.ts), with the input limits. */
  async parseGraph(body: string, format: string, base: string): Promise<string[]> {
    const ok = await this.run({ job: this.nextJob++, kind: 'graph', body, format, base });
    if (ok.kind !== 'graph') throw new Error('parse worker: unexpected answer');
    return ok.lines;
  }

  /** SHACL validation of one graph given as N-Quads (datasets.ts validateGraph). */
  async validate(nquads: string): Promise<ValidationReport> {
    const ok = await this.run({ job: this.nextJob++, kind: 'validate', nquads });
    if (ok.kind !== 'validate') throw new Error('parse worker: unexpected answer');
    return ok.report;
  }

  private async run(job: CheckJob): Promise<CheckOk> {
    if (this.closed) throw new ParseUnavailableError('the service is shutting down');
    const reply = await new Promise<CheckReply>((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.pump();
    });
    if (reply.error) throw deserializeCheckError(reply.error);
    return reply.ok;
  }

  private pump() {
    for (const slot of this.slots) {
      if (slot.busy || !this.queue.length) continue;
      const p = this.queue.shift()!;
      const w = slot.worker ??= this.spawn(slot);
      const timer = setTimeout(() => this.fail(slot, new ParseUnavailableError(
        `processing the upload took longer than ${this.o.timeoutMs} ms and was stopped; send a smaller description or raise SYNDB_PARSE_TIMEOUT_MS`)), this.o.timeoutMs);
      slot.busy = { ...p, timer };
      w.postMessage(p.job);
    }
  }

  private spawn(slot: Slot): Worker {
    const w = spawnModuleWorker(import.meta.url, './check-worker', {
      workerData: { baseIri: this.o.baseIri, limits: this.o.limits },
      resourceLimits: { maxOldGenerationSizeMb: this.o.maxMemoryMb ?? 2048 },
    });
    w.unref();
    w.on('message', (m: CheckReply | { ready: true }) => {
      if (!('job' in m) || slot.worker !== w || !slot.busy || slot.busy.job.job !== m.job) return;
      const b = slot.busy;
      clearTimeout(b.timer);
      slot.busy = undefined;
      b.resolve(m);
      this.pump();
    });
    const gone = (why: string) => { if (slot.worker === w) this.fail(slot, new ParseUnavailableError(why), false); };
    w.on('error', (e) => gone(/ERR_WORKER_OUT_OF_MEMORY|out of memory/i.test(`${(e as NodeJS.ErrnoException).code} ${e.message}`)
      ? 'the upload needed more memory than a parse worker may use; send a smaller description'
      : `the parse worker failed: ${e.message}`));
    w.on('exit', (code) => gone(`the parse worker stopped (exit code ${code}); try again`));
    return w;
  }

  /** End the slot's job with an error and drop its worker (a new one starts with the next job). */
  private fail(slot: Slot, err: Error, terminate = true) {
    const w = slot.worker;
    slot.worker = undefined;
    if (terminate) void w?.terminate();
    const b = slot.busy;
    slot.busy = undefined;
    if (b) { clearTimeout(b.timer); b.reject(err); }
    this.pump();
  }

  async close() {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new ParseUnavailableError('the service is shutting down'));
    await Promise.all(this.slots.map(async (s) => {
      const w = s.worker;
      s.worker = undefined;
      if (s.busy) { clearTimeout(s.busy.timer); s.busy.reject(new ParseUnavailableError('the service is shutting down')); s.busy = undefined; }
      await w?.terminate();
    }));
  }
}
