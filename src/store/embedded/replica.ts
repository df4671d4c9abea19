/** One replica: a worker thread holding the whole graph in oxigraph, with the requests it has been sent, and the requests waiting for one. */
import type { Worker } from 'node:worker_threads';
import { StoreError } from '../graph-store.js';
import type { WorkerError, WorkerRequest } from './store-worker.js';

/** A request waiting (in this thread) for a free, ready replica. */
export interface Waiter {
  req: WorkerRequest;
  deadline?: number;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer?: NodeJS.Timeout;
}

export interface Pending {
  req: WorkerRequest;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  deadline?: number;
  timer?: NodeJS.Timeout;
}

export class Replica {
  readonly pending = new Map<number, Pending>();
  ready = false;
  gone = false;
  /** Holds a transaction that is applied but not yet durable: no reads go here meanwhile. */
  held = false;
  /** Requests from the wait queue in flight here (at most one: a timeout then ends only its own query). */
  busy = 0;
  constructor(
    readonly n: number,
    readonly worker: Worker,
  ) {}
}

/** Rejection of a request whose worker was terminated before answering (internal). */
export class WorkerGone extends Error {}

export function toStoreError(e: WorkerError): StoreError {
  if (e.name === 'WriteOpError') return new StoreError(e.message, 'bad-input');
  if (e.name === 'StoreError' && e.code) return new StoreError(e.message, e.code as StoreError['code']);
  return new StoreError(e.message, 'unavailable');
}
